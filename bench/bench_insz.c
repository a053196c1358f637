/* bench_insz.c: throughput of INSZ parsing and formatting over a million
 * numbers, against a baseline that only copies the digits. */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/insz.h"

#define COUNT 1000000
#define RUNS  5

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t next_random(void)
{
	/* xorshift64*: reproducible numbers, the same every run */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One number: about 80% valid, of both centuries and some bis numbers; the
 * rest with a wrong check digit, an impossible month or a wrong length;
 * half of them written YY.MM.DD-SSS.CC. */
static void generate(char *out)
{
	uint32_t r = next_random();
	int yy = (int)(r % 100), mm = (int)(next_random() % 12) + 1,
	    dd = (int)(next_random() % 28) + 1;
	int serial = (int)(next_random() % 997) + 1;
	bool from2000 = next_random() % 4 == 0;
	long first9;
	int check, kind = (int)(next_random() % 100);
	char d[16];

	if (kind < 5)
		mm += 40; /* bis */
	first9 = (long)yy * 10000000 + mm * 100000 + dd * 1000 + serial;
	check = 97 - (int)((from2000 ? 2000000000L + first9 : first9) % 97);
	if (kind >= 80 && kind < 90)
		check = (check + 1) % 100;
	if (kind >= 90 && kind < 95)
		first9 = (long)yy * 10000000 + 13 * 100000 + dd * 1000 + serial;
	snprintf(d, sizeof d, "%09ld%02d", first9 % 1000000000, check);
	if (kind >= 95)
		d[10] = '\0'; /* ten digits */
	if (next_random() % 2 && kind < 95)
		snprintf(out, 24, "%.2s.%.2s.%.2s-%.3s.%.2s", d, d + 2, d + 4, d + 6, d + 9);
	else
		snprintf(out, 24, "%s", d);
}

int main(void)
{
	char(*numbers)[24] = malloc(sizeof *numbers * COUNT);
	double parse_times[RUNS], copy_times[RUNS], t, parse_med, copy_med;
	long valid = 0, copied = 0;
	char shown[16], digits[12];
	struct insz n;

	if (!numbers) {
		fprintf(stderr, "bench_insz: out of memory\n");
		return 1;
	}
	for (int i = 0; i < COUNT; i++)
		generate(numbers[i]);

	for (int run = 0; run < RUNS; run++) {
		valid = 0;
		t = now();
		for (int i = 0; i < COUNT; i++) {
			if (insz_parse(numbers[i], &n) == INSZ_OK) {
				insz_format(&n, shown);
				valid += shown[0] != 0;
			}
		}
		parse_times[run] = now() - t;

		copied = 0;
		t = now();
		for (int i = 0; i < COUNT; i++) {
			/* the baseline: digits copied, separators skipped */
			const char *p = numbers[i];
			int k = 0;
			while (*p && k < 11) {
				size_t span = strspn(p, "0123456789");
				memcpy(digits + k, p,
				       span > (size_t)(11 - k) ? (size_t)(11 - k) : span);
				k += span > (size_t)(11 - k) ? 11 - k : (int)span;
				p += span;
				p += strcspn(p, "0123456789");
			}
			digits[k] = '\0';
			copied += k;
		}
		copy_times[run] = now() - t;
	}
	qsort(parse_times, RUNS, sizeof parse_times[0], compare_double);
	qsort(copy_times, RUNS, sizeof copy_times[0], compare_double);
	parse_med = parse_times[RUNS / 2];
	copy_med = copy_times[RUNS / 2];

	printf("insz: %d numbers (%ld valid), median of %d runs\n", COUNT, valid, RUNS);
	printf("insz_parse+insz_format: %.1f ms, %.0f numbers/s\n", parse_med * 1e3,
	       COUNT / parse_med);
	printf("baseline digit copy:    %.1f ms, %.0f numbers/s (%ld digits)\n", copy_med * 1e3,
	       COUNT / copy_med, copied);
	printf("ratio parse/copy:       %.2f\n", parse_med / copy_med);
	free(numbers);
	return 0;
}
