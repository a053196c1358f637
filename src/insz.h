/* insz.h: the Belgian national register number (INSZ/NISS) and bis numbers. */
#ifndef HANDESK_INSZ_H
#define HANDESK_INSZ_H

#include <stdbool.h>

enum insz_error {
	INSZ_OK = 0,
	INSZ_ERR_EMPTY,    /* nothing given */
	INSZ_ERR_CHARS,    /* characters other than digits and separators */
	INSZ_ERR_LENGTH,   /* not 11 digits */
	INSZ_ERR_MONTH,    /* month part impossible (also for bis numbers) */
	INSZ_ERR_DAY,      /* day impossible for that month and year */
	INSZ_ERR_SERIAL,   /* serial 000 or 999 */
	INSZ_ERR_CHECKSUM, /* check digits match neither century */
};

struct insz {
	char digits[12]; /* the 11 digits, NUL-terminated */
	int year;        /* full year, 0 when the birth date is unknown */
	int month;       /* 1..12, 0 when unknown */
	int day;         /* 1..31, 0 when unknown */
	char sex;        /* 'm', 'f', or 0 when unknown (bis +20) */
	bool bis;        /* a bis number (month + 20 or + 40) */
};

/* Parse an INSZ typed with or without separators (spaces, dots, dashes,
 * slashes).  Fills *out on INSZ_OK. */
enum insz_error insz_parse(const char *text, struct insz *out);

/* The reason in words, translated (static string). */
const char *insz_strerror(enum insz_error e);

/* The short untranslated reason used by `handesk check insz`. */
const char *insz_reason(enum insz_error e);

/* "YY.MM.DD-SSS.CC" into out (16 bytes). */
void insz_format(const struct insz *n, char out[16]);

/* True if the text looks like the start of an INSZ (digits and separators
 * only, at least two digits): used by search to pick the INSZ lookup. */
bool insz_looks_like(const char *text);

/* Copy the digits of text (separators dropped) into out, at most 11;
 * returns how many. */
int insz_digits(const char *text, char out[12]);

#endif
