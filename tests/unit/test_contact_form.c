/* test_contact_form.c: unit tests of the contact-form parser and checks of
 * handeskd (src/central/contact.c): every field's limits, unknown keys,
 * wrong types, NUL bytes, invalid UTF-8, huge numbers, the site key. */
#include "autoconf.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/central/contact.h"

#define BASE "\"name\":\"Jan Peeters\",\"email\":\"jan@example.be\",\"language\":\"nl\","

/* Parse text; expect success. */
static void parse_ok(const char *text, struct contact_form *f)
{
	char *field = NULL, *cause = NULL;
	enum rc rc = central_contact_parse(text, strlen(text), f, &field, &cause);

	cr_assert_eq(rc, RC_OK, "refused (%s: %s): %.200s", field ? field : "-",
	             cause ? cause : "-", text);
	cr_assert_null(field);
	cr_assert_null(cause);
}

/* Parse len bytes; expect RC_INVALID naming want_field (NULL = the body),
 * with a cause containing want_cause (if not NULL). */
static void parse_bad_len(const char *text, size_t len, const char *want_field,
                          const char *want_cause)
{
	struct contact_form f;
	char *field = NULL, *cause = NULL;
	enum rc rc = central_contact_parse(text, len, &f, &field, &cause);

	cr_assert_eq(rc, RC_INVALID, "accepted: %.200s", text);
	cr_assert_not_null(cause);
	if (want_field) {
		cr_assert_not_null(field, "no field for %.200s (%s)", text, cause);
		cr_assert_str_eq(field, want_field, "%.200s: %s", text, cause);
	} else {
		cr_assert_null(field, "field %s for %.200s", field, text);
	}
	if (want_cause)
		cr_assert(strstr(cause, want_cause), "cause '%s' lacks '%s'", cause, want_cause);
	cr_assert_null(f.name);
	free(field);
	free(cause);
}

static void parse_bad(const char *text, const char *want_field, const char *want_cause)
{
	parse_bad_len(text, strlen(text), want_field, want_cause);
}

/* A valid form with extra (the setting of key) added; the fields of BASE
 * that key would repeat are left out. */
static char *form_with(const char *key, const char *extra)
{
	const char *base =
	    !strcmp(key, "email") ? "\"name\":\"Jan\",\"phone\":\"0470123456\",\"language\":\"nl\","
	    : !strcmp(key, "language") ? "\"name\":\"Jan\",\"email\":\"j@example.be\","
	                               : BASE;
	char *s;

	cr_assert(asprintf(&s, "{%s\"message\":\"Hallo\"%s%s}", base, *extra ? "," : "", extra) >
	          0);
	return s;
}

/* A JSON string of n copies of unit (a UTF-8 sequence). */
static char *repeat(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *s = malloc(n * u + 1);

	cr_assert_not_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[n * u] = '\0';
	return s;
}

static void field_ok(const char *key, const char *value)
{
	struct contact_form f;
	char *extra, *text;

	cr_assert(asprintf(&extra, "\"%s\":\"%s\"", key, value) > 0);
	text = form_with(key, extra);
	parse_ok(text, &f);
	central_contact_free(&f);
	free(text);
	free(extra);
}

static void field_bad(const char *key, const char *json_value, const char *want_field,
                      const char *want_cause)
{
	char *extra, *text;

	cr_assert(asprintf(&extra, "\"%s\":%s", key, json_value) > 0);
	text = form_with(key, extra);
	parse_bad(text, want_field, want_cause);
	free(text);
	free(extra);
}

Test(contact_form, full_form_normalised)
{
	struct contact_form f;

	parse_ok("{\"name\":\"  Marie Duprée \",\"email\":\"marie@example.be\","
	         "\"phone\":\"0470 12 34 56\",\"insz\":\"85.07.30-033.28\",\"language\":\"fr\","
	         "\"subject\":\"Rendez-vous\",\"message\":\"Bonjour,\\r\\nmerci.\\r\","
	         "\"postcode\":\"1000\",\"attachments\":[{\"size\":12345,\"type\":"
	         "\"application/pdf\",\"name\":\"brief.pdf\"}]}",
	         &f);
	cr_assert_str_eq(f.name, "Marie Duprée");
	cr_assert_str_eq(f.email, "marie@example.be");
	cr_assert_str_eq(f.phone, "+32470123456");
	cr_assert_str_eq(f.insz, "85073003328");
	cr_assert_str_eq(f.language, "fr");
	cr_assert_str_eq(f.subject, "Rendez-vous");
	cr_assert_str_eq(f.message, "Bonjour,\nmerci.");
	cr_assert_str_eq(f.postcode, "1000");
	cr_assert_str_eq(f.attachments,
	                 "[{\"name\":\"brief.pdf\",\"type\":\"application/pdf\",\"size\":12345}]");
	cr_assert_eq(f.n_attachments, 1);
	central_contact_free(&f);
}

Test(contact_form, minimal_form)
{
	struct contact_form f;
	json_t *data;
	char *text;

	parse_ok("{\"name\":\"A\",\"phone\":\"+32 2 507 87 99\",\"language\":\"de\","
	         "\"message\":\"x\"}",
	         &f);
	cr_assert_str_eq(f.email, "");
	cr_assert_str_eq(f.insz, "");
	cr_assert_str_eq(f.postcode, "");
	cr_assert_str_eq(f.subject, "");
	cr_assert_str_eq(f.attachments, "[]");
	data = central_contact_data(&f);
	cr_assert_not_null(data);
	text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_str_eq(text, "{\"attachments\":\"[]\",\"email\":\"\",\"insz\":\"\",\"language\":"
	                       "\"de\",\"message\":\"x\",\"name\":\"A\",\"phone\":\"+3225078799\","
	                       "\"postcode\":\"\",\"subject\":\"\"}");
	free(text);
	json_decref(data);
	central_contact_free(&f);
}

Test(contact_form, required_fields)
{
	parse_bad("{\"email\":\"a@b.be\",\"language\":\"nl\",\"message\":\"x\"}", "name",
	          "required");
	parse_bad("{\"name\":\"   \",\"email\":\"a@b.be\",\"language\":\"nl\",\"message\":\"x\"}",
	          "name", "required");
	parse_bad("{\"name\":\"A\",\"language\":\"nl\",\"message\":\"x\"}", "email",
	          "phone number");
	parse_bad("{\"name\":\"A\",\"email\":\"\",\"phone\":\"\",\"language\":\"nl\","
	          "\"message\":\"x\"}",
	          "email", NULL);
	parse_bad("{\"name\":\"A\",\"email\":\"a@b.be\",\"message\":\"x\"}", "language", NULL);
	parse_bad("{" BASE "\"subject\":\"s\"}", "message", "required");
	parse_bad("{" BASE "\"message\":\" \\n\\t \"}", "message", "required");
}

Test(contact_form, name_limit_in_characters)
{
	char *v = repeat("é", 200), *extra, *text;
	struct contact_form f;

	/* 200 characters (400 bytes) pass, 201 do not. */
	cr_assert(asprintf(&text,
	                   "{\"name\":\"%s\",\"email\":\"a@b.be\",\"language\":\"nl\","
	                   "\"message\":\"x\"}",
	                   v) > 0);
	parse_ok(text, &f);
	cr_assert_eq(strlen(f.name), 400);
	central_contact_free(&f);
	free(text);
	free(v);
	v = repeat("é", 201);
	cr_assert(asprintf(&text,
	                   "{\"name\":\"%s\",\"email\":\"a@b.be\",\"language\":\"nl\","
	                   "\"message\":\"x\"}",
	                   v) > 0);
	parse_bad(text, "name", "longer than 200 characters");
	free(text);
	free(v);
	(void)extra;
}

Test(contact_form, subject_and_message_limits)
{
	char *v = repeat("a", 200);

	field_ok("subject", v);
	free(v);
	v = repeat("a", 201);
	field_bad("subject",
	          "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
	          "subject", "longer than 200");
	free(v);
	{
		char *m = repeat("ü", 10000), *text;
		struct contact_form f;

		cr_assert(asprintf(&text, "{" BASE "\"message\":\"%s\"}", m) > 0);
		parse_ok(text, &f);
		central_contact_free(&f);
		free(text);
		free(m);
		m = repeat("ü", 10001);
		cr_assert(asprintf(&text, "{" BASE "\"message\":\"%s\"}", m) > 0);
		parse_bad(text, "message", "longer than 10000 characters");
		free(text);
		free(m);
	}
}

Test(contact_form, control_characters)
{
	struct contact_form f;

	/* Line ends and tabs only in the message. */
	parse_ok("{" BASE "\"message\":\"a\\n\\tb\"}", &f);
	cr_assert_str_eq(f.message, "a\n\tb");
	central_contact_free(&f);
	parse_bad("{" BASE "\"message\":\"a\\u0001b\"}", "message", "control characters");
	parse_bad("{" BASE "\"message\":\"a\\u007fb\"}", "message", "control characters");
	parse_bad("{" BASE "\"message\":\"a\\u0085b\"}", "message", "control characters");
	field_bad("subject", "\"two\\nlines\"", "subject", "control characters");
	parse_bad("{\"name\":\"a\\u001bb\",\"email\":\"a@b.be\",\"language\":\"nl\","
	          "\"message\":\"x\"}",
	          "name", "control characters");
}

Test(contact_form, nul_bytes)
{
	static const char raw[] = "{\"name\":\"A\",\"email\":\"a@b.be\",\"language\":\"nl\","
	                          "\"message\":\"x\0y\"}";

	parse_bad("{" BASE "\"message\":\"x\\u0000y\"}", "message", "NUL");
	field_bad("subject", "\"\\u0000\"", "subject", "NUL");
	/* A raw NUL byte in the body is no JSON. */
	parse_bad_len(raw, sizeof raw - 1, NULL, "not valid JSON");
	parse_bad("{" BASE "\"message\":\"x\",\"a\\u0000b\":1}", NULL, "not valid JSON");
}

Test(contact_form, invalid_utf8)
{
	parse_bad("{" BASE "\"message\":\"caf\xe9\"}", NULL, "not valid JSON");
	parse_bad("{" BASE "\"message\":\"\xc0\xaf\"}", NULL, "not valid JSON");
	parse_bad("{" BASE "\"message\":\"\xed\xa0\x80\"}", NULL, "not valid JSON");
	parse_bad("{" BASE "\"message\":\"\\ud800\"}", NULL, "not valid JSON");
	parse_bad("{\"name\":\"\xff\",\"email\":\"a@b.be\",\"language\":\"nl\",\"message\":\"x\"}",
	          NULL, "not valid JSON");
}

Test(contact_form, unknown_and_duplicate_keys)
{
	field_bad("centre_id", "\"x\"", "centre_id", "unknown field");
	field_bad("Name", "\"x\"", "Name", "unknown field");
	field_bad("status", "\"new\"", "status", "unknown field");
	parse_bad("{" BASE "\"message\":\"x\",\"message\":\"y\"}", NULL, "not valid JSON");
}

Test(contact_form, wrong_types)
{
	field_bad("subject", "1", "subject", "must be a string");
	field_bad("subject", "null", "subject", "must be a string");
	field_bad("subject", "true", "subject", "must be a string");
	field_bad("subject", "[\"a\"]", "subject", "must be a string");
	field_bad("subject", "{\"a\":\"b\"}", "subject", "must be a string");
	field_bad("postcode", "1000", "postcode", "must be a string");
	field_bad("attachments", "{}", "attachments", "must be an array");
	field_bad("attachments", "\"a.pdf\"", "attachments", "must be an array");
	field_bad("attachments", "[\"a.pdf\"]", "attachments[0]", "must be an object");
}

Test(contact_form, not_an_object)
{
	parse_bad("", NULL, "not valid JSON");
	parse_bad("[]", NULL, "JSON object");
	parse_bad("\"form\"", NULL, NULL);
	parse_bad("42", NULL, NULL);
	parse_bad("null", NULL, NULL);
	parse_bad("{" BASE "\"message\":\"x\"} {}", NULL, "not valid JSON");
	parse_bad("{" BASE "\"message\":\"x\"", NULL, "not valid JSON");
}

Test(contact_form, huge_numbers_and_nesting)
{
	char *deep = malloc(60001);

	field_bad("subject", "1e999999", NULL, "not valid JSON");
	field_bad("subject", "123456789012345678901234567890", NULL, "not valid JSON");
	field_bad("attachments",
	          "[{\"name\":\"a.pdf\",\"type\":\"application/pdf\",\"size\":"
	          "99999999999999999999999}]",
	          NULL, "not valid JSON");
	field_bad(
	    "attachments",
	    "[{\"name\":\"a.pdf\",\"type\":\"application/pdf\",\"size\":9223372036854775807}]",
	    "attachments[0].size", "1 to");
	cr_assert_not_null(deep);
	memset(deep, '[', 60000);
	deep[60000] = '\0';
	parse_bad(deep, NULL, "not valid JSON");
	free(deep);
}

Test(contact_form, body_size)
{
	char *big = malloc(CONTACT_MAX_BODY + 2);

	cr_assert_not_null(big);
	memset(big, ' ', CONTACT_MAX_BODY + 1);
	memcpy(big, "{}", 2);
	big[CONTACT_MAX_BODY + 1] = '\0';
	parse_bad(big, NULL, "larger than");
	free(big);
}

Test(contact_form, email)
{
	char *local = repeat("a", 64), *d1 = repeat("b", 63), *d2 = repeat("c", 63),
	     *d3 = repeat("d", 63), *text;

	field_bad("email", "\"not an address\"", "email", "not an e-mail address");
	field_bad("email", "\"a@b\"", "email", "not an e-mail address");
	field_bad("email", "\"a@@b.be\"", "email", NULL);
	/* 64 + 1 + 63 + 1 + 63 + 1 + 63 = 256 bytes */
	cr_assert(asprintf(&text, "\"%s@%s.%s.%s\"", local, d1, d2, d3) > 0);
	field_bad("email", text, "email", "longer than 254 bytes");
	free(text);
	free(local);
	free(d1);
	free(d2);
	free(d3);
}

Test(contact_form, phone_insz_language_postcode)
{
	struct contact_form f;

	field_ok("phone", "0032 470 12 34 56");
	field_bad("phone", "\"call me\"", "phone", "not a telephone number");
	field_bad("phone", "\"123456789012345678901234567890123456789012\"", "phone", "longer");
	field_ok("insz", "85073003328");
	field_bad("insz", "\"85073003329\"", "insz", "insz:");
	field_bad("insz", "\"8507300332\"", "insz", "insz:");
	field_bad("insz", "\"abc\"", "insz", "insz:");
	field_bad("language", "\"en\"", "language", "nl, fr or de");
	field_bad("language", "\"NL\"", "language", NULL);
	field_ok("postcode", "9000");
	field_bad("postcode", "\"123\"", "postcode", NULL);
	field_bad("postcode", "\"12345\"", "postcode", NULL);
	field_bad("postcode", "\"0999\"", "postcode", NULL);
	field_bad("postcode", "\"10a0\"", "postcode", NULL);
	parse_ok("{" BASE "\"message\":\"x\",\"postcode\":\"  \"}", &f);
	cr_assert_str_eq(f.postcode, "");
	central_contact_free(&f);
}

Test(contact_form, attachments)
{
	struct contact_form f;
	char *many = NULL, *text;
	size_t len = 0;
	FILE *m = open_memstream(&many, &len);

	field_bad("attachments",
	          "[{\"name\":\"a.exe\",\"type\":\"application/x-msdownload\","
	          "\"size\":10}]",
	          "attachments[0].type", "only PDF");
	field_bad("attachments", "[{\"name\":\"a.pdf\",\"type\":\"application/pdf\",\"size\":0}]",
	          "attachments[0].size", NULL);
	field_bad("attachments",
	          "[{\"name\":\"a.pdf\",\"type\":\"application/pdf\",\"size\":20971521}]",
	          "attachments[0].size", NULL);
	field_bad("attachments", "[{\"name\":\"a.pdf\",\"type\":\"application/pdf\",\"size\":-1}]",
	          "attachments[0].size", NULL);
	field_bad("attachments", "[{\"name\":\"a.pdf\",\"type\":\"application/pdf\",\"size\":1.5}]",
	          "attachments[0].size", "whole number");
	field_bad("attachments",
	          "[{\"name\":\"a.pdf\",\"type\":\"application/pdf\",\"size\":\"12\"}]",
	          "attachments[0].size", "whole number");
	field_bad("attachments", "[{\"name\":\"a.pdf\",\"type\":\"application/pdf\"}]",
	          "attachments[0].size", "required");
	field_bad("attachments", "[{\"name\":\"\",\"type\":\"application/pdf\",\"size\":1}]",
	          "attachments[0].name", "required");
	field_bad("attachments",
	          "[{\"name\":\"../etc/passwd\",\"type\":\"text/plain\",\"size\":1}]",
	          "attachments[0].name", "file name");
	field_bad("attachments",
	          "[{\"name\":\"a.pdf\",\"type\":\"application/pdf\",\"size\":1,\"url\":\"x\"}]",
	          "attachments[0].url", "unknown field");
	{
		char *n = repeat("n", 256), *v;

		cr_assert(
		    asprintf(&v, "[{\"name\":\"%s\",\"type\":\"text/plain\",\"size\":1}]", n) > 0);
		field_bad("attachments", v, "attachments[0].name", "longer than 255");
		free(v);
		free(n);
	}

	/* Ten pass, eleven do not. */
	cr_assert_not_null(m);
	for (int i = 0; i < 11; i++)
		fprintf(m, "%s{\"name\":\"f%d.png\",\"type\":\"image/png\",\"size\":%d}",
		        i ? "," : "", i, 20971520);
	fclose(m);
	cr_assert(asprintf(&text, "{" BASE "\"message\":\"x\",\"attachments\":[%.*s]}",
	                   (int)(strrchr(many, '{') - many - 1), many) > 0);
	parse_ok(text, &f);
	cr_assert_eq(f.n_attachments, 10);
	central_contact_free(&f);
	free(text);
	cr_assert(asprintf(&text, "{" BASE "\"message\":\"x\",\"attachments\":[%s]}", many) > 0);
	parse_bad(text, "attachments", "at most 10");
	free(text);
	free(many);
}

/* ---- central_contact_check: the checks before the database ---- */

static const char *const keys[] = {"site-key-0123456789", "other-key-abcdefghij"};
static const struct contact_options opts = {
    .site_keys = keys, .n_site_keys = 2, .default_centre = "BRU", .rate_limit = 10};

static unsigned check(const char *key, const char *type, const char *body, bool too_large)
{
	struct contact_request req = {.site_key = key,
	                              .content_type = type,
	                              .source = "127.0.0.1",
	                              .body = body,
	                              .len = strlen(body),
	                              .too_large = too_large};
	struct contact_form f;
	struct contact_reply r;
	bool go = central_contact_check(&opts, &req, &f, &r);
	unsigned status = go ? 0 : r.status;

	if (go) {
		cr_assert_null(r.json);
		central_contact_free(&f);
	} else {
		cr_assert_not_null(r.json, "no JSON for %u", r.status);
		cr_assert(json_is_string(json_object_get(r.json, "error")));
		cr_assert(json_is_string(json_object_get(r.json, "message")));
		json_decref(r.json);
	}
	return status;
}

Test(contact_check, site_key_type_size)
{
	static const char good[] = "{" BASE "\"message\":\"x\"}";

	cr_assert_eq(check("site-key-0123456789", "application/json", good, false), 0);
	cr_assert_eq(check("other-key-abcdefghij", "application/json; charset=UTF-8", good, false),
	             0);
	cr_assert_eq(check(NULL, "application/json", good, false), 401);
	cr_assert_eq(check("", "application/json", good, false), 401);
	cr_assert_eq(check("site-key-012345678", "application/json", good, false), 401);
	cr_assert_eq(check("site-key-01234567890", "application/json", good, false), 401);
	cr_assert_eq(check("site-key-0123456789", NULL, good, false), 415);
	cr_assert_eq(check("site-key-0123456789", "text/plain", good, false), 415);
	cr_assert_eq(check("site-key-0123456789", "application/x-www-form-urlencoded", good, false),
	             415);
	cr_assert_eq(check("site-key-0123456789", "application/json; charset=latin1", good, false),
	             415);
	cr_assert_eq(check("site-key-0123456789", "application/json", good, true), 413);
	cr_assert_eq(check("site-key-0123456789", "application/json", "{\"x\":1}", false), 400);
	/* The parser's message quotes the broken input: still a JSON answer. */
	cr_assert_eq(check("site-key-0123456789", "application/json", "{\"x\xce\x86\xdd~", false),
	             400);
	cr_assert_eq(
	    check("site-key-0123456789", "application/json", "{\"a\":\"\\u0000\xce", false), 400);
}

Test(contact_check, bad_request_names_the_field)
{
	struct contact_request req = {.site_key = "site-key-0123456789",
	                              .content_type = "application/json",
	                              .source = "127.0.0.1",
	                              .body = "{" BASE "\"message\":\"x\",\"phone\":\"?\"}"};
	struct contact_form f;
	struct contact_reply r;

	req.len = strlen(req.body);
	cr_assert_not(central_contact_check(&opts, &req, &f, &r));
	cr_assert_eq(r.status, 400);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "error")), "bad_request");
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "field")), "phone");
	json_decref(r.json);
}

Test(contact_check, no_site_keys_configured)
{
	static const struct contact_options none = {.rate_limit = 10};
	struct contact_request req = {.site_key = "site-key-0123456789",
	                              .content_type = "application/json",
	                              .body = "{}",
	                              .len = 2};
	struct contact_form f;
	struct contact_reply r;

	cr_assert_not(central_contact_check(&none, &req, &f, &r));
	cr_assert_eq(r.status, 401);
	json_decref(r.json);
}

Test(contact_form, odd_keys)
{
	char *key = repeat("é", 60), *text;
	struct contact_form f;
	char *field = NULL, *cause = NULL;

	parse_bad("{\"\":\"A\",\"phone\":\"+9\"}", NULL, "without a name");
	/* A long key is cut for "field" on a character boundary. */
	cr_assert(asprintf(&text, "{\"x%s\":1}", key) > 0);
	cr_assert_eq(central_contact_parse(text, strlen(text), &f, &field, &cause), RC_INVALID);
	cr_assert_eq(strlen(field), 79, "%zu", strlen(field));
	{
		json_t *j = json_string(field); /* NULL if it were not valid UTF-8 */

		cr_assert_not_null(j);
		json_decref(j);
	}
	free(field);
	free(cause);
	free(text);
	free(key);
}
