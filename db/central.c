/* central.c: the central store of handeskd over libpq: connection with
 * clear causes, migrations under an advisory lock, centres and tokens.
 * Values reach PostgreSQL only as parameters of PQexecParams. */
#include "autoconf.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h" /* db_cache_cause: translated causes (po/Makevars) */
#include "central.h"

/* Generated from db/central/NNNN-*.sql: migration i + 1 is central_sql[i]. */
extern const char *const central_sql[];
extern const int central_sql_count;

/* The advisory lock that serialises migrations ('hand' 'mig ' in ASCII). */
#define MIGRATE_LOCK "6850006570063290144"
/* Timestamps as UTC ISO 8601, the form struct central_token holds. */
#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

struct central {
	PGconn *conn;
};

/* libpq prints notices ("relation already exists, skipping") on stderr by
 * default; they are of no use to the people running handeskd. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* libpq's message on one line, without its trailing newline, in the
 * caller's buffer (thread-safe). */
static const char *trimmed(const char *msg, char *buf, size_t n)
{
	size_t len;

	snprintf(buf, n, "%s", msg ? msg : "");
	/* "...failed: No such file\n\tIs the server running...": one line */
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return buf;
}

enum rc db_central_connect(const char *url, struct central **out, char **cause)
{
	/* connect_timeout first: a value in url overrides it. */
	static const char *const keys[] = {"connect_timeout", "fallback_application_name",
	                                   "client_encoding", "dbname", NULL};
	const char *values[] = {"10", "handeskd", "UTF8", url ? url : "", NULL};
	struct central *db;
	char msg[512];
	const char *m;
	PGresult *r;

	*out = NULL;
	db = calloc(1, sizeof *db);
	if (!db) {
		db_cache_cause(cause, "out of memory");
		return RC_NOMEM;
	}
	db->conn = PQconnectdbParams(keys, values, 1);
	if (!db->conn) {
		free(db);
		db_cache_cause(cause, "out of memory");
		return RC_NOMEM;
	}
	if (PQstatus(db->conn) != CONNECTION_OK) {
		m = trimmed(PQerrorMessage(db->conn), msg, sizeof msg);
		if (strstr(m, "Connection refused") || strstr(m, "No such file or directory"))
			db_cache_cause(
			    cause,
			    "cannot connect to the central store: no PostgreSQL server "
			    "answers there (is it running, are host and port right?): %s",
			    m);
		else if (strstr(m, "authentication failed") || strstr(m, "no password supplied") ||
		         strstr(m, "pg_hba.conf"))
			db_cache_cause(cause,
			               "cannot connect to the central store: authentication failed "
			               "(check the user and password of --db or the PG* "
			               "environment): %s",
			               m);
		else if (strstr(m, "does not exist"))
			db_cache_cause(cause,
			               "cannot connect to the central store: the database or role "
			               "does not exist: %s",
			               m);
		else
			db_cache_cause(cause, "cannot connect to the central store: %s", m);
		db_central_close(db);
		return RC_IO;
	}
	PQsetNoticeProcessor(db->conn, ignore_notice, NULL);
	/* Dates of the store in UTC whatever the server's default. */
	r = PQexec(db->conn, "SET TIME ZONE 'UTC'");
	PQclear(r);
	*out = db;
	return RC_OK;
}

void db_central_close(struct central *db)
{
	if (!db)
		return;
	PQfinish(db->conn);
	free(db);
}

static PGresult *exec(struct central *db, const char *sql, int n, const char *const *params)
{
	return PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, 0);
}

static bool ok(const PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

/* Map a failed result to a code and a cause "what: message". */
static enum rc failed(struct central *db, PGresult *r, const char *what, char **cause)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[512];
	enum rc rc = RC_IO;

	if (!primary)
		primary = trimmed(PQerrorMessage(db->conn), msg, sizeof msg);
	if (state) {
		if (!strcmp(state, "23505"))
			rc = RC_DUPLICATE;
		else if (!strcmp(state, "23503"))
			rc = RC_NOTFOUND;
		else if (!strncmp(state, "22", 2) || !strcmp(state, "23514") ||
		         !strcmp(state, "23502"))
			rc = RC_INVALID;
		else if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
			rc = RC_CONFLICT;
		else if (!strcmp(state, "42P01") || !strcmp(state, "42703"))
			rc = RC_SCHEMA; /* table or column missing: not migrated */
	}
	if (rc == RC_SCHEMA)
		db_cache_cause(cause, "%s: %s (has handeskd migrate been run?)", what, primary);
	else
		db_cache_cause(cause, "%s: %s", what, primary);
	return rc;
}

/* Run a statement without result rows; RC_OK or a cause. */
static enum rc run(struct central *db, const char *sql, const char *what, char **cause)
{
	PGresult *r = PQexec(db->conn, sql);
	enum rc rc = ok(r) ? RC_OK : failed(db, r, what, cause);
	PQclear(r);
	return rc;
}

static void rollback(struct central *db)
{
	PGresult *r = PQexec(db->conn, "ROLLBACK");
	PQclear(r);
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

int db_central_schema_latest(void)
{
	return central_sql_count;
}

/* The version recorded by the migrations; 0 if none ran, -1 on error. */
static int read_version(struct central *db)
{
	PGresult *r;
	int v = -1;

	r = PQexec(db->conn, "SELECT to_regclass('schema_migration') IS NOT NULL");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? 1 : 0;
	PQclear(r);
	if (v != 1)
		return v;
	r = PQexec(db->conn, "SELECT coalesce(max(version), 0) FROM schema_migration");
	v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0))
	                                                              : -1;
	PQclear(r);
	return v;
}

int db_central_schema_version(struct central *db)
{
	return read_version(db);
}

/* Each pass: one transaction that takes the lock, (re)reads the version
 * (another handeskd may have migrated meanwhile), and applies at most one
 * migration with its schema_migration row. */
enum rc db_central_migrate(struct central *db, int *applied, char **cause)
{
	static const char create[] =
	    "CREATE TABLE IF NOT EXISTS schema_migration ("
	    " version int PRIMARY KEY,"
	    " applied_at timestamptz NOT NULL DEFAULT now());"
	    "COMMENT ON TABLE schema_migration IS"
	    " 'The migrations of db/central/ applied, one row each (handeskd migrate)';"
	    "COMMENT ON COLUMN schema_migration.version IS"
	    " 'number of the migration (NNNN of db/central/NNNN-*.sql)';"
	    "COMMENT ON COLUMN schema_migration.applied_at IS 'when it was applied (UTC)'";
	char num[16];
	const char *params[1] = {num};
	enum rc rc;
	int v;

	*applied = 0;
	for (;;) {
		rc = run(db, "BEGIN", "migrate", cause);
		if (rc)
			return rc;
		rc = run(db, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")",
		         "migrate: waiting for the migration lock", cause);
		if (!rc)
			rc = run(db, create, "migrate: creating schema_migration", cause);
		if (rc)
			goto fail;
		v = read_version(db);
		if (v < 0) {
			rc = failed(db, NULL, "migrate: reading the schema version", cause);
			goto fail;
		}
		if (v > central_sql_count) {
			db_cache_cause(cause,
			               "the central store has schema version %d, newer than the %d "
			               "this handeskd knows: upgrade handeskd",
			               v, central_sql_count);
			rc = RC_SCHEMA;
			goto fail;
		}
		if (v == central_sql_count)
			return run(db, "COMMIT", "migrate", cause);
		rc = run(db, central_sql[v], "migrate", cause);
		if (rc) {
			free(*cause);
			*cause = NULL;
			rc = RC_SCHEMA;
			{
				char msg[512];
				db_cache_cause(cause, "migration %d failed: %s", v + 1,
				               trimmed(PQerrorMessage(db->conn), msg, sizeof msg));
			}
			goto fail;
		}
		snprintf(num, sizeof num, "%d", v + 1);
		{
			PGresult *r = exec(db, "INSERT INTO schema_migration (version) VALUES ($1)",
			                   1, params);
			rc = ok(r) ? RC_OK : failed(db, r, "migrate: recording the version", cause);
			PQclear(r);
		}
		if (!rc)
			rc = run(db, "COMMIT", "migrate: committing", cause);
		if (rc)
			goto fail;
		(*applied)++;
	}
fail:
	rollback(db);
	return rc;
}

struct pg_conn *db_central_conn(struct central *db)
{
	return db ? db->conn : NULL;
}

bool db_central_ping(struct central *db)
{
	PGresult *r;
	bool alive;

	if (!db)
		return false;
	/* After a restart of the server, reconnect once before saying no. */
	if (PQstatus(db->conn) != CONNECTION_OK)
		PQreset(db->conn);
	r = PQexec(db->conn, "SELECT 1");
	alive = PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	if (!alive && PQstatus(db->conn) != CONNECTION_OK) {
		PQreset(db->conn);
		r = PQexec(db->conn, "SELECT 1");
		alive = PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
	}
	return alive;
}

enum rc db_central_centre_add(struct central *db, struct central_centre *c, char **cause)
{
	const char *params[] = {c->code, c->name, c->language};
	PGresult *r;
	enum rc rc = RC_OK;

	r = exec(db,
	         "INSERT INTO centre (code, name, language) VALUES ($1, $2, $3)"
	         " RETURNING id",
	         3, params);
	if (!ok(r)) {
		rc = failed(db, r, "centre", cause);
		if (rc == RC_DUPLICATE) {
			free(*cause);
			*cause = NULL;
			db_cache_cause(cause, "a centre with code %s already exists", c->code);
		} else if (rc == RC_INVALID) {
			free(*cause);
			*cause = NULL;
			db_cache_cause(cause,
			               "invalid centre: the code is 2 to 15 upper case letters or "
			               "digits, the name 1 to 127 characters, the language nl, fr "
			               "or de");
		}
	} else {
		copy(c->id, sizeof c->id, PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return rc;
}

enum rc db_central_centre_list(struct central *db, struct central_centre **out, int *n,
                               char **cause)
{
	struct central_centre *v = NULL;
	PGresult *r;
	enum rc rc = RC_OK;
	int rows;

	*out = NULL;
	*n = 0;
	r = exec(db, "SELECT id, code, name, language FROM centre ORDER BY code", 0, NULL);
	if (!ok(r)) {
		rc = failed(db, r, "centres", cause);
		goto out;
	}
	rows = PQntuples(r);
	v = calloc(rows ? (size_t)rows : 1, sizeof *v);
	if (!v) {
		db_cache_cause(cause, "out of memory");
		rc = RC_NOMEM;
		goto out;
	}
	for (int i = 0; i < rows; i++) {
		copy(v[i].id, sizeof v[i].id, PQgetvalue(r, i, 0));
		copy(v[i].code, sizeof v[i].code, PQgetvalue(r, i, 1));
		copy(v[i].name, sizeof v[i].name, PQgetvalue(r, i, 2));
		copy(v[i].language, sizeof v[i].language, PQgetvalue(r, i, 3));
	}
	*out = v;
	*n = rows;
out:
	PQclear(r);
	return rc;
}

enum rc db_central_token_add(struct central *db, struct central_token *t, const char *secret,
                             char **cause)
{
	const char *params[] = {t->centre_code, t->name, secret};
	PGresult *r;
	enum rc rc = RC_OK;

	r = exec(db,
	         "INSERT INTO token (centre_id, name, hash)"
	         " SELECT id, $2, sha256(convert_to($3, 'UTF8')) FROM centre WHERE code = $1"
	         " RETURNING id, " TS("created_at"),
	         3, params);
	if (!ok(r)) {
		rc = failed(db, r, "token", cause);
		if (rc == RC_DUPLICATE) {
			free(*cause);
			*cause = NULL;
			db_cache_cause(cause,
			               "centre %s already has a valid token named %s (revoke it "
			               "first, or choose another name)",
			               t->centre_code, t->name);
		} else if (rc == RC_INVALID) {
			free(*cause);
			*cause = NULL;
			db_cache_cause(cause, "invalid token name: 1 to 63 characters");
		}
		goto out;
	}
	if (PQntuples(r) != 1) {
		db_cache_cause(cause, "there is no centre with code %s", t->centre_code);
		rc = RC_NOTFOUND;
		goto out;
	}
	copy(t->id, sizeof t->id, PQgetvalue(r, 0, 0));
	copy(t->created_at, sizeof t->created_at, PQgetvalue(r, 0, 1));
	t->revoked_at[0] = t->last_used_at[0] = '\0';
out:
	PQclear(r);
	return rc;
}

/* The columns of struct central_token, for token t joined with centre c. */
#define TOKEN_COLUMNS                                                                              \
	"t.id, c.code, t.name, " TS("t.created_at") ", coalesce(" TS(                              \
	    "t.revoked_at") ", ''), coalesce(" TS("t.last_used_at") ", ''), c.id, c.name, "        \
	                                                            "c.language"

static void token_from_row(const PGresult *r, int i, struct central_token *t)
{
	copy(t->id, sizeof t->id, PQgetvalue(r, i, 0));
	copy(t->centre_code, sizeof t->centre_code, PQgetvalue(r, i, 1));
	copy(t->name, sizeof t->name, PQgetvalue(r, i, 2));
	copy(t->created_at, sizeof t->created_at, PQgetvalue(r, i, 3));
	copy(t->revoked_at, sizeof t->revoked_at, PQgetvalue(r, i, 4));
	copy(t->last_used_at, sizeof t->last_used_at, PQgetvalue(r, i, 5));
	copy(t->centre_id, sizeof t->centre_id, PQgetvalue(r, i, 6));
	copy(t->centre_name, sizeof t->centre_name, PQgetvalue(r, i, 7));
	copy(t->centre_language, sizeof t->centre_language, PQgetvalue(r, i, 8));
}

enum rc db_central_token_list(struct central *db, struct central_token **out, int *n, char **cause)
{
	struct central_token *v = NULL;
	PGresult *r;
	enum rc rc = RC_OK;
	int rows;

	*out = NULL;
	*n = 0;
	r = exec(db,
	         "SELECT " TOKEN_COLUMNS " FROM token t JOIN centre c ON c.id = t.centre_id"
	         " ORDER BY t.created_at DESC, t.id",
	         0, NULL);
	if (!ok(r)) {
		rc = failed(db, r, "tokens", cause);
		goto out;
	}
	rows = PQntuples(r);
	v = calloc(rows ? (size_t)rows : 1, sizeof *v);
	if (!v) {
		db_cache_cause(cause, "out of memory");
		rc = RC_NOMEM;
		goto out;
	}
	for (int i = 0; i < rows; i++)
		token_from_row(r, i, &v[i]);
	*out = v;
	*n = rows;
out:
	PQclear(r);
	return rc;
}

/* 8-4-4-4-12 hexadecimal digits. */
static bool looks_like_uuid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

enum rc db_central_token_revoke(struct central *db, const char *id_or_name, char **cause)
{
	/* Only a single match is revoked: a name shared by the valid tokens of
	 * two centres needs the id. */
#define REVOKE(match)                                                                              \
	"WITH m AS (SELECT id FROM token WHERE " match " AND revoked_at IS NULL FOR UPDATE),"      \
	" u AS (UPDATE token SET revoked_at = now() WHERE id IN (SELECT id FROM m)"                \
	" AND (SELECT count(*) FROM m) = 1 RETURNING id)"                                          \
	" SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM u)"
	const char *params[] = {id_or_name};
	PGresult *r;
	enum rc rc = RC_OK;
	long found;

	r = exec(db, looks_like_uuid(id_or_name) ? REVOKE("id = $1::uuid") : REVOKE("name = $1"), 1,
	         params);
#undef REVOKE
	if (!ok(r)) {
		rc = failed(db, r, "revoke", cause);
		goto out;
	}
	found = atol(PQgetvalue(r, 0, 0));
	if (found == 0) {
		db_cache_cause(cause, "no valid token has the id or name %s", id_or_name);
		rc = RC_NOTFOUND;
	} else if (found > 1) {
		db_cache_cause(cause,
		               "%ld valid tokens are named %s: give the id of the one to revoke "
		               "(handeskd token list)",
		               found, id_or_name);
		rc = RC_DUPLICATE;
	}
out:
	PQclear(r);
	return rc;
}

enum rc db_central_token_check(struct central *db, const char *secret, struct central_token *out,
                               char **cause)
{
	const char *params[] = {secret};
	PGresult *r;
	enum rc rc = RC_OK;

	/* One round trip: find the token by the hash of the secret, and touch
	 * last_used_at when it is a minute old (not a write per request). */
	r = exec(db,
	         "WITH t AS (SELECT * FROM token WHERE hash = sha256(convert_to($1, 'UTF8'))),"
	         " u AS (UPDATE token SET last_used_at = now() FROM t WHERE token.id = t.id"
	         "  AND t.revoked_at IS NULL"
	         "  AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute')"
	         "  RETURNING token.id, token.last_used_at)"
	         " SELECT t.id, c.code, t.name, " TS(
	             "t.created_at") ","
	                             " coalesce(" TS(
	                                 "t.revoked_at") ", ''),"
	                                                 " coalesce(" TS(
	                                                     "coalesce(u.last_used_at, "
	                                                     "t.last_used_at)") ", ''),"
	                                                                        " c.id, c.name, "
	                                                                        "c.language"
	                                                                        " FROM t JOIN "
	                                                                        "centre c ON c.id "
	                                                                        "= t.centre_id "
	                                                                        "LEFT JOIN u ON "
	                                                                        "u.id = t.id",
	         1, params);
	if (!ok(r)) {
		rc = failed(db, r, "token", cause);
		goto out;
	}
	if (PQntuples(r) != 1) {
		db_cache_cause(cause, "unknown token");
		rc = RC_NOTFOUND;
		goto out;
	}
	token_from_row(r, 0, out);
	if (out->revoked_at[0]) {
		db_cache_cause(cause, "token revoked on %s", out->revoked_at);
		rc = RC_DENIED;
	}
out:
	PQclear(r);
	return rc;
}
