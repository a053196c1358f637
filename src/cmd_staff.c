/* cmd_staff.c: the `handesk staff` subcommand: list, add, deactivate and
 * activate staff records, so that a centre works without central service. */
#include "autoconf.h"

#include <getopt.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/cache.h"
#include "src/cmd_staff.h"
#include "src/config.h"
#include "src/i18n.h"
#include "src/staff.h"

static void usage(FILE *out)
{
	fprintf(out, "%s",
	        _("Usage: handesk [--login NAME] staff list\n"
	          "       handesk [--login NAME] staff add --login L --role ROLE --family F\n"
	          "               --given G [--discipline D] [--languages LANGS]\n"
	          "               [--centre CODE [--centre-name NAME --centre-language LANG]]\n"
	          "       handesk [--login NAME] staff deactivate --login L\n"
	          "       handesk [--login NAME] staff activate --login L\n"
	          "Manage the staff records of the cache: who may use handesk, in which role\n"
	          "and centre.  Only an active centre director adds, deactivates or activates\n"
	          "staff records, of their own centre; they act under the login given before\n"
	          "\"staff\" (--login NAME), else the login of the configuration or the\n"
	          "operating system user.\n"
	          "\n"
	          "  list         print one line per staff record, fields separated by tabs:\n"
	          "               login, role, family name, given name, centre code, active\n"
	          "               or inactive, discipline, languages (\"-\" when empty)\n"
	          "  add          add a staff record\n"
	          "  deactivate   the login may no longer start handesk\n"
	          "  activate     the login may start handesk again\n"
	          "\n"
	          "Options of add (--login also for deactivate and activate):\n"
	          "      --login L               login of the staff record (OS user name)\n"
	          "      --role ROLE             reception, client_manager, dossier_manager,\n"
	          "                              social_assistant, evaluator, doctor,\n"
	          "                              director or quality\n"
	          "      --family F              family name\n"
	          "      --given G               given name\n"
	          "      --discipline D          doctor, psychologist, nurse ... (optional)\n"
	          "      --languages LANGS       languages spoken, comma-separated: nl,fr\n"
	          "      --centre CODE           the centre (default: the director's own)\n"
	          "      --centre-name NAME      with --centre-language: create the centre\n"
	          "      --centre-language LANG  CODE (nl, fr or de), first record only\n"
	          "  -h, --help                  show this help and exit\n"
	          "\n"
	          "A new cache has no staff record: the first must be a director, and it\n"
	          "creates the director's centre when the cache has none, for example:\n"
	          "  handesk staff add --login $USER --role director --family F --given G \\\n"
	          "      --centre BRU --centre-name NAME --centre-language fr\n"
	          "\n"
	          "Exit status: 0 done, 1 refused or failed, 2 bad usage or an invalid value.\n"));
}

static void usage_list(FILE *out)
{
	fprintf(out, "%s",
	        _("Usage: handesk staff list\n"
	          "Print one line per staff record of the cache, active or not, sorted by\n"
	          "centre and login, fields separated by tabs: login, role, family name,\n"
	          "given name, centre code, active or inactive, discipline, languages\n"
	          "(\"-\" when empty).\n"
	          "\n"
	          "  -h, --help   show this help and exit\n"));
}

static void usage_add(FILE *out)
{
	fprintf(out, "%s",
	        _("Usage: handesk [--login NAME] staff add --login L --role ROLE --family F\n"
	          "               --given G [--discipline D] [--languages LANGS]\n"
	          "               [--centre CODE [--centre-name NAME --centre-language LANG]]\n"
	          "Add a staff record.  The login given before \"staff\" (or that of the\n"
	          "configuration, or the operating system user) must be an active director of\n"
	          "the centre.  The first record of a cache must be a director; it creates\n"
	          "its centre with --centre, --centre-name and --centre-language when the\n"
	          "cache has none.  See handesk staff --help for the options.\n"));
}

static void usage_set_active(FILE *out, bool active)
{
	fprintf(out, "%s",
	        active ? _("Usage: handesk [--login NAME] staff activate --login L\n"
	                   "Let the staff record with login L start handesk again.  Only an\n"
	                   "active director of its centre may.\n")
	               : _("Usage: handesk [--login NAME] staff deactivate --login L\n"
	                   "Stop the staff record with login L from starting handesk; the record\n"
	                   "and what it did stay.  Only an active director of its centre may, and\n"
	                   "not on their own record.\n"));
}

/* Who acts: the global --login or the configuration's, else the OS user. */
static char *acting_login(const struct config *cfg)
{
	struct passwd *pw;
	const char *name;

	if (cfg->login && *cfg->login)
		return strdup(cfg->login);
	pw = getpwuid(getuid());
	name = pw ? pw->pw_name : getenv("USER");
	return strdup(name ? name : "");
}

static int status_of(enum rc rc)
{
	return rc == RC_OK ? 0 : rc == RC_INVALID ? 2 : 1;
}

/* Open the cache; only add may create it (the first record of a centre). */
static int open_cache(const struct config *cfg, bool create, struct cache **c)
{
	struct stat sb;
	const char *path = cfg->db_path;
	char *cause = NULL;
	enum rc rc;

	if (!path || !*path) {
		fprintf(stderr, _("handesk staff: no cache path (use handesk --db PATH)\n"));
		return 2;
	}
	if (!create && stat(path, &sb) != 0) {
		fprintf(stderr, _("handesk staff: there is no cache at %s\n"), path);
		return 1;
	}
	rc = config_make_parent(path, &cause);
	if (!rc)
		rc = db_cache_open(path, c, &cause);
	if (rc) {
		fprintf(stderr, "handesk staff: %s\n", cause ? cause : _("cannot open the cache"));
		free(cause);
		return 1;
	}
	return 0;
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static int run_list(const struct config *cfg)
{
	struct staff_entry *v = NULL;
	struct cache *c = NULL;
	char *cause = NULL;
	int n = 0, status;
	enum rc rc;

	status = open_cache(cfg, false, &c);
	if (status)
		return status;
	rc = staff_list(c, &v, &n, &cause);
	if (rc) {
		fprintf(stderr, "handesk staff: %s\n", cause ? cause : _("failed"));
		goto out;
	}
	/* for scripts: stable codes, never translated */
	for (int i = 0; i < n; i++) {
		const struct staff *s = &v[i].staff;
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s->login, role_code(s->role),
		       or_dash(s->family_name), or_dash(s->given_name), or_dash(v[i].centre_code),
		       s->active ? "active" : "inactive", or_dash(s->discipline),
		       or_dash(s->languages));
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, _("handesk staff: cannot write the list\n"));
		rc = RC_IO;
		goto out;
	}
	if (n == 0)
		fprintf(stderr,
		        _("handesk staff: no staff record in %s yet; the first one must be a "
		          "director: handesk staff add --login NAME --role director ...\n"),
		        cfg->db_path);
out:
	free(cause);
	free(v);
	db_cache_close(c);
	return status_of(rc);
}

enum {
	OPT_LOGIN = 256,
	OPT_ROLE,
	OPT_FAMILY,
	OPT_GIVEN,
	OPT_DISCIPLINE,
	OPT_LANGUAGES,
	OPT_CENTRE,
	OPT_CENTRE_NAME,
	OPT_CENTRE_LANGUAGE,
};

static int run_add(int argc, char **argv, const struct config *cfg)
{
	static const struct option longopts[] = {
	    {"login", required_argument, NULL, OPT_LOGIN},
	    {"role", required_argument, NULL, OPT_ROLE},
	    {"family", required_argument, NULL, OPT_FAMILY},
	    {"given", required_argument, NULL, OPT_GIVEN},
	    {"discipline", required_argument, NULL, OPT_DISCIPLINE},
	    {"languages", required_argument, NULL, OPT_LANGUAGES},
	    {"centre", required_argument, NULL, OPT_CENTRE},
	    {"centre-name", required_argument, NULL, OPT_CENTRE_NAME},
	    {"centre-language", required_argument, NULL, OPT_CENTRE_LANGUAGE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct staff_request req = {0};
	struct staff s;
	struct centre centre;
	struct cache *c = NULL;
	char *cause = NULL, *actor = NULL;
	bool centre_created = false;
	int opt, status;
	enum rc rc;

	optind = 0; /* GNU getopt: start afresh on the subcommand's arguments */
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_LOGIN:
			req.login = optarg;
			break;
		case OPT_ROLE:
			req.role = optarg;
			break;
		case OPT_FAMILY:
			req.family_name = optarg;
			break;
		case OPT_GIVEN:
			req.given_name = optarg;
			break;
		case OPT_DISCIPLINE:
			req.discipline = optarg;
			break;
		case OPT_LANGUAGES:
			req.languages = optarg;
			break;
		case OPT_CENTRE:
			req.centre_code = optarg;
			break;
		case OPT_CENTRE_NAME:
			req.centre_name = optarg;
			break;
		case OPT_CENTRE_LANGUAGE:
			req.centre_language = optarg;
			break;
		case 'h':
			usage_add(stdout);
			return 0;
		default:
			fprintf(stderr, _("Try 'handesk staff --help'.\n"));
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("handesk staff add: unexpected argument '%s'\n"), argv[optind]);
		return 2;
	}
	if (!req.login || !req.role || !req.family_name || !req.given_name) {
		fprintf(stderr, _("handesk staff add: --login, --role, --family and --given are "
		                  "all needed\n"));
		return 2;
	}
	status = open_cache(cfg, true, &c);
	if (status)
		return status;
	actor = acting_login(cfg);
	if (!actor) {
		rc = RC_NOMEM;
		goto out;
	}
	/* The configuration's "centre = CODE" stands for --centre. */
	if (!req.centre_code && cfg && cfg->centre && *cfg->centre)
		req.centre_code = cfg->centre;
	rc = staff_add(c, actor, &req, &s, &centre, &centre_created, &cause);
	if (rc) {
		fprintf(stderr, "handesk staff add: %s\n",
		        cause            ? cause
		        : rc == RC_NOMEM ? _("out of memory")
		                         : _("failed"));
		goto out;
	}
	if (centre_created)
		printf(_("Centre %s (%s) created.\n"), centre.code, centre.name);
	printf(_("Staff record '%s' (%s) added to centre %s.\n"), s.login, role_name(s.role),
	       centre.code);
out:
	free(cause);
	free(actor);
	db_cache_close(c);
	return status_of(rc);
}

static int run_set_active(int argc, char **argv, const struct config *cfg, bool active)
{
	static const struct option longopts[] = {
	    {"login", required_argument, NULL, OPT_LOGIN},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *login = NULL, *cmd = active ? "activate" : "deactivate";
	struct cache *c = NULL;
	char *cause = NULL, *actor = NULL;
	bool changed = false;
	int opt, status;
	enum rc rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_LOGIN:
			login = optarg;
			break;
		case 'h':
			usage_set_active(stdout, active);
			return 0;
		default:
			fprintf(stderr, _("Try 'handesk staff --help'.\n"));
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("handesk staff %s: unexpected argument '%s'\n"), cmd,
		        argv[optind]);
		return 2;
	}
	if (!login) {
		fprintf(stderr, _("handesk staff %s: say whose record with --login L\n"), cmd);
		return 2;
	}
	status = open_cache(cfg, false, &c);
	if (status)
		return status;
	actor = acting_login(cfg);
	if (!actor) {
		rc = RC_NOMEM;
		goto out;
	}
	rc = staff_set_active(c, actor, login, active, &changed, &cause);
	if (rc) {
		fprintf(stderr, "handesk staff %s: %s\n", cmd,
		        cause            ? cause
		        : rc == RC_NOMEM ? _("out of memory")
		                         : _("failed"));
		goto out;
	}
	if (!changed)
		printf(active ? _("Staff record '%s' is already active.\n")
		              : _("Staff record '%s' is already inactive.\n"),
		       login);
	else
		printf(active ? _("Staff record '%s' activated.\n")
		              : _("Staff record '%s' deactivated: it can no longer start "
		                  "handesk.\n"),
		       login);
out:
	free(cause);
	free(actor);
	db_cache_close(c);
	return status_of(rc);
}

int cmd_staff_main(int argc, char **argv, struct config *cfg)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	bool help = false;

	if (!sub) {
		fprintf(stderr, _("handesk staff: say list, add, deactivate or activate (see "
		                  "handesk staff --help)\n"));
		return 2;
	}
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(sub, "list") == 0) {
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
				help = true;
		if (help) {
			usage_list(stdout);
			return 0;
		}
		if (argc > 2) {
			fprintf(stderr, _("handesk staff list: unexpected argument '%s'\n"),
			        argv[2]);
			return 2;
		}
		return run_list(cfg);
	}
	if (strcmp(sub, "add") == 0)
		return run_add(argc - 1, argv + 1, cfg);
	if (strcmp(sub, "deactivate") == 0)
		return run_set_active(argc - 1, argv + 1, cfg, false);
	if (strcmp(sub, "activate") == 0)
		return run_set_active(argc - 1, argv + 1, cfg, true);
	if (sub[0] == '-')
		fprintf(stderr,
		        _("handesk staff: '%s' before the subcommand: the login to act as goes "
		          "before staff (handesk --login NAME staff ...), the options of add "
		          "after add\n"),
		        sub);
	else
		fprintf(stderr,
		        _("handesk staff: unknown subcommand '%s' (list, add, deactivate or "
		          "activate)\n"),
		        sub);
	return 2;
}
