/* staff.c: staff members and centres in the cache; each insert and update
 * with its outbox row, in the caller's transaction. */
#include "autoconf.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "outbox.h"
#include "src/uuid.h"
#include "staff.h"

#define STAFF_COLS                                                                                 \
	"id, centre_id, version, updated_at, updated_by, deleted, login, family_name, "            \
	"given_name, role, discipline, languages, active"
#define CENTRE_COLS "id, centre_id, version, updated_at, updated_by, deleted, code, name, language"

static void read_staff(sqlite3_stmt *st, void *p)
{
	struct staff *s = p;

	memset(s, 0, sizeof *s);
	db_cache_column_meta(st, &s->meta);
	db_cache_column_text(st, 6, s->login, sizeof s->login);
	db_cache_column_text(st, 7, s->family_name, sizeof s->family_name);
	db_cache_column_text(st, 8, s->given_name, sizeof s->given_name);
	s->role = role_parse((const char *)sqlite3_column_text(st, 9));
	db_cache_column_text(st, 10, s->discipline, sizeof s->discipline);
	db_cache_column_text(st, 11, s->languages, sizeof s->languages);
	s->active = sqlite3_column_int(st, 12) != 0;
}

static void read_centre(sqlite3_stmt *st, void *p)
{
	struct centre *ce = p;

	memset(ce, 0, sizeof *ce);
	db_cache_column_meta(st, &ce->meta);
	db_cache_column_text(st, 6, ce->code, sizeof ce->code);
	db_cache_column_text(st, 7, ce->name, sizeof ce->name);
	db_cache_column_text(st, 8, ce->language, sizeof ce->language);
}

enum rc db_staff_insert(struct cache *c, struct staff *s, const char *by, char **cause)
{
	const char *role = role_code(s->role);
	sqlite3_stmt *st;
	bool row, bulk = db_cache_in_bulk(c);
	enum rc rc;

	rc = db_cache_need_tx(c, "db_staff_insert", cause);
	if (rc)
		return rc;
	if (!role || !role[0] || s->role == ROLE_NONE) {
		db_cache_cause(cause, "staff %s: no role", s->login);
		return RC_INVALID;
	}
	if (!s->meta.id[0])
		uuid_new(s->meta.id);
	rc = db_cache_stmt(c,
	                   "INSERT INTO staff(" STAFF_COLS ") VALUES (:id, :centre_id, :version, "
	                   "CASE WHEN :updated_at <> '' THEN :updated_at ELSE " DB_NOW " END, :by, "
	                   ":deleted, :login, :family_name, :given_name, :role, :discipline, "
	                   ":languages, :active) RETURNING updated_at, version",
	                   &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":id", s->meta.id);
	db_cache_bind_text(c, st, ":centre_id", s->meta.centre_id);
	db_cache_bind_int(c, st, ":version", bulk ? s->meta.version : 0);
	db_cache_bind_text(c, st, ":updated_at", bulk ? s->meta.updated_at : "");
	db_cache_bind_text(c, st, ":by", by);
	db_cache_bind_int(c, st, ":deleted", s->meta.deleted);
	db_cache_bind_text(c, st, ":login", s->login);
	db_cache_bind_text(c, st, ":family_name", s->family_name);
	db_cache_bind_text(c, st, ":given_name", s->given_name);
	db_cache_bind_text(c, st, ":role", role);
	db_cache_bind_text(c, st, ":discipline", s->discipline);
	db_cache_bind_text(c, st, ":languages", s->languages);
	db_cache_bind_int(c, st, ":active", s->active);
	rc = db_cache_step_meta(c, st, &s->meta, by, &row, cause);
	if (rc || bulk)
		return rc;
	return db_outbox_record(c, "staff", s->meta.id, "insert", 0, cause);
}

enum rc db_staff_update(struct cache *c, struct staff *s, const char *by, char **cause)
{
	const char *role = role_code(s->role);
	sqlite3_stmt *st;
	char stored_at[32];
	long base = 0;
	bool row;
	enum rc rc;

	rc = db_cache_need_tx(c, "db_staff_update", cause);
	if (rc)
		return rc;
	if (!role || !role[0] || s->role == ROLE_NONE) {
		db_cache_cause(cause, "staff %s: no role", s->login);
		return RC_INVALID;
	}
	/* A caller that did not read the row first (no updated_at) does not
	 * ask for the conflict check. */
	rc = db_cache_stored_meta(c, "SELECT version, updated_at FROM staff WHERE id = :id",
	                          s->meta.id, s->meta.updated_at[0] ? s->meta.updated_at : NULL,
	                          &base, stored_at, sizeof stored_at, cause);
	if (rc == RC_NOTFOUND)
		db_cache_cause(cause, "no such staff record (%s)", s->meta.id);
	if (rc == RC_CONFLICT)
		db_cache_cause(cause, "this staff record was changed by someone else since it was "
		                      "read; read it again and make the change again");
	if (rc)
		return rc;
	rc = db_cache_stmt(c,
	                   "UPDATE staff SET centre_id = :centre_id, updated_by = :by, "
	                   "deleted = :deleted, login = :login, family_name = :family_name, "
	                   "given_name = :given_name, role = :role, discipline = :discipline, "
	                   "languages = :languages, active = :active, " DB_NEXT_UPDATED_AT " "
	                   "WHERE id = :id RETURNING updated_at, version",
	                   &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":id", s->meta.id);
	db_cache_bind_text(c, st, ":centre_id", s->meta.centre_id);
	db_cache_bind_text(c, st, ":by", by);
	db_cache_bind_int(c, st, ":deleted", s->meta.deleted);
	db_cache_bind_text(c, st, ":login", s->login);
	db_cache_bind_text(c, st, ":family_name", s->family_name);
	db_cache_bind_text(c, st, ":given_name", s->given_name);
	db_cache_bind_text(c, st, ":role", role);
	db_cache_bind_text(c, st, ":discipline", s->discipline);
	db_cache_bind_text(c, st, ":languages", s->languages);
	db_cache_bind_int(c, st, ":active", s->active);
	rc = db_cache_step_meta(c, st, &s->meta, by, &row, cause);
	if (!rc && !row) {
		db_cache_cause(cause, "no such staff record (%s)", s->meta.id);
		rc = RC_NOTFOUND;
	}
	if (rc || db_cache_in_bulk(c))
		return rc;
	return db_outbox_record(c, "staff", s->meta.id, s->meta.deleted ? "delete" : "update", base,
	                        cause);
}

enum rc db_staff_get(struct cache *c, const char *id, struct staff *out)
{
	sqlite3_stmt *st;
	enum rc rc;

	rc = db_cache_stmt(c, "SELECT " STAFF_COLS " FROM staff WHERE id = :id", &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":id", id);
	return db_cache_get_one(c, st, read_staff, out);
}

/* The staff record tied to an OS login: an active one first, then the
 * most recently changed (a login may have had several records). */
enum rc db_staff_find_login(struct cache *c, const char *login, struct staff *out)
{
	sqlite3_stmt *st;
	enum rc rc;

	rc = db_cache_stmt(c,
	                   "SELECT " STAFF_COLS " FROM staff WHERE login = :login AND deleted = 0 "
	                   "ORDER BY active DESC, updated_at DESC LIMIT 1",
	                   &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":login", login);
	return db_cache_get_one(c, st, read_staff, out);
}

enum rc db_staff_list(struct cache *c, struct staff **out, int *n)
{
	sqlite3_stmt *st;
	void *v;
	enum rc rc;

	*out = NULL;
	*n = 0;
	rc = db_cache_stmt(c,
	                   "SELECT " STAFF_COLS " FROM staff WHERE deleted = 0 "
	                   "ORDER BY family_name, given_name, id",
	                   &st, NULL);
	if (rc)
		return rc;
	rc = db_cache_collect(c, st, sizeof **out, read_staff, &v, n);
	*out = v;
	return rc;
}

enum rc db_centre_insert(struct cache *c, struct centre *ce, const char *by, char **cause)
{
	sqlite3_stmt *st;
	bool row, bulk = db_cache_in_bulk(c);
	enum rc rc;

	rc = db_cache_need_tx(c, "db_centre_insert", cause);
	if (rc)
		return rc;
	if (!ce->meta.id[0])
		uuid_new(ce->meta.id);
	/* A centre belongs to itself. */
	snprintf(ce->meta.centre_id, sizeof ce->meta.centre_id, "%s", ce->meta.id);
	rc = db_cache_stmt(c,
	                   "INSERT INTO centre(" CENTRE_COLS ") VALUES (:id, :id, :version, "
	                   "CASE WHEN :updated_at <> '' THEN :updated_at ELSE " DB_NOW " END, :by, "
	                   ":deleted, :code, :name, :language) RETURNING updated_at, version",
	                   &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":id", ce->meta.id);
	db_cache_bind_int(c, st, ":version", bulk ? ce->meta.version : 0);
	db_cache_bind_text(c, st, ":updated_at", bulk ? ce->meta.updated_at : "");
	db_cache_bind_text(c, st, ":by", by);
	db_cache_bind_int(c, st, ":deleted", ce->meta.deleted);
	db_cache_bind_text(c, st, ":code", ce->code);
	db_cache_bind_text(c, st, ":name", ce->name);
	db_cache_bind_text(c, st, ":language", ce->language);
	rc = db_cache_step_meta(c, st, &ce->meta, by, &row, cause);
	if (rc || bulk)
		return rc;
	return db_outbox_record(c, "centre", ce->meta.id, "insert", 0, cause);
}

enum rc db_centre_get(struct cache *c, const char *id, struct centre *out)
{
	sqlite3_stmt *st;
	enum rc rc;

	rc = db_cache_stmt(c, "SELECT " CENTRE_COLS " FROM centre WHERE id = :id", &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":id", id);
	return db_cache_get_one(c, st, read_centre, out);
}

enum rc db_centre_list(struct cache *c, struct centre **out, int *n)
{
	sqlite3_stmt *st;
	void *v;
	enum rc rc;

	*out = NULL;
	*n = 0;
	rc = db_cache_stmt(
	    c, "SELECT " CENTRE_COLS " FROM centre WHERE deleted = 0 ORDER BY code, id", &st, NULL);
	if (rc)
		return rc;
	rc = db_cache_collect(c, st, sizeof **out, read_centre, &v, n);
	*out = v;
	return rc;
}
