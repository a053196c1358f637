/* db/person.h: persons in the cache.  Writes must run inside a transaction
 * (db_cache_begin); each write also writes its outbox row and keeps the
 * search index current. */
#ifndef HANDESK_DB_PERSON_H
#define HANDESK_DB_PERSON_H

#include "../src/person.h"
#include "../src/rc.h"
#include "cache.h"

/* Insert p (p->meta.id, centre_id filled by the caller; version 0;
 * updated_at set here).  staff_id goes to updated_by. */
enum rc db_person_insert(struct cache *c, struct person *p, const char *staff_id, char **cause);

/* Update every field of p; fails with RC_CONFLICT if the stored row's
 * updated_at differs from p->meta.updated_at (changed by another process
 * since it was read).  Writes the outbox row with the old version as base. */
enum rc db_person_update(struct cache *c, struct person *p, const char *staff_id, char **cause);

enum rc db_person_get(struct cache *c, const char *id, struct person *out);
enum rc db_person_find_insz(struct cache *c, const char *digits, struct person *out);

/* Persons with the same folded family and given names and birth date
 * (duplicate detection); up to max ids into ids[], count in *n. */
enum rc db_person_find_same(struct cache *c, const char *family, const char *given,
                            const char *birth_date, char ids[][37], int max, int *n);

long db_person_count(struct cache *c);

/* Append one row to the person's append-only change history, with its
 * outbox row: changed by staff_id acting as role (a role code), changes
 * the readable list of old and new values.  The row belongs to the
 * person's centre; RC_NOTFOUND if there is no such person.  Must run inside
 * a transaction, the one of the change itself. */
enum rc db_person_history_append(struct cache *c, const char *person_id, const char *staff_id,
                                 const char *role, const char *changes, char **cause);

/* A person's change history, newest first, at most max rows, with the
 * staff names; *out allocated (caller frees), count in *n. */
enum rc db_person_history_list(struct cache *c, const char *person_id, int max,
                               struct person_change **out, int *n);

#endif
