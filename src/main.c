/* main.c: handesk's entry point: options, configuration, subcommands, and
 * the curses application by default. */
#include "autoconf.h"

#include <getopt.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cmd_check.h"
#include "src/cmd_demo.h"
#include "src/cmd_staff.h"
#include "src/cmd_sync.h"
#include "src/cmd_workdays.h"
#include "src/config.h"
#include "src/i18n.h"
#include "src/session.h"
#include "ui/app.h"

struct command {
	const char *name;
	int (*main)(int argc, char **argv, struct config *cfg);
};

static const struct command commands[] = {
    {"check", cmd_check_main}, {"workdays", cmd_workdays_main}, {"demo", cmd_demo_main},
    {"staff", cmd_staff_main}, {"sync", cmd_sync_main},
};

static void usage(FILE *out)
{
	fprintf(out, _("Usage: handesk [OPTION]... [COMMAND [ARG]...]\n"
	               "The front-office tool of the disability recognition centres.\n"
	               "Without a command, starts the interactive application.\n"
	               "\n"
	               "Options:\n"
	               "  -d, --db PATH       use the cache at PATH\n"
	               "  -c, --config PATH   read the configuration from PATH\n"
	               "  -u, --login NAME    act as the staff member with this login\n"
	               "  -l, --lang LANG     show messages in LANG (nl, fr, de, en)\n"
	               "  -h, --help          show this help and exit\n"
	               "  -V, --version       show the version and exit\n"
	               "\n"
	               "Commands:\n"
	               "  check insz NUMBER...      validate national register numbers\n"
	               "  workdays add DATE N       the N-th working day after DATE\n"
	               "  workdays between D1 D2    working days after D1 up to D2\n"
	               "  demo --persons N          create a cache with demo data\n"
	               "  staff list | add ...      list, add, (de)activate staff records\n"
	               "  sync [--watch|--status]   exchange changes with the central service\n"
	               "\n"
	               "Each command has its own --help.  See handesk(1) and handesk.conf(5).\n"));
}

static char *os_login(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw ? pw->pw_name : getenv("USER");
	return strdup(name ? name : "");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"config", required_argument, NULL, 'c'},
	    {"login", required_argument, NULL, 'u'},
	    {"lang", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *db_path = NULL, *config_path = NULL, *login = NULL, *lang = NULL;
	struct config cfg;
	struct session session;
	char *cause = NULL, *me = NULL;
	int opt, status = 1;
	bool want_help = false;
	enum rc rc;

	i18n_init(NULL);
	/* '+': stop at the first non-option, the command owns what follows. */
	while ((opt = getopt_long(argc, argv, "+d:c:u:l:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db_path = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'u':
			login = optarg;
			break;
		case 'l':
			if (strcmp(optarg, "nl") && strcmp(optarg, "fr") && strcmp(optarg, "de") &&
			    strcmp(optarg, "en")) {
				fprintf(stderr,
				        _("handesk: --lang wants nl, fr, de or en, not '%s'\n"),
				        optarg);
				return 2;
			}
			lang = optarg;
			break;
		case 'h':
			want_help = true;
			break;
		case 'V':
			printf("handesk %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	if (want_help) {
		/* Help in the language asked for, even before any configuration. */
		i18n_set_language(lang);
		usage(stdout);
		return 0;
	}

	rc = config_load(config_path, &cfg, &cause);
	if (rc) {
		fprintf(stderr, "handesk: %s\n", cause);
		free(cause);
		return 1;
	}
	if (lang)
		i18n_set_language(lang);
	else if (cfg.language)
		i18n_set_language(cfg.language);
	if (db_path) {
		free(cfg.db_path);
		cfg.db_path = strdup(db_path);
	}
	if (login) {
		free(cfg.login);
		cfg.login = strdup(login);
	}

	if (optind < argc) {
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
			if (strcmp(argv[optind], commands[i].name) == 0) {
				status = commands[i].main(argc - optind, argv + optind, &cfg);
				goto out;
			}
		}
		fprintf(stderr, _("handesk: unknown command '%s' (try handesk --help)\n"),
		        argv[optind]);
		status = 2;
		goto out;
	}

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, _("handesk: the interactive application needs a terminal\n"));
		goto out;
	}
	me = cfg.login ? strdup(cfg.login) : os_login();
	rc = session_open(&session, &cfg, cfg.db_path, me, &cause);
	if (rc) {
		fprintf(stderr, "handesk: %s\n", cause);
		free(cause);
		goto out;
	}
	status = ui_app_run(&session);
	session_close(&session);
out:
	free(me);
	config_free(&cfg);
	return status;
}
