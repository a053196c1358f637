/* cache.h: the local SQLite cache: open with migrations, transactions,
 * change notification.  The only interface to sqlite3 for the rest of
 * handesk (together with the other db/ modules). */
#ifndef HANDESK_DB_CACHE_H
#define HANDESK_DB_CACHE_H

#include <stdbool.h>

#include "../src/rc.h"

struct cache;

/* Open (creating with mode 0600 if missing) the cache at path, in WAL mode
 * with a busy timeout, and apply pending migrations, one transaction each.
 * A cache whose user_version is newer than this build knows gives
 * RC_SCHEMA with a clear *cause (caller frees) and is left untouched. */
enum rc db_cache_open(const char *path, struct cache **out, char **cause);
void db_cache_close(struct cache *c);

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
 * large insert, relax durability. */
enum rc db_cache_bulk_begin(struct cache *c, char **cause);
enum rc db_cache_bulk_end(struct cache *c, char **cause);

/* A key/value setting stored in the cache (local, not synced). */
enum rc db_cache_get_setting(struct cache *c, const char *key, char *out, unsigned size);
enum rc db_cache_set_setting(struct cache *c, const char *key, const char *value);

#endif
