/* sync.c: handeskd's push, pull and snapshot (handesk-sync(7)): a push body
 * parsed and checked apart from any database (the fuzz target calls that
 * part), then applied in one transaction (the checked changes in one call
 * to the store) with its answer stored for replays; pull and snapshot
 * pages.  All for the token's centre only: db/record.c runs each request
 * as handesk_centre for it. */
#include "autoconf.h"

#include "sync.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/record.h"
#include "src/i18n.h"

void central_sync_push_free(struct push_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		free(b->changes[i].reject);
	free(b->changes);
	json_decref(b->root);
	memset(b, 0, sizeof *b);
}

/* Printable ASCII, 1 to CENTRAL_SYNC_MAX_CHANGE bytes. */
static bool change_id(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (!json_is_string(v) || n == 0 || n > CENTRAL_SYNC_MAX_CHANGE || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

/* Check one change: *reject (malloc'd) says why it cannot be applied. */
static void check_change(json_t *o, struct push_change *c)
{
	json_t *entity = json_object_get(o, "entity");
	json_t *id = json_object_get(o, "id");
	json_t *op = json_object_get(o, "op");
	json_t *bv = json_object_get(o, "base_version");
	json_t *at = json_object_get(o, "updated_at");
	json_t *by = json_object_get(o, "updated_by");
	json_t *fields = json_object_get(o, "fields");
	json_t *base = json_object_get(o, "base");
	char **why = &c->reject;
	const char *key;
	json_t *value;

	c->entity = json_is_string(entity) ? sync_row_entity(json_string_value(entity)) : NULL;
	if (!c->entity) {
		rc_fail(why, RC_INVALID, _("entity: unknown"));
		return;
	}
	c->op = json_is_string(op) ? sync_row_op_parse(json_string_value(op)) : 0;
	if (sync_row_check_op(c->entity, c->op, why))
		return;
	if (!json_is_string(id) || !sync_row_uuid(json_string_value(id))) {
		rc_fail(why, RC_INVALID, _("id: not a lower-case UUID"));
		return;
	}
	snprintf(c->id, sizeof c->id, "%s", json_string_value(id));
	if (bv && !json_is_null(bv) && (!json_is_integer(bv) || json_integer_value(bv) < 0)) {
		rc_fail(why, RC_INVALID, _("base_version: not a non-negative integer"));
		return;
	}
	if (c->op != SYNC_OP_INSERT && !json_is_integer(bv)) {
		rc_fail(why, RC_INVALID, _("base_version: missing"));
		return;
	}
	c->base_version = json_is_integer(bv) ? (long long)json_integer_value(bv) : 0;
	if (!json_is_string(at) || !sync_row_time(json_string_value(at))) {
		rc_fail(why, RC_INVALID,
		        _("updated_at: not a UTC time of the form 2026-01-31T09:15:02.123Z"));
		return;
	}
	snprintf(c->updated_at, sizeof c->updated_at, "%s", json_string_value(at));
	if (by && !json_is_null(by) &&
	    (!json_is_string(by) ||
	     (json_string_length(by) > 0 && !sync_row_uuid(json_string_value(by))))) {
		rc_fail(why, RC_INVALID, _("updated_by: not a staff id"));
		return;
	}
	snprintf(c->updated_by, sizeof c->updated_by, "%s",
	         json_is_string(by) ? json_string_value(by) : "");
	if (c->op == SYNC_OP_DELETE) {
		/* A tombstone carries no fields. */
		if (fields && !json_is_null(fields) &&
		    (!json_is_object(fields) || json_object_size(fields) != 0)) {
			rc_fail(why, RC_INVALID, _("fields: a delete carries none"));
			return;
		}
	} else if (!json_is_object(fields)) {
		rc_fail(why, RC_INVALID, _("fields: not an object"));
		return;
	} else if (sync_row_check_fields(c->entity, c->op, fields, why)) {
		return;
	}
	c->fields = fields;
	if (base && !json_is_null(base)) {
		if (!json_is_object(base)) {
			rc_fail(why, RC_INVALID, _("base: not an object"));
			return;
		}
		/* The values the client had: only their names are checked
		 * (they may predate a rule). */
		json_object_foreach(base, key, value)
		{
			if (!sync_row_field(c->entity, key)) {
				rc_fail(why, RC_INVALID, _("base: %s has no field %s"),
				        c->entity->name, key);
				return;
			}
		}
		c->base = base;
	}
}

enum rc central_sync_parse_push(const char *body, size_t len, struct push_batch *out, char **cause)
{
	json_error_t err;
	json_t *batch, *changes;
	size_t n;

	memset(out, 0, sizeof *out);
	if (!body || len == 0)
		return rc_fail(cause, RC_INVALID, _("empty body: a JSON object was expected"));
	out->root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
	if (!out->root)
		return rc_fail(cause, RC_INVALID, _("not JSON: %s (line %d, column %d)"), err.text,
		               err.line, err.column);
	if (!json_is_object(out->root))
		return rc_fail(cause, RC_INVALID, _("the body is not a JSON object"));
	batch = json_object_get(out->root, "batch");
	if (!json_is_string(batch) || !sync_row_uuid(json_string_value(batch)))
		return rc_fail(cause, RC_INVALID, _("batch: not a lower-case UUID"));
	snprintf(out->batch, sizeof out->batch, "%s", json_string_value(batch));
	changes = json_object_get(out->root, "changes");
	if (!json_is_array(changes))
		return rc_fail(cause, RC_INVALID, _("changes: not an array"));
	n = json_array_size(changes);
	if (n > CENTRAL_SYNC_MAX_CHANGES)
		return rc_fail(cause, RC_INVALID, _("changes: %zu, at most %d in a batch"), n,
		               CENTRAL_SYNC_MAX_CHANGES);
	out->changes = calloc(n ? n : 1, sizeof *out->changes);
	if (!out->changes)
		return rc_fail(cause, RC_NOMEM, _("out of memory"));
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(changes, i);
		struct push_change *c = &out->changes[i];

		if (!json_is_object(o))
			return rc_fail(cause, RC_INVALID, _("changes[%zu]: not an object"), i);
		if (!change_id(json_object_get(o, "change")))
			return rc_fail(cause, RC_INVALID,
			               _("changes[%zu].change: not an id of 1 to %d printable "
			                 "characters"),
			               i, CENTRAL_SYNC_MAX_CHANGE);
		snprintf(c->change, sizeof c->change, "%s",
		         json_string_value(json_object_get(o, "change")));
		check_change(o, c);
		if (c->reject)
			c->fields = c->base = NULL;
	}
	return RC_OK;
}

/* ---- replies ---- */

void central_sync_reply_free(struct sync_reply *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->message);
	memset(r, 0, sizeof *r);
}

static void reply_error(struct sync_reply *out, unsigned status, const char *code, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));

static void reply_error(struct sync_reply *out, unsigned status, const char *code, const char *fmt,
                        ...)
{
	va_list ap;

	out->status = status;
	out->code = code;
	va_start(ap, fmt);
	if (vasprintf(&out->message, fmt, ap) < 0)
		out->message = NULL;
	va_end(ap);
}

/* A failure of the store: 503 and try again for a deadlock or a
 * serialisation failure, or when the database is away. */
static void reply_store(struct sync_reply *out, enum rc rc, const char *cause)
{
	if (rc == RC_SCHEMA) {
		reply_error(out, 500, "internal", "%s", cause ? cause : "schema");
		return;
	}
	if (rc == RC_NOMEM) {
		reply_error(out, 500, "internal", "%s", _("out of memory"));
		return;
	}
	reply_error(out, 503, "unavailable", _("the central store failed; try again later (%s)"),
	            cause ? cause : "");
	out->retry = rc == RC_CONFLICT ? "1" : "5";
	out->broken = rc == RC_IO;
}

/* ---- push ---- */

static json_t *rejected_result(const struct push_change *c)
{
	return json_pack("{s:s, s:s, s:s}", "change", c->change, "status", "rejected", "reason",
	                 c->reject);
}

void central_sync_push(struct central *db, const char *centre_id, const char *body, size_t len,
                       struct sync_reply *out)
{
	struct push_batch b;
	json_t *response = NULL, *results;
	char *cause = NULL, *stored = NULL, *text = NULL;
	struct record_change *recs = NULL;
	json_t **applied = NULL;
	size_t nrec = 0;
	enum rc rc;
	bool in_tx = false;

	memset(out, 0, sizeof *out);
	rc = central_sync_parse_push(body, len, &b, &cause);
	if (rc) {
		if (rc == RC_NOMEM)
			reply_error(out, 500, "internal", "%s", _("out of memory"));
		else
			reply_error(out, 400, "bad_request", "%s", cause ? cause : "");
		goto out;
	}
	rc = db_record_batch_claim(db, centre_id, b.batch, &stored, &cause);
	if (rc)
		goto store_failed;
	if (stored) {
		/* Sent again: the same answer, nothing changed. */
		out->status = 200;
		out->body = stored;
		stored = NULL;
		goto out;
	}
	in_tx = true;
	results = json_array();
	response = json_pack("{s:s, s:o}", "batch", b.batch, "results", results);
	if (!response) {
		rc = RC_NOMEM;
		goto store_failed;
	}
	/* The changes that passed the checks go to the store in one call;
	 * the others are answered here, each in its place. */
	recs = calloc(b.n ? b.n : 1, sizeof *recs);
	applied = calloc(b.n ? b.n : 1, sizeof *applied);
	if (!recs || !applied) {
		rc = RC_NOMEM;
		goto store_failed;
	}
	for (size_t i = 0; i < b.n; i++) {
		struct push_change *c = &b.changes[i];

		if (c->reject)
			continue;
		recs[nrec++] = (struct record_change){
		    .change = c->change,
		    .entity = c->entity,
		    .id = c->id,
		    .op = c->op,
		    .base_version = c->base_version,
		    .updated_at = c->updated_at,
		    .updated_by = c->updated_by,
		    .fields = c->fields,
		    .base = c->base,
		};
	}
	rc = db_record_apply_batch(db, recs, nrec, applied, &cause);
	if (rc)
		goto store_failed;
	for (size_t i = 0, k = 0; i < b.n; i++) {
		json_t *result;

		if (b.changes[i].reject) {
			result = rejected_result(&b.changes[i]);
		} else {
			result = applied[k];
			applied[k++] = NULL;
		}
		if (!result || json_array_append_new(results, result) != 0) {
			rc = RC_NOMEM;
			goto store_failed;
		}
	}
	text = json_dumps(response, JSON_COMPACT);
	if (!text) {
		rc = RC_NOMEM;
		goto store_failed;
	}
	/* The answer is stored in the transaction of the changes: both or
	 * neither. */
	in_tx = false; /* stored and committed, or rolled back */
	rc = db_record_batch_store(db, b.batch, text, &cause);
	if (rc)
		goto store_failed;
	out->status = 200;
	out->body = text;
	text = NULL;
	goto out;
store_failed:
	if (in_tx)
		db_record_rollback(db);
	reply_store(out, rc, cause);
out:
	if (applied)
		for (size_t i = 0; i < nrec; i++)
			json_decref(applied[i]);
	free(applied);
	free(recs);
	free(text);
	free(stored);
	free(cause);
	json_decref(response);
	central_sync_push_free(&b);
}

/* ---- pull and snapshot ---- */

/* limit=N: absent = default, above max = max; otherwise 1.. digits. */
static bool parse_limit(const char *s, int def, int max, int *out)
{
	long v = 0;

	*out = def;
	if (!s)
		return true;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v < 100000000)
			v = v * 10 + (*s - '0');
	}
	if (v < 1)
		return false;
	*out = v > max ? max : (int)v;
	return true;
}

void central_sync_pull(struct central *db, const char *centre_id, const char *cursor,
                       const char *limit, struct sync_reply *out)
{
	char *page = NULL;
	char *cause = NULL;
	enum rc rc;
	int n;

	memset(out, 0, sizeof *out);
	if (cursor && !*cursor)
		cursor = NULL; /* "cursor=": from the start */
	if (!parse_limit(limit, DB_RECORD_PULL_LIMIT, DB_RECORD_PULL_LIMIT_MAX, &n)) {
		reply_error(out, 400, "bad_request", _("limit: a positive integer"));
		return;
	}
	rc = db_record_pull(db, centre_id, cursor, n, &page, &cause);
	if (rc == RC_INVALID)
		reply_error(out, 400, "bad_request", "%s", cause ? cause : "cursor");
	else if (rc)
		reply_store(out, rc, cause);
	else {
		out->status = 200;
		out->body = page;
		page = NULL;
	}
	free(page);
	free(cause);
}

void central_sync_snapshot(struct central *db, const char *centre_id, const char *after,
                           const char *limit, struct sync_reply *out)
{
	char *page = NULL;
	char *cause = NULL;
	enum rc rc;
	int n;

	memset(out, 0, sizeof *out);
	if (after && !*after)
		after = NULL; /* "after=": the first page */
	if (!parse_limit(limit, DB_RECORD_SNAPSHOT_LIMIT, DB_RECORD_SNAPSHOT_LIMIT_MAX, &n)) {
		reply_error(out, 400, "bad_request", _("limit: a positive integer"));
		return;
	}
	rc = db_record_begin(db, centre_id, &cause);
	if (!rc) {
		rc = db_record_snapshot(db, after, n, &page, &cause);
		if (rc)
			db_record_rollback(db);
		else
			rc = db_record_commit(db, &cause);
	}
	if (rc == RC_INVALID)
		reply_error(out, 400, "bad_request", "%s", cause ? cause : "after");
	else if (rc)
		reply_store(out, rc, cause);
	else {
		out->status = 200;
		out->body = page;
		page = NULL;
	}
	free(page);
	free(cause);
}
