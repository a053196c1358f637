/* test_config.c: unit tests of handesk.conf and the default paths (src/config.c). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/config.h"

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/handesk-test-config-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(config, .init = make_dir, .fini = remove_dir);

static char *path_in(const char *name)
{
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static char *read_file(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f, "%s", path);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Load text as a configuration file and expect an error mentioning want. */
static void assert_error(const char *text, const char *want)
{
	struct config cfg;
	char *cause = NULL;
	char *p = path_in("bad.conf");

	write_file(p, text);
	cr_assert_eq(config_load(p, &cfg, &cause), RC_INVALID, "'%s' accepted", text);
	cr_assert_not_null(cause);
	cr_assert_not_null(strstr(cause, want), "cause '%s' lacks '%s'", cause, want);
	cr_assert_not_null(strstr(cause, p), "cause '%s' lacks the file name", cause);
	free(cause);
}

Test(config, default_paths)
{
	char *p;

	setenv("XDG_DATA_HOME", "/srv/data", 1);
	setenv("XDG_CONFIG_HOME", "/srv/conf", 1);
	p = config_default_db_path();
	cr_assert_str_eq(p, "/srv/data/handesk/cache.db");
	free(p);
	p = config_default_config_path();
	cr_assert_str_eq(p, "/srv/conf/handesk/handesk.conf");
	free(p);

	unsetenv("XDG_DATA_HOME");
	setenv("XDG_CONFIG_HOME", "relative/ignored", 1);
	setenv("HOME", "/home/anne", 1);
	p = config_default_db_path();
	cr_assert_str_eq(p, "/home/anne/.local/share/handesk/cache.db");
	free(p);
	p = config_default_config_path();
	cr_assert_str_eq(p, "/home/anne/.config/handesk/handesk.conf");
	free(p);
}

Test(config, missing_default_is_fine)
{
	struct config cfg;
	char *cause = NULL;

	setenv("XDG_CONFIG_HOME", dir, 1);
	setenv("XDG_DATA_HOME", dir, 1);
	cr_assert_eq(config_load(NULL, &cfg, &cause), RC_OK, "%s", cause);
	cr_assert_null(cfg.path);
	cr_assert_str_eq(cfg.db_path, path_in("handesk/cache.db"));
	cr_assert_null(cfg.login);
	cr_assert_null(cfg.language);
	cr_assert_str_eq(cfg.theme, "default");
	cr_assert_null(cfg.centre);
	cr_assert_eq(cfg.calendar.n_closures, 0);
	config_free(&cfg);
	config_free(&cfg); /* harmless twice */
}

Test(config, default_file_is_read)
{
	struct config cfg;
	char *cause = NULL;

	setenv("XDG_CONFIG_HOME", dir, 1);
	cr_assert_eq(config_make_parent(path_in("handesk/handesk.conf"), &cause), RC_OK);
	write_file(path_in("handesk/handesk.conf"), "language = de\n");
	cr_assert_eq(config_load(NULL, &cfg, &cause), RC_OK, "%s", cause);
	cr_assert_str_eq(cfg.path, path_in("handesk/handesk.conf"));
	cr_assert_str_eq(cfg.language, "de");
	config_free(&cfg);
}

Test(config, missing_explicit_is_an_error)
{
	struct config cfg;
	char *cause = NULL;

	cr_assert_eq(config_load(path_in("nope.conf"), &cfg, &cause), RC_IO);
	cr_assert_not_null(cause);
	cr_assert_not_null(strstr(cause, "nope.conf"), "%s", cause);
	free(cause);
}

Test(config, every_key)
{
	struct config cfg;
	char *cause = NULL;
	char *p = path_in("all.conf");

	setenv("HOME", "/home/anne", 1);
	write_file(p, "# handesk.conf of the Ghent centre\n"
	              "\n"
	              "   # an indented comment\n"
	              "cache = ~/caches/ghent.db\n"
	              "login=apeeters\n"
	              "  language   =   fr  \n"
	              "theme = high-contrast\n"
	              "centre = \" GNT \"\n"
	              "closure = 2026-11-15\n"
	              "closure = 15/05/2026\r\n"
	              "closure = 2026-05-15\n"
	              "closure = 2026-01-02");
	cr_assert_eq(config_load(p, &cfg, &cause), RC_OK, "%s", cause);
	cr_assert_str_eq(cfg.path, p);
	cr_assert_str_eq(cfg.db_path, "/home/anne/caches/ghent.db");
	cr_assert_str_eq(cfg.login, "apeeters");
	cr_assert_str_eq(cfg.language, "fr");
	cr_assert_str_eq(cfg.theme, "high-contrast");
	cr_assert_str_eq(cfg.centre, " GNT ");
	cr_assert_eq(cfg.calendar.n_closures, 3);
	cr_assert_eq(cfg.calendar.closures[0].month, 1);
	cr_assert_eq(cfg.calendar.closures[1].month, 5);
	cr_assert_eq(cfg.calendar.closures[2].month, 11);
	config_free(&cfg);
}

Test(config, later_lines_win)
{
	struct config cfg;
	char *cause = NULL;
	char *p = path_in("twice.conf");

	write_file(p, "language = fr\nlanguage = nl\ntheme = mono\nlanguage =\n");
	cr_assert_eq(config_load(p, &cfg, &cause), RC_OK, "%s", cause);
	cr_assert_null(cfg.language, "an empty language means the locale's");
	cr_assert_str_eq(cfg.theme, "mono");
	config_free(&cfg);
}

Test(config, byte_order_mark)
{
	struct config cfg;
	char *cause = NULL;
	char *p = path_in("bom.conf");

	write_file(p, "\xef\xbb\xbflanguage = fr\r\ntheme = mono\r\n");
	cr_assert_eq(config_load(p, &cfg, &cause), RC_OK, "%s", cause);
	cr_assert_str_eq(cfg.language, "fr");
	cr_assert_str_eq(cfg.theme, "mono");
	config_free(&cfg);
	assert_error("language = fr\n\xef\xbb\xbftheme = mono\n", ":2: unknown key");
}

Test(config, errors_name_file_and_line)
{
	assert_error("colour = red\n", ":1: unknown key 'colour'");
	assert_error("# comment\n\nlanguage = es\n", ":3: language must be");
	assert_error("theme = dark\n", ":1: theme must be");
	assert_error("language = nl\nclosure = 2026-02-30\n", ":2: closure must be a date");
	assert_error("closure = tomorrow\n", ":1: closure");
	assert_error("\n\n\n\njust words\n", ":5: expected 'key = value'");
	assert_error("login =\n", ":1: no value for 'login'");
	assert_error("cache = \n", ":1: no value for 'cache'");
	assert_error("= value\n", ":1: unknown key ''");
}

/* The token and personal data never travel unencrypted to another host. */
Test(config, plain_http_only_to_this_machine)
{
	static const char *const ok[] = {
	    "http://127.0.0.1:8080",     "http://127.0.0.1",      "http://localhost:8080/",
	    "http://[::1]:8080/handesk", "http://127.1.2.3/x",    "https://central.example.be",
	    "https://10.0.0.1:8443/",    "http://localhost/?x=1",
	};
	static const char *const refused[] = {
	    "http://central.example.be/",
	    "http://10.0.0.1:8080",
	    "http://127.0.0.1.example.com/",
	    "http://localhost.example.com:80",
	    "http://[::1].evil/",
	    "http://128.0.0.1/",
	};
	char text[256];

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct config cfg = {0};
		char *cause = NULL, *path = path_in("ok.conf");
		snprintf(text, sizeof text, "server = %s\n", ok[i]);
		write_file(path, text);
		cr_assert_eq(config_load(path, &cfg, &cause), RC_OK, "%s: %s", ok[i], cause);
		cr_assert_str_eq(cfg.server, ok[i]);
		config_free(&cfg);
	}
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		snprintf(text, sizeof text, "server = %s\n", refused[i]);
		assert_error(text, ":1: server: plain http:// would send the token");
	}
}

Test(config, set_keeps_other_lines)
{
	struct config cfg;
	char *cause = NULL;
	char *p = path_in("keep.conf");
	struct stat st;

	write_file(p, "# my settings\n"
	              "cache = /srv/handesk/cache.db\n"
	              "language = nl   # not a comment: kept as is\n"
	              "\n"
	              "closure = 2026-11-15\n"
	              "language = fr\n"
	              "theme = mono");
	cr_assert_eq(config_set(p, "language", "de", &cause), RC_OK, "%s", cause);
	cr_assert_str_eq(read_file(p), "# my settings\n"
	                               "cache = /srv/handesk/cache.db\n"
	                               "language = de\n"
	                               "\n"
	                               "closure = 2026-11-15\n"
	                               "theme = mono\n");
	cr_assert_eq(config_set(p, "centre", "GNT", &cause), RC_OK, "%s", cause);
	cr_assert_eq(config_set(p, "closure", "2026-11-15", &cause), RC_OK, "%s", cause);
	cr_assert_eq(config_set(p, "closure", "2026-05-15", &cause), RC_OK, "%s", cause);
	cr_assert_eq(config_set(p, "theme", "high-contrast", &cause), RC_OK, "%s", cause);
	cr_assert_str_eq(read_file(p), "# my settings\n"
	                               "cache = /srv/handesk/cache.db\n"
	                               "language = de\n"
	                               "\n"
	                               "closure = 2026-11-15\n"
	                               "theme = high-contrast\n"
	                               "centre = GNT\n"
	                               "closure = 2026-05-15\n");
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(config_load(p, &cfg, &cause), RC_OK, "%s", cause);
	cr_assert_str_eq(cfg.language, "de");
	cr_assert_eq(cfg.calendar.n_closures, 2);
	config_free(&cfg);
	/* no temporary file left beside it */
	DIR *d = opendir(dir);
	struct dirent *e;
	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		cr_assert_null(strstr(e->d_name, "keep.conf."), "left over: %s", e->d_name);
	closedir(d);
}

Test(config, set_creates_file_and_dirs)
{
	char *cause = NULL;
	char *p = path_in("a/b/handesk.conf");
	struct stat st;

	cr_assert_eq(config_set(p, "language", "nl", &cause), RC_OK, "%s", cause);
	cr_assert_str_eq(read_file(p), "language = nl\n");
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(stat(path_in("a/b"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	cr_assert_eq(stat(path_in("a"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	/* a value with blanks at its ends is quoted, and read back the same */
	cr_assert_eq(config_set(p, "centre", " X ", &cause), RC_OK, "%s", cause);
	cr_assert_str_eq(read_file(p), "language = nl\ncentre = \" X \"\n");
	/* an existing file's mode is made 0600 again */
	cr_assert_eq(chmod(p, 0644), 0);
	cr_assert_eq(config_set(p, "language", "fr", &cause), RC_OK, "%s", cause);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
}

Test(config, set_default_path)
{
	char *cause = NULL;

	setenv("XDG_CONFIG_HOME", dir, 1);
	cr_assert_eq(config_set(NULL, "theme", "mono", &cause), RC_OK, "%s", cause);
	cr_assert_str_eq(read_file(path_in("handesk/handesk.conf")), "theme = mono\n");
}

Test(config, set_refuses_bad_input)
{
	char *cause = NULL;
	char *p = path_in("refuse.conf");

	write_file(p, "language = nl\n");
	cr_assert_eq(config_set(p, "colour", "red", &cause), RC_INVALID);
	cr_assert_not_null(strstr(cause, "unknown key"));
	free(cause);
	cause = NULL;
	cr_assert_eq(config_set(p, "language", "es", &cause), RC_INVALID);
	free(cause);
	cause = NULL;
	cr_assert_eq(config_set(p, "login", "a\nlanguage = fr", &cause), RC_INVALID);
	free(cause);
	cause = NULL;
	cr_assert_eq(config_set(p, "closure", "31/02/2026", &cause), RC_INVALID);
	free(cause);
	cr_assert_str_eq(read_file(p), "language = nl\n", "file untouched");
}

Test(config, make_parent)
{
	char *cause = NULL;
	struct stat st;

	cr_assert_eq(config_make_parent(path_in("x/y/z/file"), &cause), RC_OK, "%s", cause);
	cr_assert_eq(stat(path_in("x/y/z"), &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(config_make_parent(path_in("x/y/z/file"), &cause), RC_OK, "again");
	cr_assert_eq(config_make_parent("file-here", &cause), RC_OK);
	write_file(path_in("plain"), "");
	cr_assert_eq(config_make_parent(path_in("plain/file"), &cause), RC_IO);
	cr_assert_not_null(cause);
	free(cause);
}
