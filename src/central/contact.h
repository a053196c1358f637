/* src/central/contact.h: the public contact-form intake of handeskd
 * (POST /v1/contact-forms): the strict parser of the website's JSON, and the
 * handling of one request from its site key to the stored row. */
#ifndef HANDESK_CENTRAL_CONTACT_H
#define HANDESK_CENTRAL_CONTACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../rc.h"

struct central;

/* Limits, in characters (code points) unless said. */
#define CONTACT_MAX_BODY        (64u * 1024) /* bytes of the request body */
#define CONTACT_MAX_NAME        200
#define CONTACT_MAX_EMAIL       254 /* bytes */
#define CONTACT_MAX_SUBJECT     200
#define CONTACT_MAX_MESSAGE     10000
#define CONTACT_MAX_ATTACHMENTS 10
#define CONTACT_MAX_FILE_NAME   255
#define CONTACT_MAX_FILE_SIZE   (20L * 1024 * 1024) /* bytes */

/* A valid form: every string valid UTF-8, "" when not given.  phone is
 * normalised ("+32470123456"), insz is its 11 digits, message has its line
 * ends as "\n", attachments is the JSON array text (compact, keys name,
 * type, size in that order; "[]" when none). */
struct contact_form {
	char *name;
	char *email;
	char *phone;
	char *insz;
	char *language; /* nl, fr or de */
	char *subject;
	char *message;
	char *postcode; /* four digits, or "" */
	char *attachments;
	size_t n_attachments;
};

/* Parse and check body (len bytes, not NUL-terminated).  RC_OK fills *out
 * (free with central_contact_free); RC_INVALID sets *field to the name of
 * the offending field ("email", "attachments[1].type"), or NULL when the
 * body as a whole is wrong, and *cause to a message in English; RC_NOMEM.
 * The caller frees *field and *cause.  Never trusts the input: any bytes
 * give RC_OK or RC_INVALID. */
enum rc central_contact_parse(const char *body, size_t len, struct contact_form *out, char **field,
                              char **cause);
void central_contact_free(struct contact_form *f);

/* The data object of the form's `contact_form` row, without received_at,
 * person_id and status (set by the store): a new reference, NULL when out
 * of memory. */
json_t *central_contact_data(const struct contact_form *f);

/* What the service is configured with for the intake. */
struct contact_options {
	const char *const *site_keys; /* the keys the website may send */
	size_t n_site_keys;
	const char *default_centre; /* centre code for forms that match nothing */
	unsigned rate_limit;        /* forms per source address per minute */
};

/* One request, as the HTTP layer saw it. */
struct contact_request {
	const char *site_key;     /* Handesk-Site-Key header, NULL if absent */
	const char *content_type; /* Content-Type header, NULL if absent */
	const char *source;       /* client address, for the rate limit */
	const char *body;         /* len bytes */
	size_t len;
	bool too_large; /* more than the body the HTTP layer keeps */
};

/* The answer: status and JSON body (the caller owns json, adds request_id
 * to an error), and retry_after ("" or seconds) for a 429. */
struct contact_reply {
	unsigned status;
	json_t *json;
	char retry_after[16];
	char log[160]; /* a note for the log ("" none): the centre or the failure */
};

/* Checks that need no database: the site key (compared in constant time;
 * 401), the media type (415), the size (413), the body (400).  Returns true
 * with *form filled when the request may go on to central_contact_store;
 * false with *reply filled otherwise. */
bool central_contact_check(const struct contact_options *o, const struct contact_request *req,
                           struct contact_form *form, struct contact_reply *reply);

/* The rate limit and the store: 429 with Retry-After, 201 {"id",
 * "received_at"}, or 503/500 when the database fails (*reply->log says why).
 * db may be NULL (database unreachable: 503).  Returns the enum rc of the
 * database work, so that the caller may retry on a fresh connection after
 * RC_IO. */
enum rc central_contact_store(const struct contact_options *o, struct central *db,
                              const char *source, const struct contact_form *form,
                              struct contact_reply *reply);

#endif
