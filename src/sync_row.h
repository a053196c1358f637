/* sync_row.h: the catalogue of the synced record kinds (handesk-sync(7)):
 * entity names, their fields with type and size, which operations a client
 * may push for each, and the validation of one field's value.  Shared by
 * handeskd (which checks every pushed change) and the sync client. */
#ifndef HANDESK_SYNC_ROW_H
#define HANDESK_SYNC_ROW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "rc.h"

/* The version of the sync protocol (handesk-sync(7)) this build speaks,
 * and the oldest client version the service still serves.  A client sends
 * its version with /v1/hello?schema=N; the service answers 409 to a client
 * newer than itself (upgrade handeskd) or older than the oldest it serves
 * (upgrade handesk).  Not the central store's migration number: the store
 * may change without the protocol changing. */
#define SYNC_PROTOCOL        1
#define SYNC_PROTOCOL_OLDEST 1

/* The operations of a pushed change, as bits of sync_entity.ops. */
enum sync_op {
	SYNC_OP_INSERT = 1,
	SYNC_OP_UPDATE = 2,
	SYNC_OP_DELETE = 4,
};

enum sync_type {
	SYNC_TEXT, /* a JSON string ("" = unknown, never null) */
	SYNC_INT,  /* a JSON integer */
};

/* How a field's value is checked beyond its type and size. */
enum sync_check {
	SYNC_CHECK_LINE,      /* UTF-8 without control characters */
	SYNC_CHECK_MULTILINE, /* the same, \n and \t allowed (notes, message) */
	SYNC_CHECK_INSZ,      /* "" or 11 digits with valid check digits */
	SYNC_CHECK_DATE,      /* "" or YYYY-MM-DD, a real date */
	SYNC_CHECK_TIME,      /* UTC ISO 8601: YYYY-MM-DDTHH:MM:SS[.fff]Z */
	SYNC_CHECK_UUID,      /* "" or a lower-case UUID */
	SYNC_CHECK_SEX,       /* "", "m" or "f" */
	SYNC_CHECK_LANGUAGE,  /* "" or nl, fr, de */
	SYNC_CHECK_LANGUAGES, /* "" or a comma list of nl, fr, de: "nl,fr" */
	SYNC_CHECK_COUNTRY,   /* "" or two upper-case letters */
	SYNC_CHECK_RESIDENCE, /* "" or a code of person_residence_parse */
	SYNC_CHECK_POSTCODE,  /* "" or a Belgian postcode, four digits */
	SYNC_CHECK_PHONE,     /* "" or a normalised number (+32470123456) */
	SYNC_CHECK_EMAIL,     /* "" or an address of email_valid's shape */
	SYNC_CHECK_ROLE,      /* "" or a role code of role_parse */
	SYNC_CHECK_APP_KIND,  /* "" or application_kind_parse's codes */
	SYNC_CHECK_APP_PROC,
	SYNC_CHECK_APP_PROBLEM,
	SYNC_CHECK_APP_STATUS,
	SYNC_CHECK_CODE,        /* "" or [a-z0-9_]: a stable code ("medical_report") */
	SYNC_CHECK_CENTRE_CODE, /* upper-case letters and digits ("BRU") */
	SYNC_CHECK_BOOL,        /* the integer 0 or 1 */
	SYNC_CHECK_ENTITY,      /* the name of a synced entity */
	SYNC_CHECK_JSON_OBJECT, /* text that is a JSON object */
	SYNC_CHECK_JSON_ARRAY,  /* text that is a JSON array */
};

struct sync_field {
	const char *name;
	enum sync_type type;
	enum sync_check check;
	unsigned max;      /* longest text in bytes (SYNC_TEXT) */
	bool required;     /* may not be "" */
	bool client_write; /* a client may push it (for entities with ops) */
	int fallback;      /* SYNC_INT: the value of a field an insert leaves out */
};

struct sync_entity {
	const char *name; /* "person" */
	const struct sync_field *fields;
	size_t nfields;
	unsigned ops;     /* enum sync_op bits a client may push */
	bool append_only; /* audit, person_history: rows never change */
};

/* The entity of that name, or NULL (name may be NULL). */
const struct sync_entity *sync_row_entity(const char *name);
/* The i-th entity of the catalogue (0 <= i < sync_row_entity_count()). */
size_t sync_row_entity_count(void);
const struct sync_entity *sync_row_entity_at(size_t i);
/* The field of that name of entity e, or NULL. */
const struct sync_field *sync_row_field(const struct sync_entity *e, const char *name);

/* "insert", "update", "delete" to enum sync_op, 0 if none; and back. */
enum sync_op sync_row_op_parse(const char *op);
const char *sync_row_op_name(enum sync_op op);

/* May a client push op on entity?  RC_OK or RC_INVALID with *cause
 * ("audit: append-only, only insert is accepted"; caller frees). */
enum rc sync_row_check_op(const struct sync_entity *e, enum sync_op op, char **cause);

/* Check one pushed field: known to the entity, writable by a client,
 * the right JSON type, within its size, and valid for its check.  RC_OK,
 * or RC_INVALID with *cause naming the field ("insz: the check digits do
 * not match"; caller frees). */
enum rc sync_row_validate(const char *entity, const char *field, const json_t *value, char **cause);

/* The same for a field already looked up, value as text (SYNC_TEXT) or
 * number (SYNC_INT; text ignored). */
enum rc sync_row_check_value(const struct sync_field *f, const char *text, size_t len,
                             long long number, char **cause);

/* Check a whole "fields" object of a change: every key validated as
 * above; for an insert, missing fields are added with their default ("" or
 * the field's fallback) and required ones must be there.  fields is
 * changed in place (insert only).  RC_OK or RC_INVALID with *cause. */
enum rc sync_row_check_fields(const struct sync_entity *e, enum sync_op op, json_t *fields,
                              char **cause);

/* True if s is a canonical lower-case UUID (8-4-4-4-12 hex digits). */
bool sync_row_uuid(const char *s);

/* True if s is a UTC timestamp YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z of a real
 * date and time. */
bool sync_row_time(const char *s);

#endif
