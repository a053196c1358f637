/* cache.c: the local SQLite cache: open and migrate, transactions that
 * wait for other processes, cached statements, bulk loading, settings. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "search.h"
#include "src/i18n.h"
#include "src/person.h"

/* Generated from db/local/NNNN-*.sql: migration i + 1 is local_sql[i]. */
extern const char *const local_sql[];
extern const int local_sql_count;

#define BUSY_TIMEOUT_MS   5000       /* sqlite3's own wait for a lock */
#define BEGIN_DEADLINE_MS 10000      /* then db_cache_begin gives up with a clear message */
#define APPLICATION_ID    1212239428 /* 'HAND', set by 0001-init.sql */
#define BULK_CACHE_KIB    524288     /* page cache while bulk loading */
/* Page cache of a working connection.  SQLite's default (2 MiB) is smaller
 * than what the first keystrokes of a search touch at national scale, and
 * the thrashing shows as 2-5 ms per new prefix instead of 0.3 ms. */
#define CACHE_KIB     16384
#define STRINGIFY_(x) #x
#define STRINGIFY(x)  STRINGIFY_(x)

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *st;
};

struct cache {
	sqlite3 *db;
	char *path;
	struct stmt_slot *stmts; /* the statement cache */
	int nstmts, capstmts;
	char bind_error[96];    /* first failed bind since the statement was fetched */
	bool read_tx;           /* db_cache_begin_read opened a transaction */
	bool bulk;              /* between bulk_begin and bulk_end */
	int bulk_depth;         /* savepoints standing for db_cache_begin in bulk mode */
	char **bulk_index_name; /* indexes dropped for the bulk load ... */
	char **bulk_index_sql;  /* ... and their definitions, to recreate them at its end */
	int nbulk_index;
	struct checkpointer *ckpt; /* db_cache_checkpoint_in_background */
};

/* The background checkpointer: its own connection, its own thread. */
#define CHECKPOINT_EVERY_MS       20
#define CHECKPOINT_RESTART_FRAMES 16384 /* 64 MiB of log: make it start again */
struct checkpointer {
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop; /* under lock */
};

/* The format is translated here: xgettext extracts the second argument of
 * every db_cache_cause call (po/Makevars), so the messages of db/ reach
 * the user in their language without a _() at each call. */
void db_cache_cause(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (!cause)
		return;
	va_start(ap, fmt);
	if (vasprintf(cause, gettext(fmt), ap) < 0)
		*cause = NULL;
	va_end(ap);
}

enum rc db_cache_error(struct cache *c, int src, const char *what, char **cause)
{
	const char *msg = c && c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(src);

	switch (src & 0xff) {
	case SQLITE_NOMEM:
		db_cache_cause(cause, "%s: out of memory", what);
		return RC_NOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		db_cache_cause(cause,
		               "%s: the cache is busy (another handesk process is writing to it); "
		               "try again",
		               what);
		return RC_IO;
	case SQLITE_CONSTRAINT:
		db_cache_cause(cause, "%s: %s", what, msg);
		if (src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY)
			return RC_DUPLICATE;
		return RC_INVALID;
	case SQLITE_NOTADB:
		db_cache_cause(cause, "%s: the file is not an SQLite database (or is damaged)",
		               what);
		return RC_IO;
	default:
		db_cache_cause(cause, "%s: %s", what, msg);
		return RC_IO;
	}
}

struct sqlite3 *db_cache_handle(struct cache *c)
{
	return c->db;
}

bool db_cache_in_bulk(struct cache *c)
{
	return c->bulk;
}

enum rc db_cache_need_tx(struct cache *c, const char *fn, char **cause)
{
	if (!sqlite3_get_autocommit(c->db))
		return RC_OK;
	db_cache_cause(cause, "%s: called outside a transaction (internal error)", fn);
	return RC_IO;
}

enum rc db_cache_exec(struct cache *c, const char *sql, char **cause)
{
	int src = sqlite3_exec(c->db, sql, NULL, NULL, NULL);

	if (src == SQLITE_OK)
		return RC_OK;
	return db_cache_error(c, src, "cache", cause);
}

enum rc db_cache_stmt(struct cache *c, const char *sql, struct sqlite3_stmt **out, char **cause)
{
	struct stmt_slot *slot;
	int i, found = -1, src;

	c->bind_error[0] = '\0';
	/* The same literal is the same pointer: compare those first. */
	for (i = 0; i < c->nstmts && found < 0; i++)
		if (c->stmts[i].sql == sql)
			found = i;
	for (i = 0; i < c->nstmts && found < 0; i++)
		if (strcmp(c->stmts[i].sql, sql) == 0)
			found = i;
	if (found >= 0) {
		sqlite3_stmt *st = c->stmts[found].st;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		*out = st;
		return RC_OK;
	}
	if (c->nstmts == c->capstmts) {
		int cap = c->capstmts ? 2 * c->capstmts : 32;
		struct stmt_slot *p = realloc(c->stmts, cap * sizeof *p);
		if (!p) {
			db_cache_cause(cause, "out of memory");
			return RC_NOMEM;
		}
		c->stmts = p;
		c->capstmts = cap;
	}
	slot = &c->stmts[c->nstmts];
	src = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->st, NULL);
	if (src != SQLITE_OK) {
		sqlite3_finalize(slot->st);
		return db_cache_error(c, src, "cache: preparing a statement", cause);
	}
	slot->sql = sql;
	c->nstmts++;
	*out = slot->st;
	return RC_OK;
}

static int bind_index(struct cache *c, sqlite3_stmt *st, const char *name)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i == 0 && !c->bind_error[0])
		snprintf(c->bind_error, sizeof c->bind_error, "no parameter %s", name);
	return i;
}

void db_cache_bind_text(struct cache *c, struct sqlite3_stmt *st, const char *name, const char *v)
{
	int i = bind_index(c, st, name);

	/* SQLITE_STATIC: the value is only read by the step that follows, and
	 * db_cache_stmt clears the bindings before any other use. */
	if (i && sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC) != SQLITE_OK &&
	    !c->bind_error[0])
		snprintf(c->bind_error, sizeof c->bind_error, "cannot bind %s", name);
}

void db_cache_bind_int(struct cache *c, struct sqlite3_stmt *st, const char *name, long long v)
{
	int i = bind_index(c, st, name);

	if (i && sqlite3_bind_int64(st, i, v) != SQLITE_OK && !c->bind_error[0])
		snprintf(c->bind_error, sizeof c->bind_error, "cannot bind %s", name);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Sleep 2..9 ms: short, and jittered so that waiting processes do not
 * retry in lockstep. */
static void short_sleep(void)
{
	struct timespec ts = {0, (2 + rand() % 8) * 1000000L};

	nanosleep(&ts, NULL);
}

enum rc db_cache_step(struct cache *c, struct sqlite3_stmt *st, bool *row, char **cause)
{
	/* Outside a transaction, a statement not yet started may meet
	 * SQLITE_BUSY without sqlite3 waiting (another process opening the
	 * file, recovering or changing its journal mode): wait and retry it
	 * as db_cache_begin does. */
	bool retry = !sqlite3_stmt_busy(st) && sqlite3_get_autocommit(c->db);
	long deadline = 0;
	int src;

	if (c->bind_error[0]) {
		db_cache_cause(cause, "cache: %s in \"%s\" (internal error)", c->bind_error,
		               sqlite3_sql(st));
		return RC_IO;
	}
	for (;;) {
		src = sqlite3_step(st);
		if ((src & 0xff) != SQLITE_BUSY || !retry)
			break;
		if (!deadline)
			deadline = now_ms() + BEGIN_DEADLINE_MS;
		else if (now_ms() >= deadline)
			break;
		sqlite3_reset(st);
		short_sleep();
	}
	if (row)
		*row = src == SQLITE_ROW;
	if (src == SQLITE_ROW || src == SQLITE_DONE)
		return RC_OK;
	/* sqlite3_errmsg is only meaningful before the reset. */
	return db_cache_error(c, sqlite3_extended_errcode(c->db), "cache", cause);
}

void db_cache_column_text(struct sqlite3_stmt *st, int i, char *out, unsigned size)
{
	const char *v = (const char *)sqlite3_column_text(st, i);

	if (size > 0)
		snprintf(out, size, "%s", v ? v : "");
}

void db_cache_column_meta(struct sqlite3_stmt *st, struct row_meta *m)
{
	db_cache_column_text(st, 0, m->id, sizeof m->id);
	db_cache_column_text(st, 1, m->centre_id, sizeof m->centre_id);
	m->version = (long)sqlite3_column_int64(st, 2);
	db_cache_column_text(st, 3, m->updated_at, sizeof m->updated_at);
	db_cache_column_text(st, 4, m->updated_by, sizeof m->updated_by);
	m->deleted = sqlite3_column_int(st, 5) != 0;
}

enum rc db_cache_step_meta(struct cache *c, struct sqlite3_stmt *st, struct row_meta *m,
                           const char *by, bool *row, char **cause)
{
	enum rc rc;

	rc = db_cache_step(c, st, row, cause);
	if (!rc && *row) {
		db_cache_column_text(st, 0, m->updated_at, sizeof m->updated_at);
		m->version = (long)sqlite3_column_int64(st, 1);
		snprintf(m->updated_by, sizeof m->updated_by, "%s", by ? by : "");
	}
	sqlite3_reset(st);
	return rc;
}

enum rc db_cache_get_one(struct cache *c, struct sqlite3_stmt *st,
                         void (*read)(struct sqlite3_stmt *, void *), void *out)
{
	bool row;
	enum rc rc;

	rc = db_cache_step(c, st, &row, NULL);
	if (!rc && !row)
		rc = RC_NOTFOUND;
	if (!rc)
		read(st, out);
	sqlite3_reset(st);
	return rc;
}

enum rc db_cache_collect(struct cache *c, struct sqlite3_stmt *st, size_t size,
                         void (*read)(struct sqlite3_stmt *, void *), void **out, int *n)
{
	char *v = NULL;
	int cap = 0;
	bool row;
	enum rc rc;

	*out = NULL;
	*n = 0;
	for (;;) {
		rc = db_cache_step(c, st, &row, NULL);
		if (rc || !row)
			break;
		if (*n == cap) {
			char *p;
			cap = cap ? 2 * cap : 16;
			p = realloc(v, (size_t)cap * size);
			if (!p) {
				rc = RC_NOMEM;
				break;
			}
			v = p;
		}
		read(st, v + (size_t)*n * size);
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc) {
		free(v);
		*n = 0;
		return rc;
	}
	*out = v;
	return RC_OK;
}

enum rc db_cache_stored_meta(struct cache *c, const char *sql, const char *id, const char *seen_at,
                             long *version, char *updated_at, unsigned size, char **cause)
{
	sqlite3_stmt *st;
	bool row;
	enum rc rc;

	rc = db_cache_stmt(c, sql, &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":id", id);
	rc = db_cache_step(c, st, &row, cause);
	if (!rc && !row)
		rc = RC_NOTFOUND;
	if (!rc) {
		*version = (long)sqlite3_column_int64(st, 0);
		db_cache_column_text(st, 1, updated_at, size);
	}
	sqlite3_reset(st);
	if (!rc && seen_at && strcmp(seen_at, updated_at) != 0)
		rc = RC_CONFLICT;
	return rc;
}

/* Run a transaction control statement, retrying while another process
 * holds the lock, for up to BEGIN_DEADLINE_MS. */
static enum rc exec_waiting(struct cache *c, const char *sql, char **cause)
{
	long deadline = now_ms() + BEGIN_DEADLINE_MS;
	int src;

	for (;;) {
		src = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
		if (src == SQLITE_OK)
			return RC_OK;
		if ((src & 0xff) != SQLITE_BUSY && (src & 0xff) != SQLITE_LOCKED)
			return db_cache_error(c, sqlite3_extended_errcode(c->db), "cache", cause);
		if (now_ms() >= deadline) {
			db_cache_cause(cause,
			               "the cache %s is busy: another handesk process has been "
			               "writing to it for more than %d seconds; try again",
			               c->path, BEGIN_DEADLINE_MS / 1000);
			return RC_IO;
		}
		short_sleep();
	}
}

enum rc db_cache_begin(struct cache *c, char **cause)
{
	enum rc rc;

	if (c->bulk) {
		/* Inside the one big bulk transaction, a "transaction" is a
		 * savepoint: its rollback still undoes just that change. */
		rc = db_cache_exec(c, "SAVEPOINT bulk_item", cause);
		if (!rc)
			c->bulk_depth++;
		return rc;
	}
	return exec_waiting(c, "BEGIN IMMEDIATE", cause);
}

enum rc db_cache_commit(struct cache *c, char **cause)
{
	enum rc rc;

	if (c->bulk && c->bulk_depth > 0) {
		rc = db_cache_exec(c, "RELEASE bulk_item", cause);
		if (!rc)
			c->bulk_depth--;
		return rc;
	}
	if (c->bulk) {
		db_cache_cause(cause, "cache: commit without begin during a bulk load");
		return RC_IO;
	}
	rc = exec_waiting(c, "COMMIT", cause);
	if (!rc && c->ckpt) { /* the log copied while the caller goes on */
		pthread_mutex_lock(&c->ckpt->lock);
		pthread_cond_signal(&c->ckpt->wake);
		pthread_mutex_unlock(&c->ckpt->lock);
	}
	if (rc && !sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void bulk_forget(struct cache *c)
{
	for (int i = 0; i < c->nbulk_index; i++) {
		free(c->bulk_index_name[i]);
		free(c->bulk_index_sql[i]);
	}
	free(c->bulk_index_name);
	free(c->bulk_index_sql);
	c->bulk_index_name = NULL;
	c->bulk_index_sql = NULL;
	c->nbulk_index = 0;
	c->bulk = false;
	c->bulk_depth = 0;
}

/* Outside a transaction: the settings of a bulk load, or back to normal.
 * During a bulk load the new pages go straight into the database file (a
 * rollback journal holds only the few pages that existed before; the
 * write-ahead log would write everything twice), foreign keys are not
 * checked row by row (the rows come from the generator or the central
 * service, consistent by construction), and durability is relaxed: a crash
 * loses the load, never what was committed before it.  Leaving WAL needs
 * the only connection; with others open the load simply stays in WAL. */
static void bulk_pragmas(struct cache *c, bool on)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", on ? BULK_CACHE_KIB : CACHE_KIB);
	sqlite3_exec(c->db, sql, NULL, NULL, NULL);
	if (on)
		sqlite3_exec(c->db,
		             "PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; "
		             "PRAGMA journal_mode = DELETE",
		             NULL, NULL, NULL);
	else
		sqlite3_exec(c->db,
		             "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
		             "PRAGMA foreign_keys = ON",
		             NULL, NULL, NULL);
}

void db_cache_rollback(struct cache *c)
{
	if (c->bulk && c->bulk_depth > 0) {
		sqlite3_exec(c->db, "ROLLBACK TO bulk_item; RELEASE bulk_item", NULL, NULL, NULL);
		c->bulk_depth--;
		return;
	}
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	if (c->bulk) {
		/* The whole bulk load is undone, the dropped indexes with it. */
		bulk_forget(c);
		bulk_pragmas(c, false);
	}
}

enum rc db_cache_begin_read(struct cache *c)
{
	if (!sqlite3_get_autocommit(c->db))
		return RC_OK; /* already inside one */
	if (sqlite3_exec(c->db, "BEGIN DEFERRED", NULL, NULL, NULL) != SQLITE_OK)
		return RC_IO;
	c->read_tx = true;
	return RC_OK;
}

void db_cache_end_read(struct cache *c)
{
	if (!c->read_tx)
		return;
	c->read_tx = false;
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
}

/* One integer from a statement without parameters; -1 on error. */
static long query_long(struct cache *c, const char *sql)
{
	sqlite3_stmt *st;
	long v = -1;
	bool row;

	if (db_cache_stmt(c, sql, &st, NULL))
		return -1;
	if (!db_cache_step(c, st, &row, NULL) && row)
		v = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

long db_cache_data_version(struct cache *c)
{
	return query_long(c, "PRAGMA data_version");
}

int db_cache_schema_version(struct cache *c)
{
	return (int)query_long(c, "PRAGMA user_version");
}

int db_cache_schema_latest(void)
{
	return local_sql_count;
}

/* Create the file 0600 if missing (whatever the umask), and refuse a
 * non-empty file that does not start like an SQLite database. */
static enum rc prepare_file(const char *path, char **cause)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	struct stat sb;
	ssize_t got;
	int fd;
	enum rc rc = RC_OK;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (fchmod(fd, 0600) != 0) {
			db_cache_cause(cause, "%s: %s", path, strerror(errno));
			rc = RC_IO;
		}
		close(fd);
		return rc;
	}
	if (errno != EEXIST) {
		db_cache_cause(cause, "cannot create the cache %s: %s", path, strerror(errno));
		return RC_IO;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		db_cache_cause(cause, "cannot open the cache %s: %s", path, strerror(errno));
		return RC_IO;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		db_cache_cause(cause, "the cache %s is not a regular file", path);
		rc = RC_IO;
		goto out;
	}
	if (sb.st_size == 0)
		goto out; /* created but never written: a new cache */
	got = read(fd, head, sizeof head);
	if (got != (ssize_t)sizeof head || memcmp(head, magic, sizeof magic) != 0) {
		db_cache_cause(cause,
		               "%s is not a handesk cache (not an SQLite database); "
		               "give another file with --db",
		               path);
		rc = RC_INVALID;
	}
out:
	close(fd);
	return rc;
}

/* Refuse, before changing anything, a cache this build cannot use. */
static enum rc check_schema(struct cache *c, char **cause)
{
	long version, appid, objects;

	/* One snapshot for the three reads: another process creating this
	 * file commits migration 1 (tables and application_id together)
	 * between them otherwise, and the file looks like a foreign one. */
	if (db_cache_begin_read(c))
		return db_cache_error(c, sqlite3_extended_errcode(c->db), c->path, cause);
	version = query_long(c, "PRAGMA user_version");
	appid = query_long(c, "PRAGMA application_id");
	objects = query_long(c, "SELECT count(*) FROM sqlite_schema");
	db_cache_end_read(c);
	if (version < 0 || appid < 0 || objects < 0)
		return db_cache_error(c, sqlite3_extended_errcode(c->db), c->path, cause);
	if ((appid != 0 && appid != APPLICATION_ID) || (appid == 0 && objects > 0)) {
		db_cache_cause(cause,
		               "%s is not a handesk cache (an SQLite database of another program); "
		               "give another file with --db",
		               c->path);
		return RC_INVALID;
	}
	if (version > db_cache_schema_latest()) {
		db_cache_cause(cause,
		               "%s: this cache was made by a newer handesk (schema %ld, this build "
		               "knows %d); upgrade handesk",
		               c->path, version, db_cache_schema_latest());
		return RC_SCHEMA;
	}
	return RC_OK;
}

/* Apply the pending migrations, each in its own transaction with its
 * user_version, re-reading the version under the lock (another process
 * may be migrating the same file). */
static enum rc migrate(struct cache *c, char **cause)
{
	char sql[64];
	long v;
	int src;
	enum rc rc;

	for (;;) {
		v = query_long(c, "PRAGMA user_version");
		if (v >= db_cache_schema_latest())
			return RC_OK;
		rc = db_cache_begin(c, cause);
		if (rc)
			return rc;
		v = query_long(c, "PRAGMA user_version");
		if (v < 0 || v >= db_cache_schema_latest()) {
			db_cache_rollback(c);
			if (v < 0)
				return db_cache_error(c, SQLITE_ERROR, c->path, cause);
			continue;
		}
		src = sqlite3_exec(c->db, local_sql[v], NULL, NULL, NULL);
		if (src == SQLITE_OK) {
			snprintf(sql, sizeof sql, "PRAGMA user_version = %ld", v + 1);
			src = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
		}
		if (src != SQLITE_OK) {
			db_cache_cause(cause, "%s: migration %ld of the cache failed: %s", c->path,
			               v + 1, sqlite3_errmsg(c->db));
			db_cache_rollback(c);
			return RC_SCHEMA;
		}
		rc = db_cache_commit(c, cause);
		if (rc)
			return rc;
	}
}

enum rc db_cache_open(const char *path, struct cache **out, char **cause)
{
	struct cache *c;
	sqlite3_stmt *st;
	bool row;
	int src;
	enum rc rc;

	*out = NULL;
	c = calloc(1, sizeof *c);
	if (!c || !(c->path = strdup(path))) {
		free(c);
		db_cache_cause(cause, "out of memory");
		return RC_NOMEM;
	}
	rc = prepare_file(path, cause);
	if (rc)
		goto out;
	src = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (src != SQLITE_OK) {
		rc = db_cache_error(c, src, path, cause);
		goto out;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
	rc = check_schema(c, cause);
	if (rc)
		goto out;

	/* journal_mode answers with the mode in effect: anything but "wal"
	 * (a file system without shared memory, say) is refused. */
	rc = db_cache_stmt(c, "PRAGMA journal_mode = WAL", &st, cause);
	if (rc)
		goto out;
	rc = db_cache_step(c, st, &row, cause);
	if (!rc && (!row || strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0)) {
		db_cache_cause(cause, "%s: cannot use write-ahead logging on this file system",
		               path);
		rc = RC_IO;
	}
	sqlite3_reset(st);
	if (rc)
		goto out;
	rc = db_cache_exec(c,
	                   "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
	                   "PRAGMA cache_size = -" STRINGIFY(CACHE_KIB),
	                   cause);
	if (rc)
		goto out;
	rc = migrate(c, cause);
	if (rc)
		goto out;
	rc = db_search_index_check(c, cause);
	if (rc)
		goto out;
	*out = c;
out:
	if (rc)
		db_cache_close(c);
	return rc;
}

static void *checkpoint_loop(void *arg)
{
	struct checkpointer *k = arg;
	int r, log, done;

	pthread_mutex_lock(&k->lock);
	while (!k->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += CHECKPOINT_EVERY_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&k->wake, &k->lock, &until);
		if (k->stop)
			break;
		pthread_mutex_unlock(&k->lock);
		/* PASSIVE: as much of the log as no reader needs; SQLITE_BUSY
		 * (another checkpoint running) is fine, next time then. */
		r = sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
		/* The writer starts the log from its beginning again when it
		 * finds it all copied as it begins (a commit wakes this thread
		 * for that).  Should commits come too fast for that, RESTART
		 * once all is copied: it takes the write lock (a writer waits
		 * a few ms), so only rarely; with no busy handler it gives up at
		 * once if the lock is taken. */
		if (r == SQLITE_OK && log >= CHECKPOINT_RESTART_FRAMES && done == log)
			sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_RESTART, NULL,
			                          NULL);
		pthread_mutex_lock(&k->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

void db_cache_checkpoint_in_background(struct cache *c)
{
	struct checkpointer *k;

	if (c->ckpt || !sqlite3_threadsafe())
		return;
	k = calloc(1, sizeof *k);
	if (!k)
		return;
	/* A read first: a connection sees the WAL (and can checkpoint it)
	 * once it has read the database. */
	if (sqlite3_open_v2(c->path, &k->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
	        SQLITE_OK ||
	    sqlite3_exec(k->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
	        SQLITE_OK) {
		sqlite3_close(k->db);
		free(k);
		return;
	}
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->wake, NULL);
	if (pthread_create(&k->thread, NULL, checkpoint_loop, k) != 0) {
		pthread_cond_destroy(&k->wake);
		pthread_mutex_destroy(&k->lock);
		sqlite3_close(k->db);
		free(k);
		return;
	}
	c->ckpt = k;
	sqlite3_wal_autocheckpoint(c->db, 0);
}

static void checkpointer_stop(struct cache *c)
{
	struct checkpointer *k = c->ckpt;

	if (!k)
		return;
	pthread_mutex_lock(&k->lock);
	k->stop = true;
	pthread_cond_signal(&k->wake);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	pthread_cond_destroy(&k->wake);
	pthread_mutex_destroy(&k->lock);
	sqlite3_close(k->db);
	free(k);
	c->ckpt = NULL;
	sqlite3_wal_autocheckpoint(c->db, 1000);
}

void db_cache_autocheckpoint(struct cache *c, int pages)
{
	if (!c->ckpt)
		sqlite3_wal_autocheckpoint(c->db, pages);
}

void db_cache_close(struct cache *c)
{
	if (!c)
		return;
	checkpointer_stop(c);
	if (c->db) {
		if (!sqlite3_get_autocommit(c->db))
			sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		for (int i = 0; i < c->nstmts; i++)
			sqlite3_finalize(c->stmts[i].st);
		if (c->nstmts > 0) /* only for a cache really in use */
			sqlite3_exec(c->db, "PRAGMA analysis_limit = 400; PRAGMA optimize", NULL,
			             NULL, NULL);
		sqlite3_close(c->db);
	}
	bulk_forget(c);
	free(c->stmts);
	free(c->path);
	free(c);
}

enum rc db_cache_bulk_begin(struct cache *c, char **cause)
{
	sqlite3_stmt *st;
	bool row;
	char *sql;
	enum rc rc;

	if (c->bulk || !sqlite3_get_autocommit(c->db)) {
		db_cache_cause(cause, "cache: bulk load inside a transaction (internal error)");
		return RC_IO;
	}
	bulk_pragmas(c, true);
	rc = exec_waiting(c, "BEGIN IMMEDIATE", cause);
	if (rc)
		goto fail;
	c->bulk = true;

	/* Secondary indexes are rebuilt once at the end (a sort) rather than
	 * updated row by row.  Their definitions come from the schema, so
	 * later migrations' indexes are covered too. */
	rc = db_cache_stmt(c,
	                   "SELECT name, sql FROM sqlite_schema WHERE type = 'index' "
	                   "AND sql IS NOT NULL AND tbl_name <> 'setting'",
	                   &st, cause);
	if (rc)
		goto fail;
	for (;;) {
		char **p;
		rc = db_cache_step(c, st, &row, cause);
		if (rc || !row)
			break;
		p = realloc(c->bulk_index_sql, (c->nbulk_index + 1) * sizeof *p);
		if (!p) {
			rc = RC_NOMEM;
			break;
		}
		c->bulk_index_sql = p;
		p = realloc(c->bulk_index_name, (c->nbulk_index + 1) * sizeof *p);
		if (!p) {
			rc = RC_NOMEM;
			break;
		}
		c->bulk_index_name = p;
		c->bulk_index_name[c->nbulk_index] =
		    strdup((const char *)sqlite3_column_text(st, 0));
		c->bulk_index_sql[c->nbulk_index] =
		    strdup((const char *)sqlite3_column_text(st, 1));
		c->nbulk_index++;
		if (!c->bulk_index_name[c->nbulk_index - 1] ||
		    !c->bulk_index_sql[c->nbulk_index - 1]) {
			rc = RC_NOMEM;
			break;
		}
	}
	sqlite3_reset(st);
	if (rc) {
		if (rc == RC_NOMEM)
			db_cache_cause(cause, "out of memory");
		goto fail;
	}
	/* Dropped only now, not while the schema was being read. */
	for (int i = 0; i < c->nbulk_index; i++) {
		sql = sqlite3_mprintf("DROP INDEX \"%w\"", c->bulk_index_name[i]);
		if (!sql) {
			db_cache_cause(cause, "out of memory");
			rc = RC_NOMEM;
			goto fail;
		}
		rc = db_cache_exec(c, sql, cause);
		sqlite3_free(sql);
		if (rc)
			goto fail;
	}
	rc = db_search_bulk_begin(c, cause);
	if (rc)
		goto fail;
	return RC_OK;
fail:
	db_cache_rollback(c);
	bulk_forget(c);
	bulk_pragmas(c, false);
	return rc;
}

enum rc db_cache_bulk_end(struct cache *c, char **cause)
{
	enum rc rc;

	if (!c->bulk || c->bulk_depth != 0) {
		db_cache_cause(cause, "cache: bulk end without bulk begin (internal error)");
		return RC_IO;
	}
	rc = db_search_bulk_end(c, cause);
	for (int i = 0; !rc && i < c->nbulk_index; i++)
		rc = db_cache_exec(c, c->bulk_index_sql[i], cause);
	if (rc)
		goto fail;
	c->bulk = false;
	rc = exec_waiting(c, "COMMIT", cause);
	if (rc)
		goto fail;
	bulk_forget(c);
	bulk_pragmas(c, false);
	/* Fold the large write-ahead log into the database now, not at the
	 * first reader's expense. */
	sqlite3_exec(c->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	return RC_OK;
fail:
	c->bulk = true;
	db_cache_rollback(c);
	return rc;
}

/* Undo the whole load, whatever savepoints stand open: a half-made cache
 * must never look like a finished one.  Not in a bulk load: nothing. */
void db_cache_bulk_abort(struct cache *c)
{
	if (!c || !c->bulk)
		return;
	c->bulk_depth = 0;
	db_cache_rollback(c);
}

enum rc db_cache_get_setting(struct cache *c, const char *key, char *out, unsigned size)
{
	sqlite3_stmt *st;
	bool row;
	enum rc rc;

	rc = db_cache_stmt(c, "SELECT value FROM setting WHERE key = :key", &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":key", key);
	rc = db_cache_step(c, st, &row, NULL);
	if (!rc && !row)
		rc = RC_NOTFOUND;
	if (!rc && size > 0)
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc;
}

enum rc db_cache_set_setting(struct cache *c, const char *key, const char *value)
{
	sqlite3_stmt *st;
	bool own = sqlite3_get_autocommit(c->db);
	enum rc rc;

	if (own) {
		rc = db_cache_begin(c, NULL);
		if (rc)
			return rc;
	}
	rc = db_cache_stmt(c,
	                   "INSERT INTO setting(key, value) VALUES (:key, :value) "
	                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	                   &st, NULL);
	if (!rc) {
		db_cache_bind_text(c, st, ":key", key);
		db_cache_bind_text(c, st, ":value", value);
		rc = db_cache_step(c, st, NULL, NULL);
		sqlite3_reset(st);
	}
	if (own) {
		if (!rc)
			rc = db_cache_commit(c, NULL);
		else
			db_cache_rollback(c);
	}
	return rc;
}
