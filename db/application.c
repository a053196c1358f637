/* application.c: applications and their document checklists in the
 * cache; each write with its outbox row, in the caller's transaction. */
#include "autoconf.h"

#include <sqlite3.h>
#include <string.h>

#include "application.h"
#include "outbox.h"
#include "src/uuid.h"

#define APP_COLS                                                                                   \
	"id, centre_id, version, updated_at, updated_by, deleted, person_id, kind, procedure, "    \
	"received_on, problem, status, notes"
#define DOC_COLS                                                                                   \
	"id, centre_id, version, updated_at, updated_by, deleted, application_id, code, "          \
	"required, received_on"

static void read_application(sqlite3_stmt *st, void *p)
{
	struct application *a = p;

	memset(a, 0, sizeof *a);
	db_cache_column_meta(st, &a->meta);
	db_cache_column_text(st, 6, a->person_id, sizeof a->person_id);
	a->kind = application_kind_parse((const char *)sqlite3_column_text(st, 7));
	a->procedure = application_procedure_parse((const char *)sqlite3_column_text(st, 8));
	db_cache_column_text(st, 9, a->received_on, sizeof a->received_on);
	a->problem = application_problem_parse((const char *)sqlite3_column_text(st, 10));
	a->status = application_status_parse((const char *)sqlite3_column_text(st, 11));
	db_cache_column_text(st, 12, a->notes, sizeof a->notes);
}

static void read_document(sqlite3_stmt *st, void *p)
{
	struct app_document *d = p;

	memset(d, 0, sizeof *d);
	db_cache_column_meta(st, &d->meta);
	db_cache_column_text(st, 6, d->application_id, sizeof d->application_id);
	db_cache_column_text(st, 7, d->code, sizeof d->code);
	d->required = sqlite3_column_int(st, 8) != 0;
	db_cache_column_text(st, 9, d->received_on, sizeof d->received_on);
}

/* Bind the enumerations as their codes; an unknown kind, procedure or
 * status cannot be stored. */
static enum rc bind_application(struct cache *c, sqlite3_stmt *st, const struct application *a,
                                const char *staff_id, char **cause)
{
	const char *kind = application_kind_code(a->kind);
	const char *procedure = application_procedure_code(a->procedure);
	const char *problem = application_problem_code(a->problem);
	const char *status = application_status_code(a->status);

	if (!kind || !kind[0] || !procedure || !procedure[0] || !status || !status[0]) {
		db_cache_cause(cause,
		               "application: unknown kind, procedure or status (internal error)");
		return RC_INVALID;
	}
	db_cache_bind_text(c, st, ":id", a->meta.id);
	db_cache_bind_text(c, st, ":updated_by", staff_id);
	db_cache_bind_int(c, st, ":deleted", a->meta.deleted);
	db_cache_bind_text(c, st, ":person_id", a->person_id);
	db_cache_bind_text(c, st, ":kind", kind);
	db_cache_bind_text(c, st, ":procedure", procedure);
	db_cache_bind_text(c, st, ":received_on", a->received_on);
	db_cache_bind_text(c, st, ":problem",
	                   a->problem == APP_PROBLEM_NONE || !problem ? "" : problem);
	db_cache_bind_text(c, st, ":status", status);
	db_cache_bind_text(c, st, ":notes", a->notes);
	return RC_OK;
}

static void bind_document(struct cache *c, sqlite3_stmt *st, const struct app_document *d,
                          const char *staff_id)
{
	db_cache_bind_text(c, st, ":id", d->meta.id);
	db_cache_bind_text(c, st, ":updated_by", staff_id);
	db_cache_bind_int(c, st, ":deleted", d->meta.deleted);
	db_cache_bind_text(c, st, ":application_id", d->application_id);
	db_cache_bind_text(c, st, ":code", d->code);
	db_cache_bind_int(c, st, ":required", d->required);
	db_cache_bind_text(c, st, ":received_on", d->received_on);
}

/* Step an INSERT/UPDATE ... RETURNING updated_at, version into meta.
 * RC_CONFLICT (for an update) when no row was changed. */
static enum rc step_returning(struct cache *c, sqlite3_stmt *st, struct row_meta *m,
                              const char *staff_id, const char *what, char **cause)
{
	bool row;
	enum rc rc;

	rc = db_cache_step_meta(c, st, m, staff_id, &row, cause);
	if (!rc && !row) {
		db_cache_cause(cause,
		               "this %s was changed by someone else since it was opened; "
		               "reopen it and make the change again",
		               what);
		rc = RC_CONFLICT;
	}
	return rc;
}

enum rc db_application_insert(struct cache *c, struct application *a, const char *staff_id,
                              char **cause)
{
	sqlite3_stmt *st;
	bool bulk = db_cache_in_bulk(c);
	enum rc rc;

	rc = db_cache_need_tx(c, "db_application_insert", cause);
	if (rc)
		return rc;
	if (!a->meta.id[0])
		uuid_new(a->meta.id);
	rc = db_cache_stmt(c,
	                   "INSERT INTO application(" APP_COLS
	                   ") VALUES (:id, :centre_id, :version, "
	                   "CASE WHEN :updated_at <> '' THEN :updated_at ELSE " DB_NOW " END, "
	                   ":updated_by, :deleted, :person_id, :kind, :procedure, :received_on, "
	                   ":problem, :status, :notes) RETURNING updated_at, version",
	                   &st, cause);
	if (rc)
		return rc;
	rc = bind_application(c, st, a, staff_id, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":centre_id", a->meta.centre_id);
	db_cache_bind_int(c, st, ":version", bulk ? a->meta.version : 0);
	db_cache_bind_text(c, st, ":updated_at", bulk ? a->meta.updated_at : "");
	rc = step_returning(c, st, &a->meta, staff_id, "application", cause);
	if (rc || bulk)
		return rc;
	return db_outbox_record(c, "application", a->meta.id, "insert", 0, cause);
}

enum rc db_application_update(struct cache *c, struct application *a, const char *staff_id,
                              char **cause)
{
	sqlite3_stmt *st;
	char stored_at[32];
	long base;
	enum rc rc;

	rc = db_cache_need_tx(c, "db_application_update", cause);
	if (rc)
		return rc;
	/* A caller that did not read the row first (no updated_at) does not
	 * ask for the conflict check. */
	rc = db_cache_stored_meta(c, "SELECT version, updated_at FROM application WHERE id = :id",
	                          a->meta.id, a->meta.updated_at[0] ? a->meta.updated_at : NULL,
	                          &base, stored_at, sizeof stored_at, cause);
	if (rc == RC_NOTFOUND)
		db_cache_cause(cause, "no such %s (%s)", "application", a->meta.id);
	if (rc == RC_CONFLICT)
		db_cache_cause(cause, "this application was changed by someone else since it was "
		                      "opened; reopen it and make the change again");
	if (rc)
		return rc;
	rc = db_cache_stmt(c,
	                   "UPDATE application SET updated_by = :updated_by, deleted = :deleted, "
	                   "person_id = :person_id, kind = :kind, procedure = :procedure, "
	                   "received_on = :received_on, problem = :problem, status = :status, "
	                   "notes = :notes, " DB_NEXT_UPDATED_AT " WHERE id = :id "
	                   "RETURNING updated_at, version",
	                   &st, cause);
	if (rc)
		return rc;
	rc = bind_application(c, st, a, staff_id, cause);
	if (rc)
		return rc;
	rc = step_returning(c, st, &a->meta, staff_id, "application", cause);
	if (rc || db_cache_in_bulk(c))
		return rc;
	return db_outbox_record(c, "application", a->meta.id, a->meta.deleted ? "delete" : "update",
	                        base, cause);
}

enum rc db_application_get(struct cache *c, const char *id, struct application *out)
{
	sqlite3_stmt *st;
	enum rc rc;

	rc = db_cache_stmt(c, "SELECT " APP_COLS " FROM application WHERE id = :id", &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":id", id);
	return db_cache_get_one(c, st, read_application, out);
}

enum rc db_application_list(struct cache *c, const char *person_id, struct application **out,
                            int *n)
{
	sqlite3_stmt *st;
	void *v;
	enum rc rc;

	*out = NULL;
	*n = 0;
	rc = db_cache_stmt(c,
	                   "SELECT " APP_COLS " FROM application WHERE person_id = :person_id "
	                   "AND deleted = 0 ORDER BY received_on DESC, updated_at DESC",
	                   &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":person_id", person_id);
	rc = db_cache_collect(c, st, sizeof **out, read_application, &v, n);
	*out = v;
	return rc;
}

enum rc db_document_insert(struct cache *c, struct app_document *d, const char *staff_id,
                           char **cause)
{
	sqlite3_stmt *st;
	bool bulk = db_cache_in_bulk(c);
	enum rc rc;

	rc = db_cache_need_tx(c, "db_document_insert", cause);
	if (rc)
		return rc;
	if (!d->meta.id[0])
		uuid_new(d->meta.id);
	rc = db_cache_stmt(
	    c,
	    "INSERT INTO application_document(" DOC_COLS ") VALUES (:id, :centre_id, "
	    ":version, CASE WHEN :updated_at <> '' THEN :updated_at ELSE " DB_NOW " END, "
	    ":updated_by, :deleted, :application_id, :code, :required, :received_on) "
	    "RETURNING updated_at, version",
	    &st, cause);
	if (rc)
		return rc;
	bind_document(c, st, d, staff_id);
	db_cache_bind_text(c, st, ":centre_id", d->meta.centre_id);
	db_cache_bind_int(c, st, ":version", bulk ? d->meta.version : 0);
	db_cache_bind_text(c, st, ":updated_at", bulk ? d->meta.updated_at : "");
	rc = step_returning(c, st, &d->meta, staff_id, "document", cause);
	if (rc || bulk)
		return rc;
	return db_outbox_record(c, "application_document", d->meta.id, "insert", 0, cause);
}

enum rc db_document_update(struct cache *c, struct app_document *d, const char *staff_id,
                           char **cause)
{
	sqlite3_stmt *st;
	char stored_at[32];
	long base;
	enum rc rc;

	rc = db_cache_need_tx(c, "db_document_update", cause);
	if (rc)
		return rc;
	rc = db_cache_stored_meta(
	    c, "SELECT version, updated_at FROM application_document WHERE id = :id", d->meta.id,
	    d->meta.updated_at[0] ? d->meta.updated_at : NULL, &base, stored_at, sizeof stored_at,
	    cause);
	if (rc == RC_NOTFOUND)
		db_cache_cause(cause, "no such %s (%s)", "document", d->meta.id);
	if (rc == RC_CONFLICT)
		db_cache_cause(cause, "this document was changed by someone else since it was "
		                      "opened; reopen it and make the change again");
	if (rc)
		return rc;
	rc = db_cache_stmt(c,
	                   "UPDATE application_document SET updated_by = :updated_by, "
	                   "deleted = :deleted, application_id = :application_id, code = :code, "
	                   "required = :required, received_on = :received_on, " DB_NEXT_UPDATED_AT
	                   " WHERE id = :id RETURNING updated_at, version",
	                   &st, cause);
	if (rc)
		return rc;
	bind_document(c, st, d, staff_id);
	rc = step_returning(c, st, &d->meta, staff_id, "document", cause);
	if (rc || db_cache_in_bulk(c))
		return rc;
	return db_outbox_record(c, "application_document", d->meta.id,
	                        d->meta.deleted ? "delete" : "update", base, cause);
}

enum rc db_document_get(struct cache *c, const char *id, struct app_document *out)
{
	sqlite3_stmt *st;
	enum rc rc;

	rc = db_cache_stmt(c, "SELECT " DOC_COLS " FROM application_document WHERE id = :id", &st,
	                   NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":id", id);
	return db_cache_get_one(c, st, read_document, out);
}

enum rc db_document_list(struct cache *c, const char *application_id, struct app_document **out,
                         int *n)
{
	sqlite3_stmt *st;
	void *v;
	enum rc rc;

	*out = NULL;
	*n = 0;
	/* rowid: the order the checklist was written in (the kind's order). */
	rc = db_cache_stmt(c,
	                   "SELECT " DOC_COLS " FROM application_document "
	                   "WHERE application_id = :application_id AND deleted = 0 ORDER BY rowid",
	                   &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":application_id", application_id);
	rc = db_cache_collect(c, st, sizeof **out, read_document, &v, n);
	*out = v;
	return rc;
}
