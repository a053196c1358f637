/* db/contact.h: the central store's side of the public contact-form intake:
 * the postcode areas of the centres, the rate limit shared by every
 * handeskd, and the form stored as a `contact_form` row of its centre. */
#ifndef HANDESK_DB_CONTACT_H
#define HANDESK_DB_CONTACT_H

#include "../src/rc.h"

struct central;

struct db_contact_area {
	char centre_code[16];
	int from, to; /* postcodes, inclusive */
};

/* Give the postcodes from..to (1000..9999) to the centre with that code.
 * RC_NOTFOUND if there is no such centre, RC_DUPLICATE if the range
 * overlaps an area (of any centre: a postcode has one centre), RC_INVALID
 * for a bad range. */
enum rc db_contact_area_add(struct central *db, const char *centre_code, int from, int to,
                            char **cause);
/* All areas by first postcode; *out allocated (caller frees). */
enum rc db_contact_area_list(struct central *db, struct db_contact_area **out, int *n,
                             char **cause);

/* Count one contact form from source in the current minute (a row of
 * rate_limit, shared by every handeskd).  RC_OK while at most limit forms
 * came this minute; RC_DENIED beyond, with *retry_after the seconds until
 * the next minute (1..60). */
enum rc db_contact_rate(struct central *db, const char *source, unsigned limit, int *retry_after,
                        char **cause);

struct db_contact_stored {
	char id[37];
	char received_at[32]; /* "2026-01-31T09:15:02.123Z" */
	char centre_code[16];
	const char *by; /* "person", "postcode" or "default": how the centre was found */
};

/* Store a contact form: data is the JSON object of its fields (without
 * received_at, person_id and status, set here); insz ("" none) and postcode
 * ("" none) choose the centre: the one of the living person with that
 * INSZ (person_id is then that person), else the one whose area holds the
 * postcode, else default_centre (a code, may be NULL).  One transaction;
 * version from record_version.  RC_NOTFOUND when no centre is found. */
enum rc db_contact_insert(struct central *db, const char *data, const char *insz,
                          const char *postcode, const char *default_centre,
                          struct db_contact_stored *out, char **cause);

#endif
