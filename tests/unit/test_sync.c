/* test_sync.c: the sync client against canned replies: outbox coalescing,
 * the pending batch resent verbatim, each push result applied, pages
 * applied in one transaction with their cursor, rule 9, tombstones, the
 * INSZ held by a local person, the lease, the reply parsers, backoff. */
#include "helpers.h"

#include <jansson.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/outbox.h"
#include "db/person.h"
#include "db/search.h"
#include "db/sync.h"
#include "src/sync.h"

#define CENTRE "c0000000-0000-4000-8000-000000000001"

static char *dir;
static struct cache *cache;

static void setup(void)
{
	cache = helper_cache(&dir);
}

static void teardown(void)
{
	db_cache_close(cache);
	helper_rmdir(dir);
}

TestSuite(sync, .init = setup, .fini = teardown);

static void insert_person(struct person *p)
{
	char *cause = NULL;

	cr_assert_eq(db_cache_begin(cache, &cause), RC_OK);
	cr_assert_eq(db_person_insert(cache, p, "staff-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(cache, &cause), RC_OK);
}

static void update_person(struct person *p)
{
	char *cause = NULL;

	cr_assert_eq(db_cache_begin(cache, &cause), RC_OK);
	cr_assert_eq(db_person_update(cache, p, "staff-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(cache, &cause), RC_OK);
}

/* The row object of a person as the service would send it. */
static char *person_row(const struct person *p, long version, bool deleted)
{
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:I, s:s, s:s, s:b, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}",
	    "entity", "person", "id", p->meta.id, "centre_id", CENTRE, "version",
	    (json_int_t)version, "updated_at", "2026-11-23T09:15:02.123Z", "updated_by", "",
	    "deleted", deleted, "data", "insz", p->insz, "family_name", p->family_name,
	    "given_name", p->given_name, "birth_date", p->birth_date, "sex", p->sex, "language",
	    p->language, "nationality", p->nationality, "residence", "population", "street",
	    p->street, "postcode", p->postcode, "municipality", p->municipality, "phone", p->phone,
	    "email", p->email, "contact_name", "", "contact_phone", "", "contact_relation", "",
	    "notes", "");
	char *s;

	cr_assert_not_null(o);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static json_t *next_batch(bool *resend, int *n)
{
	char *body = NULL, *cause = NULL;
	json_t *doc;

	cr_assert_eq(db_sync_next_batch(cache, 0, &body, n, resend, &cause), RC_OK, "%s", cause);
	if (!body)
		return NULL;
	doc = json_loads(body, 0, NULL);
	free(body);
	cr_assert_not_null(doc);
	return doc;
}

/* Answer every change of the pending batch with status (rows from
 * person p at version). */
static enum rc answer(const struct person *p, const char *status, long version,
                      struct db_sync_counts *k, char **cause)
{
	bool resend;
	int n;
	json_t *doc = next_batch(&resend, &n);
	struct db_sync_result r[8];
	char *row = person_row(p, version, false);
	enum rc rc;

	cr_assert(resend, "the batch is pending");
	cr_assert(n <= 8);
	memset(r, 0, sizeof r);
	for (int i = 0; i < n; i++) {
		json_t *ch = json_array_get(json_object_get(doc, "changes"), (size_t)i);
		r[i].change = json_string_value(json_object_get(ch, "change"));
		if (strcmp(status, "applied") == 0)
			r[i].status = DB_SYNC_APPLIED;
		else if (strcmp(status, "rejected") == 0)
			r[i].status = DB_SYNC_REJECTED;
		r[i].row = (struct db_sync_row){"person", p->meta.id, version, row, NULL};
		r[i].reason = "insz: the check digits do not match";
	}
	rc = db_sync_apply_push(cache, r, n, k, cause);
	json_decref(doc);
	free(row);
	return rc;
}

static long scalar(const char *sql)
{
	struct sqlite3_stmt *st;
	bool row;
	long v = -1;

	cr_assert_eq(db_cache_stmt(cache, sql, &st, NULL), RC_OK, "%s", sql);
	cr_assert_eq(db_cache_step(cache, st, &row, NULL), RC_OK);
	if (row)
		v = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

/* A person inserted, pushed and answered: synced at version 5. */
static void synced_person(struct person *p, const char *insz)
{
	char *cause = NULL;
	bool resend;
	int n;
	json_t *doc;

	helper_person(p, "Peeters", "Jan", "1985-07-30", insz);
	insert_person(p);
	doc = next_batch(&resend, &n);
	cr_assert_not_null(doc);
	json_decref(doc);
	cr_assert_eq(answer(p, "applied", 5, NULL, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_person_get(cache, p->meta.id, p), RC_OK);
	cr_assert_eq(p->meta.version, 5);
	cr_assert_eq(db_outbox_count(cache), 0);
}

Test(sync, insert_batch_has_every_field)
{
	struct person p;
	bool resend;
	int n;
	json_t *doc, *ch;

	helper_person(&p, "Dupont", "Anne", "1990-01-02", NULL);
	insert_person(&p);
	doc = next_batch(&resend, &n);
	cr_assert_not_null(doc);
	cr_assert_not(resend);
	cr_assert_eq(n, 1);
	ch = json_array_get(json_object_get(doc, "changes"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(ch, "op")), "insert");
	cr_assert_str_eq(json_string_value(json_object_get(ch, "entity")), "person");
	cr_assert_eq(json_object_size(json_object_get(ch, "fields")), 17);
	cr_assert_eq(json_integer_value(json_object_get(ch, "base_version")), 0);
	cr_assert_null(json_object_get(ch, "centre_id"), "centre_id is never sent");
	json_decref(doc);
}

Test(sync, two_edits_coalesce_into_one_change)
{
	struct person p;
	bool resend;
	int n;
	json_t *doc, *ch, *fields, *base;
	char seqs[64];

	synced_person(&p, NULL);
	strcpy(p.phone, "+32471123456");
	update_person(&p);
	strcpy(p.municipality, "Elsene");
	strcpy(p.phone, "+32472000000");
	update_person(&p);
	cr_assert_eq(db_outbox_count(cache), 2);
	cr_assert_eq(scalar("SELECT count(*) FROM outbox WHERE base IS NOT NULL"), 2,
	             "updates carry their base");
	doc = next_batch(&resend, &n);
	cr_assert_eq(n, 1, "two entries of one row are one change");
	ch = json_array_get(json_object_get(doc, "changes"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(ch, "op")), "update");
	cr_assert_eq(json_integer_value(json_object_get(ch, "base_version")), 5);
	fields = json_object_get(ch, "fields");
	base = json_object_get(ch, "base");
	cr_assert_eq(json_object_size(fields), 2);
	cr_assert_str_eq(json_string_value(json_object_get(fields, "phone")), "+32472000000");
	cr_assert_str_eq(json_string_value(json_object_get(fields, "municipality")), "Elsene");
	cr_assert_str_eq(json_string_value(json_object_get(base, "phone")), "+3225551234");
	cr_assert_str_eq(json_string_value(json_object_get(base, "municipality")), "Bruxelles");
	/* The change id names the highest seq. */
	snprintf(seqs, sizeof seqs, ":%ld", scalar("SELECT max(seq) FROM outbox"));
	cr_assert(strstr(json_string_value(json_object_get(ch, "change")), seqs));
	json_decref(doc);
}

Test(sync, edit_back_to_base_sends_nothing)
{
	struct person p;
	bool resend;
	int n;

	synced_person(&p, NULL);
	strcpy(p.phone, "+32471123456");
	update_person(&p);
	strcpy(p.phone, "+3225551234");
	update_person(&p);
	cr_assert_null(next_batch(&resend, &n));
	cr_assert_eq(db_outbox_count(cache), 0);
}

Test(sync, pending_batch_is_resent_verbatim_after_a_crash)
{
	struct person p;
	char *b1 = NULL, *b2 = NULL, *cause = NULL, *path;
	bool resend;
	int n;

	helper_person(&p, "Dupont", "Anne", "1990-01-02", NULL);
	insert_person(&p);
	cr_assert_eq(db_sync_next_batch(cache, 0, &b1, &n, &resend, &cause), RC_OK);
	cr_assert_not(resend);
	/* A change made while the batch is in flight does not alter it. */
	strcpy(p.phone, "+32471123456");
	cr_assert_eq(db_person_get(cache, p.meta.id, &p), RC_OK);
	strcpy(p.phone, "+32471123456");
	update_person(&p);
	/* "Crash": close and open the cache again. */
	db_cache_close(cache);
	path = helper_path(dir, "cache.db");
	cr_assert_eq(db_cache_open(path, &cache, &cause), RC_OK);
	free(path);
	cr_assert_eq(db_sync_next_batch(cache, 0, &b2, &n, &resend, &cause), RC_OK);
	cr_assert(resend);
	cr_assert_str_eq(b1, b2);
	free(b1);
	free(b2);
}

Test(sync, applied_takes_version_and_deletes_exactly_the_sent_seqs)
{
	struct person p;
	struct db_sync_counts k = {0};
	char *cause = NULL;
	bool resend;
	int n;
	json_t *doc;

	helper_person(&p, "Dupont", "Anne", "1990-01-02", NULL);
	insert_person(&p);
	doc = next_batch(&resend, &n);
	json_decref(doc);
	/* Edited while the batch is in flight: stays in the outbox. */
	cr_assert_eq(db_person_get(cache, p.meta.id, &p), RC_OK);
	strcpy(p.phone, "+32471123456");
	update_person(&p);
	cr_assert_eq(answer(&p, "applied", 7, &k, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_outbox_count(cache), 1, "the later edit is not lost");
	cr_assert_eq(scalar("SELECT base_version FROM outbox"), 7,
	             "its base is the version the service gave");
	cr_assert_eq(db_person_get(cache, p.meta.id, &p), RC_OK);
	cr_assert_eq(p.meta.version, 7);
	cr_assert_str_eq(p.phone, "+32471123456", "the local edit stays");
	cr_assert_eq(scalar("SELECT count(*) FROM sync_state WHERE key = 'pending_batch'"), 0);
}

Test(sync, duplicate_is_like_applied)
{
	struct person p;
	struct db_sync_result r;
	char *body = NULL, *cause = NULL, *row;
	bool resend;
	int n;
	json_t *doc;

	helper_person(&p, "Dupont", "Anne", "1990-01-02", NULL);
	insert_person(&p);
	cr_assert_eq(db_sync_next_batch(cache, 0, &body, &n, &resend, &cause), RC_OK);
	doc = json_loads(body, 0, NULL);
	row = person_row(&p, 9, false);
	memset(&r, 0, sizeof r);
	r.change = json_string_value(
	    json_object_get(json_array_get(json_object_get(doc, "changes"), 0), "change"));
	r.status = DB_SYNC_DUPLICATE;
	r.row = (struct db_sync_row){"person", p.meta.id, 9, row, NULL};
	cr_assert_eq(db_sync_apply_push(cache, &r, 1, NULL, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_outbox_count(cache), 0);
	cr_assert_eq(scalar("SELECT version FROM person"), 9);
	json_decref(doc);
	free(body);
	free(row);
}

Test(sync, conflict_keeps_both_sides)
{
	struct person p, theirs;
	struct db_sync_result r;
	struct db_sync_conflict *cv;
	char *body = NULL, *cause = NULL, *row, *crow;
	bool resend;
	int n;
	json_t *doc, *co;

	synced_person(&p, NULL);
	strcpy(p.phone, "+32471111111");
	update_person(&p);
	cr_assert_eq(db_sync_next_batch(cache, 0, &body, &n, &resend, &cause), RC_OK);
	doc = json_loads(body, 0, NULL);
	theirs = p;
	strcpy(theirs.phone, "+32472222222");
	row = person_row(&theirs, 8, false);
	co = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:b, s:{s:s, s:s, s:s, s:s, s:s, s:s, "
	               "s:s, s:s}}",
	               "entity", "conflict", "id", "d0000000-0000-4000-8000-000000000001",
	               "centre_id", CENTRE, "version", 9, "updated_at", "2026-11-23T09:15:02.123Z",
	               "updated_by", "", "deleted", 0, "data", "entity", "person", "row_id",
	               p.meta.id, "fields", "phone", "ours", "{\"phone\":\"+32471111111\"}",
	               "theirs", "{\"phone\":\"+32472222222\",\"version\":8}", "base",
	               "{\"phone\":\"+3225551234\"}", "raised_at", "2026-11-23T09:15:02.123Z",
	               "raised_by", "staff-1");
	crow = json_dumps(co, JSON_COMPACT);
	memset(&r, 0, sizeof r);
	r.change = json_string_value(
	    json_object_get(json_array_get(json_object_get(doc, "changes"), 0), "change"));
	r.status = DB_SYNC_CONFLICT;
	r.row = (struct db_sync_row){"person", p.meta.id, 8, row, NULL};
	r.conflict =
	    (struct db_sync_row){"conflict", "d0000000-0000-4000-8000-000000000001", 9, crow, NULL};
	cr_assert_eq(db_sync_apply_push(cache, &r, 1, NULL, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_outbox_count(cache), 0);
	cr_assert_eq(db_person_get(cache, p.meta.id, &p), RC_OK);
	cr_assert_str_eq(p.phone, "+32472222222", "the local row is the service's");
	cr_assert_eq(db_sync_conflict_list(cache, &cv, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_assert(strstr(cv[0].ours, "+32471111111"), "ours is kept");
	db_sync_conflicts_free(cv, n);

	/* A person decides: ours.  A local update based on theirs' version,
	 * and the conflict record's tombstone, through the outbox. */
	cr_assert_eq(db_sync_conflict_resolve(cache, "d0000000-0000-4000-8000-000000000001",
	                                      "{\"phone\":\"+32471111111\"}", "staff-1", &cause),
	             RC_OK, "%s", cause);
	cr_assert_eq(db_person_get(cache, p.meta.id, &p), RC_OK);
	cr_assert_str_eq(p.phone, "+32471111111");
	cr_assert_eq(db_sync_conflict_list(cache, &cv, &n), RC_OK);
	cr_assert_eq(n, 0);
	free(cv);
	cr_assert_eq(scalar("SELECT base_version FROM outbox WHERE entity = 'person'"), 8);
	cr_assert_eq(scalar("SELECT count(*) FROM outbox WHERE entity = 'conflict' AND op = "
	                    "'delete'"),
	             1);
	json_decref(doc);
	json_decref(co);
	free(body);
	free(row);
	free(crow);
}

Test(sync, rejected_is_kept_and_retryable)
{
	struct person p;
	struct db_sync_rejected *rv;
	struct db_sync_counts k = {0};
	char *cause = NULL;
	bool resend;
	int n;
	json_t *doc;

	helper_person(&p, "Dupont", "Anne", "1990-01-02", NULL);
	insert_person(&p);
	doc = next_batch(&resend, &n);
	json_decref(doc);
	cr_assert_eq(answer(&p, "rejected", 0, &k, &cause), RC_OK, "%s", cause);
	cr_assert_eq(k.rejected, 1);
	cr_assert_eq(db_outbox_count(cache), 0);
	cr_assert_eq(db_sync_rejected_list(cache, &rv, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(rv[0].reason, "insz: the check digits do not match");
	/* A later edit of the row waits while the rejected change stands. */
	strcpy(p.phone, "+32471123456");
	update_person(&p);
	cr_assert_null(next_batch(&resend, &n));
	cr_assert_eq(db_sync_rejected_retry(cache, rv[0].seq, &cause), RC_OK, "%s", cause);
	free(rv);
	cr_assert_eq(db_outbox_count(cache), 2);
	doc = next_batch(&resend, &n);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(json_string_value(json_object_get(
	                     json_array_get(json_object_get(doc, "changes"), 0), "op")),
	                 "insert");
	json_decref(doc);
}

Test(sync, page_applies_in_one_transaction_with_its_cursor)
{
	struct person a, b;
	struct db_sync_row rows[2];
	struct db_sync_position pos = {.cursor = "v1.100.7"};
	char *ra, *bad, *cause = NULL, *v = NULL;
	struct search_hit hits[4];
	int n;

	helper_person(&a, "Janssens", "Marie", "1970-03-04", NULL);
	helper_person(&b, "Claes", "Piet", "1960-01-01", NULL);
	ra = person_row(&a, 3, false);
	/* A row the cache refuses (CHECK on deleted) spoils the whole page. */
	bad = strdup("{\"entity\":\"staff\",\"id\":\"e0000000-0000-4000-8000-000000000001\","
	             "\"centre_id\":\"" CENTRE "\",\"version\":4,\"updated_at\":\"x\","
	             "\"updated_by\":\"\",\"deleted\":false,\"data\":{\"login\":\"x\","
	             "\"family_name\":\"X\",\"role\":\"reception\",\"active\":7}}");
	rows[0] = (struct db_sync_row){"person", a.meta.id, 3, ra, NULL};
	rows[1] =
	    (struct db_sync_row){"staff", "e0000000-0000-4000-8000-000000000001", 4, bad, NULL};
	cr_assert_neq(db_sync_apply_page(cache, rows, 2, &pos, NULL, &cause), RC_OK);
	free(cause);
	cause = NULL;
	cr_assert_eq(scalar("SELECT count(*) FROM person"), 0, "nothing of the page stays");
	cr_assert_eq(db_sync_state_get(cache, "cursor", &v), RC_NOTFOUND, "nor its cursor");

	cr_assert_eq(db_sync_apply_page(cache, rows, 1, &pos, NULL, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_sync_state_get(cache, "cursor", &v), RC_OK);
	cr_assert_str_eq(v, "v1.100.7");
	free(v);
	cr_assert_eq(db_outbox_count(cache), 0, "a pulled row is no local change");
	cr_assert_eq(db_search_persons(cache, "janssens", hits, 4, &n), RC_OK);
	cr_assert_eq(n, 1, "pulled persons are found by search");
	/* An older version of the row is a no-op. */
	strcpy(a.family_name, "Older");
	free(ra);
	ra = person_row(&a, 2, false);
	rows[0].json = ra;
	rows[0].version = 2;
	cr_assert_eq(db_sync_apply_page(cache, rows, 1, NULL, NULL, &cause), RC_OK);
	cr_assert_eq(db_search_persons(cache, "janssens", hits, 4, &n), RC_OK);
	cr_assert_eq(n, 1);
	free(ra);
	free(bad);
}

Test(sync, rule9_pulled_row_never_overwrites_unsent_changes)
{
	struct person p, theirs;
	struct db_sync_row row;
	struct db_sync_counts k = {0};
	char *r, *cause = NULL;

	synced_person(&p, NULL);
	strcpy(p.phone, "+32471111111");
	update_person(&p);
	theirs = p;
	strcpy(theirs.phone, "+32479999999");
	strcpy(theirs.email, "new@example.invalid");
	r = person_row(&theirs, 6, false);
	row = (struct db_sync_row){"person", p.meta.id, 6, r, NULL};
	cr_assert_eq(db_sync_apply_page(cache, &row, 1, NULL, &k, &cause), RC_OK, "%s", cause);
	cr_assert_eq(k.held, 1);
	cr_assert_eq(db_person_get(cache, p.meta.id, &p), RC_OK);
	cr_assert_str_eq(p.phone, "+32471111111", "the unsent change stays");
	cr_assert_eq(p.meta.version, 5);
	cr_assert_eq(scalar("SELECT count(*) FROM sync_held"), 1);
	free(r);
}

Test(sync, held_row_applies_once_the_row_is_free)
{
	struct person p, theirs;
	struct db_sync_row row;
	struct db_sync_rejected *rv;
	char *r, *cause = NULL;
	bool resend;
	int n;
	json_t *doc;

	synced_person(&p, NULL);
	strcpy(p.phone, "+32471111111");
	update_person(&p);
	doc = next_batch(&resend, &n);
	json_decref(doc);
	theirs = p;
	strcpy(theirs.email, "new@example.invalid");
	r = person_row(&theirs, 6, false);
	row = (struct db_sync_row){"person", p.meta.id, 6, r, NULL};
	cr_assert_eq(db_sync_apply_page(cache, &row, 1, NULL, NULL, &cause), RC_OK);
	/* Rejected: kept (blocks the row); discarded: the held row applies. */
	cr_assert_eq(answer(&p, "rejected", 0, NULL, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_person_get(cache, p.meta.id, &p), RC_OK);
	cr_assert_str_eq(p.email, "test@example.invalid");
	cr_assert_eq(db_sync_rejected_list(cache, &rv, &n), RC_OK);
	cr_assert_eq(db_sync_rejected_discard(cache, rv[0].seq, &cause), RC_OK, "%s", cause);
	free(rv);
	cr_assert_eq(db_person_get(cache, p.meta.id, &p), RC_OK);
	cr_assert_str_eq(p.email, "new@example.invalid");
	cr_assert_eq(p.meta.version, 6);
	cr_assert_eq(scalar("SELECT count(*) FROM sync_held"), 0);
	free(r);
}

Test(sync, tombstone_deletes_and_unindexes)
{
	struct person p;
	struct db_sync_row row;
	struct search_hit hits[4];
	char *r, *cause = NULL;
	int n;

	helper_person(&p, "Wouters", "Els", "1980-05-06", NULL);
	r = person_row(&p, 3, false);
	row = (struct db_sync_row){"person", p.meta.id, 3, r, NULL};
	cr_assert_eq(db_sync_apply_page(cache, &row, 1, NULL, NULL, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_person_count(cache), 1);
	free(r);
	r = person_row(&p, 4, true);
	row = (struct db_sync_row){"person", p.meta.id, 4, r, NULL};
	cr_assert_eq(db_sync_apply_page(cache, &row, 1, NULL, NULL, &cause), RC_OK, "%s", cause);
	cr_assert_eq(scalar("SELECT deleted FROM person"), 1, "kept as a tombstone");
	cr_assert_eq(db_person_count(cache), 0);
	cr_assert_eq(db_search_persons(cache, "wouters", hits, 4, &n), RC_OK);
	cr_assert_eq(n, 0);
	free(r);
}

/* Decision: a pulled person whose INSZ a different, unsynced local person
 * holds is held (sync_held), the page goes on; the local person's push
 * raises the conflict on the service for a person to decide. */
Test(sync, pulled_insz_held_by_local_person_does_not_fail_the_page)
{
	struct person mine, theirs, other;
	struct db_sync_row rows[2];
	struct db_sync_counts k = {0};
	struct db_sync_position pos = {.cursor = "v1.1.1"};
	char insz[12], *r1, *r2, *cause = NULL;

	helper_insz(1985, 7, 30, 33, insz);
	helper_person(&mine, "Peeters", "Jan", "1985-07-30", insz);
	insert_person(&mine);
	helper_person(&theirs, "Peters", "Jan", "1985-07-30", insz);
	helper_person(&other, "Maes", "Lore", "1999-09-09", NULL);
	r1 = person_row(&theirs, 3, false);
	r2 = person_row(&other, 4, false);
	rows[0] = (struct db_sync_row){"person", theirs.meta.id, 3, r1, NULL};
	rows[1] = (struct db_sync_row){"person", other.meta.id, 4, r2, NULL};
	cr_assert_eq(db_sync_apply_page(cache, rows, 2, &pos, &k, &cause), RC_OK, "%s", cause);
	cr_assert_eq(k.held, 1);
	cr_assert_eq(k.applied, 1);
	cr_assert_eq(scalar("SELECT count(*) FROM person"), 2);
	cr_assert_eq(scalar("SELECT count(*) FROM sync_held WHERE reason LIKE 'insz%'"), 1);
	free(r1);
	free(r2);
}

Test(sync, lease_is_exclusive_between_connections)
{
	struct cache *other = NULL;
	char *cause = NULL, *path = helper_path(dir, "cache.db");

	cr_assert_eq(db_cache_open(path, &other, &cause), RC_OK);
	cr_assert_eq(db_sync_lease_take(cache, "host:1", 1000, 300, &cause), RC_OK);
	cr_assert_eq(db_sync_lease_take(other, "host:2", 1001, 300, &cause), RC_DENIED);
	cr_assert(strstr(cause, "host:1"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(db_sync_lease_take(cache, "host:1", 1100, 300, &cause), RC_OK, "renewed");
	cr_assert_eq(db_sync_lease_take(other, "host:2", 1399, 300, &cause), RC_DENIED);
	free(cause);
	cause = NULL;
	cr_assert_eq(db_sync_lease_take(other, "host:2", 1401, 300, &cause), RC_OK, "expired");
	cr_assert_eq(db_sync_lease_release(other, "host:2", &cause), RC_OK);
	cr_assert_eq(db_sync_lease_take(cache, "host:1", 1402, 300, &cause), RC_OK, "released");
	db_cache_close(other);
	free(path);
}

/* A sync agent killed with SIGKILL cannot release its lease: another agent
 * of the same host takes it over at once instead of waiting 5 minutes; an
 * agent of another host still waits. */
Test(sync, lease_of_a_dead_process_is_taken_over)
{
	struct cache *other = NULL;
	char *cause = NULL, *path = helper_path(dir, "cache.db"), dead[64], me[64];
	pid_t pid = fork();

	cr_assert(pid >= 0);
	if (pid == 0)
		_exit(0);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	snprintf(dead, sizeof dead, "ws-12:%ld", (long)pid);
	snprintf(me, sizeof me, "ws-12:%ld", (long)getpid());
	cr_assert_eq(db_cache_open(path, &other, &cause), RC_OK);
	cr_assert_eq(db_sync_lease_take(cache, dead, 1000, 300, &cause), RC_OK);
	cr_assert_eq(db_sync_lease_take(other, "ws-13:1", 1001, 300, &cause), RC_DENIED,
	             "another host cannot know");
	free(cause);
	cause = NULL;
	cr_assert_eq(db_sync_lease_take(other, me, 1001, 300, &cause), RC_OK, "%s",
	             cause ? cause : "");
	cr_assert_eq(db_sync_lease_take(cache, dead, 1002, 300, &cause), RC_DENIED,
	             "a live holder keeps it");
	free(cause);
	db_cache_close(other);
	free(path);
}

Test(sync, parsers_refuse_malformed_replies)
{
	static const char *const bad[] = {
	    "",
	    "not json",
	    "[]",
	    "{\"rows\":{},\"cursor\":\"c\",\"has_more\":false}",
	    "{\"rows\":[],\"cursor\":5,\"has_more\":false}",
	    "{\"rows\":[],\"cursor\":\"c\",\"has_more\":\"no\"}",
	    "{\"rows\":[1],\"cursor\":\"c\",\"has_more\":false}",
	    "{\"rows\":[{\"entity\":\"person\",\"id\":\"x\"}],\"cursor\":\"c\",\"has_more\":false}",
	    "{\"rows\":[{\"entity\":\"person\",\"id\":\"e0000000-0000-4000-8000-000000000001\","
	    "\"centre_id\":\"c\",\"version\":\"1\",\"updated_at\":\"t\",\"updated_by\":\"\","
	    "\"deleted\":false,\"data\":{}}],\"cursor\":\"c\",\"has_more\":false}",
	    "{\"rows\":[{\"entity\":\"person\",\"id\":\"e0000000-0000-4000-8000-000000000001\","
	    "\"centre_id\":\"c\",\"version\":1,\"updated_at\":\"t\",\"updated_by\":\"\","
	    "\"deleted\":false,\"data\":{\"a')\":\"x\"}}],\"cursor\":\"c\",\"has_more\":false}",
	    "{\"rows\":[{\"entity\":\"person\",\"id\":\"e0000000-0000-4000-8000-000000000001\","
	    "\"centre_id\":\"c\",\"version\":1,\"updated_at\":\"t\",\"updated_by\":\"\","
	    "\"deleted\":false,\"data\":{\"notes\":[1]}}],\"cursor\":\"c\",\"has_more\":false}",
	    "{\"rows\":[],\"rows\":[],\"cursor\":\"c\",\"has_more\":false}",
	};
	static const char *const bad_push[] = {
	    "{}",
	    "{\"batch\":1,\"results\":[]}",
	    "{\"batch\":\"b\",\"results\":[{\"change\":\"c\",\"status\":\"weird\"}]}",
	    "{\"batch\":\"b\",\"results\":[{\"change\":\"c\",\"status\":\"applied\"}]}",
	    "{\"batch\":\"b\",\"results\":[{\"change\":\"c\",\"status\":\"rejected\"}]}",
	    "{\"batch\":\"b\",\"results\":[{\"status\":\"rejected\",\"reason\":\"r\"}]}",
	};
	struct sync_page page;
	struct sync_push_reply push;
	struct sync_hello hello;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *cause = NULL;
		cr_assert_eq(sync_parse_page(bad[i], strlen(bad[i]), false, &page, &cause),
		             RC_INVALID, "%s", bad[i]);
		cr_assert_not_null(cause, "%s", bad[i]);
		free(cause);
	}
	for (size_t i = 0; i < sizeof bad_push / sizeof bad_push[0]; i++) {
		char *cause = NULL;
		cr_assert_eq(sync_parse_push(bad_push[i], strlen(bad_push[i]), &push, &cause),
		             RC_INVALID, "%s", bad_push[i]);
		cr_assert_not_null(cause);
		free(cause);
	}
	{
		char *cause = NULL;
		const char *h = "{\"server\":\"x\",\"schema\":1,\"centre\":\"BRU\",\"token\":\"t\","
		                "\"centre_id\":\"nope\"}";
		cr_assert_eq(sync_parse_hello(h, strlen(h), &hello, &cause), RC_INVALID);
		free(cause);
		cr_assert_eq(sync_parse_hello("{\"a\":1}", 7, &hello, NULL), RC_INVALID);
	}
	{
		const char *ok = "{\"rows\":[],\"cursor\":\"v1.2.3\",\"has_more\":false}";
		cr_assert_eq(sync_parse_page(ok, strlen(ok), false, &page, NULL), RC_OK);
		cr_assert_str_eq(page.cursor, "v1.2.3");
		sync_page_free(&page);
	}
}

Test(sync, backoff_bounds_and_retry_after)
{
	for (unsigned a = 0; a < 40; a++)
		for (double r = 0; r < 1; r += 0.125) {
			long w = sync_backoff(a, -1, r);
			long cap = a >= 9 ? 300 : 1L << a;
			cr_assert(w >= 1 && w <= (cap > 300 ? 300 : cap), "attempt %u r %f: %ld", a,
			          r, w);
		}
	cr_assert_eq(sync_backoff(0, -1, 0.999), 1);
	cr_assert_eq(sync_backoff(20, -1, 0.999), 300);
	cr_assert_eq(sync_backoff(0, 120, 0.5), 120, "Retry-After is honoured");
	cr_assert_eq(sync_backoff(3, 99999, 0.5), 3600, "within an hour");
	cr_assert(sync_transient(0) && sync_transient(408) && sync_transient(429) &&
	          sync_transient(503) && sync_transient(500));
	cr_assert(!sync_transient(401) && !sync_transient(403) && !sync_transient(409) &&
	          !sync_transient(400));
}

static void reply_json(struct sync_reply *r, long status, const char *body)
{
	memset(r, 0, sizeof *r);
	r->status = status;
	r->body = body;
	r->len = strlen(body);
	r->retry_after = -1;
}

Test(sync, cycle_against_canned_replies)
{
	struct sync *s = sync_new(cache, "test:1");
	struct sync_request req;
	struct sync_reply rep;
	struct person p;
	char *cause = NULL, *pushbody, *v = NULL, *row;
	json_t *doc, *ch;

	helper_person(&p, "Dupont", "Anne", "1990-01-02", NULL);
	insert_person(&p);
	cr_assert_eq(sync_start(s, &req, &cause), SYNC_SEND);
	cr_assert_str_eq(req.path, "/v1/hello?schema=1");
	reply_json(&rep, 200,
	           "{\"server\":\"handeskd 0.1\",\"schema\":1,\"centre\":\"BRU\",\"token\":\"ws\","
	           "\"centre_id\":\"" CENTRE "\",\"centre_name\":\"B\",\"centre_language\":\"nl\","
	           "\"time\":\"2026-11-23T09:15:02.123Z\"}");
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_SEND, "%s", cause);
	cr_assert_str_eq(req.method, "POST");
	cr_assert_str_eq(req.path, "/v1/push");
	doc = json_loads(req.body, 0, NULL);
	ch = json_array_get(json_object_get(doc, "changes"), 0);
	row = person_row(&p, 11, false);
	cr_assert(asprintf(&pushbody,
	                   "{\"batch\":\"%s\",\"results\":[{\"change\":\"%s\",\"status\":"
	                   "\"applied\",\"version\":11,\"row\":%s}]}",
	                   json_string_value(json_object_get(doc, "batch")),
	                   json_string_value(json_object_get(ch, "change")), row) > 0);
	/* Busy first: the batch stays pending, the cycle is transient. */
	reply_json(&rep, 503, "{\"error\":\"unavailable\",\"message\":\"try later\"}");
	rep.retry_after = 7;
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_TRANSIENT);
	cr_assert(strstr(cause, "503"), "%s", cause);
	cr_assert_eq(sync_retry_after(s), 7);
	free(cause);
	cause = NULL;
	cr_assert_eq(db_sync_state_get(cache, "last_error", &v), RC_OK);
	free(v);
	/* Again: the same batch, then the answer. */
	cr_assert_eq(sync_start(s, &req, &cause), SYNC_SEND);
	reply_json(&rep, 200,
	           "{\"server\":\"handeskd 0.1\",\"schema\":1,\"centre\":\"BRU\",\"token\":\"ws\","
	           "\"centre_id\":\"" CENTRE "\"}");
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_SEND, "%s", cause);
	{
		json_t *again = json_loads(req.body, 0, NULL);
		cr_assert(json_equal(doc, again), "resent verbatim");
		json_decref(again);
	}
	reply_json(&rep, 200, pushbody);
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_SEND, "%s", cause);
	cr_assert_str_eq(req.path, "/v1/snapshot?limit=5000");
	reply_json(&rep, 200,
	           "{\"rows\":[],\"after\":\"a/1\",\"has_more\":true,\"cursor\":\"v1.5.10\"}");
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_SEND, "%s", cause);
	cr_assert_str_eq(req.path, "/v1/snapshot?after=a%2F1&limit=5000");
	reply_json(&rep, 200,
	           "{\"rows\":[],\"after\":\"a/2\",\"has_more\":false,\"cursor\":\"v1.5.10\"}");
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_SEND, "%s", cause);
	cr_assert_str_eq(req.path, "/v1/pull?cursor=v1.5.10&limit=500");
	reply_json(&rep, 200, "{\"rows\":[],\"cursor\":\"v1.6.12\",\"has_more\":false}");
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_DONE, "%s", cause);
	cr_assert_eq(sync_stats(s)->pushed, 1);
	cr_assert_eq(db_outbox_count(cache), 0);
	cr_assert_eq(db_sync_state_get(cache, "cursor", &v), RC_OK);
	cr_assert_str_eq(v, "v1.6.12");
	free(v);
	cr_assert_eq(db_sync_state_get(cache, "last_sync_at", &v), RC_OK);
	free(v);
	cr_assert_eq(db_sync_state_get(cache, "last_error", &v), RC_NOTFOUND);
	cr_assert_eq(db_sync_state_get(cache, "lease_holder", &v), RC_NOTFOUND, "released");

	/* The next cycle pulls from the cursor; a 401 stops it in words. */
	cr_assert_eq(sync_start(s, &req, &cause), SYNC_SEND);
	reply_json(&rep, 401, "{\"error\":\"unauthorized\",\"message\":\"bad token\"}");
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_PERMANENT);
	cr_assert(strstr(cause, "ask for a new token"), "%s", cause);
	free(cause);
	json_decref(doc);
	free(pushbody);
	free(row);
	sync_free(s);
}

Test(sync, another_centre_stops_the_cycle)
{
	struct sync *s = sync_new(cache, "test:1");
	struct sync_request req;
	struct sync_reply rep;
	struct person p;
	char *cause = NULL;

	helper_person(&p, "Dupont", "Anne", "1990-01-02", NULL);
	insert_person(&p);
	cr_assert_eq(db_cache_exec(cache,
	                           "INSERT INTO centre(id, centre_id, updated_at, code, name) "
	                           "VALUES ('" CENTRE "', '" CENTRE "', 'x', 'BRU', 'Brussel')",
	                           &cause),
	             RC_OK);
	cr_assert_eq(sync_start(s, &req, &cause), SYNC_SEND);
	reply_json(&rep, 200,
	           "{\"server\":\"h\",\"schema\":1,\"centre\":\"CHA\",\"token\":\"ws\","
	           "\"centre_id\":\"c0000000-0000-4000-8000-000000000002\"}");
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_PERMANENT);
	cr_assert(strstr(cause, "another centre"), "%s", cause);
	free(cause);
	cr_assert_eq(db_outbox_count(cache), 1, "nothing sent, nothing lost");
	sync_free(s);
}

/* Prefetch: a page is kept while the next one is asked for, applied by
 * sync_apply_deferred (or the next sync_feed) with its position; an
 * initial sync's persons reach the search index with its last page. */
Test(sync, prefetch_applies_pages_in_order_and_indexes_at_the_end)
{
	struct sync *s = sync_new(cache, "test:1");
	struct sync_request req;
	struct sync_reply rep;
	struct person a, b;
	struct search_hit hits[4];
	char *cause = NULL, *ra, *rb, *page1, *page2, *v = NULL;
	int n;

	sync_set_prefetch(s, true);
	helper_person(&a, "Janssens", "Piet", "1980-03-04", NULL);
	helper_person(&b, "Peeters", "Ann", "1985-05-06", NULL);
	ra = person_row(&a, 3, false);
	rb = person_row(&b, 4, false);
	cr_assert(asprintf(&page1,
	                   "{\"rows\":[%s],\"after\":\"a/1\",\"has_more\":true,"
	                   "\"cursor\":\"v1.5.10\"}",
	                   ra) > 0);
	cr_assert(asprintf(&page2,
	                   "{\"rows\":[%s],\"after\":\"a/2\",\"has_more\":false,"
	                   "\"cursor\":\"v1.5.10\"}",
	                   rb) > 0);
	cr_assert_eq(sync_start(s, &req, &cause), SYNC_SEND);
	reply_json(&rep, 200,
	           "{\"server\":\"handeskd 0.1\",\"schema\":1,\"centre\":\"BRU\",\"token\":\"ws\","
	           "\"centre_id\":\"" CENTRE "\",\"centre_name\":\"B\",\"centre_language\":\"nl\","
	           "\"time\":\"2026-11-23T09:15:02.123Z\"}");
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_SEND, "%s", cause);
	cr_assert_str_eq(req.path, "/v1/snapshot?limit=5000");
	cr_assert(!sync_deferred(s));

	reply_json(&rep, 200, page1);
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_SEND, "%s", cause);
	cr_assert_str_eq(req.path, "/v1/snapshot?after=a%2F1&limit=5000", "asked for at once");
	cr_assert(sync_deferred(s));
	cr_assert_eq(scalar("SELECT count(*) FROM person"), 0, "not applied yet");
	cr_assert_eq(db_sync_state_get(cache, "snapshot_after", &v), RC_NOTFOUND);
	cr_assert_eq(sync_apply_deferred(s, &cause), SYNC_SEND, "%s", cause);
	cr_assert(!sync_deferred(s));
	cr_assert_eq(scalar("SELECT count(*) FROM person"), 1);
	cr_assert_eq(db_sync_state_get(cache, "snapshot_after", &v), RC_OK);
	cr_assert_str_eq(v, "a/1", "the position with its page");
	free(v);
	cr_assert_eq(db_search_persons(cache, "janssens", hits, 4, &n), RC_OK);
	cr_assert_eq(n, 0, "the index waits for the end of the initial sync");

	/* The last page: applied at once, then the index is complete. */
	reply_json(&rep, 200, page2);
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_SEND, "%s", cause);
	cr_assert_str_eq(req.path, "/v1/pull?cursor=v1.5.10&limit=500");
	cr_assert(!sync_deferred(s));
	cr_assert_eq(scalar("SELECT count(*) FROM person"), 2);
	cr_assert_eq(db_sync_state_get(cache, "snapshot_done", &v), RC_OK);
	cr_assert_str_eq(v, "1");
	free(v);
	cr_assert_eq(db_search_persons(cache, "janssens", hits, 4, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(db_search_persons(cache, "peeters ann", hits, 4, &n), RC_OK);
	cr_assert_eq(n, 1);
	reply_json(&rep, 200, "{\"rows\":[],\"cursor\":\"v1.6.12\",\"has_more\":false}");
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_DONE, "%s", cause);
	cr_assert_eq(sync_stats(s)->pulled, 2);

	/* A page left for the next sync_feed is applied before its reply,
	 * even a failed one; a page never applied is simply fetched again. */
	cr_assert_eq(
	    db_cache_exec(cache, "DELETE FROM sync_state WHERE key LIKE 'snapshot%'", &cause),
	    RC_OK, "%s", cause);
	cr_assert_eq(sync_start(s, &req, &cause), SYNC_SEND);
	reply_json(&rep, 200,
	           "{\"server\":\"handeskd 0.1\",\"schema\":1,\"centre\":\"BRU\",\"token\":\"ws\","
	           "\"centre_id\":\"" CENTRE "\",\"centre_name\":\"B\",\"centre_language\":\"nl\","
	           "\"time\":\"2026-11-23T09:15:02.123Z\"}");
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_SEND, "%s", cause);
	reply_json(&rep, 200, page1);
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_SEND, "%s", cause);
	cr_assert(sync_deferred(s));
	reply_json(&rep, 503, "{\"error\":\"unavailable\",\"message\":\"try later\"}");
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_TRANSIENT);
	free(cause);
	cause = NULL;
	cr_assert(!sync_deferred(s));
	cr_assert_eq(db_sync_state_get(cache, "snapshot_after", &v), RC_OK);
	cr_assert_str_eq(v, "a/1");
	free(v);
	free(ra);
	free(rb);
	free(page1);
	free(page2);
	sync_free(s);
}

/* ---- the transport, against a one-shot HTTP server on loopback ---- */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include "src/sync_transport.h"

struct mini_server {
	int fd;
	int port;
	const char *reply; /* the whole HTTP response */
	char request[4096];
};

/* Accept one connection, read the request head, send the reply. */
static void *serve_one(void *arg)
{
	struct mini_server *m = arg;
	size_t got = 0;
	ssize_t r;
	int c = accept(m->fd, NULL, NULL);

	if (c < 0)
		return NULL;
	while (got < sizeof m->request - 1 &&
	       (r = read(c, m->request + got, sizeof m->request - 1 - got)) > 0) {
		got += (size_t)r;
		m->request[got] = '\0';
		if (strstr(m->request, "\r\n\r\n"))
			break;
	}
	r = write(c, m->reply, strlen(m->reply));
	(void)r;
	close(c);
	return NULL;
}

static void mini_start(struct mini_server *m, pthread_t *th, const char *reply)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof a;

	memset(m, 0, sizeof *m);
	m->reply = reply;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	m->fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(m->fd >= 0);
	cr_assert_eq(bind(m->fd, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(listen(m->fd, 1), 0);
	cr_assert_eq(getsockname(m->fd, (struct sockaddr *)&a, &len), 0);
	m->port = ntohs(a.sin_port);
	cr_assert_eq(pthread_create(th, NULL, serve_one, m), 0);
}

static struct sync_transport *transport_for(int port)
{
	struct sync_transport_options o = {0};
	struct sync_transport *t = NULL;
	char url[64], *cause = NULL;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
	o.server = url;
	o.token = "s3cret";
	cr_assert_eq(sync_transport_new(&o, &t, &cause), RC_OK, "%s", cause);
	return t;
}

/* Persons up to the index position that have no keys. */
#define UNINDEXED                                                                                  \
	"SELECT count(*) FROM person p WHERE id <= (SELECT value FROM sync_state WHERE key = "     \
	"'index_after') AND NOT EXISTS (SELECT 1 FROM person_key k WHERE k.person_id = p.id)"

/* Small steps (the curses loop): small pages, and the index of an initial
 * sync made afterwards in small transactions that survive a kill: the
 * position is stored with each step, the next process goes on from there
 * (a later `handesk sync` does the rest in one go). */
Test(sync, small_steps_index_the_initial_sync_in_resumable_steps)
{
	struct sync *s = sync_new(cache, "test:1");
	struct sync_request req;
	struct sync_reply rep;
	struct person a, b, c, d;
	struct search_hit hits[4];
	char *cause = NULL, *ra, *rb, *rc_, *rd, *page, *pull, *v = NULL, *path;
	bool more = true;
	int n;

	sync_set_small_steps(s, 2, 1);
	helper_person(&a, "Janssens", "Piet", "1980-03-04", NULL);
	helper_person(&b, "Peeters", "Ann", "1985-05-06", NULL);
	helper_person(&c, "Maes", "Luc", "1990-07-08", NULL);
	helper_person(&d, "Wouters", "Zoë", "1991-01-02", NULL);
	ra = person_row(&a, 3, false);
	rb = person_row(&b, 4, false);
	rc_ = person_row(&c, 5, false);
	rd = person_row(&d, 6, false);
	cr_assert(asprintf(&page,
	                   "{\"rows\":[%s,%s,%s],\"after\":\"a/1\",\"has_more\":false,"
	                   "\"cursor\":\"v1.5.10\"}",
	                   ra, rb, rc_) > 0);
	cr_assert(asprintf(&pull, "{\"rows\":[%s],\"cursor\":\"v1.6.12\",\"has_more\":false}", rd) >
	          0);
	cr_assert_eq(sync_start(s, &req, &cause), SYNC_SEND);
	reply_json(&rep, 200,
	           "{\"server\":\"handeskd 0.1\",\"schema\":1,\"centre\":\"BRU\",\"token\":\"ws\","
	           "\"centre_id\":\"" CENTRE "\",\"centre_name\":\"B\",\"centre_language\":\"nl\","
	           "\"time\":\"2026-11-23T09:15:02.123Z\"}");
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_SEND, "%s", cause);
	cr_assert_str_eq(req.path, "/v1/snapshot?limit=2", "small pages");
	reply_json(&rep, 200, page);
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_SEND, "%s", cause);
	cr_assert_str_eq(req.path, "/v1/pull?cursor=v1.5.10&limit=1");
	cr_assert_eq(db_sync_state_get(cache, "snapshot_done", &v), RC_OK);
	free(v);
	cr_assert_eq(db_search_persons(cache, "janssens", hits, 4, &n), RC_OK);
	cr_assert_eq(n, 0, "the index is left to the steps");
	/* A person pulled meanwhile is indexed as it comes. */
	reply_json(&rep, 200, pull);
	cr_assert_eq(sync_feed(s, &rep, &req, &cause), SYNC_DONE, "%s", cause);
	cr_assert_eq(scalar("SELECT count(DISTINCT person_id) FROM person_key"), 1);

	/* One step of one person, then the process is killed (the cache
	 * closed without another step) and a new one opens it. */
	cr_assert_eq(db_sync_index_step(cache, 1, &more, &cause), RC_OK, "%s", cause);
	cr_assert(more);
	cr_assert_eq(scalar("SELECT count(*) FROM person WHERE id <= (SELECT value FROM "
	                    "sync_state WHERE key = 'index_after')"),
	             1, "the position after the first person (in id order)");
	cr_assert_eq(scalar(UNINDEXED), 0);
	sync_free(s);
	db_cache_close(cache);
	path = helper_path(dir, "cache.db");
	cr_assert_eq(db_cache_open(path, &cache, &cause), RC_OK, "%s", cause);
	free(path);
	cr_assert_eq(scalar("SELECT count(*) FROM person WHERE id <= (SELECT value FROM "
	                    "sync_state WHERE key = 'index_after')"),
	             1, "the position is kept");
	cr_assert_eq(db_sync_index_step(cache, 1, &more, &cause), RC_OK, "%s", cause);
	cr_assert_eq(scalar("SELECT count(*) FROM person WHERE id <= (SELECT value FROM "
	                    "sync_state WHERE key = 'index_after')"),
	             2, "and the next step goes on from it");
	cr_assert_eq(scalar(UNINDEXED), 0);

	/* A sync without small steps finishes it before its hello. */
	s = sync_new(cache, "test:2");
	cr_assert_eq(sync_start(s, &req, &cause), SYNC_SEND, "%s", cause);
	cr_assert_eq(db_sync_state_get(cache, "index_after", &v), RC_NOTFOUND);
	cr_assert_eq(db_sync_index_step(cache, 1, &more, &cause), RC_NOTFOUND, "none waits");
	cr_assert_eq(scalar("SELECT count(DISTINCT person_id) FROM person_key"), 4);
	cr_assert_eq(scalar("SELECT count(*) FROM (SELECT key, person_id FROM person_key "
	                    "GROUP BY 1, 2 HAVING count(*) > 1)"),
	             0);
	cr_assert_eq(db_search_persons(cache, "janssens", hits, 4, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(db_search_persons(cache, "peeters ann", hits, 4, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(db_search_persons(cache, "maes", hits, 4, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(db_search_persons(cache, "wouters", hits, 4, &n), RC_OK);
	cr_assert_eq(n, 1);
	sync_free(s);
	free(ra);
	free(rb);
	free(rc_);
	free(rd);
	free(page);
	free(pull);
}

Test(sync, transport_blocking_sends_token_and_reads_retry_after)
{
	struct mini_server m;
	pthread_t th;
	struct sync_transport *t;
	struct sync_request req = {.method = "GET", .path = "/v1/pull?limit=500"};
	struct sync_reply rep;
	char *cause = NULL;

	mini_start(&m, &th,
	           "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 17\r\n"
	           "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
	t = transport_for(m.port);
	cr_assert_eq(sync_transport_perform(t, &req, &rep, &cause), RC_OK);
	pthread_join(th, NULL);
	cr_assert_eq(rep.status, 429);
	cr_assert_eq(rep.retry_after, 17);
	cr_assert_eq(rep.len, 2);
	cr_assert(strstr(m.request, "GET /v1/pull?limit=500 HTTP/1.1\r\n"), "%s", m.request);
	cr_assert(strstr(m.request, "Authorization: Bearer s3cret\r\n"), "%s", m.request);
	cr_assert(strstr(m.request, "Accept-Encoding:"), "gzip is asked for: %s", m.request);
	sync_transport_free(t);
	close(m.fd);
}

Test(sync, transport_multi_steps_beside_the_callers_fd)
{
	struct mini_server m;
	pthread_t th;
	struct sync_transport *t;
	struct sync_request req = {
	    .method = "POST", .path = "/v1/push", .body = "{}", .body_len = 2};
	struct sync_reply rep;
	struct pollfd pfd;
	char *cause = NULL;
	int pipefd[2], ready = 0, passes = 0;
	bool done = false;

	/* The caller's own descriptor (stdin in the curses loop) wakes it. */
	cr_assert_eq(pipe(pipefd), 0);
	mini_start(&m, &th,
	           "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
	           "{\"ok\":true}");
	t = transport_for(m.port);
	cr_assert_eq(write(pipefd[1], "k", 1), 1);
	pfd = (struct pollfd){.fd = pipefd[0], .events = POLLIN};
	cr_assert_eq(sync_transport_wait(t, &pfd, 1, 5000, &ready, &cause), RC_OK);
	cr_assert_eq(ready, 1, "a key is seen without any transfer");
	cr_assert(pfd.revents & POLLIN);
	{
		char k;
		cr_assert_eq(read(pipefd[0], &k, 1), 1); /* the loop drains its keys */
	}

	cr_assert_eq(sync_transport_start(t, &req, &cause), RC_OK, "%s", cause);
	cr_assert(sync_transport_busy(t));
	while (!done && passes++ < 1000) {
		pfd.revents = 0;
		cr_assert_eq(sync_transport_wait(t, &pfd, 1, 100, &ready, &cause), RC_OK);
		cr_assert_eq(sync_transport_step(t, &rep, &done, &cause), RC_OK);
	}
	pthread_join(th, NULL);
	cr_assert(done);
	cr_assert_not(sync_transport_busy(t));
	cr_assert_eq(rep.status, 200);
	cr_assert_eq(rep.len, 11);
	cr_assert(strstr(m.request, "POST /v1/push HTTP/1.1\r\n"), "%s", m.request);
	sync_transport_free(t);
	close(m.fd);
	close(pipefd[0]);
	close(pipefd[1]);
}

Test(sync, transport_unreachable_is_status_0_in_words)
{
	struct mini_server m;
	pthread_t th;
	struct sync_transport *t;
	struct sync_request req = {.method = "GET", .path = "/v1/hello?schema=1"};
	struct sync_reply rep;
	char *cause = NULL, *words;
	int port;

	/* A port that was just free: nobody listens there any more. */
	mini_start(&m, &th, "");
	port = m.port;
	pthread_cancel(th);
	pthread_join(th, NULL);
	close(m.fd);
	t = transport_for(port);
	cr_assert_eq(sync_transport_perform(t, &req, &rep, &cause), RC_OK);
	cr_assert_eq(rep.status, 0);
	cr_assert_neq(rep.error[0], '\0');
	cr_assert(sync_transient(rep.status));
	words = sync_describe(&rep);
	cr_assert(strstr(words, "cannot reach the central service"), "%s", words);
	free(words);
	sync_transport_free(t);
}
