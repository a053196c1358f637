/* test_search.c: person search as you type: accents and case, prefixes,
 * words in either order, INSZ prefixes, birth date and year filters,
 * order, limits, deleted persons, one letter, bounded scans; hits read
 * from the covering index, kept current by updates, and an index of
 * schema 1 rebuilt on open. */
#include "helpers.h"

#include <sqlite3.h>
#include <time.h>

#include "db/person.h"
#include "db/search.h"

static char *dir;
static struct cache *c;
static char insz_jean[12];
static char id_dupuis[37];

static void add(const char *family, const char *given, const char *birth, const char *insz,
                char *id_out)
{
	struct person p;
	char *cause = NULL;

	helper_person(&p, family, given, birth, insz);
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_person_insert(c, &p, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK, "%s", cause);
	if (id_out)
		strcpy(id_out, p.meta.id);
}

static void setup(void)
{
	struct person p;
	char *cause = NULL;

	c = helper_cache(&dir);
	helper_insz(1970, 3, 12, 123, insz_jean);
	add("Duprée", "Jean", "1970-03-12", insz_jean, NULL);
	add("Dupré", "Jeanne", "1985-11-30", NULL, NULL);
	add("Dupont", "Marie", "1962-05-01", NULL, NULL);
	add("Van den Berg", "Jan", "1948-09-17", NULL, NULL);
	add("Müller", "Jürgen", "1990-01-01", NULL, NULL);
	add("D'Hondt", "Anne-Sophie", "2001-07-04", NULL, NULL);
	add("Martin", "Luc", "1977-02-02", NULL, NULL);
	add("Dupuis", "Paul", "1950-06-06", NULL, id_dupuis);
	/* Dupuis is deleted. */
	cr_assert_eq(db_person_get(c, id_dupuis, &p), RC_OK);
	p.meta.deleted = true;
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_person_update(c, &p, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);
}

static void teardown(void)
{
	db_cache_close(c);
	helper_rmdir(dir);
}

TestSuite(search, .init = setup, .fini = teardown);

#define MAXHITS 20
static struct search_hit hits[MAXHITS];

/* Search, and return the hits as "Family Given;Family Given;..." */
static const char *find(const char *query)
{
	static char out[1024];
	int n = -1;

	cr_assert_eq(db_search_persons(c, query, hits, MAXHITS, &n), RC_OK, "query %s", query);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(out, ";");
		strcat(out, hits[i].family_name);
		strcat(out, " ");
		strcat(out, hits[i].given_name);
	}
	return out;
}

Test(search, accents_and_case)
{
	cr_assert_str_eq(find("dupre"), "Dupré Jeanne;Duprée Jean");
	cr_assert_str_eq(find("DUPRÉE"), "Duprée Jean");
	cr_assert_str_eq(find("Dupree"), "Duprée Jean");
	cr_assert_str_eq(find("muller"), "Müller Jürgen");
	cr_assert_str_eq(find("MÜLLER jurg"), "Müller Jürgen");
	cr_assert_str_eq(find("  dupré  "), "Dupré Jeanne;Duprée Jean");
}

Test(search, prefixes_and_hits)
{
	int n;

	cr_assert_str_eq(find("dup"), "Dupont Marie;Dupré Jeanne;Duprée Jean");
	cr_assert_str_eq(find("dupo"), "Dupont Marie");
	cr_assert_str_eq(find("dupx"), "");
	cr_assert_eq(db_search_persons(c, "duprée", hits, MAXHITS, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(hits[0].insz, insz_jean);
	cr_assert_str_eq(hits[0].birth_date, "1970-03-12");
	cr_assert_str_eq(hits[0].postcode, "1000");
	cr_assert_str_eq(hits[0].municipality, "Bruxelles");
	cr_assert_eq(strlen(hits[0].person_id), 36);
}

Test(search, words_in_either_order)
{
	cr_assert_str_eq(find("dupre jean"), "Dupré Jeanne;Duprée Jean");
	cr_assert_str_eq(find("jean dupre"), "Dupré Jeanne;Duprée Jean");
	cr_assert_str_eq(find("jean dup"), "Dupré Jeanne;Duprée Jean");
	cr_assert_str_eq(find("jeanne dup"), "Dupré Jeanne");
	cr_assert_str_eq(find("dup jeanne"), "Dupré Jeanne");
	cr_assert_str_eq(find("dup j"), "Dupré Jeanne;Duprée Jean");
	cr_assert_str_eq(find("ma dup"), "Dupont Marie");
	cr_assert_str_eq(find("marie martin"), "");
}

Test(search, multi_word_family_names)
{
	cr_assert_str_eq(find("van den berg"), "Van den Berg Jan");
	cr_assert_str_eq(find("berg"), "Van den Berg Jan");
	cr_assert_str_eq(find("den berg jan"), "Van den Berg Jan");
	cr_assert_str_eq(find("jan van"), "Van den Berg Jan");
	cr_assert_str_eq(find("berg van"), "Van den Berg Jan");
	cr_assert_str_eq(find("vandenberg"), "Van den Berg Jan");
	cr_assert_str_eq(find("hondt"), "D'Hondt Anne-Sophie");
	cr_assert_str_eq(find("dhondt"), "D'Hondt Anne-Sophie");
	cr_assert_str_eq(find("d'hondt anne"), "D'Hondt Anne-Sophie");
	cr_assert_str_eq(find("sophie"), "D'Hondt Anne-Sophie");
	cr_assert_str_eq(find("anne-sophie"), "D'Hondt Anne-Sophie");
}

Test(search, insz_prefix_with_separators)
{
	char formatted[20], part[8];

	snprintf(formatted, sizeof formatted, "%.2s.%.2s.%.2s-%.3s.%.2s", insz_jean, insz_jean + 2,
	         insz_jean + 4, insz_jean + 6, insz_jean + 9);
	cr_assert_str_eq(find(formatted), "Duprée Jean");
	cr_assert_str_eq(find(insz_jean), "Duprée Jean");
	cr_assert_str_eq(find("70.03"), "Duprée Jean");
	cr_assert_str_eq(find("70 03 12"), "Duprée Jean");
	snprintf(part, sizeof part, "%.5s", insz_jean);
	cr_assert_str_eq(find(part), "Duprée Jean");
	cr_assert_str_eq(find("71.03"), "");
	cr_assert_str_eq(find("99"), "");
}

Test(search, birth_date_and_year_filters)
{
	cr_assert_str_eq(find("dupre 1970"), "Duprée Jean");
	cr_assert_str_eq(find("1985 dupre"), "Dupré Jeanne");
	cr_assert_str_eq(find("dupre 12/03/1970"), "Duprée Jean");
	cr_assert_str_eq(find("dupre 1970-03-12"), "Duprée Jean");
	cr_assert_str_eq(find("dupre 13.03.1970"), "");
	cr_assert_str_eq(find("dupre 1971"), "");
	cr_assert_str_eq(find("jean dup 1985"), "Dupré Jeanne");
	/* A date still being typed does not empty the list. */
	cr_assert_str_eq(find("dupre 12/03"), "Dupré Jeanne;Duprée Jean");
	cr_assert_str_eq(find("dupre 1"), "Dupré Jeanne;Duprée Jean");
	/* A date alone: the persons born that day. */
	cr_assert_str_eq(find("12/03/1970"), "Duprée Jean");
	cr_assert_str_eq(find("1948-09-17"), "Van den Berg Jan");
	cr_assert_str_eq(find("01/01/1900"), "");
	/* A whole date with names: the date decides, the names filter. */
	cr_assert_str_eq(find("d 12/03/1970"), "Duprée Jean");
	cr_assert_str_eq(find("jean 12/03/1970"), "Duprée Jean");
	cr_assert_str_eq(find("marie 12/03/1970"), "");
}

Test(search, order_by_family_then_given)
{
	add("Dupont", "Albert", "1930-01-01", NULL, NULL);
	add("dupont", "Zoë", "1930-01-01", NULL, NULL);
	add("Dûpont", "Émile", "1930-01-01", NULL, NULL);
	cr_assert_str_eq(find("dupont"), "Dupont Albert;Dûpont Émile;Dupont Marie;dupont Zoë");
	/* "den" is a word of the family name "Van den Berg". */
	cr_assert_str_eq(find("d"),
	                 "D'Hondt Anne-Sophie;Dupont Albert;Dûpont Émile;Dupont Marie;dupont "
	                 "Zoë;Dupré Jeanne;Duprée Jean;Van den Berg Jan");
}

Test(search, limits)
{
	int n;

	cr_assert_eq(db_search_persons(c, "dup", hits, 2, &n), RC_OK);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(hits[0].family_name, "Dupont");
	cr_assert_str_eq(hits[1].family_name, "Dupré");
	cr_assert_eq(db_search_persons(c, "dup", hits, 1, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(db_search_persons(c, "dup", hits, 0, &n), RC_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(db_search_persons(c, "", hits, MAXHITS, &n), RC_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(db_search_persons(c, "   ", hits, MAXHITS, &n), RC_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(db_search_persons(c, "-", hits, MAXHITS, &n), RC_OK);
	cr_assert_eq(n, 0);
}

Test(search, deleted_persons_are_not_found)
{
	cr_assert_str_eq(find("dupuis"), "");
	cr_assert_str_eq(find("paul"), "");
	cr_assert_str_eq(find("dup"), "Dupont Marie;Dupré Jeanne;Duprée Jean");
}

Test(search, one_letter)
{
	cr_assert_str_eq(find("m"), "Dupont Marie;Martin Luc;Müller Jürgen");
	cr_assert_str_eq(find("J"), "Dupré Jeanne;Duprée Jean;Müller Jürgen;Van den Berg Jan");
	cr_assert_str_eq(find("é"), "");
	cr_assert_str_eq(find("z"), "");
}

Test(search, follows_changes)
{
	struct person p;
	char *cause = NULL;
	int n;

	cr_assert_eq(db_search_persons(c, "martin", hits, MAXHITS, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(db_person_get(c, hits[0].person_id, &p), RC_OK);
	strcpy(p.family_name, "Martens");
	strcpy(p.birth_date, "1977-02-03");
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_person_update(c, &p, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK);
	cr_assert_str_eq(find("martin"), "");
	cr_assert_str_eq(find("marte luc"), "Martens Luc");
	cr_assert_str_eq(find("martens 03/02/1977"), "Martens Luc");
	cr_assert_str_eq(find("martens 02/02/1977"), "");
}

/* Many persons behind one prefix and a filter that rejects them all: the
 * scan is bounded, the answer quick and empty. */
Test(search, selective_filter_is_bounded)
{
	struct person p;
	struct timespec t0, t1;
	char *cause = NULL, given[16];
	int n;
	long us;

	cr_assert_eq(db_cache_bulk_begin(c, &cause), RC_OK, "%s", cause);
	for (int i = 0; i < 20000; i++) {
		snprintf(given, sizeof given, "Given%05d", i);
		helper_person(&p, "Aerts", given, "1960-01-01", NULL);
		cr_assert_eq(db_person_insert(c, &p, "", &cause), RC_OK, "%s", cause);
	}
	cr_assert_eq(db_cache_bulk_end(c, &cause), RC_OK, "%s", cause);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(db_search_persons(c, "a 1999", hits, MAXHITS, &n), RC_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_assert_eq(n, 0);
	us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
	cr_assert_lt(us, 200000, "took %ld us", us); /* generous: sanitizers, slow CI */

	cr_assert_eq(db_search_persons(c, "a", hits, MAXHITS, &n), RC_OK);
	cr_assert_eq(n, MAXHITS);
	cr_assert_str_eq(hits[0].given_name, "Given00000");
	cr_assert_str_eq(hits[MAXHITS - 1].given_name, "Given00019");
	cr_assert_eq(db_search_persons(c, "aerts given1999", hits, MAXHITS, &n), RC_OK);
	cr_assert_eq(n, 10, "n=%d", n); /* Given19990 .. Given19999 */
	cr_assert_eq(db_search_persons(c, "given19999", hits, MAXHITS, &n), RC_OK);
	cr_assert_eq(n, 1);

	/* Behind 20,000 Aerts, one Zoë: partial words in either order. */
	add("Aerts", "Zoë", "1999-09-09", NULL, NULL);
	cr_assert_str_eq(find("z aer"), "Aerts Zoë");
	cr_assert_str_eq(find("aer z"), "Aerts Zoë");
	cr_assert_str_eq(find("aer zo 1999"), "Aerts Zoë");
	/* (A bare year only filters the first index entries of a prefix:
	 * "a 1999" is allowed to miss her; a whole date is exact.) */
	cr_assert_str_eq(find("a 09/09/1999"), "Aerts Zoë");
}

/* Each hit as its person row has it: the copies in the index are current. */
static void assert_hits_are_rows(const char *query)
{
	struct person p;
	int n = -1;

	cr_assert_eq(db_search_persons(c, query, hits, MAXHITS, &n), RC_OK, "query %s", query);
	cr_assert_gt(n, 0, "query %s", query);
	for (int i = 0; i < n; i++) {
		cr_assert_eq(db_person_get(c, hits[i].person_id, &p), RC_OK);
		cr_assert_not(p.meta.deleted);
		cr_assert_str_eq(hits[i].insz, p.insz, "query %s", query);
		cr_assert_str_eq(hits[i].family_name, p.family_name, "query %s", query);
		cr_assert_str_eq(hits[i].given_name, p.given_name, "query %s", query);
		cr_assert_str_eq(hits[i].birth_date, p.birth_date, "query %s", query);
		cr_assert_str_eq(hits[i].postcode, p.postcode, "query %s", query);
		cr_assert_str_eq(hits[i].municipality, p.municipality, "query %s", query);
	}
}

/* Every path of a name search: whole query, skip scan, longest word. */
Test(search, hits_carry_the_display_fields)
{
	assert_hits_are_rows("d");
	assert_hits_are_rows("dupre jean");
	assert_hits_are_rows("jean dup");
	assert_hits_are_rows("berg van");
	assert_hits_are_rows("sophie");
	assert_hits_are_rows("dupre 1970");
	assert_hits_are_rows("12/03/1970");
	assert_hits_are_rows(insz_jean);
	cr_assert_str_eq(find("duprée"), "Duprée Jean");
	cr_assert_str_eq(hits[0].insz, insz_jean);
	cr_assert_str_eq(hits[0].postcode, "1000");
	cr_assert_str_eq(hits[0].municipality, "Bruxelles");
}

static void update(struct person *p)
{
	char *cause = NULL;

	cr_assert_eq(db_cache_begin(c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_person_update(c, p, "s-1", &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK, "%s", cause);
}

/* The names do not change, the fields a hit shows do. */
Test(search, hits_follow_address_and_insz_changes)
{
	struct person p;
	char insz[12];
	int n;

	cr_assert_str_eq(find("martin luc"), "Martin Luc");
	cr_assert_str_eq(hits[0].insz, "");
	cr_assert_eq(db_person_get(c, hits[0].person_id, &p), RC_OK);
	helper_insz(1977, 2, 2, 45, insz);
	strcpy(p.insz, insz);
	strcpy(p.postcode, "4000");
	strcpy(p.municipality, "Liège");
	update(&p);
	cr_assert_eq(db_search_persons(c, "martin", hits, MAXHITS, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(hits[0].insz, insz);
	cr_assert_str_eq(hits[0].postcode, "4000");
	cr_assert_str_eq(hits[0].municipality, "Liège");
	assert_hits_are_rows("luc");
	assert_hits_are_rows("mar l");

	strcpy(p.postcode, "9000");
	strcpy(p.municipality, "Gent");
	strcpy(p.insz, "");
	update(&p);
	assert_hits_are_rows("martin");
	cr_assert_str_eq(hits[0].municipality, "Gent");
	cr_assert_str_eq(hits[0].insz, "");
	cr_assert_str_eq(find(insz), "");
}

static long count(const char *sql)
{
	sqlite3_stmt *st;
	long v = -1;

	cr_assert_eq(sqlite3_prepare_v2(db_cache_handle(c), sql, -1, &st, NULL), SQLITE_OK, "%s",
	             sqlite3_errmsg(db_cache_handle(c)));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

Test(search, deleted_persons_leave_the_index)
{
	struct person p;
	char sql[160];

	cr_assert_str_eq(find("dupont"), "Dupont Marie");
	cr_assert_eq(db_person_get(c, hits[0].person_id, &p), RC_OK);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM person_key WHERE person_id = '%s'",
	         p.meta.id);
	cr_assert_gt(count(sql), 0);
	p.meta.deleted = true;
	update(&p);
	cr_assert_eq(count(sql), 0);
	cr_assert_str_eq(find("dupont"), "");
	cr_assert_str_eq(find("marie"), "");
	cr_assert_str_eq(find("dup"), "Dupré Jeanne;Duprée Jean");
	/* Restored: found again, as it is now. */
	p.meta.deleted = false;
	strcpy(p.municipality, "Namur");
	update(&p);
	cr_assert_str_eq(find("marie dup"), "Dupont Marie");
	cr_assert_str_eq(hits[0].municipality, "Namur");
}

/* A cache of schema 1 (person_key with keys only) is migrated, and its
 * index rebuilt with the display columns when it is opened. */
Test(search, schema_1_index_is_rebuilt)
{
	sqlite3 *db = db_cache_handle(c);
	char *cause = NULL, *path, format[16];
	long keys = count("SELECT count(*) FROM person_key");

	cr_assert_eq(sqlite3_exec(db,
	                          "BEGIN;"
	                          "CREATE TABLE old_key AS SELECT key, person_id FROM person_key;"
	                          "DROP TABLE person_key;"
	                          "CREATE TABLE person_key (key TEXT NOT NULL, "
	                          "person_id TEXT NOT NULL, PRIMARY KEY (key, person_id)) "
	                          "WITHOUT ROWID;"
	                          "INSERT INTO person_key SELECT key, person_id FROM old_key;"
	                          "DROP TABLE old_key;"
	                          "UPDATE setting SET value = '1' WHERE key = 'search_key_format';"
	                          /* schema 1 had no change history (0003) */
	                          "DROP TABLE person_history;"
	                          /* nor the sync client's state (0004) */
	                          "DROP TRIGGER person_before; DROP TRIGGER application_before;"
	                          "DROP TRIGGER application_document_before;"
	                          "DROP TRIGGER staff_before;"
	                          "DROP TABLE contact_form; DROP TABLE conflict;"
	                          "DROP TABLE sync_state; DROP TABLE outbox_before;"
	                          "DROP TABLE sync_rejected; DROP TABLE sync_held;"
	                          "DROP INDEX outbox_row; ALTER TABLE outbox DROP COLUMN base;"
	                          "PRAGMA user_version = 1;"
	                          "COMMIT",
	                          NULL, NULL, NULL),
	             SQLITE_OK, "%s", sqlite3_errmsg(db));
	cr_assert_eq(count("SELECT count(*) FROM pragma_table_info('person_key')"), 2);
	db_cache_close(c);

	path = helper_path(dir, "cache.db");
	c = NULL;
	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	free(path);
	cr_assert_eq(db_cache_schema_version(c), db_cache_schema_latest());
	cr_assert_eq(count("SELECT count(*) FROM pragma_table_info('person_key')"), 8);
	cr_assert_eq(count("SELECT count(*) FROM person_key"), keys);
	cr_assert_eq(count("SELECT count(*) FROM person_key WHERE family_name = ''"), 0);
	cr_assert_eq(db_cache_get_setting(c, "search_key_format", format, sizeof format), RC_OK);
	cr_assert_str_neq(format, "1");
	cr_assert_str_eq(find("dup"), "Dupont Marie;Dupré Jeanne;Duprée Jean");
	cr_assert_str_eq(find("dupuis"), "");
	assert_hits_are_rows("d");
	assert_hits_are_rows("j");
	cr_assert_str_eq(find("duprée"), "Duprée Jean");
	cr_assert_str_eq(hits[0].insz, insz_jean);
	cr_assert_str_eq(hits[0].municipality, "Bruxelles");
}
