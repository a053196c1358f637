/* test_session.c: sessions on a temporary cache: who may log in, audited
 * views, intake in one transaction, duplicates, INSZ changes, audit; and
 * the staff records (src/staff.c): the first director of an empty cache,
 * who may add and deactivate, one transaction with its audit entry. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/audit.h"
#include "db/cache.h"
#include "db/staff.h"
#include "src/session.h"
#include "src/uuid.h"

static char dir[64];
static char path[96];
static struct centre centre;
static char staff_ids[8][37];

static void add_staff(struct cache *c, int i, const char *login, enum role role, bool active)
{
	struct staff st;
	char *cause = NULL;

	memset(&st, 0, sizeof st);
	uuid_new(st.meta.id);
	strcpy(st.meta.centre_id, centre.meta.id);
	strcpy(st.login, login);
	strcpy(st.family_name, "Peeters");
	strcpy(st.given_name, login);
	st.role = role;
	strcpy(st.languages, "nl,fr");
	st.active = active;
	cr_assert_eq(db_staff_insert(c, &st, "", &cause), RC_OK, "staff: %s", cause);
	strcpy(staff_ids[i], st.meta.id);
}

static void setup(void)
{
	struct cache *c = NULL;
	char *cause = NULL;

	strcpy(dir, "/tmp/handesk-session-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/cache.db", dir);
	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "open: %s", cause);
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK, "%s", cause);
	memset(&centre, 0, sizeof centre);
	uuid_new(centre.meta.id);
	strcpy(centre.meta.centre_id, centre.meta.id);
	strcpy(centre.code, "CHA");
	strcpy(centre.name, "Charleroi");
	strcpy(centre.language, "fr");
	cr_assert_eq(db_centre_insert(c, &centre, "", &cause), RC_OK, "centre: %s", cause);
	add_staff(c, 0, "desk", ROLE_RECEPTION, true);
	add_staff(c, 1, "dm", ROLE_DOSSIER_MANAGER, true);
	add_staff(c, 2, "eva", ROLE_EVALUATOR, true);
	add_staff(c, 3, "boss", ROLE_DIRECTOR, true);
	add_staff(c, 4, "gone", ROLE_RECEPTION, false);
	add_staff(c, 5, "qa", ROLE_QUALITY, true);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK, "%s", cause);
	db_cache_close(c);
}

static void teardown(void)
{
	static const char *const files[] = {"cache.db",         "cache.db-wal",   "cache.db-shm",
	                                    "cache.db-journal", "boot.db",        "boot.db-wal",
	                                    "boot.db-shm",      "boot.db-journal"};
	char f[128];

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(f, sizeof f, "%s/%s", dir, files[i]);
		unlink(f);
	}
	rmdir(dir);
}

TestSuite(session, .init = setup, .fini = teardown);

static void open_as(struct session *s, const char *login)
{
	char *cause = NULL;
	enum rc rc = session_open(s, NULL, path, login, &cause);
	cr_assert_eq(rc, RC_OK, "login %s: %s", login, cause ? cause : "");
	cr_assert_str_eq(s->me.login, login);
	cr_assert_str_eq(s->centre.meta.id, centre.meta.id);
}

static long count(struct session *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long n = -1;

	cr_assert_eq(sqlite3_prepare_v2(db_cache_handle(s->cache), sql, -1, &st, NULL), SQLITE_OK,
	             "%s", sql);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static struct person sample(const char *insz)
{
	struct person p;

	memset(&p, 0, sizeof p);
	strcpy(p.insz, insz);
	strcpy(p.family_name, "Duprée");
	strcpy(p.given_name, "Jean-François");
	strcpy(p.birth_date, "30/07/1985");
	strcpy(p.language, "fr");
	strcpy(p.nationality, "BE");
	p.residence = RESIDENCE_POPULATION;
	strcpy(p.postcode, "6000");
	strcpy(p.phone, "0470 12 34 56");
	return p;
}

static struct application sample_app(void)
{
	struct application a;

	memset(&a, 0, sizeof a);
	a.kind = APP_KIND_IVT_IT;
	a.procedure = APP_PROC_NEW;
	strcpy(a.received_on, "02/11/2026");
	a.problem = APP_PROBLEM_PSYCHOLOGICAL;
	return a;
}

static int checklist_len(enum app_kind k)
{
	int n = 0;
	for (const char *const *l = application_checklist(k); *l; l++)
		n++;
	return n;
}

/* Register p (and app) as s, asserting success. */
static void intake(struct session *s, struct person *p, struct application *app)
{
	enum person_field f = PERSON_F_NONE;
	char *cause = NULL;
	enum rc rc = session_intake(s, p, app, &f, &cause);
	cr_assert_eq(rc, RC_OK, "intake: rc %d field %d: %s", rc, f, cause ? cause : "");
	free(cause);
}

Test(session, open_denies_unknown_login)
{
	struct session s;
	char *cause = NULL;

	cr_assert_eq(session_open(&s, NULL, path, "nobody", &cause), RC_DENIED);
	cr_assert_not_null(cause);
	cr_expect(strstr(cause, "'nobody'"), "names the login: %s", cause);
	cr_expect(strstr(cause, "centre director"), "says how to fix it: %s", cause);
	cr_expect(strstr(cause, "handesk demo --persons N"), "mentions the demo: %s", cause);
	cr_expect_null(s.cache, "nothing left open");
	free(cause);
	cause = NULL;

	cr_assert_eq(session_open(&s, NULL, path, "gone", &cause), RC_DENIED);
	cr_expect(cause && strstr(cause, "'gone'") && strstr(cause, "inactive"), "%s", cause);
	free(cause);

	open_as(&s, "desk");
	cr_expect_eq(s.me.role, ROLE_RECEPTION);
	cr_expect_str_eq(s.centre.code, "CHA");
	session_close(&s);
	session_close(&s); /* twice is harmless */
}

Test(session, require_gives_a_cause)
{
	struct session s;
	char *cause = NULL;

	open_as(&s, "desk");
	cr_expect_eq(session_require(&s, PERM_PERSON_CREATE, &cause), RC_OK);
	cr_expect_null(cause);
	cr_expect_eq(session_require(&s, PERM_MEDICAL_VIEW, &cause), RC_DENIED);
	cr_expect(cause && strstr(cause, "reception"), "%s", cause);
	free(cause);
	session_close(&s);
}

Test(session, intake_writes_everything_in_one_transaction)
{
	struct session s;
	struct person p = sample("85073003328");
	struct application a = sample_app();
	int docs = checklist_len(APP_KIND_IVT_IT);
	long outbox;

	open_as(&s, "desk");
	outbox = count(&s, "SELECT count(*) FROM outbox");
	intake(&s, &p, &a);
	cr_expect_str_not_empty(p.meta.id);
	cr_expect_str_not_empty(a.meta.id);
	cr_expect_str_eq(a.person_id, p.meta.id);
	cr_expect_eq(a.status, APP_STATUS_INCOMPLETE);
	cr_expect_str_eq(p.insz, "85073003328");
	cr_expect_str_eq(p.birth_date, "1985-07-30");

	cr_expect_eq(count(&s, "SELECT count(*) FROM person"), 1);
	cr_expect_eq(count(&s, "SELECT count(*) FROM application WHERE status = 'incomplete'"), 1);
	cr_expect_eq(count(&s, "SELECT count(*) FROM application_document "
	                       "WHERE received_on = '' AND required = 1"),
	             docs);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person WHERE updated_by <> '' "
	                       "AND centre_id <> ''"),
	             1);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit WHERE action = 'create' "
	                       "AND role = 'reception'"),
	             2);
	/* person + application + each document (+ the audit rows, which sync). */
	cr_expect_geq(count(&s, "SELECT count(*) FROM outbox") - outbox, 2 + docs);
	cr_expect_eq(count(&s, "SELECT count(*) FROM outbox WHERE entity = 'person'"), 1);

	struct application *apps = NULL;
	int n = 0;
	char *cause = NULL;
	cr_assert_eq(session_list_applications(&s, p.meta.id, &apps, &n, &cause), RC_OK, "%s",
	             cause);
	cr_assert_eq(n, 1);
	cr_expect_eq(apps[0].kind, APP_KIND_IVT_IT);
	free(apps);
	session_close(&s);
}

Test(session, intake_failure_in_the_middle_leaves_nothing)
{
	struct session s;
	struct person p = sample("85073003328");
	struct application a = sample_app();
	enum person_field f;
	char *cause = NULL;

	open_as(&s, "desk");
	long outbox = count(&s, "SELECT count(*) FROM outbox");
	/* The third document fails: person, application and two documents are
	 * written by then. */
	cr_assert_eq(db_cache_exec(s.cache,
	                           "CREATE TEMP TRIGGER fail_doc BEFORE INSERT ON "
	                           "main.application_document "
	                           "WHEN (SELECT count(*) FROM main.application_document) >= 2 "
	                           "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
	                           &cause),
	             RC_OK, "%s", cause);
	cr_expect_neq(session_intake(&s, &p, &a, &f, &cause), RC_OK);
	cr_expect(cause && strstr(cause, "injected failure"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_expect_str_empty(p.meta.id, "no id for a person that was not saved");
	cr_expect_str_empty(a.meta.id);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person"), 0);
	cr_expect_eq(count(&s, "SELECT count(*) FROM application"), 0);
	cr_expect_eq(count(&s, "SELECT count(*) FROM application_document"), 0);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit"), 0);
	cr_expect_eq(count(&s, "SELECT count(*) FROM outbox"), outbox);

	/* The form still holds everything: fixing the cause and saving works. */
	cr_assert_eq(db_cache_exec(s.cache, "DROP TRIGGER temp.fail_doc", &cause), RC_OK);
	intake(&s, &p, &a);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person"), 1);
	cr_expect_eq(count(&s, "SELECT count(*) FROM application_document"),
	             checklist_len(APP_KIND_IVT_IT));
	session_close(&s);
}

Test(session, invalid_input_names_the_field)
{
	struct session s;
	struct person p = sample("85073003328");
	struct application a = sample_app();
	enum person_field f;
	char *cause = NULL;

	open_as(&s, "desk");
	strcpy(p.birth_date, "30/07/1986");
	cr_expect_eq(session_intake(&s, &p, &a, &f, &cause), RC_INVALID);
	cr_expect_eq(f, PERSON_F_BIRTH_DATE);
	cr_expect(cause && strstr(cause, "30/07/1986") && strstr(cause, "30/07/1985"), "%s", cause);
	free(cause);
	cause = NULL;

	p = sample("");
	a.problem = APP_PROBLEM_NONE;
	cr_expect_eq(session_intake(&s, &p, &a, &f, &cause), RC_INVALID);
	cr_expect_eq(f, PERSON_F_NONE, "the application is at fault");
	cr_expect_not_null(cause);
	free(cause);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person"), 0);
	session_close(&s);
}

Test(session, duplicate_insz_refused)
{
	struct session s;
	struct person p = sample("85073003328");
	struct person q = sample("85073003328");
	enum person_field f;
	char *cause = NULL;
	char ids[4][37];
	int n = -1;

	open_as(&s, "desk");
	intake(&s, &p, NULL);
	strcpy(q.family_name, "Janssens");
	strcpy(q.given_name, "Piet");
	cr_expect_eq(session_intake(&s, &q, NULL, &f, &cause), RC_DUPLICATE);
	cr_expect_eq(f, PERSON_F_INSZ);
	cr_expect(cause && strstr(cause, "Duprée"), "names who has it: %s", cause);
	free(cause);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person"), 1);

	/* The UI asks first: same INSZ, or same name and birth date. */
	cr_assert_eq(session_find_duplicates(&s, &q, ids, 4, &n), RC_OK);
	cr_expect_eq(n, 1);
	cr_expect_str_eq(ids[0], p.meta.id);
	struct person r = sample("");
	strcpy(r.family_name, "DUPREE");
	strcpy(r.given_name, "jean francois");
	strcpy(r.birth_date, "1985-07-30");
	cr_assert_eq(session_find_duplicates(&s, &r, ids, 4, &n), RC_OK);
	cr_expect_eq(n, 1, "same name (folded) and birth date");
	strcpy(r.birth_date, "31/07/1985");
	cr_assert_eq(session_find_duplicates(&s, &r, ids, 4, &n), RC_OK);
	cr_expect_eq(n, 0);
	session_close(&s);
}

Test(session, viewing_a_card_writes_an_audit_row)
{
	struct session s, boss;
	struct person p = sample("85073003328"), seen;
	struct audit_entry *trail = NULL;
	char *cause = NULL;
	int n = 0;

	open_as(&s, "desk");
	intake(&s, &p, NULL);
	long before = count(&s, "SELECT count(*) FROM audit WHERE action = 'view'");
	cr_assert_eq(session_view_person(&s, p.meta.id, &seen, &cause), RC_OK, "%s", cause);
	cr_expect_str_eq(seen.family_name, "Duprée");
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit WHERE action = 'view'"), before + 1);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit WHERE action = 'view' "
	                       "AND role = 'reception' AND staff_id <> ''"),
	             1);

	cr_expect_eq(session_view_person(&s, "no-such-id", &seen, &cause), RC_NOTFOUND);
	free(cause);
	cause = NULL;

	/* Reception does not read the trail; the director does. */
	cr_expect_eq(session_audit_trail(&s, p.meta.id, 10, &trail, &n, &cause), RC_DENIED);
	free(cause);
	cause = NULL;
	open_as(&boss, "boss");
	cr_assert_eq(session_audit_trail(&boss, p.meta.id, 10, &trail, &n, &cause), RC_OK, "%s",
	             cause);
	cr_assert_geq(n, 2);
	cr_expect_str_eq(trail[0].action, "view", "newest first");
	cr_expect_str_eq(trail[0].role, "reception");
	cr_expect_str_eq(trail[0].staff_id, staff_ids[0]);
	free(trail);
	session_close(&boss);
	session_close(&s);
}

Test(session, reception_cannot_open_medical_content)
{
	struct session s, eva;
	struct person p = sample("85073003328");
	struct application a = sample_app(), med, *apps = NULL;
	char *cause = NULL;
	int n = 0;

	open_as(&s, "desk");
	intake(&s, &p, &a);
	cr_expect_eq(session_view_medical(&s, a.meta.id, &med, &cause), RC_DENIED);
	cr_expect_not_null(cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(session_list_applications(&s, p.meta.id, &apps, &n, &cause), RC_OK);
	cr_assert_eq(n, 1);
	cr_expect_eq(apps[0].problem, APP_PROBLEM_NONE, "primary problem hidden from reception");
	free(apps);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit WHERE action = 'medical_view'"), 0);

	open_as(&eva, "eva");
	cr_assert_eq(session_view_medical(&eva, a.meta.id, &med, &cause), RC_OK, "%s", cause);
	cr_expect_eq(med.problem, APP_PROBLEM_PSYCHOLOGICAL);
	cr_expect_eq(count(&eva, "SELECT count(*) FROM audit WHERE action = 'medical_view' "
	                         "AND role = 'evaluator'"),
	             1);
	cr_assert_eq(session_list_applications(&eva, p.meta.id, &apps, &n, &cause), RC_OK);
	cr_expect_eq(apps[0].problem, APP_PROBLEM_PSYCHOLOGICAL);
	free(apps);

	/* Evaluators do not register people. */
	struct person q = sample("85073003427");
	strcpy(q.given_name, "Marie");
	enum person_field f;
	cr_expect_eq(session_intake(&eva, &q, NULL, &f, &cause), RC_DENIED);
	free(cause);
	session_close(&eva);
	session_close(&s);
}

Test(session, reception_sets_unknown_insz_but_cannot_change_a_known_one)
{
	struct session s, dm;
	struct person p = sample(""), cur;
	enum person_field f;
	char *cause = NULL;

	open_as(&s, "desk");
	intake(&s, &p, NULL);

	/* Not yet known: reception may fill it in. */
	cr_assert_eq(session_view_person(&s, p.meta.id, &cur, &cause), RC_OK);
	strcpy(cur.insz, "85073003328");
	cr_assert_eq(session_update_person(&s, &cur, &f, NULL, &cause), RC_OK, "%s", cause);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person WHERE insz = '85073003328'"), 1);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit WHERE action = 'update' "
	                       "AND detail = 'insz, sex'"),
	             1, "sex filled in from the INSZ serial");

	/* Known: reception may not change it. */
	cr_assert_eq(session_view_person(&s, p.meta.id, &cur, &cause), RC_OK);
	strcpy(cur.insz, "85073003526");
	cr_expect_eq(session_update_person(&s, &cur, &f, NULL, &cause), RC_DENIED);
	cr_expect_eq(f, PERSON_F_INSZ);
	cr_expect_not_null(cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(session_view_person(&s, p.meta.id, &cur, &cause), RC_OK);
	cur.insz[0] = '\0';
	cr_expect_eq(session_update_person(&s, &cur, &f, NULL, &cause), RC_DENIED, "nor clear it");
	free(cause);
	cause = NULL;
	cr_expect_eq(count(&s, "SELECT count(*) FROM person WHERE insz = '85073003328'"), 1);

	/* A dossier manager may, audited as insz_change. */
	open_as(&dm, "dm");
	cr_assert_eq(session_view_person(&dm, p.meta.id, &cur, &cause), RC_OK);
	strcpy(cur.insz, "85073003526");
	cr_assert_eq(session_update_person(&dm, &cur, &f, NULL, &cause), RC_OK, "%s", cause);
	cr_expect_eq(count(&dm, "SELECT count(*) FROM person WHERE insz = '85073003526'"), 1);
	cr_expect_eq(count(&dm, "SELECT count(*) FROM audit WHERE action = 'insz_change' "
	                        "AND role = 'dossier_manager' AND detail = 'insz'"),
	             1);
	session_close(&dm);
	session_close(&s);
}

Test(session, update_lists_changed_fields_only)
{
	struct session s;
	struct person p = sample("85073003328"), cur;
	enum person_field f;
	char *cause = NULL;

	open_as(&s, "desk");
	intake(&s, &p, NULL);
	cr_assert_eq(session_view_person(&s, p.meta.id, &cur, &cause), RC_OK);
	strcpy(cur.phone, "02 507 87 99");
	strcpy(cur.email, "jf.dupree@example.be");
	cur.residence = RESIDENCE_FOREIGNERS;
	cr_assert_eq(session_update_person(&s, &cur, &f, NULL, &cause), RC_OK, "%s", cause);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit WHERE action = 'update' "
	                       "AND detail = 'phone, email, residence'"),
	             1);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit WHERE detail LIKE '%example%' "
	                       "OR detail LIKE '%507%'"),
	             0, "no values in the audit register");
	cr_expect_eq(count(&s, "SELECT count(*) FROM person WHERE phone = '+3225078799'"), 1);

	/* Nothing changed: nothing written, and the caller is told so. */
	bool changed = true;
	cr_assert_eq(session_view_person(&s, p.meta.id, &cur, &cause), RC_OK);
	long audits = count(&s, "SELECT count(*) FROM audit");
	long outbox = count(&s, "SELECT count(*) FROM outbox");
	char same_row[160];
	snprintf(same_row, sizeof same_row, "SELECT count(*) FROM person WHERE updated_at = '%s'",
	         cur.meta.updated_at);
	usleep(2000); /* a write now would show in updated_at */
	cr_assert_eq(session_update_person(&s, &cur, &f, &changed, &cause), RC_OK, "%s", cause);
	cr_expect_not(changed);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit"), audits, "no audit entry");
	cr_expect_eq(count(&s, "SELECT count(*) FROM outbox"), outbox, "no outbox row");
	cr_expect_eq(count(&s, same_row), 1, "the row untouched");
	/* Typed again the way it is stored is no change either. */
	strcpy(cur.phone, "02 507 87 99");
	cr_assert_eq(session_update_person(&s, &cur, &f, &changed, &cause), RC_OK, "%s", cause);
	cr_expect_not(changed, "the same phone number, other formatting");
	cr_expect_eq(count(&s, "SELECT count(*) FROM outbox"), outbox);
	strcpy(cur.notes, "Vient avec sa fille.");
	cr_assert_eq(session_update_person(&s, &cur, &f, &changed, &cause), RC_OK, "%s", cause);
	cr_expect(changed);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit"), audits + 1);
	cr_expect_gt(count(&s, "SELECT count(*) FROM outbox"), outbox);
	cr_assert_eq(session_view_person(&s, p.meta.id, &cur, &cause), RC_OK);

	/* A bad value is refused with its field, and the row is untouched. */
	strcpy(cur.email, "nope");
	cr_expect_eq(session_update_person(&s, &cur, &f, NULL, &cause), RC_INVALID);
	cr_expect_eq(f, PERSON_F_EMAIL);
	free(cause);
	session_close(&s);
}

Test(session, stale_update_is_a_conflict)
{
	struct session s, dm;
	struct person p = sample("85073003328"), mine, theirs;
	enum person_field f;
	char *cause = NULL;

	open_as(&s, "desk");
	open_as(&dm, "dm");
	intake(&s, &p, NULL);
	cr_assert_eq(session_view_person(&s, p.meta.id, &mine, &cause), RC_OK);
	cr_assert_eq(session_view_person(&dm, p.meta.id, &theirs, &cause), RC_OK);
	usleep(5000);
	strcpy(theirs.street, "Boulevard Tirou 1");
	cr_assert_eq(session_update_person(&dm, &theirs, &f, NULL, &cause), RC_OK, "%s", cause);
	strcpy(mine.phone, "02 507 87 99");
	cr_expect_eq(session_update_person(&s, &mine, &f, NULL, &cause), RC_CONFLICT);
	cr_expect_not_null(cause);
	free(cause);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person WHERE phone = '+3225078799'"), 0);
	session_close(&dm);
	session_close(&s);
}

Test(session, add_application_and_documents)
{
	struct session s, qa;
	struct person p = sample("85073003328");
	struct application a = sample_app(), b = sample_app(), *apps = NULL;
	struct app_document *docs = NULL;
	char *cause = NULL;
	int n = 0, nd = 0;

	open_as(&s, "desk");
	intake(&s, &p, &a);
	b.kind = APP_KIND_PARKING;
	b.problem = APP_PROBLEM_ORTHOPAEDIC;
	cr_assert_eq(session_add_application(&s, p.meta.id, &b, &cause), RC_OK, "%s", cause);
	cr_expect_str_eq(b.person_id, p.meta.id);
	cr_assert_eq(session_list_applications(&s, p.meta.id, &apps, &n, &cause), RC_OK);
	cr_expect_eq(n, 2);
	free(apps);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit WHERE action = 'create'"), 3);
	struct application c = sample_app();
	cr_expect_eq(session_add_application(&s, "no-such-person", &c, &cause), RC_NOTFOUND);
	cr_expect_str_empty(c.meta.id, "not saved, no id");
	free(cause);
	cause = NULL;

	/* Receiving every document moves the application on to evaluation. */
	cr_assert_eq(session_list_documents(&s, b.meta.id, &docs, &nd, &cause), RC_OK, "%s", cause);
	cr_assert_eq(nd, checklist_len(APP_KIND_PARKING));
	for (int i = 0; i < nd; i++)
		cr_assert_eq(session_set_document(&s, docs[i].meta.id, true, &cause), RC_OK, "%s",
		             cause);
	cr_expect_eq(count(&s, "SELECT count(*) FROM application WHERE kind = 'parking' "
	                       "AND status = 'awaiting_evaluation'"),
	             1);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit WHERE detail LIKE 'document %'"), nd);
	cr_assert_eq(session_set_document(&s, docs[0].meta.id, false, &cause), RC_OK, "%s", cause);
	cr_expect_eq(count(&s, "SELECT count(*) FROM application WHERE kind = 'parking' "
	                       "AND status = 'incomplete'"),
	             1);
	free(docs);

	/* Quality reads but does not change. */
	open_as(&qa, "qa");
	cr_expect_eq(session_add_application(&qa, p.meta.id, &b, &cause), RC_DENIED);
	free(cause);
	session_close(&qa);
	session_close(&s);
}

Test(session, audit_rows_cannot_be_updated_or_deleted)
{
	struct session s;
	struct person p = sample("85073003328");
	char *cause = NULL;

	open_as(&s, "desk");
	intake(&s, &p, NULL);
	long n = count(&s, "SELECT count(*) FROM audit");
	cr_assert_geq(n, 1);
	cr_expect_neq(db_cache_exec(s.cache, "UPDATE audit SET detail = 'forged'", &cause), RC_OK);
	free(cause);
	cause = NULL;
	cr_expect_neq(db_cache_exec(s.cache, "DELETE FROM audit", &cause), RC_OK);
	free(cause);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit"), n);
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit WHERE detail = 'forged'"), 0);
	session_close(&s);
}

/* The one history row of p, or "" if none; asserts there is at most one. */
static void history_of(struct session *s, const char *person_id, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	int n = 0;

	out[0] = '\0';
	cr_assert_eq(sqlite3_prepare_v2(db_cache_handle(s->cache),
	                                "SELECT changes FROM person_history WHERE person_id = ?1",
	                                -1, &st, NULL),
	             SQLITE_OK);
	sqlite3_bind_text(st, 1, person_id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
		n++;
	}
	sqlite3_finalize(st);
	cr_assert_leq(n, 1, "%d history rows", n);
}

Test(session, update_keeps_old_and_new_values_in_the_history)
{
	struct session s;
	struct person p = sample("85073003328"), cur;
	enum person_field f;
	char *cause = NULL, changes[4096];
	bool changed = false;

	open_as(&s, "desk");
	intake(&s, &p, NULL);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person_history"), 0, "none at intake");

	/* A failing audit entry takes the change and its history with it. */
	cr_assert_eq(session_view_person(&s, p.meta.id, &cur, &cause), RC_OK);
	strcpy(cur.phone, "0471 12 34 56");
	cr_assert_eq(db_cache_exec(s.cache,
	                           "CREATE TEMP TRIGGER fail_audit BEFORE INSERT ON main.audit "
	                           "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
	                           &cause),
	             RC_OK, "%s", cause);
	long outbox = count(&s, "SELECT count(*) FROM outbox");
	cr_expect_neq(session_update_person(&s, &cur, &f, &changed, &cause), RC_OK);
	cr_expect_not(changed);
	cr_expect(cause && strstr(cause, "injected failure"), "%s", cause ? cause : "");
	free(cause);
	cause = NULL;
	cr_assert_eq(db_cache_exec(s.cache, "DROP TRIGGER temp.fail_audit", &cause), RC_OK);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person_history"), 0, "no history row");
	cr_expect_eq(count(&s, "SELECT count(*) FROM outbox"), outbox, "no outbox row");
	cr_expect_eq(count(&s, "SELECT count(*) FROM person WHERE phone = '+32470123456'"), 1);

	/* Exactly the changed fields, old and new values as stored, in the
	 * order and with the names of the audit detail. */
	cr_assert_eq(session_view_person(&s, p.meta.id, &cur, &cause), RC_OK);
	strcpy(cur.phone, "0471 12 34 56");
	strcpy(cur.street, "Rue de la Montagne 1");
	cur.residence = RESIDENCE_FOREIGNERS;
	cr_assert_eq(session_update_person(&s, &cur, &f, &changed, &cause), RC_OK, "%s", cause);
	cr_expect(changed);
	history_of(&s, p.meta.id, changes, sizeof changes);
	cr_expect_str_eq(changes, "street: (empty) -> Rue de la Montagne 1; "
	                          "phone: +32470123456 -> +32471123456; "
	                          "residence: population -> foreigners");
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit WHERE action = 'update' "
	                       "AND detail = 'street, phone, residence'"),
	             1);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person_history h JOIN audit a "
	                       "ON a.person_id = h.person_id AND a.action = 'update' "
	                       "WHERE h.changed_by = a.staff_id AND h.role = 'reception' "
	                       "AND h.centre_id = a.centre_id"),
	             1, "who, role and centre as in the audit entry");
	cr_expect_eq(count(&s, "SELECT count(*) FROM outbox WHERE entity = 'person_history' "
	                       "AND op = 'insert' AND json_extract(payload, '$.changes') "
	                       "LIKE 'street: %'"),
	             1, "the history syncs");

	/* A no-op save writes none. */
	cr_assert_eq(session_view_person(&s, p.meta.id, &cur, &cause), RC_OK);
	strcpy(cur.phone, "0471 12 34 56"); /* as stored, other formatting */
	cr_assert_eq(session_update_person(&s, &cur, &f, &changed, &cause), RC_OK, "%s", cause);
	cr_expect_not(changed);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person_history"), 1);

	/* Long notes are cut, never in the middle of a character; emptied
	 * values show as (empty). */
	cr_assert_eq(session_view_person(&s, p.meta.id, &cur, &cause), RC_OK);
	strcpy(cur.notes, "a");
	for (int i = 0; i < 100; i++)
		strcat(cur.notes, "é");
	cur.street[0] = '\0';
	cr_assert_eq(session_update_person(&s, &cur, &f, &changed, &cause), RC_OK, "%s", cause);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person_history"), 2);
	char want[512] = "street: Rue de la Montagne 1 -> (empty); notes: (empty) -> a";
	for (int i = 0; i < 59; i++)
		strcat(want, "é");
	strcat(want, "...");
	cr_expect_eq(
	    count(&s, "SELECT count(*) FROM person_history WHERE changes LIKE 'street: %'"), 2);
	struct person_change *h = NULL;
	int n = 0;
	struct session boss;
	open_as(&boss, "boss");
	cr_assert_eq(session_person_history(&boss, p.meta.id, &h, &n, &cause), RC_OK, "%s", cause);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(h[0].changes, want, "newest first");
	cr_expect_str_eq(h[1].role, "reception");
	cr_expect_str_eq(h[1].staff_name, "Peeters, desk");
	cr_expect_neq(h[0].changed_at[0], '\0');
	free(h);
	session_close(&boss);
	session_close(&s);
}

Test(session, insz_change_is_in_the_history)
{
	struct session s, dm;
	struct person p = sample("85073003328"), cur;
	enum person_field f;
	char *cause = NULL, changes[4096];

	open_as(&s, "desk");
	intake(&s, &p, NULL);
	open_as(&dm, "dm");
	cr_assert_eq(session_view_person(&dm, p.meta.id, &cur, &cause), RC_OK);
	strcpy(cur.insz, "85073003526");
	cr_assert_eq(session_update_person(&dm, &cur, &f, NULL, &cause), RC_OK, "%s", cause);
	history_of(&dm, p.meta.id, changes, sizeof changes);
	cr_expect_str_eq(changes, "insz: 85073003328 -> 85073003526");
	cr_expect_eq(count(&dm, "SELECT count(*) FROM person_history WHERE role = "
	                        "'dossier_manager'"),
	             1);
	session_close(&dm);
	session_close(&s);
}

Test(session, history_for_the_audience_of_the_audit_trail_only)
{
	struct session s, boss;
	struct person p = sample("85073003328"), cur;
	struct person_change *h = NULL;
	enum person_field f;
	char *cause = NULL;
	int n = -1;

	open_as(&s, "desk");
	intake(&s, &p, NULL);
	cr_assert_eq(session_view_person(&s, p.meta.id, &cur, &cause), RC_OK);
	strcpy(cur.email, "jf.dupree@example.be");
	cr_assert_eq(session_update_person(&s, &cur, &f, NULL, &cause), RC_OK, "%s", cause);

	cr_expect_eq(session_person_history(&s, p.meta.id, &h, &n, &cause), RC_DENIED);
	cr_expect_null(h);
	cr_expect_eq(n, 0);
	cr_expect_not_null(cause);
	free(cause);
	cause = NULL;

	open_as(&boss, "boss");
	cr_assert_eq(session_person_history(&boss, p.meta.id, &h, &n, &cause), RC_OK, "%s", cause);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(h[0].changes, "email: (empty) -> jf.dupree@example.be");
	free(h);
	session_close(&boss);
	session_close(&s);
}

Test(session, history_rows_cannot_be_updated_or_deleted)
{
	struct session s;
	struct person p = sample("85073003328"), cur;
	enum person_field f;
	char *cause = NULL, *err = NULL;

	open_as(&s, "desk");
	intake(&s, &p, NULL);
	cr_assert_eq(session_view_person(&s, p.meta.id, &cur, &cause), RC_OK);
	strcpy(cur.municipality, "Marcinelle");
	cr_assert_eq(session_update_person(&s, &cur, &f, NULL, &cause), RC_OK, "%s", cause);
	cr_assert_eq(count(&s, "SELECT count(*) FROM person_history"), 1);

	cr_expect_neq(sqlite3_exec(db_cache_handle(s.cache),
	                           "UPDATE person_history SET changes = 'forged'", NULL, NULL,
	                           &err),
	              SQLITE_OK);
	cr_expect(err && strstr(err, "person history is append-only"), "%s", err ? err : "");
	sqlite3_free(err);
	err = NULL;
	cr_expect_neq(
	    sqlite3_exec(db_cache_handle(s.cache), "DELETE FROM person_history", NULL, NULL, &err),
	    SQLITE_OK);
	cr_expect(err && strstr(err, "person history is append-only"), "%s", err ? err : "");
	sqlite3_free(err);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person_history"), 1);
	cr_expect_eq(count(&s, "SELECT count(*) FROM person_history WHERE changes = 'forged'"), 0);
	session_close(&s);
}

Test(session, reload_reads_the_viewed_card_again_without_auditing)
{
	struct session s, dm;
	struct person p = sample("85073003328"), q = sample("85073003427"), seen;
	enum person_field f;
	char *cause = NULL;

	open_as(&s, "desk");
	open_as(&dm, "dm");
	intake(&s, &p, NULL);
	strcpy(q.given_name, "Marie");
	intake(&s, &q, NULL);

	/* Only a card this session opened (and audited) may be read again. */
	cr_expect_eq(session_reload_person(&s, p.meta.id, &seen, &cause), RC_DENIED,
	             "never viewed in this session");
	cr_expect_not_null(cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(session_view_person(&s, p.meta.id, &seen, &cause), RC_OK, "%s", cause);
	long views = count(&s, "SELECT count(*) FROM audit WHERE action = 'view'");

	/* Another process changes the person: the reload sees it, unaudited. */
	cr_assert_eq(session_view_person(&dm, p.meta.id, &seen, &cause), RC_OK, "%s", cause);
	strcpy(seen.street, "Boulevard Tirou 1");
	cr_assert_eq(session_update_person(&dm, &seen, &f, NULL, &cause), RC_OK, "%s", cause);
	views++; /* dm's view */
	for (int i = 0; i < 3; i++) {
		memset(&seen, 0, sizeof seen);
		cr_assert_eq(session_reload_person(&s, p.meta.id, &seen, &cause), RC_OK, "%s",
		             cause);
		cr_expect_str_eq(seen.street, "Boulevard Tirou 1");
		cr_expect_str_eq(seen.family_name, "Duprée");
	}
	cr_expect_eq(count(&s, "SELECT count(*) FROM audit WHERE action = 'view'"), views,
	             "no audit entry for a reload");

	/* Opening another card moves the permission on: the first one needs a
	 * new, audited view. */
	cr_assert_eq(session_view_person(&s, q.meta.id, &seen, &cause), RC_OK, "%s", cause);
	cr_expect_eq(session_reload_person(&s, p.meta.id, &seen, &cause), RC_DENIED);
	free(cause);
	cause = NULL;
	cr_expect_eq(session_reload_person(&s, q.meta.id, &seen, &cause), RC_OK, "%s", cause);
	cr_expect_str_eq(seen.given_name, "Marie");
	cr_expect_eq(session_reload_person(&s, "", &seen, &cause), RC_DENIED);
	free(cause);
	cause = NULL;

	/* A failed view grants nothing. */
	cr_expect_eq(session_view_person(&s, "no-such-id", &seen, &cause), RC_NOTFOUND);
	free(cause);
	cause = NULL;
	cr_expect_eq(session_reload_person(&s, "no-such-id", &seen, &cause), RC_DENIED);
	free(cause);
	session_close(&dm);
	session_close(&s);
}

/* ---- staff records (src/staff.c) ---- */

static long count_c(struct cache *c, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long n = -1;

	cr_assert_eq(sqlite3_prepare_v2(db_cache_handle(c), sql, -1, &st, NULL), SQLITE_OK, "%s",
	             sql);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static struct cache *open_cache(const char *name)
{
	struct cache *c = NULL;
	char *cause = NULL, p[128];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	cr_assert_eq(db_cache_open(p, &c, &cause), RC_OK, "open: %s", cause ? cause : "");
	return c;
}

static struct staff_request request(const char *login, const char *role)
{
	struct staff_request r = {
	    .login = login,
	    .role = role,
	    .family_name = "Lambert",
	    .given_name = "Zoë",
	    .languages = "fr, nl",
	};
	return r;
}

/* Rows written, to see that a refusal wrote nothing. */
static long writes(struct cache *c)
{
	return count_c(c, "SELECT (SELECT count(*) FROM staff) + (SELECT count(*) FROM centre) + "
	                  "(SELECT count(*) FROM audit) + (SELECT count(*) FROM outbox)");
}

Test(session, staff_first_record_of_an_empty_cache)
{
	struct cache *c = open_cache("boot.db");
	struct staff_request r = request("anne", "reception");
	struct staff s;
	struct centre ce;
	struct session ses;
	bool created = false;
	char *cause = NULL, sql[512];
	enum rc rc;

	/* Not a director: refused, whatever else is right. */
	r.centre_code = "BRU";
	r.centre_name = "Centre de Bruxelles";
	r.centre_language = "fr";
	cr_expect_eq(staff_add(c, "anne", &r, &s, &ce, &created, &cause), RC_DENIED);
	cr_expect(cause && strstr(cause, "director"), "%s", cause);
	free(cause);
	cause = NULL;

	/* A director, but the cache has no centre and none is described. */
	r = request("anne", "director");
	cr_expect_eq(staff_add(c, "anne", &r, &s, &ce, &created, &cause), RC_INVALID);
	cr_expect(cause && strstr(cause, "--centre CODE"), "%s", cause);
	free(cause);
	cause = NULL;
	r.centre_code = "bru";
	cr_expect_eq(staff_add(c, "anne", &r, &s, &ce, &created, &cause), RC_INVALID);
	cr_expect(cause && strstr(cause, "--centre-name") && strstr(cause, "--centre-language"),
	          "names what is missing: %s", cause);
	free(cause);
	cause = NULL;
	cr_expect_eq(writes(c), 0, "nothing written by the refusals");

	r.centre_name = "Centre de Bruxelles";
	r.centre_language = "fr";
	rc = staff_add(c, "root", &r, &s, &ce, &created, &cause);
	cr_assert_eq(rc, RC_OK, "%s", cause ? cause : "");
	cr_expect(created);
	cr_expect_str_eq(ce.code, "BRU");
	cr_expect_str_eq(s.meta.centre_id, ce.meta.id);
	cr_expect_str_eq(s.languages, "fr,nl");
	cr_expect(s.active);
	cr_expect_eq(count_c(c, "SELECT count(*) FROM centre WHERE code = 'BRU' AND "
	                        "name = 'Centre de Bruxelles' AND language = 'fr'"),
	             1);
	/* The first record signs its own rows and audit entry, which names the
	 * login it was made under. */
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM audit WHERE staff_id = '%s' AND role = 'director' AND "
	         "action = 'staff_add' AND person_id = '' AND centre_id = '%s' AND "
	         "detail LIKE 'login anne role director%%made as login root%%'",
	         s.meta.id, ce.meta.id);
	cr_expect_eq(count_c(c, sql), 1);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM staff WHERE updated_by = '%s'", s.meta.id);
	cr_expect_eq(count_c(c, sql), 1);
	cr_expect_eq(count_c(c, "SELECT count(*) FROM outbox"), 3, "centre, staff, audit");
	db_cache_close(c);

	/* The director can now start handesk on it. */
	char p[128];
	snprintf(p, sizeof p, "%s/boot.db", dir);
	cr_assert_eq(session_open(&ses, NULL, p, "anne", &cause), RC_OK, "%s", cause);
	cr_expect_eq(ses.me.role, ROLE_DIRECTOR);
	cr_expect_str_eq(ses.centre.code, "BRU");
	session_close(&ses);

	/* The bootstrap is over: the next record needs a director. */
	c = open_cache("boot.db");
	r = request("jan", "director");
	r.centre_code = "LIE";
	r.centre_name = "Liège";
	r.centre_language = "fr";
	cr_expect_eq(staff_add(c, "jan", &r, NULL, NULL, NULL, &cause), RC_DENIED);
	free(cause);
	cause = NULL;
	cr_expect_eq(staff_add(c, "anne", &r, NULL, NULL, NULL, &cause), RC_INVALID,
	             "a centre is created with the first record only");
	free(cause);
	db_cache_close(c);
}

Test(session, staff_bootstrap_picks_the_only_centre)
{
	/* A cache that has its centre (say, from the central service) but no
	 * staff: the first director goes to that centre without --centre. */
	struct cache *c = open_cache("boot.db");
	struct staff_request r = request("anne", "director");
	struct centre ce, got;
	char *cause = NULL;

	memset(&ce, 0, sizeof ce);
	strcpy(ce.code, "EUP");
	strcpy(ce.name, "Eupen");
	strcpy(ce.language, "de");
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_centre_insert(c, &ce, "", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);
	r.centre_name = "Eupen";
	r.centre_language = "de";
	cr_expect_eq(staff_add(c, "anne", &r, NULL, NULL, NULL, &cause), RC_INVALID,
	             "centre name without code");
	free(cause);
	cause = NULL;
	r = request("anne", "director");
	cr_assert_eq(staff_add(c, "anne", &r, NULL, &got, NULL, &cause), RC_OK, "%s", cause);
	cr_expect_str_eq(got.meta.id, ce.meta.id);
	cr_expect_eq(count_c(c, "SELECT count(*) FROM centre"), 1);
	db_cache_close(c);
}

Test(session, staff_only_an_active_director_adds)
{
	static const char *const refused[] = {"desk", "dm", "eva", "qa", "gone", "nobody", ""};
	struct cache *c = open_cache("cache.db");
	struct staff_request r = request("new", "doctor");
	struct staff s;
	char *cause = NULL;
	long before = writes(c);

	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		cr_expect_eq(staff_add(c, refused[i], &r, &s, NULL, NULL, &cause), RC_DENIED,
		             "%s may not add staff", refused[i]);
		cr_expect_not_null(cause, "%s: a cause", refused[i]);
		free(cause);
		cause = NULL;
	}
	cr_expect_eq(staff_add(c, NULL, &r, &s, NULL, NULL, &cause), RC_DENIED);
	free(cause);
	cause = NULL;
	cr_expect_eq(writes(c), before, "nothing written by the refusals");

	r.discipline = "doctor";
	cr_assert_eq(staff_add(c, "boss", &r, &s, NULL, NULL, &cause), RC_OK, "%s", cause);
	cr_expect_str_eq(s.meta.centre_id, centre.meta.id, "the director's centre by default");
	cr_expect_str_eq(s.meta.updated_by, staff_ids[3]);
	cr_expect_eq(count_c(c, "SELECT count(*) FROM audit WHERE action = 'staff_add' AND "
	                        "role = 'director' AND detail = 'login new role doctor'"),
	             1);
	cr_expect_eq(count_c(c, "SELECT count(*) FROM outbox WHERE entity = 'staff' AND "
	                        "op = 'insert' AND payload LIKE '%\"login\":\"new\"%'"),
	             1);
	db_cache_close(c);

	struct session ses;
	open_as(&ses, "new");
	cr_expect_eq(ses.me.role, ROLE_DOCTOR);
	session_close(&ses);
}

Test(session, staff_director_of_another_centre_is_refused)
{
	struct cache *c = open_cache("cache.db");
	struct staff_request r;
	struct centre lie;
	struct staff boss2;
	bool changed = true;
	char *cause = NULL;

	memset(&lie, 0, sizeof lie);
	strcpy(lie.code, "LIE");
	strcpy(lie.name, "Liège");
	strcpy(lie.language, "fr");
	memset(&boss2, 0, sizeof boss2);
	strcpy(boss2.login, "boss2");
	strcpy(boss2.family_name, "Renard");
	boss2.role = ROLE_DIRECTOR;
	boss2.active = true;
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_centre_insert(c, &lie, "", &cause), RC_OK, "%s", cause);
	strcpy(boss2.meta.centre_id, lie.meta.id);
	cr_assert_eq(db_staff_insert(c, &boss2, "", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);

	r = request("x", "reception");
	r.centre_code = "LIE";
	cr_expect_eq(staff_add(c, "boss", &r, NULL, NULL, NULL, &cause), RC_DENIED);
	cr_expect(cause && strstr(cause, "CHA") && strstr(cause, "LIE"), "%s", cause);
	free(cause);
	cause = NULL;
	r.centre_code = "NAM";
	cr_expect_eq(staff_add(c, "boss", &r, NULL, NULL, NULL, &cause), RC_NOTFOUND);
	free(cause);
	cause = NULL;
	cr_expect_eq(staff_set_active(c, "boss2", "desk", false, &changed, &cause), RC_DENIED);
	cr_expect_not(changed);
	free(cause);
	cause = NULL;
	r.centre_code = "lie";
	cr_expect_eq(staff_add(c, "boss2", &r, NULL, NULL, NULL, &cause), RC_OK, "%s", cause);
	db_cache_close(c);
}

Test(session, staff_bad_values_and_duplicates)
{
	struct cache *c = open_cache("cache.db");
	struct staff_request r;
	char *cause = NULL;
	long before = writes(c);
	struct {
		const char *field, *value;
		enum rc want;
	} cases[] = {
	    {"role", "janitor", RC_INVALID},    {"role", "", RC_INVALID},
	    {"family", "", RC_INVALID},         {"given", "  ", RC_INVALID},
	    {"family", "A\xff", RC_INVALID},    {"given", "Line\nbreak", RC_INVALID},
	    {"languages", "nl,en", RC_INVALID}, {"languages", "fr,fr", RC_INVALID},
	    {"login", "a b", RC_INVALID},       {"login", "-x", RC_INVALID},
	    {"login", "", RC_INVALID},          {"centre", "B R U", RC_INVALID},
	    {"login", "desk", RC_DUPLICATE},    {"login", "gone", RC_DUPLICATE},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		r = request("fresh", "reception");
		if (strcmp(cases[i].field, "role") == 0)
			r.role = cases[i].value;
		else if (strcmp(cases[i].field, "family") == 0)
			r.family_name = cases[i].value;
		else if (strcmp(cases[i].field, "given") == 0)
			r.given_name = cases[i].value;
		else if (strcmp(cases[i].field, "languages") == 0)
			r.languages = cases[i].value;
		else if (strcmp(cases[i].field, "login") == 0)
			r.login = cases[i].value;
		else
			r.centre_code = cases[i].value;
		cr_expect_eq(staff_add(c, "boss", &r, NULL, NULL, NULL, &cause), cases[i].want,
		             "%s '%s': %s", cases[i].field, cases[i].value, cause ? cause : "");
		cr_expect_not_null(cause, "%s '%s': a cause", cases[i].field, cases[i].value);
		free(cause);
		cause = NULL;
	}
	r = request("desk", "reception");
	cr_expect_eq(staff_add(c, "boss", &r, NULL, NULL, NULL, &cause), RC_DUPLICATE);
	cr_expect(cause && strstr(cause, "'desk'") && strstr(cause, "Peeters"), "%s", cause);
	free(cause);
	cr_expect_eq(writes(c), before, "nothing written by the refusals");
	db_cache_close(c);
}

Test(session, staff_add_is_one_transaction)
{
	struct cache *c = open_cache("cache.db");
	struct staff_request r = request("new", "reception");
	char *cause = NULL;
	long before = writes(c);

	/* The audit entry, written last, fails: the staff row goes too. */
	cr_assert_eq(db_cache_exec(c,
	                           "CREATE TEMP TRIGGER fail_audit BEFORE INSERT ON main.audit "
	                           "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
	                           &cause),
	             RC_OK, "%s", cause);
	cr_expect_neq(staff_add(c, "boss", &r, NULL, NULL, NULL, &cause), RC_OK);
	cr_expect(cause && strstr(cause, "injected failure"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_expect_eq(writes(c), before);
	cr_expect_eq(count_c(c, "SELECT count(*) FROM staff WHERE login = 'new'"), 0);
	cr_expect_neq(staff_set_active(c, "boss", "desk", false, NULL, &cause), RC_OK);
	free(cause);
	cause = NULL;
	cr_expect_eq(count_c(c, "SELECT count(*) FROM staff WHERE login = 'desk' AND active = 1"),
	             1, "deactivation rolled back with its audit entry");
	cr_assert_eq(db_cache_exec(c, "DROP TRIGGER temp.fail_audit", &cause), RC_OK);
	cr_expect_eq(staff_add(c, "boss", &r, NULL, NULL, NULL, &cause), RC_OK, "%s", cause);
	db_cache_close(c);
}

Test(session, staff_deactivate_stops_the_login)
{
	struct cache *c = open_cache("cache.db");
	struct session s;
	bool changed = false;
	char *cause = NULL;
	long audit, outbox;

	open_as(&s, "desk");
	session_close(&s);

	cr_expect_eq(staff_set_active(c, "desk", "dm", false, &changed, &cause), RC_DENIED);
	free(cause);
	cause = NULL;
	cr_expect_eq(staff_set_active(c, "qa", "desk", false, &changed, &cause), RC_DENIED);
	free(cause);
	cause = NULL;
	cr_expect_eq(staff_set_active(c, "boss", "boss", false, &changed, &cause), RC_DENIED,
	             "not one's own record");
	cr_expect(cause && strstr(cause, "own"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_expect_eq(staff_set_active(c, "boss", "nobody", false, &changed, &cause), RC_NOTFOUND);
	free(cause);
	cause = NULL;

	audit = count_c(c, "SELECT count(*) FROM audit");
	outbox = count_c(c, "SELECT count(*) FROM outbox");
	cr_assert_eq(staff_set_active(c, "boss", "desk", false, &changed, &cause), RC_OK, "%s",
	             cause);
	cr_expect(changed);
	cr_expect_eq(count_c(c, "SELECT count(*) FROM audit WHERE action = 'staff_disable' AND "
	                        "person_id = '' AND detail = 'login desk role reception'"),
	             1);
	cr_expect_eq(count_c(c, "SELECT count(*) FROM outbox WHERE entity = 'staff' AND "
	                        "op = 'update' AND payload LIKE '%\"active\":0%'"),
	             1);
	cr_expect_eq(count_c(c, "SELECT count(*) FROM outbox"), outbox + 2);

	/* The login can no longer start handesk. */
	cr_expect_eq(session_open(&s, NULL, path, "desk", &cause), RC_DENIED);
	cr_expect(cause && strstr(cause, "inactive"), "%s", cause);
	free(cause);
	cause = NULL;

	/* Already so: nothing written. */
	cr_assert_eq(staff_set_active(c, "boss", "desk", false, &changed, &cause), RC_OK);
	cr_expect_not(changed);
	cr_expect_eq(count_c(c, "SELECT count(*) FROM audit"), audit + 1);

	/* Back again. */
	cr_assert_eq(staff_set_active(c, "boss", "desk", true, &changed, &cause), RC_OK, "%s",
	             cause);
	cr_expect(changed);
	cr_expect_eq(count_c(c, "SELECT count(*) FROM audit WHERE action = 'staff_enable'"), 1);
	db_cache_close(c);
	open_as(&s, "desk");
	session_close(&s);
}

Test(session, staff_list_sorted_with_centre_codes)
{
	struct cache *c = open_cache("cache.db");
	struct staff_entry *v = NULL;
	char *cause = NULL;
	int n = 0;
	static const char *const order[] = {"boss", "desk", "dm", "eva", "gone", "qa"};

	cr_assert_eq(staff_list(c, &v, &n, &cause), RC_OK, "%s", cause);
	cr_assert_eq(n, 6);
	for (int i = 0; i < n; i++) {
		cr_expect_str_eq(v[i].staff.login, order[i]);
		cr_expect_str_eq(v[i].centre_code, "CHA");
	}
	cr_expect_not(v[4].staff.active);
	free(v);
	db_cache_close(c);
}
