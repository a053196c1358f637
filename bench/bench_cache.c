/* bench_cache.c: the cache figures of design.md section 8 at national scale:
 * start to first screen, lookup by INSZ, name search per keystroke, opening
 * a person card and a dossier, saving an intake. */
#include "autoconf.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/audit.h"
#include "db/cache.h"
#include "db/outbox.h"
#include "db/person.h"
#include "db/search.h"
#include "src/application.h"
#include "src/config.h"
#include "src/demo.h"
#include "src/session.h"

#define SCREEN 50 /* search hits on one screen */

/* The bars (milliseconds). */
#define BAR_START         150.0
#define BAR_INSZ          1.0
#define BAR_SEARCH_P99    10.0
#define BAR_DOSSIER       5.0
#define BAR_KEYSTROKE_P99 16.0

/* Keystroke by keystroke, as a receptionist types them. */
static const char *const prefixes[] = {
    "m",        "ma",      "mae",       "maes",         "d",
    "du",       "dup",     "dupr",      "dupre",        "duprée",
    "van",      "van d",   "van den",   "van den b",    "jan",
    "janssens", "peeters", "peeters j", "peeters jan",  "z",
    "zo",       "zoë",     "é",         "ém",           "mü",
    "müller",   "schr",    "kreutz g",  "dubois marie", "lambert 1960",
    "y",        "yil",     "de smet",   "d'h",          "el a",
    "xq",
};

static int failures;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)((rng_state >> 32) * n >> 32);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sorts v; the q-quantile (0..1) by nearest rank. */
static double quantile(double *v, int n, double q)
{
	int i;
	if (n == 0)
		return 0;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	i = (int)(q * n + 0.999999) - 1;
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static void verdict(double value, double bar)
{
	bool pass = value < bar;
	printf(" (bar < %g ms) %s\n", bar, pass ? "PASS" : "FAIL");
	if (!pass)
		failures++;
}

static void die(const char *what, const char *cause)
{
	fprintf(stderr, "bench_cache: %s: %s\n", what, cause ? cause : "failed");
	exit(1);
}

/* Drop the cache file's pages from the OS page cache (a cold start). */
static void evict(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	char buf[4096];
	for (int i = 0; i < 3; i++) {
		int fd;
		snprintf(buf, sizeof buf, "%s%s", path, suffix[i]);
		fd = open(buf, O_RDONLY);
		if (fd < 0)
			continue;
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
}

/* The steps before the first draw, timed apart (ms). */
enum { STEP_OPEN, STEP_PERSONS, STEP_OUTBOX, STEP_SEARCH, STEP_COUNT };
static const char *const step_names[STEP_COUNT] = {
    "session_open (cache open, migrations check, staff and centre)",
    "db_person_count (status line)",
    "db_outbox_count (status line)",
    "empty search screen",
};

/* What handesk does before its first draw: open the cache as the staff
 * member (session_open), the status line's figures, the data version
 * watch, and the empty search screen.  Returns the total, fills steps. */
static double first_screen(struct config *cfg, const char *path, const char *login,
                           double steps[STEP_COUNT])
{
	struct session s;
	struct search_hit hits[SCREEN];
	char *cause = NULL;
	double t0 = now_ms(), t1, t2, t3, t4;
	long persons, pending;
	int n;

	if (session_open(&s, cfg, path, login, &cause))
		die("session_open", cause);
	t1 = now_ms();
	persons = db_person_count(s.cache);
	t2 = now_ms();
	pending = db_outbox_count(s.cache);
	(void)db_cache_data_version(s.cache);
	t3 = now_ms();
	if (db_search_persons(s.cache, "", hits, SCREEN, &n))
		die("empty search", NULL);
	t4 = now_ms();
	session_close(&s);
	if (persons < 0 || pending < 0)
		die("status line counts", NULL);
	steps[STEP_OPEN] = t1 - t0;
	steps[STEP_PERSONS] = t2 - t1;
	steps[STEP_OUTBOX] = t3 - t2;
	steps[STEP_SEARCH] = t4 - t3;
	return t4 - t0;
}

/* Start-up runs, cold (the file's pages dropped from the OS page cache
 * first) or warm: the median total against the bar, and each step's median. */
static void start_figures(struct config *cfg, const char *path, const char *login, int runs,
                          bool cold)
{
	double *tot = calloc((size_t)runs, sizeof *tot);
	double *st = calloc((size_t)runs * STEP_COUNT, sizeof *st);
	double med, max;
	if (!tot || !st)
		die("memory", NULL);
	if (!cold)
		(void)first_screen(cfg, path, login, st);
	for (int i = 0; i < runs; i++) {
		if (cold)
			evict(path);
		tot[i] = first_screen(cfg, path, login, st + i * STEP_COUNT);
	}
	for (int k = 0; k < STEP_COUNT; k++) {
		double *v = calloc((size_t)runs, sizeof *v);
		if (!v)
			die("memory", NULL);
		for (int i = 0; i < runs; i++)
			v[i] = st[i * STEP_COUNT + k];
		printf("  %s step: %s: median %.1f ms\n", cold ? "cold" : "warm", step_names[k],
		       quantile(v, runs, 0.5));
		free(v);
	}
	med = quantile(tot, runs, 0.5);
	max = tot[runs - 1];
	printf("start to first screen, %s, %d runs: median %.1f ms, max %.1f ms",
	       cold ? "cold (file dropped from the page cache)" : "warm", runs, med, max);
	verdict(med, BAR_START);
	free(tot);
	free(st);
}

/* Random valid INSZ of someone born in 1931-1935 that the cache does not
 * hold yet. */
static void fresh_insz(struct cache *c, char out[12])
{
	struct person p;
	for (;;) {
		unsigned long yy = 31 + rnd(5), mm = 1 + rnd(12), dd = 1 + rnd(28);
		unsigned long serial = 1 + rnd(997);
		unsigned long long first9 = ((yy * 100 + mm) * 100 + dd) * 1000 + serial;
		snprintf(out, 12, "%09llu%02llu", first9, 97 - first9 % 97);
		if (db_person_find_insz(c, out, &p) == RC_NOTFOUND)
			return;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_cache [-r RUNS] CACHE\n"
	                "  or:  bench_cache [-r RUNS] -n PERSONS   (generates a temporary cache)\n"
	                "Prints the cache figures of design.md section 8.  Writes to the cache:\n"
	                "view audit rows and bench intakes (use a demo cache, never a real one).\n"
	                "The cache must hold the demo logins (handesk demo).\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *path = NULL, *login = getenv("BENCH_LOGIN");
	char tmpdir[] = "/tmp/bench_cache.XXXXXX", tmppath[64];
	struct config cfg;
	struct session s;
	struct search_hit *sample, hits[SCREEN];
	double *t, *all, tmed, tp99, insz_med;
	long persons = 0;
	int runs = 7, nsample = 0, n, opt, reps = 200, nall = 0;
	char *cause = NULL;
	enum rc rc;

	while ((opt = getopt(argc, argv, "r:n:h")) != -1) {
		switch (opt) {
		case 'r':
			runs = atoi(optarg);
			break;
		case 'n':
			persons = atol(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind < argc)
		path = argv[optind];
	if ((!path && persons <= 0) || runs < 1)
		usage();
	if (!login || !*login)
		login = "demo-reception";
	memset(&cfg, 0, sizeof cfg);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!path) {
		struct cache *c;
		struct demo_options o = {.persons = persons, .seed = 1};
		double t0 = now_ms();
		if (!mkdtemp(tmpdir))
			die("mkdtemp", NULL);
		snprintf(tmppath, sizeof tmppath, "%s/cache.db", tmpdir);
		path = tmppath;
		if (db_cache_open(path, &c, &cause) || demo_generate(c, &o, &cause))
			die("demo_generate", cause);
		db_cache_close(c);
		printf("demo generation, %ld persons: %.1f s\n", persons, (now_ms() - t0) / 1e3);
	}
	cfg.db_path = strdup(path);
	if (!cfg.db_path)
		die("memory", NULL);

	t = calloc(20000, sizeof *t);
	all = calloc((size_t)reps * (sizeof prefixes / sizeof prefixes[0]), sizeof *all);
	sample = calloc(26 * 26 * SCREEN, sizeof *sample);
	if (!t || !all || !sample)
		die("memory", NULL);

	/* --- start to first screen --- */
	start_figures(&cfg, path, login, runs, true);
	start_figures(&cfg, path, login, runs, false);

	rc = session_open(&s, &cfg, path, login, &cause);
	if (rc)
		die("session_open", cause);
	printf("cache: %s, %ld persons, as %s (%s)\n", path, db_person_count(s.cache), login,
	       s.centre.code);

	/* --- a sample of known persons, spread over the alphabet --- */
	for (char a = 'a'; a <= 'z'; a++) {
		for (char b = 'a'; b <= 'z'; b++) {
			char q[3] = {a, b, 0};
			if (db_search_persons(s.cache, q, sample + nsample, SCREEN, &n))
				die("search", NULL);
			nsample += n;
		}
	}
	if (nsample < 100)
		die("sample", "too few persons found by search");

	/* --- lookup by INSZ --- */
	{
		int k = 0;
		struct person p;
		for (int i = 0; i < 20000; i++) {
			struct search_hit *h = &sample[rnd((uint32_t)nsample)];
			double t0;
			if (!h->insz[0])
				continue;
			t0 = now_ms();
			rc = db_person_find_insz(s.cache, h->insz, &p);
			t[k++] = now_ms() - t0;
			if (rc)
				die("db_person_find_insz", NULL);
		}
		insz_med = quantile(t, k, 0.5);
		printf(
		    "lookup by INSZ (db_person_find_insz, %d known): median %.3f ms, p99 %.3f ms",
		    k, insz_med, quantile(t, k, 0.99));
		verdict(quantile(t, k, 0.99), BAR_INSZ);
		k = 0;
		for (int i = 0; i < 5000; i++) {
			struct search_hit *h = &sample[rnd((uint32_t)nsample)];
			double t0;
			if (!h->insz[0])
				continue;
			t0 = now_ms();
			rc = db_search_persons(s.cache, h->insz, hits, SCREEN, &n);
			t[k++] = now_ms() - t0;
			if (rc || n < 1)
				die("search by INSZ", NULL);
		}
		printf("INSZ typed in the search field (db_search_persons): median %.3f ms, "
		       "p99 %.3f ms",
		       quantile(t, k, 0.5), quantile(t, k, 0.99));
		verdict(quantile(t, k, 0.99), BAR_INSZ);
	}

	/* --- name search per keystroke --- */
	{
		int np = (int)(sizeof prefixes / sizeof prefixes[0]);
		double *per = calloc((size_t)np * (size_t)reps, sizeof *per);
		int hitn[sizeof prefixes / sizeof prefixes[0]];
		if (!per)
			die("memory", NULL);
		/* prefixes interleaved, so that each sees the same cache state */
		for (int r = 0; r < reps; r++) {
			for (int i = 0; i < np; i++) {
				double t0 = now_ms();
				if (db_search_persons(s.cache, prefixes[i], hits, SCREEN, &n))
					die("search", NULL);
				per[i * reps + r] = all[nall++] = now_ms() - t0;
				hitn[i] = n;
			}
		}
		for (int i = 0; i < np; i++) {
			double *v = per + i * reps;
			printf("search \"%s\": median %.3f ms, p99 %.3f ms, %d hits\n", prefixes[i],
			       quantile(v, reps, 0.5), quantile(v, reps, 0.99), hitn[i]);
		}
		free(per);
		tmed = quantile(all, nall, 0.5);
		tp99 = quantile(all, nall, 0.99);
		printf("name search per keystroke, %d prefixes x %d: median %.3f ms, p99 %.3f ms",
		       np, reps, tmed, tp99);
		verdict(tp99, BAR_SEARCH_P99);
		printf("search median / INSZ lookup median (baseline: one indexed row): %.1fx\n",
		       insz_med > 0 ? tmed / insz_med : 0);
	}

	/* --- opening a person card, and the whole dossier --- */
	{
		int k = 0, runs_card = 2000;
		double *t2 = calloc((size_t)runs_card, sizeof *t2);
		if (!t2)
			die("memory", NULL);
		for (int i = 0; i < runs_card; i++) {
			struct search_hit *h = &sample[rnd((uint32_t)nsample)];
			struct person p;
			struct application *apps = NULL;
			struct audit_entry *trail = NULL;
			struct person_change *history = NULL;
			int napps = 0, ntrail = 0, nhistory = 0;
			double t0 = now_ms(), t1;

			rc = session_view_person(&s, h->person_id, &p, &cause);
			if (rc)
				die("session_view_person", cause);
			t1 = now_ms();
			t[k] = t1 - t0;
			rc = session_list_applications(&s, p.meta.id, &apps, &napps, &cause);
			if (rc)
				die("session_list_applications", cause);
			for (int j = 0; j < napps; j++) {
				struct app_document *docs = NULL;
				int ndocs = 0;
				rc = session_list_documents(&s, apps[j].meta.id, &docs, &ndocs,
				                            &cause);
				if (rc)
					die("session_list_documents", cause);
				free(docs);
			}
			rc = session_audit_trail(&s, p.meta.id, 20, &trail, &ntrail, &cause);
			if (rc == RC_DENIED) {
				free(cause); /* reception may not see the trail */
				cause = NULL;
			} else if (rc) {
				die("session_audit_trail", cause);
			}
			rc = session_person_history(&s, p.meta.id, &history, &nhistory, &cause);
			if (rc == RC_DENIED) {
				free(cause); /* nor the change history */
				cause = NULL;
			} else if (rc) {
				die("session_person_history", cause);
			}
			t2[k++] = now_ms() - t0;
			free(apps);
			free(trail);
			free(history);
		}
		printf("open a person card (session_view_person, with its audit row): "
		       "median %.3f ms, p99 %.3f ms",
		       quantile(t, k, 0.5), quantile(t, k, 0.99));
		verdict(quantile(t, k, 0.99), BAR_DOSSIER);
		printf("open a dossier (card, applications, their documents, audit trail, "
		       "change history): "
		       "median %.3f ms, p99 %.3f ms",
		       quantile(t2, k, 0.5), quantile(t2, k, 0.99));
		verdict(quantile(t2, k, 0.99), BAR_DOSSIER);
		free(t2);
	}

	/* --- saving an intake: a new person and an application --- */
	{
		int k = 0;
		for (int i = 0; i < 500; i++) {
			struct person p;
			struct application a;
			enum person_field field = PERSON_F_NONE;
			double t0;
			memset(&p, 0, sizeof p);
			memset(&a, 0, sizeof a);
			fresh_insz(s.cache, p.insz);
			snprintf(p.family_name, sizeof p.family_name, "Bench-Duprée");
			snprintf(p.given_name, sizeof p.given_name, "Zoë %d", i);
			snprintf(p.birth_date, sizeof p.birth_date, "19%.2s-%.2s-%.2s", p.insz,
			         p.insz + 2, p.insz + 4);
			snprintf(p.sex, sizeof p.sex, "%s", (p.insz[8] - '0') % 2 ? "m" : "f");
			snprintf(p.language, sizeof p.language, "fr");
			snprintf(p.nationality, sizeof p.nationality, "BE");
			p.residence = RESIDENCE_POPULATION;
			snprintf(p.street, sizeof p.street, "Rue de la Station 12");
			snprintf(p.postcode, sizeof p.postcode, "1000");
			snprintf(p.phone, sizeof p.phone, "+32470123456");
			snprintf(p.notes, sizeof p.notes, "bench_cache intake");
			a.kind = APP_KIND_PARKING;
			a.procedure = APP_PROC_NEW;
			a.problem = APP_PROBLEM_ORTHOPAEDIC;
			a.status = APP_STATUS_RECEIVED;
			snprintf(a.received_on, sizeof a.received_on, "2025-01-06");
			t0 = now_ms();
			rc = session_intake(&s, &p, &a, &field, &cause);
			t[k++] = now_ms() - t0;
			if (rc)
				die("session_intake", cause);
		}
		printf("save an intake (session_intake: person, application, checklist, audit, "
		       "outbox): median %.3f ms, p99 %.3f ms",
		       quantile(t, k, 0.5), quantile(t, k, 0.99));
		printf(" (no own bar; keystroke bar p99 < %g ms) %s\n", BAR_KEYSTROKE_P99,
		       quantile(t, k, 0.99) < BAR_KEYSTROKE_P99 ? "PASS" : "FAIL");
		if (quantile(t, k, 0.99) >= BAR_KEYSTROKE_P99)
			failures++;
	}

	session_close(&s);
	if (path == tmppath) {
		char buf[80];
		static const char *const suffix[] = {"", "-wal", "-shm"};
		for (int i = 0; i < 3; i++) {
			snprintf(buf, sizeof buf, "%s%s", tmppath, suffix[i]);
			unlink(buf);
		}
		rmdir(tmpdir);
	}
	free(t);
	free(all);
	free(sample);
	free(cfg.db_path);
	printf("bench_cache: %s\n", failures ? "some figures miss their bar" : "all bars met");
	return failures ? 1 : 0;
}
