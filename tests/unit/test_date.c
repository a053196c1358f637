/* test_date.c: unit tests of calendar dates (src/date.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "src/date.h"

static struct date D(int y, int m, int d) {
	struct date r = {y, m, d};
	return r;
}

static void
assert_parses(const char *text, int y, int m, int d)
{
	struct date r = {0, 0, 0};

	cr_assert(date_parse(text, &r), "'%s' should parse", text);
	cr_assert(r.year == y && r.month == m && r.day == d, "'%s' gave %d-%d-%d", text, r.year,
	          r.month, r.day);
}

Test(date, parse_all_forms)
{
	assert_parses("24/12/2025", 2025, 12, 24);
	assert_parses("24-12-2025", 2025, 12, 24);
	assert_parses("24.12.2025", 2025, 12, 24);
	assert_parses("2025-12-24", 2025, 12, 24);
	assert_parses("1/2/2026", 2026, 2, 1);
	assert_parses("01.02.2026", 2026, 2, 1);
	assert_parses("2026-2-1", 2026, 2, 1);
	assert_parses("  5/6/1950 ", 1950, 6, 5);
	assert_parses("29/02/2024", 2024, 2, 29);
	assert_parses("29/02/2000", 2000, 2, 29);
	assert_parses("31/12/9999", 9999, 12, 31);
	assert_parses("01/01/1800", 1800, 1, 1);
}

Test(date, parse_rejects)
{
	static const char *bad[] = {
	    "",
	    "   ",
	    "31/02/2026",
	    "30/02/2024",
	    "29/02/2023",
	    "29/02/1900",
	    "31/04/2026",
	    "32/01/2026",
	    "00/01/2026",
	    "01/00/2026",
	    "01/13/2026",
	    "2026-13-01",
	    "2026-02-30",
	    "24/12/25",
	    "24/12/02025",
	    "24/12-2025",
	    "2025/12/24",
	    "24 12 2025",
	    "24/12/2025x",
	    "x24/12/2025",
	    "2025-12-24T00:00",
	    "1/1/1799",
	    "123/1/2026",
	    "1/123/2026",
	    "+1/1/2026",
	    "-1/1/2026",
	    "2025-12-",
	    "24//2025",
	};
	struct date r = {1, 2, 3};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(date_parse(bad[i], &r), "'%s' should be refused", bad[i]);
	cr_assert_not(date_parse(NULL, &r));
	cr_assert(r.year == 1 && r.month == 2 && r.day == 3, "out untouched on failure");
}

Test(date, valid)
{
	cr_assert(date_valid(D(2024, 2, 29)));
	cr_assert_not(date_valid(D(2023, 2, 29)));
	cr_assert_not(date_valid(D(2100, 2, 29)));
	cr_assert(date_valid(D(2400, 2, 29)));
	cr_assert_not(date_valid(D(1799, 12, 31)));
	cr_assert_not(date_valid(D(10000, 1, 1)));
	cr_assert_not(date_valid(D(2026, 0, 1)));
	cr_assert_not(date_valid(D(2026, 6, 31)));
}

Test(date, days_round_trip)
{
	cr_assert_eq(date_to_days(D(1970, 1, 1)), 0);
	cr_assert_eq(date_to_days(D(1969, 12, 31)), -1);
	cr_assert_eq(date_to_days(D(2000, 3, 1)), 11017);
	for (long t = date_to_days(D(1800, 1, 1)); t <= date_to_days(D(2200, 12, 31)); t += 1) {
		struct date d = date_from_days(t);
		cr_assert(date_valid(d));
		cr_assert_eq(date_to_days(d), t);
		if (d.day > 1)
			continue;
		/* the first of each month follows the last of the one before */
		struct date prev = date_from_days(t - 1);
		cr_assert(prev.month != d.month);
	}
}

Test(date, weekday)
{
	cr_assert_eq(date_weekday(D(1970, 1, 1)), 4);   /* Thursday */
	cr_assert_eq(date_weekday(D(2026, 11, 23)), 1); /* Monday */
	cr_assert_eq(date_weekday(D(2025, 12, 25)), 4);
	cr_assert_eq(date_weekday(D(2026, 1, 4)), 7); /* Sunday */
	cr_assert_eq(date_weekday(D(1900, 1, 1)), 1);
	cr_assert_eq(date_weekday(D(1830, 10, 4)), 1);
}

Test(date, easter)
{
	static const struct {
		int y, m, d;
	} known[] = {
	    {1900, 4, 15}, {1961, 4, 2},  {2000, 4, 23}, {2008, 3, 23}, {2011, 4, 24},
	    {2019, 4, 21}, {2024, 3, 31}, {2025, 4, 20}, {2026, 4, 5},  {2027, 3, 28},
	    {2038, 4, 25}, {2285, 3, 22}, {2099, 4, 12},
	};

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		struct date e = date_easter(known[i].y);
		cr_assert(e.year == known[i].y && e.month == known[i].m && e.day == known[i].d,
		          "Easter %d: got %d-%d", known[i].y, e.month, e.day);
	}
	for (int y = 1800; y <= 9999; y++) {
		struct date e = date_easter(y);
		cr_assert_eq(date_weekday(e), 7, "Easter %d not a Sunday", y);
		cr_assert(date_compare(e, D(y, 3, 22)) >= 0 && date_compare(e, D(y, 4, 25)) <= 0);
	}
}

Test(date, add_compare_format)
{
	char out[11];

	cr_assert_eq(date_compare(date_add_days(D(2025, 12, 31), 1), D(2026, 1, 1)), 0);
	cr_assert_eq(date_compare(date_add_days(D(2024, 3, 1), -1), D(2024, 2, 29)), 0);
	cr_assert_eq(date_compare(D(2026, 1, 1), D(2025, 12, 31)), 1);
	cr_assert_eq(date_compare(D(2025, 12, 31), D(2026, 1, 1)), -1);
	cr_assert_eq(date_compare(D(2026, 5, 1), D(2026, 4, 30)), 1);
	date_format_iso(D(2026, 1, 2), out);
	cr_assert_str_eq(out, "2026-01-02");
	date_format_be(D(2026, 1, 2), out);
	cr_assert_str_eq(out, "02/01/2026");
}

Test(date, today_and_age)
{
	struct date t = date_today();

	cr_assert(date_valid(t));
	cr_assert_geq(t.year, 2024);
	cr_assert_eq(date_age(D(1985, 7, 30), D(2026, 7, 29)), 40);
	cr_assert_eq(date_age(D(1985, 7, 30), D(2026, 7, 30)), 41);
	cr_assert_eq(date_age(D(2000, 2, 29), D(2026, 2, 28)), 25);
	cr_assert_eq(date_age(D(2000, 2, 29), D(2026, 3, 1)), 26);
	cr_assert_eq(date_age(D(2000, 2, 29), D(2028, 2, 29)), 28);
}
