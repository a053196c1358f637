/* src/central/conf.h: handeskd.conf, the configuration file of handeskd
 * (key = value lines, '#' comments), read before the flags that override it. */
#ifndef HANDESK_CENTRAL_CONF_H
#define HANDESK_CENTRAL_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "../rc.h"

#define CENTRAL_CONF_MAX_SITE_KEYS 32
#define CENTRAL_CONF_RATE_LIMIT    10 /* contact forms per source per minute */

struct central_conf {
	char *path;           /* the file read, NULL if none */
	char *listen;         /* "listen = ADDR:PORT", NULL = not set */
	char *database;       /* "database = URL", NULL = not set */
	unsigned threads;     /* "threads = N", 0 = not set */
	unsigned max_body;    /* "max_body = BYTES", 0 = not set */
	char *tls_cert;       /* "tls_cert = FILE" (PEM), NULL = not set */
	char *tls_key;        /* "tls_key = FILE" (PEM), NULL = not set */
	bool trust_proxy;     /* "trust_proxy = yes": believe X-Forwarded-For of a loopback peer */
	bool syslog;          /* "syslog = yes": log to syslog, not standard error */
	char **site_keys;     /* "site_key = KEY" lines, in order */
	size_t n_site_keys;   /* how many */
	char *default_centre; /* "default_centre = CODE", NULL = not set */
	unsigned rate_limit;  /* "rate_limit = N", default CENTRAL_CONF_RATE_LIMIT */
};

/* The default path, SYSCONFDIR/handesk/handeskd.conf (static string). */
const char *central_conf_default_path(void);

/* Read path into *c (NULL = the default path, whose absence is no error;
 * an explicit file must exist).  Unknown keys and bad values are errors
 * with the file name and line number in *cause (caller frees).  On
 * failure *c is left empty; free it with central_conf_free either way. */
enum rc central_conf_load(const char *path, struct central_conf *c, char **cause);
void central_conf_free(struct central_conf *c);

/* Checks shared with the flags: a site key (16 to 128 printable ASCII
 * characters without blanks), a size in bytes ("8388608", "64K", "8M"). */
bool central_conf_site_key_valid(const char *key);
bool central_conf_parse_size(const char *text, unsigned *out);

/* Read a whole PEM file (a certificate or a key) into *out (caller frees):
 * at most 1 MiB, with a "-----BEGIN " line. */
enum rc central_conf_read_pem(const char *path, char **out, char **cause);

#endif
