/* contact.c: the public contact-form intake (POST /v1/contact-forms): a
 * strict parser of the website's JSON and the handling of one request.
 * The messages of the protocol are English, as in http.c. */
#include "autoconf.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/contact.h"
#include "src/central/contact.h"
#include "src/email.h"
#include "src/insz.h"
#include "src/phone.h"
#include "src/postcode.h"

/* How a text field is checked. */
enum {
	F_REQUIRED = 1 << 0,  /* absent or blank: an error */
	F_MULTILINE = 1 << 1, /* line ends and tabs allowed (the message) */
	F_BYTES = 1 << 2,     /* max counts bytes, not characters */
};

static const char *const form_keys[] = {"name",    "email",   "phone",    "insz",        "language",
                                        "subject", "message", "postcode", "attachments", NULL};

static const char *const attachment_types[] = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    NULL,
};

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* Drop an incomplete UTF-8 sequence at the end of s (a cut key). */
static void utf8_cut(char *s)
{
	size_t n = strlen(s), i = n, want;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0 || (unsigned char)s[i - 1] < 0xc0)
		return;
	want = (unsigned char)s[i - 1] >= 0xf0 ? 4 : (unsigned char)s[i - 1] >= 0xe0 ? 3 : 2;
	if (n - (i - 1) < want)
		s[i - 1] = '\0';
}

/* The length of the valid UTF-8 sequence at s (n bytes left), its code
 * point in *cp; 0 if the bytes there are no valid sequence.  Strict: no
 * overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len;

	if (c < 0x80)
		len = 1;
	else if (c >= 0xc2 && c <= 0xdf)
		len = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, c &= 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return len;
}

/* Make a message fit for a JSON string and a log line, in place: bytes that
 * are no valid UTF-8 and control characters become '?' (the parser's
 * messages quote the input). */
static void printable(char *s)
{
	size_t n = strlen(s), i = 0, len;
	uint32_t c;

	while (i < n) {
		len = utf8_next((const unsigned char *)s + i, n - i, &c);
		if (len == 0 || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
			/* the whole sequence, or the one bad byte */
			for (size_t k = 0; k < (len ? len : 1); k++)
				s[i + k] = '?';
			len = len ? len : 1;
		}
		i += len;
	}
}

/* Set *field (a copy of name, at most 80 bytes) and *cause; RC_INVALID. */
static enum rc invalid(char **field, char **cause, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum rc invalid(char **field, char **cause, const char *name, const char *fmt, ...)
{
	va_list ap;

	free(*field);
	free(*cause);
	*field = name ? strndup(name, 80) : NULL;
	if (*field)
		utf8_cut(*field);
	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) < 0)
		*cause = NULL;
	va_end(ap);
	if (*cause)
		printable(*cause);
	if ((name && !*field) || !*cause)
		return RC_NOMEM;
	return RC_INVALID;
}

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF):
 * the number of code points, or -1.  *ctrl is set when a control character
 * (C0 but for those allowed, DEL, C1) is met. */
static long utf8_count(const unsigned char *s, size_t n, bool multiline, bool *ctrl)
{
	long count = 0;
	size_t i = 0, len;
	uint32_t c;

	*ctrl = false;
	while (i < n) {
		len = utf8_next(s + i, n - i, &c);
		if (len == 0)
			return -1;
		if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || c == 0x7f ||
		    (c >= 0x80 && c < 0xa0))
			*ctrl = true;
		i += len;
		count++;
	}
	return count;
}

/* Without blanks (spaces, tabs, line ends) at both ends, in place. */
static void trim(char *s)
{
	size_t n = strlen(s), start = 0;

	while (n > 0 && strchr(" \t\r\n", s[n - 1]))
		n--;
	while (start < n && strchr(" \t\r\n", s[start]))
		start++;
	memmove(s, s + start, n - start);
	s[n - start] = '\0';
}

/* "\r\n" and a lone "\r" become "\n", in place. */
static void unix_lines(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (*r == '\r') {
			*w++ = '\n';
			if (r[1] == '\n')
				r++;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* One text value v of name (JSON string or NULL when absent) into *out,
 * checked by flags and max. */
static enum rc text_value(json_t *v, const char *name, size_t max, unsigned flags, char **out,
                          char **field, char **cause)
{
	const char *s;
	size_t n;
	long count;
	bool ctrl;

	*out = NULL;
	if (!v) {
		if (flags & F_REQUIRED)
			return invalid(field, cause, name, "%s is required", name);
		*out = strdup("");
		return *out ? RC_OK : RC_NOMEM;
	}
	if (!json_is_string(v))
		return invalid(field, cause, name, "%s must be a string", name);
	s = json_string_value(v);
	n = json_string_length(v);
	if (strlen(s) != n)
		return invalid(field, cause, name, "%s contains a NUL character", name);
	*out = strdup(s);
	if (!*out)
		return RC_NOMEM;
	if (flags & F_MULTILINE)
		unix_lines(*out);
	trim(*out);
	n = strlen(*out);
	count = utf8_count((const unsigned char *)*out, n, flags & F_MULTILINE, &ctrl);
	if (count < 0)
		return invalid(field, cause, name, "%s is not valid UTF-8", name);
	if (ctrl)
		return invalid(field, cause, name,
		               (flags & F_MULTILINE)
		                   ? "%s contains control characters (only line ends and tabs "
		                     "are allowed)"
		                   : "%s contains control characters",
		               name);
	if (count == 0 && (flags & F_REQUIRED))
		return invalid(field, cause, name, "%s is required", name);
	if ((flags & F_BYTES) ? n > max : (size_t)count > max)
		return invalid(field, cause, name, "%s is longer than %zu %s", name, max,
		               (flags & F_BYTES) ? "bytes" : "characters");
	return RC_OK;
}

static enum rc text_field(json_t *root, const char *name, size_t max, unsigned flags, char **out,
                          char **field, char **cause)
{
	return text_value(json_object_get(root, name), name, max, flags, out, field, cause);
}

/* attachments: an array of at most 10 {"name","type","size"}; *out is its
 * normalised JSON text. */
static enum rc attachments_field(json_t *root, struct contact_form *f, char **field, char **cause)
{
	json_t *list = json_object_get(root, "attachments"), *norm = NULL, *item;
	char where[80], *name = NULL, *type = NULL;
	enum rc rc = RC_OK;
	size_t i;

	if (!list || json_is_null(list)) {
		f->attachments = strdup("[]");
		return f->attachments ? RC_OK : RC_NOMEM;
	}
	if (!json_is_array(list))
		return invalid(field, cause, "attachments", "attachments must be an array");
	if (json_array_size(list) > CONTACT_MAX_ATTACHMENTS)
		return invalid(field, cause, "attachments", "at most %d attachments",
		               CONTACT_MAX_ATTACHMENTS);
	norm = json_array();
	if (!norm)
		return RC_NOMEM;
	json_array_foreach(list, i, item)
	{
		const char *key;
		json_t *v, *size;
		json_int_t bytes;

		snprintf(where, sizeof where, "attachments[%zu]", i);
		if (!json_is_object(item)) {
			rc = invalid(field, cause, where, "%s must be an object", where);
			goto out;
		}
		json_object_foreach(item, key, v)
		{
			if (strcmp(key, "name") && strcmp(key, "type") && strcmp(key, "size")) {
				snprintf(where, sizeof where, "attachments[%zu].%.20s", i, key);
				rc = invalid(
				    field, cause, where,
				    "unknown field (an attachment has name, type and size)");
				goto out;
			}
		}
		snprintf(where, sizeof where, "attachments[%zu].name", i);
		rc = text_value(json_object_get(item, "name"), where, CONTACT_MAX_FILE_NAME,
		                F_REQUIRED, &name, field, cause);
		if (rc)
			goto out;
		if (strchr(name, '/') || strchr(name, '\\')) {
			rc = invalid(field, cause, where, "%s must be a file name, without / or \\",
			             where);
			goto out;
		}
		snprintf(where, sizeof where, "attachments[%zu].type", i);
		rc = text_value(json_object_get(item, "type"), where, 100, F_REQUIRED, &type, field,
		                cause);
		if (rc)
			goto out;
		if (!in_list(type, attachment_types)) {
			rc = invalid(field, cause, where,
			             "%s: only PDF, JPEG, PNG, plain text, DOCX and ODT files are "
			             "taken",
			             where);
			goto out;
		}
		snprintf(where, sizeof where, "attachments[%zu].size", i);
		size = json_object_get(item, "size");
		if (!size) {
			rc = invalid(field, cause, where, "%s is required", where);
			goto out;
		}
		if (!json_is_integer(size)) {
			rc = invalid(field, cause, where, "%s must be a whole number of bytes",
			             where);
			goto out;
		}
		bytes = json_integer_value(size);
		if (bytes < 1 || bytes > CONTACT_MAX_FILE_SIZE) {
			rc = invalid(field, cause, where, "%s must be 1 to %ld bytes", where,
			             CONTACT_MAX_FILE_SIZE);
			goto out;
		}
		if (json_array_append_new(norm, json_pack("{s:s, s:s, s:I}", "name", name, "type",
		                                          type, "size", bytes))) {
			rc = RC_NOMEM;
			goto out;
		}
		free(name);
		free(type);
		name = type = NULL;
	}
	f->n_attachments = json_array_size(norm);
	f->attachments = json_dumps(norm, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!f->attachments)
		rc = RC_NOMEM;
out:
	free(name);
	free(type);
	json_decref(norm);
	return rc;
}

enum rc central_contact_parse(const char *body, size_t len, struct contact_form *out, char **field,
                              char **cause)
{
	json_error_t err;
	json_t *root = NULL;
	const char *key;
	json_t *v;
	char buf[32];
	struct insz insz;
	enum insz_error ie;
	int code;
	enum rc rc;

	memset(out, 0, sizeof *out);
	*field = *cause = NULL;
	if (len > CONTACT_MAX_BODY)
		return invalid(field, cause, NULL, "the body is larger than %u bytes",
		               CONTACT_MAX_BODY);
	/* NUL is let through the JSON parser to be named per field below. */
	root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
	if (!root)
		return invalid(field, cause, NULL, "the body is not valid JSON: %s (at byte %d)",
		               err.text, err.position);
	if (!json_is_object(root)) {
		rc = invalid(field, cause, NULL, "the body must be a JSON object");
		goto out;
	}
	json_object_foreach(root, key, v)
	{
		if (!*key) {
			rc = invalid(field, cause, NULL, "a field without a name");
			goto out;
		}
		if (!in_list(key, form_keys)) {
			rc = invalid(field, cause, key,
			             "unknown field (the form has name, email, phone, insz, "
			             "language, subject, message, postcode and attachments)");
			goto out;
		}
	}
	rc = text_field(root, "name", CONTACT_MAX_NAME, F_REQUIRED, &out->name, field, cause);
	if (!rc)
		rc = text_field(root, "email", CONTACT_MAX_EMAIL, F_BYTES, &out->email, field,
		                cause);
	if (!rc && *out->email && !email_valid(out->email))
		rc = invalid(field, cause, "email", "email is not an e-mail address");
	if (!rc)
		rc = text_field(root, "phone", 40, 0, &out->phone, field, cause);
	if (!rc && *out->phone) {
		if (!phone_normalise(out->phone, buf, sizeof buf))
			rc = invalid(field, cause, "phone", "phone is not a telephone number");
		else if (!(out->phone = (free(out->phone), strdup(buf))))
			rc = RC_NOMEM;
	}
	if (!rc && !*out->email && !*out->phone)
		rc = invalid(field, cause, "email",
		             "give an e-mail address or a phone number to be answered on");
	if (!rc)
		rc = text_field(root, "insz", 20, 0, &out->insz, field, cause);
	if (!rc && *out->insz) {
		ie = insz_parse(out->insz, &insz);
		if (ie != INSZ_OK)
			rc = invalid(field, cause, "insz", "insz: %s", insz_reason(ie));
		else if (!(out->insz = (free(out->insz), strdup(insz.digits))))
			rc = RC_NOMEM;
	}
	if (!rc)
		rc = text_field(root, "language", 2, F_REQUIRED, &out->language, field, cause);
	if (!rc && strcmp(out->language, "nl") && strcmp(out->language, "fr") &&
	    strcmp(out->language, "de"))
		rc = invalid(field, cause, "language", "language must be nl, fr or de");
	if (!rc)
		rc = text_field(root, "subject", CONTACT_MAX_SUBJECT, 0, &out->subject, field,
		                cause);
	if (!rc)
		rc = text_field(root, "message", CONTACT_MAX_MESSAGE, F_REQUIRED | F_MULTILINE,
		                &out->message, field, cause);
	if (!rc)
		rc = text_field(root, "postcode", 4, 0, &out->postcode, field, cause);
	if (!rc && *out->postcode && !postcode_parse(out->postcode, &code))
		rc = invalid(field, cause, "postcode",
		             "postcode must be a Belgian postcode of "
		             "four digits");
	if (!rc)
		rc = attachments_field(root, out, field, cause);
out:
	json_decref(root);
	if (rc)
		central_contact_free(out);
	return rc;
}

void central_contact_free(struct contact_form *f)
{
	if (!f)
		return;
	free(f->name);
	free(f->email);
	free(f->phone);
	free(f->insz);
	free(f->language);
	free(f->subject);
	free(f->message);
	free(f->postcode);
	free(f->attachments);
	memset(f, 0, sizeof *f);
}

json_t *central_contact_data(const struct contact_form *f)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", f->name, "email",
	                 f->email, "phone", f->phone, "insz", f->insz, "language", f->language,
	                 "subject", f->subject, "message", f->message, "postcode", f->postcode,
	                 "attachments", f->attachments);
}

/* ---- one request ---- */

static void reply_error(struct contact_reply *r, unsigned status, const char *code,
                        const char *field, const char *message)
{
	r->status = status;
	r->json =
	    field ? json_pack("{s:s, s:s, s:s}", "error", code, "field", field, "message", message)
	          : json_pack("{s:s, s:s}", "error", code, "message", message);
}

/* Equal, in a time that depends on the lengths only, not on where the
 * two strings differ. */
static bool key_equal(const char *given, const char *key)
{
	size_t lg = strlen(given), lk = strlen(key);
	volatile unsigned char d = lg != lk;

	for (size_t i = 0; i < lk; i++)
		d |= (unsigned char)key[i] ^ (unsigned char)(i < lg ? given[i] : 0);
	return d == 0;
}

/* application/json, with at most a charset of utf-8. */
static bool json_media_type(const char *ct)
{
	const char *p;

	if (!ct || strncasecmp(ct, "application/json", 16))
		return false;
	p = ct + 16;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return true;
	if (*p++ != ';')
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "charset=", 8))
		return false;
	p += 8;
	if (*p == '"')
		return !strcasecmp(p, "\"utf-8\"");
	return !strcasecmp(p, "utf-8") || !strcasecmp(p, "utf8");
}

bool central_contact_check(const struct contact_options *o, const struct contact_request *req,
                           struct contact_form *form, struct contact_reply *reply)
{
	char *field = NULL, *cause = NULL;
	bool known = false;
	enum rc rc;

	memset(reply, 0, sizeof *reply);
	memset(form, 0, sizeof *form);
	/* Every configured key is compared, whether one matched or not. */
	for (size_t i = 0; req->site_key && i < o->n_site_keys; i++)
		known |= key_equal(req->site_key, o->site_keys[i]);
	if (!known) {
		reply_error(reply, 401, "unauthorized", NULL,
		            req->site_key ? "unknown site key"
		                          : "no site key: send Handesk-Site-Key: KEY");
		return false;
	}
	if (!json_media_type(req->content_type)) {
		reply_error(reply, 415, "unsupported_media_type", NULL,
		            "send the form as Content-Type: application/json");
		return false;
	}
	if (req->too_large || req->len > CONTACT_MAX_BODY) {
		char msg[80];

		snprintf(msg, sizeof msg, "contact forms are limited to %u bytes",
		         CONTACT_MAX_BODY);
		reply_error(reply, 413, "too_large", NULL, msg);
		return false;
	}
	rc = central_contact_parse(req->body, req->len, form, &field, &cause);
	if (rc == RC_OK)
		return true;
	if (rc == RC_NOMEM) {
		reply_error(reply, 500, "internal", NULL, "out of memory");
		snprintf(reply->log, sizeof reply->log, "contact form: out of memory");
	} else {
		reply_error(reply, 400, "bad_request", field, cause ? cause : "invalid form");
	}
	free(field);
	free(cause);
	return false;
}

enum rc central_contact_store(const struct contact_options *o, struct central *db,
                              const char *source, const struct contact_form *form,
                              struct contact_reply *reply)
{
	struct db_contact_stored stored;
	json_t *data = NULL;
	char *text = NULL, *cause = NULL;
	int retry = 0;
	enum rc rc;

	memset(reply, 0, sizeof *reply);
	if (!db) {
		reply_error(reply, 503, "unavailable", NULL,
		            "the database does not answer; try again later");
		snprintf(reply->retry_after, sizeof reply->retry_after, "5");
		return RC_IO;
	}
	rc = db_contact_rate(db, source, o->rate_limit, &retry, &cause);
	if (rc == RC_DENIED) {
		char msg[120];

		snprintf(msg, sizeof msg,
		         "too many contact forms from this address; try again in %d seconds",
		         retry);
		reply_error(reply, 429, "rate_limited", NULL, msg);
		snprintf(reply->retry_after, sizeof reply->retry_after, "%d", retry);
		snprintf(reply->log, sizeof reply->log, "contact form: rate limit of %.60s",
		         source);
		rc = RC_OK;
		goto out;
	}
	if (rc)
		goto failed;
	data = central_contact_data(form);
	text = data ? json_dumps(data, JSON_COMPACT) : NULL;
	if (!text) {
		rc = RC_NOMEM;
		goto failed;
	}
	rc = db_contact_insert(db, text, form->insz, form->postcode, o->default_centre, &stored,
	                       &cause);
	if (rc)
		goto failed;
	reply->status = 201;
	reply->json = json_pack("{s:s, s:s}", "id", stored.id, "received_at", stored.received_at);
	snprintf(reply->log, sizeof reply->log, "contact form %s to centre %s (by %s)", stored.id,
	         stored.centre_code, stored.by);
	goto out;
failed:
	if (rc == RC_NOTFOUND) {
		/* No centre to take it: the configuration lacks a valid default. */
		reply_error(reply, 500, "internal", NULL,
		            "the service cannot assign this form to a centre; it has been "
		            "logged, please call the centre");
	} else {
		reply_error(reply, 503, "unavailable", NULL,
		            "the form could not be stored; try again later");
		snprintf(reply->retry_after, sizeof reply->retry_after, "5");
	}
	snprintf(reply->log, sizeof reply->log, "contact form: %.140s",
	         cause ? cause : "out of memory");
out:
	free(cause);
	free(text);
	json_decref(data);
	return rc;
}
