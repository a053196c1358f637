/* application.c: application kinds, procedures, problems, statuses, the
 * document checklist per kind, and the validation of an application. */
#include "autoconf.h"

#include "application.h"

#include <string.h>

#include "date.h"
#include "i18n.h"
#include "text.h"

struct code_name {
	const char *code;
	const char *name; /* N_(), translated on the way out */
};

static const struct code_name kinds[APP_KIND_COUNT] = {
    [APP_KIND_NONE] = {"", N_("none")},
    [APP_KIND_IVT_IT] = {"ivt_it", N_("income replacement + integration allowance (IVT/IT)")},
    [APP_KIND_PARKING] = {"parking", N_("parking card")},
    [APP_KIND_CERTIFICATE] = {"certificate", N_("certificate")},
    [APP_KIND_VSB] = {"vsb", N_("Flemish Social Protection (VSB)")},
    [APP_KIND_THAB] = {"thab", N_("allowance for help to the elderly (THAB)")},
    [APP_KIND_CHILD_BENEFIT] = {"child_benefit", N_("increased child benefit")},
    [APP_KIND_EDC] = {"edc", N_("European Disability Card")},
    [APP_KIND_VAT] = {"vat", N_("VAT certificate")},
    [APP_KIND_IRISCARE] = {"iriscare", N_("Iriscare (Brussels)")},
};

/* Indexed by enum app_procedure (which starts at 1). */
static const struct code_name procedures[] = {
    {"", N_("none")},
    [APP_PROC_NEW] = {"new", N_("new application")},
    [APP_PROC_REVISION_REQUEST] = {"revision_request", N_("revision on request")},
    [APP_PROC_REVISION_EX_OFFICIO] = {"revision_ex_officio", N_("revision ex officio")},
};
#define PROC_COUNT ((int)(sizeof procedures / sizeof procedures[0]))

static const struct code_name problems[APP_PROBLEM_COUNT] = {
    [APP_PROBLEM_NONE] = {"", N_("none")},
    [APP_PROBLEM_PSYCHOLOGICAL] = {"psychological", N_("psychological")},
    [APP_PROBLEM_ORTHOPAEDIC] = {"orthopaedic", N_("orthopaedic or somatic")},
    [APP_PROBLEM_NERVOUS] = {"nervous", N_("nervous system")},
    [APP_PROBLEM_VISION] = {"vision", N_("vision")},
    [APP_PROBLEM_HEARING] = {"hearing", N_("hearing")},
    [APP_PROBLEM_OTHER] = {"other", N_("other")},
};

static const struct code_name statuses[APP_STATUS_COUNT] = {
    {"", N_("none")},
    [APP_STATUS_RECEIVED] = {"received", N_("received")},
    [APP_STATUS_INCOMPLETE] = {"incomplete", N_("incomplete")},
    [APP_STATUS_AWAITING_EVALUATION] = {"awaiting_evaluation", N_("awaiting evaluation")},
    [APP_STATUS_EVALUATION_PLANNED] = {"evaluation_planned", N_("evaluation planned")},
    [APP_STATUS_EVALUATED] = {"evaluated", N_("evaluated")},
    [APP_STATUS_DECIDED] = {"decided", N_("decided")},
    [APP_STATUS_CLOSED] = {"closed", N_("closed")},
};

/* Every document any checklist names: stable code and translated name. */
static const struct code_name documents[] = {
    {"identity_document", N_("identity document")},
    {"income_statement", N_("income statement or tax assessment")},
    {"medical_report", N_("medical report of the treating doctor (My Handicap questionnaire)")},
    {"daily_life_form", N_("form on daily life and autonomy")},
    {"bank_account", N_("bank account details")},
    {"passport_photo", N_("passport photo")},
    {"school_report", N_("school report")},
    {"family_composition", N_("family composition certificate")},
    {"care_need_scale", N_("care need assessment (BEL profile scale)")},
    {"vehicle_document", N_("vehicle registration or purchase order")},
    {"recognition_decision", N_("decision recognising the disability")},
};

/*
 * What each kind needs on file before it can be evaluated.  The medical
 * report is the "My Handicap" medical questionnaire filled in by the
 * treating doctor; income matters only for the means-tested allowances.
 */
static const char *const list_ivt_it[] = {"identity_document", "income_statement", "medical_report",
                                          "daily_life_form",   "bank_account",     NULL};
static const char *const list_parking[] = {"identity_document", "medical_report", "passport_photo",
                                           NULL};
static const char *const list_certificate[] = {"identity_document", "medical_report", NULL};
static const char *const list_vsb[] = {"identity_document", "medical_report", "care_need_scale",
                                       NULL};
static const char *const list_thab[] = {"identity_document", "income_statement", "medical_report",
                                        "daily_life_form",   "bank_account",     NULL};
static const char *const list_child_benefit[] = {"identity_document", "medical_report",
                                                 "school_report", "family_composition", NULL};
static const char *const list_edc[] = {"identity_document", "recognition_decision",
                                       "passport_photo", NULL};
static const char *const list_vat[] = {"identity_document", "medical_report", "vehicle_document",
                                       NULL};
static const char *const list_iriscare[] = {"identity_document", "income_statement",
                                            "medical_report",    "daily_life_form",
                                            "bank_account",      NULL};
static const char *const list_none[] = {NULL};

static const char *const *const checklists[APP_KIND_COUNT] = {
    [APP_KIND_NONE] = list_none,
    [APP_KIND_IVT_IT] = list_ivt_it,
    [APP_KIND_PARKING] = list_parking,
    [APP_KIND_CERTIFICATE] = list_certificate,
    [APP_KIND_VSB] = list_vsb,
    [APP_KIND_THAB] = list_thab,
    [APP_KIND_CHILD_BENEFIT] = list_child_benefit,
    [APP_KIND_EDC] = list_edc,
    [APP_KIND_VAT] = list_vat,
    [APP_KIND_IRISCARE] = list_iriscare,
};

/* Notes may span lines: newlines and tabs are fine there, other control
 * characters and broken UTF-8 are not. */
static bool notes_valid(const char *s)
{
	char buf[1024];
	size_t n = strlen(s);

	if (n >= sizeof buf)
		return false;
	for (size_t i = 0; i <= n; i++)
		buf[i] = s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i];
	return text_valid(buf);
}

static int table_parse(const struct code_name *t, int n, const char *code)
{
	if (!code || !*code)
		return 0;
	for (int i = 1; i < n; i++)
		if (t[i].code && strcmp(t[i].code, code) == 0)
			return i;
	return 0;
}

static const char *table_code(const struct code_name *t, int n, int i)
{
	return i > 0 && i < n && t[i].code ? t[i].code : "";
}

static const char *table_name(const struct code_name *t, int n, int i)
{
	return _(i > 0 && i < n && t[i].name ? t[i].name : t[0].name);
}

/* Stable code of a kind ("" if out of range). */
const char *application_kind_code(enum app_kind k)
{
	return table_code(kinds, APP_KIND_COUNT, (int)k);
}

/* Translated name of a kind (static). */
const char *application_kind_name(enum app_kind k)
{
	return table_name(kinds, APP_KIND_COUNT, (int)k);
}

/* Kind of a stable code, APP_KIND_NONE if unknown. */
enum app_kind application_kind_parse(const char *code)
{
	return (enum app_kind)table_parse(kinds, APP_KIND_COUNT, code);
}

/* Stable code of a procedure ("" if out of range). */
const char *application_procedure_code(enum app_procedure p)
{
	return table_code(procedures, PROC_COUNT, (int)p);
}

/* Translated name of a procedure (static). */
const char *application_procedure_name(enum app_procedure p)
{
	return table_name(procedures, PROC_COUNT, (int)p);
}

/* Procedure of a stable code, 0 if unknown. */
enum app_procedure application_procedure_parse(const char *code)
{
	return (enum app_procedure)table_parse(procedures, PROC_COUNT, code);
}

/* Stable code of a primary problem ("" if out of range). */
const char *application_problem_code(enum app_problem p)
{
	return table_code(problems, APP_PROBLEM_COUNT, (int)p);
}

/* Translated name of a primary problem (static). */
const char *application_problem_name(enum app_problem p)
{
	return table_name(problems, APP_PROBLEM_COUNT, (int)p);
}

/* Primary problem of a stable code, APP_PROBLEM_NONE if unknown. */
enum app_problem application_problem_parse(const char *code)
{
	return (enum app_problem)table_parse(problems, APP_PROBLEM_COUNT, code);
}

/* Stable code of a status ("" if out of range). */
const char *application_status_code(enum app_status s)
{
	return table_code(statuses, APP_STATUS_COUNT, (int)s);
}

/* Translated name of a status (static). */
const char *application_status_name(enum app_status s)
{
	return table_name(statuses, APP_STATUS_COUNT, (int)s);
}

/* Status of a stable code, 0 if unknown. */
enum app_status application_status_parse(const char *code)
{
	return (enum app_status)table_parse(statuses, APP_STATUS_COUNT, code);
}

/* The document codes a kind expects, NULL terminated (static; empty for an
 * unknown kind). */
const char *const *application_checklist(enum app_kind k)
{
	if ((int)k < 0 || k >= APP_KIND_COUNT)
		return list_none;
	return checklists[k];
}

/* Translated name of a document code; an unknown code (from a newer
 * handesk, through sync) is shown as it is. */
const char *application_document_name(const char *code)
{
	if (!code)
		return "";
	for (size_t i = 0; i < sizeof documents / sizeof documents[0]; i++)
		if (strcmp(documents[i].code, code) == 0)
			return _(documents[i].name);
	return code;
}

/* Check and normalise an application's own fields.  A procedure left 0 is
 * taken as a new application, the commonest case at the desk; the status
 * is left to the session (it depends on the documents). */
bool application_validate(struct application *a, const char **msg)
{
	struct date d;

	if (a->kind <= APP_KIND_NONE || a->kind >= APP_KIND_COUNT) {
		*msg = _("Choose the kind of application.");
		return false;
	}
	if (a->procedure == 0)
		a->procedure = APP_PROC_NEW;
	if ((int)a->procedure < APP_PROC_NEW || (int)a->procedure >= PROC_COUNT) {
		*msg = _("Choose whether this is a new application or a revision.");
		return false;
	}
	text_trim(a->received_on);
	if (!a->received_on[0]) {
		*msg = _("The date the application was received is required.");
		return false;
	}
	if (!date_parse(a->received_on, &d)) {
		*msg = _("Received date: not a real date (use DD/MM/YYYY).");
		return false;
	}
	if (date_compare(d, date_today()) > 0) {
		*msg = _("Received date: the date is in the future.");
		return false;
	}
	date_format_iso(d, a->received_on);
	if (a->problem <= APP_PROBLEM_NONE || a->problem >= APP_PROBLEM_COUNT) {
		*msg = _("Choose the primary problem.");
		return false;
	}
	if ((int)a->status < 0 || a->status >= APP_STATUS_COUNT) {
		*msg = _("Unknown application status.");
		return false;
	}
	if (!notes_valid(a->notes)) {
		*msg = _("Notes: invalid characters (the text must be UTF-8 without control "
		         "characters).");
		return false;
	}
	return true;
}
