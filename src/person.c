/* person.c: the checks and normalisation of a person's fields, and the
 * eligibility warning on residence status. */
#include "autoconf.h"

#include "person.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "email.h"
#include "i18n.h"
#include "insz.h"
#include "phone.h"
#include "postcode.h"
#include "text.h"

static const char *const residence_codes[] = {
    [RESIDENCE_UNKNOWN] = "",
    [RESIDENCE_POPULATION] = "population",
    [RESIDENCE_FOREIGNERS] = "foreigners",
    [RESIDENCE_OTHER] = "other",
};

static const char *const residence_names[] = {
    [RESIDENCE_UNKNOWN] = N_("unknown"),
    [RESIDENCE_POPULATION] = N_("population register"),
    [RESIDENCE_FOREIGNERS] = N_("foreigners' register"),
    [RESIDENCE_OTHER] = N_("other (waiting register, none ...)"),
};

#define RESIDENCE_COUNT ((int)(sizeof residence_codes / sizeof residence_codes[0]))

/* The cross-field messages name two values, so they cannot be static
 * strings; person_check_field hands out this buffer instead (one thread
 * validates, and the next call overwrites it). */
static char cross_msg[256];

/* Trim and check a free text field; required ones must not be empty.
 * Multi-line allows newlines and tabs (notes). */
static bool check_text(char *s, bool required, bool multiline, const char **msg,
                       const char *empty_msg, const char *bad_msg)
{
	char buf[1024];
	size_t n;

	text_trim(s);
	if (!*s) {
		if (required) {
			*msg = empty_msg;
			return false;
		}
		return true;
	}
	n = strlen(s);
	if (n >= sizeof buf) {
		*msg = bad_msg;
		return false;
	}
	for (size_t i = 0; i <= n; i++)
		buf[i] = multiline && (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') ? ' ' : s[i];
	if (!text_valid(buf)) {
		*msg = bad_msg;
		return false;
	}
	return true;
}

/* The INSZ of p parsed, if p has a valid one. */
static bool person_insz(const struct person *p, struct insz *n)
{
	return p->insz[0] && insz_parse(p->insz, n) == INSZ_OK;
}

static bool insz_full_date(const struct insz *n)
{
	return n->year && n->month && n->day;
}

/* Fill an empty birth date and sex from a valid INSZ that knows them. */
static void fill_from_insz(struct person *p, const struct insz *n)
{
	if (!p->birth_date[0] && insz_full_date(n)) {
		struct date d = {n->year, n->month, n->day};
		date_format_iso(d, p->birth_date);
	}
	if (!p->sex[0] && n->sex) {
		p->sex[0] = n->sex;
		p->sex[1] = '\0';
	}
}

/* What the INSZ says of the birth date, the Belgian way, as far as it is
 * known: "30/07/1985", "07/1985" or "1985". */
static void insz_date_text(const struct insz *n, char *out, size_t size)
{
	if (insz_full_date(n))
		snprintf(out, size, "%02d/%02d/%04d", n->day, n->month, n->year);
	else if (n->month)
		snprintf(out, size, "%02d/%04d", n->month, n->year);
	else
		snprintf(out, size, "%04d", n->year);
}

/* Birth date against the INSZ: only the parts the INSZ knows must agree. */
static bool cross_birth_date(const struct person *p, const char **msg)
{
	struct insz n;
	struct date d;
	char given[11], known[16];

	if (!person_insz(p, &n) || !n.year || !p->birth_date[0] || !date_parse(p->birth_date, &d))
		return true;
	if (d.year == n.year && (!n.month || d.month == n.month) && (!n.day || d.day == n.day))
		return true;
	date_format_be(d, given);
	insz_date_text(&n, known, sizeof known);
	snprintf(cross_msg, sizeof cross_msg,
	         _("Birth date %s does not match the INSZ, which gives %s."), given, known);
	*msg = cross_msg;
	return false;
}

/* Sex against the INSZ serial (odd for men, even for women). */
static bool cross_sex(const struct person *p, const char **msg)
{
	struct insz n;

	if (!person_insz(p, &n) || !n.sex || !p->sex[0] ||
	    tolower((unsigned char)p->sex[0]) == n.sex)
		return true;
	*msg = n.sex == 'm'
	           ? _("Sex is female, but the INSZ serial number is odd, which gives male.")
	           : _("Sex is male, but the INSZ serial number is even, which gives female.");
	return false;
}

static bool check_insz(struct person *p, const char **msg)
{
	struct insz n;
	enum insz_error e;

	text_trim(p->insz);
	if (!p->insz[0])
		return true; /* not known yet: registered now, merged later */
	e = insz_parse(p->insz, &n);
	if (e != INSZ_OK) {
		*msg = insz_strerror(e);
		return false;
	}
	memcpy(p->insz, n.digits, sizeof p->insz);
	fill_from_insz(p, &n);
	return true;
}

/*
 * The birth date is required unless the INSZ stands for it: a full date in
 * the INSZ fills an empty field; an INSZ with an unknown date (month 00, or
 * 00.00.01) is the register saying nobody knows it, so the field may stay
 * empty then too.
 */
static bool check_birth_date(struct person *p, const char **msg)
{
	struct insz n;
	struct date d;
	bool have_insz = person_insz(p, &n);

	text_trim(p->birth_date);
	if (!p->birth_date[0]) {
		if (have_insz)
			fill_from_insz(p, &n);
		if (p->birth_date[0] || (have_insz && !insz_full_date(&n)))
			return true;
		*msg = _("Birth date is required (or an INSZ that gives it).");
		return false;
	}
	if (!date_parse(p->birth_date, &d)) {
		*msg = _("Birth date: not a real date (use DD/MM/YYYY).");
		return false;
	}
	if (date_compare(d, date_today()) > 0) {
		*msg = _("Birth date: the date is in the future.");
		return false;
	}
	date_format_iso(d, p->birth_date);
	return true;
}

static bool check_sex(struct person *p, const char **msg)
{
	struct insz n;

	text_trim(p->sex);
	p->sex[0] = (char)tolower((unsigned char)p->sex[0]);
	if (!p->sex[0]) {
		if (person_insz(p, &n))
			fill_from_insz(p, &n);
		return true;
	}
	if ((p->sex[0] != 'm' && p->sex[0] != 'f') || p->sex[1]) {
		*msg = _("Sex: m or f (or leave empty if unknown).");
		return false;
	}
	return true;
}

static bool check_language(struct person *p, const char **msg)
{
	text_trim(p->language);
	for (char *c = p->language; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (strcmp(p->language, "nl") && strcmp(p->language, "fr") && strcmp(p->language, "de")) {
		*msg = _("Language: nl, fr or de.");
		return false;
	}
	return true;
}

static bool check_nationality(struct person *p, const char **msg)
{
	text_trim(p->nationality);
	if (!p->nationality[0])
		return true;
	if (!isalpha((unsigned char)p->nationality[0]) ||
	    !isalpha((unsigned char)p->nationality[1]) || p->nationality[2]) {
		*msg = _("Nationality: a two-letter country code, e.g. BE.");
		return false;
	}
	p->nationality[0] = (char)toupper((unsigned char)p->nationality[0]);
	p->nationality[1] = (char)toupper((unsigned char)p->nationality[1]);
	return true;
}

static bool check_postcode(struct person *p, const char **msg)
{
	int code;
	const char *town;

	text_trim(p->postcode);
	if (!p->postcode[0])
		return true;
	if (!postcode_parse(p->postcode, &code)) {
		*msg = _("Postcode: four digits, a Belgian postcode (1000-9999).");
		return false;
	}
	snprintf(p->postcode, sizeof p->postcode, "%04d", code);
	text_trim(p->municipality);
	town = postcode_municipality(code);
	if (!p->municipality[0] && town)
		snprintf(p->municipality, sizeof p->municipality, "%s", town);
	return true;
}

static bool check_phone(char *phone, size_t size, const char **msg, const char *bad)
{
	char out[24];

	text_trim(phone);
	if (!*phone)
		return true;
	if (!phone_normalise(phone, out, sizeof out) || strlen(out) >= size) {
		*msg = bad;
		return false;
	}
	memcpy(phone, out, strlen(out) + 1);
	return true;
}

static bool check_email(struct person *p, const char **msg)
{
	text_trim(p->email);
	if (p->email[0] && !email_valid(p->email)) {
		*msg = _("E-mail: not an address of the form name@example.be.");
		return false;
	}
	return true;
}

/* One field's own rules; the rules between fields are left to the caller. */
static bool check_one(struct person *p, enum person_field f, const char **msg)
{
	switch (f) {
	case PERSON_F_NONE:
		return true;
	case PERSON_F_INSZ:
		return check_insz(p, msg);
	case PERSON_F_FAMILY_NAME:
		return check_text(p->family_name, true, false, msg, _("Family name is required."),
		                  _("Family name: invalid characters."));
	case PERSON_F_GIVEN_NAME:
		return check_text(p->given_name, true, false, msg, _("Given name is required."),
		                  _("Given name: invalid characters."));
	case PERSON_F_BIRTH_DATE:
		return check_birth_date(p, msg);
	case PERSON_F_SEX:
		return check_sex(p, msg);
	case PERSON_F_LANGUAGE:
		return check_language(p, msg);
	case PERSON_F_NATIONALITY:
		return check_nationality(p, msg);
	case PERSON_F_RESIDENCE:
		if ((int)p->residence < 0 || (int)p->residence >= RESIDENCE_COUNT) {
			*msg = _("Residence: choose a residence status.");
			return false;
		}
		return true;
	case PERSON_F_STREET:
		return check_text(p->street, false, false, msg, NULL,
		                  _("Street: invalid characters."));
	case PERSON_F_POSTCODE:
		return check_postcode(p, msg);
	case PERSON_F_MUNICIPALITY:
		return check_text(p->municipality, false, false, msg, NULL,
		                  _("Municipality: invalid characters."));
	case PERSON_F_PHONE:
		return check_phone(p->phone, sizeof p->phone, msg,
		                   _("Phone: not a phone number (e.g. 0470 12 34 56)."));
	case PERSON_F_EMAIL:
		return check_email(p, msg);
	case PERSON_F_CONTACT_NAME:
		return check_text(p->contact_name, false, false, msg, NULL,
		                  _("Contact person: invalid characters."));
	case PERSON_F_CONTACT_PHONE:
		return check_phone(p->contact_phone, sizeof p->contact_phone, msg,
		                   _("Contact phone: not a phone number (e.g. 0470 12 34 56)."));
	case PERSON_F_CONTACT_RELATION:
		return check_text(p->contact_relation, false, false, msg, NULL,
		                  _("Relation: invalid characters."));
	case PERSON_F_NOTES:
		return check_text(p->notes, false, true, msg, NULL,
		                  _("Notes: invalid characters."));
	}
	*msg = _("Unknown field.");
	return false;
}

/* Check and normalise one field; leaving the INSZ, birth date or sex field
 * also checks it against the others, so a mismatch shows at once. */
bool person_check_field(struct person *p, enum person_field f, const char **msg)
{
	if (!check_one(p, f, msg))
		return false;
	if (f == PERSON_F_INSZ || f == PERSON_F_BIRTH_DATE)
		if (!cross_birth_date(p, msg))
			return false;
	if (f == PERSON_F_INSZ || f == PERSON_F_SEX)
		if (!cross_sex(p, msg))
			return false;
	return true;
}

/* Every field in form order, then the rules between fields: a mismatch is
 * reported on the birth date or sex field, with both values named. */
bool person_validate(struct person *p, enum person_field *field, char *msgbuf, unsigned size)
{
	const char *msg = NULL;
	enum person_field f;

	for (f = PERSON_F_INSZ; f <= PERSON_F_NOTES; f++)
		if (!check_one(p, f, &msg))
			goto fail;
	f = PERSON_F_BIRTH_DATE;
	if (!cross_birth_date(p, &msg))
		goto fail;
	f = PERSON_F_SEX;
	if (!cross_sex(p, &msg))
		goto fail;
	*field = PERSON_F_NONE;
	if (size)
		msgbuf[0] = '\0';
	return true;
fail:
	*field = f;
	if (size)
		snprintf(msgbuf, size, "%s", msg);
	return false;
}

/* Since a 2007 Constitutional Court ruling the allowances are for people in
 * the population register (domain.md); nationality conditions are 1.5% of
 * refusals, so the desk warns before the person waits months for a no. */
const char *person_eligibility_warning(const struct person *p)
{
	if (p->residence != RESIDENCE_FOREIGNERS && p->residence != RESIDENCE_OTHER)
		return NULL;
	return _("Since 2007 the disability allowances are for people in the population "
	         "register (or who received increased child benefit until 21): this "
	         "application may be refused on nationality conditions.");
}

/* Translated name of a residence status (static). */
const char *person_residence_name(enum residence r)
{
	if ((int)r < 0 || (int)r >= RESIDENCE_COUNT)
		r = RESIDENCE_UNKNOWN;
	return _(residence_names[r]);
}

/* Stable code of a residence status ("" when unknown). */
const char *person_residence_code(enum residence r)
{
	if ((int)r < 0 || (int)r >= RESIDENCE_COUNT)
		return "";
	return residence_codes[r];
}

/* Residence status of a stable code, RESIDENCE_UNKNOWN if unknown. */
enum residence person_residence_parse(const char *code)
{
	if (!code)
		return RESIDENCE_UNKNOWN;
	for (int r = RESIDENCE_UNKNOWN + 1; r < RESIDENCE_COUNT; r++)
		if (strcmp(code, residence_codes[r]) == 0)
			return (enum residence)r;
	return RESIDENCE_UNKNOWN;
}

/* "Family, Given" (or just the name that is there) into out. */
void person_display_name(const struct person *p, char *out, unsigned size)
{
	if (!size)
		return;
	if (p->family_name[0] && p->given_name[0])
		snprintf(out, size, "%s, %s", p->family_name, p->given_name);
	else
		snprintf(out, size, "%s", p->family_name[0] ? p->family_name : p->given_name);
}
