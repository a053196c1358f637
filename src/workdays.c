/* workdays.c: the working-day calendar: weekends, the ten Belgian legal
 * holidays (Easter's computed), and closure days from configuration. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "src/rc.h"
#include "src/workdays.h"

/*
 * Counting is arithmetic, not a walk over the days: working days in (a, b]
 * are the Monday-Fridays in (a, b] (closed form over whole weeks), minus the
 * holidays on a Monday-Friday (ten per year), minus the closures on a
 * working day (binary search in the sorted list).  Adding n working days
 * jumps whole weeks, counts what the jump really gained and repeats with
 * what is left; only the last few days are stepped one at a time.
 */

void workdays_init(struct workdays *cal)
{
	cal->closures = NULL;
	cal->n_closures = 0;
}

void workdays_free(struct workdays *cal)
{
	if (!cal)
		return;
	free(cal->closures);
	cal->closures = NULL;
	cal->n_closures = 0;
}

int workdays_add_closure(struct workdays *cal, struct date d)
{
	size_t lo = 0, hi = cal->n_closures;
	struct date *grown;

	if (!date_valid(d))
		return RC_INVALID;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = date_compare(cal->closures[mid], d);
		if (c == 0)
			return RC_OK; /* already there */
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	grown = realloc(cal->closures, (cal->n_closures + 1) * sizeof *grown);
	if (!grown)
		return RC_NOMEM;
	cal->closures = grown;
	memmove(grown + lo + 1, grown + lo, (cal->n_closures - lo) * sizeof *grown);
	grown[lo] = d;
	cal->n_closures++;
	return RC_OK;
}

/* Day numbers of the ten legal holidays of a year, in no particular order. */
static void holidays_of_year(int year, long out[10])
{
	long easter = date_to_days(date_easter(year));

	out[0] = date_to_days((struct date){year, 1, 1});
	out[1] = easter + 1; /* Easter Monday */
	out[2] = date_to_days((struct date){year, 5, 1});
	out[3] = easter + 39; /* Ascension */
	out[4] = easter + 50; /* Whit Monday */
	out[5] = date_to_days((struct date){year, 7, 21});
	out[6] = date_to_days((struct date){year, 8, 15});
	out[7] = date_to_days((struct date){year, 11, 1});
	out[8] = date_to_days((struct date){year, 11, 11});
	out[9] = date_to_days((struct date){year, 12, 25});
}

/* Monday = 0 ... Sunday = 6 for a day number (1970-01-01 was a Thursday). */
static int weekday0(long t)
{
	long w = (t + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

static long floor_div(long a, long b)
{
	long q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Monday-Fridays among the days before day number t, counted from the
 * Monday 1970-01-05 (day 4); only differences of it are meaningful. */
static long weekdays_before(long t)
{
	long u = t - 4, weeks = floor_div(u, 7), rest = u - weeks * 7;

	return weeks * 5 + (rest < 5 ? rest : 5);
}

static bool is_holiday_days(long t, int year)
{
	long h[10];

	holidays_of_year(year, h);
	for (int i = 0; i < 10; i++)
		if (h[i] == t)
			return true;
	return false;
}

bool workdays_is_holiday(struct date d)
{
	switch (d.month) {
	case 1:
		return d.day == 1;
	case 5:
		if (d.day == 1)
			return true;
		break;
	case 7:
		return d.day == 21;
	case 8:
		return d.day == 15;
	case 11:
		return d.day == 1 || d.day == 11;
	case 12:
		return d.day == 25;
	default:
		break;
	}
	/* The movable feasts fall between 23 March and 14 June. */
	if (d.month >= 3 && d.month <= 6) {
		long t = date_to_days(d), easter = date_to_days(date_easter(d.year));
		return t == easter + 1 || t == easter + 39 || t == easter + 50;
	}
	return false;
}

static bool is_closure(const struct workdays *cal, struct date d)
{
	size_t lo = 0, hi = cal ? cal->n_closures : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = date_compare(cal->closures[mid], d);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool workdays_is_working(const struct workdays *cal, struct date d)
{
	if (date_weekday(d) >= 6)
		return false;
	if (workdays_is_holiday(d))
		return false;
	return !is_closure(cal, d);
}

/* Index of the first closure on or after day number t. */
static size_t closure_lower_bound(const struct workdays *cal, long t)
{
	size_t lo = 0, hi = cal ? cal->n_closures : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (date_to_days(cal->closures[mid]) < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Working days in the day numbers (a, b], a <= b. */
static long count_working(const struct workdays *cal, long a, long b)
{
	long n, h[10];
	int y0, y1;

	if (b <= a)
		return 0;
	n = weekdays_before(b + 1) - weekdays_before(a + 1);
	/* Each holiday on a Monday-Friday in range is counted once.  Two may
	 * fall on one day: Ascension is 1 May when Easter is 23 March (2008,
	 * 2160), so a day already seen among the year's is skipped. */
	y0 = date_from_days(a + 1).year;
	y1 = date_from_days(b).year;
	for (int y = y0; y <= y1; y++) {
		holidays_of_year(y, h);
		for (int i = 0; i < 10; i++) {
			bool seen = false;
			for (int j = 0; j < i; j++)
				seen = seen || h[j] == h[i];
			if (!seen && h[i] > a && h[i] <= b && weekday0(h[i]) < 5)
				n--;
		}
	}
	if (cal && cal->n_closures) {
		for (size_t i = closure_lower_bound(cal, a + 1); i < cal->n_closures; i++) {
			long t = date_to_days(cal->closures[i]);
			if (t > b)
				break;
			if (weekday0(t) < 5 && !is_holiday_days(t, cal->closures[i].year))
				n--;
		}
	}
	return n;
}

struct date workdays_add(const struct workdays *cal, struct date d, long n)
{
	long t = date_to_days(d);

	if (n <= 0)
		return d;
	/* Jump whole weeks: 7k days hold 5k <= n - 1 Monday-Fridays, so at
	 * least one working day is still to come after the jump and it never
	 * passes the answer; then count what the jump truly gained. */
	while (n > 5) {
		long span = ((n - 1) / 5) * 7;
		n -= count_working(cal, t, t + span);
		t += span;
	}
	while (n > 0) {
		t++;
		if (workdays_is_working(cal, date_from_days(t)))
			n--;
	}
	return date_from_days(t);
}

long workdays_between(const struct workdays *cal, struct date d1, struct date d2)
{
	long a = date_to_days(d1), b = date_to_days(d2);

	if (b >= a)
		return count_working(cal, a, b);
	return -count_working(cal, b, a);
}
