/* record.c: the synced rows of the central store over libpq: a pushed
 * change applied in its savepoint with the merge and conflict rules, the
 * stored batch answers, pull pages (cursor on the writer transaction and
 * the version) and snapshot pages.  Runs as handesk_centre for the token's
 * centre, so row-level security enforces the scope. */
#include "autoconf.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h" /* db_cache_cause */
#include "central.h"
#include "record.h"

/* The columns of a row object, in the order of row_json. */
#define ROW_COLUMNS                                                                                \
	"entity, id::text, centre_id::text, version, to_char(updated_at AT TIME ZONE 'UTC', "      \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), updated_by, deleted, data::text, txid::text"
#define COL_TXID 8

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
	else if (!strcmp(s, "42P01") || !strcmp(s, "42703") || !strcmp(s, "42704"))
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
	const char *params[] = {centre_id};
	PGresult *r;
	enum rc rc;

	if (!sync_row_uuid(centre_id))
		return rc_fail(cause, RC_INVALID, "centre id '%s' is not a UUID", centre_id);
	rc = run(db, "BEGIN", "begin", cause);
	if (rc)
		return rc;
	/* Superusers and table owners bypass row-level security unless they
	 * become a role that does not: the SET ROLE is what enforces it. */
	rc = run(db, "SET LOCAL ROLE handesk_centre", "set role handesk_centre", cause);
	if (rc)
		goto fail;
	r = exec(db, "SELECT set_config('handesk.centre_id', $1, true)", 1, params);
	rc = ok(r) ? RC_OK : failed(db, r, "set handesk.centre_id", cause);
	PQclear(r);
	if (!rc)
		return RC_OK;
fail:
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

/* ---- row objects ---- */

/* The row object of row i of r (ROW_COLUMNS), or NULL (out of memory or
 * a data column that is not JSON, which the CHECK rules out). */
static json_t *row_json(const PGresult *r, int i)
{
	json_t *data = json_loads(PQgetvalue(r, i, 7), 0, NULL);
	json_t *row;

	if (!data)
		return NULL;
	row = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:b, s:o}", "entity", PQgetvalue(r, i, 0),
	                "id", PQgetvalue(r, i, 1), "centre_id", PQgetvalue(r, i, 2), "version",
	                (json_int_t)strtoll(PQgetvalue(r, i, 3), NULL, 10), "updated_at",
	                PQgetvalue(r, i, 4), "updated_by", PQgetvalue(r, i, 5), "deleted",
	                PQgetvalue(r, i, 6)[0] == 't', "data", data);
	return row;
}

/* The current row (entity, id) visible to this centre, locked for the
 * rest of the transaction: *r (caller clears) with 0 or 1 row. */
static enum rc row_lock(struct central *db, const char *entity, const char *id, PGresult **out,
                        char **cause)
{
	const char *params[] = {entity, id};
	PGresult *r;

	r = exec(db,
	         "SELECT " ROW_COLUMNS " FROM record WHERE entity = $1 AND id = $2::uuid"
	         " FOR UPDATE",
	         2, params);
	if (!ok(r)) {
		enum rc rc = failed(db, r, "reading the row", cause);
		PQclear(r);
		return rc;
	}
	*out = r;
	return RC_OK;
}

/* ---- batches ---- */

enum rc db_record_batch_claim(struct central *db, const char *batch, char **stored, char **cause)
{
	const char *params[] = {batch};
	PGresult *r;
	enum rc rc = RC_OK;

	*stored = NULL;
	/* A concurrent request with the same batch waits here until the first
	 * commits (then finds its answer) or rolls back (then claims it). */
	r = exec(db,
	         "INSERT INTO sync_batch (centre_id, batch, response)"
	         " VALUES (handesk_centre_id(), $1::uuid, '') ON CONFLICT DO NOTHING RETURNING 1",
	         1, params);
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
	return rc;
}

enum rc db_record_batch_store(struct central *db, const char *batch, const char *response,
                              char **cause)
{
	const char *params[] = {batch, response};
	PGresult *r;
	enum rc rc = RC_OK;

	r = exec(db,
	         "UPDATE sync_batch SET response = $2 WHERE centre_id = handesk_centre_id()"
	         " AND batch = $1::uuid",
	         2, params);
	if (!ok(r))
		rc = failed(db, r, "storing the batch answer", cause);
	else if (strcmp(PQcmdTuples(r), "1") != 0) {
		db_cache_cause(cause, "storing the batch answer: the batch was not claimed");
		rc = RC_IO;
	}
	PQclear(r);
	return rc;
}

/* ---- applying a change ---- */

/* A result {"change": c->change, "status": status}; NULL if out of memory. */
static json_t *result_new(const struct record_change *c, const char *status)
{
	return json_pack("{s:s, s:s}", "change", c->change, "status", status);
}

static enum rc nomem(char **cause)
{
	db_cache_cause(cause, "out of memory");
	return RC_NOMEM;
}

static enum rc rejected(const struct record_change *c, const char *reason, json_t **result,
                        char **cause)
{
	*result = result_new(c, "rejected");
	if (!*result || json_object_set_new(*result, "reason", json_string(reason)) != 0)
		return nomem(cause);
	return RC_OK;
}

/* An "applied" or "duplicate" result with row 0 of r. */
static enum rc with_row(const struct record_change *c, const char *status, const PGresult *r,
                        json_t **result, char **cause)
{
	json_t *row = row_json(r, 0);
	int bad = 0;

	*result = result_new(c, status);
	if (!row || !*result) {
		json_decref(row);
		return nomem(cause);
	}
	/* json_object_set_new takes the value, even when it fails */
	bad += json_object_set_new(*result, "version",
	                           json_integer(strtoll(PQgetvalue(r, 0, 3), NULL, 10))) != 0;
	bad += json_object_set_new(*result, "row", row) != 0;
	return bad ? nomem(cause) : RC_OK;
}

static enum rc savepoint_back(struct central *db, char **cause)
{
	return run(db, "ROLLBACK TO SAVEPOINT change", "rollback to savepoint", cause);
}

/* Remember an applied change id: the same change in a later batch is then
 * a duplicate. */
static enum rc remember(struct central *db, const struct record_change *c, const PGresult *row,
                        char **cause)
{
	const char *params[] = {c->change, c->entity->name, c->id, PQgetvalue(row, 0, 3)};
	PGresult *r;
	enum rc rc = RC_OK;

	r = exec(db,
	         "INSERT INTO sync_change (centre_id, change, entity, id, version)"
	         " VALUES (handesk_centre_id(), $1, $2, $3::uuid, $4::bigint)"
	         " ON CONFLICT DO NOTHING",
	         4, params);
	if (!ok(r))
		rc = failed(db, r, "recording the change", cause);
	PQclear(r);
	return rc;
}

/* Write the conflict record (entity, row_id, fields, ours, theirs, base)
 * and make *result the conflict result with the server row srv (row i). */
static enum rc conflict(struct central *db, const struct record_change *c, json_t *fields,
                        json_t *ours, json_t *theirs, json_t *base, const PGresult *srv, int i,
                        json_t **result, char **cause)
{
	char *names = NULL, *ours_s = NULL, *theirs_s = NULL, *base_s = NULL;
	size_t len = 0, n;
	json_t *v;
	size_t k;
	PGresult *r = NULL;
	json_t *row = NULL, *crow = NULL;
	enum rc rc = RC_OK;

	json_array_foreach(fields, k, v) len += json_string_length(v) + 1;
	names = calloc(1, len + 1);
	if (!names)
		goto oom;
	json_array_foreach(fields, k, v)
	{
		n = strlen(names);
		snprintf(names + n, len + 1 - n, "%s%s", n ? "," : "", json_string_value(v));
	}
	ours_s = json_dumps(ours, JSON_COMPACT | JSON_SORT_KEYS);
	theirs_s = json_dumps(theirs, JSON_COMPACT | JSON_SORT_KEYS);
	base_s = json_dumps(base, JSON_COMPACT | JSON_SORT_KEYS);
	if (!ours_s || !theirs_s || !base_s)
		goto oom;
	{
		const char *by = sync_row_uuid(c->updated_by) ? c->updated_by : "";
		const char *params[] = {c->entity->name, c->id,  names, ours_s,
		                        theirs_s,        base_s, by};

		r = exec(
		    db,
		    "INSERT INTO record (entity, id, centre_id, version, updated_at, updated_by,"
		    " data)"
		    " SELECT 'conflict', gen_random_uuid(), handesk_centre_id(),"
		    " nextval('record_version'), now(), $7,"
		    " jsonb_build_object('entity', $1::text, 'row_id', $2::text,"
		    " 'fields', $3::text, 'ours', $4::text, 'theirs', $5::text,"
		    " 'base', $6::text, 'raised_at', to_char(now() AT TIME ZONE 'UTC',"
		    " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'raised_by', $7::text)"
		    " RETURNING " ROW_COLUMNS,
		    7, params);
	}
	if (!ok(r)) {
		rc = failed(db, r, "writing the conflict record", cause);
		goto out;
	}
	crow = row_json(r, 0);
	row = row_json(srv, i);
	*result = result_new(c, "conflict");
	if (!crow || !row || !*result || json_object_set(*result, "fields", fields) != 0)
		goto oom;
	/* json_object_set_new takes the value, even when it fails */
	n = json_object_set_new(*result, "conflict", crow) != 0;
	crow = NULL;
	n += json_object_set_new(*result, "row", row) != 0;
	row = NULL;
	if (n)
		goto oom;
	goto out;
oom:
	rc = nomem(cause);
out:
	json_decref(crow);
	json_decref(row);
	PQclear(r);
	free(names);
	free(ours_s);
	free(theirs_s);
	free(base_s);
	return rc;
}

/* A json_t or a new empty object: base of a conflict. */
static json_t *object_or_empty(const json_t *o)
{
	return json_is_object(o) ? json_deep_copy(o) : json_object();
}

/* The person of this centre that holds insz (another than c->id): a
 * conflict on "insz" with that person as the row. */
static enum rc insz_conflict(struct central *db, const struct record_change *c, json_t **result,
                             char **cause)
{
	json_t *insz = json_object_get(c->fields, "insz");
	const char *params[] = {json_string_value(insz), c->id};
	json_t *fields = NULL, *ours = NULL, *theirs = NULL, *base = NULL;
	PGresult *r;
	enum rc rc;

	if (!json_is_string(insz)) {
		db_cache_cause(cause, "an INSZ conflict without an INSZ (internal error)");
		return RC_IO;
	}
	r = exec(db,
	         "SELECT " ROW_COLUMNS " FROM record WHERE centre_id = handesk_centre_id()"
	         " AND entity = 'person' AND NOT deleted AND data ->> 'insz' = $1"
	         " AND id <> $2::uuid",
	         2, params);
	if (!ok(r)) {
		rc = failed(db, r, "finding the holder of the INSZ", cause);
		goto out;
	}
	if (PQntuples(r) != 1) {
		/* The holder was deleted meanwhile: the batch may be tried again. */
		db_cache_cause(cause, "the holder of INSZ %s changed meanwhile", params[0]);
		rc = RC_CONFLICT;
		goto out;
	}
	fields = json_pack("[s]", "insz");
	ours = json_deep_copy(c->fields);
	theirs = json_loads(PQgetvalue(r, 0, 7), 0, NULL);
	base = object_or_empty(c->base);
	if (!fields || !ours || !theirs || !base ||
	    json_object_set_new(theirs, "id", json_string(PQgetvalue(r, 0, 1))) != 0 ||
	    json_object_set_new(theirs, "version",
	                        json_integer(strtoll(PQgetvalue(r, 0, 3), NULL, 10))) != 0) {
		rc = nomem(cause);
		goto out;
	}
	rc = conflict(db, c, fields, ours, theirs, base, r, 0, result, cause);
out:
	json_decref(fields);
	json_decref(ours);
	json_decref(theirs);
	json_decref(base);
	PQclear(r);
	return rc;
}

/* Is this failed statement the unique index on a person's INSZ? */
static bool insz_taken(const PGresult *r)
{
	const char *name = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);

	return !strcmp(state(r), "23505") && name && !strcmp(name, "record_person_insz");
}

static bool pkey_taken(const PGresult *r)
{
	const char *name = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);

	return !strcmp(state(r), "23505") && name && !strcmp(name, "record_pkey");
}

/* Is the data of row 0 of cur equal to fields? */
static bool same_data(const PGresult *cur, json_t *fields)
{
	json_t *data = json_loads(PQgetvalue(cur, 0, 7), 0, NULL);
	bool same = data && json_equal(data, fields);

	json_decref(data);
	return same;
}

static enum rc apply_insert(struct central *db, const struct record_change *c, json_t **result,
                            char **cause)
{
	char *data = NULL;
	PGresult *cur = NULL, *r = NULL;
	enum rc rc;

	rc = row_lock(db, c->entity->name, c->id, &cur, cause);
	if (rc)
		return rc;
	if (PQntuples(cur) == 1) {
		rc = same_data(cur, c->fields) ? with_row(c, "duplicate", cur, result, cause)
		                               : rejected(c, "id already exists", result, cause);
		goto out;
	}
	data = json_dumps(c->fields, JSON_COMPACT);
	if (!data) {
		rc = nomem(cause);
		goto out;
	}
	{
		const char *params[] = {c->entity->name, c->id, c->updated_at, c->updated_by, data};

		r = exec(
		    db,
		    "INSERT INTO record (entity, id, centre_id, version, updated_at, updated_by,"
		    " data) VALUES ($1, $2::uuid, handesk_centre_id(),"
		    " nextval('record_version'), $3::timestamptz, $4, $5::jsonb)"
		    " RETURNING " ROW_COLUMNS,
		    5, params);
	}
	if (ok(r)) {
		rc = remember(db, c, r, cause);
		if (!rc)
			rc = with_row(c, "applied", r, result, cause);
		goto out;
	}
	if (insz_taken(r)) {
		rc = savepoint_back(db, cause);
		if (!rc)
			rc = insz_conflict(db, c, result, cause);
		goto out;
	}
	if (pkey_taken(r)) {
		/* Written meanwhile by a concurrent push (compare with it), or
		 * the id of a row of another centre (invisible here). */
		rc = savepoint_back(db, cause);
		if (rc)
			goto out;
		PQclear(cur);
		cur = NULL;
		rc = row_lock(db, c->entity->name, c->id, &cur, cause);
		if (rc)
			goto out;
		rc = PQntuples(cur) == 1 && same_data(cur, c->fields)
		         ? with_row(c, "duplicate", cur, result, cause)
		         : rejected(c, "id already exists", result, cause);
		goto out;
	}
	rc = failed(db, r, "inserting the row", cause);
out:
	free(data);
	PQclear(cur);
	PQclear(r);
	return rc;
}

/* The write of an update or a delete: new version, this transaction. */
static enum rc write_row(struct central *db, const struct record_change *c, const char *data,
                         bool del, PGresult **out)
{
	const char *params[] = {c->entity->name, c->id, c->updated_at, c->updated_by, data};

	*out = exec(db,
	            del ? "UPDATE record SET deleted = true, version = nextval('record_version'),"
	                  " txid = pg_current_xact_id(), updated_at = $3::timestamptz,"
	                  " updated_by = $4 WHERE entity = $1 AND id = $2::uuid AND $5::text = ''"
	                  " RETURNING " ROW_COLUMNS
	                : "UPDATE record SET data = data || $5::jsonb,"
	                  " version = nextval('record_version'), txid = pg_current_xact_id(),"
	                  " updated_at = $3::timestamptz, updated_by = $4"
	                  " WHERE entity = $1 AND id = $2::uuid RETURNING " ROW_COLUMNS,
	            5, params);
	return RC_OK;
}

static enum rc apply_update(struct central *db, const struct record_change *c, json_t **result,
                            char **cause)
{
	PGresult *cur = NULL, *r = NULL;
	json_t *data = NULL, *clash = NULL, *ours = NULL, *theirs = NULL, *base = NULL;
	char *text = NULL;
	long long version;
	const char *key;
	json_t *value;
	enum rc rc;

	rc = row_lock(db, c->entity->name, c->id, &cur, cause);
	if (rc)
		return rc;
	if (PQntuples(cur) != 1) {
		rc = rejected(c, "no such row", result, cause);
		goto out;
	}
	version = strtoll(PQgetvalue(cur, 0, 3), NULL, 10);
	data = json_loads(PQgetvalue(cur, 0, 7), 0, NULL);
	clash = json_array();
	if (!data || !clash) {
		rc = nomem(cause);
		goto out;
	}
	if (PQgetvalue(cur, 0, 6)[0] == 't') {
		/* Changed here, deleted there: a person decides. */
		ours = json_deep_copy(c->fields);
		theirs = json_pack("{s:b, s:I}", "deleted", 1, "version", (json_int_t)version);
		base = object_or_empty(c->base);
		if (!ours || !theirs || !base ||
		    json_array_append_new(clash, json_string("deleted")))
			rc = nomem(cause);
		else
			rc = conflict(db, c, clash, ours, theirs, base, cur, 0, result, cause);
		goto out;
	}
	if (c->base_version > version) {
		char why[128];

		snprintf(why, sizeof why, "base_version %lld is newer than the row's version %lld",
		         c->base_version, version);
		rc = rejected(c, why, result, cause);
		goto out;
	}
	if (c->base_version < version) {
		/* Changed on both sides since base_version: a field merges if
		 * only one side changed it, or both to the same value. */
		json_object_foreach(c->fields, key, value)
		{
			json_t *now = json_object_get(data, key);
			json_t *was =
			    json_is_object(c->base) ? json_object_get(c->base, key) : NULL;

			if ((now && json_equal(now, value)) ||
			    (now && was && json_equal(now, was)) || (!now && was == NULL))
				continue;
			if (json_array_append_new(clash, json_string(key)) != 0) {
				rc = nomem(cause);
				goto out;
			}
		}
		if (json_array_size(clash) > 0) {
			ours = json_deep_copy(c->fields);
			theirs = json_object();
			base = object_or_empty(c->base);
			if (!ours || !theirs || !base) {
				rc = nomem(cause);
				goto out;
			}
			json_object_foreach(c->fields, key, value)
			{
				json_t *now = json_object_get(data, key);

				if (now && json_object_set(theirs, key, now) != 0) {
					rc = nomem(cause);
					goto out;
				}
			}
			if (json_object_set_new(theirs, "version", json_integer(version)) != 0) {
				rc = nomem(cause);
				goto out;
			}
			rc = conflict(db, c, clash, ours, theirs, base, cur, 0, result, cause);
			goto out;
		}
	}
	text = json_dumps(c->fields, JSON_COMPACT);
	if (!text) {
		rc = nomem(cause);
		goto out;
	}
	write_row(db, c, text, false, &r);
	if (ok(r)) {
		rc = remember(db, c, r, cause);
		if (!rc)
			rc = with_row(c, "applied", r, result, cause);
	} else if (insz_taken(r)) {
		rc = savepoint_back(db, cause);
		if (!rc)
			rc = insz_conflict(db, c, result, cause);
	} else {
		rc = failed(db, r, "updating the row", cause);
	}
out:
	json_decref(data);
	json_decref(clash);
	json_decref(ours);
	json_decref(theirs);
	json_decref(base);
	free(text);
	PQclear(cur);
	PQclear(r);
	return rc;
}

static enum rc apply_delete(struct central *db, const struct record_change *c, json_t **result,
                            char **cause)
{
	PGresult *cur = NULL, *r = NULL;
	json_t *clash = NULL, *ours = NULL, *theirs = NULL, *base = NULL;
	long long version;
	enum rc rc;

	rc = row_lock(db, c->entity->name, c->id, &cur, cause);
	if (rc)
		return rc;
	if (PQntuples(cur) != 1) {
		rc = rejected(c, "no such row", result, cause);
		goto out;
	}
	if (PQgetvalue(cur, 0, 6)[0] == 't') {
		rc = with_row(c, "duplicate", cur, result, cause);
		goto out;
	}
	version = strtoll(PQgetvalue(cur, 0, 3), NULL, 10);
	if (c->base_version > version) {
		char why[128];

		snprintf(why, sizeof why, "base_version %lld is newer than the row's version %lld",
		         c->base_version, version);
		rc = rejected(c, why, result, cause);
		goto out;
	}
	if (c->base_version < version) {
		/* Deleted here, changed there since: a person decides. */
		clash = json_pack("[s]", "deleted");
		ours = json_pack("{s:b}", "deleted", 1);
		theirs = json_loads(PQgetvalue(cur, 0, 7), 0, NULL);
		base = object_or_empty(c->base);
		if (!clash || !ours || !theirs || !base ||
		    json_object_set_new(theirs, "version", json_integer(version)) != 0) {
			rc = nomem(cause);
			goto out;
		}
		rc = conflict(db, c, clash, ours, theirs, base, cur, 0, result, cause);
		goto out;
	}
	write_row(db, c, "", true, &r);
	if (!ok(r)) {
		rc = failed(db, r, "deleting the row", cause);
		goto out;
	}
	rc = remember(db, c, r, cause);
	if (!rc)
		rc = with_row(c, "applied", r, result, cause);
out:
	json_decref(clash);
	json_decref(ours);
	json_decref(theirs);
	json_decref(base);
	PQclear(cur);
	PQclear(r);
	return rc;
}

/* A change id applied before: "duplicate" with the row as it is now. */
static enum rc seen_before(struct central *db, const struct record_change *c, bool *seen,
                           json_t **result, char **cause)
{
	const char *params[] = {c->change};
	PGresult *r;
	enum rc rc = RC_OK;

	*seen = false;
	/* Scalar subqueries: the change is looked up first, then its row by
	 * entity and id (an IN joined the other way round read every row of
	 * the centre when the statistics misjudged its size). */
	r = exec(db,
	         "SELECT " ROW_COLUMNS " FROM record"
	         " WHERE entity = (SELECT entity FROM sync_change"
	         " WHERE centre_id = handesk_centre_id() AND change = $1)"
	         " AND id = (SELECT id FROM sync_change"
	         " WHERE centre_id = handesk_centre_id() AND change = $1)",
	         1, params);
	if (!ok(r)) {
		rc = failed(db, r, "looking up the change", cause);
		goto out;
	}
	if (PQntuples(r) == 1) {
		*seen = true;
		rc = with_row(c, "duplicate", r, result, cause);
	}
out:
	PQclear(r);
	return rc;
}

enum rc db_record_apply(struct central *db, const struct record_change *c, json_t **result,
                        char **cause)
{
	bool seen;
	enum rc rc;

	*result = NULL;
	rc = run(db, "SAVEPOINT change", "savepoint", cause);
	if (rc)
		return rc;
	rc = seen_before(db, c, &seen, result, cause);
	if (!rc && !seen) {
		switch (c->op) {
		case SYNC_OP_INSERT:
			rc = apply_insert(db, c, result, cause);
			break;
		case SYNC_OP_UPDATE:
			rc = apply_update(db, c, result, cause);
			break;
		case SYNC_OP_DELETE:
			rc = apply_delete(db, c, result, cause);
			break;
		default:
			rc = rejected(c, "op: insert, update or delete", result, cause);
		}
	}
	if (rc) {
		json_decref(*result);
		*result = NULL;
		return rc;
	}
	return run(db, "RELEASE SAVEPOINT change", "release savepoint", cause);
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

enum rc db_record_pull(struct central *db, const char *cursor, int limit, char **page, char **cause)
{
	char txid[20] = "0", version[20] = "0", lim[16], tail[128];
	const char *params[] = {txid, version, lim};
	PGresult *r = NULL;
	enum rc rc;
	int n, shown;

	*page = NULL;
	if (cursor && !parse_cursor(cursor, txid, version))
		return rc_fail(cause, RC_INVALID, "cursor: not a cursor of this service");
	if (limit < 1 || limit > DB_RECORD_PULL_LIMIT_MAX)
		limit = DB_RECORD_PULL_LIMIT;
	snprintf(lim, sizeof lim, "%d", limit + 1);
	/* Only rows of transactions older than the snapshot's xmin: any
	 * transaction still running (or yet to start) has a txid from xmin
	 * up, so it can never commit a row below a cursor given out. */
	r = exec(db,
	         "SELECT " PAGE_COLUMNS " FROM record"
	         " WHERE centre_id = handesk_centre_id()"
	         " AND txid < pg_snapshot_xmin(pg_current_snapshot())"
	         " AND (txid, version) > ($1::xid8, $2::bigint)"
	         " ORDER BY record.txid, record.version LIMIT $3::int",
	         3, params);
	if (!ok(r)) {
		rc = failed(db, r, "pull", cause);
		goto out;
	}
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
