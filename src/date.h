/* date.h: calendar dates (proleptic Gregorian), parsing and formatting. */
#ifndef HANDESK_DATE_H
#define HANDESK_DATE_H

#include <stdbool.h>

struct date {
	int year;  /* e.g. 2026 */
	int month; /* 1..12 */
	int day;   /* 1..31 */
};

/* True if d is a real calendar date (years 1800..9999). */
bool date_valid(struct date d);

/* Parse DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD (leading/trailing
 * blanks ignored, one-digit day and month allowed).  Returns true and fills
 * *out only for a real date. */
bool date_parse(const char *text, struct date *out);

/* Days since 1970-01-01 (negative before), and back. */
long date_to_days(struct date d);
struct date date_from_days(long days);

/* 1 = Monday ... 7 = Sunday. */
int date_weekday(struct date d);

/* Easter Sunday of the given year (Gregorian computus). */
struct date date_easter(int year);

/* d plus n calendar days (n may be negative). */
struct date date_add_days(struct date d, long n);

/* -1, 0, 1 as a is before, equal to, after b. */
int date_compare(struct date a, struct date b);

/* "YYYY-MM-DD" into out (11 bytes). */
void date_format_iso(struct date d, char out[11]);

/* "DD/MM/YYYY", the Belgian way, into out (11 bytes). */
void date_format_be(struct date d, char out[11]);

/* Today's date in the local time zone (Europe/Brussels on a centre's host). */
struct date date_today(void);

/* Whole years between birth and on (age on a given day). */
int date_age(struct date birth, struct date on);

#endif
