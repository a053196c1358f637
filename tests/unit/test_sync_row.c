/* test_sync_row.c: the catalogue of synced entities (names, fields, types,
 * the operations a client may push) and the validation of pushed values. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "src/sync_row.h"

/* sync_row_validate on a JSON text value; the cause is freed, its text
 * kept in why (if not NULL). */
static enum rc check(const char *entity, const char *field, json_t *value, char *why, size_t n)
{
	char *cause = NULL;
	enum rc rc = sync_row_validate(entity, field, value, &cause);

	if (why)
		snprintf(why, n, "%s", cause ? cause : "");
	if (rc == RC_OK)
		cr_expect_null(cause, "a cause without an error: %s", cause);
	else
		cr_expect_not_null(cause, "no cause for %s.%s", entity, field);
	free(cause);
	json_decref(value);
	return rc;
}

static enum rc text(const char *entity, const char *field, const char *value)
{
	return check(entity, field, json_string(value), NULL, 0);
}

Test(sync_row, catalogue_matches_the_spec)
{
	static const char *const names[] = {
	    "centre", "staff",          "person",       "application", "application_document",
	    "audit",  "person_history", "contact_form", "conflict"};
	static const size_t nfields[] = {3, 7, 17, 7, 4, 6, 5, 12, 8};

	cr_assert_eq(sync_row_entity_count(), 9);
	for (size_t i = 0; i < 9; i++) {
		const struct sync_entity *e = sync_row_entity(names[i]);

		cr_assert_not_null(e, "%s", names[i]);
		cr_expect_eq(e, sync_row_entity_at(i));
		cr_expect_eq(e->nfields, nfields[i], "%s has %zu fields", names[i], e->nfields);
	}
	cr_expect_null(sync_row_entity("outbox"));
	cr_expect_null(sync_row_entity(NULL));
	cr_expect_null(sync_row_entity_at(9));
	cr_expect_eq(sync_row_field(sync_row_entity("staff"), "active")->type, SYNC_INT);
	cr_expect_eq(sync_row_field(sync_row_entity("application_document"), "required")->type,
	             SYNC_INT);
	cr_expect_eq(sync_row_field(sync_row_entity("person"), "insz")->type, SYNC_TEXT);
	cr_expect_null(sync_row_field(sync_row_entity("person"), "version"));
	cr_expect_null(sync_row_field(sync_row_entity("person"), "centre_id"));
}

Test(sync_row, ops_per_kind)
{
	char *cause = NULL;

	for (enum sync_op op = SYNC_OP_INSERT; op <= SYNC_OP_DELETE; op <<= 1) {
		cr_expect_eq(sync_row_check_op(sync_row_entity("person"), op, NULL), RC_OK);
		cr_expect_eq(sync_row_check_op(sync_row_entity("staff"), op, NULL), RC_OK);
		cr_expect_eq(sync_row_check_op(sync_row_entity("centre"), op, NULL), RC_INVALID);
	}
	cr_expect_eq(sync_row_check_op(sync_row_entity("audit"), SYNC_OP_INSERT, NULL), RC_OK);
	cr_expect_eq(sync_row_check_op(sync_row_entity("audit"), SYNC_OP_UPDATE, &cause),
	             RC_INVALID);
	cr_expect(strstr(cause, "append-only") != NULL, "%s", cause);
	free(cause);
	cr_expect_eq(sync_row_check_op(sync_row_entity("person_history"), SYNC_OP_DELETE, NULL),
	             RC_INVALID);
	cr_expect_eq(sync_row_check_op(sync_row_entity("contact_form"), SYNC_OP_UPDATE, NULL),
	             RC_OK);
	cr_expect_eq(sync_row_check_op(sync_row_entity("contact_form"), SYNC_OP_INSERT, NULL),
	             RC_INVALID);
	cr_expect_eq(sync_row_check_op(sync_row_entity("conflict"), SYNC_OP_DELETE, NULL), RC_OK);
	cr_expect_eq(sync_row_check_op(sync_row_entity("conflict"), SYNC_OP_UPDATE, NULL),
	             RC_INVALID);
	cr_expect_eq(sync_row_check_op(sync_row_entity("person"), 0, NULL), RC_INVALID);
	cr_expect_eq(sync_row_op_parse("update"), SYNC_OP_UPDATE);
	cr_expect_eq(sync_row_op_parse("UPDATE"), 0);
	cr_expect_str_eq(sync_row_op_name(SYNC_OP_DELETE), "delete");
}

Test(sync_row, insz)
{
	char why[256];

	cr_expect_eq(text("person", "insz", "85073003328"), RC_OK);
	cr_expect_eq(text("person", "insz", ""), RC_OK);
	cr_expect_eq(check("person", "insz", json_string("85073003329"), why, sizeof why),
	             RC_INVALID);
	cr_expect(strncmp(why, "insz: ", 6) == 0, "%s", why);
	/* the wire carries the digits only */
	cr_expect_eq(text("person", "insz", "85.07.30-033.28"), RC_INVALID);
	cr_expect_eq(text("person", "insz", "850730033280"), RC_INVALID);
}

Test(sync_row, types_and_unknowns)
{
	char why[256];

	cr_expect_eq(check("person", "phone", json_integer(3), why, sizeof why), RC_INVALID);
	cr_expect_str_eq(why, "phone: not a string");
	cr_expect_eq(check("person", "phone", json_null(), NULL, 0), RC_INVALID);
	cr_expect_eq(check("staff", "active", json_integer(1), NULL, 0), RC_OK);
	cr_expect_eq(check("staff", "active", json_integer(2), NULL, 0), RC_INVALID);
	cr_expect_eq(check("staff", "active", json_string("1"), NULL, 0), RC_INVALID);
	cr_expect_eq(check("staff", "active", json_true(), NULL, 0), RC_INVALID);
	cr_expect_eq(check("person", "shoe_size", json_string("42"), why, sizeof why), RC_INVALID);
	cr_expect(strstr(why, "shoe_size") != NULL, "%s", why);
	cr_expect_eq(check("nosuch", "x", json_string(""), NULL, 0), RC_INVALID);
	cr_expect_eq(check(NULL, NULL, json_string(""), NULL, 0), RC_INVALID);
	/* fields the service alone writes */
	cr_expect_eq(text("contact_form", "message", "hello"), RC_INVALID);
	cr_expect_eq(text("contact_form", "status", "done"), RC_OK);
	cr_expect_eq(text("conflict", "ours", "{}"), RC_INVALID);
}

Test(sync_row, lengths_and_text)
{
	char big[2000];

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	big[127] = '\0';
	cr_expect_eq(text("person", "family_name", big), RC_OK);
	big[127] = 'a';
	big[128] = '\0';
	cr_expect_eq(text("person", "family_name", big), RC_INVALID);
	cr_expect_eq(text("person", "family_name", ""), RC_INVALID); /* required */
	cr_expect_eq(text("person", "family_name", "Dupr\xc3\xa9"), RC_OK);
	cr_expect_eq(text("person", "family_name", "Dupr\xc3"), RC_INVALID);
	cr_expect_eq(text("person", "family_name", "a\nb"), RC_INVALID);
	cr_expect_eq(text("person", "notes", "line 1\nline 2\tcol"), RC_OK);
	cr_expect_eq(text("person", "notes", "bell\a"), RC_INVALID);
	cr_expect_eq(text("person", "notes", "cr\r"), RC_INVALID);
	/* a NUL inside a JSON string */
	cr_expect_eq(check("person", "notes", json_stringn("a\0b", 3), NULL, 0), RC_INVALID);
}

Test(sync_row, codes_dates_and_shapes)
{
	cr_expect_eq(text("person", "birth_date", "1985-07-30"), RC_OK);
	cr_expect_eq(text("person", "birth_date", ""), RC_OK);
	cr_expect_eq(text("person", "birth_date", "30/07/1985"), RC_INVALID);
	cr_expect_eq(text("person", "birth_date", "1985-02-30"), RC_INVALID);
	cr_expect_eq(text("person", "sex", "f"), RC_OK);
	cr_expect_eq(text("person", "sex", "x"), RC_INVALID);
	cr_expect_eq(text("person", "language", "de"), RC_OK);
	cr_expect_eq(text("person", "language", "en"), RC_INVALID);
	cr_expect_eq(text("person", "nationality", "BE"), RC_OK);
	cr_expect_eq(text("person", "nationality", "be"), RC_INVALID);
	cr_expect_eq(text("person", "residence", "population"), RC_OK);
	cr_expect_eq(text("person", "residence", "moon"), RC_INVALID);
	cr_expect_eq(text("person", "postcode", "1000"), RC_OK);
	cr_expect_eq(text("person", "postcode", "0999"), RC_INVALID);
	cr_expect_eq(text("person", "phone", "+32471123456"), RC_OK);
	cr_expect_eq(text("person", "phone", "0471 12 34 56"), RC_INVALID); /* not normalised */
	cr_expect_eq(text("person", "email", "a@example.be"), RC_OK);
	cr_expect_eq(text("person", "email", "not an address"), RC_INVALID);
	cr_expect_eq(text("staff", "role", "reception"), RC_OK);
	cr_expect_eq(text("staff", "role", "janitor"), RC_INVALID);
	cr_expect_eq(text("staff", "languages", "nl,fr"), RC_OK);
	cr_expect_eq(text("staff", "languages", "nl,nl"), RC_INVALID);
	cr_expect_eq(text("staff", "languages", "nl,"), RC_INVALID);
	cr_expect_eq(text("application", "kind", "parking"), RC_OK);
	cr_expect_eq(text("application", "kind", "boat"), RC_INVALID);
	cr_expect_eq(text("application", "procedure", "revision_request"), RC_OK);
	cr_expect_eq(text("application", "status", "received"), RC_OK);
	cr_expect_eq(text("application", "status", "lost"), RC_INVALID);
	cr_expect_eq(text("application", "problem", ""), RC_OK);
	cr_expect_eq(text("application", "problem", "vision"), RC_OK);
	cr_expect_eq(text("application", "person_id", "8f0c5a6e-1b2d-4c3e-9f40-123456789abc"),
	             RC_OK);
	cr_expect_eq(text("application", "person_id", "8F0C5A6E-1B2D-4C3E-9F40-123456789ABC"),
	             RC_INVALID);
	cr_expect_eq(text("application", "person_id", ""), RC_INVALID); /* required */
	cr_expect_eq(text("application_document", "code", "medical_report"), RC_OK);
	cr_expect_eq(text("application_document", "code", "Medical Report"), RC_INVALID);
	cr_expect_eq(text("audit", "at", "2026-01-31T09:15:02.123Z"), RC_OK);
	cr_expect_eq(text("audit", "at", "2026-01-31T09:15:02Z"), RC_OK);
	cr_expect_eq(text("audit", "at", "2026-01-31 09:15:02"), RC_INVALID);
	cr_expect_eq(text("audit", "at", "2026-01-31T25:15:02.123Z"), RC_INVALID);
	cr_expect_eq(text("audit", "at", "2026-01-31T09:15:02.123Zx"), RC_INVALID);
}

Test(sync_row, check_fields_fills_an_insert)
{
	const struct sync_entity *staff = sync_row_entity("staff");
	json_t *f = json_pack("{s:s, s:s, s:s}", "login", "jan", "family_name", "Peeters", "role",
	                      "reception");
	char *cause = NULL;

	cr_assert_eq(sync_row_check_fields(staff, SYNC_OP_INSERT, f, &cause), RC_OK, "%s", cause);
	cr_expect_eq(json_object_size(f), staff->nfields);
	cr_expect_eq(json_integer_value(json_object_get(f, "active")), 1);
	cr_expect_str_eq(json_string_value(json_object_get(f, "given_name")), "");
	json_decref(f);

	/* a required field missing from an insert; an update may leave it */
	f = json_pack("{s:s}", "login", "jan");
	cr_expect_eq(sync_row_check_fields(staff, SYNC_OP_INSERT, f, &cause), RC_INVALID);
	cr_expect(strstr(cause, "family_name") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	cr_expect_eq(sync_row_check_fields(staff, SYNC_OP_UPDATE, f, &cause), RC_OK);
	cr_expect_eq(json_object_size(f), 1);
	json_decref(f);
	cr_expect_eq(sync_row_check_fields(staff, SYNC_OP_UPDATE, NULL, &cause), RC_INVALID);
	free(cause);
}

Test(sync_row, uuid_and_time_helpers)
{
	cr_expect(sync_row_uuid("00000000-0000-4000-8000-000000000000"));
	cr_expect_not(sync_row_uuid("00000000-0000-4000-8000-00000000000"));
	cr_expect_not(sync_row_uuid("00000000x0000-4000-8000-000000000000"));
	cr_expect_not(sync_row_uuid(NULL));
	cr_expect(sync_row_time("2024-02-29T23:59:59.999999Z"));
	cr_expect_not(sync_row_time("2023-02-29T23:59:59Z"));
	cr_expect_not(sync_row_time("2024-02-29T23:59:59.Z"));
	cr_expect_not(sync_row_time("2024-02-29T23:59:59.1234567Z"));
	cr_expect_not(sync_row_time(NULL));
}
