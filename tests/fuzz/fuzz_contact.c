/* fuzz_contact.c: libFuzzer target for central_contact_parse, the parser of
 * the public contact forms (POST /v1/contact-forms), the one input of
 * handeskd that anybody on the Internet may send.
 * Checks: never crashes or leaks; a refusal has a message (and a field
 * name that is not empty when given); an accepted form has every field,
 * within its limits, and its normalised form parses again to the same
 * values (normalising twice changes nothing). */
#include "autoconf.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/central/contact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t max_bytes)
{
	if (!s || strlen(s) > max_bytes)
		__builtin_trap();
}

/* The form back as the website would send it. */
static char *resend(const struct contact_form *f)
{
	json_t *o = central_contact_data(f), *att;
	char *text;

	if (!o)
		__builtin_trap();
	att = json_loads(f->attachments, 0, NULL);
	if (!json_is_array(att))
		__builtin_trap();
	json_object_set_new(o, "attachments", att);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text)
		__builtin_trap();
	return text;
}

static void same(const struct contact_form *a, const struct contact_form *b)
{
	if (strcmp(a->name, b->name) || strcmp(a->email, b->email) || strcmp(a->phone, b->phone) ||
	    strcmp(a->insz, b->insz) || strcmp(a->language, b->language) ||
	    strcmp(a->subject, b->subject) || strcmp(a->message, b->message) ||
	    strcmp(a->postcode, b->postcode) || strcmp(a->attachments, b->attachments) ||
	    a->n_attachments != b->n_attachments)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"fuzz-site-key-0123456789"};
	static const struct contact_options opts = {
	    .site_keys = keys, .n_site_keys = 1, .default_centre = "BRU", .rate_limit = 10};
	struct contact_request req = {.site_key = keys[0],
	                              .content_type = "application/json",
	                              .source = "127.0.0.1",
	                              .body = (const char *)data,
	                              .len = size};
	struct contact_form f, g;
	struct contact_reply reply;
	char *field = NULL, *cause = NULL, *again;
	enum rc rc;

	rc = central_contact_parse((const char *)data, size, &f, &field, &cause);
	if (rc == RC_INVALID) {
		if (!cause || !*cause || (field && !*field))
			__builtin_trap();
	} else if (rc == RC_OK) {
		if (field || cause)
			__builtin_trap();
		check_text(f.name, 4 * CONTACT_MAX_NAME);
		check_text(f.email, CONTACT_MAX_EMAIL);
		check_text(f.phone, 31);
		check_text(f.insz, 11);
		check_text(f.subject, 4 * CONTACT_MAX_SUBJECT);
		check_text(f.message, 4 * CONTACT_MAX_MESSAGE);
		check_text(f.postcode, 4);
		check_text(f.attachments, CONTACT_MAX_BODY);
		if (!*f.name || !*f.message || (!*f.email && !*f.phone) ||
		    f.n_attachments > CONTACT_MAX_ATTACHMENTS ||
		    (strcmp(f.language, "nl") && strcmp(f.language, "fr") &&
		     strcmp(f.language, "de")))
			__builtin_trap();
		again = resend(&f);
		if (central_contact_parse(again, strlen(again), &g, &field, &cause) != RC_OK)
			__builtin_trap();
		same(&f, &g);
		central_contact_free(&g);
		free(again);
		central_contact_free(&f);
	} else if (rc != RC_NOMEM) {
		__builtin_trap();
	}
	free(field);
	free(cause);

	/* The whole check, as the HTTP layer calls it. */
	if (central_contact_check(&opts, &req, &f, &reply)) {
		if (rc != RC_OK || reply.json)
			__builtin_trap();
		central_contact_free(&f);
	} else {
		if (!reply.json || reply.status < 400 || reply.status > 500)
			__builtin_trap();
		json_decref(reply.json);
	}
	return 0;
}
