/* bench_keys.c: keystroke to updated screen (design.md section 8), measured
 * through a pty: the real handesk on a national-scale cache, one key at a
 * time, from the write() of the key to the last byte of output it caused. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* The bar (milliseconds). */
#define BAR_KEYSTROKE_P99 16.0

#define COLS_PTY      100
#define ROWS_PTY      30
#define QUIET_MS      30    /* no output for this long: the key's screen is done */
#define FIRST_BYTE_MS 1000  /* a key with no output by then caused none */
#define MAX_KEY_MS    5000  /* output that never stops: give up on the key */
#define START_MS      30000 /* the first screen, cold cache included */
#define START_QUIET   300
#define BASELINE_N    200
#define TAIL          2048 /* output kept to explain a failure */

/* The keys as xterm-256color sends them in keypad-transmit mode (handesk
 * calls keypad(), so the terminal is in it): what its terminfo names. */
#define K_F1    "\033OP"
#define K_F3    "\033OR"
#define K_F10   "\033[21~"
#define K_UP    "\033OA"
#define K_DOWN  "\033OB"
#define K_ENTER "\r"
#define K_ESC   "\033"
#define K_TAB   "\t"
#define K_BS    "\177"
#define K_CLEAR "\025" /* Ctrl-U: clear the query */

/* A program running in a pty of ours. */
struct term {
	pid_t pid;
	int fd; /* the master side, non-blocking */
	bool eof;
	char tail[TAIL]; /* the last output, for error messages */
	size_t ntail;
	FILE *trace; /* -t: everything written and read, for a look afterwards */
	long bytes;  /* bytes read since the last key */
};

/* The figures of one kind of keystroke. */
struct series {
	const char *name;
	double *v;
	int n, cap;
	int silent; /* keys that caused no output: not in v */
};

static int failures;
static int quiet_ms = QUIET_MS;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
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

static void die(const char *what, const char *cause)
{
	fprintf(stderr, "bench_keys: %s: %s\n", what, cause ? cause : "failed");
	exit(1);
}

static void die_term(struct term *t, const char *what)
{
	fprintf(stderr, "bench_keys: %s; the last output was:\n", what);
	fwrite(t->tail, 1, t->ntail, stderr);
	fputc('\n', stderr);
	if (t->pid > 0)
		kill(t->pid, SIGKILL);
	exit(1);
}

static void series_add(struct series *s, double ms)
{
	if (!s)
		return;
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 256;
		double *v = realloc(s->v, (size_t)cap * sizeof *v);
		if (!v)
			die("memory", NULL);
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = ms;
}

static void keep_tail(struct term *t, const char *buf, size_t n)
{
	if (n >= TAIL) {
		memcpy(t->tail, buf + n - TAIL, TAIL);
		t->ntail = TAIL;
		return;
	}
	if (t->ntail + n > TAIL) {
		size_t drop = t->ntail + n - TAIL;
		memmove(t->tail, t->tail + drop, t->ntail - drop);
		t->ntail -= drop;
	}
	memcpy(t->tail + t->ntail, buf, n);
	t->ntail += n;
}

/* Read what is there; the time of the read that got the last byte in *last.
 * Returns false at the end of the output (the program is gone). */
static bool read_some(struct term *t, double *last)
{
	char buf[16384];

	for (;;) {
		ssize_t r = read(t->fd, buf, sizeof buf);
		if (r > 0) {
			*last = now_ms();
			t->bytes += r;
			keep_tail(t, buf, (size_t)r);
			if (t->trace)
				fwrite(buf, 1, (size_t)r, t->trace);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return true;
		t->eof = true; /* 0, or EIO once the slave side is closed */
		return false;
	}
}

/*
 * Read until the output has been quiet for quiet ms after its last byte;
 * wait no more than first ms for the first byte and no more than max ms in
 * all.  Returns the time of the last byte, or 0 when none came.
 */
static double drain(struct term *t, int first, int quiet, int max)
{
	double start = now_ms(), last = 0;

	while (!t->eof) {
		double now = now_ms(), until;
		struct pollfd pfd = {.fd = t->fd, .events = POLLIN};
		int r;

		until = last > 0 ? last + quiet : start + first;
		if (until > start + max)
			until = start + max;
		if (now >= until)
			break;
		r = poll(&pfd, 1, (int)(until - now) + 1);
		if (r < 0 && errno != EINTR)
			die("poll", strerror(errno));
		if (r > 0)
			read_some(t, &last);
	}
	return last;
}

/* Start argv in a new COLS_PTY x ROWS_PTY pty; raw: the line discipline
 * neither echoes nor buffers lines (for cat; handesk sets its own modes). */
static void term_start(struct term *t, char *const argv[], const char *config_home, bool raw)
{
	struct winsize ws = {.ws_row = ROWS_PTY, .ws_col = COLS_PTY};
	struct termios tio;

	memset(&tio, 0, sizeof tio);
	cfmakeraw(&tio);
	t->eof = false;
	t->ntail = 0;
	t->bytes = 0;
	t->pid = forkpty(&t->fd, NULL, raw ? &tio : NULL, &ws);
	if (t->pid < 0)
		die("forkpty", strerror(errno));
	if (t->pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		unsetenv("LANGUAGE");
		unsetenv("COLUMNS");
		unsetenv("LINES");
		if (config_home)
			setenv("XDG_CONFIG_HOME", config_home, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "bench_keys: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (fcntl(t->fd, F_SETFL, fcntl(t->fd, F_GETFL) | O_NONBLOCK) < 0)
		die("fcntl", strerror(errno));
}

/* End the program: its quit key first (if not NULL), then SIGTERM, then
 * SIGKILL, reading its output all along so that it never blocks on a full
 * pty.  Returns its wait status; *forced: a signal was needed after the key. */
static int term_stop(struct term *t, const char *quit_key, bool *forced)
{
	static const int sigs[] = {0, SIGTERM, SIGKILL};
	int status = 0;

	*forced = false;
	for (int i = quit_key ? 0 : 1; i < 3; i++) {
		if (i == 0) {
			if (!t->eof && write(t->fd, quit_key, strlen(quit_key)) < 0)
				continue;
		} else {
			kill(t->pid, sigs[i]);
			if (quit_key || i > 1) {
				*forced = true;
				fprintf(stderr, "bench_keys: pid %ld did not end, sent %s\n",
				        (long)t->pid, i == 1 ? "SIGTERM" : "SIGKILL");
			}
		}
		for (double end = now_ms() + 3000; now_ms() < end;) {
			pid_t r = waitpid(t->pid, &status, WNOHANG);
			if (r == t->pid) {
				close(t->fd);
				t->pid = -1;
				return status;
			}
			if (r < 0 && errno != EINTR)
				die("waitpid", strerror(errno));
			if (t->eof)
				usleep(10000);
			else
				drain(t, 50, 10, 50);
		}
	}
	die("waitpid", "the program outlived SIGKILL");
	return status;
}

/* One keystroke: throw away output nobody asked for (a status message
 * expiring), write the key's bytes in one write(), and time the output it
 * causes.  Into total and part when not NULL (NULL: a key that only sets up
 * the next ones). */
static void press(struct term *t, const char *key, size_t len, struct series *total,
                  struct series *part)
{
	double t0, last;
	ssize_t w;

	if (!t->eof) {
		double ignored;
		read_some(t, &ignored);
	}
	if (t->eof)
		die_term(t, "the program ended before the benchmark did");
	if (t->trace) {
		fputs("\n[[key ", t->trace);
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)key[i];
			if (c < 0x20 || c == 0x7f)
				fprintf(t->trace, "^%c", c ^ 0x40); /* ^[ is Esc, ^? Backspace */
			else
				fputc(c, t->trace);
		}
		fputs("]]\n", t->trace);
	}
	t->bytes = 0;
	t0 = now_ms();
	do
		w = write(t->fd, key, len);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)len)
		die_term(t, "cannot write a key to the pty");
	last = drain(t, FIRST_BYTE_MS, quiet_ms, MAX_KEY_MS);
	if (t->eof)
		die_term(t, "the program ended after a key");
	if (t->trace)
		fprintf(t->trace, "\n[[%ld bytes, %.3f ms]]\n", t->bytes,
		        last > 0 ? last - t0 : -1.0);
	if (last <= 0) {
		if (total)
			total->silent++;
		if (part)
			part->silent++;
		return;
	}
	series_add(total, last - t0);
	series_add(part, last - t0);
}

static void key(struct term *t, const char *k, struct series *total, struct series *part)
{
	press(t, k, strlen(k), total, part);
}

/* Type text one character at a time: a character's UTF-8 bytes are one
 * keystroke, as a terminal sends them. */
static void type(struct term *t, const char *text, struct series *total, struct series *part)
{
	while (*text) {
		size_t n = 1;
		while ((text[n] & 0xC0) == 0x80)
			n++;
		press(t, text, n, total, part);
		text += n;
	}
}

/* Type text, then take it back with Backspace, one character at a time:
 * every prefix of text is searched twice. */
static void type_and_erase(struct term *t, const char *text, struct series *total,
                           struct series *typing, struct series *erasing)
{
	size_t chars = 0;
	for (const char *p = text; *p; p++)
		chars += (*p & 0xC0) != 0x80;
	type(t, text, total, typing);
	for (size_t i = 0; i < chars; i++)
		key(t, K_BS, total, erasing);
}

static void report(struct series *s, double base, bool bar)
{
	double med, p90, p99, max;

	if (!s->n) {
		printf("%s: no keystroke caused output (%d silent) FAIL\n", s->name, s->silent);
		failures += bar;
		return;
	}
	med = quantile(s->v, s->n, 0.5);
	p90 = quantile(s->v, s->n, 0.9);
	p99 = quantile(s->v, s->n, 0.99);
	max = s->v[s->n - 1];
	printf("%s: %d keys, median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", s->name, s->n,
	       med, p90, p99, max);
	if (s->silent)
		printf(", %d without output", s->silent);
	if (bar) {
		bool pass = p99 < BAR_KEYSTROKE_P99;
		printf(" (bar p99 < %g ms) %s\n", BAR_KEYSTROKE_P99, pass ? "PASS" : "FAIL");
		failures += !pass;
	} else {
		putchar('\n');
	}
	if (base > 0)
		printf("%s: median / pty round trip median: %.1fx\n", s->name, med / base);
}

/* Report a scenario (its total against the bar), then its kinds of keys. */
static void report_scenario(struct series *total, struct series *parts, int nparts, double base)
{
	report(total, base, true);
	for (int i = 0; i < nparts; i++)
		if (parts[i].n || parts[i].silent)
			report(&parts[i], 0, false);
}

static void series_free(struct series *s, int n)
{
	for (int i = 0; i < n; i++)
		free(s[i].v);
}

/* The pty round trip itself: cat -u in a raw pty echoing one byte. */
static double baseline(FILE *trace)
{
	char cat[] = "/bin/cat", unbuffered[] = "-u";
	char *argv[] = {cat, unbuffered, NULL};
	struct term t = {.trace = trace};
	struct series s = {.name = "pty round trip (/bin/cat -u echoing one byte)"};
	double med;
	bool forced;

	term_start(&t, argv, NULL, true);
	drain(&t, 200, 50, 200); /* anything a shell-less cat might say: nothing */
	for (int i = 0; i < BASELINE_N; i++)
		key(&t, "x", &s, NULL);
	term_stop(&t, NULL, &forced); /* raw: no key ends cat, SIGTERM does */
	med = quantile(s.v, s.n, 0.5);
	report(&s, 0, false);
	series_free(&s, 1);
	return med;
}

/* Names as a receptionist types them, then erases them (search as you type). */
static const char *const names[] = {
    "maes",      "dupre jean", "peeters", "van den b", "müller", "zoë",
    "janssens",  "duprée",     "de smet", "lambert",   "el a",   "kreutz g",
    "mertens j", "d'h",        "wouters", "claes",     "yilmaz", "schr",
};

static void scenario_search(struct term *t, double base)
{
	struct series total = {.name = "search: typing a name and Backspace"};
	struct series parts[] = {
	    {.name = "  search: a letter typed"},
	    {.name = "  search: Backspace"},
	};
	int rounds = 2;

	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			type_and_erase(t, names[i], &total, &parts[0], &parts[1]);
	report_scenario(&total, parts, 2, base);
	series_free(&total, 1);
	series_free(parts, 2);
}

static void scenario_list(struct term *t, double base)
{
	static const char *const queries[] = {"ma", "d", "peeters"};
	struct series total = {.name = "result list: Down and Up"};
	struct series parts[] = {
	    {.name = "  result list: Down"},
	    {.name = "  result list: Up"},
	};

	for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
		key(t, K_CLEAR, NULL, NULL);
		type(t, queries[q], NULL, NULL);
		/* From the query into the list and down to its end (100 at most,
		 * read a page ahead as the selection goes), then back up. */
		for (int i = 0; i < 80; i++)
			key(t, K_DOWN, &total, &parts[0]);
		for (int i = 0; i < 80; i++)
			key(t, K_UP, &total, &parts[1]);
	}
	key(t, K_CLEAR, NULL, NULL);
	report_scenario(&total, parts, 2, base);
	series_free(&total, 1);
	series_free(parts, 2);
}

static void scenario_card(struct term *t, double base)
{
	static const char *const queries[] = {"dupre", "ma", "van"};
	struct series total = {.name = "person card: Enter (open) and Esc (back)"};
	struct series parts[] = {
	    {.name = "  person card: Enter (open the card)"},
	    {.name = "  person card: Esc (back to the search)"},
	};

	for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
		key(t, K_CLEAR, NULL, NULL);
		type(t, queries[q], NULL, NULL);
		key(t, K_DOWN, NULL, NULL); /* into the list */
		for (int i = 0; i < 40; i++) {
			key(t, K_ENTER, &total, &parts[0]);
			key(t, K_ESC, &total, &parts[1]);
			key(t, K_DOWN, NULL, NULL); /* another person next time */
		}
	}
	key(t, K_CLEAR, NULL, NULL);
	report_scenario(&total, parts, 2, base);
	series_free(&total, 1);
	series_free(parts, 2);
}

/* One new intake, field by field, as far as the first page goes; what is
 * typed passes each field's check, so Tab moves on.  Empty strings: a field
 * left empty (or a choice left as it is). */
static const char *const intake_fields[] = {
    "",                   /* INSZ */
    "Duprée",             /* family name */
    "Zoë-Anaïs",          /* given name */
    "12/05/1960",         /* birth date */
    "",                   /* sex */
    "",                   /* language */
    "BE",                 /* nationality */
    "",                   /* residence */
    "Rue de l'Église 12", /* street */
    "1000",               /* postcode */
    "",                   /* municipality */
    "0470 12 34 56",      /* phone */
    "zoe.dupree@example.be",
};

static void scenario_intake(struct term *t, double base)
{
	struct series total = {.name = "intake form: F3, typing, Tab, Backspace"};
	struct series parts[] = {
	    {.name = "  intake form: F3 (open the form)"},
	    {.name = "  intake form: a character typed (accents too)"},
	    {.name = "  intake form: Tab (check the field, next field)"},
	    {.name = "  intake form: Backspace"},
	};

	key(t, K_CLEAR, NULL, NULL);
	for (int r = 0; r < 4; r++) {
		key(t, K_F3, &total, &parts[0]);
		for (size_t i = 0; i < sizeof intake_fields / sizeof intake_fields[0]; i++) {
			type(t, intake_fields[i], &total, &parts[1]);
			if (i == 1) { /* a typo put right: "Duprée" -> "Dupré" -> "Duprée" */
				key(t, K_BS, &total, &parts[3]);
				type(t, "e", &total, &parts[1]);
			}
			key(t, K_TAB, &total, &parts[2]);
		}
		/* Leave without saving: Esc asks, Enter says leave. */
		key(t, K_ESC, NULL, NULL);
		key(t, K_ENTER, NULL, NULL);
	}
	report_scenario(&total, parts, 4, base);
	series_free(&total, 1);
	series_free(parts, 4);
}

static void scenario_help(struct term *t, double base)
{
	struct series total = {.name = "help: F1 and Esc (back)"};
	struct series parts[] = {
	    {.name = "  help: F1 (open the help)"},
	    {.name = "  help: Esc (back)"},
	};

	key(t, K_CLEAR, NULL, NULL);
	for (int i = 0; i < 100; i++) {
		key(t, K_F1, &total, &parts[0]);
		key(t, K_ESC, &total, &parts[1]);
	}
	report_scenario(&total, parts, 2, base);
	series_free(&total, 1);
	series_free(parts, 2);
}

/* ---- -S: keystrokes while handesk syncs a large centre ---- */

/* One line of the probe command's output (rows in the cache, say): the
 * sync moved on between two probes that differ. */
static void probe(const char *cmd, char *out, size_t size)
{
	FILE *f = popen(cmd, "r");

	out[0] = '\0';
	if (!f)
		die("popen", strerror(errno));
	if (!fgets(out, (int)size, f))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	if (pclose(f) != 0)
		die("the probe command failed", cmd);
}

static void series_append(struct series *dst, const struct series *src)
{
	for (int i = 0; i < src->n; i++)
		series_add(dst, src->v[i]);
	dst->silent += src->silent;
}

/* The keys of a phase: typing names (and Backspace), moving in a list. */
struct phase {
	struct series total, parts[4]; /* typing, Backspace, Down, Up */
};

static void phase_name(struct phase *p, const char *what)
{
	static char names[3][5][160];
	static int used;
	char(*n)[160] = names[used++ % 3];

	snprintf(n[0], sizeof n[0], "%s: search typing and list moves", what);
	snprintf(n[1], sizeof n[1], "  %s: a letter typed", what);
	snprintf(n[2], sizeof n[2], "  %s: Backspace", what);
	snprintf(n[3], sizeof n[3], "  %s: list Down", what);
	snprintf(n[4], sizeof n[4], "  %s: list Up", what);
	memset(p, 0, sizeof *p);
	p->total.name = n[0];
	for (int i = 0; i < 4; i++)
		p->parts[i].name = n[i + 1];
}

static void phase_append(struct phase *dst, const struct phase *src)
{
	series_append(&dst->total, &src->total);
	for (int i = 0; i < 4; i++)
		series_append(&dst->parts[i], &src->parts[i]);
}

static void phase_free(struct phase *p)
{
	series_free(&p->total, 1);
	series_free(p->parts, 4);
}

/* One round of keys: every name typed and erased, then (list) a list
 * walked. */
static void sync_round(struct term *t, struct phase *p, int round, bool list)
{
	static const char *const queries[] = {"ma", "peeters", "d"};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		type_and_erase(t, names[i], &p->total, &p->parts[0], &p->parts[1]);
	if (!list)
		return;
	key(t, K_CLEAR, NULL, NULL);
	type(t, queries[round % 3], NULL, NULL);
	for (int i = 0; i < 40; i++)
		key(t, K_DOWN, &p->total, &p->parts[2]);
	for (int i = 0; i < 40; i++)
		key(t, K_UP, &p->total, &p->parts[3]);
	key(t, K_CLEAR, NULL, NULL);
}

/* Rounds of keys for as long as the probe keeps changing (at most max
 * rounds); only rounds during which it changed count.  *first and *last:
 * the probe before the first round and after the last counted one. */
static void sync_phase(struct term *t, const char *probe_cmd, struct phase *out, int max,
                       char *first, char *last, size_t size)
{
	char before[256], after[256];
	int counted = 0;

	probe(probe_cmd, before, sizeof before);
	snprintf(first, size, "%s", before);
	snprintf(last, size, "%s", before);
	for (int r = 0; r < max; r++) {
		struct phase p;
		long persons = 0, keys = 0;
		memset(&p, 0, sizeof p);
		/* Down in an empty list shows nothing: the next status line
		 * drawn would pass for its screen.  The list is walked once the
		 * search index holds persons ("N persons, K search keys, ..."). */
		sscanf(before, "%ld persons, %ld", &persons, &keys);
		sync_round(t, &p, r, keys >= 10000);
		probe(probe_cmd, after, sizeof after);
		if (strcmp(before, after) != 0) {
			phase_append(out, &p);
			snprintf(last, size, "%s", after);
			counted++;
		}
		phase_free(&p);
		if (strcmp(before, after) == 0)
			break; /* the sync is idle */
		snprintf(before, sizeof before, "%s", after);
	}
	printf("  %d rounds of keys while the sync ran; probe before: %s; after: %s\n", counted,
	       first, last);
}

static void phase_report(struct phase *p, double base)
{
	report_scenario(&p->total, p->parts, 4, base);
}

/* -S: handesk with a configuration whose server holds a large centre and
 * whose cache is new: keys during the initial sync (and its search index),
 * then the same keys with the sync idle (the baseline), then keys during
 * a pull of the changes update_cmd makes centrally (Ctrl-R starts it). */
static void sync_mode(const char *handesk, const char *config, const char *login,
                      const char *probe_cmd, const char *update_cmd, double base, FILE *trace)
{
	char a[256], b[256], c[256], d[256];
	struct phase initial, idle, pull;
	struct term t;
	double t0, last;
	bool forced;
	int status;

	char config_opt[] = "--config", login_opt[] = "--login";
	char *hargv[] = {strdup(handesk), config_opt,    strdup(config),
	                 login_opt,       strdup(login), NULL};
	if (!hargv[0] || !hargv[2] || !hargv[4])
		die("memory", NULL);
	phase_name(&initial, "during the initial sync");
	phase_name(&idle, "sync idle (baseline)");
	phase_name(&pull, "during a pull of many changes");
	memset(&t, 0, sizeof t);
	t.trace = trace;
	probe(probe_cmd, a, sizeof a);
	t0 = now_ms();
	term_start(&t, hargv, NULL, false);
	last = drain(&t, START_MS, 100, 3000);
	if (t.eof || last <= 0)
		die_term(&t, "handesk showed no first screen");
	printf("start to first screen: %.1f ms (the cache before: %s)\n", last - t0, a);

	printf("== keys during the initial sync\n");
	sync_phase(&t, probe_cmd, &initial, 60, a, b, sizeof a);
	printf("== keys with the sync idle (baseline)\n");
	probe(probe_cmd, c, sizeof c);
	for (int r = 0; r < 2; r++)
		sync_round(&t, &idle, r, true);
	probe(probe_cmd, d, sizeof d);
	if (strcmp(c, d) != 0)
		printf("  the cache changed during the baseline (%s -> %s)\n", c, d);
	printf("== keys during a pull of many changes\n");
	if (update_cmd) {
		if (system(update_cmd) != 0)
			die("the update command failed", update_cmd);
		key(&t, "\022", NULL, NULL); /* Ctrl-R: sync now */
		sync_phase(&t, probe_cmd, &pull, 60, a, b, sizeof a);
	}

	phase_report(&idle, base);
	phase_report(&initial, base);
	if (!initial.total.n) {
		printf("no keys while the initial sync ran: FAIL\n");
		failures++;
	}
	if (update_cmd) {
		phase_report(&pull, base);
		if (!pull.total.n) {
			printf("no keys while the pull ran: FAIL\n");
			failures++;
		}
	}
	key(&t, K_CLEAR, NULL, NULL);
	status = term_stop(&t, K_F10, &forced);
	if (forced || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("handesk did not quit cleanly on F10 (wait status %d%s) FAIL\n", status,
		       forced ? ", needed a signal" : "");
		failures++;
	}
	phase_free(&initial);
	phase_free(&idle);
	phase_free(&pull);
	free(hargv[0]);
	free(hargv[2]);
	free(hargv[4]);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage: bench_keys [-q QUIET_MS] [-t TRACE] HANDESK_BINARY CACHE\n"
	    "       bench_keys [-q QUIET_MS] [-t TRACE] -S CONFIG -p PROBE_CMD [-u UPDATE_CMD]\n"
	    "                  HANDESK_BINARY\n"
	    "Runs handesk on CACHE in a %dx%d pty as demo-reception (BENCH_LOGIN)\n"
	    "and times each keystroke to its updated screen: from the write() of\n"
	    "the key to the last byte of output before QUIET_MS (default %d) of\n"
	    "quiet.  The baseline is the pty round trip (/bin/cat -u).  Writes to\n"
	    "the cache (view audit rows): use a demo cache, never a real one.\n"
	    "-t writes all the output read, with the keys marked, to TRACE.\n"
	    "-S: handesk --config CONFIG (a new cache, a server holding a large\n"
	    "centre; BENCH_LOGIN default dir): rounds of keys during the initial\n"
	    "sync for as long as PROBE_CMD's line ('N persons, K search keys, ...')\n"
	    "changes (a list is walked only when K >= 10000: Down in an empty list\n"
	    "shows nothing),\n"
	    "then with the sync idle (the baseline), then after UPDATE_CMD (changes\n"
	    "made centrally) and Ctrl-R during the pull.\n",
	    COLS_PTY, ROWS_PTY, QUIET_MS);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *login = getenv("BENCH_LOGIN"), *trace_path = NULL;
	const char *sync_config = NULL, *probe_cmd = NULL, *update_cmd = NULL;
	char config_home[] = "/tmp/bench_keys.XXXXXX";
	struct term t;
	FILE *trace = NULL;
	double base, t0, last;
	int opt, status;
	bool forced;

	while ((opt = getopt(argc, argv, "q:t:S:p:u:h")) != -1) {
		switch (opt) {
		case 'S':
			sync_config = optarg;
			break;
		case 'p':
			probe_cmd = optarg;
			break;
		case 'u':
			update_cmd = optarg;
			break;
		case 'q':
			quiet_ms = atoi(optarg);
			break;
		case 't':
			trace_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (sync_config && argc - optind == 1 && probe_cmd && quiet_ms >= 1) {
		if (!login || !*login)
			login = "dir";
		setvbuf(stdout, NULL, _IOLBF, 0);
		signal(SIGPIPE, SIG_IGN);
		if (trace_path && !(trace = fopen(trace_path, "w")))
			die(trace_path, strerror(errno));
		printf("keystroke to updated screen through a %dx%d pty while handesk syncs, "
		       "quiet after %d ms\n",
		       COLS_PTY, ROWS_PTY, quiet_ms);
		base = baseline(trace);
		sync_mode(argv[optind], sync_config, login, probe_cmd, update_cmd, base, trace);
		if (trace)
			fclose(trace);
		printf("bench_keys: %s\n",
		       failures ? "some figures miss their bar" : "all bars met");
		return failures ? 1 : 0;
	}
	if (argc - optind != 2 || quiet_ms < 1 || sync_config)
		usage();
	if (!login || !*login)
		login = "demo-reception";
	if (access(argv[optind], X_OK) != 0)
		die(argv[optind], strerror(errno));
	if (access(argv[optind + 1], R_OK) != 0)
		die(argv[optind + 1], strerror(errno));
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (trace_path && !(trace = fopen(trace_path, "w")))
		die(trace_path, strerror(errno));
	if (!mkdtemp(config_home))
		die("mkdtemp", strerror(errno));

	printf("keystroke to updated screen through a %dx%d pty, TERM=xterm-256color, "
	       "quiet after %d ms\n",
	       COLS_PTY, ROWS_PTY, quiet_ms);
	base = baseline(trace);

	{
		char db_opt[] = "--db", login_opt[] = "--login", *me = strdup(login);
		char *hargv[] = {argv[optind], db_opt, argv[optind + 1], login_opt, me, NULL};
		if (!me)
			die("memory", NULL);
		memset(&t, 0, sizeof t);
		t.trace = trace;
		t0 = now_ms();
		term_start(&t, hargv, config_home, false);
		last = drain(&t, START_MS, START_QUIET, START_MS + 10000);
		if (t.eof || last <= 0)
			die_term(&t, "handesk showed no first screen");
		printf("start to first screen through the pty (exec to its last byte; "
		       "bench_cache holds the bar): %.1f ms\n",
		       last - t0);
		free(me);
	}

	scenario_search(&t, base);
	scenario_list(&t, base);
	scenario_card(&t, base);
	scenario_intake(&t, base);
	scenario_help(&t, base);

	key(&t, K_CLEAR, NULL, NULL);
	status = term_stop(&t, K_F10, &forced);
	if (forced || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("handesk did not quit cleanly on F10 (wait status %d%s) FAIL\n", status,
		       forced ? ", needed a signal" : "");
		failures++;
	}
	nftw(config_home, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	if (trace)
		fclose(trace);
	printf("bench_keys: %s\n", failures ? "some figures miss their bar" : "all bars met");
	return failures ? 1 : 0;
}
