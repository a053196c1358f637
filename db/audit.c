/* audit.c: the append-only audit register: append (with its outbox row)
 * and a person's trail.  Nothing here updates or deletes a row. */
#include "autoconf.h"

#include <sqlite3.h>
#include <string.h>

#include "audit.h"
#include "outbox.h"
#include "src/uuid.h"
#include "staff.h"

enum rc db_audit_append(struct cache *c, struct audit_entry *e, char **cause)
{
	sqlite3_stmt *st;
	bool row, bulk = db_cache_in_bulk(c);
	enum rc rc;

	rc = db_cache_need_tx(c, "db_audit_append", cause);
	if (rc)
		return rc;
	uuid_new(e->id);
	if (!bulk)
		e->at[0] = '\0'; /* a bulk load may bring its own times */
	rc = db_cache_stmt(
	    c,
	    "INSERT INTO audit(id, centre_id, version, updated_at, updated_by, at, "
	    "staff_id, role, person_id, action, detail) "
	    "SELECT :id, :centre_id, 0, t, :staff_id, t, :staff_id, :role, :person_id, "
	    ":action, :detail FROM (SELECT CASE WHEN :at <> '' THEN :at "
	    "ELSE " DB_NOW " END AS t) "
	    "RETURNING at",
	    &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":id", e->id);
	db_cache_bind_text(c, st, ":centre_id", e->centre_id);
	db_cache_bind_text(c, st, ":at", e->at);
	db_cache_bind_text(c, st, ":staff_id", e->staff_id);
	db_cache_bind_text(c, st, ":role", e->role);
	db_cache_bind_text(c, st, ":person_id", e->person_id);
	db_cache_bind_text(c, st, ":action", e->action);
	db_cache_bind_text(c, st, ":detail", e->detail);
	rc = db_cache_step(c, st, &row, cause);
	if (!rc && row)
		db_cache_column_text(st, 0, e->at, sizeof e->at);
	sqlite3_reset(st);
	if (rc || bulk)
		return rc;
	return db_outbox_record(c, "audit", e->id, "insert", 0, cause);
}

static void read_entry(sqlite3_stmt *st, void *p)
{
	struct audit_entry *e = p;

	memset(e, 0, sizeof *e);
	db_cache_column_text(st, 0, e->id, sizeof e->id);
	db_cache_column_text(st, 1, e->centre_id, sizeof e->centre_id);
	db_cache_column_text(st, 2, e->at, sizeof e->at);
	db_cache_column_text(st, 3, e->staff_id, sizeof e->staff_id);
	db_cache_column_text(st, 4, e->staff_name, sizeof e->staff_name);
	db_cache_column_text(st, 5, e->role, sizeof e->role);
	db_cache_column_text(st, 6, e->person_id, sizeof e->person_id);
	db_cache_column_text(st, 7, e->action, sizeof e->action);
	db_cache_column_text(st, 8, e->detail, sizeof e->detail);
}

enum rc db_audit_list(struct cache *c, const char *person_id, int max, struct audit_entry **out,
                      int *n)
{
	sqlite3_stmt *st;
	void *v;
	enum rc rc;

	*out = NULL;
	*n = 0;
	if (max <= 0)
		return RC_OK;
	rc = db_cache_stmt(
	    c,
	    "SELECT a.id, a.centre_id, a.at, a.staff_id, " DB_STAFF_NAME ", "
	    "a.role, a.person_id, a.action, a.detail "
	    "FROM audit a LEFT JOIN staff s ON s.id = a.staff_id "
	    "WHERE a.person_id = :person_id ORDER BY a.at DESC, a.rowid DESC LIMIT :max",
	    &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":person_id", person_id);
	db_cache_bind_int(c, st, ":max", max);
	rc = db_cache_collect(c, st, sizeof **out, read_entry, &v, n);
	*out = v;
	return rc;
}
