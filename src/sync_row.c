/* sync_row.c: the catalogue of synced record kinds and the validation of
 * pushed field values with the checks of the core (INSZ, dates, codes). */
#include "autoconf.h"

#include "sync_row.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "application.h"
#include "date.h"
#include "email.h"
#include "i18n.h"
#include "insz.h"
#include "person.h"
#include "phone.h"
#include "postcode.h"
#include "role.h"
#include "text.h"

#define ALL      (SYNC_OP_INSERT | SYNC_OP_UPDATE | SYNC_OP_DELETE)
#define ARRAY(a) (sizeof(a) / sizeof((a)[0]))

/* Shorthands for the tables below: writable text, writable int, and
 * service-only text. */
#define T(n, c, m)                                                                                 \
	{                                                                                          \
		n, SYNC_TEXT, c, m, false, true, 0                                                 \
	}
#define TR(n, c, m)                                                                                \
	{                                                                                          \
		n, SYNC_TEXT, c, m, true, true, 0                                                  \
	}
#define I(n, c, d)                                                                                 \
	{                                                                                          \
		n, SYNC_INT, c, 0, false, true, d                                                  \
	}
#define S(n, c, m)                                                                                 \
	{                                                                                          \
		n, SYNC_TEXT, c, m, false, false, 0                                                \
	}
#define SR(n, c, m)                                                                                \
	{                                                                                          \
		n, SYNC_TEXT, c, m, true, false, 0                                                 \
	}

/* The sizes are those of the structs of src/ (person.h, staff.h ...) less
 * the terminating NUL: what the client can hold. */
static const struct sync_field centre_fields[] = {
    SR("code", SYNC_CHECK_CENTRE_CODE, 15),
    SR("name", SYNC_CHECK_LINE, 127),
    SR("language", SYNC_CHECK_LANGUAGE, 2),
};

static const struct sync_field staff_fields[] = {
    TR("login", SYNC_CHECK_LINE, 63),      TR("family_name", SYNC_CHECK_LINE, 127),
    T("given_name", SYNC_CHECK_LINE, 127), TR("role", SYNC_CHECK_ROLE, 23),
    T("discipline", SYNC_CHECK_LINE, 31),  T("languages", SYNC_CHECK_LANGUAGES, 15),
    I("active", SYNC_CHECK_BOOL, 1),
};

static const struct sync_field person_fields[] = {
    T("insz", SYNC_CHECK_INSZ, 11),
    TR("family_name", SYNC_CHECK_LINE, 127),
    T("given_name", SYNC_CHECK_LINE, 127),
    T("birth_date", SYNC_CHECK_DATE, 10),
    T("sex", SYNC_CHECK_SEX, 1),
    T("language", SYNC_CHECK_LANGUAGE, 2),
    T("nationality", SYNC_CHECK_COUNTRY, 2),
    T("residence", SYNC_CHECK_RESIDENCE, 15),
    T("street", SYNC_CHECK_LINE, 127),
    T("postcode", SYNC_CHECK_POSTCODE, 4),
    T("municipality", SYNC_CHECK_LINE, 63),
    T("phone", SYNC_CHECK_PHONE, 23),
    T("email", SYNC_CHECK_EMAIL, 127),
    T("contact_name", SYNC_CHECK_LINE, 127),
    T("contact_phone", SYNC_CHECK_PHONE, 23),
    T("contact_relation", SYNC_CHECK_LINE, 63),
    T("notes", SYNC_CHECK_MULTILINE, 1023),
};

static const struct sync_field application_fields[] = {
    TR("person_id", SYNC_CHECK_UUID, 36),     TR("kind", SYNC_CHECK_APP_KIND, 31),
    TR("procedure", SYNC_CHECK_APP_PROC, 31), TR("received_on", SYNC_CHECK_DATE, 10),
    T("problem", SYNC_CHECK_APP_PROBLEM, 31), TR("status", SYNC_CHECK_APP_STATUS, 31),
    T("notes", SYNC_CHECK_MULTILINE, 511),
};

static const struct sync_field application_document_fields[] = {
    TR("application_id", SYNC_CHECK_UUID, 36),
    TR("code", SYNC_CHECK_CODE, 31),
    I("required", SYNC_CHECK_BOOL, 1),
    T("received_on", SYNC_CHECK_DATE, 10),
};

static const struct sync_field audit_fields[] = {
    TR("at", SYNC_CHECK_TIME, 31),     T("staff_id", SYNC_CHECK_UUID, 36),
    T("role", SYNC_CHECK_ROLE, 23),    T("person_id", SYNC_CHECK_UUID, 36),
    TR("action", SYNC_CHECK_CODE, 15), T("detail", SYNC_CHECK_MULTILINE, 511),
};

static const struct sync_field person_history_fields[] = {
    TR("person_id", SYNC_CHECK_UUID, 36),      TR("changed_at", SYNC_CHECK_TIME, 31),
    T("changed_by", SYNC_CHECK_UUID, 36),      T("role", SYNC_CHECK_ROLE, 23),
    TR("changes", SYNC_CHECK_MULTILINE, 3071),
};

/* Written by the service (POST /v1/contact-forms, which limits name and
 * subject to 200 characters, the message to 10000: in bytes, up to four
 * times that); a client only files the form: its status and the person it
 * belongs to. */
static const struct sync_field contact_form_fields[] = {
    SR("received_at", SYNC_CHECK_TIME, 31), S("name", SYNC_CHECK_LINE, 1023),
    S("email", SYNC_CHECK_EMAIL, 254),      S("phone", SYNC_CHECK_PHONE, 23),
    S("insz", SYNC_CHECK_INSZ, 11),         S("language", SYNC_CHECK_LANGUAGE, 2),
    S("subject", SYNC_CHECK_LINE, 1023),    S("message", SYNC_CHECK_MULTILINE, 65535),
    S("postcode", SYNC_CHECK_POSTCODE, 4),  S("attachments", SYNC_CHECK_JSON_ARRAY, 65535),
    T("person_id", SYNC_CHECK_UUID, 36),    TR("status", SYNC_CHECK_CODE, 31),
};

/* Raised by the service on a conflicting push; a client deletes it once
 * a person has decided. */
static const struct sync_field conflict_fields[] = {
    SR("entity", SYNC_CHECK_ENTITY, 31),          SR("row_id", SYNC_CHECK_UUID, 36),
    SR("fields", SYNC_CHECK_LINE, 2047),          SR("ours", SYNC_CHECK_JSON_OBJECT, 262143),
    SR("theirs", SYNC_CHECK_JSON_OBJECT, 262143), SR("base", SYNC_CHECK_JSON_OBJECT, 262143),
    SR("raised_at", SYNC_CHECK_TIME, 31),         S("raised_by", SYNC_CHECK_UUID, 36),
};

#define ENTITY(name, fields, ops, append)                                                          \
	{                                                                                          \
		name, fields, ARRAY(fields), ops, append                                           \
	}

static const struct sync_entity entities[] = {
    ENTITY("centre", centre_fields, 0, false),
    ENTITY("staff", staff_fields, ALL, false),
    ENTITY("person", person_fields, ALL, false),
    ENTITY("application", application_fields, ALL, false),
    ENTITY("application_document", application_document_fields, ALL, false),
    ENTITY("audit", audit_fields, SYNC_OP_INSERT, true),
    ENTITY("person_history", person_history_fields, SYNC_OP_INSERT, true),
    ENTITY("contact_form", contact_form_fields, SYNC_OP_UPDATE, false),
    ENTITY("conflict", conflict_fields, SYNC_OP_DELETE, false),
};

const struct sync_entity *sync_row_entity(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < ARRAY(entities); i++)
		if (strcmp(entities[i].name, name) == 0)
			return &entities[i];
	return NULL;
}

size_t sync_row_entity_count(void)
{
	return ARRAY(entities);
}

const struct sync_entity *sync_row_entity_at(size_t i)
{
	return i < ARRAY(entities) ? &entities[i] : NULL;
}

const struct sync_field *sync_row_field(const struct sync_entity *e, const char *name)
{
	if (!e || !name)
		return NULL;
	for (size_t i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, name) == 0)
			return &e->fields[i];
	return NULL;
}

enum sync_op sync_row_op_parse(const char *op)
{
	if (!op)
		return 0;
	if (strcmp(op, "insert") == 0)
		return SYNC_OP_INSERT;
	if (strcmp(op, "update") == 0)
		return SYNC_OP_UPDATE;
	if (strcmp(op, "delete") == 0)
		return SYNC_OP_DELETE;
	return 0;
}

const char *sync_row_op_name(enum sync_op op)
{
	switch (op) {
	case SYNC_OP_INSERT:
		return "insert";
	case SYNC_OP_UPDATE:
		return "update";
	case SYNC_OP_DELETE:
		return "delete";
	}
	return "";
}

enum rc sync_row_check_op(const struct sync_entity *e, enum sync_op op, char **cause)
{
	if (!e)
		return rc_fail(cause, RC_INVALID, _("unknown entity"));
	if (op == 0)
		return rc_fail(cause, RC_INVALID, _("op: insert, update or delete"));
	if (e->ops & op)
		return RC_OK;
	if (e->ops == 0)
		return rc_fail(cause, RC_INVALID, _("%s: written by the service only"), e->name);
	if (e->append_only)
		return rc_fail(cause, RC_INVALID, _("%s: append-only, only insert is accepted"),
		               e->name);
	return rc_fail(cause, RC_INVALID, _("%s: %s is not accepted from a client"), e->name,
	               sync_row_op_name(op));
}

bool sync_row_uuid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		unsigned char c = (unsigned char)s[i];

		if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

/* n decimal digits at s into *v. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* Exactly YYYY-MM-DD of a real date. */
static bool iso_date(const char *s)
{
	struct date d;

	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return false;
	if (!digits(s, 4, &d.year) || !digits(s + 5, 2, &d.month) || !digits(s + 8, 2, &d.day))
		return false;
	return date_valid(d);
}

bool sync_row_time(const char *s)
{
	int h, m, sec;
	size_t i = 19, frac = 0;

	if (!s || strlen(s) < 20 || !iso_date(s) || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return false;
	if (!digits(s + 11, 2, &h) || !digits(s + 14, 2, &m) || !digits(s + 17, 2, &sec))
		return false;
	if (h > 23 || m > 59 || sec > 59)
		return false;
	if (s[i] == '.') {
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			frac++;
		if (frac < 1 || frac > 6)
			return false;
	}
	return s[i] == 'Z' && s[i + 1] == '\0';
}

static bool is_language(const char *s, size_t n)
{
	return n == 2 && (!strncmp(s, "nl", 2) || !strncmp(s, "fr", 2) || !strncmp(s, "de", 2));
}

/* "nl,fr": each at most once. */
static bool languages(const char *s)
{
	const char *seen[3];
	int n = 0;

	while (*s) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);

		if (!is_language(s, len) || n == 3)
			return false;
		for (int i = 0; i < n; i++)
			if (!strncmp(seen[i], s, 2))
				return false;
		seen[n++] = s;
		if (!end)
			break;
		s = end + 1;
		if (!*s)
			return false; /* trailing comma */
	}
	return true;
}

static bool code_chars(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* UTF-8 without control characters; \n and \t too if multiline. */
static bool clean_text(const char *s, size_t len, bool multiline)
{
	char *copy;
	bool ok;

	if (!multiline || (!memchr(s, '\n', len) && !memchr(s, '\t', len)))
		return text_valid(s);
	copy = malloc(len + 1);
	if (!copy)
		return false;
	for (size_t i = 0; i <= len; i++)
		copy[i] = s[i] == '\n' || s[i] == '\t' ? ' ' : s[i];
	ok = text_valid(copy);
	free(copy);
	return ok;
}

static enum rc bad(char **cause, const struct sync_field *f, const char *why)
{
	return rc_fail(cause, RC_INVALID, "%s: %s", f->name, why);
}

/* The check of f on non-empty text s. */
static enum rc check_text(const struct sync_field *f, const char *s, char **cause)
{
	struct insz n;
	enum insz_error e;
	char norm[32];
	int code;

	switch (f->check) {
	case SYNC_CHECK_LINE:
	case SYNC_CHECK_MULTILINE:
		return RC_OK; /* clean_text done by the caller */
	case SYNC_CHECK_INSZ:
		e = insz_parse(s, &n);
		if (e != INSZ_OK)
			return bad(cause, f, insz_strerror(e));
		if (strcmp(n.digits, s) != 0)
			return bad(cause, f, _("11 digits without separators"));
		return RC_OK;
	case SYNC_CHECK_DATE:
		if (strlen(s) != 10 || !iso_date(s))
			return bad(cause, f, _("not a real date of the form YYYY-MM-DD"));
		return RC_OK;
	case SYNC_CHECK_TIME:
		if (!sync_row_time(s))
			return bad(cause, f,
			           _("not a UTC time of the form 2026-01-31T09:15:02.123Z"));
		return RC_OK;
	case SYNC_CHECK_UUID:
		if (!sync_row_uuid(s))
			return bad(cause, f, _("not a lower-case UUID"));
		return RC_OK;
	case SYNC_CHECK_SEX:
		if (strcmp(s, "m") != 0 && strcmp(s, "f") != 0)
			return bad(cause, f, _("m, f or empty"));
		return RC_OK;
	case SYNC_CHECK_LANGUAGE:
		if (!is_language(s, strlen(s)))
			return bad(cause, f, _("nl, fr or de"));
		return RC_OK;
	case SYNC_CHECK_LANGUAGES:
		if (!languages(s))
			return bad(cause, f, _("a list of nl, fr, de such as nl,fr"));
		return RC_OK;
	case SYNC_CHECK_COUNTRY:
		if (strlen(s) != 2 || !isupper((unsigned char)s[0]) ||
		    !isupper((unsigned char)s[1]))
			return bad(cause, f, _("a two-letter country code such as BE"));
		return RC_OK;
	case SYNC_CHECK_RESIDENCE:
		if (person_residence_parse(s) == RESIDENCE_UNKNOWN)
			return bad(cause, f, _("population, foreigners, other or empty"));
		return RC_OK;
	case SYNC_CHECK_POSTCODE:
		if (strlen(s) != 4 || !postcode_parse(s, &code))
			return bad(cause, f, _("a Belgian postcode of four digits"));
		return RC_OK;
	case SYNC_CHECK_PHONE:
		if (!phone_normalise(s, norm, sizeof norm) || strcmp(norm, s) != 0)
			return bad(cause, f, _("a normalised phone number such as +32470123456"));
		return RC_OK;
	case SYNC_CHECK_EMAIL:
		if (!email_valid(s))
			return bad(cause, f, _("not an e-mail address"));
		return RC_OK;
	case SYNC_CHECK_ROLE:
		if (role_parse(s) == ROLE_NONE)
			return bad(cause, f, _("unknown role"));
		return RC_OK;
	case SYNC_CHECK_APP_KIND:
		if (application_kind_parse(s) == APP_KIND_NONE)
			return bad(cause, f, _("unknown kind of application"));
		return RC_OK;
	case SYNC_CHECK_APP_PROC:
		if (application_procedure_parse(s) == 0)
			return bad(cause, f, _("unknown procedure"));
		return RC_OK;
	case SYNC_CHECK_APP_PROBLEM:
		if (application_problem_parse(s) == APP_PROBLEM_NONE)
			return bad(cause, f, _("unknown primary problem"));
		return RC_OK;
	case SYNC_CHECK_APP_STATUS:
		if (application_status_parse(s) == 0)
			return bad(cause, f, _("unknown application status"));
		return RC_OK;
	case SYNC_CHECK_CODE:
		if (!code_chars(s))
			return bad(cause, f, _("a code of lower-case letters, digits and _"));
		return RC_OK;
	case SYNC_CHECK_CENTRE_CODE:
		for (const char *p = s; *p; p++)
			if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p))
				return bad(cause, f, _("upper-case letters and digits"));
		return RC_OK;
	case SYNC_CHECK_ENTITY:
		if (!sync_row_entity(s))
			return bad(cause, f, _("unknown entity"));
		return RC_OK;
	case SYNC_CHECK_JSON_OBJECT:
	case SYNC_CHECK_JSON_ARRAY: {
		json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
		bool ok = j && (f->check == SYNC_CHECK_JSON_OBJECT ? json_is_object(j)
		                                                   : json_is_array(j));

		json_decref(j);
		if (!ok)
			return bad(cause, f,
			           f->check == SYNC_CHECK_JSON_OBJECT ? _("not a JSON object")
			                                              : _("not a JSON array"));
		return RC_OK;
	}
	case SYNC_CHECK_BOOL:
		break;
	}
	return bad(cause, f, _("not text"));
}

enum rc sync_row_check_value(const struct sync_field *f, const char *text, size_t len,
                             long long number, char **cause)
{
	if (f->type == SYNC_INT) {
		if (f->check == SYNC_CHECK_BOOL && number != 0 && number != 1)
			return bad(cause, f, _("0 or 1"));
		return RC_OK;
	}
	if (!text)
		return bad(cause, f, _("not text"));
	if (strlen(text) != len)
		return bad(cause, f, _("contains a NUL character"));
	if (len > f->max)
		return rc_fail(cause, RC_INVALID, _("%s: longer than %u bytes"), f->name, f->max);
	if (len == 0)
		return f->required ? bad(cause, f, _("may not be empty")) : RC_OK;
	if (!clean_text(text, len, f->check == SYNC_CHECK_MULTILINE))
		return bad(cause, f, _("not valid UTF-8, or control characters"));
	return check_text(f, text, cause);
}

/* Check one value of field f. */
static enum rc check_json(const struct sync_field *f, const json_t *value, char **cause)
{
	if (f->type == SYNC_INT) {
		if (!json_is_integer(value))
			return bad(cause, f, _("not an integer"));
		return sync_row_check_value(f, NULL, 0, (long long)json_integer_value(value),
		                            cause);
	}
	if (!json_is_string(value))
		return bad(cause, f, _("not a string"));
	return sync_row_check_value(f, json_string_value(value), json_string_length(value), 0,
	                            cause);
}

enum rc sync_row_validate(const char *entity, const char *field, const json_t *value, char **cause)
{
	const struct sync_entity *e = sync_row_entity(entity);
	const struct sync_field *f;

	if (!e)
		return rc_fail(cause, RC_INVALID, _("unknown entity %s"), entity ? entity : "");
	f = sync_row_field(e, field);
	if (!f)
		return rc_fail(cause, RC_INVALID, _("%s has no field %s"), e->name,
		               field ? field : "");
	if (!f->client_write)
		return rc_fail(cause, RC_INVALID, _("%s: written by the service only"), f->name);
	return check_json(f, value, cause);
}

enum rc sync_row_check_fields(const struct sync_entity *e, enum sync_op op, json_t *fields,
                              char **cause)
{
	const char *key;
	json_t *value;
	enum rc rc;

	if (!json_is_object(fields))
		return rc_fail(cause, RC_INVALID, _("fields: not an object"));
	json_object_foreach(fields, key, value)
	{
		rc = sync_row_validate(e->name, key, value, cause);
		if (rc)
			return rc;
	}
	if (op != SYNC_OP_INSERT)
		return RC_OK;
	for (size_t i = 0; i < e->nfields; i++) {
		const struct sync_field *f = &e->fields[i];
		json_t *v;

		if (json_object_get(fields, f->name))
			continue;
		if (f->required)
			return rc_fail(cause, RC_INVALID, _("%s: missing"), f->name);
		v = f->type == SYNC_INT ? json_integer(f->fallback) : json_string("");
		if (!v || json_object_set_new(fields, f->name, v) != 0)
			return rc_fail(cause, RC_NOMEM, _("out of memory"));
	}
	return RC_OK;
}
