/* db/search.h: person search as you type (INSZ, or name prefixes, accent-
 * and case-insensitive, with an optional birth date). */
#ifndef HANDESK_DB_SEARCH_H
#define HANDESK_DB_SEARCH_H

#include "../src/rc.h"
#include "cache.h"

struct search_hit {
	char person_id[37];
	char insz[12];
	char family_name[128];
	char given_name[128];
	char birth_date[11];
	char postcode[5];
	char municipality[64];
};

/* Query: words are prefixes of family or given names in any order ("dupre",
 * "dupre jean", "jean dup"); a run of digits and separators is an INSZ
 * prefix; a date (DD/MM/YYYY ...) or a bare year (4 digits, 1900-2099)
 * filters on birth date.  Results ordered by family name, given name; at
 * most max into hits, count in *n.  Empty query: *n = 0. */
enum rc db_search_persons(struct cache *c, const char *query, struct search_hit *hits, int max,
                          int *n);

/* ---- For the db/ modules (person writes, sync apply): keeping the index
 * current.  Inside a write transaction. ---- */

/* Remove the index keys of the person row as now stored (call before
 * changing any field a hit shows: names, birth date, INSZ, postcode,
 * municipality, or the tombstone); no row, nothing to do. */
enum rc db_search_unindex(struct cache *c, const char *person_id, char **cause);

/* Add the index keys of the person row as now stored, with the fields a
 * hit shows (call after writing it); a deleted row gets none.  In bulk
 * mode the keys are collected and sorted into the index by
 * db_cache_bulk_end. */
enum rc db_search_index(struct cache *c, const char *person_id, char **cause);

/* For db_cache_bulk_begin and _end, inside the bulk transaction: create
 * the table where db_search_index collects keys in bulk mode; move them
 * into the index in key order, and drop it.  (A person both inserted and
 * changed within one bulk load would keep the keys of its first names.) */
enum rc db_search_bulk_begin(struct cache *c, char **cause);
enum rc db_search_bulk_end(struct cache *c, char **cause);

/* Inside the caller's transaction: the whole index made again from the
 * person table, the keys sorted before they go in (db/sync.c after an
 * initial sync, which leaves the index to this). */
enum rc db_search_rebuild(struct cache *c, char **cause);

/* Inside the caller's transaction: the keys of the next living persons
 * after id after ("" from the first) in id order, max of them (-1: all),
 * added as db_search_index does (a person's keys already there are
 * replaced, so that a range done twice does no harm); next: the last id
 * looked at (37 bytes), *done: no person is left after it. */
enum rc db_search_index_range(struct cache *c, const char *after, int max, char *next, bool *done,
                              char **cause);

/* Rebuild the whole index if it was made with another key format than
 * this build's (db_cache_open calls it; its own transaction). */
enum rc db_search_index_check(struct cache *c, char **cause);

#endif
