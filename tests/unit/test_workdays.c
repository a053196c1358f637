/* test_workdays.c: unit tests of the working-day calendar (src/workdays.c). */
#include <criterion/criterion.h>

#include "src/workdays.h"

static struct date D(int y, int m, int d) {
	struct date r = {y, m, d};
	return r;
}

static void
assert_date(struct date got, int y, int m, int d)
{
	cr_assert(got.year == y && got.month == m && got.day == d,
	          "expected %04d-%02d-%02d, got %04d-%02d-%02d", y, m, d, got.year, got.month,
	          got.day);
}

/* The obvious day-by-day definitions, to check the fast ones against. */
static struct date slow_add(const struct workdays *cal, struct date d, long n)
{
	while (n > 0) {
		d = date_add_days(d, 1);
		if (workdays_is_working(cal, d))
			n--;
	}
	return d;
}

static long slow_between(const struct workdays *cal, struct date a, struct date b)
{
	long n = 0;

	while (date_compare(a, b) < 0) {
		a = date_add_days(a, 1);
		n += workdays_is_working(cal, a);
	}
	return n;
}

Test(workdays, holidays_across_years)
{
	/* Easter 2024-03-31, 2025-04-20, 2026-04-05, 2027-03-28 */
	static const struct {
		int y, m, d;
	} movable[] = {
	    {2024, 4, 1}, {2024, 5, 9},  {2024, 5, 20}, {2025, 4, 21}, {2025, 5, 29}, {2025, 6, 9},
	    {2026, 4, 6}, {2026, 5, 14}, {2026, 5, 25}, {2027, 3, 29}, {2027, 5, 6},  {2027, 5, 17},
	};

	for (size_t i = 0; i < sizeof movable / sizeof movable[0]; i++)
		cr_assert(workdays_is_holiday(D(movable[i].y, movable[i].m, movable[i].d)),
		          "%d-%d-%d", movable[i].y, movable[i].m, movable[i].d);
	for (int y = 2020; y <= 2030; y++) {
		int count = 0;
		for (struct date d = D(y, 1, 1); d.year == y; d = date_add_days(d, 1))
			count += workdays_is_holiday(d);
		cr_assert_eq(count, 10, "%d has %d holidays", y, count);
		cr_assert(workdays_is_holiday(D(y, 1, 1)));
		cr_assert(workdays_is_holiday(D(y, 5, 1)));
		cr_assert(workdays_is_holiday(D(y, 7, 21)));
		cr_assert(workdays_is_holiday(D(y, 8, 15)));
		cr_assert(workdays_is_holiday(D(y, 11, 1)));
		cr_assert(workdays_is_holiday(D(y, 11, 11)));
		cr_assert(workdays_is_holiday(D(y, 12, 25)));
		cr_assert_not(workdays_is_holiday(D(y, 12, 26)));
		cr_assert_not(workdays_is_holiday(D(y, 11, 15)), "15 Nov is configuration");
	}
	cr_assert_not(workdays_is_holiday(D(2026, 4, 5)), "Easter Sunday itself");
	cr_assert_not(workdays_is_holiday(D(2026, 4, 3)), "Good Friday is no holiday");
}

Test(workdays, is_working)
{
	struct workdays cal;

	workdays_init(&cal);
	cr_assert(workdays_is_working(&cal, D(2026, 4, 7)));
	cr_assert_not(workdays_is_working(&cal, D(2026, 4, 6)));   /* Easter Monday */
	cr_assert_not(workdays_is_working(&cal, D(2026, 4, 4)));   /* Saturday */
	cr_assert_not(workdays_is_working(&cal, D(2026, 4, 5)));   /* Sunday */
	cr_assert_not(workdays_is_working(&cal, D(2025, 12, 25))); /* Thursday */
	cr_assert(workdays_is_working(&cal, D(2025, 12, 26)));
	workdays_free(&cal);
}

Test(workdays, across_easter_2026)
{
	struct workdays cal;

	workdays_init(&cal);
	/* Thu 2 April 2026 + 1 = Fri 3 April; + 2 skips the weekend and
	 * Easter Monday 6 April: Tue 7 April. */
	assert_date(workdays_add(&cal, D(2026, 4, 2), 1), 2026, 4, 3);
	assert_date(workdays_add(&cal, D(2026, 4, 2), 2), 2026, 4, 7);
	assert_date(workdays_add(&cal, D(2026, 4, 3), 1), 2026, 4, 7);
	cr_assert_eq(workdays_between(&cal, D(2026, 4, 3), D(2026, 4, 7)), 1);
	cr_assert_eq(workdays_between(&cal, D(2026, 4, 3), D(2026, 4, 6)), 0);
	/* Ascension Thursday 14 May 2026 */
	assert_date(workdays_add(&cal, D(2026, 5, 13), 1), 2026, 5, 15);
	assert_date(workdays_add(&cal, D(2026, 5, 13), 2), 2026, 5, 18);
	/* Whit Monday 25 May 2026 */
	assert_date(workdays_add(&cal, D(2026, 5, 22), 1), 2026, 5, 26);
	workdays_free(&cal);
}

Test(workdays, year_ends)
{
	struct workdays cal;

	workdays_init(&cal);
	/* 24/12/2025 + 5: 26, 29, 30, 31 Dec, (1 Jan), 2 Jan 2026 */
	assert_date(workdays_add(&cal, D(2025, 12, 24), 5), 2026, 1, 2);
	cr_assert_eq(workdays_between(&cal, D(2025, 12, 24), D(2026, 1, 2)), 5);
	assert_date(workdays_add(&cal, D(2026, 12, 24), 1), 2026, 12, 28);
	assert_date(workdays_add(&cal, D(2026, 12, 31), 1), 2027, 1, 4);
	assert_date(workdays_add(&cal, D(2027, 12, 31), 1), 2028, 1, 3);
	/* 2026: 261 Monday-Fridays, 8 of the holidays on one (15 Aug is a
	 * Saturday, 1 Nov a Sunday) */
	cr_assert_eq(workdays_between(&cal, D(2026, 1, 1), D(2026, 12, 31)), 253);
	cr_assert_eq(workdays_between(&cal, D(2025, 12, 31), D(2026, 12, 31)), 253);
	cr_assert_eq(workdays_between(&cal, D(2026, 12, 31), D(2025, 12, 31)), -253);
	workdays_free(&cal);
}

Test(workdays, zero_and_negative)
{
	struct workdays cal;

	workdays_init(&cal);
	assert_date(workdays_add(&cal, D(2026, 4, 4), 0), 2026, 4, 4);
	cr_assert_eq(workdays_between(&cal, D(2026, 4, 4), D(2026, 4, 4)), 0);
	cr_assert_eq(workdays_between(&cal, D(2026, 4, 10), D(2026, 4, 7)), -3);
	workdays_free(&cal);
}

Test(workdays, fast_matches_slow)
{
	struct workdays cal;
	struct date start = D(2023, 12, 20);

	workdays_init(&cal);
	cr_assert_eq(workdays_add_closure(&cal, D(2024, 11, 15)), 0);
	cr_assert_eq(workdays_add_closure(&cal, D(2025, 5, 30)), 0);
	cr_assert_eq(workdays_add_closure(&cal, D(2025, 5, 31)), 0);  /* a Saturday */
	cr_assert_eq(workdays_add_closure(&cal, D(2025, 12, 25)), 0); /* a holiday */
	for (int s = 0; s < 30; s++) {
		struct date d = date_add_days(start, s * 11);
		for (long n = 0; n <= 600; n += (n < 40 ? 1 : 37)) {
			struct date fast = workdays_add(&cal, d, n), slow = slow_add(&cal, d, n);
			cr_assert_eq(date_compare(fast, slow), 0, "add %d-%d-%d %ld", d.year,
			             d.month, d.day, n);
			cr_assert_eq(workdays_between(&cal, d, fast), n);
			cr_assert_eq(workdays_between(&cal, d, fast), slow_between(&cal, d, fast));
		}
	}
	workdays_free(&cal);
}

/* Easter 2008 was 23 March, so Ascension fell on 1 May, Labour Day: one
 * day off, not two. */
Test(workdays, two_holidays_on_one_day)
{
	cr_assert_eq(workdays_between(NULL, D(2008, 4, 30), D(2008, 5, 1)), 0);
	cr_assert_eq(workdays_between(NULL, D(2008, 5, 1), D(2008, 4, 30)), 0);
	cr_assert_eq(workdays_between(NULL, D(2007, 12, 31), D(2008, 12, 31)), 254);
	cr_assert_eq(workdays_between(NULL, D(2007, 12, 31), D(2008, 12, 31)),
	             slow_between(NULL, D(2007, 12, 31), D(2008, 12, 31)));
	assert_date(workdays_add(NULL, D(2008, 3, 21), 46), 2008, 5, 29);
	for (long n = 0; n <= 300; n++) {
		struct date fast = workdays_add(NULL, D(2008, 1, 2), n);
		struct date slow = slow_add(NULL, D(2008, 1, 2), n);
		cr_assert_eq(date_compare(fast, slow), 0, "add 2008-01-02 %ld", n);
		cr_assert_eq(workdays_between(NULL, D(2008, 1, 2), fast), n);
	}
}

Test(workdays, inverse_property)
{
	struct workdays cal;

	workdays_init(&cal);
	workdays_add_closure(&cal, D(2026, 5, 15));
	for (struct date a = D(2025, 12, 1); date_compare(a, D(2026, 1, 10)) < 0;
	     a = date_add_days(a, 1)) {
		for (struct date b = a; date_compare(b, D(2027, 2, 1)) < 0;
		     b = date_add_days(b, 5)) {
			long n = workdays_between(&cal, a, b);
			cr_assert_geq(n, 0);
			if (workdays_is_working(&cal, b))
				cr_assert_eq(date_compare(workdays_add(&cal, a, n), b), 0);
			else
				/* a closed day: the add lands on the working day before */
				cr_assert_leq(date_compare(workdays_add(&cal, a, n), b), 0);
		}
	}
	workdays_free(&cal);
}

Test(workdays, closures)
{
	struct workdays cal;

	workdays_init(&cal);
	assert_date(workdays_add(&cal, D(2026, 5, 13), 2), 2026, 5, 18);
	cr_assert_eq(workdays_add_closure(&cal, D(2026, 5, 15)), 0); /* bridge day */
	assert_date(workdays_add(&cal, D(2026, 5, 13), 2), 2026, 5, 19);
	cr_assert_eq(workdays_add_closure(&cal, D(2026, 11, 15)), 0);
	cr_assert_eq(workdays_add_closure(&cal, D(2026, 1, 2)), 0);
	cr_assert_eq(workdays_add_closure(&cal, D(2026, 5, 15)), 0); /* again */
	cr_assert_eq(cal.n_closures, 3, "duplicates kept once");
	for (size_t i = 1; i < cal.n_closures; i++)
		cr_assert_lt(date_compare(cal.closures[i - 1], cal.closures[i]), 0, "sorted");
	cr_assert_not(workdays_is_working(&cal, D(2026, 1, 2)));
	assert_date(workdays_add(&cal, D(2025, 12, 24), 5), 2026, 1, 5);
	cr_assert_eq(workdays_between(&cal, D(2025, 12, 24), D(2026, 1, 5)), 5);
	cr_assert_neq(workdays_add_closure(&cal, D(2026, 2, 30)), 0, "impossible date");
	workdays_free(&cal);
	workdays_free(&cal); /* twice is harmless */
	cr_assert_eq(cal.n_closures, 0);
}

Test(workdays, large_n)
{
	struct workdays cal;
	struct date r;

	workdays_init(&cal);
	workdays_add_closure(&cal, D(2030, 6, 3));
	r = workdays_add(&cal, D(2000, 1, 1), 1000000);
	cr_assert_eq(workdays_between(&cal, D(2000, 1, 1), r), 1000000);
	cr_assert(workdays_is_working(&cal, r));
	r = workdays_add(&cal, D(2026, 1, 1), 25000);
	cr_assert_eq(date_compare(r, slow_add(&cal, D(2026, 1, 1), 25000)), 0);
	workdays_free(&cal);
}

Test(workdays, null_calendar)
{
	/* NULL means no closures, like an empty calendar. */
	assert_date(workdays_add(NULL, D(2025, 12, 24), 5), 2026, 1, 2);
	cr_assert_eq(workdays_between(NULL, D(2025, 12, 24), D(2026, 1, 2)), 5);
	cr_assert(workdays_is_working(NULL, D(2026, 1, 2)));
}
