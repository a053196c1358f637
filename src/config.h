/* config.h: handesk.conf (key = value lines, '#' comments) and the default
 * XDG paths of the cache and the configuration. */
#ifndef HANDESK_CONFIG_H
#define HANDESK_CONFIG_H

#include "rc.h"
#include "workdays.h"

struct config {
	char *path;               /* file it was read from, or NULL */
	char *db_path;            /* "cache = PATH" or the XDG default */
	char *login;              /* "login = NAME": staff login; default the OS user */
	char *language;           /* "language = nl|fr|de|en", or NULL for the locale */
	char *theme;              /* "theme = default|high-contrast|mono" */
	char *centre;             /* "centre = CODE": default centre for a new cache */
	struct workdays calendar; /* "closure = YYYY-MM-DD" lines */
	char *server;             /* "server = URL": the central service, NULL none */
	char *token;              /* "token = SECRET": its bearer token (file must be 0600) */
	char *ca_file;            /* "ca_file = PATH": CA bundle for TLS, NULL = system's */
	long sync_interval;       /* "sync_interval = SECONDS" for sync --watch, default 60 */
};

/* Default paths: $XDG_DATA_HOME/handesk/cache.db (else
 * ~/.local/share/handesk/cache.db) and $XDG_CONFIG_HOME/handesk/handesk.conf
 * (else ~/.config/handesk/handesk.conf).  Newly allocated. */
char *config_default_db_path(void);
char *config_default_config_path(void);

/* Read path (NULL = default path; a missing default file is not an error,
 * a missing explicit one is).  Unknown keys and bad values are errors with
 * the file name and line number in *cause. */
enum rc config_load(const char *path, struct config *cfg, char **cause);
void config_free(struct config *cfg);

/* Set one key in the file (creating it 0600 with its directory), keeping
 * the other lines; used for per-user settings such as the language. */
enum rc config_set(const char *path, const char *key, const char *value, char **cause);

/* Create the directories leading to path (mode 0700). */
enum rc config_make_parent(const char *path, char **cause);

#endif
