/* db/audit.h: the append-only audit register (who, role, when, which
 * person, what).  No function here updates or deletes; triggers in the
 * schema refuse it too. */
#ifndef HANDESK_DB_AUDIT_H
#define HANDESK_DB_AUDIT_H

#include "../src/audit.h"
#include "../src/rc.h"
#include "cache.h"

/* Append an entry (id and at set here) with its outbox row; must run inside
 * a transaction. */
enum rc db_audit_append(struct cache *c, struct audit_entry *e, char **cause);

/* A person's audit trail, newest first, at most max entries; *out allocated. */
enum rc db_audit_list(struct cache *c, const char *person_id, int max, struct audit_entry **out,
                      int *n);

#endif
