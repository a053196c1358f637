/* person.c: persons in the cache: insert, update with conflict check, get,
 * lookups, and the append-only change history; each write keeps the search
 * index current and writes its outbox row in the same transaction. */
#include "autoconf.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "person.h"
#include "search.h"
#include "src/text.h"
#include "src/uuid.h"
#include "staff.h"

#define PERSON_COLS                                                                                \
	"id, centre_id, version, updated_at, updated_by, deleted, insz, family_name, "             \
	"given_name, birth_date, sex, language, nationality, residence, street, postcode, "        \
	"municipality, phone, email, contact_name, contact_phone, contact_relation, notes"

static void read_person(sqlite3_stmt *st, void *out)
{
	struct person *p = out;

	memset(p, 0, sizeof *p);
	db_cache_column_meta(st, &p->meta);
	db_cache_column_text(st, 6, p->insz, sizeof p->insz);
	db_cache_column_text(st, 7, p->family_name, sizeof p->family_name);
	db_cache_column_text(st, 8, p->given_name, sizeof p->given_name);
	db_cache_column_text(st, 9, p->birth_date, sizeof p->birth_date);
	db_cache_column_text(st, 10, p->sex, sizeof p->sex);
	db_cache_column_text(st, 11, p->language, sizeof p->language);
	db_cache_column_text(st, 12, p->nationality, sizeof p->nationality);
	p->residence = person_residence_parse((const char *)sqlite3_column_text(st, 13));
	db_cache_column_text(st, 14, p->street, sizeof p->street);
	db_cache_column_text(st, 15, p->postcode, sizeof p->postcode);
	db_cache_column_text(st, 16, p->municipality, sizeof p->municipality);
	db_cache_column_text(st, 17, p->phone, sizeof p->phone);
	db_cache_column_text(st, 18, p->email, sizeof p->email);
	db_cache_column_text(st, 19, p->contact_name, sizeof p->contact_name);
	db_cache_column_text(st, 20, p->contact_phone, sizeof p->contact_phone);
	db_cache_column_text(st, 21, p->contact_relation, sizeof p->contact_relation);
	db_cache_column_text(st, 22, p->notes, sizeof p->notes);
}

/* The fields a person row shares between insert and update. */
static void bind_fields(struct cache *c, sqlite3_stmt *st, const struct person *p,
                        const char *staff_id)
{
	const char *residence = person_residence_code(p->residence);

	db_cache_bind_text(c, st, ":id", p->meta.id);
	db_cache_bind_text(c, st, ":updated_by", staff_id);
	db_cache_bind_int(c, st, ":deleted", p->meta.deleted);
	db_cache_bind_text(c, st, ":insz", p->insz);
	db_cache_bind_text(c, st, ":family_name", p->family_name);
	db_cache_bind_text(c, st, ":given_name", p->given_name);
	db_cache_bind_text(c, st, ":birth_date", p->birth_date);
	db_cache_bind_text(c, st, ":sex", p->sex);
	db_cache_bind_text(c, st, ":language", p->language);
	db_cache_bind_text(c, st, ":nationality", p->nationality);
	db_cache_bind_text(c, st, ":residence", residence ? residence : "");
	db_cache_bind_text(c, st, ":street", p->street);
	db_cache_bind_text(c, st, ":postcode", p->postcode);
	db_cache_bind_text(c, st, ":municipality", p->municipality);
	db_cache_bind_text(c, st, ":phone", p->phone);
	db_cache_bind_text(c, st, ":email", p->email);
	db_cache_bind_text(c, st, ":contact_name", p->contact_name);
	db_cache_bind_text(c, st, ":contact_phone", p->contact_phone);
	db_cache_bind_text(c, st, ":contact_relation", p->contact_relation);
	db_cache_bind_text(c, st, ":notes", p->notes);
}

/* A clearer message for the one constraint a user can run into. */
static void duplicate_cause(const struct person *p, char **cause)
{
	if (!p->insz[0])
		return; /* then it was the id: keep sqlite's words */
	if (cause) {
		free(*cause);
		*cause = NULL;
	}
	db_cache_cause(cause, "a person with INSZ %s is already registered", p->insz);
}

enum rc db_person_insert(struct cache *c, struct person *p, const char *staff_id, char **cause)
{
	sqlite3_stmt *st;
	bool row, bulk = db_cache_in_bulk(c);
	enum rc rc;

	rc = db_cache_need_tx(c, "db_person_insert", cause);
	if (rc)
		return rc;
	if (!p->meta.id[0])
		uuid_new(p->meta.id);
	rc = db_cache_stmt(
	    c,
	    "INSERT INTO person(" PERSON_COLS ") VALUES (:id, :centre_id, :version, "
	    "CASE WHEN :updated_at <> '' THEN :updated_at ELSE " DB_NOW " END, "
	    ":updated_by, :deleted, :insz, :family_name, :given_name, :birth_date, :sex, "
	    ":language, :nationality, :residence, :street, :postcode, :municipality, "
	    ":phone, :email, :contact_name, :contact_phone, :contact_relation, :notes) "
	    "RETURNING updated_at, version",
	    &st, cause);
	if (rc)
		return rc;
	bind_fields(c, st, p, staff_id);
	db_cache_bind_text(c, st, ":centre_id", p->meta.centre_id);
	/* A bulk load (demo, initial import) brings rows as the central
	 * service has them; a local insert is new and unsynced. */
	db_cache_bind_int(c, st, ":version", bulk ? p->meta.version : 0);
	db_cache_bind_text(c, st, ":updated_at", bulk ? p->meta.updated_at : "");
	rc = db_cache_step_meta(c, st, &p->meta, staff_id, &row, cause);
	if (rc == RC_DUPLICATE)
		duplicate_cause(p, cause);
	if (rc)
		return rc;
	rc = db_search_index(c, p->meta.id, cause);
	if (rc || bulk)
		return rc;
	return db_outbox_record(c, "person", p->meta.id, "insert", 0, cause);
}

enum rc db_person_update(struct cache *c, struct person *p, const char *staff_id, char **cause)
{
	sqlite3_stmt *st;
	char stored_at[32];
	long base = 0;
	bool row;
	enum rc rc;

	rc = db_cache_need_tx(c, "db_person_update", cause);
	if (rc)
		return rc;
	rc = db_cache_stored_meta(c, "SELECT version, updated_at FROM person WHERE id = :id",
	                          p->meta.id, p->meta.updated_at, &base, stored_at,
	                          sizeof stored_at, cause);
	if (rc == RC_NOTFOUND)
		db_cache_cause(cause, "no such person (%s)", p->meta.id);
	if (rc == RC_CONFLICT)
		db_cache_cause(cause,
		               "this person was changed by someone else since it was opened; "
		               "reopen it and make the change again");
	if (rc)
		return rc;

	/* Whatever the change, the keys are rewritten: they carry what a
	 * search hit shows (names, birth date, INSZ, postcode, municipality),
	 * and a deleted person has none. */
	rc = db_search_unindex(c, p->meta.id, cause);
	if (rc)
		return rc;
	rc = db_cache_stmt(c,
	                   "UPDATE person SET updated_by = :updated_by, deleted = :deleted, "
	                   "insz = :insz, family_name = :family_name, given_name = :given_name, "
	                   "birth_date = :birth_date, sex = :sex, language = :language, "
	                   "nationality = :nationality, residence = :residence, street = :street, "
	                   "postcode = :postcode, municipality = :municipality, phone = :phone, "
	                   "email = :email, contact_name = :contact_name, "
	                   "contact_phone = :contact_phone, contact_relation = :contact_relation, "
	                   "notes = :notes, " DB_NEXT_UPDATED_AT " "
	                   "WHERE id = :id AND updated_at = :old_updated_at "
	                   "RETURNING updated_at, version",
	                   &st, cause);
	if (rc)
		return rc;
	bind_fields(c, st, p, staff_id);
	db_cache_bind_text(c, st, ":old_updated_at", stored_at);
	rc = db_cache_step_meta(c, st, &p->meta, staff_id, &row, cause);
	if (!rc && !row) {
		db_cache_cause(cause, "this person was changed by someone else meanwhile");
		rc = RC_CONFLICT;
	}
	if (rc == RC_DUPLICATE)
		duplicate_cause(p, cause);
	if (rc)
		return rc;
	rc = db_search_index(c, p->meta.id, cause);
	if (rc || db_cache_in_bulk(c))
		return rc;
	return db_outbox_record(c, "person", p->meta.id, p->meta.deleted ? "delete" : "update",
	                        base, cause);
}

enum rc db_person_get(struct cache *c, const char *id, struct person *out)
{
	sqlite3_stmt *st;
	enum rc rc;

	rc = db_cache_stmt(c, "SELECT " PERSON_COLS " FROM person WHERE id = :id", &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":id", id);
	return db_cache_get_one(c, st, read_person, out);
}

enum rc db_person_find_insz(struct cache *c, const char *digits, struct person *out)
{
	sqlite3_stmt *st;
	enum rc rc;

	if (!digits || !digits[0])
		return RC_NOTFOUND;
	/* The terms of the partial index, repeated so that it is used. */
	rc = db_cache_stmt(c,
	                   "SELECT " PERSON_COLS " FROM person WHERE insz = :insz "
	                   "AND insz <> '' AND deleted = 0",
	                   &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":insz", digits);
	return db_cache_get_one(c, st, read_person, out);
}

/* Persons with the same folded names and birth date, through the search
 * index: the family-first key of a name starting at its first word is
 * exactly "1<family> <given>\x1e<birth>\x1f". */
enum rc db_person_find_same(struct cache *c, const char *family, const char *given,
                            const char *birth_date, char ids[][37], int max, int *n)
{
	char ff[400], gf[400], key[1024];
	sqlite3_stmt *st;
	bool row;
	enum rc rc;

	*n = 0;
	text_fold(family ? family : "", ff, sizeof ff);
	text_fold(given ? given : "", gf, sizeof gf);
	if (!ff[0] && !gf[0])
		return RC_OK;
	snprintf(key, sizeof key, "1%s%s%s\x1e%.10s\x1f", ff, ff[0] && gf[0] ? " " : "", gf,
	         birth_date ? birth_date : "");
	rc = db_cache_stmt(
	    c,
	    "SELECT k.person_id FROM person_key k JOIN person p ON p.id = k.person_id "
	    "WHERE k.key = :key AND p.deleted = 0 ORDER BY k.person_id",
	    &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":key", key);
	while (*n < max) {
		rc = db_cache_step(c, st, &row, NULL);
		if (rc || !row)
			break;
		db_cache_column_text(st, 0, ids[*n], 37);
		(*n)++;
	}
	sqlite3_reset(st);
	return rc;
}

long db_person_count(struct cache *c)
{
	sqlite3_stmt *st;
	long count = -1;
	bool row;

	/* Kept by triggers (the schema's tally table): no scan of the table. */
	if (db_cache_stmt(c, "SELECT n FROM tally WHERE name = 'person'", &st, NULL))
		return -1;
	if (!db_cache_step(c, st, &row, NULL) && row)
		count = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return count;
}

enum rc db_person_history_append(struct cache *c, const char *person_id, const char *staff_id,
                                 const char *role, const char *changes, char **cause)
{
	sqlite3_stmt *st;
	char id[37];
	bool row;
	enum rc rc;

	rc = db_cache_need_tx(c, "db_person_history_append", cause);
	if (rc)
		return rc;
	uuid_new(id);
	/* The row goes where the person goes: it takes the person's centre. */
	rc = db_cache_stmt(
	    c,
	    "INSERT INTO person_history(id, centre_id, version, updated_at, updated_by, "
	    "person_id, changed_at, changed_by, role, changes) "
	    "SELECT :id, p.centre_id, 0, t, :staff_id, p.id, t, :staff_id, :role, :changes "
	    "FROM person p, (SELECT " DB_NOW " AS t) "
	    "WHERE p.id = :person_id RETURNING id",
	    &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":id", id);
	db_cache_bind_text(c, st, ":staff_id", staff_id);
	db_cache_bind_text(c, st, ":role", role);
	db_cache_bind_text(c, st, ":changes", changes);
	db_cache_bind_text(c, st, ":person_id", person_id);
	rc = db_cache_step(c, st, &row, cause);
	if (!rc && !row) {
		db_cache_cause(cause, "no such person (%s)", person_id ? person_id : "");
		rc = RC_NOTFOUND;
	}
	sqlite3_reset(st);
	if (rc || db_cache_in_bulk(c))
		return rc;
	return db_outbox_record(c, "person_history", id, "insert", 0, cause);
}

static void read_change(sqlite3_stmt *st, void *p)
{
	struct person_change *e = p;

	memset(e, 0, sizeof *e);
	db_cache_column_text(st, 0, e->id, sizeof e->id);
	db_cache_column_text(st, 1, e->changed_at, sizeof e->changed_at);
	db_cache_column_text(st, 2, e->staff_name, sizeof e->staff_name);
	db_cache_column_text(st, 3, e->role, sizeof e->role);
	db_cache_column_text(st, 4, e->changes, sizeof e->changes);
}

enum rc db_person_history_list(struct cache *c, const char *person_id, int max,
                               struct person_change **out, int *n)
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
	    "SELECT h.id, h.changed_at, " DB_STAFF_NAME ", "
	    "h.role, h.changes "
	    "FROM person_history h LEFT JOIN staff s ON s.id = h.changed_by "
	    "WHERE h.person_id = :person_id ORDER BY h.changed_at DESC, h.rowid DESC LIMIT :max",
	    &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":person_id", person_id);
	db_cache_bind_int(c, st, ":max", max);
	rc = db_cache_collect(c, st, sizeof **out, read_change, &v, n);
	*out = v;
	return rc;
}
