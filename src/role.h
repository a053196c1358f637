/* role.h: staff roles and what each may do (design.md section 6).  The
 * checks here are the enforcement: the UI only hides what they refuse. */
#ifndef HANDESK_ROLE_H
#define HANDESK_ROLE_H

#include <stdbool.h>

enum role {
	ROLE_NONE = 0,
	ROLE_RECEPTION,
	ROLE_CLIENT_MANAGER,
	ROLE_DOSSIER_MANAGER,
	ROLE_SOCIAL_ASSISTANT,
	ROLE_EVALUATOR,
	ROLE_DOCTOR,
	ROLE_DIRECTOR,
	ROLE_QUALITY,
	ROLE_COUNT
};

enum perm {
	PERM_PERSON_VIEW,      /* open a person's card */
	PERM_PERSON_CREATE,    /* register a new person */
	PERM_PERSON_EDIT,      /* change a person's administrative data */
	PERM_INSZ_CHANGE,      /* change a known INSZ */
	PERM_APPLICATION_EDIT, /* register or change an application */
	PERM_MEDICAL_VIEW,     /* medical content (evaluators and doctors only) */
	PERM_AUDIT_VIEW,       /* who viewed a dossier */
	PERM_COUNT
};

bool role_may(enum role r, enum perm p);
const char *role_code(enum role r); /* "reception", ... */
const char *role_name(enum role r); /* translated */
enum role role_parse(const char *code);

#endif
