/* test_storage.c: persons, applications, documents, audit, staff and
 * centres in the cache; the outbox row written with each change, the
 * append-only audit register, conflicts, bulk loading. */
#include "helpers.h"

#include <sqlite3.h>

#include "db/application.h"
#include "db/audit.h"
#include "db/outbox.h"
#include "db/person.h"
#include "db/search.h"
#include "db/staff.h"
#include "src/demo.h"

static char *dir;
static struct cache *c;

static void setup(void)
{
	c = helper_cache(&dir);
}

static void teardown(void)
{
	db_cache_close(c);
	helper_rmdir(dir);
}

TestSuite(storage, .init = setup, .fini = teardown);

static long count(const char *sql)
{
	sqlite3_stmt *st;
	long v = -1;

	cr_assert_eq(sqlite3_prepare_v2(db_cache_handle(c), sql, -1, &st, NULL), SQLITE_OK, "%s",
	             sqlite3_errmsg(db_cache_handle(c)));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The one text value of a query with one text parameter. */
static char *text1(const char *sql, const char *param)
{
	sqlite3_stmt *st;
	char *v = NULL;

	cr_assert_eq(sqlite3_prepare_v2(db_cache_handle(c), sql, -1, &st, NULL), SQLITE_OK, "%s",
	             sqlite3_errmsg(db_cache_handle(c)));
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static void insert_person(struct person *p)
{
	char *cause = NULL;

	cr_assert_eq(db_cache_begin(c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_person_insert(c, p, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK, "%s", cause);
}

Test(storage, person_round_trip)
{
	struct person p, q;
	char insz[12];

	helper_insz(1970, 3, 12, 123, insz);
	helper_person(&p, "Duprée-Lefèvre", "Jean-Noël", "1970-03-12", insz);
	strcpy(p.contact_name, "Élise Müller");
	strcpy(p.notes, "Préfère être appelée l'après-midi; \"urgent\"");
	insert_person(&p);
	cr_assert_eq(p.meta.version, 0);
	cr_assert_eq(strlen(p.meta.updated_at), 24, "updated_at %s", p.meta.updated_at);
	cr_assert_eq(p.meta.updated_at[23], 'Z');

	cr_assert_eq(db_person_get(c, p.meta.id, &q), RC_OK);
	cr_assert_str_eq(q.meta.id, p.meta.id);
	cr_assert_str_eq(q.meta.centre_id, p.meta.centre_id);
	cr_assert_str_eq(q.meta.updated_at, p.meta.updated_at);
	cr_assert_str_eq(q.meta.updated_by, "s-1");
	cr_assert_not(q.meta.deleted);
	cr_assert_str_eq(q.insz, insz);
	cr_assert_str_eq(q.family_name, "Duprée-Lefèvre");
	cr_assert_str_eq(q.given_name, "Jean-Noël");
	cr_assert_str_eq(q.birth_date, "1970-03-12");
	cr_assert_str_eq(q.sex, "f");
	cr_assert_str_eq(q.language, "fr");
	cr_assert_str_eq(q.nationality, "BE");
	cr_assert_eq(q.residence, RESIDENCE_POPULATION);
	cr_assert_str_eq(q.street, p.street);
	cr_assert_str_eq(q.postcode, "1000");
	cr_assert_str_eq(q.municipality, "Bruxelles");
	cr_assert_str_eq(q.phone, p.phone);
	cr_assert_str_eq(q.email, p.email);
	cr_assert_str_eq(q.contact_name, "Élise Müller");
	cr_assert_str_eq(q.notes, p.notes);
	cr_assert_eq(count("SELECT count(*) FROM person WHERE residence = 'population'"), 1);

	cr_assert_eq(db_person_find_insz(c, insz, &q), RC_OK);
	cr_assert_str_eq(q.meta.id, p.meta.id);
	cr_assert_eq(db_person_find_insz(c, "00000000000", &q), RC_NOTFOUND);
	cr_assert_eq(db_person_get(c, "no-such-id", &q), RC_NOTFOUND);
	cr_assert_eq(db_person_count(c), 1);
}

Test(storage, insert_writes_its_outbox_row)
{
	struct person p;
	struct outbox_entry *e;
	char *v;
	int n;

	helper_person(&p, "Peeters", "Anne", "1990-01-02", NULL);
	insert_person(&p);
	cr_assert_eq(db_outbox_count(c), 1);
	cr_assert_eq(db_outbox_peek(c, 10, &e, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(e[0].entity, "person");
	cr_assert_str_eq(e[0].row_id, p.meta.id);
	cr_assert_str_eq(e[0].op, "insert");
	cr_assert_eq(e[0].base_version, 0);
	cr_assert_neq(e[0].created_at[0], '\0');
	cr_assert_not_null(strstr(e[0].payload, "\"family_name\":\"Peeters\""), "%s", e[0].payload);
	db_outbox_free(e, n);

	/* The payload is the stored row as JSON. */
	v = text1("SELECT json_extract(payload, '$.birth_date') FROM outbox", NULL);
	cr_assert_str_eq(v, "1990-01-02");
	free(v);
	v = text1("SELECT json_extract(payload, '$.updated_at') FROM outbox", NULL);
	cr_assert_str_eq(v, p.meta.updated_at);
	free(v);
	cr_assert_eq(count("SELECT json_extract(payload, '$.version') FROM outbox"), 0);
}

Test(storage, rolled_back_change_leaves_neither_row_nor_outbox)
{
	struct person p, q;
	char *cause = NULL;

	helper_person(&p, "Janssens", "Luc", "1960-07-08", NULL);
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_person_insert(c, &p, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_outbox_count(c), 1, "visible inside the transaction");
	db_cache_rollback(c);
	cr_assert_eq(db_person_get(c, p.meta.id, &q), RC_NOTFOUND);
	cr_assert_eq(db_outbox_count(c), 0);
	cr_assert_eq(count("SELECT count(*) FROM person_key"), 0);
}

Test(storage, update_writes_outbox_and_moves_updated_at)
{
	struct person p, q;
	struct outbox_entry *e;
	char *cause = NULL, *v;
	int n;

	helper_person(&p, "Claes", "Marc", "1955-10-11", NULL);
	insert_person(&p);
	cr_assert_eq(db_person_get(c, p.meta.id, &q), RC_OK);
	strcpy(q.phone, "+32470123456");
	for (int i = 0; i < 3; i++) { /* within one millisecond or not */
		char before[32];
		strcpy(before, q.meta.updated_at);
		cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
		cr_assert_eq(db_person_update(c, &q, "s-2", &cause), RC_OK, "%s", cause);
		cr_assert_eq(db_cache_commit(c, &cause), RC_OK);
		cr_assert_gt(strcmp(q.meta.updated_at, before), 0, "%s after %s", q.meta.updated_at,
		             before);
	}
	cr_assert_eq(db_outbox_count(c), 4);
	cr_assert_eq(db_outbox_peek(c, 10, &e, &n), RC_OK);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(e[1].op, "update");
	cr_assert_lt(e[0].seq, e[1].seq);
	db_outbox_free(e, n);
	v = text1("SELECT json_extract(payload, '$.phone') FROM outbox ORDER BY seq DESC", NULL);
	cr_assert_str_eq(v, "+32470123456");
	free(v);
	v = text1("SELECT json_extract(payload, '$.updated_by') FROM outbox ORDER BY seq DESC",
	          NULL);
	cr_assert_str_eq(v, "s-2");
	free(v);
}

Test(storage, update_conflicts_after_another_connection_changed_the_row)
{
	struct cache *other = NULL;
	struct person p, mine, theirs;
	char *cause = NULL;

	helper_person(&p, "Wouters", "Els", "1975-12-01", NULL);
	insert_person(&p);
	cr_assert_eq(db_person_get(c, p.meta.id, &mine), RC_OK);

	cr_assert_eq(db_cache_open(sqlite3_db_filename(db_cache_handle(c), "main"), &other, &cause),
	             RC_OK, "%s", cause);
	cr_assert_eq(db_person_get(other, p.meta.id, &theirs), RC_OK);
	strcpy(theirs.email, "els@example.invalid");
	cr_assert_eq(db_cache_begin(other, &cause), RC_OK);
	cr_assert_eq(db_person_update(other, &theirs, "s-9", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(other, &cause), RC_OK);
	db_cache_close(other);

	strcpy(mine.phone, "+3233333333");
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_person_update(c, &mine, "s-1", &cause), RC_CONFLICT);
	cr_assert_not_null(cause);
	free(cause);
	db_cache_rollback(c);
	cr_assert_eq(db_person_get(c, p.meta.id, &mine), RC_OK);
	cr_assert_str_eq(mine.email, "els@example.invalid", "their change stays");
	cr_assert_eq(db_outbox_count(c), 2);

	struct person ghost;
	helper_person(&ghost, "Nobody", "", "", NULL);
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_person_update(c, &ghost, "s-1", &cause), RC_NOTFOUND);
	free(cause);
	db_cache_rollback(c);
}

Test(storage, duplicate_insz_is_refused)
{
	struct person a, b;
	char *cause = NULL, insz[12];

	helper_insz(2004, 2, 29, 2, insz);
	helper_person(&a, "Lambert", "Chloé", "2004-02-29", insz);
	insert_person(&a);
	helper_person(&b, "Lambert", "Zoé", "2004-02-29", insz);
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_person_insert(c, &b, "s-1", &cause), RC_DUPLICATE);
	cr_assert(strstr(cause, insz), "cause: %s", cause);
	free(cause);
	db_cache_rollback(c);

	/* Persons without an INSZ are many. */
	helper_person(&a, "X", "Y", "", "");
	insert_person(&a);
	helper_person(&b, "X", "Y", "", "");
	insert_person(&b);
	cr_assert_eq(db_person_count(c), 3);
}

Test(storage, tombstone_and_find_same)
{
	struct person p, q;
	char ids[4][37], *cause = NULL;
	int n;

	helper_person(&p, "De Smet", "Véronique", "1981-04-05", NULL);
	insert_person(&p);
	helper_person(&q, "Vandamme", "Paul", "1981-04-05", NULL);
	insert_person(&q);
	cr_assert_eq(db_person_find_same(c, "DE SMET", "veronique", "1981-04-05", ids, 4, &n),
	             RC_OK);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(ids[0], p.meta.id);
	cr_assert_eq(db_person_find_same(c, "De Smet", "Véronique", "1981-04-06", ids, 4, &n),
	             RC_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(db_person_find_same(c, "De Smet", "Vero", "1981-04-05", ids, 4, &n), RC_OK);
	cr_assert_eq(n, 0, "the same names, not prefixes");

	p.meta.deleted = true;
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_person_update(c, &p, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);
	cr_assert_eq(db_person_find_same(c, "De Smet", "Véronique", "1981-04-05", ids, 4, &n),
	             RC_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(db_person_count(c), 1);
	cr_assert_eq(count("SELECT count(*) FROM person WHERE deleted = 0"), 1);
	/* Undeleted (a sync may bring that): counted and found again. */
	p.meta.deleted = false;
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_person_update(c, &p, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);
	cr_assert_eq(db_person_count(c), 2);
	cr_assert_eq(db_person_find_same(c, "De Smet", "Véronique", "1981-04-05", ids, 4, &n),
	             RC_OK);
	cr_assert_eq(n, 1);
	p.meta.deleted = true;
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_person_update(c, &p, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);
	cr_assert_eq(db_person_count(c), 1);
	cr_assert_eq(count("SELECT count(*) FROM outbox WHERE op = 'delete'"), 2);
	/* The outbox count follows rows sent (deleted) by the sync. */
	cr_assert_eq(db_outbox_count(c), 5); /* 2 inserts, 3 updates */
	cr_assert_eq(db_cache_exec(c, "DELETE FROM outbox WHERE seq <= 2", &cause), RC_OK);
	cr_assert_eq(db_outbox_count(c), 3);
	cr_assert_eq(count("SELECT count(*) FROM outbox"), 3);
	cr_assert_eq(count("SELECT count(*) FROM person_key k JOIN person p ON p.id = k.person_id "
	                   "WHERE p.deleted = 1"),
	             0);
}

static void make_application(struct application *a, const char *person_id)
{
	memset(a, 0, sizeof *a);
	uuid_new(a->meta.id);
	strcpy(a->meta.centre_id, "c0000000-0000-4000-8000-000000000001");
	strcpy(a->person_id, person_id);
	a->kind = APP_KIND_IVT_IT;
	a->procedure = APP_PROC_NEW;
	strcpy(a->received_on, "2026-01-15");
	a->problem = APP_PROBLEM_ORTHOPAEDIC;
	a->status = APP_STATUS_RECEIVED;
	strcpy(a->notes, "via mutualité");
}

Test(storage, applications_and_documents)
{
	struct person p;
	struct application a, b, got, *list;
	struct app_document d, *docs;
	char *cause = NULL, *v;
	int n;

	helper_person(&p, "Lemaire", "Sophie", "1966-06-06", NULL);
	insert_person(&p);
	make_application(&a, p.meta.id);
	make_application(&b, p.meta.id);
	b.kind = APP_KIND_PARKING;
	strcpy(b.received_on, "2026-02-01");
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_application_insert(c, &a, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_application_insert(c, &b, "s-1", &cause), RC_OK, "%s", cause);
	memset(&d, 0, sizeof d);
	strcpy(d.meta.centre_id, a.meta.centre_id);
	strcpy(d.application_id, a.meta.id);
	strcpy(d.code, "medical_report");
	d.required = true;
	cr_assert_eq(db_document_insert(c, &d, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_neq(d.meta.id[0], '\0', "id made when empty");
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);

	cr_assert_eq(db_application_get(c, a.meta.id, &got), RC_OK);
	cr_assert_eq(got.kind, APP_KIND_IVT_IT);
	cr_assert_eq(got.procedure, APP_PROC_NEW);
	cr_assert_eq(got.problem, APP_PROBLEM_ORTHOPAEDIC);
	cr_assert_eq(got.status, APP_STATUS_RECEIVED);
	cr_assert_str_eq(got.received_on, "2026-01-15");
	cr_assert_str_eq(got.notes, "via mutualité");
	cr_assert_str_eq(got.person_id, p.meta.id);
	v = text1("SELECT kind FROM application WHERE id = ?", a.meta.id);
	cr_assert_str_eq(v, application_kind_code(APP_KIND_IVT_IT), "stored as its code");
	free(v);
	cr_assert_eq(count("SELECT count(*) FROM application WHERE typeof(kind) <> 'text' "
	                   "OR kind GLOB '[0-9]*'"),
	             0);

	cr_assert_eq(db_application_list(c, p.meta.id, &list, &n), RC_OK);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(list[0].meta.id, b.meta.id, "newest received first");
	free(list);

	got.status = APP_STATUS_INCOMPLETE;
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_application_update(c, &got, "s-2", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);
	cr_assert_eq(db_application_get(c, a.meta.id, &got), RC_OK);
	cr_assert_eq(got.status, APP_STATUS_INCOMPLETE);

	cr_assert_eq(db_document_list(c, a.meta.id, &docs, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(docs[0].code, "medical_report");
	cr_assert(docs[0].required);
	cr_assert_str_eq(docs[0].received_on, "");
	strcpy(docs[0].received_on, "2026-01-20");
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_document_update(c, &docs[0], "s-2", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);
	free(docs);
	cr_assert_eq(db_document_list(c, a.meta.id, &docs, &n), RC_OK);
	cr_assert_str_eq(docs[0].received_on, "2026-01-20");
	cr_assert_eq(db_document_get(c, d.meta.id, &d), RC_OK);
	cr_assert_str_eq(d.received_on, "2026-01-20");
	cr_assert_str_eq(d.meta.updated_by, "s-2");
	free(docs);
	cr_assert_eq(db_document_get(c, "nope", &d), RC_NOTFOUND);

	/* person, 2 applications, document, application update, document update */
	cr_assert_eq(db_outbox_count(c), 6);
	cr_assert_eq(count("SELECT count(*) FROM outbox WHERE entity = 'application'"), 3);
	cr_assert_eq(count("SELECT count(*) FROM outbox WHERE entity = 'application_document'"), 2);
	v = text1("SELECT json_extract(payload, '$.status') FROM outbox WHERE entity = "
	          "'application' ORDER BY seq DESC",
	          NULL);
	cr_assert_str_eq(v, "incomplete");
	free(v);
}

Test(storage, application_conflict)
{
	struct person p;
	struct application a, stale;
	char *cause = NULL;

	helper_person(&p, "Hermans", "Jo", "1944-01-01", NULL);
	insert_person(&p);
	make_application(&a, p.meta.id);
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_application_insert(c, &a, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);
	stale = a;
	a.status = APP_STATUS_AWAITING_EVALUATION;
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_application_update(c, &a, "s-1", &cause), RC_OK, "%s", cause);
	stale.status = APP_STATUS_CLOSED;
	cr_assert_eq(db_application_update(c, &stale, "s-1", &cause), RC_CONFLICT);
	free(cause);
	db_cache_rollback(c);
}

Test(storage, application_needs_its_person)
{
	struct application a;
	char *cause = NULL;

	make_application(&a, "no-such-person");
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_application_insert(c, &a, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_neq(db_cache_commit(c, &cause), RC_OK, "foreign key checked at commit");
	free(cause);
	cr_assert_eq(count("SELECT count(*) FROM application"), 0);
	cr_assert_eq(db_outbox_count(c), 0);
}

Test(storage, audit_is_append_only)
{
	struct staff s;
	struct audit_entry e, *trail;
	char *cause = NULL, *err = NULL;
	int n;

	memset(&s, 0, sizeof s);
	strcpy(s.meta.centre_id, "c0000000-0000-4000-8000-000000000001");
	strcpy(s.login, "mdupont");
	strcpy(s.family_name, "Dupont");
	strcpy(s.given_name, "Marie");
	s.role = ROLE_RECEPTION;
	s.active = true;
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_staff_insert(c, &s, "", &cause), RC_OK, "%s", cause);
	for (int i = 0; i < 3; i++) {
		memset(&e, 0, sizeof e);
		strcpy(e.centre_id, s.meta.centre_id);
		strcpy(e.staff_id, s.meta.id);
		strcpy(e.role, "reception");
		strcpy(e.person_id, "p-1");
		strcpy(e.action, i == 2 ? "update" : "view");
		snprintf(e.detail, sizeof e.detail, "%s", i == 2 ? "phone, email" : "");
		cr_assert_eq(db_audit_append(c, &e, &cause), RC_OK, "%s", cause);
		cr_assert_neq(e.id[0], '\0');
		cr_assert_neq(e.at[0], '\0');
	}
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);
	cr_assert_eq(count("SELECT count(*) FROM outbox WHERE entity = 'audit'"), 3);

	cr_assert_eq(db_audit_list(c, "p-1", 10, &trail, &n), RC_OK);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(trail[0].action, "update", "newest first");
	cr_assert_str_eq(trail[0].detail, "phone, email");
	cr_assert_str_eq(trail[0].staff_name, "Dupont, Marie");
	cr_assert_str_eq(trail[0].role, "reception");
	free(trail);
	cr_assert_eq(db_audit_list(c, "p-1", 2, &trail, &n), RC_OK);
	cr_assert_eq(n, 2);
	free(trail);

	/* Whoever asks, through raw SQL: refused. */
	cr_assert_neq(sqlite3_exec(db_cache_handle(c), "UPDATE audit SET detail = 'nothing'", NULL,
	                           NULL, &err),
	              SQLITE_OK);
	cr_assert(strstr(err, "append-only"), "%s", err);
	sqlite3_free(err);
	cr_assert_neq(sqlite3_exec(db_cache_handle(c), "DELETE FROM audit", NULL, NULL, &err),
	              SQLITE_OK);
	cr_assert(strstr(err, "append-only"), "%s", err);
	sqlite3_free(err);
	cr_assert_eq(db_cache_exec(c, "UPDATE audit SET action = 'view'", &cause), RC_INVALID);
	cr_assert(strstr(cause, "append-only"), "%s", cause);
	free(cause);
	cr_assert_eq(count("SELECT count(*) FROM audit"), 3);
	cr_assert_eq(count("SELECT count(*) FROM audit WHERE action = 'update'"), 1);
}

Test(storage, staff_and_centres)
{
	struct centre ce, got, *centres;
	struct staff s, t, *all;
	char *cause = NULL;
	int n;

	memset(&ce, 0, sizeof ce);
	strcpy(ce.code, "BRU");
	strcpy(ce.name, "Bruxelles / Brussel");
	strcpy(ce.language, "fr");
	memset(&s, 0, sizeof s);
	strcpy(s.login, "jpeeters");
	strcpy(s.family_name, "Peeters");
	strcpy(s.given_name, "Jan");
	s.role = ROLE_DOCTOR;
	strcpy(s.discipline, "doctor");
	strcpy(s.languages, "nl,fr");
	s.active = true;

	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_centre_insert(c, &ce, "", &cause), RC_OK, "%s", cause);
	strcpy(s.meta.centre_id, ce.meta.id);
	cr_assert_eq(db_staff_insert(c, &s, "", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);

	cr_assert_eq(db_centre_get(c, ce.meta.id, &got), RC_OK);
	cr_assert_str_eq(got.meta.centre_id, ce.meta.id);
	cr_assert_str_eq(got.name, "Bruxelles / Brussel");
	cr_assert_eq(db_centre_list(c, &centres, &n), RC_OK);
	cr_assert_eq(n, 1);
	free(centres);

	cr_assert_eq(db_staff_find_login(c, "jpeeters", &t), RC_OK);
	cr_assert_str_eq(t.meta.id, s.meta.id);
	cr_assert_eq(t.role, ROLE_DOCTOR);
	cr_assert_str_eq(t.languages, "nl,fr");
	cr_assert(t.active);
	cr_assert_eq(db_staff_get(c, s.meta.id, &t), RC_OK);
	cr_assert_eq(db_staff_find_login(c, "nobody", &t), RC_NOTFOUND);
	cr_assert_eq(db_staff_list(c, &all, &n), RC_OK);
	cr_assert_eq(n, 1);
	free(all);
	cr_assert_eq(count("SELECT count(*) FROM staff WHERE role = 'doctor'"), 1);
	cr_assert_eq(count("SELECT count(*) FROM outbox WHERE entity IN ('staff', 'centre')"), 2);
}

Test(storage, bulk_mode_keeps_version_and_writes_no_outbox)
{
	struct person p, q;
	struct application a;
	struct search_hit hits[4];
	char *cause = NULL, insz[12], *v;
	int n;

	cr_assert_eq(db_cache_bulk_begin(c, &cause), RC_OK, "%s", cause);
	for (int i = 0; i < 500; i++) {
		char given[16];
		snprintf(given, sizeof given, "Bulk%03d", i);
		helper_insz(1950 + i % 50, 1 + i % 12, 1 + i % 28, 1 + i, insz);
		helper_person(&p, i % 2 ? "Goossens" : "Mertens", given, "1950-01-01", insz);
		p.meta.version = 1;
		/* The generator may wrap rows in begin/commit: savepoints. */
		cr_assert_eq(db_cache_begin(c, &cause), RC_OK, "%s", cause);
		cr_assert_eq(db_person_insert(c, &p, "", &cause), RC_OK, "%s", cause);
		if (i == 0) {
			make_application(&a, p.meta.id);
			a.meta.version = 1;
			cr_assert_eq(db_application_insert(c, &a, "", &cause), RC_OK, "%s", cause);
		}
		cr_assert_eq(db_cache_commit(c, &cause), RC_OK, "%s", cause);
	}
	/* A rolled back row inside the bulk load is undone alone. */
	helper_person(&q, "Rollback", "Me", "", NULL);
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_person_insert(c, &q, "", &cause), RC_OK);
	db_cache_rollback(c);
	cr_assert_eq(db_cache_bulk_end(c, &cause), RC_OK, "%s", cause);

	cr_assert_eq(db_person_count(c), 500);
	cr_assert_eq(db_outbox_count(c), 0);
	cr_assert_eq(count("SELECT count(*) FROM person WHERE version = 1"), 500);
	cr_assert_eq(count("SELECT count(*) FROM application WHERE version = 1"), 1);
	cr_assert_eq(db_person_get(c, q.meta.id, &q), RC_NOTFOUND);
	/* The indexes are back, the search index filled. */
	cr_assert_eq(count("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN "
	                   "('person_insz', 'person_birth', 'application_person', "
	                   "'application_document_application', 'audit_person', 'staff_login')"),
	             6);
	cr_assert_eq(count("SELECT count(*) FROM person_key"), 1000);
	/* Write-ahead logging and foreign keys are back on. */
	v = text1("PRAGMA journal_mode", NULL);
	cr_assert_str_eq(v, "wal");
	free(v);
	cr_assert_eq(count("PRAGMA foreign_keys"), 1);
	cr_assert_eq(count("PRAGMA synchronous"), 1, "NORMAL");
	cr_assert_eq(db_search_persons(c, "goossens bulk00", hits, 4, &n), RC_OK);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(hits[0].given_name, "Bulk001");
	cr_assert_eq(db_person_find_insz(c, p.insz, &q), RC_OK);

	/* Back to normal: a change now has its outbox row. */
	helper_person(&p, "After", "Bulk", "", NULL);
	insert_person(&p);
	cr_assert_eq(db_outbox_count(c), 1);
}

Test(storage, bulk_load_rolled_back_restores_indexes)
{
	struct person p;
	char *cause = NULL;

	cr_assert_eq(db_cache_bulk_begin(c, &cause), RC_OK, "%s", cause);
	helper_person(&p, "Gone", "Soon", "", NULL);
	cr_assert_eq(db_person_insert(c, &p, "", &cause), RC_OK, "%s", cause);
	db_cache_rollback(c);
	cr_assert_eq(db_person_count(c), 0);
	cr_assert_eq(count("SELECT count(*) FROM sqlite_schema WHERE name = 'person_insz'"), 1);
	helper_person(&p, "Normal", "Again", "", NULL);
	insert_person(&p);
	cr_assert_eq(db_outbox_count(c), 1);
}

Test(storage, bulk_abort_undoes_the_whole_load)
{
	struct person p;
	char *cause = NULL, *v;

	cr_assert_eq(db_cache_bulk_begin(c, &cause), RC_OK, "%s", cause);
	/* A chunk already released into the load ... */
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK, "%s", cause);
	helper_person(&p, "Released", "Chunk", "", NULL);
	cr_assert_eq(db_person_insert(c, &p, "", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK, "%s", cause);
	/* ... and one still open when the failure comes. */
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK, "%s", cause);
	helper_person(&p, "Open", "Chunk", "", NULL);
	cr_assert_eq(db_person_insert(c, &p, "", &cause), RC_OK, "%s", cause);
	db_cache_bulk_abort(c);

	cr_assert_not(db_cache_in_bulk(c));
	cr_assert_eq(db_person_count(c), 0, "nothing of the load is left");
	cr_assert_eq(count("SELECT count(*) FROM person_key"), 0);
	cr_assert_eq(count("SELECT count(*) FROM sqlite_schema WHERE name = 'person_insz'"), 1);
	v = text1("PRAGMA journal_mode", NULL);
	cr_assert_str_eq(v, "wal");
	free(v);
	db_cache_bulk_abort(c); /* outside a load: nothing */
	helper_person(&p, "Normal", "Again", "", NULL);
	insert_person(&p);
	cr_assert_eq(db_outbox_count(c), 1);
}

/* A demo load that fails half-way (here: past its first committed chunk of
 * 25,000 persons) leaves no data behind, never a cache that looks done. */
Test(storage, demo_failure_leaves_nothing, .timeout = 120)
{
	struct demo_options o = {.persons = 26000, .seed = 3, .today = "2025-06-30"};
	char *cause = NULL;

	cr_assert_eq(db_cache_exec(c,
	                           "CREATE TEMP TABLE inserted(n INTEGER NOT NULL);"
	                           "INSERT INTO temp.inserted VALUES (0);"
	                           "CREATE TEMP TRIGGER count_person AFTER INSERT ON main.person "
	                           "BEGIN UPDATE inserted SET n = n + 1; END;"
	                           "CREATE TEMP TRIGGER fail_person BEFORE INSERT ON main.person "
	                           "WHEN (SELECT n FROM temp.inserted) >= 25500 "
	                           "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
	                           &cause),
	             RC_OK, "%s", cause);
	cr_assert_neq(demo_generate(c, &o, &cause), RC_OK);
	cr_expect(cause && strstr(cause, "injected failure"), "%s", cause ? cause : "");
	free(cause);
	cr_assert_eq(count("SELECT n FROM temp.inserted"), 0, "the whole load was undone");
	cr_assert_not(db_cache_in_bulk(c));
	cr_expect_eq(db_person_count(c), 0);
	cr_expect_eq(count("SELECT count(*) FROM centre"), 0);
	cr_expect_eq(count("SELECT count(*) FROM staff"), 0);
	cr_expect_eq(count("SELECT count(*) FROM application"), 0);
	cr_expect_eq(count("SELECT count(*) FROM sqlite_schema WHERE name = 'person_insz'"), 1);
}
