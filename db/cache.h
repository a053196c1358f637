/* cache.h: the local SQLite cache: open with migrations, transactions,
 * change notification.  The only interface to sqlite3 for the rest of
 * handesk (together with the other db/ modules). */
#ifndef HANDESK_DB_CACHE_H
#define HANDESK_DB_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "../src/rc.h"

struct cache;

/* Open (creating with mode 0600 if missing) the cache at path, in WAL mode
 * with a busy timeout, and apply pending migrations, one transaction each.
 * A cache whose user_version is newer than this build knows gives
 * RC_SCHEMA with a clear *cause (caller frees) and is left untouched. */
enum rc db_cache_open(const char *path, struct cache **out, char **cause);
void db_cache_close(struct cache *c);

/* WAL checkpoints off the caller's thread (the curses loop: a checkpoint
 * copies and syncs megabytes in one call): a thread with a connection of
 * its own checkpoints (PASSIVE: it never waits for a lock, never holds up
 * a writer) every few tens of ms, and this connection stops doing it at
 * commits.  Without thread support in SQLite, or if the thread cannot
 * start, nothing changes (checkpoints at commits as before).
 * db_cache_close stops it. */
void db_cache_checkpoint_in_background(struct cache *c);

/* PRAGMA wal_autocheckpoint for this connection (pages), unless the
 * background checkpointer does it. */
void db_cache_autocheckpoint(struct cache *c, int pages);

/* Write transactions: BEGIN IMMEDIATE, retried while another process holds
 * the lock (no "database is locked" reaches the user). */
enum rc db_cache_begin(struct cache *c, char **cause);
enum rc db_cache_commit(struct cache *c, char **cause);
void db_cache_rollback(struct cache *c);

/* Read transactions give a consistent view over several statements. */
enum rc db_cache_begin_read(struct cache *c);
void db_cache_end_read(struct cache *c);

/* PRAGMA data_version: changes when another connection committed. */
long db_cache_data_version(struct cache *c);

/* The schema version of the open cache, and the newest this build knows. */
int db_cache_schema_version(struct cache *c);
int db_cache_schema_latest(void);

/* Bulk loading (demo generator): drop and rebuild the search index around a
 * large insert, relax durability.  The load is one transaction: bulk_end
 * commits it, bulk_abort (after a failure) undoes all of it, dropped
 * indexes included; either way the cache is back to normal. */
enum rc db_cache_bulk_begin(struct cache *c, char **cause);
enum rc db_cache_bulk_end(struct cache *c, char **cause);
void db_cache_bulk_abort(struct cache *c);

/* A key/value setting stored in the cache (local, not synced). */
enum rc db_cache_get_setting(struct cache *c, const char *key, char *out, unsigned size);
enum rc db_cache_set_setting(struct cache *c, const char *key, const char *value);

/* ---- For the db/ modules (and tests) only: src/ and ui/ never use these,
 * so that sqlite3 stays inside db/.  The types are sqlite3.h's. ---- */
struct sqlite3;
struct sqlite3_stmt;
struct row_meta;

/* SQL for the current time as updated_at stores it (UTC, milliseconds). */
#define DB_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
/* SQL for an update's new updated_at: it strictly grows, even for two
 * changes in one millisecond, so that it can serve as the conflict check. */
#define DB_NEXT_UPDATED_AT                                                                         \
	"updated_at = max(" DB_NOW ", "                                                            \
	"strftime('%Y-%m-%dT%H:%M:%fZ', updated_at, '+0.001 seconds'))"

/* The connection. */
struct sqlite3 *db_cache_handle(struct cache *c);

/* The cached prepared statement for sql (prepared once per connection,
 * keyed by the SQL text, like Fossil's db_static_prepare), reset and with
 * its bindings cleared.  The caller resets it again when done with it, so
 * that no read transaction stays open.  Not to be finalized. */
enum rc db_cache_stmt(struct cache *c, const char *sql, struct sqlite3_stmt **out, char **cause);

/* Bind by parameter name (":id").  An unknown name or a failed bind is a
 * programming error: it is remembered and reported by db_cache_step. */
void db_cache_bind_text(struct cache *c, struct sqlite3_stmt *st, const char *name, const char *v);
void db_cache_bind_int(struct cache *c, struct sqlite3_stmt *st, const char *name, long long v);

/* sqlite3_step with the pending bind error and the error mapping below:
 * RC_OK with *row true for SQLITE_ROW, false for SQLITE_DONE. */
enum rc db_cache_step(struct cache *c, struct sqlite3_stmt *st, bool *row, char **cause);

/* Map an sqlite3 result code to an rc, with *cause "what: message" (a
 * constraint on a unique index gives RC_DUPLICATE). */
enum rc db_cache_error(struct cache *c, int sqlite_rc, const char *what, char **cause);

/* RC_OK inside a transaction (writes of the db/ modules need one), else
 * RC_IO with a cause naming fn. */
enum rc db_cache_need_tx(struct cache *c, const char *fn, char **cause);

/* Copy text column i of the current row into out (size bytes, truncated,
 * "" for NULL). */
void db_cache_column_text(struct sqlite3_stmt *st, int i, char *out, unsigned size);

/* Read columns 0 to 5 of the current row (id, centre_id, version,
 * updated_at, updated_by, deleted: the columns every synced table starts
 * with) into m. */
void db_cache_column_meta(struct sqlite3_stmt *st, struct row_meta *m);

/* Step an INSERT or UPDATE ... RETURNING updated_at, version and, when it
 * returned its row, copy those into m, with by as updated_by.  *row says
 * whether it did (an UPDATE whose WHERE matched nothing did not), for the
 * caller to word.  The statement is reset. */
enum rc db_cache_step_meta(struct cache *c, struct sqlite3_stmt *st, struct row_meta *m,
                           const char *by, bool *row, char **cause);

/* Step a bound statement for one row and fill out with read; RC_NOTFOUND
 * if there is none.  The statement is reset. */
enum rc db_cache_get_one(struct cache *c, struct sqlite3_stmt *st,
                         void (*read)(struct sqlite3_stmt *, void *), void *out);

/* Step a bound statement to its end, reading each row into a malloc'd
 * array of elements of size bytes, each filled by read; the statement is
 * reset.  *out (caller frees; NULL for no rows) and *n; on failure nothing
 * stays allocated and *n is 0. */
enum rc db_cache_collect(struct cache *c, struct sqlite3_stmt *st, size_t size,
                         void (*read)(struct sqlite3_stmt *, void *), void **out, int *n);

/* The stored version and updated_at (size bytes) of a row, for the
 * conflict check and the outbox's base version: sql is "SELECT version,
 * updated_at FROM ... WHERE id = :id".  RC_NOTFOUND if there is no such
 * row; RC_CONFLICT if seen_at is not NULL and differs from the stored
 * updated_at.  These two leave *cause alone, for the caller to word; a
 * failing statement sets it. */
enum rc db_cache_stored_meta(struct cache *c, const char *sql, const char *id, const char *seen_at,
                             long *version, char *updated_at, unsigned size, char **cause);

/* True between db_cache_bulk_begin and db_cache_bulk_end. */
bool db_cache_in_bulk(struct cache *c);

/* Run SQL without parameters (tests, maintenance). */
enum rc db_cache_exec(struct cache *c, const char *sql, char **cause);

/* Set *cause (if cause is not NULL) to a malloc'd formatted message; the
 * format is translated (gettext) first. */
void db_cache_cause(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
