/* sync.c: the SQLite side of sync (see sync.h): state, lease, push
 * batches coalesced from the outbox, replies and pages applied in one
 * transaction each, rejected changes and conflicts. */
#include "autoconf.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "search.h"
#include "src/sync_row.h"
#include "src/uuid.h"
#include "sync.h"

/* The synced kinds and their fields are src/sync_row.c's catalogue, the
 * one handeskd checks pushes against; their names are the columns of the
 * local tables (db/local/).  Statements are built once per kind and kept
 * in arrays indexed by the kind's place in the catalogue. */
/* WAL pages between checkpoints in small steps (the curses loop): a
 * checkpoint copies them all in one go, so few. */
#define WAL_SMALL_STEPS 256

#define N_ENTITIES 16 /* at least sync_row_entity_count() */
#define N_FIELDS   24 /* at least the fields of the largest kind */

/* The place of e in the catalogue (an index of the statement arrays). */
static size_t entity_index(const struct sync_entity *e)
{
	size_t k = (size_t)(e - sync_row_entity_at(0));

	if (k >= N_ENTITIES || e->nfields > N_FIELDS)
		abort(); /* the arrays are sized for the catalogue */
	return k;
}

static bool field_is_int(const struct sync_entity *e, size_t i)
{
	return e->fields[i].type == SYNC_INT;
}

/* The upsert of a row object (:row) into its table, built once per kind
 * (db_cache_stmt keeps the text's pointer): a newer version replaces every
 * column; an append-only row only ever takes its version.  Its twin for a
 * parsed row object takes the same values as parameters: ?1 id, ?2
 * centre_id, ?3 version, ?4 updated_at, ?5 updated_by, ?6 deleted, then
 * the fields in order from ?7 (NULL for a field the row lacks). */
static char upsert_sql[N_ENTITIES][4096];
static char upsert_bind_sql[N_ENTITIES][4096];
#define UPSERT_FIELD0 7

static const char *upsert_for(const struct sync_entity *e, bool bind)
{
	size_t k = entity_index(e);
	char *s = bind ? upsert_bind_sql[k] : upsert_sql[k];
	size_t cap = sizeof upsert_sql[k], len;

	if (s[0])
		return s;
	len = (size_t)snprintf(s, cap,
	                       "INSERT INTO %s(id, centre_id, version, updated_at, updated_by, "
	                       "deleted",
	                       e->name);
	for (size_t i = 0; i < e->nfields; i++)
		len += (size_t)snprintf(s + len, cap - len, ", %s", e->fields[i].name);
	if (bind)
		len +=
		    (size_t)snprintf(s + len, cap - len,
		                     ") VALUES (?1, ?2, ?3, ?4, coalesce(?5, ''), coalesce(?6, 0)");
	else
		len += (size_t)snprintf(
		    s + len, cap - len,
		    ") VALUES (json_extract(:row, '$.id'), "
		    "json_extract(:row, '$.centre_id'), json_extract(:row, '$.version'), "
		    "json_extract(:row, '$.updated_at'), "
		    "coalesce(json_extract(:row, '$.updated_by'), ''), "
		    "coalesce(json_extract(:row, '$.deleted'), 0)");
	for (size_t i = 0; i < e->nfields; i++) {
		if (bind)
			len += (size_t)snprintf(s + len, cap - len, ", coalesce(?%d, %s)",
			                        UPSERT_FIELD0 + (int)i,
			                        field_is_int(e, i) ? "0" : "''");
		else
			len += (size_t)snprintf(s + len, cap - len,
			                        ", coalesce(json_extract(:row, '$.data.%s'), %s)",
			                        e->fields[i].name, field_is_int(e, i) ? "0" : "''");
	}
	if (e->append_only) {
		len +=
		    (size_t)snprintf(s + len, cap - len,
		                     ") ON CONFLICT(id) DO UPDATE SET version = excluded.version "
		                     "WHERE excluded.version > %s.version",
		                     e->name);
	} else {
		len += (size_t)snprintf(
		    s + len, cap - len,
		    ") ON CONFLICT(id) DO UPDATE SET centre_id = excluded.centre_id, "
		    "version = excluded.version, updated_at = excluded.updated_at, "
		    "updated_by = excluded.updated_by, deleted = excluded.deleted");
		for (size_t i = 0; i < e->nfields; i++)
			len += (size_t)snprintf(s + len, cap - len, ", %s = excluded.%s",
			                        e->fields[i].name, e->fields[i].name);
		len += (size_t)snprintf(s + len, cap - len, " WHERE excluded.version > %s.version",
		                        e->name);
	}
	if (len >= cap)
		abort(); /* the buffer is sized for the longest kind */
	return s;
}

static bool in_tx(struct cache *c)
{
	return !sqlite3_get_autocommit(db_cache_handle(c));
}

/* ---- sync_state ---- */

enum rc db_sync_state_get(struct cache *c, const char *key, char **value)
{
	sqlite3_stmt *st;
	bool row;
	enum rc rc;

	*value = NULL;
	rc = db_cache_stmt(c, "SELECT value FROM sync_state WHERE key = :key", &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":key", key);
	rc = db_cache_step(c, st, &row, NULL);
	if (!rc && !row)
		rc = RC_NOTFOUND;
	if (!rc) {
		*value = strdup((const char *)sqlite3_column_text(st, 0));
		if (!*value)
			rc = RC_NOMEM;
	}
	sqlite3_reset(st);
	return rc;
}

static enum rc state_write(struct cache *c, const char *key, const char *value, char **cause)
{
	sqlite3_stmt *st;
	enum rc rc;

	rc = db_cache_stmt(
	    c,
	    value ? "INSERT OR REPLACE INTO sync_state(key, value) VALUES (:key, :value)"
	          : "DELETE FROM sync_state WHERE key = :key",
	    &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":key", key);
	if (value)
		db_cache_bind_text(c, st, ":value", value);
	rc = db_cache_step(c, st, NULL, cause);
	sqlite3_reset(st);
	return rc;
}

enum rc db_sync_state_set(struct cache *c, const char *key, const char *value, char **cause)
{
	enum rc rc;

	if (in_tx(c))
		return state_write(c, key, value, cause);
	rc = db_cache_begin(c, cause);
	if (rc)
		return rc;
	rc = state_write(c, key, value, cause);
	if (!rc)
		rc = db_cache_commit(c, cause);
	if (rc)
		db_cache_rollback(c);
	return rc;
}

enum rc db_sync_cache_id(struct cache *c, char out[37], char **cause)
{
	char *v = NULL;
	enum rc rc;

	rc = db_sync_state_get(c, "cache_id", &v);
	if (rc == RC_OK && strlen(v) == 36) {
		memcpy(out, v, 37);
		free(v);
		return RC_OK;
	}
	free(v);
	if (rc != RC_OK && rc != RC_NOTFOUND)
		return rc;
	uuid_new(out);
	/* INSERT OR IGNORE then read: two processes racing agree on one id. */
	rc = db_cache_begin(c, cause);
	if (rc)
		return rc;
	{
		sqlite3_stmt *st;
		rc = db_cache_stmt(
		    c,
		    "INSERT OR IGNORE INTO sync_state(key, value) VALUES ('cache_id', "
		    ":v)",
		    &st, cause);
		if (!rc) {
			db_cache_bind_text(c, st, ":v", out);
			rc = db_cache_step(c, st, NULL, cause);
			sqlite3_reset(st);
		}
	}
	if (!rc)
		rc = db_cache_commit(c, cause);
	if (rc) {
		db_cache_rollback(c);
		return rc;
	}
	rc = db_sync_state_get(c, "cache_id", &v);
	if (!rc)
		snprintf(out, 37, "%s", v);
	free(v);
	return rc;
}

/* ---- lease ---- */

/* A holder is "host:pid".  True if who was a process of this host (the
 * host part of holder) that no longer exists: killed with SIGKILL or
 * crashed, it could not release its lease, and nobody should wait for it
 * to expire. */
static bool holder_dead(const char *who, const char *holder)
{
	const char *a = strrchr(who, ':'), *b = strrchr(holder, ':');
	char *end;
	long pid;

	if (!a || !b || a - who != b - holder || strncmp(who, holder, (size_t)(a - who)) != 0)
		return false;
	pid = strtol(a + 1, &end, 10);
	if (*end || pid <= 0)
		return false;
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

enum rc db_sync_lease_take(struct cache *c, const char *holder, long long now, long seconds,
                           char **cause)
{
	char *who = NULL, *until = NULL, buf[32];
	long long end = 0;
	enum rc rc;

	rc = db_cache_begin(c, cause); /* BEGIN IMMEDIATE: one taker at a time */
	if (rc)
		return rc;
	if (db_sync_state_get(c, "lease_holder", &who) == RC_OK &&
	    db_sync_state_get(c, "lease_until", &until) == RC_OK)
		end = strtoll(until, NULL, 10);
	if (who && strcmp(who, holder) != 0 && end > now && !holder_dead(who, holder)) {
		db_cache_cause(
		    cause, "another sync agent (%s) is syncing this cache for %lld more seconds",
		    who, end - now);
		rc = RC_DENIED;
		goto out;
	}
	snprintf(buf, sizeof buf, "%lld", now + seconds);
	rc = state_write(c, "lease_holder", holder, cause);
	if (!rc)
		rc = state_write(c, "lease_until", buf, cause);
	if (!rc)
		rc = db_cache_commit(c, cause);
out:
	if (rc)
		db_cache_rollback(c);
	free(who);
	free(until);
	return rc;
}

enum rc db_sync_lease_release(struct cache *c, const char *holder, char **cause)
{
	char *who = NULL;
	enum rc rc;

	rc = db_cache_begin(c, cause);
	if (rc)
		return rc;
	if (db_sync_state_get(c, "lease_holder", &who) == RC_OK && strcmp(who, holder) == 0) {
		rc = state_write(c, "lease_holder", NULL, cause);
		if (!rc)
			rc = state_write(c, "lease_until", NULL, cause);
	}
	if (!rc)
		rc = db_cache_commit(c, cause);
	if (rc)
		db_cache_rollback(c);
	free(who);
	return rc;
}

/* ---- push: building a batch ---- */

/* One outbox entry as read for a batch. */
struct entry {
	long seq;
	char entity[24];
	char row_id[37];
	char op[8];
	long base_version;
	json_t *payload; /* owned */
	json_t *base;    /* owned, NULL for an insert */
};

static void entry_clear(struct entry *e)
{
	json_decref(e->payload);
	json_decref(e->base);
	memset(e, 0, sizeof *e);
}

static enum rc delete_entries(struct cache *c, const char *entity, const char *row_id, long upto,
                              char **cause)
{
	sqlite3_stmt *st;
	enum rc rc;

	rc = db_cache_stmt(c,
	                   "DELETE FROM outbox WHERE entity = :entity AND row_id = :id "
	                   "AND seq <= :seq",
	                   &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":entity", entity);
	db_cache_bind_text(c, st, ":id", row_id);
	db_cache_bind_int(c, st, ":seq", upto);
	rc = db_cache_step(c, st, NULL, cause);
	sqlite3_reset(st);
	return rc;
}

/* Coalesce the entries of one row (oldest first) into one change, or none
 * (*change NULL) if together they change nothing the service must know: an
 * insert later deleted, an update back to the base. */
static enum rc coalesce(const char *cache_id, struct entry *v, int n, json_t **change)
{
	const struct sync_entity *e = sync_row_entity(v[0].entity);
	struct entry *first = &v[0], *last = &v[n - 1];
	json_t *fields = json_object(), *base = json_object(), *ch = NULL, *val, *bval;
	const char *op;
	char id[64];
	json_t *lb = json_object_get(last->payload, "deleted");
	bool deleted = lb && json_is_true(lb) ? true : (json_integer_value(lb) != 0);
	enum rc rc = RC_NOMEM;

	*change = NULL;
	if (!fields || !base)
		goto out;
	if (strcmp(first->op, "insert") == 0) {
		op = "insert";
		if (deleted) { /* born and deleted here: the service never knew it */
			rc = RC_OK;
			goto out;
		}
	} else if (deleted && strcmp(last->op, "delete") == 0) {
		op = "delete";
	} else {
		op = "update";
	}
	if (strcmp(op, "delete") != 0) {
		for (size_t i = 0; i < e->nfields; i++) {
			val = json_object_get(last->payload, e->fields[i].name);
			if (!val)
				continue;
			bval = first->base ? json_object_get(first->base, e->fields[i].name) : NULL;
			if (strcmp(op, "update") == 0 && bval && json_equal(bval, val))
				continue; /* unchanged since the base */
			if (json_object_set(fields, e->fields[i].name, val))
				goto out;
			if (strcmp(op, "update") == 0 && bval &&
			    json_object_set(base, e->fields[i].name, bval))
				goto out;
		}
		if (strcmp(op, "update") == 0 && json_object_size(fields) == 0) {
			rc = RC_OK; /* back where it started */
			goto out;
		}
	}
	snprintf(id, sizeof id, "%s:%ld", cache_id, last->seq);
	val = json_object_get(last->payload, "updated_at");
	bval = json_object_get(last->payload, "updated_by");
	ch = json_pack(
	    "{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:O, s:O}", "change", id, "entity", first->entity,
	    "id", first->row_id, "op", op, "base_version", (json_int_t)first->base_version,
	    "updated_at", json_is_string(val) ? json_string_value(val) : "", "updated_by",
	    json_is_string(bval) ? json_string_value(bval) : "", "fields", fields, "base", base);
	if (!ch)
		goto out;
	*change = ch;
	rc = RC_OK;
out:
	json_decref(fields);
	json_decref(base);
	return rc;
}

static enum rc read_entry(sqlite3_stmt *st, struct entry *e)
{
	json_error_t err;
	const char *base = (const char *)sqlite3_column_text(st, 6);

	memset(e, 0, sizeof *e);
	e->seq = (long)sqlite3_column_int64(st, 0);
	db_cache_column_text(st, 1, e->entity, sizeof e->entity);
	db_cache_column_text(st, 2, e->row_id, sizeof e->row_id);
	db_cache_column_text(st, 3, e->op, sizeof e->op);
	e->base_version = (long)sqlite3_column_int64(st, 4);
	e->payload = json_loads((const char *)sqlite3_column_text(st, 5), 0, &err);
	e->base = base ? json_loads(base, 0, &err) : NULL;
	if (!json_is_object(e->payload) || (base && !json_is_object(e->base)))
		return RC_IO;
	return RC_OK;
}

/* Finish one row's group: a change into changes, or its entries dropped. */
static enum rc flush_group(struct cache *c, const char *cache_id, struct entry *v, int n,
                           json_t *changes, char **cause)
{
	const struct sync_entity *e;
	json_t *ch = NULL;
	enum rc rc;

	if (n == 0)
		return RC_OK;
	e = sync_row_entity(v[0].entity);
	if (!e || !e->ops) /* the centre row is the service's to make */
		return delete_entries(c, v[0].entity, v[0].row_id, v[n - 1].seq, cause);
	rc = coalesce(cache_id, v, n, &ch);
	if (rc)
		return rc;
	if (!ch)
		return delete_entries(c, v[0].entity, v[0].row_id, v[n - 1].seq, cause);
	return json_array_append_new(changes, ch) ? RC_NOMEM : RC_OK;
}

static enum rc build_batch(struct cache *c, int max, char **body, int *n, char **cause)
{
	char cache_id[37], batch[37];
	struct entry *group = NULL;
	int ng = 0, capg = 0;
	json_t *changes = json_array(), *doc = NULL;
	sqlite3_stmt *st;
	bool row;
	enum rc rc;

	if (!changes)
		return RC_NOMEM;
	rc = db_sync_state_get(c, "cache_id", body);
	if (rc == RC_OK && strlen(*body) == 36)
		memcpy(cache_id, *body, 37);
	free(*body);
	*body = NULL;
	if (rc) {
		db_cache_cause(cause, "sync: the cache has no cache_id (internal error)");
		goto out;
	}
	/* The oldest max rows by their first entry, every entry of each, in
	 * order; rows with a rejected change wait for a person. */
	rc = db_cache_stmt(
	    c,
	    "SELECT o.seq, o.entity, o.row_id, o.op, o.base_version, o.payload, o.base "
	    "FROM (SELECT entity, row_id, min(seq) AS first FROM outbox x "
	    "WHERE NOT EXISTS (SELECT 1 FROM sync_rejected s WHERE s.entity = x.entity "
	    "AND s.row_id = x.row_id) GROUP BY entity, row_id ORDER BY first LIMIT :max) r "
	    "JOIN outbox o ON o.entity = r.entity AND o.row_id = r.row_id "
	    "ORDER BY r.first, o.seq",
	    &st, cause);
	if (rc)
		goto out;
	db_cache_bind_int(c, st, ":max", max);
	for (;;) {
		struct entry e;
		rc = db_cache_step(c, st, &row, cause);
		if (rc || !row)
			break;
		rc = read_entry(st, &e);
		if (rc) {
			db_cache_cause(cause, "outbox entry %ld is not valid JSON (internal error)",
			               e.seq);
			entry_clear(&e);
			break;
		}
		if (ng &&
		    (strcmp(group[0].entity, e.entity) || strcmp(group[0].row_id, e.row_id))) {
			rc = flush_group(c, cache_id, group, ng, changes, cause);
			for (int i = 0; i < ng; i++)
				entry_clear(&group[i]);
			ng = 0;
			if (rc) {
				entry_clear(&e);
				break;
			}
		}
		if (ng == capg) {
			int cap = capg ? 2 * capg : 16;
			struct entry *p = realloc(group, (size_t)cap * sizeof *p);
			if (!p) {
				entry_clear(&e);
				rc = RC_NOMEM;
				break;
			}
			group = p;
			capg = cap;
		}
		group[ng++] = e;
	}
	sqlite3_reset(st);
	if (!rc)
		rc = flush_group(c, cache_id, group, ng, changes, cause);
	if (rc)
		goto out;
	if (json_array_size(changes) == 0)
		goto out;
	uuid_new(batch);
	doc = json_pack("{s:s, s:O}", "batch", batch, "changes", changes);
	if (!doc || !(*body = json_dumps(doc, JSON_COMPACT))) {
		rc = RC_NOMEM;
		goto out;
	}
	*n = (int)json_array_size(changes);
out:
	for (int i = 0; i < ng; i++)
		entry_clear(&group[i]);
	free(group);
	json_decref(changes);
	json_decref(doc);
	return rc;
}

static int count_changes(const char *body)
{
	json_t *doc = json_loads(body, 0, NULL);
	int n = (int)json_array_size(json_object_get(doc, "changes"));

	json_decref(doc);
	return n;
}

enum rc db_sync_next_batch(struct cache *c, int max, char **body, int *n, bool *resend,
                           char **cause)
{
	char cache_id[37];
	enum rc rc;

	*body = NULL;
	*n = 0;
	*resend = false;
	if (max <= 0 || max > DB_SYNC_BATCH_MAX)
		max = DB_SYNC_BATCH_MAX;
	rc = db_sync_cache_id(c, cache_id, cause);
	if (rc)
		return rc;
	rc = db_cache_begin(c, cause);
	if (rc)
		return rc;
	rc = db_sync_state_get(c, "pending_batch", body);
	if (rc == RC_OK) {
		*resend = true;
		*n = count_changes(*body);
		goto out;
	}
	if (rc != RC_NOTFOUND)
		goto out;
	rc = build_batch(c, max, body, n, cause);
	if (!rc && *body)
		rc = state_write(c, "pending_batch", *body, cause);
out:
	if (!rc)
		rc = db_cache_commit(c, cause);
	if (rc) {
		db_cache_rollback(c);
		free(*body);
		*body = NULL;
		*n = 0;
		*resend = false;
	}
	return rc;
}

/* ---- applying rows ---- */

static enum rc exists(struct cache *c, const char *sql, const char *entity, const char *id,
                      bool *yes, char **cause)
{
	sqlite3_stmt *st;
	enum rc rc;

	rc = db_cache_stmt(c, sql, &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":entity", entity);
	db_cache_bind_text(c, st, ":id", id);
	rc = db_cache_step(c, st, yes, cause);
	sqlite3_reset(st);
	return rc;
}

/* Rule 9: a row with unsent or rejected local changes is not overwritten. */
static enum rc blocked(struct cache *c, const char *entity, const char *id, bool *yes, char **cause)
{
	enum rc rc;

	rc = exists(c, "SELECT 1 FROM outbox WHERE entity = :entity AND row_id = :id LIMIT 1",
	            entity, id, yes, cause);
	if (rc || *yes)
		return rc;
	return exists(c,
	              "SELECT 1 FROM sync_rejected WHERE entity = :entity AND row_id = :id LIMIT 1",
	              entity, id, yes, cause);
}

/* The row as JSON text: r->json, or the text of r->obj in *tmp (caller
 * frees); NULL when out of memory. */
static const char *row_text(const struct db_sync_row *r, char **tmp)
{
	*tmp = NULL;
	if (r->json || !r->obj)
		return r->json;
	*tmp = json_dumps(r->obj, JSON_COMPACT);
	return *tmp;
}

static enum rc hold(struct cache *c, const struct db_sync_row *r, const char *reason, char **cause)
{
	sqlite3_stmt *st;
	char *tmp;
	const char *text = row_text(r, &tmp);
	enum rc rc;

	if (!text) {
		db_cache_cause(cause, "out of memory");
		return RC_NOMEM;
	}
	rc = db_cache_stmt(c,
	                   "INSERT INTO sync_held(entity, row_id, version, row, reason) "
	                   "VALUES (:entity, :id, :version, :row, :reason) "
	                   "ON CONFLICT(entity, row_id) DO UPDATE SET version = excluded.version, "
	                   "row = excluded.row, reason = excluded.reason "
	                   "WHERE excluded.version > sync_held.version",
	                   &st, cause);
	if (rc)
		goto out;
	db_cache_bind_text(c, st, ":entity", r->entity);
	db_cache_bind_text(c, st, ":id", r->id);
	db_cache_bind_int(c, st, ":version", r->version);
	db_cache_bind_text(c, st, ":row", text);
	db_cache_bind_text(c, st, ":reason", reason);
	rc = db_cache_step(c, st, NULL, cause);
	sqlite3_reset(st);
out:
	free(tmp);
	return rc;
}

/* Bind a value of a row object as json_extract would give it: a string as
 * text, an integer as an integer, true and false as 1 and 0, anything else
 * (absent) as NULL. */
static void bind_value(sqlite3_stmt *st, int i, const json_t *v)
{
	if (json_is_string(v))
		sqlite3_bind_text(st, i, json_string_value(v), (int)json_string_length(v),
		                  SQLITE_STATIC);
	else if (json_is_integer(v))
		sqlite3_bind_int64(st, i, (sqlite3_int64)json_integer_value(v));
	else if (json_is_boolean(v))
		sqlite3_bind_int(st, i, json_is_true(v));
	else
		sqlite3_bind_null(st, i);
}

/* A pulled living person's INSZ held by another living local person. */
static enum rc insz_taken(struct cache *c, const struct db_sync_row *r, bool *yes, char **cause)
{
	sqlite3_stmt *st;
	enum rc rc;

	if (r->obj) {
		const json_t *data = json_object_get(r->obj, "data");

		rc = db_cache_stmt(c,
		                   "SELECT 1 FROM person WHERE insz = ?1 AND insz <> '' AND "
		                   "deleted = 0 AND id <> ?2 AND NOT coalesce(?3, 0)",
		                   &st, cause);
		if (rc)
			return rc;
		bind_value(st, 1, json_object_get(data, "insz"));
		sqlite3_bind_text(st, 2, r->id, -1, SQLITE_STATIC);
		bind_value(st, 3, json_object_get(r->obj, "deleted"));
	} else {
		rc = db_cache_stmt(
		    c,
		    "SELECT 1 FROM person WHERE insz = json_extract(:row, '$.data.insz') "
		    "AND insz <> '' AND deleted = 0 AND id <> :id "
		    "AND NOT coalesce(json_extract(:row, '$.deleted'), 0)",
		    &st, cause);
		if (rc)
			return rc;
		db_cache_bind_text(c, st, ":row", r->json);
		db_cache_bind_text(c, st, ":id", r->id);
	}
	rc = db_cache_step(c, st, yes, cause);
	sqlite3_reset(st);
	if (r->obj)
		sqlite3_clear_bindings(st); /* they point into the page */
	return rc;
}

/* Write the row with the upsert of its kind. */
static enum rc upsert(struct cache *c, const struct sync_entity *e, const struct db_sync_row *r,
                      char **cause)
{
	sqlite3_stmt *st;
	enum rc rc;

	rc = db_cache_stmt(c, upsert_for(e, r->obj != NULL), &st, cause);
	if (rc)
		return rc;
	if (r->obj) {
		const json_t *data = json_object_get(r->obj, "data");

		sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
		bind_value(st, 2, json_object_get(r->obj, "centre_id"));
		sqlite3_bind_int64(st, 3, r->version);
		bind_value(st, 4, json_object_get(r->obj, "updated_at"));
		bind_value(st, 5, json_object_get(r->obj, "updated_by"));
		bind_value(st, 6, json_object_get(r->obj, "deleted"));
		for (size_t i = 0; i < e->nfields; i++)
			bind_value(st, UPSERT_FIELD0 + (int)i,
			           json_object_get(data, e->fields[i].name));
	} else {
		db_cache_bind_text(c, st, ":row", r->json);
	}
	rc = db_cache_step(c, st, NULL, cause);
	sqlite3_reset(st);
	if (r->obj)
		sqlite3_clear_bindings(st); /* they point into the page */
	return rc;
}

enum apply_result { APPLY_DONE, APPLY_STALE, APPLY_HELD, APPLY_UNKNOWN };

/* How the rows of one page are applied: with no outbox entry and no
 * rejected change in the cache when the page's transaction began (nothing
 * adds them within it), rule 9 need not be looked up row by row; the rows
 * of an initial sync leave the search index alone, which is rebuilt from
 * the person table, keys sorted, with the snapshot's last page (the same
 * keys, a fraction of the time of indexing each row as it comes). */
struct apply_how {
	bool no_local;
	bool defer_index;
};

/* Upsert one row (rule 9 and the INSZ check first); *res says what.  how
 * NULL: every check, the index kept as it goes. */
static enum rc apply_row(struct cache *c, const struct db_sync_row *r, const struct apply_how *how,
                         enum apply_result *res, char **cause)
{
	const struct sync_entity *e = sync_row_entity(r->entity);
	bool person, index, yes = false;
	enum rc rc;

	*res = APPLY_UNKNOWN;
	if (!e)
		return RC_OK; /* a kind this build does not know: schema negotiation's business */
	if (!how || !how->no_local) {
		rc = blocked(c, r->entity, r->id, &yes, cause);
		if (rc)
			return rc;
	}
	if (yes) {
		*res = APPLY_HELD;
		return hold(c, r, "local changes", cause);
	}
	person = strcmp(e->name, "person") == 0;
	index = person && !(how && how->defer_index);
	if (person) {
		rc = insz_taken(c, r, &yes, cause);
		if (rc)
			return rc;
		if (yes) {
			*res = APPLY_HELD;
			return hold(c, r, "insz held by another person", cause);
		}
	}
	if (index) {
		rc = db_search_unindex(c, r->id, cause);
		if (rc)
			return rc;
	}
	rc = upsert(c, e, r, cause);
	if (rc)
		return rc;
	*res = sqlite3_changes(db_cache_handle(c)) ? APPLY_DONE : APPLY_STALE;
	if (index)
		rc = db_search_index(c, r->id, cause);
	return rc;
}

static void count(struct db_sync_counts *k, enum apply_result res)
{
	if (!k)
		return;
	if (res == APPLY_DONE)
		k->applied++;
	else if (res == APPLY_HELD)
		k->held++;
	else
		k->skipped++;
}

/* Try the held rows again; those applied (or no longer newer) go.  how:
 * the page's, or NULL. */
static enum rc retry_held(struct cache *c, const struct apply_how *how, char **cause)
{
	const struct apply_how held = {false, how && how->defer_index};

	for (int pass = 0; pass < 4; pass++) {
		struct {
			char entity[24], id[37];
			long long version;
			char *json;
		} *v = NULL;
		int n = 0, cap = 0, progress = 0;
		sqlite3_stmt *st;
		bool row;
		enum rc rc;

		rc = db_cache_stmt(
		    c,
		    "SELECT h.entity, h.row_id, h.version, h.row FROM sync_held h "
		    "WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity = h.entity "
		    "AND o.row_id = h.row_id) AND NOT EXISTS (SELECT 1 FROM "
		    "sync_rejected s WHERE s.entity = h.entity AND s.row_id = h.row_id) "
		    "ORDER BY h.version",
		    &st, cause);
		if (rc)
			return rc;
		while (!(rc = db_cache_step(c, st, &row, cause)) && row) {
			if (n == cap) {
				int nc = cap ? 2 * cap : 8;
				void *p = realloc(v, (size_t)nc * sizeof *v);
				if (!p) {
					rc = RC_NOMEM;
					break;
				}
				v = p;
				cap = nc;
			}
			db_cache_column_text(st, 0, v[n].entity, sizeof v[n].entity);
			db_cache_column_text(st, 1, v[n].id, sizeof v[n].id);
			v[n].version = sqlite3_column_int64(st, 2);
			v[n].json = strdup((const char *)sqlite3_column_text(st, 3));
			if (!v[n].json) {
				rc = RC_NOMEM;
				break;
			}
			n++;
		}
		sqlite3_reset(st);
		for (int i = 0; !rc && i < n; i++) {
			struct db_sync_row r = {v[i].entity, v[i].id, v[i].version, v[i].json,
			                        NULL};
			enum apply_result res;
			rc = apply_row(c, &r, &held, &res, cause);
			if (rc || res == APPLY_HELD)
				continue;
			progress++;
			rc = exists(c,
			            "DELETE FROM sync_held WHERE entity = :entity AND row_id = :id",
			            r.entity, r.id, &row, cause);
		}
		for (int i = 0; i < n; i++)
			free(v[i].json);
		free(v);
		if (rc)
			return rc;
		if (!progress)
			break;
	}
	return RC_OK;
}

/* The end of every transaction of this file: rows before changes made
 * without an outbox entry (pulled rows) are not needed.  how: the page's,
 * or NULL. */
static enum rc finish(struct cache *c, const struct apply_how *how, char **cause)
{
	enum rc rc = retry_held(c, how, cause);

	if (!rc)
		rc = db_cache_exec(c, "DELETE FROM outbox_before", cause);
	return rc;
}

enum rc db_sync_apply_page(struct cache *c, const struct db_sync_row *rows, int n,
                           const struct db_sync_position *pos, struct db_sync_counts *counts,
                           char **cause)
{
	struct apply_how how = {false, pos && pos->snapshot_after};
	enum apply_result res;
	sqlite3_stmt *st;
	bool any = true;
	enum rc rc;

	/* An initial sync writes index pages all over the file: checkpoint
	 * them in larger rounds (32 MiB of log rather than 4), so that a page
	 * written by several pages' transactions goes to the file once. */
	db_cache_autocheckpoint(c, pos && pos->small_steps ? WAL_SMALL_STEPS
	                           : how.defer_index       ? 8192
	                                                   : 1000);
	rc = db_cache_begin(c, cause);
	if (rc)
		return rc;
	rc = db_cache_stmt(c,
	                   "SELECT EXISTS (SELECT 1 FROM outbox) OR "
	                   "EXISTS (SELECT 1 FROM sync_rejected)",
	                   &st, cause);
	if (!rc) {
		rc = db_cache_step(c, st, NULL, cause);
		if (!rc)
			any = sqlite3_column_int(st, 0) != 0;
		sqlite3_reset(st);
	}
	how.no_local = !any;
	for (int i = 0; i < n && !rc; i++) {
		rc = apply_row(c, &rows[i], &how, &res, cause);
		if (!rc)
			count(counts, res);
	}
	if (!rc)
		rc = finish(c, &how, cause);
	/* The initial sync is complete: its persons into the search index,
	 * now or by db_sync_index_step from the start of the person table
	 * (index_after ""; person_key emptied as a rebuild does). */
	if (!rc && how.defer_index && pos->snapshot_done && !pos->small_steps)
		rc = db_search_rebuild(c, cause);
	if (!rc && how.defer_index && pos->snapshot_done && pos->small_steps) {
		rc = db_cache_exec(c, "DELETE FROM person_key", cause);
		if (!rc)
			rc = state_write(c, "index_after", "", cause);
	}
	if (!rc && pos && pos->cursor)
		rc = state_write(c, "cursor", pos->cursor, cause);
	if (!rc && pos && pos->snapshot_after)
		rc = state_write(c, "snapshot_after", pos->snapshot_after, cause);
	if (!rc && pos && pos->snapshot_done)
		rc = state_write(c, "snapshot_done", "1", cause);
	if (!rc)
		rc = db_cache_commit(c, cause);
	if (rc)
		db_cache_rollback(c);
	return rc;
}

enum rc db_sync_index_step(struct cache *c, int max, bool *more, char **cause)
{
	char *after = NULL, next[37] = "";
	bool done = true;
	enum rc rc;

	*more = false;
	/* Outside a transaction first: most of the time none waits. */
	if (db_sync_state_get(c, "index_after", &after) == RC_NOTFOUND)
		return RC_NOTFOUND;
	free(after);
	after = NULL;
	db_cache_autocheckpoint(c, max ? WAL_SMALL_STEPS : 1000);
	rc = db_cache_begin(c, cause);
	if (rc)
		return rc;
	rc = db_sync_state_get(c, "index_after", &after);
	if (rc == RC_NOTFOUND) { /* another process finished it */
		rc = db_cache_commit(c, cause);
		return rc;
	}
	if (!rc && max > 0)
		rc = db_search_index_range(c, after, max, next, &done, cause);
	else if (!rc)
		rc = db_search_index_range(c, after, -1, next, &done, cause);
	if (!rc)
		rc = state_write(c, "index_after", done ? NULL : next, cause);
	if (!rc)
		rc = db_cache_commit(c, cause);
	if (rc)
		db_cache_rollback(c);
	free(after);
	*more = !rc && !done;
	return rc;
}

/* ---- applying a push reply ---- */

static enum rc reject_entries(struct cache *c, const char *entity, const char *id, long upto,
                              const char *reason, char **cause)
{
	sqlite3_stmt *st;
	enum rc rc;

	rc = db_cache_stmt(
	    c,
	    "INSERT OR REPLACE INTO sync_rejected(seq, entity, row_id, op, "
	    "base_version, payload, base, created_at, reason, rejected_at) "
	    "SELECT seq, entity, row_id, op, base_version, payload, base, created_at, "
	    ":reason, " DB_NOW " FROM outbox "
	    "WHERE entity = :entity AND row_id = :id AND seq <= :seq",
	    &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":reason", reason ? reason : "");
	db_cache_bind_text(c, st, ":entity", entity);
	db_cache_bind_text(c, st, ":id", id);
	db_cache_bind_int(c, st, ":seq", upto);
	rc = db_cache_step(c, st, NULL, cause);
	sqlite3_reset(st);
	if (rc)
		return rc;
	return delete_entries(c, entity, id, upto, cause);
}

/* The service's row for a change just answered: stored, unless later local
 * changes of the row wait to be sent: then the row takes the version only
 * (their changes were based on what we sent) and the row is held. */
static enum rc take_row(struct cache *c, const struct db_sync_row *r, struct db_sync_counts *kc,
                        char **cause)
{
	static char version_sql[N_ENTITIES][128];
	const struct sync_entity *e = sync_row_entity(r->entity);
	enum apply_result res;
	bool yes = false;
	sqlite3_stmt *st;
	size_t k;
	enum rc rc;

	if (!e)
		return RC_OK;
	k = entity_index(e);
	rc = blocked(c, r->entity, r->id, &yes, cause);
	if (rc)
		return rc;
	if (!yes) {
		rc = apply_row(c, r, NULL, &res, cause);
		count(kc, res);
		return rc;
	}
	/* e->name comes from the table above, never from the wire; the text
	 * lives on, as db_cache_stmt keeps its pointer. */
	if (!version_sql[k][0])
		snprintf(version_sql[k], sizeof version_sql[k],
		         "UPDATE %s SET version = :v WHERE id = :id AND version < :v", e->name);
	rc = db_cache_stmt(c, version_sql[k], &st, cause);
	if (rc)
		return rc;
	db_cache_bind_int(c, st, ":v", r->version);
	db_cache_bind_text(c, st, ":id", r->id);
	rc = db_cache_step(c, st, NULL, cause);
	sqlite3_reset(st);
	if (rc)
		return rc;
	rc = db_cache_stmt(c,
	                   "UPDATE outbox SET base_version = :v WHERE entity = :entity "
	                   "AND row_id = :id AND base_version < :v",
	                   &st, cause);
	if (rc)
		return rc;
	db_cache_bind_int(c, st, ":v", r->version);
	db_cache_bind_text(c, st, ":entity", r->entity);
	db_cache_bind_text(c, st, ":id", r->id);
	rc = db_cache_step(c, st, NULL, cause);
	sqlite3_reset(st);
	if (rc)
		return rc;
	if (kc)
		kc->held++;
	return hold(c, r, "local changes", cause);
}

enum rc db_sync_apply_push(struct cache *c, const struct db_sync_result *r, int n,
                           struct db_sync_counts *counts, char **cause)
{
	char *body = NULL;
	json_t *doc = NULL, *changes;
	enum rc rc;

	rc = db_cache_begin(c, cause);
	if (rc)
		return rc;
	rc = db_sync_state_get(c, "pending_batch", &body);
	if (rc == RC_NOTFOUND)
		db_cache_cause(cause, "sync: a push reply came but no batch was pending");
	if (rc)
		goto out;
	doc = json_loads(body, 0, NULL);
	changes = json_object_get(doc, "changes");
	if (!json_is_array(changes) || json_array_size(changes) != (size_t)n) {
		db_cache_cause(cause,
		               "the central service answered %d results for a batch of %d changes",
		               n, (int)json_array_size(changes));
		rc = RC_INVALID;
		goto out;
	}
	for (int i = 0; i < n && !rc; i++) {
		json_t *ch = json_array_get(changes, (size_t)i);
		const char *id = json_string_value(json_object_get(ch, "change"));
		const char *entity = json_string_value(json_object_get(ch, "entity"));
		const char *row_id = json_string_value(json_object_get(ch, "id"));
		const char *colon = id ? strrchr(id, ':') : NULL;
		long seq = colon ? strtol(colon + 1, NULL, 10) : 0;

		if (!id || !entity || !row_id || !r[i].change || strcmp(id, r[i].change) != 0) {
			db_cache_cause(cause,
			               "the central service answered change %s where %s was sent",
			               r[i].change ? r[i].change : "?", id ? id : "?");
			rc = RC_INVALID;
			break;
		}
		switch (r[i].status) {
		case DB_SYNC_APPLIED:
		case DB_SYNC_DUPLICATE:
			rc = delete_entries(c, entity, row_id, seq, cause);
			if (!rc && r[i].row.json)
				rc = take_row(c, &r[i].row, counts, cause);
			break;
		case DB_SYNC_CONFLICT:
			rc = delete_entries(c, entity, row_id, seq, cause);
			if (!rc && r[i].conflict.json)
				rc = take_row(c, &r[i].conflict, NULL, cause);
			if (!rc && r[i].row.json)
				rc = take_row(c, &r[i].row, NULL, cause);
			if (counts)
				counts->conflicts++;
			break;
		case DB_SYNC_REJECTED:
			rc = reject_entries(c, entity, row_id, seq, r[i].reason, cause);
			if (counts)
				counts->rejected++;
			break;
		}
	}
	if (!rc)
		rc = state_write(c, "pending_batch", NULL, cause);
	if (!rc)
		rc = finish(c, NULL, cause);
	if (!rc)
		rc = db_cache_commit(c, cause);
out:
	if (rc)
		db_cache_rollback(c);
	json_decref(doc);
	free(body);
	return rc;
}

/* The centre and staff tables are small and say whose the cache is (every
 * person row is created by a staff member of it): no scan of persons at
 * every cycle. */
enum rc db_sync_check_centre(struct cache *c, const char *centre_id, char **cause)
{
	sqlite3_stmt *st;
	bool row;
	enum rc rc;

	rc = db_cache_stmt(c,
	                   "SELECT code FROM centre WHERE id <> :cid UNION ALL "
	                   "SELECT '' FROM staff WHERE centre_id <> :cid LIMIT 1",
	                   &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":cid", centre_id);
	rc = db_cache_step(c, st, &row, cause);
	sqlite3_reset(st);
	if (!rc && row) {
		db_cache_cause(
		    cause, "this cache holds the data of another centre than the token's: a cache "
		           "belongs to one centre; use a new cache file for this token");
		rc = RC_CONFLICT;
	}
	return rc;
}

/* ---- status ---- */

static long count_sql(struct cache *c, const char *sql)
{
	sqlite3_stmt *st;
	long n = -1;
	bool row;

	if (db_cache_stmt(c, sql, &st, NULL))
		return -1;
	if (!db_cache_step(c, st, &row, NULL) && row)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

static void state_copy(struct cache *c, const char *key, char *out, size_t size)
{
	char *v = NULL;

	out[0] = '\0';
	if (db_sync_state_get(c, key, &v) == RC_OK)
		snprintf(out, size, "%s", v);
	free(v);
}

enum rc db_sync_summary(struct cache *c, struct db_sync_summary *out)
{
	char buf[32];

	memset(out, 0, sizeof *out);
	if (db_cache_begin_read(c))
		return RC_IO;
	out->pending = db_outbox_count(c);
	out->rejected = count_sql(c, "SELECT count(*) FROM sync_rejected");
	out->conflicts = count_sql(c, "SELECT count(*) FROM conflict WHERE deleted = 0");
	out->held = count_sql(c, "SELECT count(*) FROM sync_held");
	state_copy(c, "snapshot_done", buf, sizeof buf);
	out->snapshot_done = strcmp(buf, "1") == 0;
	out->batch_pending = count_sql(c, "SELECT count(*) FROM sync_state WHERE key = "
	                                  "'pending_batch'") > 0;
	state_copy(c, "last_sync_at", out->last_sync_at, sizeof out->last_sync_at);
	state_copy(c, "last_error", out->last_error, sizeof out->last_error);
	state_copy(c, "lease_holder", out->lease_holder, sizeof out->lease_holder);
	state_copy(c, "lease_until", buf, sizeof buf);
	out->lease_until = strtoll(buf, NULL, 10);
	db_cache_end_read(c);
	return out->pending < 0 || out->rejected < 0 ? RC_IO : RC_OK;
}

long long db_sync_local_writes(struct cache *c)
{
	return (long long)sqlite3_total_changes(db_cache_handle(c));
}

/* ---- rejected changes ---- */

static void read_rejected(sqlite3_stmt *st, void *p)
{
	struct db_sync_rejected *r = p;

	memset(r, 0, sizeof *r);
	r->seq = (long)sqlite3_column_int64(st, 0);
	db_cache_column_text(st, 1, r->entity, sizeof r->entity);
	db_cache_column_text(st, 2, r->row_id, sizeof r->row_id);
	db_cache_column_text(st, 3, r->op, sizeof r->op);
	db_cache_column_text(st, 4, r->created_at, sizeof r->created_at);
	db_cache_column_text(st, 5, r->rejected_at, sizeof r->rejected_at);
	db_cache_column_text(st, 6, r->reason, sizeof r->reason);
}

enum rc db_sync_rejected_list(struct cache *c, struct db_sync_rejected **out, int *n)
{
	sqlite3_stmt *st;
	void *v = NULL;
	enum rc rc;

	*out = NULL;
	*n = 0;
	rc = db_cache_stmt(c,
	                   "SELECT seq, entity, row_id, op, created_at, rejected_at, reason "
	                   "FROM sync_rejected ORDER BY seq",
	                   &st, NULL);
	if (rc)
		return rc;
	rc = db_cache_collect(c, st, sizeof **out, read_rejected, &v, n);
	*out = v;
	return rc;
}

enum rc db_sync_rejected_retry(struct cache *c, long seq, char **cause)
{
	sqlite3_stmt *st;
	enum rc rc;
	int moved;

	rc = db_cache_begin(c, cause);
	if (rc)
		return rc;
	/* Back under their own seqs (AUTOINCREMENT never gave them to
	 * another entry), so that their order is kept. */
	rc = db_cache_stmt(
	    c,
	    "INSERT INTO outbox(seq, entity, row_id, op, base_version, payload, "
	    "base, created_at) SELECT seq, entity, row_id, op, base_version, payload, "
	    "base, created_at FROM sync_rejected WHERE :seq = 0 OR (entity, row_id) "
	    "= (SELECT entity, row_id FROM sync_rejected WHERE seq = :seq)",
	    &st, cause);
	if (!rc) {
		db_cache_bind_int(c, st, ":seq", seq);
		rc = db_cache_step(c, st, NULL, cause);
		sqlite3_reset(st);
	}
	moved = sqlite3_changes(db_cache_handle(c));
	if (!rc && moved == 0) {
		db_cache_cause(cause, "no rejected change %ld", seq);
		rc = RC_NOTFOUND;
	}
	if (!rc)
		rc = db_cache_exec(
		    c, "DELETE FROM sync_rejected WHERE seq IN (SELECT seq FROM outbox)", cause);
	if (!rc)
		rc = db_cache_commit(c, cause);
	if (rc)
		db_cache_rollback(c);
	return rc;
}

enum rc db_sync_rejected_discard(struct cache *c, long seq, char **cause)
{
	sqlite3_stmt *st;
	enum rc rc;

	rc = db_cache_begin(c, cause);
	if (rc)
		return rc;
	rc = db_cache_stmt(c, "DELETE FROM sync_rejected WHERE seq = :seq", &st, cause);
	if (!rc) {
		db_cache_bind_int(c, st, ":seq", seq);
		rc = db_cache_step(c, st, NULL, cause);
		sqlite3_reset(st);
	}
	if (!rc && sqlite3_changes(db_cache_handle(c)) == 0) {
		db_cache_cause(cause, "no rejected change %ld", seq);
		rc = RC_NOTFOUND;
	}
	/* A row now free of local changes takes what was pulled meanwhile. */
	if (!rc)
		rc = finish(c, NULL, cause);
	if (!rc)
		rc = db_cache_commit(c, cause);
	if (rc)
		db_cache_rollback(c);
	return rc;
}

/* ---- conflicts ---- */

static void read_conflict(sqlite3_stmt *st, void *p)
{
	struct db_sync_conflict *k = p;
	const char *s;

	memset(k, 0, sizeof *k);
	db_cache_column_text(st, 0, k->id, sizeof k->id);
	db_cache_column_text(st, 1, k->entity, sizeof k->entity);
	db_cache_column_text(st, 2, k->row_id, sizeof k->row_id);
	db_cache_column_text(st, 3, k->fields, sizeof k->fields);
	s = (const char *)sqlite3_column_text(st, 4);
	k->ours = strdup(s ? s : "{}");
	s = (const char *)sqlite3_column_text(st, 5);
	k->theirs = strdup(s ? s : "{}");
	s = (const char *)sqlite3_column_text(st, 6);
	k->base = strdup(s ? s : "{}");
	db_cache_column_text(st, 7, k->raised_at, sizeof k->raised_at);
	db_cache_column_text(st, 8, k->raised_by, sizeof k->raised_by);
}

enum rc db_sync_conflict_list(struct cache *c, struct db_sync_conflict **out, int *n)
{
	sqlite3_stmt *st;
	void *v = NULL;
	enum rc rc;

	*out = NULL;
	*n = 0;
	rc = db_cache_stmt(c,
	                   "SELECT id, entity, row_id, fields, ours, theirs, base, raised_at, "
	                   "raised_by FROM conflict WHERE deleted = 0 ORDER BY raised_at, id",
	                   &st, NULL);
	if (rc)
		return rc;
	rc = db_cache_collect(c, st, sizeof **out, read_conflict, &v, n);
	*out = v;
	for (int i = 0; !rc && i < *n; i++)
		if (!(*out)[i].ours || !(*out)[i].theirs || !(*out)[i].base)
			rc = RC_NOMEM;
	if (rc) {
		db_sync_conflicts_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

void db_sync_conflicts_free(struct db_sync_conflict *v, int n)
{
	if (!v)
		return;
	for (int i = 0; i < n; i++) {
		free(v[i].ours);
		free(v[i].theirs);
		free(v[i].base);
	}
	free(v);
}

/* Set one field of a row from a JSON value (the column name checked
 * against the kind's list, never taken from the input as such). */
static enum rc set_field(struct cache *c, const struct sync_entity *e, int f, const char *row_id,
                         const char *staff_id, json_t *value, char **cause)
{
	static char sql[N_ENTITIES][N_FIELDS][256];
	size_t k = entity_index(e);
	sqlite3_stmt *st;
	enum rc rc;

	if (!sql[k][f][0])
		snprintf(sql[k][f], sizeof sql[k][f],
		         "UPDATE %s SET %s = :v, updated_by = :by, %s WHERE id = :id", e->name,
		         e->fields[f].name, DB_NEXT_UPDATED_AT);
	rc = db_cache_stmt(c, sql[k][f], &st, cause);
	if (rc)
		return rc;
	if (json_is_integer(value))
		db_cache_bind_int(c, st, ":v", json_integer_value(value));
	else if (json_is_string(value))
		db_cache_bind_text(c, st, ":v", json_string_value(value));
	else if (json_is_boolean(value))
		db_cache_bind_int(c, st, ":v", json_is_true(value));
	else {
		sqlite3_reset(st);
		db_cache_cause(cause, "the value for %s must be text or a number",
		               e->fields[f].name);
		return RC_INVALID;
	}
	db_cache_bind_text(c, st, ":by", staff_id);
	db_cache_bind_text(c, st, ":id", row_id);
	rc = db_cache_step(c, st, NULL, cause);
	sqlite3_reset(st);
	return rc;
}

static enum rc row_version(struct cache *c, const struct sync_entity *e, const char *id,
                           long *version, char **cause)
{
	static char sql[N_ENTITIES][128];
	size_t k = entity_index(e);
	char at[32];

	if (!sql[k][0])
		snprintf(sql[k], sizeof sql[k], "SELECT version, updated_at FROM %s WHERE id = :id",
		         e->name);
	return db_cache_stored_meta(c, sql[k], id, NULL, version, at, sizeof at, cause);
}

enum rc db_sync_conflict_resolve(struct cache *c, const char *id, const char *values,
                                 const char *staff_id, char **cause)
{
	struct db_sync_conflict *v = NULL;
	const struct sync_entity *e;
	json_t *vals = NULL, *theirs = NULL, *tv;
	long base = 0, cver = 0;
	sqlite3_stmt *st;
	bool found = false, row;
	int n = 0, i;
	enum rc rc;

	rc = db_cache_begin(c, cause);
	if (rc)
		return rc;
	rc = db_sync_conflict_list(c, &v, &n);
	if (rc)
		goto out;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0) {
			found = true;
			break;
		}
	if (!found) {
		db_cache_cause(cause, "no unresolved conflict %s", id);
		rc = RC_NOTFOUND;
		goto out;
	}
	e = sync_row_entity(v[i].entity);
	vals = json_loads(values && *values ? values : "{}", 0, NULL);
	theirs = json_loads(v[i].theirs, 0, NULL);
	if (!json_is_object(vals)) {
		db_cache_cause(cause, "the chosen values must be a JSON object");
		rc = RC_INVALID;
		goto out;
	}
	if (e && json_object_size(vals) > 0) {
		const char *key;
		json_t *val;

		rc = row_version(c, e, v[i].row_id, &base, cause);
		if (rc == RC_NOTFOUND)
			db_cache_cause(cause, "the %s of this conflict is not in the cache",
			               e->name);
		if (rc)
			goto out;
		/* Based on the version theirs shows (the local row took it). */
		tv = json_object_get(theirs, "version");
		if (json_is_integer(tv) && json_integer_value(tv) > 0)
			base = (long)json_integer_value(tv);
		if (strcmp(e->name, "person") == 0)
			rc = db_search_unindex(c, v[i].row_id, cause);
		json_object_foreach(vals, key, val)
		{
			int f;
			for (f = 0; f < (int)e->nfields && strcmp(e->fields[f].name, key) != 0; f++)
				;
			if (f == (int)e->nfields) {
				db_cache_cause(cause, "%s has no field %s", e->name, key);
				rc = RC_INVALID;
			}
			if (rc)
				break;
			rc = set_field(c, e, f, v[i].row_id, staff_id, val, cause);
		}
		if (!rc && strcmp(e->name, "person") == 0)
			rc = db_search_index(c, v[i].row_id, cause);
		if (!rc)
			rc = db_outbox_record(c, e->name, v[i].row_id, "update", base, cause);
		if (rc)
			goto out;
	}
	rc = db_cache_stmt(c,
	                   "UPDATE conflict SET deleted = 1, updated_by = :by, " DB_NEXT_UPDATED_AT
	                   " WHERE id = :id RETURNING version",
	                   &st, cause);
	if (rc)
		goto out;
	db_cache_bind_text(c, st, ":by", staff_id);
	db_cache_bind_text(c, st, ":id", id);
	rc = db_cache_step(c, st, &row, cause);
	if (!rc && row)
		cver = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (!rc)
		rc = db_outbox_record(c, "conflict", id, "delete", cver, cause);
	if (!rc)
		rc = db_cache_commit(c, cause);
out:
	if (rc)
		db_cache_rollback(c);
	json_decref(vals);
	json_decref(theirs);
	db_sync_conflicts_free(v, n);
	return rc;
}
