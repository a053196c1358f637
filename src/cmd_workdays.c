/* cmd_workdays.c: the `handesk workdays` subcommand (add DATE N, between D1 D2). */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cmd_workdays.h"
#include "src/config.h"
#include "src/date.h"
#include "src/i18n.h"
#include "src/workdays.h"

/* The last day we answer for: date_valid's range. */
static const struct date last_day = {9999, 12, 31};

static void usage(FILE *f)
{
	fprintf(f, "%s",
	        _("Usage: handesk workdays add DATE N\n"
	          "       handesk workdays between DATE1 DATE2\n"
	          "Count working days: Monday to Friday, except the ten Belgian legal holidays\n"
	          "(1 January, Easter Monday, 1 May, Ascension Day, Whit Monday, 21 July,\n"
	          "15 August, 1 November, 11 November, 25 December) and the closure days of\n"
	          "the configuration (closure = YYYY-MM-DD lines in handesk.conf).\n"
	          "\n"
	          "  add DATE N          print the N-th working day after DATE (DATE itself not\n"
	          "                      counted; N is 0 or more, 0 prints DATE)\n"
	          "  between D1 D2       print how many working days fall after D1 up to and\n"
	          "                      including D2 (negative when D2 comes before D1)\n"
	          "\n"
	          "Dates may be written YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or DD.MM.YYYY;\n"
	          "they are printed as YYYY-MM-DD.\n"
	          "\n"
	          "Options:\n"
	          "  -h, --help   show this help and exit\n"
	          "\n"
	          "Exit status: 0 on success, 2 on a usage error or a wrong date or number.\n"));
}

static bool parse_date_arg(const char *text, struct date *d)
{
	if (date_parse(text, d))
		return true;
	fprintf(stderr,
	        _("handesk workdays: '%s' is not a date (use YYYY-MM-DD or DD/MM/YYYY, a real "
	          "day between 1800 and 9999)\n"),
	        text);
	return false;
}

static bool parse_count(const char *text, long *n)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end || errno || v < 0) {
		fprintf(stderr, _("handesk workdays: '%s' is not a whole number of 0 or more\n"),
		        text);
		return false;
	}
	*n = v;
	return true;
}

int cmd_workdays_main(int argc, char **argv, struct config *cfg)
{
	struct workdays empty;
	const struct workdays *cal;
	struct date d1, d2, r;
	char iso[11];
	long n;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--") == 0)
			break;
	}
	/* "--" may stand before the operands (for scripts' sake). */
	i = 1;
	if (argc > 1 && strcmp(argv[1], "--") == 0)
		i = 2;
	argc -= i;
	argv += i;
	workdays_init(&empty);
	cal = cfg ? &cfg->calendar : &empty;

	if (argc == 3 && strcmp(argv[0], "add") == 0) {
		if (!parse_date_arg(argv[1], &d1) || !parse_count(argv[2], &n))
			return 2;
		/* Refuse, without counting, what would run past the year 9999:
		 * there are fewer than 262 working days in any year. */
		if (n > 262L * (9999 - d1.year + 1)) {
			fprintf(stderr, "%s",
			        _("handesk workdays: the answer would lie after the year 9999\n"));
			return 2;
		}
		r = workdays_add(cal, d1, n);
		if (date_compare(r, last_day) > 0) {
			fprintf(stderr, "%s",
			        _("handesk workdays: the answer would lie after the year 9999\n"));
			return 2;
		}
		date_format_iso(r, iso);
		printf("%s\n", iso);
	} else if (argc == 3 && strcmp(argv[0], "between") == 0) {
		if (!parse_date_arg(argv[1], &d1) || !parse_date_arg(argv[2], &d2))
			return 2;
		printf("%ld\n", workdays_between(cal, d1, d2));
	} else {
		if (argc == 0)
			fprintf(stderr, "%s", _("handesk workdays: add or between expected\n"));
		else if (strcmp(argv[0], "add") == 0 || strcmp(argv[0], "between") == 0)
			fprintf(stderr, _("handesk workdays: %s takes two arguments\n"), argv[0]);
		else
			fprintf(stderr, _("handesk workdays: unknown action '%s'\n"), argv[0]);
		usage(stderr);
		return 2;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, _("handesk workdays: cannot write the result: %s\n"),
		        strerror(errno));
		return 1;
	}
	return 0;
}
