/* person.h: a person known to the centre (applicant or visitor) and the
 * validation of its fields. */
#ifndef HANDESK_PERSON_H
#define HANDESK_PERSON_H

#include <stdbool.h>

enum residence {
	RESIDENCE_UNKNOWN = 0,
	RESIDENCE_POPULATION, /* population register: may receive the allowances */
	RESIDENCE_FOREIGNERS, /* foreigners' register: allowance unlikely */
	RESIDENCE_OTHER,      /* waiting register, none, ... */
};

/* Sync columns (design.md section 4), carried by every synced row. */
struct row_meta {
	char id[37];         /* UUID, born where the row is born */
	char centre_id[37];  /* centre the row belongs to */
	long version;        /* assigned by the central service, 0 = not yet synced */
	char updated_at[32]; /* UTC, ISO 8601 */
	char updated_by[37]; /* staff id */
	bool deleted;        /* tombstone */
};

struct person {
	struct row_meta meta;
	char insz[12];         /* 11 digits, or "" while not known */
	char family_name[128]; /* UTF-8 */
	char given_name[128];  /* UTF-8 */
	char birth_date[11];   /* YYYY-MM-DD, or "" */
	char sex[2];           /* "m", "f", or "" */
	char language[3];      /* "nl", "fr", "de" */
	char nationality[3];   /* ISO 3166-1 alpha-2, e.g. "BE"; "" unknown */
	enum residence residence;
	char street[128]; /* street and number */
	char postcode[5]; /* 4 digits */
	char municipality[64];
	char phone[24]; /* +32... */
	char email[128];
	char contact_name[128]; /* representative or contact person */
	char contact_phone[24];
	char contact_relation[64];
	char notes[1024];
};

/* One edit of a person as the change history keeps it (db/person.h reads
 * and appends them; src/session.c writes them with each change). */
struct person_change {
	char id[37];
	char changed_at[32];  /* UTC ISO 8601 */
	char staff_name[260]; /* filled when read: "Family, Given" */
	char role[24];        /* role code of who changed it, at the time */
	char changes[3072];   /* "phone: +32470123456 -> +32471123456; ..." */
};

/* Which field a validation message is about. */
enum person_field {
	PERSON_F_NONE = 0,
	PERSON_F_INSZ,
	PERSON_F_FAMILY_NAME,
	PERSON_F_GIVEN_NAME,
	PERSON_F_BIRTH_DATE,
	PERSON_F_SEX,
	PERSON_F_LANGUAGE,
	PERSON_F_NATIONALITY,
	PERSON_F_RESIDENCE,
	PERSON_F_STREET,
	PERSON_F_POSTCODE,
	PERSON_F_MUNICIPALITY,
	PERSON_F_PHONE,
	PERSON_F_EMAIL,
	PERSON_F_CONTACT_NAME,
	PERSON_F_CONTACT_PHONE,
	PERSON_F_CONTACT_RELATION,
	PERSON_F_NOTES,
};

/* Check and normalise one field of p (INSZ to digits, dates to ISO,
 * phone to +32, postcode fills an empty municipality ...).  Returns true if
 * the field is acceptable; otherwise false with *msg set to a translated,
 * static message. */
bool person_check_field(struct person *p, enum person_field f, const char **msg);

/* Check every field, then the rules between fields (birth date must agree
 * with the INSZ, sex with its serial).  On failure sets *field and *msg
 * (into msgbuf, size bytes, translated) and returns false. */
bool person_validate(struct person *p, enum person_field *field, char *msgbuf, unsigned size);

/* A translated warning when the residence status makes the allowances
 * unlikely, or NULL. */
const char *person_eligibility_warning(const struct person *p);

const char *person_residence_name(enum residence r); /* translated */
const char *person_residence_code(enum residence r); /* "population", ... */
enum residence person_residence_parse(const char *code);

/* "Family, Given" into out. */
void person_display_name(const struct person *p, char *out, unsigned size);

#endif
