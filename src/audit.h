/* audit.h: an entry of the append-only audit register as the core and the
 * screens see it (db/audit.h stores and reads them; session.c writes them). */
#ifndef HANDESK_AUDIT_H
#define HANDESK_AUDIT_H

struct audit_entry {
	char id[37];
	char centre_id[37];
	char at[32];          /* UTC ISO 8601 */
	char staff_id[37];    /* who */
	char staff_name[260]; /* filled when read: "Family, Given" */
	char role[24];        /* role code at the time */
	char person_id[37];   /* whose dossier */
	char action[16];      /* "view", "create", "update", "insz_change" ... */
	char detail[512];     /* what changed, by field names only: "phone, email" ... */
};

#endif
