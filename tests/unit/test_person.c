/* test_person.c: person field rules and normalisation, the eligibility
 * warning, application codes, checklists and validation. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "src/application.h"
#include "src/date.h"
#include "src/person.h"

/* A valid person: INSZ 85.07.30-033.28 (a man born 30/07/1985).  The
 * struct holds 11 characters of INSZ: the form strips separators first. */
static struct person sample(void)
{
	struct person p;

	memset(&p, 0, sizeof p);
	strcpy(p.insz, "85073003328");
	strcpy(p.family_name, "Duprée");
	strcpy(p.given_name, "Jean-François");
	strcpy(p.birth_date, "30/07/1985");
	strcpy(p.language, "fr");
	strcpy(p.nationality, "be");
	p.residence = RESIDENCE_POPULATION;
	strcpy(p.street, "Rue de la Loi 16");
	strcpy(p.postcode, "1000");
	strcpy(p.phone, "0470 12 34 56");
	strcpy(p.email, "jean.dupree@example.be");
	return p;
}

static void expect_invalid(struct person *p, enum person_field want, const char *why)
{
	enum person_field f = PERSON_F_NONE;
	char msg[256] = "";

	cr_expect_not(person_validate(p, &f, msg, sizeof msg), "%s should be refused", why);
	cr_expect_eq(f, want, "%s: reported on field %d, not %d", why, f, want);
	cr_expect_str_not_empty(msg, "%s: no message", why);
}

static void tomorrow(char out[11])
{
	date_format_iso(date_add_days(date_today(), 1), out);
}

Test(person, valid_sample_is_normalised)
{
	struct person p = sample();
	enum person_field f;
	char msg[256];

	cr_assert(person_validate(&p, &f, msg, sizeof msg), "%s", msg);
	cr_expect_eq(f, PERSON_F_NONE);
	cr_expect_str_eq(p.insz, "85073003328");
	cr_expect_str_eq(p.birth_date, "1985-07-30");
	cr_expect_str_eq(p.sex, "m", "sex filled from the INSZ serial");
	cr_expect_str_eq(p.nationality, "BE");
	cr_expect_str_eq(p.phone, "+32470123456");
	cr_expect_str_not_empty(p.municipality, "municipality suggested from the postcode");
}

Test(person, names_required_and_clean)
{
	struct person p = sample();
	strcpy(p.family_name, "   ");
	expect_invalid(&p, PERSON_F_FAMILY_NAME, "blank family name");

	p = sample();
	p.given_name[0] = '\0';
	expect_invalid(&p, PERSON_F_GIVEN_NAME, "empty given name");

	p = sample();
	strcpy(p.family_name, "Dup\x01r\xc3\xa9");
	expect_invalid(&p, PERSON_F_FAMILY_NAME, "control character");

	p = sample();
	strcpy(p.given_name, "Jean\xc3");
	expect_invalid(&p, PERSON_F_GIVEN_NAME, "broken UTF-8");

	p = sample();
	strcpy(p.family_name, "  Müller-Lüdenscheidt ");
	cr_expect(person_check_field(&p, PERSON_F_FAMILY_NAME, &(const char *){NULL}));
	cr_expect_str_eq(p.family_name, "Müller-Lüdenscheidt", "trimmed");
}

Test(person, insz_optional_stored_as_digits)
{
	struct person p = sample();
	const char *msg = NULL;

	p.insz[0] = '\0';
	cr_expect(person_check_field(&p, PERSON_F_INSZ, &msg));

	strcpy(p.insz, "85073003328");
	cr_expect(person_check_field(&p, PERSON_F_INSZ, &msg), "%s", msg);
	cr_expect_str_eq(p.insz, "85073003328");

	strcpy(p.insz, "850730-0332");
	cr_expect_not(person_check_field(&p, PERSON_F_INSZ, &msg), "ten digits");

	strcpy(p.insz, "8507300332x");
	cr_expect_not(person_check_field(&p, PERSON_F_INSZ, &msg), "letters");

	strcpy(p.insz, "85073003329");
	cr_expect_not(person_check_field(&p, PERSON_F_INSZ, &msg));
	cr_expect_str_not_empty(msg);

	p = sample();
	strcpy(p.insz, "85133000105");
	expect_invalid(&p, PERSON_F_INSZ, "month 13");
}

Test(person, birth_date_forms_and_future)
{
	static const char *const forms[] = {"30/07/1985", "30-07-1985", "30.07.1985", "1985-07-30",
	                                    " 30/7/1985"};
	const char *msg = NULL;
	struct person p;

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		p = sample();
		strcpy(p.birth_date, forms[i]);
		cr_expect(person_check_field(&p, PERSON_F_BIRTH_DATE, &msg), "%s: %s", forms[i],
		          msg);
		cr_expect_str_eq(p.birth_date, "1985-07-30", "%s", forms[i]);
	}
	p = sample();
	strcpy(p.birth_date, "31/02/1985");
	expect_invalid(&p, PERSON_F_BIRTH_DATE, "31 February");

	p = sample();
	p.insz[0] = '\0';
	tomorrow(p.birth_date);
	expect_invalid(&p, PERSON_F_BIRTH_DATE, "birth tomorrow");
}

Test(person, birth_date_required_unless_insz_gives_it)
{
	struct person p = sample();
	enum person_field f;
	char msg[256];

	p.insz[0] = '\0';
	p.birth_date[0] = '\0';
	expect_invalid(&p, PERSON_F_BIRTH_DATE, "no birth date, no INSZ");

	p = sample();
	p.birth_date[0] = '\0';
	cr_assert(person_validate(&p, &f, msg, sizeof msg), "%s", msg);
	cr_expect_str_eq(p.birth_date, "1985-07-30", "filled from the INSZ");

	/* Unknown date in the register: the field may stay empty. */
	p = sample();
	strcpy(p.insz, "00000100166");
	p.birth_date[0] = '\0';
	p.sex[0] = '\0';
	cr_expect(person_validate(&p, &f, msg, sizeof msg), "%s", msg);
	cr_expect_str_eq(p.birth_date, "");

	/* Day unknown: the date is not filled, but the known parts must agree. */
	p = sample();
	strcpy(p.insz, "85070003454");
	p.birth_date[0] = '\0';
	cr_expect(person_validate(&p, &f, msg, sizeof msg), "%s", msg);
	cr_expect_str_eq(p.birth_date, "");
	strcpy(p.birth_date, "12/07/1985");
	cr_expect(person_validate(&p, &f, msg, sizeof msg), "%s", msg);
	strcpy(p.birth_date, "12/08/1985");
	expect_invalid(&p, PERSON_F_BIRTH_DATE, "month differs from a day-unknown INSZ");
}

Test(person, birth_date_mismatch_names_both)
{
	struct person p = sample();
	enum person_field f;
	const char *m = NULL;
	char msg[256];

	strcpy(p.birth_date, "30/07/1986");
	cr_assert_not(person_validate(&p, &f, msg, sizeof msg));
	cr_expect_eq(f, PERSON_F_BIRTH_DATE);
	cr_expect_str_eq(msg,
	                 "Birth date 30/07/1986 does not match the INSZ, which gives 30/07/1985.");

	/* Also when leaving either field. */
	p = sample();
	strcpy(p.birth_date, "1986-07-30");
	cr_expect_not(person_check_field(&p, PERSON_F_BIRTH_DATE, &m));
	cr_expect(strstr(m, "30/07/1986") && strstr(m, "30/07/1985"), "%s", m);
	cr_expect_not(person_check_field(&p, PERSON_F_INSZ, &m));

	/* Born in 2017: the century comes from the check digits. */
	p = sample();
	strcpy(p.insz, "17073003384");
	strcpy(p.birth_date, "30/07/1917");
	cr_assert_not(person_validate(&p, &f, msg, sizeof msg));
	cr_expect_str_eq(msg,
	                 "Birth date 30/07/1917 does not match the INSZ, which gives 30/07/2017.");
}

Test(person, sex_agrees_with_insz)
{
	struct person p = sample();
	enum person_field f;
	const char *m = NULL;
	char msg[256];

	strcpy(p.sex, "f");
	expect_invalid(&p, PERSON_F_SEX, "woman with an odd serial");

	p = sample();
	strcpy(p.insz, "85073003427"); /* serial 034: a woman */
	strcpy(p.sex, "M");
	cr_expect_not(person_check_field(&p, PERSON_F_SEX, &m));
	strcpy(p.sex, "F");
	cr_expect(person_check_field(&p, PERSON_F_SEX, &m), "%s", m);
	cr_expect_str_eq(p.sex, "f");

	p = sample();
	strcpy(p.sex, "x");
	expect_invalid(&p, PERSON_F_SEX, "sex x");

	/* A bis number issued without sex (+20) does not decide. */
	p = sample();
	strcpy(p.insz, "98272899722");
	strcpy(p.birth_date, "28/07/1998");
	strcpy(p.sex, "f");
	cr_expect(person_validate(&p, &f, msg, sizeof msg), "%s", msg);
	p.sex[0] = '\0';
	cr_expect(person_validate(&p, &f, msg, sizeof msg), "%s", msg);
	cr_expect_str_eq(p.sex, "");

	/* Bis +40: sex known. */
	p = sample();
	strcpy(p.insz, "98472899765");
	p.birth_date[0] = '\0';
	cr_expect(person_validate(&p, &f, msg, sizeof msg), "%s", msg);
	cr_expect_str_eq(p.birth_date, "1998-07-28");
	cr_expect_str_eq(p.sex, "m");
}

Test(person, language)
{
	struct person p = sample();
	const char *m = NULL;

	p.language[0] = '\0';
	expect_invalid(&p, PERSON_F_LANGUAGE, "no language");
	strcpy(p.language, "en");
	expect_invalid(&p, PERSON_F_LANGUAGE, "English");
	strcpy(p.language, "NL");
	cr_expect(person_check_field(&p, PERSON_F_LANGUAGE, &m));
	cr_expect_str_eq(p.language, "nl");
	strcpy(p.language, "de");
	cr_expect(person_check_field(&p, PERSON_F_LANGUAGE, &m));
}

Test(person, nationality)
{
	struct person p = sample();
	const char *m = NULL;

	strcpy(p.nationality, "ma");
	cr_expect(person_check_field(&p, PERSON_F_NATIONALITY, &m));
	cr_expect_str_eq(p.nationality, "MA");
	p.nationality[0] = '\0';
	cr_expect(person_check_field(&p, PERSON_F_NATIONALITY, &m), "unknown is allowed");
	strcpy(p.nationality, "B");
	expect_invalid(&p, PERSON_F_NATIONALITY, "one letter");
	strcpy(p.nationality, "B1");
	expect_invalid(&p, PERSON_F_NATIONALITY, "digit");
}

Test(person, postcode_and_municipality)
{
	struct person p = sample();
	const char *m = NULL;

	strcpy(p.postcode, "9000");
	p.municipality[0] = '\0';
	cr_expect(person_check_field(&p, PERSON_F_POSTCODE, &m), "%s", m);
	cr_expect_str_not_empty(p.municipality);

	strcpy(p.postcode, "9000");
	strcpy(p.municipality, "Sint-Amandsberg");
	cr_expect(person_check_field(&p, PERSON_F_POSTCODE, &m));
	cr_expect_str_eq(p.municipality, "Sint-Amandsberg", "a typed municipality is kept");

	strcpy(p.postcode, "0999");
	expect_invalid(&p, PERSON_F_POSTCODE, "below 1000");
	strcpy(p.postcode, "12a4");
	expect_invalid(&p, PERSON_F_POSTCODE, "letters");
	strcpy(p.postcode, "123");
	expect_invalid(&p, PERSON_F_POSTCODE, "three digits");
	p.postcode[0] = '\0';
	cr_expect(person_check_field(&p, PERSON_F_POSTCODE, &m), "optional");
}

Test(person, phones_normalised)
{
	struct person p = sample();
	const char *m = NULL;

	strcpy(p.phone, "02 507 87 99");
	cr_expect(person_check_field(&p, PERSON_F_PHONE, &m), "%s", m);
	cr_expect_str_eq(p.phone, "+3225078799");
	strcpy(p.contact_phone, "0032 470 12 34 56");
	cr_expect(person_check_field(&p, PERSON_F_CONTACT_PHONE, &m), "%s", m);
	cr_expect_str_eq(p.contact_phone, "+32470123456");
	strcpy(p.phone, "call me");
	expect_invalid(&p, PERSON_F_PHONE, "words as a phone");
	p = sample();
	strcpy(p.contact_phone, "12");
	expect_invalid(&p, PERSON_F_CONTACT_PHONE, "two digits");
}

Test(person, email_shape)
{
	struct person p = sample();
	const char *m = NULL;

	strcpy(p.email, "jean@example");
	expect_invalid(&p, PERSON_F_EMAIL, "no dot in the domain");
	strcpy(p.email, "jean example.be");
	expect_invalid(&p, PERSON_F_EMAIL, "no @");
	p.email[0] = '\0';
	cr_expect(person_check_field(&p, PERSON_F_EMAIL, &m), "optional");
}

Test(person, notes_may_span_lines)
{
	struct person p = sample();
	const char *m = NULL;

	strcpy(p.notes, "Comes with her son.\nPrefers mornings.");
	cr_expect(person_check_field(&p, PERSON_F_NOTES, &m));
	strcpy(p.notes, "bell\a");
	cr_expect_not(person_check_field(&p, PERSON_F_NOTES, &m));
}

Test(person, residence_codes)
{
	for (int r = RESIDENCE_POPULATION; r <= RESIDENCE_OTHER; r++) {
		cr_expect_eq(person_residence_parse(person_residence_code((enum residence)r)), r);
		cr_expect_str_not_empty(person_residence_name((enum residence)r));
	}
	cr_expect_str_eq(person_residence_code(RESIDENCE_POPULATION), "population");
	cr_expect_str_eq(person_residence_code(RESIDENCE_FOREIGNERS), "foreigners");
	cr_expect_str_eq(person_residence_code(RESIDENCE_OTHER), "other");
	cr_expect_str_eq(person_residence_code(RESIDENCE_UNKNOWN), "");
	cr_expect_eq(person_residence_parse(""), RESIDENCE_UNKNOWN);
	cr_expect_eq(person_residence_parse("moon"), RESIDENCE_UNKNOWN);

	struct person p = sample();
	p.residence = (enum residence)9;
	expect_invalid(&p, PERSON_F_RESIDENCE, "residence out of range");
}

Test(person, eligibility_warning)
{
	struct person p = sample();

	cr_expect_null(person_eligibility_warning(&p));
	p.residence = RESIDENCE_UNKNOWN;
	cr_expect_null(person_eligibility_warning(&p));
	p.residence = RESIDENCE_FOREIGNERS;
	const char *w = person_eligibility_warning(&p);
	cr_assert_not_null(w);
	cr_expect(strstr(w, "population register") && strstr(w, "2007") &&
	              strstr(w, "child benefit") && strstr(w, "nationality"),
	          "%s", w);
	p.residence = RESIDENCE_OTHER;
	cr_expect_not_null(person_eligibility_warning(&p));
}

Test(person, display_name)
{
	struct person p = sample();
	char out[64];

	person_display_name(&p, out, sizeof out);
	cr_expect_str_eq(out, "Duprée, Jean-François");
	p.given_name[0] = '\0';
	person_display_name(&p, out, sizeof out);
	cr_expect_str_eq(out, "Duprée");
	person_display_name(&p, out, 4);
	cr_expect_eq(strlen(out), 3);
}

Test(application, codes_round_trip)
{
	static const char *const kinds[] = {"ivt_it", "parking", "certificate",
	                                    "vsb",    "thab",    "child_benefit",
	                                    "edc",    "vat",     "iriscare"};
	static const char *const procs[] = {"new", "revision_request", "revision_ex_officio"};
	static const char *const problems[] = {"psychological", "orthopaedic", "nervous",
	                                       "vision",        "hearing",     "other"};
	static const char *const statuses[] = {
	    "received", "incomplete", "awaiting_evaluation", "evaluation_planned", "evaluated",
	    "decided",  "closed"};

	for (int k = APP_KIND_IVT_IT; k < APP_KIND_COUNT; k++) {
		cr_expect_str_eq(application_kind_code((enum app_kind)k), kinds[k - 1]);
		cr_expect_eq(application_kind_parse(kinds[k - 1]), k);
		cr_expect_str_not_empty(application_kind_name((enum app_kind)k));
	}
	for (int p = APP_PROC_NEW; p <= APP_PROC_REVISION_EX_OFFICIO; p++) {
		cr_expect_str_eq(application_procedure_code((enum app_procedure)p), procs[p - 1]);
		cr_expect_eq(application_procedure_parse(procs[p - 1]), p);
		cr_expect_str_not_empty(application_procedure_name((enum app_procedure)p));
	}
	for (int p = APP_PROBLEM_PSYCHOLOGICAL; p < APP_PROBLEM_COUNT; p++) {
		cr_expect_str_eq(application_problem_code((enum app_problem)p), problems[p - 1]);
		cr_expect_eq(application_problem_parse(problems[p - 1]), p);
		cr_expect_str_not_empty(application_problem_name((enum app_problem)p));
	}
	for (int s = APP_STATUS_RECEIVED; s < APP_STATUS_COUNT; s++) {
		cr_expect_str_eq(application_status_code((enum app_status)s), statuses[s - 1]);
		cr_expect_eq(application_status_parse(statuses[s - 1]), s);
		cr_expect_str_not_empty(application_status_name((enum app_status)s));
	}
	cr_expect_eq(application_kind_parse("pension"), APP_KIND_NONE);
	cr_expect_eq(application_kind_parse(""), APP_KIND_NONE);
	cr_expect_eq(application_kind_parse(NULL), APP_KIND_NONE);
	cr_expect_eq(application_procedure_parse("appeal"), 0);
	cr_expect_eq(application_problem_parse("heart"), APP_PROBLEM_NONE);
	cr_expect_eq(application_status_parse("lost"), 0);
	cr_expect_str_eq(application_kind_code(APP_KIND_COUNT), "");
	cr_expect_str_eq(application_status_code((enum app_status)99), "");
}

Test(application, checklists_for_every_kind)
{
	for (int k = APP_KIND_IVT_IT; k < APP_KIND_COUNT; k++) {
		const char *const *list = application_checklist((enum app_kind)k);
		int n = 0;
		cr_assert_not_null(list[0], "kind %s has an empty checklist",
		                   application_kind_code((enum app_kind)k));
		for (; list[n]; n++) {
			const char *name = application_document_name(list[n]);
			cr_expect_str_not_empty(name);
			cr_expect_str_neq(name, list[n], "document %s has no name", list[n]);
			cr_expect_lt(strlen(list[n]), 32, "code %s too long for the row", list[n]);
			for (const char *c = list[n]; *c; c++)
				cr_expect((*c >= 'a' && *c <= 'z') || *c == '_',
				          "code %s not snake_case", list[n]);
			for (int j = 0; j < n; j++)
				cr_expect_str_neq(list[j], list[n], "document twice");
		}
	}
	cr_expect_null(application_checklist(APP_KIND_NONE)[0]);
	cr_expect_null(application_checklist(APP_KIND_COUNT)[0]);
	cr_expect_str_eq(application_document_name("from_the_future"), "from_the_future");

	/* The examples the desk relies on. */
	const char *const *ivt = application_checklist(APP_KIND_IVT_IT);
	int found = 0;
	for (int i = 0; ivt[i]; i++)
		found += !strcmp(ivt[i], "medical_report") + !strcmp(ivt[i], "income_statement") +
		         !strcmp(ivt[i], "identity_document");
	cr_expect_eq(found, 3);
	const char *const *parking = application_checklist(APP_KIND_PARKING);
	found = 0;
	for (int i = 0; parking[i]; i++)
		found +=
		    !strcmp(parking[i], "passport_photo") + !strcmp(parking[i], "medical_report");
	cr_expect_eq(found, 2);
	const char *const *child = application_checklist(APP_KIND_CHILD_BENEFIT);
	found = 0;
	for (int i = 0; child[i]; i++)
		found += !strcmp(child[i], "school_report");
	cr_expect_eq(found, 1);
}

static struct application sample_app(void)
{
	struct application a;

	memset(&a, 0, sizeof a);
	a.kind = APP_KIND_IVT_IT;
	a.procedure = APP_PROC_NEW;
	strcpy(a.received_on, "02/03/2026");
	a.problem = APP_PROBLEM_PSYCHOLOGICAL;
	return a;
}

Test(application, validate)
{
	struct application a = sample_app();
	const char *msg = NULL;

	cr_assert(application_validate(&a, &msg), "%s", msg);
	cr_expect_str_eq(a.received_on, "2026-03-02");

	a = sample_app();
	strcpy(a.received_on, "2.3.2026");
	cr_expect(application_validate(&a, &msg), "%s", msg);
	cr_expect_str_eq(a.received_on, "2026-03-02");

	a = sample_app();
	a.kind = APP_KIND_NONE;
	msg = NULL;
	cr_expect_not(application_validate(&a, &msg));
	cr_expect_not_null(msg);

	a = sample_app();
	a.received_on[0] = '\0';
	cr_expect_not(application_validate(&a, &msg), "received date required");

	a = sample_app();
	strcpy(a.received_on, "30/02/2026");
	cr_expect_not(application_validate(&a, &msg), "30 February");

	a = sample_app();
	date_format_iso(date_add_days(date_today(), 1), a.received_on);
	cr_expect_not(application_validate(&a, &msg), "received tomorrow");

	a = sample_app();
	date_format_iso(date_today(), a.received_on);
	cr_expect(application_validate(&a, &msg), "received today: %s", msg);

	a = sample_app();
	a.problem = APP_PROBLEM_NONE;
	cr_expect_not(application_validate(&a, &msg), "problem required");

	a = sample_app();
	a.procedure = (enum app_procedure)0;
	cr_expect(application_validate(&a, &msg), "%s", msg);
	cr_expect_eq(a.procedure, APP_PROC_NEW, "no procedure means new");
	a.procedure = (enum app_procedure)7;
	cr_expect_not(application_validate(&a, &msg));
}
