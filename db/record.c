/* record.c: the synced rows of the central store over libpq: a pushed
 * batch applied by handesk_push_apply (each change in its savepoint, with
 * the merge and conflict rules) in one round trip, the stored batch answers, pull pages (cursor on
 * the writer transaction and the version) and snapshot pages.  Runs as handesk_centre for the
 * token's centre, so row-level security enforces the scope. */
#include "autoconf.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h" /* db_cache_cause */
#include "central.h"
#include "record.h"

static PGconn *conn(struct central *db)
{
	return (PGconn *)db_central_conn(db);
}

static PGresult *exec(struct central *db, const char *sql, int n, const char *const *params)
{
	return PQexecParams(conn(db), sql, n, NULL, params, NULL, NULL, 0);
}

static bool ok(const PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static const char *state(const PGresult *r)
{
	const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	return s ? s : "";
}

/* A failed statement: RC_CONFLICT for a deadlock or serialisation
 * failure (try the whole request again), else RC_IO; cause "what: msg". */
static enum rc failed(struct central *db, PGresult *r, const char *what, char **cause)
{
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *s = state(r);
	enum rc rc = RC_IO;

	if (!msg)
		msg = PQerrorMessage(conn(db));
	if (!strcmp(s, "40001") || !strcmp(s, "40P01") || !strcmp(s, "55P03"))
		rc = RC_CONFLICT;
	else if (!strcmp(s, "42P01") || !strcmp(s, "42703") || !strcmp(s, "42704") ||
	         !strcmp(s, "42883"))
		rc = RC_SCHEMA;
	db_cache_cause(cause, "%s: %s", what, msg);
	return rc;
}

/* Run a statement without parameters nor rows. */
static enum rc run(struct central *db, const char *sql, const char *what, char **cause)
{
	PGresult *r = PQexec(conn(db), sql);
	enum rc rc = ok(r) ? RC_OK : failed(db, r, what, cause);

	PQclear(r);
	return rc;
}

enum rc db_record_begin(struct central *db, const char *centre_id, char **cause)
{
	char sql[200];
	enum rc rc;

	if (!sync_row_uuid(centre_id))
		return rc_fail(cause, RC_INVALID, "centre id '%s' is not a UUID", centre_id);
	/* Superusers and table owners bypass row-level security unless they
	 * become a role that does not: the SET ROLE is what enforces it.  One
	 * round trip for the three (the id, a checked UUID, needs no
	 * quoting). */
	snprintf(sql, sizeof sql,
	         "BEGIN; SET LOCAL ROLE handesk_centre;"
	         " SELECT set_config('handesk.centre_id', '%s', true)",
	         centre_id);
	rc = run(db, sql, "begin as handesk_centre", cause);
	if (rc)
		db_record_rollback(db);
	return rc;
}

enum rc db_record_commit(struct central *db, char **cause)
{
	enum rc rc = run(db, "COMMIT", "commit", cause);

	if (rc)
		db_record_rollback(db);
	return rc;
}

void db_record_rollback(struct central *db)
{
	PGresult *r = PQexec(conn(db), "ROLLBACK");

	PQclear(r);
}

static enum rc nomem(char **cause)
{
	db_cache_cause(cause, "out of memory");
	return RC_NOMEM;
}

/* ---- row objects ---- */

/* The row object of row i of r from column off on (RES_ROW_COLUMNS), or NULL
 * (out of memory or a data column that is not JSON, which the CHECK rules
 * out). */
static json_t *row_json(const PGresult *r, int i, int off)
{
	json_t *data = json_loads(PQgetvalue(r, i, off + 7), 0, NULL);
	json_t *row;

	if (!data)
		return NULL;
	row = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:b, s:o}", "entity", PQgetvalue(r, i, off),
	                "id", PQgetvalue(r, i, off + 1), "centre_id", PQgetvalue(r, i, off + 2),
	                "version", (json_int_t)strtoll(PQgetvalue(r, i, off + 3), NULL, 10),
	                "updated_at", PQgetvalue(r, i, off + 4), "updated_by",
	                PQgetvalue(r, i, off + 5), "deleted", PQgetvalue(r, i, off + 6)[0] == 't',
	                "data", data);
	return row;
}

/* ---- batches ---- */

enum rc db_record_batch_claim(struct central *db, const char *centre_id, const char *batch,
                              char **stored, char **cause)
{
	const char *params[] = {batch};
	char sql[200];
	PGresult *r = NULL;
	enum rc rc;

	*stored = NULL;
	if (!sync_row_uuid(batch))
		return rc_fail(cause, RC_INVALID, "batch id '%s' is not a UUID", batch);
	rc = db_record_begin(db, centre_id, cause);
	if (rc)
		return rc;
	/* A concurrent request with the same batch waits here until the first
	 * commits (then finds its answer) or rolls back (then claims it).  A
	 * checked UUID: written in, and sent with the BEGIN. */
	snprintf(sql, sizeof sql,
	         "INSERT INTO sync_batch (centre_id, batch, response)"
	         " VALUES (handesk_centre_id(), '%s', '') ON CONFLICT DO NOTHING RETURNING 1",
	         batch);
	r = PQexec(conn(db), sql);
	if (!ok(r)) {
		rc = failed(db, r, "claiming the batch", cause);
		goto out;
	}
	if (PQntuples(r) == 1)
		goto out;
	PQclear(r);
	r = exec(db,
	         "SELECT response FROM sync_batch WHERE centre_id = handesk_centre_id()"
	         " AND batch = $1::uuid",
	         1, params);
	if (!ok(r)) {
		rc = failed(db, r, "reading the batch", cause);
		goto out;
	}
	if (PQntuples(r) != 1 || !PQgetvalue(r, 0, 0)[0]) {
		db_cache_cause(cause, "batch %s: being applied by another request", batch);
		rc = RC_CONFLICT;
		goto out;
	}
	*stored = strdup(PQgetvalue(r, 0, 0));
	if (!*stored) {
		db_cache_cause(cause, "out of memory");
		rc = RC_NOMEM;
	}
out:
	PQclear(r);
	if (rc || *stored)
		db_record_rollback(db);
	return rc;
}

enum rc db_record_batch_store(struct central *db, const char *batch, const char *response,
                              char **cause)
{
	PGresult *r, *err = NULL;
	char *lit = NULL, *sql = NULL;
	enum rc rc = RC_OK;

	/* The answer and the COMMIT in one round trip: the answer as a
	 * literal (escaped by libpq), the batch a checked UUID.  The division
	 * by zero stops the COMMIT unless exactly the claimed row was
	 * updated. */
	if (!sync_row_uuid(batch)) {
		rc = rc_fail(cause, RC_INVALID, "batch id '%s' is not a UUID", batch);
		goto out;
	}
	lit = PQescapeLiteral(conn(db), response, strlen(response));
	if (!lit) {
		rc = failed(db, NULL, "storing the batch answer", cause);
		goto out;
	}
	if (asprintf(&sql,
	             "WITH u AS (UPDATE sync_batch SET response = %s"
	             " WHERE centre_id = handesk_centre_id() AND batch = '%s' RETURNING 1)"
	             " SELECT 1 / (count(*) = 1)::int FROM u; COMMIT",
	             lit, batch) < 0) {
		sql = NULL;
		rc = nomem(cause);
		goto out;
	}
	if (!PQsendQuery(conn(db), sql)) {
		rc = failed(db, NULL, "storing the batch answer", cause);
		goto out;
	}
	while ((r = PQgetResult(conn(db))) != NULL) {
		if (!ok(r) && !err)
			err = r;
		else
			PQclear(r);
	}
	if (err) {
		rc = failed(db, err, "storing the batch answer and committing", cause);
		PQclear(err);
	}
out:
	if (rc && PQtransactionStatus(conn(db)) != PQTRANS_IDLE)
		db_record_rollback(db);
	PQfreemem(lit);
	free(sql);
	return rc;
}

/* ---- applying a batch ---- */

/* The change as handesk_push_apply (db/central/0005-push-apply.sql) takes
 * it, or NULL (out of memory). */
static json_t *change_json(const struct record_change *c)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:O?}", "change", c->change,
	                      "entity", c->entity->name, "id", c->id, "op", sync_row_op_name(c->op),
	                      "base_version", (json_int_t)c->base_version, "updated_at",
	                      c->updated_at, "updated_by", c->updated_by, "fields", c->fields);
	const char *key;
	json_t *value;
	int bad = !o;

	if (bad)
		return NULL;
	/* jsonb forgets the order of the fields; a conflict of an update names
	 * them in the order sent. */
	if (c->op == SYNC_OP_UPDATE && json_is_object(c->fields)) {
		json_t *keys = json_array();

		json_object_foreach(c->fields, key, value) bad +=
		    !keys || json_array_append_new(keys, json_string(key)) != 0;
		/* json_object_set_new takes the value, even when it fails */
		bad += json_object_set_new(o, "keys", keys) != 0;
	}
	/* The base as the conflict record keeps it (jansson's text, which
	 * PostgreSQL would write otherwise). */
	if (json_is_object(c->base)) {
		char *text = json_dumps(c->base, JSON_COMPACT | JSON_SORT_KEYS);

		bad += !text || json_object_set_new(o, "base", json_incref(c->base)) != 0 ||
		       json_object_set_new(o, "base_text", json_string(text)) != 0;
		free(text);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The columns of a result row of handesk_push_apply: the result, then the
 * row (RES_ROW) and the conflict record (RES_CONFLICT), each as the nine
 * columns row_json reads. */
#define RES_ROW_COLUMNS(p)                                                                         \
	p "entity, " p "id::text, " p "centre_id::text, " p "version, to_char(" p                  \
	  "updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), " p                \
	  "updated_by, " p "deleted, " p "data::text, " p "txid::text"
#define RES_STATUS   1
#define RES_REASON   2
#define RES_FIELDS   3
#define RES_ROW      4
#define RES_CONFLICT 13

/* The result object of result row i of r for change c, or NULL (out of
 * memory): {"change","status", then "version","row" (applied,
 * duplicate), "fields","conflict","row" (conflict) or "reason"
 * (rejected)}, the members in the order handeskd always wrote them. */
static json_t *result_json(const struct record_change *c, const PGresult *r, int i)
{
	const char *status = PQgetvalue(r, i, RES_STATUS);
	json_t *res = json_pack("{s:s, s:s}", "change", c->change, "status", status);
	int bad = !res;

	if (bad)
		return NULL;
	/* json_object_set_new takes the value, even when it fails */
	if (!strcmp(status, "rejected")) {
		bad += json_object_set_new(res, "reason",
		                           json_string(PQgetvalue(r, i, RES_REASON))) != 0;
	} else if (!strcmp(status, "conflict")) {
		json_t *fields = json_array();
		const char *s = PQgetvalue(r, i, RES_FIELDS);

		/* Field names, comma-separated: names never hold a comma. */
		while (fields && *s) {
			size_t n = strcspn(s, ",");

			bad += json_array_append_new(fields, json_stringn(s, n)) != 0;
			s += n + (s[n] == ',');
		}
		bad += !fields || json_object_set_new(res, "fields", fields) != 0;
		bad += json_object_set_new(res, "conflict", row_json(r, i, RES_CONFLICT)) != 0;
		bad += json_object_set_new(res, "row", row_json(r, i, RES_ROW)) != 0;
	} else {
		bad += json_object_set_new(
		           res, "version",
		           json_integer(strtoll(PQgetvalue(r, i, RES_ROW + 3), NULL, 10))) != 0;
		bad += json_object_set_new(res, "row", row_json(r, i, RES_ROW)) != 0;
	}
	if (bad) {
		json_decref(res);
		return NULL;
	}
	return res;
}

enum rc db_record_apply_batch(struct central *db, const struct record_change *c, size_t n,
                              json_t **results, char **cause)
{
	json_t *changes = json_array();
	char *text = NULL;
	PGresult *r = NULL;
	enum rc rc = RC_OK;
	size_t i;

	for (i = 0; i < n; i++)
		results[i] = NULL;
	if (n == 0) {
		json_decref(changes);
		return RC_OK;
	}
	for (i = 0; changes && i < n; i++)
		if (json_array_append_new(changes, change_json(&c[i])) != 0)
			break;
	if (!changes || i < n || !(text = json_dumps(changes, JSON_COMPACT))) {
		rc = nomem(cause);
		goto out;
	}
	{
		const char *params[] = {text};

		r = exec(db,
		         "SELECT o_i, o_status, o_reason, o_fields, " RES_ROW_COLUMNS(
		             "r_") ", " RES_ROW_COLUMNS("c_") " FROM handesk_push_apply($1::jsonb) "
		                                              "ORDER BY o_i",
		         1, params);
	}
	if (!ok(r)) {
		rc = failed(db, r, "applying the batch", cause);
		goto out;
	}
	if ((size_t)PQntuples(r) != n) {
		db_cache_cause(cause, "applying the batch: %d results for %zu changes",
		               PQntuples(r), n);
		rc = RC_IO;
		goto out;
	}
	for (i = 0; i < n; i++) {
		results[i] = result_json(&c[i], r, (int)i);
		if (!results[i]) {
			rc = nomem(cause);
			goto out;
		}
	}
out:
	if (rc)
		for (i = 0; i < n; i++) {
			json_decref(results[i]);
			results[i] = NULL;
		}
	PQclear(r);
	free(text);
	json_decref(changes);
	return rc;
}

/* ---- pull and snapshot ---- */

/* Decimal digits only, at most 19 (fits a bigint and an xid8 as text). */
static bool number(const char *s, size_t n)
{
	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "v1.<txid>.<version>" into txid and version (digits, NUL-terminated). */
static bool parse_cursor(const char *s, char txid[20], char version[20])
{
	const char *dot;

	if (strncmp(s, "v1.", 3) != 0)
		return false;
	s += 3;
	dot = strchr(s, '.');
	if (!dot || !number(s, (size_t)(dot - s)) || !number(dot + 1, strlen(dot + 1)))
		return false;
	snprintf(txid, 20, "%.*s", (int)(dot - s), s);
	snprintf(version, 20, "%s", dot + 1);
	return true;
}

/* The columns of a page's rows: what the cursor or position needs, then
 * the row object as PostgreSQL writes it (the same fields as row_json, with
 * data as stored), so that a page is copied out rather than parsed and
 * written again.  ORDER BY must name record's columns: a bare "id" or "txid"
 * would be these text columns and sort as text. */
#define PAGE_COLUMNS                                                                               \
	"entity, id::text, version, txid::text, json_build_object('entity', entity, 'id', id, "    \
	"'centre_id', centre_id, 'version', version, 'updated_at', to_char(updated_at AT TIME "    \
	"ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'updated_by', updated_by, 'deleted', "  \
	"deleted, 'data', data)::text"
#define PAGE_ENTITY  0
#define PAGE_ID      1
#define PAGE_VERSION 2
#define PAGE_TXID    3
#define PAGE_ROW     4

struct text {
	char *p;
	size_t len, cap;
	bool nomem;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	if (t->nomem)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *p;

		while (t->len + n + 1 > cap)
			cap *= 2;
		p = realloc(t->p, cap);
		if (!p) {
			t->nomem = true;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void text_str(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

/* {"rows":[<the first n rows of r>], then tail (the other members, each
 * with its leading comma) and "}"; *body is the text (caller frees). */
static enum rc page_text(const PGresult *r, int n, const char *tail, char **body, char **cause)
{
	struct text t = {0};

	text_str(&t, "{\"rows\":[");
	for (int i = 0; i < n; i++) {
		if (i)
			text_add(&t, ",", 1);
		text_add(&t, PQgetvalue(r, i, PAGE_ROW), (size_t)PQgetlength(r, i, PAGE_ROW));
	}
	text_str(&t, "]");
	text_str(&t, tail);
	text_str(&t, "}");
	if (t.nomem) {
		free(t.p);
		return nomem(cause);
	}
	*body = t.p;
	return RC_OK;
}

/* Run sql (no parameters: every value in it checked) in a transaction of
 * its own acting for centre_id, as db_record_begin and db_record_commit
 * would, in one round trip: *out (caller clears) is its result. */
static enum rc query_as(struct central *db, const char *centre_id, const char *sql,
                        const char *what, PGresult **out, char **cause)
{
	PGresult *r, *err = NULL;
	char *text = NULL;
	enum rc rc = RC_OK;
	int i = 0;

	*out = NULL;
	if (!sync_row_uuid(centre_id))
		return rc_fail(cause, RC_INVALID, "centre id '%s' is not a UUID", centre_id);
	if (asprintf(&text,
	             "BEGIN; SET LOCAL ROLE handesk_centre;"
	             " SELECT set_config('handesk.centre_id', '%s', true); %s; COMMIT",
	             centre_id, sql) < 0)
		return nomem(cause);
	if (!PQsendQuery(conn(db), text)) {
		free(text);
		return failed(db, NULL, what, cause);
	}
	free(text);
	/* BEGIN, SET, set_config, sql, COMMIT: the first error stops the rest. */
	while ((r = PQgetResult(conn(db))) != NULL) {
		if (!ok(r) && !err)
			err = r;
		else if (i == 3 && !err && !*out)
			*out = r;
		else
			PQclear(r);
		i++;
	}
	if (err || !*out) {
		rc = failed(db, err, what, cause);
		PQclear(err);
		PQclear(*out);
		*out = NULL;
		if (PQtransactionStatus(conn(db)) != PQTRANS_IDLE)
			db_record_rollback(db);
	}
	return rc;
}

enum rc db_record_pull(struct central *db, const char *centre_id, const char *cursor, int limit,
                       char **page, char **cause)
{
	char txid[20] = "0", version[20] = "0", tail[128], sql[512];
	PGresult *r = NULL;
	enum rc rc;
	int n, shown;

	*page = NULL;
	if (cursor && !parse_cursor(cursor, txid, version))
		return rc_fail(cause, RC_INVALID, "cursor: not a cursor of this service");
	if (limit < 1 || limit > DB_RECORD_PULL_LIMIT_MAX)
		limit = DB_RECORD_PULL_LIMIT;
	/* Only rows of transactions older than the snapshot's xmin: any
	 * transaction still running (or yet to start) has a txid from xmin
	 * up, so it can never commit a row below a cursor given out.  The
	 * cursor's parts are digits (parse_cursor): written in as they are. */
	snprintf(sql, sizeof sql,
	         "SELECT " PAGE_COLUMNS " FROM record"
	         " WHERE centre_id = handesk_centre_id()"
	         " AND txid < pg_snapshot_xmin(pg_current_snapshot())"
	         " AND (txid, version) > ('%s'::xid8, %s::bigint)"
	         " ORDER BY record.txid, record.version LIMIT %d",
	         txid, version, limit + 1);
	rc = query_as(db, centre_id, sql, "pull", &r, cause);
	if (rc)
		goto out;
	n = PQntuples(r);
	shown = n > limit ? limit : n;
	/* Cursors are digits and dots: no escaping needed. */
	if (shown > 0)
		snprintf(tail, sizeof tail, ",\"cursor\":\"v1.%s.%s\",\"has_more\":%s",
		         PQgetvalue(r, shown - 1, PAGE_TXID),
		         PQgetvalue(r, shown - 1, PAGE_VERSION), n > limit ? "true" : "false");
	else
		snprintf(tail, sizeof tail, ",\"cursor\":\"v1.%s.%s\",\"has_more\":false", txid,
		         version);
	rc = page_text(r, shown, tail, page, cause);
out:
	PQclear(r);
	return rc;
}

/* "s1.<xmin>" or "s1.<xmin>.<entity>.<uuid>". */
static bool parse_after(const char *s, char xmin[20], char entity[40], char id[37])
{
	const char *dot, *dot2;

	entity[0] = id[0] = '\0';
	if (strncmp(s, "s1.", 3) != 0)
		return false;
	s += 3;
	dot = strchr(s, '.');
	if (!dot)
		return number(s, strlen(s)) && snprintf(xmin, 20, "%s", s) > 0;
	if (!number(s, (size_t)(dot - s)))
		return false;
	snprintf(xmin, 20, "%.*s", (int)(dot - s), s);
	dot2 = strchr(dot + 1, '.');
	if (!dot2 || dot2 == dot + 1 || (size_t)(dot2 - dot - 1) >= 40 || !sync_row_uuid(dot2 + 1))
		return false;
	snprintf(entity, 40, "%.*s", (int)(dot2 - dot - 1), dot + 1);
	if (!sync_row_entity(entity))
		return false;
	snprintf(id, 37, "%s", dot2 + 1);
	return true;
}

enum rc db_record_snapshot(struct central *db, const char *after, int limit, char **page,
                           char **cause)
{
	char xmin[20] = "", entity[40] = "", id[37] = "", lim[16], pos[128], tail[320];
	PGresult *r = NULL;
	enum rc rc = RC_OK;
	int n, shown;

	*page = NULL;
	if (after && !parse_after(after, xmin, entity, id))
		return rc_fail(cause, RC_INVALID, "after: not a snapshot position of this service");
	if (limit < 1 || limit > DB_RECORD_SNAPSHOT_LIMIT_MAX)
		limit = DB_RECORD_SNAPSHOT_LIMIT;
	snprintf(lim, sizeof lim, "%d", limit + 1);
	if (!after) {
		/* The first page fixes the pull cursor: every row of a
		 * transaction older than its xmin is in this snapshot's pages
		 * (or changed since, and so after the cursor). */
		r = exec(db, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text", 0, NULL);
		if (!ok(r)) {
			rc = failed(db, r, "snapshot", cause);
			goto out;
		}
		snprintf(xmin, sizeof xmin, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		r = NULL;
	}
	{
		const char *params[] = {entity, id[0] ? id : NULL, lim};

		r = exec(db,
		         "SELECT " PAGE_COLUMNS " FROM record"
		         " WHERE centre_id = handesk_centre_id() AND NOT deleted"
		         " AND ($2::uuid IS NULL OR (entity, id) > ($1, $2::uuid))"
		         " ORDER BY record.entity, record.id LIMIT $3::int",
		         3, params);
	}
	if (!ok(r)) {
		rc = failed(db, r, "snapshot", cause);
		goto out;
	}
	n = PQntuples(r);
	shown = n > limit ? limit : n;
	/* Digits, dots, a kind's name and a UUID: no escaping needed. */
	if (shown > 0)
		snprintf(pos, sizeof pos, "s1.%s.%s.%s", xmin,
		         PQgetvalue(r, shown - 1, PAGE_ENTITY), PQgetvalue(r, shown - 1, PAGE_ID));
	else if (id[0])
		snprintf(pos, sizeof pos, "s1.%s.%s.%s", xmin, entity, id);
	else
		snprintf(pos, sizeof pos, "s1.%s", xmin);
	/* Pull from the first row a transaction from xmin on wrote. */
	snprintf(tail, sizeof tail, ",\"after\":\"%s\",\"has_more\":%s,\"cursor\":\"v1.%s.0\"", pos,
	         n > limit ? "true" : "false", xmin);
	rc = page_text(r, shown, tail, page, cause);
out:
	PQclear(r);
	return rc;
}
