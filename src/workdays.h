/* workdays.h: the working-day calendar (weekends, Belgian legal holidays,
 * closure days from configuration). */
#ifndef HANDESK_WORKDAYS_H
#define HANDESK_WORKDAYS_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"

struct workdays {
	struct date *closures; /* extra closure days, sorted, owned */
	size_t n_closures;
};

/* An empty calendar: only weekends and the ten legal holidays. */
void workdays_init(struct workdays *cal);
void workdays_free(struct workdays *cal);

/* Add an extra closure day (bridge day, 15 November, centre closure). */
int workdays_add_closure(struct workdays *cal, struct date d);

/* True for one of the ten Belgian legal holidays. */
bool workdays_is_holiday(struct date d);

/* True for a Monday-Friday that is neither a legal holiday nor a closure. */
bool workdays_is_working(const struct workdays *cal, struct date d);

/* The n-th working day after d (d itself not counted); n >= 0, n == 0 gives d. */
struct date workdays_add(const struct workdays *cal, struct date d, long n);

/* Working days after d1 up to and including d2 (negative if d2 < d1). */
long workdays_between(const struct workdays *cal, struct date d1, struct date d2);

#endif
