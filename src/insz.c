/* insz.c: the Belgian national register number (INSZ/NISS) and bis numbers. */
#include "autoconf.h"

#include <string.h>

#include "src/i18n.h"
#include "src/insz.h"

/*
 * YYMMDD SSS CC.  CC = 97 - (YYMMDDSSS mod 97) for a birth before 2000, and
 * 97 - (2YYMMDDSSS mod 97) from 2000 on: the check digits tell the century,
 * and since 2000000000 is not a multiple of 97 they never fit both.
 * Month 00: month and day unknown; day 00: day unknown; YYMMDD = 000001: the
 * whole birth date unknown.  Bis numbers: month + 20 (sex unknown when the
 * number was issued) or + 40 (sex known), so 20 and 40 are bis numbers with
 * an unknown month.  Serial: odd for men, even for women; 000 and 999 are
 * never issued.
 */

static bool is_separator(char c)
{
	return c == ' ' || c == '.' || c == '-' || c == '/' || c == '\t';
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int two(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

enum insz_error insz_parse(const char *text, struct insz *out)
{
	char d[12];
	int n = 0, yy, mm, dd, serial, cc, month;
	long first9 = 0;
	bool bis = false, sex_known = true, century2000;
	const char *p;

	if (!text)
		return INSZ_ERR_EMPTY;
	for (p = text; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n < 11)
				d[n] = *p;
			n++;
		} else if (!is_separator(*p)) {
			return INSZ_ERR_CHARS;
		}
	}
	if (n == 0)
		return INSZ_ERR_EMPTY;
	if (n != 11)
		return INSZ_ERR_LENGTH;
	d[11] = '\0';

	yy = two(d);
	mm = two(d + 2);
	dd = two(d + 4);
	serial = (d[6] - '0') * 100 + two(d + 7);
	cc = two(d + 9);

	if (mm >= 40 && mm <= 52) {
		bis = true;
		month = mm - 40;
	} else if (mm >= 20 && mm <= 32) {
		bis = true;
		sex_known = false;
		month = mm - 20;
	} else if (mm <= 12) {
		month = mm;
	} else {
		return INSZ_ERR_MONTH;
	}
	/* A day no month of either century has: before the check digits, so
	 * that 31/04 is named as such rather than as a checksum error. */
	if (dd > 31 || (month != 0 && dd > month_days(month == 2 ? 2000 : 2001, month)))
		return INSZ_ERR_DAY;
	if (serial == 0 || serial == 999)
		return INSZ_ERR_SERIAL;

	for (int i = 0; i < 9; i++)
		first9 = first9 * 10 + (d[i] - '0');
	if (cc == 97 - (int)(first9 % 97))
		century2000 = false;
	else if (cc == 97 - (int)((2000000000L + first9) % 97))
		century2000 = true;
	else
		return INSZ_ERR_CHECKSUM;

	out->year = (century2000 ? 2000 : 1900) + yy;
	out->month = month;
	out->day = month == 0 ? 0 : dd;
	if (month == 0 && dd == 1 && yy == 0) {
		out->year = 0; /* 00.00.01: the whole date unknown */
	} else if (month != 0 && dd > month_days(out->year, month)) {
		return INSZ_ERR_DAY; /* 29 February in a common year */
	}
	memcpy(out->digits, d, sizeof d);
	out->bis = bis;
	out->sex = sex_known ? (serial % 2 ? 'm' : 'f') : 0;
	return INSZ_OK;
}

const char *insz_strerror(enum insz_error e)
{
	switch (e) {
	case INSZ_OK:
		return _("valid national register number");
	case INSZ_ERR_EMPTY:
		return _("no national register number given");
	case INSZ_ERR_CHARS:
		return _("a national register number has only digits (and dots, dashes, spaces "
		         "or slashes between them)");
	case INSZ_ERR_LENGTH:
		return _("a national register number has 11 digits");
	case INSZ_ERR_MONTH:
		return _("the month in this national register number is impossible");
	case INSZ_ERR_DAY:
		return _("the day in this national register number is impossible for its month");
	case INSZ_ERR_SERIAL:
		return _("the serial number (digits 7 to 9) cannot be 000 or 999");
	case INSZ_ERR_CHECKSUM:
		return _("the check digits are wrong: probably a typing error");
	}
	return _("invalid national register number");
}

const char *insz_reason(enum insz_error e)
{
	switch (e) {
	case INSZ_OK:
		return "valid";
	case INSZ_ERR_EMPTY:
		return "empty";
	case INSZ_ERR_CHARS:
		return "characters";
	case INSZ_ERR_LENGTH:
		return "length";
	case INSZ_ERR_MONTH:
		return "month";
	case INSZ_ERR_DAY:
		return "day";
	case INSZ_ERR_SERIAL:
		return "serial";
	case INSZ_ERR_CHECKSUM:
		return "checksum";
	}
	return "invalid";
}

void insz_format(const struct insz *n, char out[16])
{
	const char *d = n->digits;

	out[0] = d[0];
	out[1] = d[1];
	out[2] = '.';
	out[3] = d[2];
	out[4] = d[3];
	out[5] = '.';
	out[6] = d[4];
	out[7] = d[5];
	out[8] = '-';
	out[9] = d[6];
	out[10] = d[7];
	out[11] = d[8];
	out[12] = '.';
	out[13] = d[9];
	out[14] = d[10];
	out[15] = '\0';
}

bool insz_looks_like(const char *text)
{
	int n = 0;

	if (!text)
		return false;
	for (; *text; text++) {
		if (*text >= '0' && *text <= '9')
			n++;
		else if (!is_separator(*text))
			return false;
	}
	return n >= 2 && n <= 11;
}

int insz_digits(const char *text, char out[12])
{
	int n = 0;

	for (; text && *text && n < 11; text++)
		if (*text >= '0' && *text <= '9')
			out[n++] = *text;
	out[n] = '\0';
	return n;
}
