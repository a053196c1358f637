/* staff.h: a staff member of a centre and a centre; adding, deactivating
 * and listing staff records (staff.c), with the director's permission
 * checked there and every change audited. */
#ifndef HANDESK_STAFF_H
#define HANDESK_STAFF_H

#include <stdbool.h>

#include "person.h"
#include "rc.h"
#include "role.h"

struct cache;

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

/* A new staff record as asked for (the options of `handesk staff add`, as
 * typed); NULL or "" means not given. */
struct staff_request {
	const char *login;
	const char *role; /* role code: "reception", "director", ... */
	const char *family_name;
	const char *given_name;
	const char *discipline;      /* optional */
	const char *languages;       /* optional: "nl,fr" */
	const char *centre_code;     /* optional: default the director's centre */
	const char *centre_name;     /* with centre_language: create the centre */
	const char *centre_language; /* (first record of a cache only) */
};

/* A staff record with the code of its centre, for the list. */
struct staff_entry {
	struct staff staff;
	char centre_code[16]; /* "" if the centre is not in the cache */
};

/*
 * Add a staff record, acting as the staff member with login actor.
 * On a cache without any staff record the first one must be a director
 * (the bootstrap of a centre without central service): its centre is
 * created from req->centre_* if the cache does not have it yet.  Otherwise
 * actor must be an active director of the centre the new record goes to.
 * The login must be new to the cache.  Centre, staff record and an audit
 * entry ("staff_add"), each with its outbox row, are written in one
 * transaction.  RC_INVALID for a bad or missing value, RC_DENIED,
 * RC_DUPLICATE, RC_NOTFOUND (no such centre), all with *cause (caller
 * frees).  On success *out (if not NULL) is the new record, *centre (if
 * not NULL) its centre and *centre_created (if not NULL) tells whether that
 * centre was created.
 */
enum rc staff_add(struct cache *c, const char *actor, const struct staff_request *req,
                  struct staff *out, struct centre *centre, bool *centre_created, char **cause);

/* Deactivate (active false: the login can no longer start handesk) or
 * reactivate a staff record of actor's centre, actor being an active
 * director there; a director cannot deactivate their own record.  Audited
 * as "staff_disable" or "staff_enable" in the same transaction.  A record
 * already in that state is RC_OK with *changed (if not NULL) false and
 * nothing written. */
enum rc staff_set_active(struct cache *c, const char *actor, const char *login, bool active,
                         bool *changed, char **cause);

/* Every staff record (active or not, tombstones aside) with its centre's
 * code, sorted by centre code then login; *out allocated (caller frees). */
enum rc staff_list(struct cache *c, struct staff_entry **out, int *n, char **cause);

#endif
