/* test_insz.c: unit tests of the national register number (src/insz.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "src/insz.h"

/* Build the 11 digits of a number from its parts, computing the check
 * digits here, independently of the code under test. */
static void make(char out[12], int year, int mm, int dd, int serial)
{
	long long first9 = (long long)(year % 100) * 10000000 + mm * 100000 + dd * 1000 + serial;
	long long base = year >= 2000 ? 2000000000LL + first9 : first9;
	int check = 97 - (int)(base % 97);
	char buf[32];

	snprintf(buf, sizeof buf, "%09lld%02d", first9, check);
	memcpy(out, buf, 12);
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int mdays(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : d[m - 1];
}

Test(insz, domain_examples)
{
	struct insz n;

	cr_assert_eq(insz_parse("85073003328", &n), INSZ_OK);
	cr_assert_eq(n.year, 1985);
	cr_assert_eq(n.month, 7);
	cr_assert_eq(n.day, 30);
	cr_assert_eq(n.sex, 'm');
	cr_assert_not(n.bis);
	cr_assert_str_eq(n.digits, "85073003328");

	cr_assert_eq(insz_parse("17073003384", &n), INSZ_OK);
	cr_assert_eq(n.year, 2017);
	cr_assert_eq(n.month, 7);
	cr_assert_eq(n.day, 30);

	cr_assert_eq(insz_parse("00000100166", &n), INSZ_OK);
	cr_assert_eq(n.year, 0);
	cr_assert_eq(n.month, 0);
	cr_assert_eq(n.day, 0);
	cr_assert_eq(insz_parse("00000100195", &n), INSZ_OK);
	cr_assert_eq(n.year, 0);
	cr_assert_eq(n.month, 0);
	cr_assert_eq(n.day, 0);

	cr_assert_eq(insz_parse("98472899765", &n), INSZ_OK);
	cr_assert(n.bis);
	cr_assert_eq(n.year, 1998);
	cr_assert_eq(n.month, 7);
	cr_assert_eq(n.day, 28);
	cr_assert_eq(n.sex, 'm'); /* +40: sex known, serial 997 odd */

	cr_assert_eq(insz_parse("85133000105", &n), INSZ_ERR_MONTH);
}

Test(insz, separators_accepted)
{
	static const char *forms[] = {
	    "85.07.30-033.28", "85 07 30 033 28",   "85/07/30-033/28",   "850730-033-28",
	    "  85073003328  ", "85.07.30 - 033.28", "85\t07\t30\t03328",
	};
	struct insz n;
	char out[16];

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		cr_assert_eq(insz_parse(forms[i], &n), INSZ_OK, "%s", forms[i]);
		insz_format(&n, out);
		cr_assert_str_eq(out, "85.07.30-033.28", "%s", forms[i]);
	}
}

Test(insz, every_error_kind)
{
	struct insz n;
	char d[32];

	cr_assert_eq(insz_parse("", &n), INSZ_ERR_EMPTY);
	cr_assert_eq(insz_parse("   ", &n), INSZ_ERR_EMPTY);
	cr_assert_eq(insz_parse(" . - / ", &n), INSZ_ERR_EMPTY);
	cr_assert_eq(insz_parse(NULL, &n), INSZ_ERR_EMPTY);
	cr_assert_eq(insz_parse("85O73003328", &n), INSZ_ERR_CHARS); /* letter O */
	cr_assert_eq(insz_parse("85073003328x", &n), INSZ_ERR_CHARS);
	cr_assert_eq(insz_parse("85,07,30", &n), INSZ_ERR_CHARS);
	cr_assert_eq(insz_parse("8507300332", &n), INSZ_ERR_LENGTH);
	cr_assert_eq(insz_parse("850730033288", &n), INSZ_ERR_LENGTH);
	cr_assert_eq(insz_parse("1", &n), INSZ_ERR_LENGTH);
	/* months: 13..19, 33..39, 53..99 are impossible */
	for (int mm = 13; mm < 100; mm++) {
		if ((mm >= 20 && mm <= 32) || (mm >= 40 && mm <= 52))
			continue;
		snprintf(d, sizeof d, "85%02d1503328", mm);
		cr_assert_eq(insz_parse(d, &n), INSZ_ERR_MONTH, "%s", d);
	}
	/* days: 32, 31 April, 30 February, 29 February in a common year */
	make(d, 1985, 1, 32, 33);
	cr_assert_eq(insz_parse(d, &n), INSZ_ERR_DAY);
	make(d, 1985, 4, 31, 33);
	cr_assert_eq(insz_parse(d, &n), INSZ_ERR_DAY);
	make(d, 1984, 2, 30, 33);
	cr_assert_eq(insz_parse(d, &n), INSZ_ERR_DAY);
	make(d, 1985, 2, 29, 33);
	cr_assert_eq(insz_parse(d, &n), INSZ_ERR_DAY);
	make(d, 1900, 2, 29, 33); /* 1900 was not a leap year */
	cr_assert_eq(insz_parse(d, &n), INSZ_ERR_DAY);
	make(d, 2000, 2, 29, 33); /* 2000 was */
	cr_assert_eq(insz_parse(d, &n), INSZ_OK);
	cr_assert_eq(n.year, 2000);
	make(d, 1985, 0, 32, 33);
	cr_assert_eq(insz_parse(d, &n), INSZ_ERR_DAY);
	/* serials */
	make(d, 1985, 7, 30, 0);
	cr_assert_eq(insz_parse(d, &n), INSZ_ERR_SERIAL);
	make(d, 1985, 7, 30, 999);
	cr_assert_eq(insz_parse(d, &n), INSZ_ERR_SERIAL);
	/* checksum: every wrong pair of check digits */
	for (int cc = 0; cc < 100; cc++) {
		snprintf(d, sizeof d, "850730033%02d", cc);
		enum insz_error e = insz_parse(d, &n);
		if (cc == 28)
			cr_assert_eq(e, INSZ_OK);
		else if (cc == 97 - (int)((2000000000LL + 850730033) % 97))
			cr_assert_eq(e, INSZ_OK); /* 2085: fine by the check digits */
		else
			cr_assert_eq(e, INSZ_ERR_CHECKSUM, "%s", d);
	}
	cr_assert_eq(insz_parse("85073003329", &n), INSZ_ERR_CHECKSUM);
}

Test(insz, generated_both_centuries)
{
	static const int serials[] = {1, 2, 33, 34, 500, 997, 998};
	struct insz n;
	char d[12], shown[16], expect[16];
	long count = 0;

	for (int year = 1900; year <= 2099; year++) {
		for (int m = 1; m <= 12; m++) {
			for (int day = 1; day <= mdays(year, m); day += (year % 7) + 1) {
				for (size_t s = 0; s < sizeof serials / sizeof serials[0]; s++) {
					int serial = serials[s];
					make(d, year, m, day, serial);
					cr_assert_eq(insz_parse(d, &n), INSZ_OK, "%s", d);
					cr_assert_eq(n.year, year, "%s", d);
					cr_assert_eq(n.month, m);
					cr_assert_eq(n.day, day);
					cr_assert_eq(n.sex, serial % 2 ? 'm' : 'f');
					cr_assert_not(n.bis);
					insz_format(&n, shown);
					snprintf(expect, sizeof expect, "%.2s.%.2s.%.2s-%.3s.%.2s",
					         d, d + 2, d + 4, d + 6, d + 9);
					cr_assert_str_eq(shown, expect);
					/* the other century's check digits never fit */
					count++;
				}
			}
		}
	}
	cr_assert_gt(count, 100000);
}

Test(insz, generated_one_wrong_digit)
{
	struct insz n;
	char d[12];
	int caught = 0, other_century = 0;

	/* Changing any one digit of a valid number is caught (97 is prime and
	 * larger than 10) unless the result happens to fit the other
	 * century's check digits, which then shows in the year. */
	for (int year = 1950; year <= 2030; year += 3) {
		make(d, year, 3, 14, 123);
		for (int pos = 0; pos < 11; pos++) {
			char keep = d[pos];
			for (char c = '0'; c <= '9'; c++) {
				if (c == keep)
					continue;
				d[pos] = c;
				if (insz_parse(d, &n) != INSZ_OK) {
					caught++;
				} else {
					other_century++;
					cr_assert_neq(n.year / 100, year / 100, "%s", d);
				}
			}
			d[pos] = keep;
		}
	}
	cr_assert_gt(caught, 20 * other_century);
}

Test(insz, bis_numbers)
{
	struct insz n;
	char d[12];

	for (int year = 1930; year <= 2025; year += 5) {
		for (int m = 1; m <= 12; m++) {
			make(d, year, m + 20, 15, 101);
			cr_assert_eq(insz_parse(d, &n), INSZ_OK, "%s", d);
			cr_assert(n.bis);
			cr_assert_eq(n.year, year);
			cr_assert_eq(n.month, m);
			cr_assert_eq(n.day, 15);
			cr_assert_eq(n.sex, 0, "+20: sex unknown");

			make(d, year, m + 40, 15, 102);
			cr_assert_eq(insz_parse(d, &n), INSZ_OK, "%s", d);
			cr_assert(n.bis);
			cr_assert_eq(n.month, m);
			cr_assert_eq(n.sex, 'f', "+40: sex known");
		}
	}
	/* month part 20 or 40: a bis number with an unknown month */
	make(d, 1970, 20, 0, 5);
	cr_assert_eq(insz_parse(d, &n), INSZ_OK);
	cr_assert(n.bis);
	cr_assert_eq(n.year, 1970);
	cr_assert_eq(n.month, 0);
	cr_assert_eq(n.day, 0);
	make(d, 2010, 40, 0, 6);
	cr_assert_eq(insz_parse(d, &n), INSZ_OK);
	cr_assert_eq(n.year, 2010);
	cr_assert_eq(n.sex, 'f');
	/* bis days are checked too */
	make(d, 1985, 42, 30, 33);
	cr_assert_eq(insz_parse(d, &n), INSZ_ERR_DAY);
	make(d, 1985, 24, 31, 33);
	cr_assert_eq(insz_parse(d, &n), INSZ_ERR_DAY);
}

Test(insz, unknown_dates)
{
	struct insz n;
	char d[12];

	/* day 00: day unknown */
	make(d, 1962, 5, 0, 41);
	cr_assert_eq(insz_parse(d, &n), INSZ_OK);
	cr_assert_eq(n.year, 1962);
	cr_assert_eq(n.month, 5);
	cr_assert_eq(n.day, 0);
	/* month 00: month and day unknown, the year known */
	make(d, 1962, 0, 0, 41);
	cr_assert_eq(insz_parse(d, &n), INSZ_OK);
	cr_assert_eq(n.year, 1962);
	cr_assert_eq(n.month, 0);
	cr_assert_eq(n.day, 0);
	make(d, 2004, 0, 0, 42);
	cr_assert_eq(insz_parse(d, &n), INSZ_OK);
	cr_assert_eq(n.year, 2004);
	cr_assert_eq(n.sex, 'f');
	/* 00.00.01: the whole date unknown, in both centuries */
	for (int serial = 1; serial < 999; serial += 37) {
		make(d, 1900, 0, 1, serial);
		cr_assert_eq(insz_parse(d, &n), INSZ_OK, "%s", d);
		cr_assert_eq(n.year, 0);
		make(d, 2000, 0, 1, serial);
		cr_assert_eq(insz_parse(d, &n), INSZ_OK, "%s", d);
		cr_assert_eq(n.year, 0);
		cr_assert_eq(n.month, 0);
		cr_assert_eq(n.day, 0);
	}
}

Test(insz, reasons_and_messages)
{
	static const struct {
		enum insz_error e;
		const char *reason;
	} cases[] = {
	    {INSZ_ERR_EMPTY, "empty"},       {INSZ_ERR_CHARS, "characters"},
	    {INSZ_ERR_LENGTH, "length"},     {INSZ_ERR_MONTH, "month"},
	    {INSZ_ERR_DAY, "day"},           {INSZ_ERR_SERIAL, "serial"},
	    {INSZ_ERR_CHECKSUM, "checksum"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert_str_eq(insz_reason(cases[i].e), cases[i].reason);
		cr_assert_gt(strlen(insz_strerror(cases[i].e)), 10);
	}
}

Test(insz, looks_like_and_digits)
{
	char out[12];

	cr_assert(insz_looks_like("85"));
	cr_assert(insz_looks_like("85.07"));
	cr_assert(insz_looks_like("85.07.30-033.28"));
	cr_assert_not(insz_looks_like("8"));
	cr_assert_not(insz_looks_like(""));
	cr_assert_not(insz_looks_like("Dupont"));
	cr_assert_not(insz_looks_like("85a"));
	cr_assert_not(insz_looks_like("850730033281"));
	cr_assert_eq(insz_digits("85.07.30-033.28", out), 11);
	cr_assert_str_eq(out, "85073003328");
	cr_assert_eq(insz_digits("85.07", out), 4);
	cr_assert_str_eq(out, "8507");
	cr_assert_eq(insz_digits("8507300332899", out), 11);
	cr_assert_str_eq(out, "85073003328");
	cr_assert_eq(insz_digits("", out), 0);
	cr_assert_str_eq(out, "");
}
