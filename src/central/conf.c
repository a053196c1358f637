/* conf.c: handeskd.conf, the configuration file of handeskd: one
 * "key = value" a line, as handesk.conf (src/config.c), checked key by key. */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/central/conf.h"
#include "src/conffile.h"
#include "src/i18n.h"

#define PEM_MAX (1u << 20)

static enum rc set_cause(char **cause, enum rc rc, char *msg)
{
	if (cause)
		*cause = msg;
	else
		free(msg);
	return rc;
}

const char *central_conf_default_path(void)
{
	return SYSCONFDIR "/handesk/handeskd.conf";
}

bool central_conf_site_key_valid(const char *key)
{
	size_t n = 0;

	for (; key[n]; n++)
		if (key[n] <= 0x20 || key[n] >= 0x7f)
			return false;
	return n >= 16 && n <= 128;
}

bool central_conf_parse_size(const char *text, unsigned *out)
{
	unsigned long long v = 0, unit = 1;
	const char *p = text;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > UINT_MAX)
			return false;
	}
	if (*p == 'K' || *p == 'k')
		unit = 1024;
	else if (*p == 'M' || *p == 'm')
		unit = 1024 * 1024;
	if (unit > 1)
		p++;
	if (*p != '\0' || v * unit > UINT_MAX || v == 0)
		return false;
	*out = (unsigned)(v * unit);
	return true;
}

/* A whole number in [min, max]. */
static bool parse_uint(const char *text, unsigned min, unsigned max, unsigned *out)
{
	unsigned long long v = 0;

	if (!*text)
		return false;
	for (; *text; text++) {
		if (*text < '0' || *text > '9')
			return false;
		v = v * 10 + (unsigned)(*text - '0');
		if (v > max)
			return false;
	}
	if (v < min)
		return false;
	*out = (unsigned)v;
	return true;
}

/* yes/no and their usual spellings; -1 for anything else. */
static int parse_bool(const char *text)
{
	if (!strcmp(text, "yes") || !strcmp(text, "true") || !strcmp(text, "on") ||
	    !strcmp(text, "1"))
		return 1;
	if (!strcmp(text, "no") || !strcmp(text, "false") || !strcmp(text, "off") ||
	    !strcmp(text, "0"))
		return 0;
	return -1;
}

/* Replace *slot by a copy of value. */
static char *set_string(char **slot, const char *value, enum rc *rc)
{
	char *copy = strdup(value);

	if (!copy) {
		*rc = RC_NOMEM;
		return conffile_printf("%s", _("out of memory"));
	}
	free(*slot);
	*slot = copy;
	*rc = RC_OK;
	return NULL;
}

/* Apply one setting; on error a message without file and line (caller
 * frees), *rc set. */
static char *apply(void *ctx, const char *key, const char *value, enum rc *rc)
{
	struct central_conf *c = ctx;
	int b;

	*rc = RC_INVALID;
	if (!*value)
		return conffile_printf(_("no value for '%s'"), key);
	if (!strcmp(key, "listen"))
		return set_string(&c->listen, value, rc);
	if (!strcmp(key, "database"))
		return set_string(&c->database, value, rc);
	if (!strcmp(key, "tls_cert"))
		return set_string(&c->tls_cert, value, rc);
	if (!strcmp(key, "tls_key"))
		return set_string(&c->tls_key, value, rc);
	if (!strcmp(key, "threads")) {
		if (!parse_uint(value, 1, 256, &c->threads))
			return conffile_printf(_("threads must be 1 to 256, not '%s'"), value);
	} else if (!strcmp(key, "max_body")) {
		if (!central_conf_parse_size(value, &c->max_body) || c->max_body < 1024)
			return conffile_printf(_("max_body must be a size of at least 1024 bytes "
			                         "(8388608, 64K, 8M), not '%s'"),
			                       value);
	} else if (!strcmp(key, "rate_limit")) {
		if (!parse_uint(value, 1, 100000, &c->rate_limit))
			return conffile_printf(_("rate_limit must be 1 to 100000 contact forms a "
			                         "minute, not '%s'"),
			                       value);
	} else if (!strcmp(key, "trust_proxy") || !strcmp(key, "syslog")) {
		b = parse_bool(value);
		if (b < 0)
			return conffile_printf(_("%s must be yes or no, not '%s'"), key, value);
		if (key[0] == 't')
			c->trust_proxy = b;
		else
			c->syslog = b;
	} else if (!strcmp(key, "site_key")) {
		char **grown;

		if (!central_conf_site_key_valid(value))
			return conffile_printf("%s", _("site_key must be 16 to 128 printable ASCII "
			                               "characters without blanks"));
		if (c->n_site_keys >= CENTRAL_CONF_MAX_SITE_KEYS)
			return conffile_printf(_("at most %d site_key lines"),
			                       CENTRAL_CONF_MAX_SITE_KEYS);
		grown = realloc(c->site_keys, (c->n_site_keys + 1) * sizeof *grown);
		if (!grown) {
			*rc = RC_NOMEM;
			return conffile_printf("%s", _("out of memory"));
		}
		c->site_keys = grown;
		c->site_keys[c->n_site_keys] = strdup(value);
		if (!c->site_keys[c->n_site_keys]) {
			*rc = RC_NOMEM;
			return conffile_printf("%s", _("out of memory"));
		}
		c->n_site_keys++;
	} else if (!strcmp(key, "default_centre")) {
		size_t n = strlen(value);

		if (n < 2 || n > 15 || strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != n)
			return conffile_printf(
			    _("default_centre must be a centre code (2 to 15 upper "
			      "case letters or digits), not '%s'"),
			    value);
		return set_string(&c->default_centre, value, rc);
	} else {
		return conffile_printf(_("unknown key '%s'"), key);
	}
	*rc = RC_OK;
	return NULL;
}

enum rc central_conf_load(const char *path, struct central_conf *c, char **cause)
{
	FILE *f;
	enum rc rc;

	memset(c, 0, sizeof *c);
	c->rate_limit = CENTRAL_CONF_RATE_LIMIT;
	if (!path) {
		path = central_conf_default_path();
		f = fopen(path, "re");
		if (!f && errno == ENOENT)
			return RC_OK;
	} else {
		f = fopen(path, "re");
	}
	if (!f)
		return set_cause(cause, RC_IO,
		                 conffile_printf(_("cannot read %s: %s"), path, strerror(errno)));
	c->path = strdup(path);
	rc = c->path ? conffile_parse(f, path, apply, c, cause)
	             : set_cause(cause, RC_NOMEM, conffile_printf("%s", _("out of memory")));
	fclose(f);
	if (rc) {
		central_conf_free(c);
		c->rate_limit = CENTRAL_CONF_RATE_LIMIT;
	}
	return rc;
}

void central_conf_free(struct central_conf *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->listen);
	free(c->database);
	free(c->tls_cert);
	free(c->tls_key);
	for (size_t i = 0; i < c->n_site_keys; i++) {
		explicit_bzero(c->site_keys[i], strlen(c->site_keys[i]));
		free(c->site_keys[i]);
	}
	free(c->site_keys);
	free(c->default_centre);
	memset(c, 0, sizeof *c);
}

enum rc central_conf_read_pem(const char *path, char **out, char **cause)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;
	enum rc rc = RC_OK;

	*out = NULL;
	if (!f)
		return set_cause(cause, RC_IO,
		                 conffile_printf(_("cannot read %s: %s"), path, strerror(errno)));
	buf = malloc(PEM_MAX + 1);
	if (!buf) {
		rc = set_cause(cause, RC_NOMEM, conffile_printf("%s", _("out of memory")));
		goto out;
	}
	len = fread(buf, 1, PEM_MAX + 1, f);
	if (ferror(f)) {
		rc = set_cause(cause, RC_IO,
		               conffile_printf(_("cannot read %s: %s"), path, strerror(errno)));
		goto out;
	}
	if (len > PEM_MAX) {
		rc = set_cause(cause, RC_INVALID,
		               conffile_printf(_("%s: larger than 1 MiB, not a PEM file"), path));
		goto out;
	}
	buf[len] = '\0';
	if (strlen(buf) != len || !strstr(buf, "-----BEGIN ")) {
		rc = set_cause(cause, RC_INVALID,
		               conffile_printf(_("%s: not a PEM file (no -----BEGIN line)"), path));
		goto out;
	}
	*out = buf;
	buf = NULL;
out:
	if (buf)
		explicit_bzero(buf, len < PEM_MAX ? len : PEM_MAX);
	free(buf);
	fclose(f);
	return rc;
}
