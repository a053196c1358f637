/* staff.h: a staff member of a centre and a centre. */
#ifndef HANDESK_STAFF_H
#define HANDESK_STAFF_H

#include "person.h"
#include "role.h"

struct centre {
	struct row_meta meta; /* meta.centre_id == meta.id */
	char code[16];        /* "BRU", "CHA", ... */
	char name[128];
	char language[3];
};

struct staff {
	struct row_meta meta;
	char login[64]; /* OS user name this staff record is tied to */
	char family_name[128];
	char given_name[128];
	enum role role;
	char discipline[32]; /* "doctor", "psychologist", "nurse", ... or "" */
	char languages[16];  /* "nl,fr" */
	bool active;
};

#endif
