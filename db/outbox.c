/* outbox.c: local changes waiting for the central service.  The payload
 * is built by SQLite (json_object of the row as stored), in the same
 * transaction as the change: no JSON is written in C. */
#include "autoconf.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"

#define SYNC_JSON                                                                                  \
	"'id', id, 'centre_id', centre_id, 'version', version, 'updated_at', updated_at, "         \
	"'updated_by', updated_by, 'deleted', deleted"
#define OUTBOX_INSERT                                                                              \
	"INSERT INTO outbox(entity, row_id, op, base_version, base, payload, created_at) "         \
	"SELECT :entity, id, :op, :base, " OUTBOX_BASE ", json_object(" SYNC_JSON
#define OUTBOX_FROM ") , " DB_NOW " FROM "
/* The row before the change, left by the migration's BEFORE UPDATE
 * triggers in outbox_before (same transaction); none for an insert. */
#define OUTBOX_BASE                                                                                \
	"CASE WHEN :op = 'insert' THEN NULL ELSE (SELECT b.base FROM outbox_before b "             \
	"WHERE b.entity = :entity AND b.row_id = :id) END"

/* One statement per synced table: its columns named in the payload. */
static const struct {
	const char *entity;
	const char *sql;
} payloads[] = {
    {"person", OUTBOX_INSERT ", 'insz', insz, 'family_name', family_name, "
                             "'given_name', given_name, 'birth_date', birth_date, 'sex', sex, "
                             "'language', language, 'nationality', nationality, "
                             "'residence', residence, 'street', street, 'postcode', postcode, "
                             "'municipality', municipality, 'phone', phone, 'email', email, "
                             "'contact_name', contact_name, 'contact_phone', contact_phone, "
                             "'contact_relation', contact_relation, 'notes', notes" OUTBOX_FROM
                             "person WHERE id = :id"},
    {"application", OUTBOX_INSERT ", 'person_id', person_id, 'kind', kind, "
                                  "'procedure', procedure, 'received_on', received_on, "
                                  "'problem', problem, 'status', status, "
                                  "'notes', notes" OUTBOX_FROM "application WHERE id = :id"},
    {"application_document",
     OUTBOX_INSERT ", 'application_id', application_id, "
                   "'code', code, 'required', required, "
                   "'received_on', received_on" OUTBOX_FROM "application_document WHERE id = :id"},
    {"audit", OUTBOX_INSERT ", 'at', at, 'staff_id', staff_id, 'role', role, "
                            "'person_id', person_id, 'action', action, "
                            "'detail', detail" OUTBOX_FROM "audit WHERE id = :id"},
    {"person_history",
     OUTBOX_INSERT ", 'person_id', person_id, 'changed_at', changed_at, "
                   "'changed_by', changed_by, 'role', role, "
                   "'changes', changes" OUTBOX_FROM "person_history WHERE id = :id"},
    {"staff",
     OUTBOX_INSERT ", 'login', login, 'family_name', family_name, "
                   "'given_name', given_name, 'role', role, 'discipline', discipline, "
                   "'languages', languages, 'active', active" OUTBOX_FROM "staff WHERE id = :id"},
    {"centre", OUTBOX_INSERT ", 'code', code, 'name', name, "
                             "'language', language" OUTBOX_FROM "centre WHERE id = :id"},
    {"contact_form", OUTBOX_INSERT
     ", 'received_at', received_at, 'name', name, 'email', email, "
     "'phone', phone, 'insz', insz, 'language', language, 'subject', subject, "
     "'message', message, 'postcode', postcode, 'attachments', attachments, "
     "'person_id', person_id, 'status', status" OUTBOX_FROM "contact_form WHERE id = :id"},
    {"conflict", OUTBOX_INSERT ", 'entity', entity, 'row_id', row_id, 'fields', fields, "
                               "'ours', ours, 'theirs', theirs, 'base', base, "
                               "'raised_at', raised_at, 'raised_by', raised_by" OUTBOX_FROM
                               "conflict WHERE id = :id"},
};

enum rc db_outbox_record(struct cache *c, const char *entity, const char *row_id, const char *op,
                         long base_version, char **cause)
{
	sqlite3_stmt *st;
	const char *sql = NULL;
	enum rc rc;

	rc = db_cache_need_tx(c, "db_outbox_record", cause);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++)
		if (strcmp(payloads[i].entity, entity) == 0)
			sql = payloads[i].sql;
	if (!sql) {
		db_cache_cause(cause, "outbox: unknown entity %s (internal error)", entity);
		return RC_IO;
	}
	rc = db_cache_stmt(c, sql, &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":entity", entity);
	db_cache_bind_text(c, st, ":op", op);
	db_cache_bind_int(c, st, ":base", base_version);
	db_cache_bind_text(c, st, ":id", row_id);
	rc = db_cache_step(c, st, NULL, cause);
	sqlite3_reset(st);
	if (!rc && sqlite3_changes(db_cache_handle(c)) != 1) {
		db_cache_cause(cause, "outbox: no %s row %s (internal error)", entity, row_id);
		rc = RC_IO;
	}
	if (rc || strcmp(op, "insert") == 0)
		return rc;
	/* Taken: the next change of the row leaves its own. */
	rc = db_cache_stmt(c, "DELETE FROM outbox_before WHERE entity = :entity AND row_id = :id",
	                   &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":entity", entity);
	db_cache_bind_text(c, st, ":id", row_id);
	rc = db_cache_step(c, st, NULL, cause);
	sqlite3_reset(st);
	return rc;
}

long db_outbox_count(struct cache *c)
{
	sqlite3_stmt *st;
	long count = -1;
	bool row;

	/* Kept by triggers (the schema's tally table): no scan of the payloads. */
	if (db_cache_stmt(c, "SELECT n FROM tally WHERE name = 'outbox'", &st, NULL))
		return -1;
	if (!db_cache_step(c, st, &row, NULL) && row)
		count = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return count;
}

enum rc db_outbox_peek(struct cache *c, int max, struct outbox_entry **out, int *n)
{
	struct outbox_entry *v = NULL;
	sqlite3_stmt *st;
	bool row;
	enum rc rc;

	*out = NULL;
	*n = 0;
	if (max <= 0)
		return RC_OK;
	v = calloc((size_t)max, sizeof *v);
	if (!v)
		return RC_NOMEM;
	rc =
	    db_cache_stmt(c,
	                  "SELECT seq, entity, row_id, op, base_version, payload, created_at, base "
	                  "FROM outbox ORDER BY seq LIMIT :max",
	                  &st, NULL);
	if (rc)
		goto out;
	db_cache_bind_int(c, st, ":max", max);
	while (*n < max) {
		struct outbox_entry *e = &v[*n];
		rc = db_cache_step(c, st, &row, NULL);
		if (rc || !row)
			break;
		e->seq = (long)sqlite3_column_int64(st, 0);
		db_cache_column_text(st, 1, e->entity, sizeof e->entity);
		db_cache_column_text(st, 2, e->row_id, sizeof e->row_id);
		db_cache_column_text(st, 3, e->op, sizeof e->op);
		e->base_version = (long)sqlite3_column_int64(st, 4);
		e->payload = strdup((const char *)sqlite3_column_text(st, 5));
		db_cache_column_text(st, 6, e->created_at, sizeof e->created_at);
		if (sqlite3_column_type(st, 7) != SQLITE_NULL)
			e->base = strdup((const char *)sqlite3_column_text(st, 7));
		(*n)++;
		if (!e->payload || (sqlite3_column_type(st, 7) != SQLITE_NULL && !e->base)) {
			rc = RC_NOMEM;
			break;
		}
	}
	sqlite3_reset(st);
out:
	if (rc) {
		db_outbox_free(v, *n);
		*n = 0;
		return rc;
	}
	*out = v;
	return RC_OK;
}

void db_outbox_free(struct outbox_entry *e, int n)
{
	if (!e)
		return;
	for (int i = 0; i < n; i++) {
		free(e[i].payload);
		free(e[i].base);
	}
	free(e);
}
