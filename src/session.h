/* session.h: a staff member at work on a cache.  Every operation on a
 * dossier goes through here: the role is checked, the change is made, and
 * the audit entry is written in the same transaction. */
#ifndef HANDESK_SESSION_H
#define HANDESK_SESSION_H

#include <stdbool.h>

#include "application.h"
#include "audit.h"
#include "config.h"
#include "person.h"
#include "rc.h"
#include "staff.h"

struct cache;

struct session {
	struct cache *cache;
	struct config *cfg;
	struct staff me;
	struct centre centre;
	/* The person whose card this session last opened (audited), "" if
	 * none: the only one session_reload_person will read. */
	char viewed_id[37];
};

/* Open the cache and find the staff record tied to login (the OS user by
 * default, or cfg->login).  RC_DENIED with a clear cause if no active
 * staff record has that login. */
enum rc session_open(struct session *s, struct config *cfg, const char *db_path, const char *login,
                     char **cause);
void session_close(struct session *s);

/* The role check: RC_OK or RC_DENIED with a translated cause. */
enum rc session_require(const struct session *s, enum perm p, char **cause);

/* Read a person's card and record the view in the audit log. */
enum rc session_view_person(struct session *s, const char *id, struct person *out, char **cause);

/* Read again the person whose card this session last opened with
 * session_view_person (the card is refreshed after a change), without a new
 * audit entry.  Same role check; RC_DENIED for any other person. */
enum rc session_reload_person(struct session *s, const char *id, struct person *out, char **cause);

/* Duplicate detection before saving a new person: fills up to max ids of
 * persons with the same INSZ, or the same name and birth date. */
enum rc session_find_duplicates(struct session *s, const struct person *p, char ids[][37], int max,
                                int *n);

/* Register a new person and (if app is not NULL) their application with the
 * document checklist of its kind, all in one transaction with audit and
 * outbox rows.  Fills the ids.  Validates everything first: on RC_INVALID
 * *field tells which person field (PERSON_F_NONE for the application). */
enum rc session_intake(struct session *s, struct person *p, struct application *app,
                       enum person_field *field, char **cause);

/* A new application for an existing person. */
enum rc session_add_application(struct session *s, const char *person_id, struct application *app,
                                char **cause);

/* Save changes to a person; the audit detail lists the changed fields.
 * A change of a known INSZ needs PERM_INSZ_CHANGE and is audited as
 * "insz_change" (the UI confirms it twice before calling).  With no field
 * changed it is RC_OK and nothing is written (no row, audit or outbox
 * entry); *changed (if not NULL) tells which it was. */
enum rc session_update_person(struct session *s, struct person *p, enum person_field *field,
                              bool *changed, char **cause);

/* Mark a document of an application received (today) or missing again. */
enum rc session_set_document(struct session *s, const char *document_id, bool received,
                             char **cause);

/* A person's applications, newest first, for the card; *out allocated
 * (caller frees).  Needs PERM_PERSON_VIEW.  The primary problem is health
 * data: without PERM_MEDICAL_VIEW it comes back as APP_PROBLEM_NONE. */
enum rc session_list_applications(struct session *s, const char *person_id,
                                  struct application **out, int *n, char **cause);

/* An application's document checklist; *out allocated (caller frees).
 * Needs PERM_PERSON_VIEW. */
enum rc session_list_documents(struct session *s, const char *application_id,
                               struct app_document **out, int *n, char **cause);

/* An application with its medical content (for now: the primary problem).
 * Needs PERM_MEDICAL_VIEW; the view is audited as "medical_view". */
enum rc session_view_medical(struct session *s, const char *application_id, struct application *out,
                             char **cause);

/* A person's audit trail, newest first, at most max entries; *out
 * allocated (caller frees).  Needs PERM_AUDIT_VIEW. */
enum rc session_audit_trail(struct session *s, const char *person_id, int max,
                            struct audit_entry **out, int *n, char **cause);

/* How many changes session_person_history returns at most. */
#define SESSION_HISTORY_MAX 50

/* A person's change history (old and new values of each edit), newest
 * first, at most SESSION_HISTORY_MAX rows; *out allocated (caller frees).
 * Needs PERM_AUDIT_VIEW: it holds personal data, for the audience of the
 * audit trail.  Reading it is not audited again: the card it belongs to
 * was (session_view_person). */
enum rc session_person_history(struct session *s, const char *person_id, struct person_change **out,
                               int *n, char **cause);

#endif
