/* session.c: a staff member at work on a cache: every read and change of a
 * dossier passes the role check and is audited in the same transaction. */
#include "autoconf.h"

#include "session.h"

#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "i18n.h"
#include "insz.h"
#include "text.h"
#include "uuid.h"

#include "db/application.h"
#include "db/audit.h"
#include "db/cache.h"
#include "db/person.h"
#include "db/staff.h"

/* What each permission lets one do, for the refusal message. */
static const char *const perm_what[PERM_COUNT] = {
    [PERM_PERSON_VIEW] = N_("open a person's card"),
    [PERM_PERSON_CREATE] = N_("register a new person"),
    [PERM_PERSON_EDIT] = N_("change a person's data"),
    [PERM_INSZ_CHANGE] = N_("change a known INSZ"),
    [PERM_APPLICATION_EDIT] = N_("register or change an application"),
    [PERM_MEDICAL_VIEW] = N_("see medical content"),
    [PERM_AUDIT_VIEW] = N_("see who viewed or changed a dossier"),
};

/* Person fields by their stable names, for the audit detail (names only:
 * the values are personal data and stay out of the audit register) and
 * for the change history (names with the old and new values). */
struct field_ref {
	const char *name;
	size_t offset;
};

#define FIELD(f)                                                                                   \
	{                                                                                          \
#f, offsetof(struct person, f)                                                     \
	}
static const struct field_ref person_fields[] = {
    FIELD(insz),         FIELD(family_name),   FIELD(given_name),
    FIELD(birth_date),   FIELD(sex),           FIELD(language),
    FIELD(nationality),  FIELD(street),        FIELD(postcode),
    FIELD(municipality), FIELD(phone),         FIELD(email),
    FIELD(contact_name), FIELD(contact_phone), FIELD(contact_relation),
    FIELD(notes),
};
#undef FIELD

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* Stamp a row born here: new id, our centre, not yet synced. */
static void meta_new(const struct session *s, struct row_meta *m)
{
	memset(m, 0, sizeof *m);
	uuid_new(m->id);
	copy(m->centre_id, sizeof m->centre_id, s->centre.meta.id);
	copy(m->updated_by, sizeof m->updated_by, s->me.meta.id);
}

/* Append an audit entry for person_id; inside the caller's transaction. */
static enum rc audit(struct session *s, const char *person_id, const char *action,
                     const char *detail, char **cause)
{
	struct audit_entry e;

	memset(&e, 0, sizeof e);
	copy(e.centre_id, sizeof e.centre_id, s->centre.meta.id);
	copy(e.staff_id, sizeof e.staff_id, s->me.meta.id);
	copy(e.role, sizeof e.role, role_code(s->me.role));
	copy(e.person_id, sizeof e.person_id, person_id);
	copy(e.action, sizeof e.action, action);
	copy(e.detail, sizeof e.detail, detail);
	return db_audit_append(s->cache, &e, cause);
}

static char *os_login(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw ? pw->pw_name : getenv("USER");
	return strdup(name ? name : "");
}

/* Open the cache and find who is at work.  On failure s is left closed. */
enum rc session_open(struct session *s, struct config *cfg, const char *db_path, const char *login,
                     char **cause)
{
	char *me = NULL;
	enum rc rc;

	memset(s, 0, sizeof *s);
	s->cfg = cfg;
	if (!db_path && cfg)
		db_path = cfg->db_path;
	if (!login || !*login)
		login = cfg && cfg->login && *cfg->login ? cfg->login : NULL;
	if (!login) {
		me = os_login();
		if (!me) {
			rc = RC_NOMEM;
			goto out;
		}
		login = me;
	}
	/* The default cache lives in $XDG_DATA_HOME/handesk/, which a new user
	 * does not have yet. */
	rc = config_make_parent(db_path, cause);
	if (rc)
		goto out;
	rc = db_cache_open(db_path, &s->cache, cause);
	if (rc)
		goto out;
	rc = db_staff_find_login(s->cache, login, &s->me);
	if (rc == RC_NOTFOUND) {
		rc = rc_fail(
		    cause, RC_DENIED,
		    _("No staff record for login '%s' in the cache %s.  Every person works "
		      "under their own staff record: ask the centre director to add one "
		      "('handesk staff add --login %s ...'; on a new cache the first record, a "
		      "director, creates the centre: see handesk(1)), or try handesk on demo "
		      "data with 'handesk demo --persons N --db PATH'."),
		    login, db_path ? db_path : "", login);
		goto out;
	}
	if (rc)
		goto out;
	if (!s->me.active) {
		rc = rc_fail(
		    cause, RC_DENIED,
		    _("The staff record for login '%s' is inactive.  Ask the centre director "
		      "to reactivate it."),
		    login);
		goto out;
	}
	rc = db_centre_get(s->cache, s->me.meta.centre_id, &s->centre);
	if (rc == RC_NOTFOUND) {
		rc =
		    rc_fail(cause, RC_DENIED,
		            _("The staff record for login '%s' belongs to a centre this cache does "
		              "not know.  Ask the centre director to check the staff record."),
		            login);
		goto out;
	}
out:
	free(me);
	if (rc) {
		db_cache_close(s->cache);
		memset(s, 0, sizeof *s);
	}
	return rc;
}

/* Close the cache; s may be closed already. */
void session_close(struct session *s)
{
	if (!s)
		return;
	db_cache_close(s->cache);
	memset(s, 0, sizeof *s);
}

/* The role check, with a cause naming the role and what was refused. */
enum rc session_require(const struct session *s, enum perm p, char **cause)
{
	if (role_may(s->me.role, p))
		return RC_OK;
	return rc_fail(cause, RC_DENIED, _("Your role (%s) does not allow you to %s."),
	               role_name(s->me.role),
	               (int)p >= 0 && p < PERM_COUNT ? _(perm_what[p]) : "?");
}

/* Read a card and record the view, in one write transaction so there is
 * never a view without its audit row. */
enum rc session_view_person(struct session *s, const char *id, struct person *out, char **cause)
{
	bool tx = false;
	enum rc rc;

	rc = session_require(s, PERM_PERSON_VIEW, cause);
	if (rc)
		goto out;
	rc = db_cache_begin(s->cache, cause);
	if (rc)
		goto out;
	tx = true;
	rc = db_person_get(s->cache, id, out);
	if (rc == RC_NOTFOUND)
		rc = rc_fail(cause, rc, _("This person is not in the cache (any more)."));
	if (rc)
		goto out;
	rc = audit(s, id, "view", "", cause);
	if (rc)
		goto out;
	rc = db_cache_commit(s->cache, cause);
	tx = false;
	if (!rc)
		copy(s->viewed_id, sizeof s->viewed_id, id);
out:
	if (tx)
		db_cache_rollback(s->cache);
	return rc;
}

/*
 * Refresh the open card without auditing again.  The card is read again
 * whenever any process commits to the cache (PRAGMA data_version) and after
 * our own changes: auditing each of those reads would flood the register,
 * and two processes showing the same card would keep auditing each other
 * for ever.  It is still the one view that was audited when the card
 * opened, so only that person may be read this way; any other read is a
 * new view and goes through session_view_person.
 */
enum rc session_reload_person(struct session *s, const char *id, struct person *out, char **cause)
{
	enum rc rc;

	rc = session_require(s, PERM_PERSON_VIEW, cause);
	if (rc)
		return rc;
	if (!id || !*id || strcmp(id, s->viewed_id) != 0)
		return rc_fail(cause, RC_DENIED,
		               _("This card was not opened in this session; open it again from "
		                 "the search."));
	rc = db_person_get(s->cache, id, out);
	if (rc == RC_NOTFOUND)
		return rc_fail(cause, rc, _("This person is not in the cache (any more)."));
	if (rc)
		return rc_fail(cause, rc, _("Could not read the person from the cache."));
	return RC_OK;
}

static void add_unique(char ids[][37], int max, int *n, const char *id, const char *self)
{
	if (self && *self && strcmp(id, self) == 0)
		return;
	for (int i = 0; i < *n; i++)
		if (strcmp(ids[i], id) == 0)
			return;
	if (*n < max)
		copy(ids[(*n)++], 37, id);
}

/* Same INSZ first, then same folded names and birth date.  p need not be
 * validated yet: the INSZ and date are read in any accepted form. */
enum rc session_find_duplicates(struct session *s, const struct person *p, char ids[][37], int max,
                                int *n)
{
	struct person other;
	struct date d;
	char digits[12], family[128], given[128], birth[11], same[8][37];
	int m = 0;
	enum rc rc;

	*n = 0;
	if (!role_may(s->me.role, PERM_PERSON_VIEW))
		return RC_DENIED;
	if (p->insz[0] && insz_digits(p->insz, digits) == 11) {
		rc = db_person_find_insz(s->cache, digits, &other);
		if (rc == RC_OK)
			add_unique(ids, max, n, other.meta.id, p->meta.id);
		else if (rc != RC_NOTFOUND)
			return rc;
	}
	if (!p->family_name[0] || !p->given_name[0] || !date_parse(p->birth_date, &d))
		return RC_OK;
	text_fold(p->family_name, family, sizeof family);
	text_fold(p->given_name, given, sizeof given);
	date_format_iso(d, birth);
	rc = db_person_find_same(s->cache, family, given, birth, same, 8, &m);
	if (rc)
		return rc;
	for (int i = 0; i < m; i++)
		add_unique(ids, max, n, same[i], p->meta.id);
	return RC_OK;
}

/* RC_DUPLICATE if another person already has this INSZ. */
static enum rc check_insz_free(struct session *s, const struct person *p, char **cause)
{
	struct person other;
	char name[260];
	enum rc rc;

	if (!p->insz[0])
		return RC_OK;
	rc = db_person_find_insz(s->cache, p->insz, &other);
	if (rc == RC_NOTFOUND)
		return RC_OK;
	if (rc)
		return rc;
	if (strcmp(other.meta.id, p->meta.id) == 0)
		return RC_OK;
	person_display_name(&other, name, sizeof name);
	return rc_fail(cause, RC_DUPLICATE, _("This INSZ is already registered, for %s."), name);
}

/* Insert app (person_id set by the caller) with its checklist and the audit
 * row; inside the caller's transaction.  At intake every document is still
 * missing, so an application with a checklist starts "incomplete". */
static enum rc insert_application(struct session *s, struct application *app, char **cause)
{
	const char *const *list = application_checklist(app->kind);
	struct app_document d;
	char detail[64];
	enum rc rc;

	meta_new(s, &app->meta);
	app->status = list[0] ? APP_STATUS_INCOMPLETE : APP_STATUS_RECEIVED;
	rc = db_application_insert(s->cache, app, s->me.meta.id, cause);
	if (rc)
		return rc;
	for (; *list; list++) {
		memset(&d, 0, sizeof d);
		meta_new(s, &d.meta);
		copy(d.application_id, sizeof d.application_id, app->meta.id);
		copy(d.code, sizeof d.code, *list);
		d.required = true;
		rc = db_document_insert(s->cache, &d, s->me.meta.id, cause);
		if (rc)
			return rc;
	}
	snprintf(detail, sizeof detail, "application %s", app->meta.id);
	return audit(s, app->person_id, "create", detail, cause);
}

static enum rc validate_person(struct person *p, enum person_field *field, char **cause)
{
	char msg[512];
	enum person_field f;

	if (person_validate(p, &f, msg, sizeof msg))
		return RC_OK;
	if (field)
		*field = f;
	return rc_fail(cause, RC_INVALID, "%s", msg);
}

static enum rc validate_application(struct application *app, char **cause)
{
	const char *msg = NULL;

	if (application_validate(app, &msg))
		return RC_OK;
	return rc_fail(cause, RC_INVALID, "%s", msg);
}

/* Person, application, checklist, audit (and, through db/, outbox rows) in
 * one transaction: all of it or nothing. */
enum rc session_intake(struct session *s, struct person *p, struct application *app,
                       enum person_field *field, char **cause)
{
	bool tx = false;
	enum person_field dummy;
	enum rc rc;

	if (!field)
		field = &dummy;
	*field = PERSON_F_NONE;
	rc = session_require(s, PERM_PERSON_CREATE, cause);
	if (rc)
		goto out;
	if (app) {
		rc = session_require(s, PERM_APPLICATION_EDIT, cause);
		if (rc)
			goto out;
	}
	rc = validate_person(p, field, cause);
	if (rc)
		goto out;
	if (app) {
		rc = validate_application(app, cause);
		if (rc)
			goto out;
	}
	rc = db_cache_begin(s->cache, cause);
	if (rc)
		goto out;
	tx = true;
	p->meta.id[0] = '\0';
	/* Checked inside the write transaction: no other process can slip the
	 * same INSZ in between. */
	rc = check_insz_free(s, p, cause);
	if (rc == RC_DUPLICATE)
		*field = PERSON_F_INSZ;
	if (rc)
		goto out;
	meta_new(s, &p->meta);
	rc = db_person_insert(s->cache, p, s->me.meta.id, cause);
	if (rc)
		goto out;
	rc = audit(s, p->meta.id, "create", "person", cause);
	if (rc)
		goto out;
	if (app) {
		copy(app->person_id, sizeof app->person_id, p->meta.id);
		rc = insert_application(s, app, cause);
		if (rc)
			goto out;
	}
	rc = db_cache_commit(s->cache, cause);
	tx = false;
out:
	if (tx)
		db_cache_rollback(s->cache);
	if (rc) {
		/* Nothing was saved: no id may suggest otherwise. */
		p->meta.id[0] = '\0';
		if (app) {
			app->meta.id[0] = '\0';
			app->person_id[0] = '\0';
		}
	}
	return rc;
}

/* A new application, with its checklist, for a person already registered. */
enum rc session_add_application(struct session *s, const char *person_id, struct application *app,
                                char **cause)
{
	struct person p;
	bool tx = false;
	enum rc rc;

	rc = session_require(s, PERM_APPLICATION_EDIT, cause);
	if (rc)
		goto out;
	rc = validate_application(app, cause);
	if (rc)
		goto out;
	rc = db_cache_begin(s->cache, cause);
	if (rc)
		goto out;
	tx = true;
	rc = db_person_get(s->cache, person_id, &p);
	if (rc == RC_NOTFOUND)
		rc = rc_fail(cause, rc, _("This person is not in the cache (any more)."));
	if (rc)
		goto out;
	copy(app->person_id, sizeof app->person_id, person_id);
	rc = insert_application(s, app, cause);
	if (rc)
		goto out;
	rc = db_cache_commit(s->cache, cause);
	tx = false;
out:
	if (tx)
		db_cache_rollback(s->cache);
	if (rc)
		app->meta.id[0] = '\0';
	return rc;
}

/* The names of the fields that differ, ", "-separated, into out. */
static void changed_fields(const struct person *a, const struct person *b, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof person_fields / sizeof person_fields[0]; i++) {
		const char *x = (const char *)a + person_fields[i].offset;
		const char *y = (const char *)b + person_fields[i].offset;
		if (strcmp(x, y) == 0)
			continue;
		len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s",
		                        len ? ", " : "", person_fields[i].name);
		if (len >= size)
			return;
	}
	if (a->residence != b->residence && len < size)
		snprintf(out + len, size - len, "%sresidence", len ? ", " : "");
}

#define HISTORY_VALUE_MAX 120 /* bytes of one value in the history; longer is cut */

/* Append "name: old -> new" (with "; " before it if not first) at *len.
 * A value is shown as stored, "(empty)" if empty, on one line, cut at a
 * character boundary after HISTORY_VALUE_MAX bytes with "...". */
static void history_item(char *out, size_t size, size_t *len, const char *name, const char *old,
                         const char *new)
{
	const char *v[2] = {old, new};

	if (*len + 1 >= size)
		return;
	*len += (size_t)snprintf(out + *len, size - *len, "%s%s: ", *len ? "; " : "", name);
	for (int k = 0; k < 2; k++) {
		const char *x = v[k] ? v[k] : "";
		size_t n = strlen(x);
		bool cut = n > HISTORY_VALUE_MAX;

		if (k == 1 && *len < size)
			*len += (size_t)snprintf(out + *len, size - *len, " -> ");
		if (!n) {
			if (*len < size)
				*len += (size_t)snprintf(out + *len, size - *len, "(empty)");
			continue;
		}
		if (cut) {
			n = HISTORY_VALUE_MAX;
			while (n > 0 && ((unsigned char)x[n] & 0xC0) == 0x80)
				n--; /* not in the middle of a UTF-8 sequence */
		}
		for (size_t i = 0; i < n && *len + 1 < size; i++) {
			unsigned char ch = (unsigned char)x[i];
			out[(*len)++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
		}
		out[*len < size ? *len : size - 1] = '\0';
		if (cut && *len < size)
			*len += (size_t)snprintf(out + *len, size - *len, "...");
	}
	if (*len >= size)
		*len = size - 1;
}

/* The changed fields with their old and new values, for the change
 * history: same names and order as changed_fields, "; "-separated. */
static void changed_values(const struct person *a, const struct person *b, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof person_fields / sizeof person_fields[0]; i++) {
		const char *x = (const char *)a + person_fields[i].offset;
		const char *y = (const char *)b + person_fields[i].offset;
		if (strcmp(x, y) != 0)
			history_item(out, size, &len, person_fields[i].name, x, y);
	}
	if (a->residence != b->residence)
		history_item(out, size, &len, "residence", person_residence_code(a->residence),
		             person_residence_code(b->residence));
}

/*
 * Save a person.  Reception may fill in an INSZ that was not yet known, but
 * changing (or clearing) a known one takes PERM_INSZ_CHANGE: a wrong INSZ
 * ties the dossier to someone else's register entry.
 */
enum rc session_update_person(struct session *s, struct person *p, enum person_field *field,
                              bool *changed, char **cause)
{
	struct person old;
	enum person_field dummy;
	char detail[512], history[sizeof((struct person_change *)0)->changes];
	const char *action = "update";
	bool tx = false, ignored;
	enum rc rc;

	if (!field)
		field = &dummy;
	if (!changed)
		changed = &ignored;
	*field = PERSON_F_NONE;
	*changed = false;
	rc = session_require(s, PERM_PERSON_EDIT, cause);
	if (rc)
		goto out;
	rc = validate_person(p, field, cause);
	if (rc)
		goto out;
	rc = db_cache_begin(s->cache, cause);
	if (rc)
		goto out;
	tx = true;
	rc = db_person_get(s->cache, p->meta.id, &old);
	if (rc == RC_NOTFOUND)
		rc = rc_fail(cause, rc, _("This person is not in the cache (any more)."));
	if (rc)
		goto out;
	changed_fields(&old, p, detail, sizeof detail);
	if (!detail[0])
		goto out; /* nothing changed: no row, audit or outbox entry (rolled back) */
	if (strcmp(old.insz, p->insz) != 0) {
		if (old.insz[0]) {
			rc = session_require(s, PERM_INSZ_CHANGE, cause);
			if (rc) {
				*field = PERSON_F_INSZ;
				goto out;
			}
			action = "insz_change";
		}
		rc = check_insz_free(s, p, cause);
		if (rc) {
			*field = PERSON_F_INSZ;
			goto out;
		}
	}
	if (!p->meta.centre_id[0])
		copy(p->meta.centre_id, sizeof p->meta.centre_id, old.meta.centre_id);
	rc = db_person_update(s->cache, p, s->me.meta.id, cause);
	if (rc == RC_CONFLICT)
		rc = rc_fail(cause, rc,
		             _("Someone else changed this person since you opened the card.  Open "
		               "it again and redo your change."));
	if (rc)
		goto out;
	/* The values as stored now (validated and normalised), against the
	 * stored ones before: what the history keeps is what the cache had. */
	changed_values(&old, p, history, sizeof history);
	rc = db_person_history_append(s->cache, p->meta.id, s->me.meta.id, role_code(s->me.role),
	                              history, cause);
	if (rc)
		goto out;
	rc = audit(s, p->meta.id, action, detail, cause);
	if (rc)
		goto out;
	rc = db_cache_commit(s->cache, cause);
	tx = false;
	*changed = rc == RC_OK;
out:
	if (tx)
		db_cache_rollback(s->cache);
	return rc;
}

/* Status that follows from the checklist: complete moves an incomplete
 * application on to evaluation, a missing document moves it back; statuses
 * past the evaluation planning are left alone. */
static enum app_status status_for(enum app_status now, bool complete)
{
	if (complete && now == APP_STATUS_INCOMPLETE)
		return APP_STATUS_AWAITING_EVALUATION;
	if (!complete && (now == APP_STATUS_RECEIVED || now == APP_STATUS_AWAITING_EVALUATION))
		return APP_STATUS_INCOMPLETE;
	return now;
}

/* Mark a document received today, or missing again; the application's
 * status follows, and the change is audited on the person. */
enum rc session_set_document(struct session *s, const char *document_id, bool received,
                             char **cause)
{
	struct app_document d, *list = NULL;
	struct application app;
	char detail[96];
	bool tx = false, complete = true;
	int n = 0;
	enum rc rc;

	rc = session_require(s, PERM_APPLICATION_EDIT, cause);
	if (rc)
		goto out;
	rc = db_cache_begin(s->cache, cause);
	if (rc)
		goto out;
	tx = true;
	rc = db_document_get(s->cache, document_id, &d);
	if (rc == RC_NOTFOUND)
		rc = rc_fail(cause, rc, _("This document is not in the cache (any more)."));
	if (rc)
		goto out;
	rc = db_application_get(s->cache, d.application_id, &app);
	if (rc)
		goto out;
	if (received == (d.received_on[0] != '\0'))
		goto out; /* already so */
	if (received)
		date_format_iso(date_today(), d.received_on);
	else
		d.received_on[0] = '\0';
	rc = db_document_update(s->cache, &d, s->me.meta.id, cause);
	if (rc)
		goto out;
	rc = db_document_list(s->cache, app.meta.id, &list, &n);
	if (rc)
		goto out;
	for (int i = 0; i < n; i++)
		if (list[i].required && !list[i].received_on[0])
			complete = false;
	if (status_for(app.status, complete) != app.status) {
		app.status = status_for(app.status, complete);
		rc = db_application_update(s->cache, &app, s->me.meta.id, cause);
		if (rc)
			goto out;
	}
	snprintf(detail, sizeof detail, "document %s %s", d.code,
	         received ? "received" : "missing");
	rc = audit(s, app.person_id, "update", detail, cause);
	if (rc)
		goto out;
	rc = db_cache_commit(s->cache, cause);
	tx = false;
out:
	if (tx)
		db_cache_rollback(s->cache);
	free(list);
	return rc;
}

/* A person's applications; the primary problem only for medical roles. */
enum rc session_list_applications(struct session *s, const char *person_id,
                                  struct application **out, int *n, char **cause)
{
	enum rc rc;

	*out = NULL;
	*n = 0;
	rc = session_require(s, PERM_PERSON_VIEW, cause);
	if (rc)
		return rc;
	rc = db_application_list(s->cache, person_id, out, n);
	if (rc)
		return rc_fail(cause, rc, _("Could not read the applications from the cache."));
	if (!role_may(s->me.role, PERM_MEDICAL_VIEW))
		for (int i = 0; i < *n; i++)
			(*out)[i].problem = APP_PROBLEM_NONE;
	return RC_OK;
}

/* An application's checklist. */
enum rc session_list_documents(struct session *s, const char *application_id,
                               struct app_document **out, int *n, char **cause)
{
	enum rc rc;

	*out = NULL;
	*n = 0;
	rc = session_require(s, PERM_PERSON_VIEW, cause);
	if (rc)
		return rc;
	rc = db_document_list(s->cache, application_id, out, n);
	if (rc)
		return rc_fail(cause, rc, _("Could not read the documents from the cache."));
	return RC_OK;
}

/* Medical content, for evaluators and doctors only, and audited. */
enum rc session_view_medical(struct session *s, const char *application_id, struct application *out,
                             char **cause)
{
	char detail[64];
	bool tx = false;
	enum rc rc;

	rc = session_require(s, PERM_MEDICAL_VIEW, cause);
	if (rc)
		goto out;
	rc = db_cache_begin(s->cache, cause);
	if (rc)
		goto out;
	tx = true;
	rc = db_application_get(s->cache, application_id, out);
	if (rc == RC_NOTFOUND)
		rc = rc_fail(cause, rc, _("This application is not in the cache (any more)."));
	if (rc)
		goto out;
	snprintf(detail, sizeof detail, "application %s", application_id);
	rc = audit(s, out->person_id, "medical_view", detail, cause);
	if (rc)
		goto out;
	rc = db_cache_commit(s->cache, cause);
	tx = false;
out:
	if (tx)
		db_cache_rollback(s->cache);
	return rc;
}

/* Who viewed or changed a person's dossier. */
enum rc session_audit_trail(struct session *s, const char *person_id, int max,
                            struct audit_entry **out, int *n, char **cause)
{
	enum rc rc;

	*out = NULL;
	*n = 0;
	rc = session_require(s, PERM_AUDIT_VIEW, cause);
	if (rc)
		return rc;
	rc = db_audit_list(s->cache, person_id, max, out, n);
	if (rc)
		return rc_fail(cause, rc, _("Could not read the audit trail from the cache."));
	return RC_OK;
}

/* The old and new values of each change to a person's data. */
enum rc session_person_history(struct session *s, const char *person_id, struct person_change **out,
                               int *n, char **cause)
{
	enum rc rc;

	*out = NULL;
	*n = 0;
	rc = session_require(s, PERM_AUDIT_VIEW, cause);
	if (rc)
		return rc;
	rc = db_person_history_list(s->cache, person_id, SESSION_HISTORY_MAX, out, n);
	if (rc)
		return rc_fail(cause, rc, _("Could not read the change history from the cache."));
	return RC_OK;
}
