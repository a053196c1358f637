/* application.h: an application for recognition or an allowance, its kinds,
 * statuses, primary problems and the document checklist per kind. */
#ifndef HANDESK_APPLICATION_H
#define HANDESK_APPLICATION_H

#include <stdbool.h>
#include <stddef.h>

#include "person.h"

enum app_kind {
	APP_KIND_NONE = 0,
	APP_KIND_IVT_IT,        /* income replacement + integration allowance */
	APP_KIND_PARKING,       /* parking card */
	APP_KIND_CERTIFICATE,   /* certificate (attest) */
	APP_KIND_VSB,           /* Flemish Social Protection */
	APP_KIND_THAB,          /* help to the elderly (Wallonia, Brussels) */
	APP_KIND_CHILD_BENEFIT, /* increased child benefit */
	APP_KIND_EDC,           /* European Disability Card */
	APP_KIND_VAT,           /* VAT certificate */
	APP_KIND_IRISCARE,      /* Iriscare (Brussels) */
	APP_KIND_COUNT
};

enum app_procedure {
	APP_PROC_NEW = 1,
	APP_PROC_REVISION_REQUEST,    /* revision on the person's own request */
	APP_PROC_REVISION_EX_OFFICIO, /* revision started by DG HAN */
};

enum app_problem {
	APP_PROBLEM_NONE = 0,
	APP_PROBLEM_PSYCHOLOGICAL,
	APP_PROBLEM_ORTHOPAEDIC, /* orthopaedic / somatic */
	APP_PROBLEM_NERVOUS,     /* nervous system */
	APP_PROBLEM_VISION,      /* sensory: vision */
	APP_PROBLEM_HEARING,     /* sensory: hearing */
	APP_PROBLEM_OTHER,       /* heart, neoplasia, lung ... */
	APP_PROBLEM_COUNT
};

enum app_status {
	APP_STATUS_RECEIVED = 1,
	APP_STATUS_INCOMPLETE, /* documents missing */
	APP_STATUS_AWAITING_EVALUATION,
	APP_STATUS_EVALUATION_PLANNED,
	APP_STATUS_EVALUATED,
	APP_STATUS_DECIDED,
	APP_STATUS_CLOSED,
	APP_STATUS_COUNT
};

struct application {
	struct row_meta meta;
	char person_id[37];
	enum app_kind kind;
	enum app_procedure procedure;
	char received_on[11]; /* YYYY-MM-DD */
	enum app_problem problem;
	enum app_status status;
	char notes[512];
};

/* One line of an application's document checklist. */
struct app_document {
	struct row_meta meta;
	char application_id[37];
	char code[32]; /* stable code, e.g. "medical_report" */
	bool required;
	char received_on[11]; /* YYYY-MM-DD, "" while missing */
};

/* Stable codes (stored in the cache and sent on the wire) and translated
 * names.  *_parse returns 0 (or NONE) for an unknown code. */
const char *application_kind_code(enum app_kind k);
const char *application_kind_name(enum app_kind k);
enum app_kind application_kind_parse(const char *code);
const char *application_procedure_code(enum app_procedure p);
const char *application_procedure_name(enum app_procedure p);
enum app_procedure application_procedure_parse(const char *code);
const char *application_problem_code(enum app_problem p);
const char *application_problem_name(enum app_problem p);
enum app_problem application_problem_parse(const char *code);
const char *application_status_code(enum app_status s);
const char *application_status_name(enum app_status s);
enum app_status application_status_parse(const char *code);

/* The document checklist of a kind: codes of the documents expected, NULL
 * terminated (static). */
const char *const *application_checklist(enum app_kind k);

/* A document code's translated name. */
const char *application_document_name(const char *code);

/* Validate an application (kind, procedure, received date not in the future
 * and parseable in any accepted form - normalised to ISO -, problem). */
bool application_validate(struct application *a, const char **msg);

#endif
