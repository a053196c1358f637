/* db/staff.h: staff members and centres in the cache. */
#ifndef HANDESK_DB_STAFF_H
#define HANDESK_DB_STAFF_H

#include "../src/rc.h"
#include "../src/staff.h"
#include "cache.h"

/* SQL for a staff member's name as lists show it, "Family, Given" ('' when
 * no staff row was found), in a query that LEFT JOINs staff as s. */
#define DB_STAFF_NAME                                                                              \
	"CASE WHEN s.id IS NULL THEN '' WHEN s.given_name = '' THEN s.family_name "                \
	"ELSE s.family_name || ', ' || s.given_name END"

enum rc db_staff_insert(struct cache *c, struct staff *s, const char *by, char **cause);
/* Write back every field of a staff record read before (s->meta.id), with
 * its outbox row, in the caller's transaction.  RC_NOTFOUND if there is no
 * such record; RC_CONFLICT if s->meta.updated_at is set and the stored row
 * changed since.  Refreshes s->meta (updated_at, updated_by, version). */
enum rc db_staff_update(struct cache *c, struct staff *s, const char *by, char **cause);
enum rc db_staff_get(struct cache *c, const char *id, struct staff *out);
enum rc db_staff_find_login(struct cache *c, const char *login, struct staff *out);
/* All staff; *out allocated. */
enum rc db_staff_list(struct cache *c, struct staff **out, int *n);

enum rc db_centre_insert(struct cache *c, struct centre *ce, const char *by, char **cause);
enum rc db_centre_get(struct cache *c, const char *id, struct centre *out);
enum rc db_centre_list(struct cache *c, struct centre **out, int *n);

#endif
