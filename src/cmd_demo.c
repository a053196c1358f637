/* cmd_demo.c: `handesk demo`: create a cache filled with demo data. */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db/cache.h"
#include "src/cmd_demo.h"
#include "src/config.h"
#include "src/date.h"
#include "src/demo.h"
#include "src/i18n.h"

#define MAX_PERSONS 10000000L

static void usage(FILE *out)
{
	fprintf(out,
	        _("Usage: handesk demo --persons N [--seed S] [--db PATH] [--force]\n"
	          "Create a cache filled with synthetic, clearly fictitious demo data:\n"
	          "10 centres and their staff, N persons with valid national register\n"
	          "numbers, about 1.7 applications each with their document checklists.\n"
	          "The same seed gives the same data.\n"
	          "\n"
	          "Options:\n"
	          "  -n, --persons N     how many persons (0 to %ld)\n"
	          "  -s, --seed S        seed of the generator (default 1)\n"
	          "  -d, --db PATH       create the cache at PATH (default: the cache of\n"
	          "                      handesk --db, the configuration or the XDG path)\n"
	          "  -f, --force         replace an existing cache at PATH\n"
	          "      --today DATE    reference date of the generated dates (default:\n"
	          "                      today), for reproducible data\n"
	          "  -h, --help          show this help and exit\n"
	          "\n"
	          "Your login becomes a reception employee of the first centre; the logins\n"
	          "demo-reception, demo-client, demo-dossier, demo-social, demo-evaluator,\n"
	          "demo-doctor, demo-director and demo-quality try the other roles\n"
	          "(handesk --login NAME).\n"
	          "\n"
	          "Exit status: 0 done, 1 failure, 2 bad usage.\n"),
	        MAX_PERSONS);
}

/* A whole decimal number in [min, max], or false. */
static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static char *os_login(const struct config *cfg)
{
	struct passwd *pw;
	if (cfg->login && *cfg->login)
		return strdup(cfg->login);
	pw = getpwuid(getuid());
	if (pw && pw->pw_name)
		return strdup(pw->pw_name);
	return getenv("USER") ? strdup(getenv("USER")) : NULL;
}

/* Remove the cache file and its WAL companions: 0, or the errno of a file
 * that exists and could not be removed. */
static int remove_cache(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char buf[PATH_MAX];
	int err = 0;
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(buf, sizeof buf, "%s%s", path, suffix[i]);
		if (unlink(buf) != 0 && errno != ENOENT && !err)
			err = errno;
	}
	return err;
}

struct progress {
	int last; /* last percentage shown, -1 before the first */
};

static void show_progress(long done, long total, void *arg)
{
	struct progress *pr = arg;
	int pct = total > 0 ? (int)(done * 100 / total) : 100;
	if (pct == pr->last)
		return;
	pr->last = pct;
	fputc('\r', stderr);
	fprintf(stderr, _("handesk demo: %ld of %ld persons (%d%%)"), done, total, pct);
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_demo_main(int argc, char **argv, struct config *cfg)
{
	enum { OPT_TODAY = 256 };
	static const struct option longopts[] = {
	    {"persons", required_argument, NULL, 'n'},
	    {"seed", required_argument, NULL, 's'},
	    {"db", required_argument, NULL, 'd'},
	    {"force", no_argument, NULL, 'f'},
	    {"today", required_argument, NULL, OPT_TODAY},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct demo_options o = {.persons = -1, .seed = 1};
	struct demo_stats st = {0};
	struct progress pr = {-1};
	struct cache *c = NULL;
	struct stat sb;
	struct date today;
	const char *path = cfg->db_path;
	char *cause = NULL, *login = NULL;
	bool force = false, created = false;
	int opt, err, status = 1;
	double t0;
	long v;
	enum rc rc;

	optind = 0; /* GNU getopt: start afresh on the subcommand's arguments */
	while ((opt = getopt_long(argc, argv, "n:s:d:fh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (!parse_long(optarg, 0, MAX_PERSONS, &o.persons)) {
				fprintf(stderr,
				        _("handesk demo: --persons wants a whole number from 0 to "
				          "%ld, not '%s'\n"),
				        MAX_PERSONS, optarg);
				return 2;
			}
			break;
		case 's':
			if (!parse_long(optarg, 0, LONG_MAX, &v)) {
				fprintf(stderr,
				        _("handesk demo: --seed wants a whole number, not '%s'\n"),
				        optarg);
				return 2;
			}
			o.seed = (unsigned long)v;
			break;
		case 'd':
			path = optarg;
			break;
		case 'f':
			force = true;
			break;
		case OPT_TODAY:
			/* Checked here, before an existing cache is removed. */
			if (!date_parse(optarg, &today)) {
				fprintf(stderr,
				        _("handesk demo: --today wants a date such as 2026-11-23, "
				          "not '%s'\n"),
				        optarg);
				return 2;
			}
			o.today = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("handesk demo: unexpected argument '%s'\n"), argv[optind]);
		return 2;
	}
	if (o.persons < 0) {
		fprintf(stderr, _("handesk demo: say how many persons with --persons N\n"));
		return 2;
	}
	if (!path || !*path) {
		fprintf(stderr, _("handesk demo: no cache path (use --db PATH)\n"));
		return 2;
	}

	/* never replace someone's cache by accident */
	if (stat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			fprintf(stderr, _("handesk demo: %s is a directory\n"), path);
			return 1;
		}
		if (sb.st_size > 0 && !force) {
			fprintf(stderr,
			        _("handesk demo: %s already exists; use --force to replace it\n"),
			        path);
			return 1;
		}
	}
	if ((err = remove_cache(path)) != 0) {
		fprintf(stderr, _("handesk demo: cannot remove %s: %s\n"), path, strerror(err));
		return 1;
	}
	rc = config_make_parent(path, &cause);
	if (rc)
		goto fail;

	t0 = now();
	created = true;
	rc = db_cache_open(path, &c, &cause);
	if (rc)
		goto fail;
	login = os_login(cfg);
	o.login = login;
	o.stats = &st;
	if (isatty(STDERR_FILENO)) {
		o.progress = show_progress;
		o.progress_arg = &pr;
	}
	rc = demo_generate(c, &o, &cause);
	if (rc)
		goto fail;
	db_cache_close(c);
	c = NULL;

	printf(_("Demo cache %s: %ld persons, %ld applications, %ld documents, %ld staff in "
	         "%ld centres, in %.1f s (seed %lu, fingerprint %016llx).\n"),
	       path, st.persons, st.applications, st.documents, st.staff, st.centres, now() - t0,
	       o.seed, st.fingerprint);
	printf(_("Start it with: handesk --db %s\n"), path);
	if (login && *login && strncmp(login, "demo-", 5) != 0)
		printf(_("You work as '%s' (reception); to try another role add --login "
		         "demo-doctor, demo-evaluator, demo-director ...\n"),
		       login);
	status = 0;
	goto out;

fail:
	if (pr.last >= 0 && pr.last < 100)
		fputc('\n', stderr); /* end the progress line */
	fprintf(stderr, "handesk demo: %s\n",
	        cause            ? cause
	        : rc == RC_NOMEM ? _("out of memory")
	                         : _("failed"));
	if (c)
		db_cache_close(c);
	c = NULL;
	if (created)
		remove_cache(path);
out:
	free(cause);
	free(login);
	return status;
}
