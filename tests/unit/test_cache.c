/* test_cache.c: the cache file: migrations, refusals, mode, WAL, several
 * processes writing at once, change notification, settings. */
#include "helpers.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "db/outbox.h"
#include "db/person.h"

static char *dir, *path;

static void setup(void)
{
	dir = helper_tmpdir();
	path = helper_path(dir, "cache.db");
}

static void teardown(void)
{
	free(path);
	helper_rmdir(dir);
}

TestSuite(cache, .init = setup, .fini = teardown);

/* The whole file, malloc'd, size in *len. */
static char *slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "open %s", p);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static long raw_long(const char *p, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long v = -1;

	cr_assert_eq(sqlite3_open(p, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s",
	             sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void raw_exec(const char *p, const char *sql)
{
	sqlite3 *db;

	cr_assert_eq(sqlite3_open(p, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

Test(cache, fresh_file_is_migrated)
{
	struct cache *c = NULL;
	char *cause = NULL;

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	cr_assert_geq(db_cache_schema_latest(), 1);
	cr_assert_eq(db_cache_schema_version(c), db_cache_schema_latest());
	db_cache_close(c);
	cr_assert_eq(raw_long(path, "PRAGMA user_version"), db_cache_schema_latest());
	cr_assert_eq(raw_long(path, "PRAGMA application_id"), 0x48414e44);
	cr_assert_eq(raw_long(path,
	                      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
	                      "('centre', 'staff', 'person', 'application', "
	                      "'application_document', 'audit', 'outbox', 'person_key', "
	                      "'setting')"),
	             9);
}

Test(cache, reopen_is_a_no_op)
{
	struct cache *c = NULL;
	char *cause = NULL, value[32];
	long objects;

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_set_setting(c, "theme", "contrast"), RC_OK);
	db_cache_close(c);
	objects = raw_long(path, "SELECT count(*) FROM sqlite_schema");

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_schema_version(c), db_cache_schema_latest());
	cr_assert_eq(db_cache_get_setting(c, "theme", value, sizeof value), RC_OK);
	cr_assert_str_eq(value, "contrast");
	db_cache_close(c);
	cr_assert_eq(raw_long(path, "SELECT count(*) FROM sqlite_schema"), objects);
}

Test(cache, newer_schema_is_refused_and_untouched)
{
	struct cache *c = NULL;
	char *cause = NULL, *before, *after, sql[64];
	size_t n1, n2;

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	db_cache_close(c);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", db_cache_schema_latest() + 1);
	raw_exec(path, sql);
	before = slurp(path, &n1);

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_SCHEMA);
	cr_assert_null(c);
	cr_assert_not_null(cause);
	cr_assert(strstr(cause, "newer handesk"), "cause: %s", cause);
	cr_assert(strstr(cause, "upgrade handesk"), "cause: %s", cause);
	snprintf(sql, sizeof sql, "schema %d, this build knows %d", db_cache_schema_latest() + 1,
	         db_cache_schema_latest());
	cr_assert(strstr(cause, sql), "cause: %s", cause);
	free(cause);

	after = slurp(path, &n2);
	cr_assert_eq(n1, n2);
	cr_assert_eq(memcmp(before, after, n1), 0, "the file was changed");
	free(before);
	free(after);
}

Test(cache, non_sqlite_file_is_refused)
{
	static const char text[] = "family;given\nDupont;Marie\n";
	struct cache *c = NULL;
	char *cause = NULL, *after;
	size_t n;
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	cr_assert_neq(db_cache_open(path, &c, &cause), RC_OK);
	cr_assert_null(c);
	cr_assert(strstr(cause, "not a handesk cache"), "cause: %s", cause);
	cr_assert(strstr(cause, "not an SQLite database"), "cause: %s", cause);
	free(cause);
	after = slurp(path, &n);
	cr_assert_eq(n, strlen(text));
	cr_assert_eq(memcmp(after, text, n), 0);
	free(after);
}

Test(cache, other_programs_database_is_refused)
{
	struct cache *c = NULL;
	char *cause = NULL;

	raw_exec(path, "CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url TEXT)");
	cr_assert_neq(db_cache_open(path, &c, &cause), RC_OK);
	cr_assert(strstr(cause, "not a handesk cache"), "cause: %s", cause);
	free(cause);
	cr_assert_eq(raw_long(path, "PRAGMA user_version"), 0);
}

Test(cache, file_mode_is_0600_whatever_the_umask)
{
	struct cache *c = NULL;
	char *cause = NULL;
	struct stat sb;
	mode_t old = umask(0);

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	umask(old);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600, "mode %o", (unsigned)(sb.st_mode & 0777));
	db_cache_close(c);
}

Test(cache, wal_mode)
{
	struct cache *c = NULL;
	char *cause = NULL;
	sqlite3_stmt *st;

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(sqlite3_prepare_v2(db_cache_handle(c), "PRAGMA journal_mode", -1, &st, NULL),
	             SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	cr_assert_eq(sqlite3_prepare_v2(db_cache_handle(c), "PRAGMA foreign_keys", -1, &st, NULL),
	             SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	db_cache_close(c);
}

#define LOOPS 300

/* One writer: LOOPS transactions each inserting a person (with its outbox
 * row and search keys).  Returns the number of failures. */
static int writer(const char *p, const char *who)
{
	struct cache *c = NULL;
	struct person per;
	char *cause = NULL, given[32];
	int failures = 0;

	if (db_cache_open(p, &c, &cause) != RC_OK) {
		fprintf(stderr, "%s: open: %s\n", who, cause);
		return LOOPS;
	}
	for (int i = 0; i < LOOPS; i++) {
		snprintf(given, sizeof given, "%s %d", who, i);
		helper_person(&per, "Writer", given, "1980-01-01", NULL);
		if (db_cache_begin(c, &cause) || db_person_insert(c, &per, "", &cause) ||
		    db_cache_commit(c, &cause)) {
			fprintf(stderr, "%s: %s\n", who, cause ? cause : "?");
			free(cause);
			cause = NULL;
			db_cache_rollback(c);
			failures++;
		}
	}
	db_cache_close(c);
	return failures;
}

Test(cache, two_processes_write_at_once)
{
	struct cache *c = NULL;
	char *cause = NULL;
	int status, failures;
	pid_t pid;

	/* Created first, so both writers find it migrated or migrate it. */
	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	db_cache_close(c);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0)
		_exit(writer(path, "child") ? 1 : 0);
	failures = writer(path, "parent");
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child failed");
	cr_assert_eq(failures, 0);

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_person_count(c), 2 * LOOPS);
	cr_assert_eq(db_outbox_count(c), 2 * LOOPS);
	db_cache_close(c);
}

Test(cache, fresh_file_opened_by_two_processes_at_once)
{
	struct cache *c = NULL;
	char *cause = NULL;
	int status;
	pid_t pid = fork();

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		enum rc rc = db_cache_open(path, &c, &cause);
		if (rc)
			fprintf(stderr, "child: %s\n", cause);
		db_cache_close(c);
		_exit(rc == RC_OK ? 0 : 1);
	}
	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child failed");
	cr_assert_eq(db_cache_schema_version(c), db_cache_schema_latest());
	db_cache_close(c);
}

/* Many processes racing to create one file: each must see either no
 * schema or the whole of migration 1, never tables without the
 * application_id (which once read as "not a handesk cache"). */
Test(cache, fresh_file_opened_by_many_processes_at_once)
{
	enum { ROUNDS = 40, PROCS = 6 };
	int failed = 0;

	for (int r = 0; r < ROUNDS; r++) {
		char *p = NULL;
		cr_assert(asprintf(&p, "%s/race-%d.db", dir, r) > 0);
		for (int k = 0; k < PROCS; k++) {
			pid_t pid = fork();
			cr_assert_neq(pid, -1);
			if (pid == 0) {
				struct cache *c = NULL;
				char *cause = NULL;
				enum rc rc = db_cache_open(p, &c, &cause);
				if (rc)
					fprintf(stderr, "round %d: %s\n", r, cause);
				db_cache_close(c);
				_exit(rc == RC_OK ? 0 : 1);
			}
		}
		for (int k = 0; k < PROCS; k++) {
			int status;
			cr_assert_neq(wait(&status), -1);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				failed++;
		}
		free(p);
	}
	cr_assert_eq(failed, 0, "%d of %d opens failed", failed, ROUNDS * PROCS);
}

Test(cache, begin_waits_for_another_process)
{
	struct cache *c = NULL;
	char *cause = NULL;
	int status, pipefd[2];
	struct timespec t0, t1;
	char ready;
	pid_t pid;

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		/* Hold the write lock for 300 ms. */
		struct cache *w = NULL;
		struct timespec hold = {0, 300000000L};
		if (db_cache_open(path, &w, NULL) || db_cache_begin(w, NULL))
			_exit(1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		nanosleep(&hold, NULL);
		_exit(db_cache_commit(w, NULL) ? 1 : 0);
	}
	cr_assert_eq(read(pipefd[0], &ready, 1), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK, "%s", cause);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK, "%s", cause);
	cr_assert_gt((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000, 100,
	             "begin did not wait for the other writer");
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(pipefd[0]);
	close(pipefd[1]);
	db_cache_close(c);
}

Test(cache, data_version_changes_on_another_connections_commit)
{
	struct cache *a = NULL, *b = NULL;
	char *cause = NULL;
	long v1, v2, v3;

	cr_assert_eq(db_cache_open(path, &a, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_open(path, &b, &cause), RC_OK, "%s", cause);
	v1 = db_cache_data_version(a);
	cr_assert_eq(db_cache_data_version(a), v1, "no change, same version");
	cr_assert_eq(db_cache_set_setting(b, "k", "v"), RC_OK);
	v2 = db_cache_data_version(a);
	cr_assert_neq(v1, v2);
	/* Its own commits do not count (it knows about them). */
	cr_assert_eq(db_cache_set_setting(a, "k", "w"), RC_OK);
	v3 = db_cache_data_version(a);
	cr_assert_eq(v2, v3);
	db_cache_close(a);
	db_cache_close(b);
}

Test(cache, settings)
{
	struct cache *c = NULL;
	char *cause = NULL, out[8];

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_get_setting(c, "nothing", out, sizeof out), RC_NOTFOUND);
	cr_assert_eq(db_cache_set_setting(c, "lang", "nl"), RC_OK);
	cr_assert_eq(db_cache_set_setting(c, "lang", "de"), RC_OK);
	cr_assert_eq(db_cache_get_setting(c, "lang", out, sizeof out), RC_OK);
	cr_assert_str_eq(out, "de");
	/* Inside a transaction, part of it. */
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK);
	cr_assert_eq(db_cache_set_setting(c, "lang", "fr"), RC_OK);
	db_cache_rollback(c);
	cr_assert_eq(db_cache_get_setting(c, "lang", out, sizeof out), RC_OK);
	cr_assert_str_eq(out, "de");
	/* Truncated to the buffer. */
	cr_assert_eq(db_cache_set_setting(c, "long", "0123456789"), RC_OK);
	cr_assert_eq(db_cache_get_setting(c, "long", out, sizeof out), RC_OK);
	cr_assert_str_eq(out, "0123456");
	db_cache_close(c);
}

Test(cache, writes_need_a_transaction)
{
	struct cache *c = NULL;
	struct person p;
	char *cause = NULL;

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	helper_person(&p, "Peeters", "An", "1990-05-06", NULL);
	cr_assert_neq(db_person_insert(c, &p, "", &cause), RC_OK);
	cr_assert(strstr(cause, "outside a transaction"), "cause: %s", cause);
	free(cause);
	cr_assert_eq(db_person_count(c), 0);
	db_cache_close(c);
}

Test(cache, unknown_parameter_name_is_an_error)
{
	struct cache *c = NULL;
	sqlite3_stmt *st;
	char *cause = NULL;

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_cache_stmt(c, "SELECT :a", &st, &cause), RC_OK);
	db_cache_bind_text(c, st, ":b", "x");
	cr_assert_neq(db_cache_step(c, st, NULL, &cause), RC_OK);
	cr_assert(strstr(cause, ":b"), "cause: %s", cause);
	free(cause);
	sqlite3_reset(st);
	db_cache_close(c);
}

/* The migrations built into this binary (db/local/NNNN-*.sql). */
extern const char *const local_sql[];
extern const int local_sql_count;

Test(cache, migration_3_applies_on_a_version_2_cache)
{
	struct cache *c = NULL;
	struct person_change *h = NULL;
	char *cause = NULL;
	int n = 0;

	/* A cache as handesk left it at schema 2, with a person in it. */
	cr_assert_geq(local_sql_count, 3);
	raw_exec(path, local_sql[0]);
	raw_exec(path, local_sql[1]);
	raw_exec(path, "PRAGMA user_version = 2");
	raw_exec(path, "INSERT INTO person(id, centre_id, updated_at, family_name) VALUES "
	               "('p-2', 'c-1', '2026-01-02T03:04:05.000Z', 'Peeters')");
	cr_assert_eq(raw_long(path, "SELECT count(*) FROM sqlite_schema "
	                            "WHERE name = 'person_history'"),
	             0);

	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "%s", cause);
	cr_assert_geq(db_cache_schema_version(c), 3);
	cr_assert_eq(db_cache_begin(c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_person_history_append(c, "p-2", "s-1", "director",
	                                      "phone: (empty) -> +32471", &cause),
	             RC_OK, "%s", cause);
	cr_assert_eq(db_person_history_append(c, "no-such", "s-1", "director", "x", &cause),
	             RC_NOTFOUND);
	free(cause);
	cause = NULL;
	cr_assert_eq(db_cache_commit(c, &cause), RC_OK, "%s", cause);
	cr_assert_eq(db_person_history_list(c, "p-2", 10, &h, &n), RC_OK);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(h[0].changes, "phone: (empty) -> +32471");
	cr_expect_str_eq(h[0].role, "director");
	free(h);
	db_cache_close(c);
	cr_assert_eq(raw_long(path, "PRAGMA user_version"), db_cache_schema_latest());
	cr_assert_eq(raw_long(path, "SELECT count(*) FROM person_history WHERE person_id = 'p-2' "
	                            "AND centre_id = 'c-1' AND changed_by = 's-1'"),
	             1, "the row takes the person's centre");
	cr_assert_eq(raw_long(path, "SELECT count(*) FROM outbox WHERE entity = 'person_history'"),
	             1, "and syncs");
	cr_assert_eq(raw_long(path, "SELECT count(*) FROM sqlite_schema WHERE name IN "
	                            "('person_history_person', 'person_history_no_update', "
	                            "'person_history_no_delete')"),
	             3);
}
