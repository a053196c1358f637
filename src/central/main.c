/* main.c: handeskd's entry point: options, the configuration file, and the
 * commands migrate, centre, token and serve (the HTTP service of
 * src/central/http.c). */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "db/central.h"
#include "db/contact.h"
#include "src/central/conf.h"
#include "src/central/http.h"
#include "src/central/log.h"
#include "src/i18n.h"

#define DEFAULT_LISTEN   "127.0.0.1:8080"
#define DEFAULT_THREADS  4
#define DEFAULT_MAX_BODY (8u << 20)
#define SECRET_BYTES     32

/* handeskd.conf, read by main() before the command runs. */
static struct central_conf conf;

struct command {
	const char *name;
	int (*main)(int argc, char **argv, const char *db_url);
};

static void usage(FILE *out)
{
	fprintf(out,
	        _("Usage: handeskd [OPTION]... COMMAND [ARG]...\n"
	          "The central service of handesk: the sync API over HTTP/JSON, the central\n"
	          "store (PostgreSQL), the centres and their access tokens.\n"
	          "\n"
	          "Options:\n"
	          "  -c, --config FILE  the configuration file (see handeskd(8); by default\n"
	          "                     %s, if it exists)\n"
	          "  -d, --db URL       the PostgreSQL database (libpq URL or connection string;\n"
	          "                     default $HANDESKD_DB, else the configuration's\n"
	          "                     database, else the PG* environment variables)\n"
	          "  -h, --help         show this help and exit\n"
	          "  -V, --version      show the version and exit\n"
	          "\n"
	          "Commands:\n"
	          "  migrate                 bring the database schema up to date\n"
	          "  centre add | list | area\n"
	          "                          add or list the centres, and their postcode areas\n"
	          "  token add | list | revoke\n"
	          "                          make, list or revoke the access tokens\n"
	          "  serve                   run the HTTP service\n"
	          "\n"
	          "Each command has its own --help.  See handeskd(8).\n"
	          "\n"
	          "Exit status: 0 done, 1 refused or failed, 2 bad usage or an invalid value.\n"),
	        central_conf_default_path());
}

static void usage_migrate(FILE *out)
{
	fprintf(out, "%s",
	        _("Usage: handeskd [--db URL] migrate\n"
	          "Apply the schema migrations this handeskd knows and the database lacks, each\n"
	          "in its own transaction; several handeskd started at once migrate once.  Prints\n"
	          "how many were applied and the schema version.  A database newer than this\n"
	          "handeskd is left untouched (exit status 1).\n"
	          "\n"
	          "  -h, --help   show this help and exit\n"));
}

static void usage_centre(FILE *out)
{
	fprintf(out, "%s",
	        _("Usage: handeskd [--db URL] centre add --code CODE --name NAME --language LANG\n"
	          "       handeskd [--db URL] centre list\n"
	          "       handeskd [--db URL] centre area add --centre CODE --from N --to N\n"
	          "       handeskd [--db URL] centre area list\n"
	          "Add or list the centres of the central store, and the postcode areas that\n"
	          "assign the public contact forms to them.\n"
	          "\n"
	          "  add        add a centre: --code CODE (2 to 15 letters or digits, stored in\n"
	          "             upper case, unique), --name NAME, --language LANG (nl, fr or de)\n"
	          "  list       print one line per centre, fields separated by tabs: code,\n"
	          "             language, id, name\n"
	          "  area add   give the postcodes --from N --to N (1000 to 9999, inclusive) to\n"
	          "             the centre --centre CODE; areas never overlap\n"
	          "  area list  print one line per area, by first postcode, fields separated\n"
	          "             by tabs: centre code, first postcode, last postcode\n"
	          "\n"
	          "  -h, --help   show this help and exit\n"));
}

static void usage_token(FILE *out)
{
	fprintf(out, "%s",
	        _("Usage: handeskd [--db URL] token add --centre CODE --name NAME\n"
	          "       handeskd [--db URL] token list\n"
	          "       handeskd [--db URL] token revoke ID|NAME\n"
	          "Manage the bearer tokens with which the caches of a centre reach the service.\n"
	          "\n"
	          "  add      make a token for the centre CODE named NAME (workstation-12) and\n"
	          "           print its secret, 64 hexadecimal digits, on standard output: it is\n"
	          "           shown this once, only its SHA-256 is stored\n"
	          "  list     print one line per token, newest first, fields separated by tabs:\n"
	          "           id, centre, name, created, revoked (\"-\" while valid), last used\n"
	          "           (\"-\" if never); never the secret\n"
	          "  revoke   revoke the valid token with this id, or this name if only one\n"
	          "           valid token has it\n"
	          "\n"
	          "  -h, --help   show this help and exit\n"));
}

static void usage_serve(FILE *out)
{
	fprintf(out,
	        _("Usage: handeskd [--db URL] serve [--listen ADDR:PORT] [--threads N]\n"
	          "                [--max-body SIZE] [--tls-cert FILE --tls-key FILE] [--syslog]\n"
	          "Run the HTTP service until SIGINT or SIGTERM.  Prints \"handeskd: listening\n"
	          "on ADDR:PORT\" on standard output once it accepts connections, and one line\n"
	          "per request on standard error (or to syslog).  The options override the\n"
	          "configuration file's settings of the same name.\n"
	          "\n"
	          "  -l, --listen ADDR:PORT   address and port to listen on (default %s;\n"
	          "                           [::1]:PORT for IPv6, port 0 for any free port)\n"
	          "  -t, --threads N          worker threads, each with its own database\n"
	          "                           connection (default %d)\n"
	          "      --max-body SIZE      largest request body, bytes (8M by default; K and M\n"
	          "                           suffixes)\n"
	          "      --tls-cert FILE      serve HTTPS with this PEM certificate (chain)...\n"
	          "      --tls-key FILE       ...and this PEM private key\n"
	          "      --syslog             log to syslog (facility daemon), not standard error\n"
	          "  -h, --help               show this help and exit\n"),
	        DEFAULT_LISTEN, DEFAULT_THREADS);
}

static int status_of(enum rc rc)
{
	return rc == RC_OK ? 0 : rc == RC_INVALID ? 2 : 1;
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* A command's options: only --help, then exactly nargs operands. */
static int only_help(int argc, char **argv, void (*help)(FILE *), const char *what)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	optind = 0; /* GNU getopt: start afresh on the command's arguments */
	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			help(stdout);
			return 0;
		}
		fprintf(stderr, _("Try 'handeskd %s --help'.\n"), what);
		return 2;
	}
	return -1;
}

static int connect_db(const char *db_url, const char *what, struct central **db)
{
	char *cause = NULL;
	enum rc rc = db_central_connect(db_url, db, &cause);

	if (rc) {
		fprintf(stderr, "handeskd %s: %s\n", what, cause ? cause : _("cannot connect"));
		free(cause);
		return 1;
	}
	return 0;
}

/* The start of a command that takes no arguments but --help (the lists):
 * -1 with *db connected to go on, else the exit status. */
static int plain_command(int argc, char **argv, void (*help)(FILE *), const char *topic,
                         const char *what, const char *db_url, struct central **db)
{
	int status = only_help(argc, argv, help, topic);

	if (status >= 0)
		return status;
	if (optind < argc) {
		fprintf(stderr, _("handeskd %s: unexpected argument '%s'\n"), what, argv[optind]);
		return 2;
	}
	status = connect_db(db_url, what, db);
	return status ? status : -1;
}

/* The end of a list: everything written, or RC_IO with a message. */
static enum rc list_written(const char *what)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return RC_OK;
	fprintf(stderr, _("handeskd %s: cannot write the list\n"), what);
	return RC_IO;
}

static void print_cause(const char *what, const char *cause, enum rc rc)
{
	fprintf(stderr, "handeskd %s: %s\n", what,
	        cause            ? cause
	        : rc == RC_NOMEM ? _("out of memory")
	                         : _("failed"));
}

static int cmd_migrate(int argc, char **argv, const char *db_url)
{
	struct central *db = NULL;
	char *cause = NULL;
	int status, applied = 0;
	enum rc rc;

	status = only_help(argc, argv, usage_migrate, "migrate");
	if (status >= 0)
		return status;
	if (optind < argc) {
		fprintf(stderr, _("handeskd migrate: unexpected argument '%s'\n"), argv[optind]);
		return 2;
	}
	status = connect_db(db_url, "migrate", &db);
	if (status)
		return status;
	rc = db_central_migrate(db, &applied, &cause);
	if (rc) {
		print_cause("migrate", cause, rc);
		goto out;
	}
	printf(_("Applied %d migration(s); the schema is at version %d.\n"), applied,
	       db_central_schema_version(db));
out:
	free(cause);
	db_central_close(db);
	return status_of(rc);
}

enum {
	OPT_CODE = 256,
	OPT_NAME,
	OPT_LANGUAGE,
	OPT_CENTRE,
	OPT_FROM,
	OPT_TO,
	OPT_MAX_BODY,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_SYSLOG,
};

static int centre_add(int argc, char **argv, const char *db_url)
{
	static const struct option longopts[] = {
	    {"code", required_argument, NULL, OPT_CODE},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"language", required_argument, NULL, OPT_LANGUAGE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *code = NULL, *name = NULL, *language = NULL;
	struct central_centre c = {0};
	struct central *db = NULL;
	char *cause = NULL;
	int opt, status;
	enum rc rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_CODE:
			code = optarg;
			break;
		case OPT_NAME:
			name = optarg;
			break;
		case OPT_LANGUAGE:
			language = optarg;
			break;
		case 'h':
			usage_centre(stdout);
			return 0;
		default:
			fprintf(stderr, _("Try 'handeskd centre --help'.\n"));
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("handeskd centre add: unexpected argument '%s'\n"), argv[optind]);
		return 2;
	}
	if (!code || !name || !language) {
		fprintf(stderr, _("handeskd centre add: --code, --name and --language are all "
		                  "needed\n"));
		return 2;
	}
	if (strlen(code) < 2 || strlen(code) >= sizeof c.code) {
		fprintf(stderr, _("handeskd centre add: --code wants 2 to 15 letters or digits\n"));
		return 2;
	}
	for (size_t i = 0; code[i]; i++) {
		if (!isalnum((unsigned char)code[i]) || (code[i] & 0x80)) {
			fprintf(stderr,
			        _("handeskd centre add: --code wants 2 to 15 letters or digits\n"));
			return 2;
		}
		c.code[i] = (char)toupper((unsigned char)code[i]);
	}
	if (strcmp(language, "nl") && strcmp(language, "fr") && strcmp(language, "de")) {
		fprintf(stderr, _("handeskd centre add: --language wants nl, fr or de, not '%s'\n"),
		        language);
		return 2;
	}
	if (!*name || strlen(name) >= sizeof c.name) {
		fprintf(stderr, _("handeskd centre add: --name wants 1 to 127 bytes\n"));
		return 2;
	}
	snprintf(c.name, sizeof c.name, "%s", name);
	snprintf(c.language, sizeof c.language, "%s", language);
	status = connect_db(db_url, "centre add", &db);
	if (status)
		return status;
	rc = db_central_centre_add(db, &c, &cause);
	if (rc)
		print_cause("centre add", cause, rc);
	else
		printf(_("Centre %s (%s) added: %s\n"), c.code, c.name, c.id);
	free(cause);
	db_central_close(db);
	return status_of(rc);
}

static int centre_list(int argc, char **argv, const char *db_url)
{
	struct central_centre *v = NULL;
	struct central *db = NULL;
	char *cause = NULL;
	int n = 0, status;
	enum rc rc;

	status = plain_command(argc, argv, usage_centre, "centre", "centre list", db_url, &db);
	if (status >= 0)
		return status;
	rc = db_central_centre_list(db, &v, &n, &cause);
	if (rc) {
		print_cause("centre list", cause, rc);
		goto out;
	}
	/* for scripts: stable, never translated */
	for (int i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\n", v[i].code, v[i].language, v[i].id, v[i].name);
	rc = list_written("centre list");
out:
	free(v);
	free(cause);
	db_central_close(db);
	return status_of(rc);
}

/* A postcode of --from or --to: four digits, 1000 to 9999. */
static bool postcode_arg(const char *s, int *out)
{
	if (strlen(s) != 4 || strspn(s, "0123456789") != 4 || s[0] == '0')
		return false;
	*out = atoi(s);
	return true;
}

static int centre_area_add(int argc, char **argv, const char *db_url)
{
	static const struct option longopts[] = {
	    {"centre", required_argument, NULL, OPT_CENTRE},
	    {"from", required_argument, NULL, OPT_FROM},
	    {"to", required_argument, NULL, OPT_TO},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *centre = NULL, *from = NULL, *to = NULL;
	char code[16];
	struct central *db = NULL;
	char *cause = NULL;
	int opt, status, f, t;
	enum rc rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_CENTRE:
			centre = optarg;
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_TO:
			to = optarg;
			break;
		case 'h':
			usage_centre(stdout);
			return 0;
		default:
			fprintf(stderr, _("Try 'handeskd centre --help'.\n"));
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("handeskd centre area add: unexpected argument '%s'\n"),
		        argv[optind]);
		return 2;
	}
	if (!centre || !from || !to) {
		fprintf(stderr, _("handeskd centre area add: --centre, --from and --to are all "
		                  "needed\n"));
		return 2;
	}
	if (!postcode_arg(from, &f) || !postcode_arg(to, &t) || f > t) {
		fprintf(stderr, _("handeskd centre area add: --from and --to want postcodes from "
		                  "1000 to 9999, --from not above --to\n"));
		return 2;
	}
	if (strlen(centre) >= sizeof code) {
		fprintf(stderr, _("handeskd centre area add: --centre wants a centre code\n"));
		return 2;
	}
	for (size_t i = 0; i <= strlen(centre); i++)
		code[i] = (char)toupper((unsigned char)centre[i]);
	status = connect_db(db_url, "centre area add", &db);
	if (status)
		return status;
	rc = db_contact_area_add(db, code, f, t, &cause);
	if (rc)
		print_cause("centre area add", cause, rc);
	else
		printf(_("Postcodes %d to %d go to centre %s.\n"), f, t, code);
	free(cause);
	db_central_close(db);
	return status_of(rc);
}

static int centre_area_list(int argc, char **argv, const char *db_url)
{
	struct db_contact_area *v = NULL;
	struct central *db = NULL;
	char *cause = NULL;
	int n = 0, status;
	enum rc rc;

	status = plain_command(argc, argv, usage_centre, "centre", "centre area list", db_url, &db);
	if (status >= 0)
		return status;
	rc = db_contact_area_list(db, &v, &n, &cause);
	if (rc) {
		print_cause("centre area list", cause, rc);
		goto out;
	}
	/* for scripts: stable, never translated */
	for (int i = 0; i < n; i++)
		printf("%s\t%d\t%d\n", v[i].centre_code, v[i].from, v[i].to);
	rc = list_written("centre area list");
out:
	free(v);
	free(cause);
	db_central_close(db);
	return status_of(rc);
}

static int token_add(int argc, char **argv, const char *db_url)
{
	static const struct option longopts[] = {
	    {"centre", required_argument, NULL, OPT_CENTRE},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *centre = NULL, *name = NULL;
	struct central_token t = {0};
	struct central *db = NULL;
	unsigned char raw[SECRET_BYTES];
	char secret[2 * SECRET_BYTES + 1];
	char *cause = NULL;
	int opt, status;
	enum rc rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_CENTRE:
			centre = optarg;
			break;
		case OPT_NAME:
			name = optarg;
			break;
		case 'h':
			usage_token(stdout);
			return 0;
		default:
			fprintf(stderr, _("Try 'handeskd token --help'.\n"));
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("handeskd token add: unexpected argument '%s'\n"), argv[optind]);
		return 2;
	}
	if (!centre || !name) {
		fprintf(stderr, _("handeskd token add: --centre and --name are both needed\n"));
		return 2;
	}
	if (!*name || strlen(name) >= sizeof t.name || strlen(centre) >= sizeof t.centre_code) {
		fprintf(stderr, _("handeskd token add: --name wants 1 to 63 bytes, --centre a "
		                  "centre code\n"));
		return 2;
	}
	for (size_t i = 0; centre[i]; i++)
		t.centre_code[i] = (char)toupper((unsigned char)centre[i]);
	snprintf(t.name, sizeof t.name, "%s", name);

	/* getrandom() without flags blocks only until the pool is first seeded. */
	for (size_t got = 0; got < sizeof raw;) {
		ssize_t r = getrandom(raw + got, sizeof raw - got, 0);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, _("handeskd token add: no random bytes: %s\n"),
			        strerror(errno));
			return 1;
		}
		if (r > 0)
			got += (size_t)r;
	}
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(secret + 2 * i, 3, "%02x", raw[i]);

	status = connect_db(db_url, "token add", &db);
	if (status)
		goto out_wipe;
	rc = db_central_token_add(db, &t, secret, &cause);
	if (rc) {
		print_cause("token add", cause, rc);
		status = status_of(rc);
	} else {
		printf("%s\n", secret);
		fflush(stdout);
		fprintf(
		    stderr,
		    _("handeskd token add: token %s (%s) of centre %s made.  Its secret, above, "
		      "is shown only now: put it in the configuration of the workstation; "
		      "only its hash is stored.\n"),
		    t.name, t.id, t.centre_code);
	}
	free(cause);
	db_central_close(db);
out_wipe:
	explicit_bzero(raw, sizeof raw);
	explicit_bzero(secret, sizeof secret);
	return status;
}

static int token_list(int argc, char **argv, const char *db_url)
{
	struct central_token *v = NULL;
	struct central *db = NULL;
	char *cause = NULL;
	int n = 0, status;
	enum rc rc;

	status = plain_command(argc, argv, usage_token, "token", "token list", db_url, &db);
	if (status >= 0)
		return status;
	rc = db_central_token_list(db, &v, &n, &cause);
	if (rc) {
		print_cause("token list", cause, rc);
		goto out;
	}
	for (int i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", v[i].id, v[i].centre_code, v[i].name,
		       v[i].created_at, or_dash(v[i].revoked_at), or_dash(v[i].last_used_at));
	rc = list_written("token list");
out:
	free(v);
	free(cause);
	db_central_close(db);
	return status_of(rc);
}

static int token_revoke(int argc, char **argv, const char *db_url)
{
	struct central *db = NULL;
	char *cause = NULL;
	int status;
	enum rc rc;

	status = only_help(argc, argv, usage_token, "token");
	if (status >= 0)
		return status;
	if (argc - optind != 1) {
		fprintf(stderr, _("handeskd token revoke: give one token id or name\n"));
		return 2;
	}
	status = connect_db(db_url, "token revoke", &db);
	if (status)
		return status;
	rc = db_central_token_revoke(db, argv[optind], &cause);
	if (rc)
		print_cause("token revoke", cause, rc);
	else
		printf(_("Token %s revoked.\n"), argv[optind]);
	free(cause);
	db_central_close(db);
	return status_of(rc);
}

/* centre and token: a subcommand word, then its own options. */
static int dispatch(int argc, char **argv, const char *db_url, const char *what,
                    void (*help)(FILE *), const struct command *subs, size_t nsubs)
{
	if (argc < 2) {
		fprintf(stderr, _("handeskd %s: say which (try handeskd %s --help)\n"), what, what);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		help(stdout);
		return 0;
	}
	for (size_t i = 0; i < nsubs; i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].main(argc - 1, argv + 1, db_url);
	fprintf(stderr, _("handeskd %s: unknown subcommand '%s' (try handeskd %s --help)\n"), what,
	        argv[1], what);
	return 2;
}

static int centre_area(int argc, char **argv, const char *db_url)
{
	static const struct command subs[] = {{"add", centre_area_add}, {"list", centre_area_list}};
	return dispatch(argc, argv, db_url, "centre area", usage_centre, subs,
	                sizeof subs / sizeof subs[0]);
}

static int cmd_centre(int argc, char **argv, const char *db_url)
{
	static const struct command subs[] = {
	    {"add", centre_add}, {"list", centre_list}, {"area", centre_area}};
	return dispatch(argc, argv, db_url, "centre", usage_centre, subs,
	                sizeof subs / sizeof subs[0]);
}

static int cmd_token(int argc, char **argv, const char *db_url)
{
	static const struct command subs[] = {
	    {"add", token_add}, {"list", token_list}, {"revoke", token_revoke}};
	return dispatch(argc, argv, db_url, "token", usage_token, subs,
	                sizeof subs / sizeof subs[0]);
}

/* The host part of ADDR:PORT ("127.0.0.1", "[::1]"). */
struct ready_arg {
	char host[256];
};

static void on_ready(unsigned port, void *arg)
{
	const struct ready_arg *a = arg;

	printf(_("handeskd: listening on %s:%u\n"), a->host, port);
	fflush(stdout);
}

static int cmd_serve(int argc, char **argv, const char *db_url)
{
	static const struct option longopts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"threads", required_argument, NULL, 't'},
	    {"max-body", required_argument, NULL, OPT_MAX_BODY},
	    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
	    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
	    {"syslog", no_argument, NULL, OPT_SYSLOG},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct http_options o = {
	    .listen = conf.listen ? conf.listen : DEFAULT_LISTEN,
	    .db_url = db_url,
	    .threads = conf.threads ? conf.threads : DEFAULT_THREADS,
	    .max_body = conf.max_body ? conf.max_body : DEFAULT_MAX_BODY,
	    .log = stderr,
	    .trust_proxy = conf.trust_proxy,
	    .contact =
	        {
	            .site_keys = (const char *const *)conf.site_keys,
	            .n_site_keys = conf.n_site_keys,
	            .default_centre = conf.default_centre,
	            .rate_limit = conf.rate_limit,
	        },
	};
	const char *cert_path = conf.tls_cert, *key_path = conf.tls_key;
	char *cert = NULL, *key = NULL;
	bool use_syslog = conf.syslog;
	struct ready_arg ready;
	const char *colon;
	char *cause = NULL, *end;
	unsigned long n;
	int opt, status = 2;
	enum rc rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "l:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			o.listen = optarg;
			break;
		case 't':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || n < 1 || n > 256) {
				fprintf(stderr,
				        _("handeskd serve: --threads wants 1 to 256, not '%s'\n"),
				        optarg);
				return 2;
			}
			o.threads = (unsigned)n;
			break;
		case OPT_MAX_BODY:
			if (!central_conf_parse_size(optarg, &o.max_body) || o.max_body < 1024) {
				fprintf(
				    stderr,
				    _("handeskd serve: --max-body wants a size of at least 1024 "
				      "bytes (8388608, 64K, 8M), not '%s'\n"),
				    optarg);
				return 2;
			}
			break;
		case OPT_TLS_CERT:
			cert_path = optarg;
			break;
		case OPT_TLS_KEY:
			key_path = optarg;
			break;
		case OPT_SYSLOG:
			use_syslog = true;
			break;
		case 'h':
			usage_serve(stdout);
			return 0;
		default:
			fprintf(stderr, _("Try 'handeskd serve --help'.\n"));
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("handeskd serve: unexpected argument '%s'\n"), argv[optind]);
		return 2;
	}
	colon = strrchr(o.listen, ':');
	if (!colon || colon == o.listen || (size_t)(colon - o.listen) >= sizeof ready.host ||
	    !colon[1]) {
		fprintf(stderr, _("handeskd serve: --listen wants ADDR:PORT, not '%s'\n"),
		        o.listen);
		return 2;
	}
	if (!cert_path != !key_path) {
		fprintf(stderr, _("handeskd serve: HTTPS wants both a certificate and its key "
		                  "(--tls-cert and --tls-key, or tls_cert and tls_key)\n"));
		return 2;
	}
	if (o.contact.n_site_keys && !o.contact.default_centre) {
		fprintf(stderr, _("handeskd serve: site_key is set but default_centre is not: "
		                  "contact forms that match no centre need one\n"));
		return 2;
	}
	if (cert_path) {
		if (central_conf_read_pem(cert_path, &cert, &cause) ||
		    central_conf_read_pem(key_path, &key, &cause)) {
			fprintf(stderr, "handeskd serve: %s\n", cause ? cause : _("out of memory"));
			goto out;
		}
		o.tls_cert = cert;
		o.tls_key = key;
	}
	if (use_syslog) {
		o.log = central_log_syslog();
		if (!o.log) {
			fprintf(stderr, _("handeskd serve: cannot log to syslog\n"));
			status = 1;
			goto out;
		}
	}
	snprintf(ready.host, sizeof ready.host, "%.*s", (int)(colon - o.listen), o.listen);
	o.ready = on_ready;
	o.ready_arg = &ready;
	rc = http_serve(&o, &cause);
	if (rc)
		print_cause("serve", cause, rc);
	status = status_of(rc);
out:
	if (o.log && o.log != stderr)
		fclose(o.log);
	free(cause);
	if (key)
		explicit_bzero(key, strlen(key));
	free(key);
	free(cert);
	return status;
}

static const struct command commands[] = {
    {"migrate", cmd_migrate},
    {"centre", cmd_centre},
    {"token", cmd_token},
    {"serve", cmd_serve},
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"db", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *db_url = getenv("HANDESKD_DB"), *config_path = NULL;
	char *cause = NULL;
	int opt, status;

	i18n_init(NULL);
	/* '+': stop at the first non-option, the command owns what follows. */
	while ((opt = getopt_long(argc, argv, "+c:d:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'd':
			db_url = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("handeskd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, _("handeskd: say which command (try handeskd --help)\n"));
		return 2;
	}
	if (central_conf_load(config_path, &conf, &cause)) {
		fprintf(stderr, "handeskd: %s\n", cause ? cause : _("out of memory"));
		free(cause);
		central_conf_free(&conf);
		return 2;
	}
	if (!db_url)
		db_url = conf.database ? conf.database : "";
	status = -1;
	for (size_t i = 0; status < 0 && i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			status = commands[i].main(argc - optind, argv + optind, db_url);
	if (status < 0) {
		fprintf(stderr, _("handeskd: unknown command '%s' (try handeskd --help)\n"),
		        argv[optind]);
		status = 2;
	}
	central_conf_free(&conf);
	return status;
}
