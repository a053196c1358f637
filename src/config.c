/* config.c: handesk.conf (key = value lines, '#' comments) and the default
 * XDG paths of the cache and the configuration. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/conffile.h"
#include "src/config.h"
#include "src/date.h"
#include "src/i18n.h"

/*
 * The file: one "key = value" per line; blank lines and lines whose first
 * non-blank character is '#' are ignored ('#' elsewhere is part of the
 * value, so a path may hold one).  Blanks around key and value are dropped;
 * a value in double quotes keeps its blanks.  Keys: cache, login, language,
 * theme, centre, closure (repeatable), server, token, ca_file and
 * sync_interval.  A file holding a token must not be readable by others.  A later line for the same
 * key wins, but closures add up.
 */

static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && *home)
		return home;
	pw = getpwuid(getuid());
	return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
}

/* $VAR/handesk/name if VAR holds an absolute path (the XDG rule: relative
 * ones are ignored), else ~/fallback/handesk/name. */
static char *xdg_path(const char *var, const char *fallback, const char *name)
{
	const char *base = getenv(var), *home;

	if (base && base[0] == '/')
		return conffile_printf("%s/handesk/%s", base, name);
	home = home_dir();
	if (!home)
		return NULL;
	return conffile_printf("%s/%s/handesk/%s", home, fallback, name);
}

char *config_default_db_path(void)
{
	return xdg_path("XDG_DATA_HOME", ".local/share", "cache.db");
}

char *config_default_config_path(void)
{
	return xdg_path("XDG_CONFIG_HOME", ".config", "handesk.conf");
}

static bool key_is(const char *k, const char *ke, const char *name)
{
	size_t n = strlen(name);

	return (size_t)(ke - k) == n && memcmp(k, name, n) == 0;
}

static bool one_of(const char *value, const char *const *choices)
{
	for (; *choices; choices++)
		if (strcmp(value, *choices) == 0)
			return true;
	return false;
}

static const char *const languages[] = {"nl", "fr", "de", "en", NULL};
/* True if the host of "HOST[:PORT][/...]" is this machine (localhost,
 * 127.0.0.0/8, [::1]): the only place plain http may carry a token. */
static bool loopback_url(const char *rest)
{
	size_t n = strcspn(rest, "/?#");
	const char *colon;

	if (strncmp(rest, "[::1]", 5) == 0)
		return n == 5 || rest[5] == ':';
	colon = memchr(rest, ':', n);
	if (colon)
		n = (size_t)(colon - rest);
	if (n == 9 && strncmp(rest, "localhost", 9) == 0)
		return true;
	if (n < 4 || strncmp(rest, "127.", 4) != 0)
		return false;
	for (size_t i = 4; i < n; i++)
		if (!(rest[i] == '.' || (rest[i] >= '0' && rest[i] <= '9')))
			return false;
	return true;
}

static const char *const themes[] = {"default", "high-contrast", "mono", NULL};

/* Check one setting; on error return a message (without file and line),
 * newly allocated, and leave cfg alone.  cfg may be NULL (just check). */
static char *apply(void *ctx, const char *key, const char *value, enum rc *rc)
{
	struct config *cfg = ctx;
	char **slot = NULL, *copy;
	struct date d;
	const char *home;

	*rc = RC_INVALID;
	if (strcmp(key, "language") == 0) {
		if (*value && !one_of(value, languages))
			return conffile_printf(_("language must be nl, fr, de or en, not '%s'"),
			                       value);
		if (!cfg) {
			*rc = RC_OK;
			return NULL;
		}
		slot = &cfg->language;
		if (!*value) { /* empty: back to the locale's language */
			free(*slot);
			*slot = NULL;
			*rc = RC_OK;
			return NULL;
		}
	} else if (strcmp(key, "closure") == 0) {
		if (!date_parse(value, &d))
			return conffile_printf(
			    _("closure must be a date such as 2026-11-15, not '%s'"), value);
		if (!cfg) {
			*rc = RC_OK;
			return NULL;
		}
		if (workdays_add_closure(&cfg->calendar, d)) {
			*rc = RC_NOMEM;
			return conffile_printf("%s", _("out of memory"));
		}
		*rc = RC_OK;
		return NULL;
	} else if (strcmp(key, "theme") == 0) {
		if (!one_of(value, themes))
			return conffile_printf(
			    _("theme must be default, high-contrast or mono, not '%s'"), value);
		slot = cfg ? &cfg->theme : NULL;
	} else if (strcmp(key, "cache") == 0) {
		slot = cfg ? &cfg->db_path : NULL;
	} else if (strcmp(key, "login") == 0) {
		slot = cfg ? &cfg->login : NULL;
	} else if (strcmp(key, "centre") == 0) {
		slot = cfg ? &cfg->centre : NULL;
	} else if (strcmp(key, "server") == 0) {
		if (strncmp(value, "https://", 8) != 0 && strncmp(value, "http://", 7) != 0)
			return conffile_printf(
			    _("server must be an https:// (or http://) URL, not '%s'"), value);
		if (strncmp(value, "http://", 7) == 0 && !loopback_url(value + 7))
			return conffile_printf(
			    _("server: plain http:// would send the token and "
			      "personal data unencrypted; use https:// (http:// is "
			      "accepted only for a service on this machine), not '%s'"),
			    value);
		slot = cfg ? &cfg->server : NULL;
	} else if (strcmp(key, "token") == 0) {
		slot = cfg ? &cfg->token : NULL;
	} else if (strcmp(key, "ca_file") == 0) {
		slot = cfg ? &cfg->ca_file : NULL;
	} else if (strcmp(key, "sync_interval") == 0) {
		char *end;
		long v = strtol(value, &end, 10);
		if (!*value || *end || v < 5 || v > 86400)
			return conffile_printf(
			    _("sync_interval must be a number of seconds from 5 to "
			      "86400, not '%s'"),
			    value);
		if (cfg)
			cfg->sync_interval = v;
		*rc = RC_OK;
		return NULL;
	} else {
		return conffile_printf(_("unknown key '%s'"), key);
	}
	if (!*value)
		return conffile_printf(_("no value for '%s'"), key);
	if (!cfg) {
		*rc = RC_OK;
		return NULL;
	}
	if (strcmp(key, "cache") == 0 && value[0] == '~' && value[1] == '/' &&
	    (home = home_dir()) != NULL)
		copy = conffile_printf("%s%s", home, value + 1);
	else
		copy = strdup(value);
	if (!copy) {
		*rc = RC_NOMEM;
		return conffile_printf("%s", _("out of memory"));
	}
	free(*slot);
	*slot = copy;
	*rc = RC_OK;
	return NULL;
}

static enum rc set_cause(char **cause, enum rc rc, char *msg)
{
	if (cause)
		*cause = msg;
	else
		free(msg);
	return rc;
}

enum rc config_load(const char *path, struct config *cfg, char **cause)
{
	char *def = NULL;
	FILE *f = NULL;
	enum rc rc = RC_OK;

	memset(cfg, 0, sizeof *cfg);
	workdays_init(&cfg->calendar);
	cfg->db_path = config_default_db_path();
	cfg->theme = strdup("default");
	cfg->sync_interval = 60;
	if (!cfg->theme) {
		rc = set_cause(cause, RC_NOMEM, conffile_printf("%s", _("out of memory")));
		goto out;
	}
	if (!cfg->db_path) {
		rc = set_cause(
		    cause, RC_IO,
		    conffile_printf("%s", _("no home directory: set HOME or XDG_DATA_HOME")));
		goto out;
	}
	if (!path) {
		def = config_default_config_path();
		if (!def)
			goto out; /* no home: no default file either */
		f = fopen(def, "re");
		if (!f && errno == ENOENT)
			goto out;
		path = def;
	} else {
		f = fopen(path, "re");
	}
	if (!f) {
		rc = set_cause(cause, RC_IO,
		               conffile_printf(_("cannot read %s: %s"), path, strerror(errno)));
		goto out;
	}
	cfg->path = strdup(path);
	if (!cfg->path) {
		rc = set_cause(cause, RC_NOMEM, conffile_printf("%s", _("out of memory")));
		goto out;
	}
	rc = conffile_parse(f, path, apply, cfg, cause);
	if (!rc && cfg->token) {
		struct stat st;
		/* A secret others can read is no secret: refuse it, loudly. */
		if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
			rc = set_cause(
			    cause, RC_INVALID,
			    conffile_printf(
			        _("%s holds the sync token but others may read it (mode %03o): "
			          "run chmod 600 %s"),
			        path, (unsigned)(st.st_mode & 0777), path));
		}
	}
out:
	if (f)
		fclose(f);
	free(def);
	if (rc)
		config_free(cfg);
	return rc;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->db_path);
	free(cfg->login);
	free(cfg->language);
	free(cfg->theme);
	free(cfg->centre);
	free(cfg->server);
	free(cfg->token);
	free(cfg->ca_file);
	workdays_free(&cfg->calendar);
	memset(cfg, 0, sizeof *cfg);
}

enum rc config_make_parent(const char *path, char **cause)
{
	char *dir = strdup(path ? path : "");
	char *slash, *p;
	struct stat st;
	enum rc rc = RC_OK;

	if (!dir)
		return set_cause(cause, RC_NOMEM, conffile_printf("%s", _("out of memory")));
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		goto out; /* current or root directory */
	*slash = '\0';
	for (p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			rc = set_cause(cause, RC_IO,
			               conffile_printf(_("cannot create directory %s: %s"), dir,
			                               strerror(errno)));
			goto out;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		rc = set_cause(cause, RC_IO, conffile_printf(_("%s is not a directory"), dir));
out:
	free(dir);
	return rc;
}

/* Append "key = value\n" to buf, quoting a value with blanks at its ends. */
static int append_setting(FILE *buf, const char *key, const char *value)
{
	size_t n = strlen(value);
	bool quote = n > 0 && (value[0] == ' ' || value[0] == '\t' || value[n - 1] == ' ' ||
	                       value[n - 1] == '\t' || value[0] == '"');

	return fprintf(buf, quote ? "%s = \"%s\"\n" : "%s = %s\n", key, value) < 0 ? -1 : 0;
}

/* Write data to path atomically: a temporary file beside it, mode 0600,
 * synced, then renamed over it. */
static enum rc write_atomic(const char *path, const char *data, size_t len, char **cause)
{
	char *tmp = conffile_printf("%s.XXXXXX", path);
	size_t done = 0;
	ssize_t w;
	int fd;

	if (!tmp)
		return set_cause(cause, RC_NOMEM, conffile_printf("%s", _("out of memory")));
	fd = mkstemp(tmp); /* mode 0600 */
	if (fd < 0)
		goto fail;
	if (fchmod(fd, 0600) != 0)
		goto fail;
	while (done < len) {
		w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		done += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	free(tmp);
	return RC_OK;
fail:
	set_cause(cause, RC_IO, conffile_printf(_("cannot write %s: %s"), path, strerror(errno)));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return RC_IO;
}

enum rc config_set(const char *path, const char *key, const char *value, char **cause)
{
	char *def = NULL, *line = NULL, *out_data = NULL, *msg;
	size_t cap = 0, out_len = 0;
	FILE *in = NULL, *out = NULL;
	const char *k, *ke, *v, *ve;
	bool done = false, closure;
	struct date want, have;
	enum rc rc = RC_OK;

	if (!key || !value)
		return set_cause(cause, RC_INVALID, conffile_printf("%s", _("no key or value")));
	if (strpbrk(key, "\n\r") || strpbrk(value, "\n\r"))
		return set_cause(cause, RC_INVALID,
		                 conffile_printf(_("a value for '%s' must fit on one line"), key));
	msg = apply(NULL, key, value, &rc);
	if (rc)
		return set_cause(cause, rc, msg);
	closure = strcmp(key, "closure") == 0;
	if (closure && !date_parse(value, &want))
		return set_cause(cause, RC_INVALID, conffile_printf(_("bad date '%s'"), value));
	if (!path) {
		path = def = config_default_config_path();
		if (!path)
			return set_cause(cause, RC_IO,
			                 conffile_printf("%s", _("no home directory: set HOME or "
			                                         "XDG_CONFIG_HOME")));
	}
	out = open_memstream(&out_data, &out_len);
	if (!out) {
		rc = set_cause(cause, RC_NOMEM, conffile_printf("%s", _("out of memory")));
		goto out;
	}
	in = fopen(path, "re");
	if (!in && errno != ENOENT) {
		rc = set_cause(cause, RC_IO,
		               conffile_printf(_("cannot read %s: %s"), path, strerror(errno)));
		goto out;
	}
	while (in) {
		ssize_t n = getline(&line, &cap, in);
		if (n < 0)
			break;
		if (conffile_split(line, strcspn(line, "\n"), &k, &ke, &v, &ve) == 1 &&
		    key_is(k, ke, key)) {
			if (closure) {
				char *d = strndup(v, (size_t)(ve - v));
				bool same =
				    d && date_parse(d, &have) && date_compare(have, want) == 0;
				free(d);
				if (same)
					done = true; /* already listed */
			} else {
				/* the first one takes the new value, later ones go */
				if (!done && append_setting(out, key, value) != 0)
					goto nomem;
				done = true;
				continue;
			}
		}
		if (fputs(line, out) == EOF)
			goto nomem;
		if (line[n - 1] != '\n' && fputc('\n', out) == EOF)
			goto nomem;
	}
	if (in && ferror(in)) {
		rc = set_cause(cause, RC_IO,
		               conffile_printf(_("cannot read %s: %s"), path, strerror(errno)));
		goto out;
	}
	if (!done && append_setting(out, key, value) != 0)
		goto nomem;
	if (fclose(out) != 0) {
		out = NULL;
		goto nomem;
	}
	out = NULL;
	rc = config_make_parent(path, cause);
	if (rc)
		goto out;
	rc = write_atomic(path, out_data, out_len, cause);
	goto out;
nomem:
	rc = set_cause(cause, RC_NOMEM, conffile_printf("%s", _("out of memory")));
out:
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	free(out_data);
	free(line);
	free(def);
	return rc;
}
