/* db/audit.h: the append-only audit register (who, role, when, which
 * person, what).  No function here updates or deletes; triggers in the
 * schema refuse it too. */
#ifndef HANDESK_DB_AUDIT_H
#define HANDESK_DB_AUDIT_H

#include "../src/rc.h"
#include "cache.h"

struct audit_entry {
	char id[37];
	char centre_id[37];
	char at[32];         /* UTC ISO 8601 */
	char staff_id[37];
	char staff_name[260];/* filled by db_audit_list: "Family, Given" */
	char role[24];       /* role code at the time */
	char person_id[37];
	char action[16];     /* "view", "create", "update", "insz_change" ... */
	char detail[512];    /* what changed: "phone, email" ... */
};

/* Append an entry (id and at set here) with its outbox row; must run inside
 * a transaction. */
enum rc db_audit_append(struct cache *c, struct audit_entry *e, char **cause);

/* A person's audit trail, newest first, at most max entries; *out allocated. */
enum rc db_audit_list(struct cache *c, const char *person_id, int max, struct audit_entry **out, int *n);

#endif
