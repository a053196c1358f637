/* staff.c: staff records without a central service: the first director of a
 * new cache, the director adding and deactivating the others, the list.
 * The permission is checked here, not trusted from the caller, and every
 * change is audited in its own transaction. */
#include "autoconf.h"

#include "staff.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "i18n.h"
#include "text.h"
#include "uuid.h"

#include "db/audit.h"
#include "db/cache.h"
#include "db/staff.h"

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static bool given(const char *s)
{
	return s && *s;
}

/* --- validation of what was asked for --- */

/* A login as the operating system has them: no blanks or control
 * characters, not starting with '-' (it would read as an option). */
static enum rc check_login(const char *login, char **cause)
{
	if (!given(login))
		return rc_fail(cause, RC_INVALID, _("The login is missing (--login NAME)."));
	if (strlen(login) >= sizeof((struct staff *)0)->login)
		return rc_fail(cause, RC_INVALID,
		               _("The login '%s' is too long (at most %d bytes)."), login,
		               (int)sizeof((struct staff *)0)->login - 1);
	if (!text_valid(login) || login[0] == '-' || strpbrk(login, " \t"))
		return rc_fail(cause, RC_INVALID,
		               _("The login '%s' is not a login name: no blanks, no control "
		                 "characters, not starting with '-'."),
		               login);
	return RC_OK;
}

/* A name or other text: trimmed into out, valid UTF-8 without control
 * characters, required or not, shorter than size. */
static enum rc check_text(const char *in, char *out, size_t size, bool required, const char *what,
                          char **cause)
{
	char buf[1024];

	copy(buf, sizeof buf, in);
	text_trim(buf);
	if (!buf[0]) {
		if (required)
			return rc_fail(cause, RC_INVALID, _("%s: missing."), what);
		out[0] = '\0';
		return RC_OK;
	}
	if (!text_valid(buf))
		return rc_fail(cause, RC_INVALID,
		               _("%s: not valid UTF-8 text, or has control characters."), what);
	if (strlen(buf) >= size || (in && strlen(in) >= sizeof buf))
		return rc_fail(cause, RC_INVALID, _("%s: too long (at most %d bytes)."), what,
		               (int)size - 1);
	copy(out, size, buf);
	return RC_OK;
}

static bool is_language(const char *s)
{
	return strcmp(s, "nl") == 0 || strcmp(s, "fr") == 0 || strcmp(s, "de") == 0;
}

/* "nl, FR" -> "nl,fr": each of nl, fr, de at most once, in the order given. */
static enum rc check_languages(const char *in, char out[16], char **cause)
{
	char buf[64], *save = NULL, *tok;
	size_t len = 0;

	out[0] = '\0';
	if (!given(in))
		return RC_OK;
	if (strlen(in) >= sizeof buf)
		goto bad;
	copy(buf, sizeof buf, in);
	for (char *p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		text_trim(tok);
		if (!is_language(tok))
			goto bad;
		if (strstr(out, tok))
			return rc_fail(cause, RC_INVALID, _("Languages '%s': %s is named twice."),
			               in, tok);
		len += (size_t)snprintf(out + len, 16 - len, "%s%s", len ? "," : "", tok);
	}
	if (out[0])
		return RC_OK;
bad:
	return rc_fail(cause, RC_INVALID,
	               _("Languages '%s': give a comma-separated list of nl, fr and de, such as "
	                 "nl,fr."),
	               in);
}

/* A centre code: 1 to 15 letters and digits, kept in upper case. */
static enum rc check_centre_code(const char *in, char out[16], char **cause)
{
	size_t n = in ? strlen(in) : 0;

	if (n == 0 || n >= 16)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)in[i]) || (unsigned char)in[i] >= 0x80)
			goto bad;
		out[i] = (char)toupper((unsigned char)in[i]);
	}
	out[n] = '\0';
	return RC_OK;
bad:
	return rc_fail(cause, RC_INVALID,
	               _("Centre code '%s': give 1 to 15 letters and digits, such as BRU."),
	               in ? in : "");
}

/* "reception, client_manager, ..." into out. */
static void role_codes(char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT && len < size; r++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", len ? ", " : "",
		                        role_code((enum role)r));
}

/* Everything about the new record that needs no cache: into *s, and the
 * centre (code, maybe name and language) into *ce. */
static enum rc check_request(const struct staff_request *req, struct staff *s, struct centre *ce,
                             char **cause)
{
	char codes[256];
	enum rc rc;

	memset(s, 0, sizeof *s);
	memset(ce, 0, sizeof *ce);
	rc = check_login(req->login, cause);
	if (rc)
		return rc;
	copy(s->login, sizeof s->login, req->login);
	if (!given(req->role)) {
		role_codes(codes, sizeof codes);
		return rc_fail(cause, RC_INVALID,
		               _("The role is missing (--role ROLE, one of: %s)."), codes);
	}
	s->role = role_parse(req->role);
	if (s->role == ROLE_NONE) {
		role_codes(codes, sizeof codes);
		return rc_fail(cause, RC_INVALID, _("Unknown role '%s'; the roles are: %s."),
		               req->role, codes);
	}
	rc = check_text(req->family_name, s->family_name, sizeof s->family_name, true,
	                _("Family name (--family)"), cause);
	if (rc)
		return rc;
	rc = check_text(req->given_name, s->given_name, sizeof s->given_name, true,
	                _("Given name (--given)"), cause);
	if (rc)
		return rc;
	rc = check_text(req->discipline, s->discipline, sizeof s->discipline, false,
	                _("Discipline (--discipline)"), cause);
	if (rc)
		return rc;
	rc = check_languages(req->languages, s->languages, cause);
	if (rc)
		return rc;
	s->active = true;

	if ((given(req->centre_name) || given(req->centre_language)) && !given(req->centre_code))
		return rc_fail(cause, RC_INVALID,
		               _("--centre-name and --centre-language describe the centre named by "
		                 "--centre CODE, which is missing."));
	if (given(req->centre_code)) {
		rc = check_centre_code(req->centre_code, ce->code, cause);
		if (rc)
			return rc;
	}
	if (given(req->centre_name)) {
		rc = check_text(req->centre_name, ce->name, sizeof ce->name, true,
		                _("Centre name (--centre-name)"), cause);
		if (rc)
			return rc;
	}
	if (given(req->centre_language)) {
		if (!is_language(req->centre_language))
			return rc_fail(cause, RC_INVALID,
			               _("Centre language '%s': give nl, fr or de."),
			               req->centre_language);
		copy(ce->language, sizeof ce->language, req->centre_language);
	}
	return RC_OK;
}

/* --- in the cache --- */

static const struct centre *find_centre_code(const struct centre *v, int n, const char *code)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].code, code) == 0)
			return &v[i];
	return NULL;
}

static const struct centre *find_centre_id(const struct centre *v, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].meta.id, id) == 0)
			return &v[i];
	return NULL;
}

/* The acting staff member, who must be an active centre director.  Staff
 * records are not dossier content, so PERM_* does not cover them: only the
 * director manages them (quality reads audit trails, but hires nobody). */
static enum rc require_director(struct cache *c, const char *actor, struct staff *me, char **cause)
{
	enum rc rc;

	if (!given(actor))
		return rc_fail(cause, RC_DENIED,
		               _("No login to act as: only a centre director may manage staff "
		                 "records (act as one with handesk --login NAME)."));
	rc = db_staff_find_login(c, actor, me);
	if (rc == RC_NOTFOUND)
		return rc_fail(cause, RC_DENIED,
		               _("No staff record for login '%s' in this cache: only a centre "
		                 "director may manage staff records (act as one with handesk "
		                 "--login NAME)."),
		               actor);
	if (rc)
		return rc_fail(cause, rc, _("Could not read the staff records from the cache."));
	if (!me->active)
		return rc_fail(cause, RC_DENIED,
		               _("The staff record for login '%s' is inactive: it may no longer "
		                 "manage staff records."),
		               actor);
	if (me->role != ROLE_DIRECTOR)
		return rc_fail(
		    cause, RC_DENIED,
		    _("Your role (%s) does not allow you to manage staff records: only a "
		      "centre director may."),
		    role_name(me->role));
	return RC_OK;
}

/* The audit entry of a change to a staff record, inside the caller's
 * transaction.  audit.person_id is NOT NULL in the schema (the register is
 * about dossiers): a staff change concerns no person, so it is "". */
static enum rc audit_staff(struct cache *c, const char *centre_id, const char *by,
                           enum role by_role, const char *action, const char *detail, char **cause)
{
	struct audit_entry e;

	memset(&e, 0, sizeof e);
	copy(e.centre_id, sizeof e.centre_id, centre_id);
	copy(e.staff_id, sizeof e.staff_id, by);
	copy(e.role, sizeof e.role, role_code(by_role));
	copy(e.person_id, sizeof e.person_id, "");
	copy(e.action, sizeof e.action, action);
	copy(e.detail, sizeof e.detail, detail);
	return db_audit_append(c, &e, cause);
}

/* The centre of the first staff record of a cache: the one named, created
 * if new (with its name and language), or the only one the cache has. */
static enum rc bootstrap_centre(const struct centre *want, const struct centre *all, int n,
                                struct centre *out, bool *create, char **cause)
{
	const struct centre *found;

	*create = false;
	if (!want->code[0]) {
		if (n == 1) {
			*out = all[0];
			return RC_OK;
		}
		if (n == 0)
			return rc_fail(
			    cause, RC_INVALID,
			    _("This cache has no centre yet: create the director's centre "
			      "with --centre CODE --centre-name NAME --centre-language "
			      "nl|fr|de."));
		return rc_fail(cause, RC_INVALID,
		               _("This cache has several centres: say which one the director works "
		                 "for with --centre CODE."));
	}
	found = find_centre_code(all, n, want->code);
	if (found) {
		if (want->name[0] || want->language[0])
			return rc_fail(
			    cause, RC_INVALID,
			    _("Centre %s is already in this cache: leave out --centre-name "
			      "and --centre-language."),
			    want->code);
		*out = *found;
		return RC_OK;
	}
	if (!want->name[0] || !want->language[0])
		return rc_fail(
		    cause, RC_INVALID,
		    _("Centre %s is not in this cache yet: to create it, give %s%s%s too."),
		    want->code, want->name[0] ? "" : "--centre-name NAME",
		    !want->name[0] && !want->language[0] ? " " : "",
		    want->language[0] ? "" : "--centre-language nl|fr|de");
	*out = *want;
	*create = true;
	return RC_OK;
}

/* "Family, Given (role, centre CODE, active)" of an existing record. */
static void describe(const struct staff *s, const struct centre *all, int n, char *out, size_t size)
{
	const struct centre *ce = find_centre_id(all, n, s->meta.centre_id);

	snprintf(out, size, "%s, %s (%s, %s %s, %s)", s->family_name, s->given_name,
	         role_name(s->role), _("centre"), ce ? ce->code : "?",
	         s->active ? _("active") : _("inactive"));
}

/*
 * The whole of staff_add inside one write transaction, so that two
 * processes adding the first director, or the same login, at once cannot
 * both succeed: the first commits, the second then sees its record.
 */
enum rc staff_add(struct cache *c, const char *actor, const struct staff_request *req,
                  struct staff *out, struct centre *centre_out, bool *centre_created, char **cause)
{
	struct staff s, me, *all = NULL;
	struct centre want, centre, *centres = NULL;
	const struct centre *found;
	char detail[256], who[512];
	int nstaff = 0, ncentres = 0;
	bool tx = false, create = false, bootstrap;
	enum rc rc;

	if (centre_created)
		*centre_created = false;
	rc = check_request(req, &s, &want, cause);
	if (rc)
		goto out;
	rc = db_cache_begin(c, cause);
	if (rc)
		goto out;
	tx = true;
	rc = db_staff_list(c, &all, &nstaff);
	if (!rc)
		rc = db_centre_list(c, &centres, &ncentres);
	if (rc) {
		rc = rc_fail(cause, rc, _("Could not read the staff records from the cache."));
		goto out;
	}
	bootstrap = nstaff == 0;
	memset(&me, 0, sizeof me);
	if (bootstrap) {
		/* Nobody to ask yet: the first record must be someone who may add
		 * the others.  Whoever can write the cache file may make it (the
		 * file's mode is the protection), and it signs its own rows. */
		if (s.role != ROLE_DIRECTOR) {
			rc = rc_fail(
			    cause, RC_DENIED,
			    _("This cache has no staff record yet: the first one must be a "
			      "centre director (--role director), who then adds the others."));
			goto out;
		}
		rc = bootstrap_centre(&want, centres, ncentres, &centre, &create, cause);
		if (rc)
			goto out;
		uuid_new(s.meta.id);
		me = s;
	} else {
		rc = require_director(c, actor, &me, cause);
		if (rc)
			goto out;
		if (want.name[0] || want.language[0]) {
			rc = rc_fail(
			    cause, RC_INVALID,
			    _("A centre is created only with the first staff record of a cache; "
			      "leave out --centre-name and --centre-language."));
			goto out;
		}
		found = find_centre_id(centres, ncentres, me.meta.centre_id);
		if (!found) {
			rc = rc_fail(
			    cause, RC_DENIED,
			    _("Your staff record belongs to a centre this cache does not know."));
			goto out;
		}
		if (want.code[0] && strcmp(want.code, found->code) != 0) {
			if (!find_centre_code(centres, ncentres, want.code))
				rc = rc_fail(cause, RC_NOTFOUND,
				             _("There is no centre %s in this cache."), want.code);
			else
				rc = rc_fail(
				    cause, RC_DENIED,
				    _("You are the director of centre %s: you may add staff "
				      "records to that centre only, not to %s."),
				    found->code, want.code);
			goto out;
		}
		centre = *found;
	}
	for (int i = 0; i < nstaff; i++) {
		if (strcmp(all[i].login, s.login) != 0)
			continue;
		describe(&all[i], centres, ncentres, who, sizeof who);
		rc = rc_fail(cause, RC_DUPLICATE,
		             _("There is already a staff record with login '%s': %s.  A login "
		               "names one person in a cache."),
		             s.login, who);
		goto out;
	}

	if (create) {
		rc = db_centre_insert(c, &centre, me.meta.id, cause);
		if (rc)
			goto out;
	}
	copy(s.meta.centre_id, sizeof s.meta.centre_id, centre.meta.id);
	rc = db_staff_insert(c, &s, me.meta.id, cause);
	if (rc)
		goto out;
	/* At the bootstrap no staff record stands for the one at the keyboard
	 * yet: the audit entry names the login they acted under. */
	snprintf(detail, sizeof detail, "login %s role %s%s%s%s%s", s.login, role_code(s.role),
	         bootstrap ? ", first staff record, made as login " : "",
	         bootstrap ? (given(actor) ? actor : "?") : "", create ? ", new centre " : "",
	         create ? centre.code : "");
	rc = audit_staff(c, centre.meta.id, me.meta.id, me.role, "staff_add", detail, cause);
	if (rc)
		goto out;
	rc = db_cache_commit(c, cause);
	tx = false;
	if (rc)
		goto out;
	if (out)
		*out = s;
	if (centre_out)
		*centre_out = centre;
	if (centre_created)
		*centre_created = create;
out:
	if (tx)
		db_cache_rollback(c);
	free(all);
	free(centres);
	return rc;
}

enum rc staff_set_active(struct cache *c, const char *actor, const char *login, bool active,
                         bool *changed, char **cause)
{
	struct staff me, s;
	struct centre mine, theirs;
	char detail[128];
	bool tx = false;
	enum rc rc;

	if (changed)
		*changed = false;
	rc = check_login(login, cause);
	if (rc)
		goto out;
	rc = db_cache_begin(c, cause);
	if (rc)
		goto out;
	tx = true;
	rc = require_director(c, actor, &me, cause);
	if (rc)
		goto out;
	rc = db_staff_find_login(c, login, &s);
	if (rc == RC_NOTFOUND)
		rc = rc_fail(cause, rc,
		             _("There is no staff record with login '%s' in this cache."), login);
	if (rc) {
		rc = rc_fail(cause, rc, _("Could not read the staff records from the cache."));
		goto out;
	}
	if (strcmp(s.meta.centre_id, me.meta.centre_id) != 0) {
		if (db_centre_get(c, me.meta.centre_id, &mine) != RC_OK)
			copy(mine.code, sizeof mine.code, "?");
		if (db_centre_get(c, s.meta.centre_id, &theirs) != RC_OK)
			copy(theirs.code, sizeof theirs.code, "?");
		rc =
		    rc_fail(cause, RC_DENIED,
		            _("The staff record '%s' belongs to centre %s; you are the director of "
		              "centre %s."),
		            login, theirs.code, mine.code);
		goto out;
	}
	/* A director locking themselves out could leave a centre with nobody
	 * to manage its staff; another director of the centre must do it. */
	if (!active && strcmp(s.meta.id, me.meta.id) == 0) {
		rc = rc_fail(cause, RC_DENIED,
		             _("You cannot deactivate your own staff record: another director of "
		               "your centre must do it."));
		goto out;
	}
	if (s.active == active)
		goto out; /* already so: nothing written (rolled back) */
	s.active = active;
	rc = db_staff_update(c, &s, me.meta.id, cause);
	if (rc)
		goto out;
	snprintf(detail, sizeof detail, "login %s role %s", s.login, role_code(s.role));
	rc = audit_staff(c, s.meta.centre_id, me.meta.id, me.role,
	                 active ? "staff_enable" : "staff_disable", detail, cause);
	if (rc)
		goto out;
	rc = db_cache_commit(c, cause);
	tx = false;
	if (!rc && changed)
		*changed = true;
out:
	if (tx)
		db_cache_rollback(c);
	return rc;
}

static int by_centre_login(const void *a, const void *b)
{
	const struct staff_entry *x = a, *y = b;
	int d = strcmp(x->centre_code, y->centre_code);
	return d ? d : strcmp(x->staff.login, y->staff.login);
}

enum rc staff_list(struct cache *c, struct staff_entry **out, int *n, char **cause)
{
	struct staff *all = NULL;
	struct centre *centres = NULL;
	const struct centre *ce;
	int nstaff = 0, ncentres = 0;
	enum rc rc;

	*out = NULL;
	*n = 0;
	/* one read transaction: staff and centres as of the same moment */
	rc = db_cache_begin_read(c);
	if (!rc)
		rc = db_staff_list(c, &all, &nstaff);
	if (!rc)
		rc = db_centre_list(c, &centres, &ncentres);
	db_cache_end_read(c);
	if (rc) {
		rc = rc_fail(cause, rc, _("Could not read the staff records from the cache."));
		goto out;
	}
	if (nstaff == 0)
		goto out;
	*out = calloc((size_t)nstaff, sizeof **out);
	if (!*out) {
		rc = RC_NOMEM;
		goto out;
	}
	for (int i = 0; i < nstaff; i++) {
		(*out)[i].staff = all[i];
		ce = find_centre_id(centres, ncentres, all[i].meta.centre_id);
		copy((*out)[i].centre_code, sizeof(*out)[i].centre_code, ce ? ce->code : "");
	}
	*n = nstaff;
	qsort(*out, (size_t)*n, sizeof **out, by_centre_login);
out:
	free(all);
	free(centres);
	return rc;
}
