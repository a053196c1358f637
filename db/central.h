/* db/central.h: the central store (PostgreSQL, through libpq) of handeskd:
 * connection, schema migrations, centres and access tokens.  The only
 * interface to libpq for the rest of handeskd. */
#ifndef HANDESK_DB_CENTRAL_H
#define HANDESK_DB_CENTRAL_H

#include <stdbool.h>

#include "../src/rc.h"

struct central;

/* Connect with a libpq connection string or URL ("" = the PG* environment
 * variables).  *cause says why on failure (caller frees). */
enum rc db_central_connect(const char *url, struct central **out, char **cause);
void db_central_close(struct central *db);

/* Apply the pending migrations of db/central/ (embedded), each in its own
 * transaction under an advisory lock, so that several handeskd started at
 * once migrate once.  *applied gets how many ran.  A database whose schema
 * is newer than this build knows gives RC_SCHEMA with a clear cause. */
enum rc db_central_migrate(struct central *db, int *applied, char **cause);

/* The schema version of the database (0 = none yet), and the newest this
 * build knows. */
int db_central_schema_version(struct central *db);
int db_central_schema_latest(void);

/* The libpq connection, for the other modules of db/ (db/record.c):
 * PGconn *, declared without libpq-fe.h.  Owned by db. */
struct pg_conn *db_central_conn(struct central *db);

/* True if the database answers (SELECT 1): the health check. */
bool db_central_ping(struct central *db);

struct central_centre {
	char id[37];
	char code[16]; /* "BRU" */
	char name[128];
	char language[3]; /* "nl", "fr", "de" */
};

/* Add a centre (code unique, upper case), or RC_DUPLICATE. */
enum rc db_central_centre_add(struct central *db, struct central_centre *c, char **cause);
/* All centres, by code; *out allocated (caller frees). */
enum rc db_central_centre_list(struct central *db, struct central_centre **out, int *n,
                               char **cause);

struct central_token {
	char id[37];
	char centre_code[16];
	char centre_id[37]; /* the centre whose rows the token reads and writes */
	char centre_name[128];
	char centre_language[3];
	char name[64];         /* "workstation-12" */
	char created_at[32];   /* UTC ISO 8601 */
	char revoked_at[32];   /* "" while valid */
	char last_used_at[32]; /* "" if never used */
};

/* Store a new token for a centre: only the SHA-256 of secret is stored
 * (computed by PostgreSQL), never the secret.  Fills t->id, created_at.
 * RC_NOTFOUND if the centre does not exist, RC_DUPLICATE if the centre
 * already has a valid token of that name. */
enum rc db_central_token_add(struct central *db, struct central_token *t, const char *secret,
                             char **cause);
/* All tokens, newest first; *out allocated (caller frees). */
enum rc db_central_token_list(struct central *db, struct central_token **out, int *n, char **cause);
/* Revoke by id or by name (RC_NOTFOUND if none matches a valid token,
 * RC_DUPLICATE if a name matches several: give the id). */
enum rc db_central_token_revoke(struct central *db, const char *id_or_name, char **cause);
/* The valid token whose secret this is (updates last_used_at at most once
 * a minute): RC_OK, RC_NOTFOUND (unknown) or RC_DENIED (revoked). */
enum rc db_central_token_check(struct central *db, const char *secret, struct central_token *out,
                               char **cause);

#endif
