/* conffile.c: the "key = value" line format of the configuration files
 * (see conffile.h). */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "src/conffile.h"
#include "src/i18n.h"

char *conffile_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

static enum rc set_cause(char **cause, enum rc rc, char *msg)
{
	if (cause)
		*cause = msg;
	else
		free(msg);
	return rc;
}

/* Drop blanks at both ends of [*s, *e). */
static void trim_span(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
}

int conffile_split(const char *line, size_t len, const char **k, const char **ke, const char **v,
                   const char **ve)
{
	const char *s = line, *e = line + len, *eq;

	trim_span(&s, &e);
	if (s == e || *s == '#')
		return 0;
	eq = memchr(s, '=', (size_t)(e - s));
	if (!eq)
		return -1;
	*k = s;
	*ke = eq;
	*v = eq + 1;
	*ve = e;
	trim_span(k, ke);
	trim_span(v, ve);
	if (*ve - *v >= 2 && **v == '"' && (*ve)[-1] == '"') {
		(*v)++;
		(*ve)--;
	}
	return 1;
}

enum rc conffile_parse(FILE *f, const char *path, conffile_apply_fn *apply, void *ctx, char **cause)
{
	char *line = NULL, *key = NULL, *value = NULL, *msg;
	size_t cap = 0;
	const char *k, *ke, *v, *ve;
	ssize_t len;
	enum rc rc = RC_OK;
	int lineno = 0, kind;

	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		/* A byte order mark, as some Windows editors write, is no key. */
		if (lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
			memmove(line, line + 3, (size_t)len - 2);
			len -= 3;
		}
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (memchr(line, '\0', (size_t)len)) {
			rc = set_cause(cause, RC_INVALID,
			               conffile_printf(_("%s:%d: a NUL byte"), path, lineno));
			goto out;
		}
		kind = conffile_split(line, (size_t)len, &k, &ke, &v, &ve);
		if (kind == 0)
			continue;
		if (kind < 0) {
			rc = set_cause(
			    cause, RC_INVALID,
			    conffile_printf(_("%s:%d: expected 'key = value'"), path, lineno));
			goto out;
		}
		key = strndup(k, (size_t)(ke - k));
		value = strndup(v, (size_t)(ve - v));
		if (!key || !value) {
			rc = set_cause(cause, RC_NOMEM, conffile_printf("%s", _("out of memory")));
			goto out;
		}
		msg = apply(ctx, key, value, &rc);
		if (rc) {
			rc = set_cause(cause, rc, conffile_printf("%s:%d: %s", path, lineno, msg));
			free(msg);
			goto out;
		}
		free(key);
		free(value);
		key = value = NULL;
	}
	if (ferror(f))
		rc = set_cause(cause, RC_IO,
		               conffile_printf(_("cannot read %s: %s"), path, strerror(errno)));
out:
	free(key);
	free(value);
	free(line);
	return rc;
}
