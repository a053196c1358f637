/* date.c: calendar dates (proleptic Gregorian): parsing, formatting, arithmetic. */
#include "autoconf.h"

#include <string.h>
#include <time.h>

#include "src/date.h"

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

bool date_valid(struct date d)
{
	return d.year >= 1800 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
	       d.day <= days_in_month(d.year, d.month);
}

/* Read 1..max digits at *p into *v; advances *p.  False if none. */
static bool read_number(const char **p, int max, int *v, int *ndigits)
{
	int n = 0, x = 0;

	while (n < max && **p >= '0' && **p <= '9') {
		x = x * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n == 0 || (**p >= '0' && **p <= '9'))
		return false;
	*v = x;
	*ndigits = n;
	return true;
}

bool date_parse(const char *text, struct date *out)
{
	const char *p = text;
	int a, b, c, na, nb, nc;
	char sep;
	struct date d;

	if (!text)
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!read_number(&p, 4, &a, &na))
		return false;
	sep = *p;
	if (sep != '/' && sep != '-' && sep != '.')
		return false;
	p++;
	if (!read_number(&p, 2, &b, &nb) || *p != sep)
		return false;
	p++;
	if (!read_number(&p, 4, &c, &nc))
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		return false;
	if (na == 4 && sep == '-' && nc <= 2) {
		/* ISO: YYYY-MM-DD */
		d.year = a;
		d.month = b;
		d.day = c;
	} else if (na <= 2 && nc == 4) {
		/* Belgian: DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY */
		d.day = a;
		d.month = b;
		d.year = c;
	} else {
		return false;
	}
	if (!date_valid(d))
		return false;
	*out = d;
	return true;
}

/* Days from civil, after Howard Hinnant's public-domain algorithms. */
long date_to_days(struct date d)
{
	long y = d.year - (d.month <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long mp = (d.month + 9) % 12;
	long doy = (153 * mp + 2) / 5 + d.day - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

struct date date_from_days(long days)
{
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	struct date d;

	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.year = (int)(yoe + era * 400 + (d.month <= 2));
	return d;
}

int date_weekday(struct date d)
{
	long t = date_to_days(d); /* 1970-01-01 was a Thursday */
	long w = (t + 3) % 7;

	if (w < 0)
		w += 7;
	return (int)w + 1;
}

struct date date_easter(int year)
{
	/* Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	struct date r;

	r.year = year;
	r.month = (h + l - 7 * m + 114) / 31;
	r.day = (h + l - 7 * m + 114) % 31 + 1;
	return r;
}

struct date date_add_days(struct date d, long n)
{
	return date_from_days(date_to_days(d) + n);
}

int date_compare(struct date a, struct date b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

/* Write v as exactly n digits (zero-padded) at p. */
static void put_digits(char *p, int v, int n)
{
	if (v < 0)
		v = 0;
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void date_format_iso(struct date d, char out[11])
{
	put_digits(out, d.year, 4);
	out[4] = '-';
	put_digits(out + 5, d.month, 2);
	out[7] = '-';
	put_digits(out + 8, d.day, 2);
	out[10] = '\0';
}

void date_format_be(struct date d, char out[11])
{
	put_digits(out, d.day, 2);
	out[2] = '/';
	put_digits(out + 3, d.month, 2);
	out[5] = '/';
	put_digits(out + 6, d.year, 4);
	out[10] = '\0';
}

struct date date_today(void)
{
	time_t now = time(NULL);
	struct tm tm;
	struct date d = {1970, 1, 1};

	if (localtime_r(&now, &tm)) {
		d.year = tm.tm_year + 1900;
		d.month = tm.tm_mon + 1;
		d.day = tm.tm_mday;
	}
	return d;
}

int date_age(struct date birth, struct date on)
{
	/* Someone born on 29 February is a year older on 1 March in a
	 * common year (the birthday has not come on 28 February). */
	int age = on.year - birth.year;

	if (on.month < birth.month || (on.month == birth.month && on.day < birth.day))
		age--;
	return age;
}
