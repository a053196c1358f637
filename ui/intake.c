/* intake.c: the intake form (ncurses form library): a new person and their
 * application in one flow, a new application for a known person, or editing
 * a person.  Fields are checked when left and on save; a failed check puts
 * the message in the status line and the cursor on the field, and never
 * touches what was typed. */
#include "autoconf.h"

#include "ui/intake.h"

#include <form.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "db/search.h"
#include "src/application.h"
#include "src/date.h"
#include "src/i18n.h"
#include "src/insz.h"
#include "src/person.h"
#include "src/session.h"
#include "src/text.h"
#include "ui/status.h"
#include "ui/theme.h"
#include "ui/widget.h"

#define LABEL_X  2
#define FIELD_X  25
#define MAX_DUPS 8

enum fid {
	F_INSZ,
	F_FAMILY,
	F_GIVEN,
	F_BIRTH,
	F_SEX,
	F_LANGUAGE,
	F_NATIONALITY,
	F_RESIDENCE,
	F_STREET,
	F_POSTCODE,
	F_MUNICIPALITY,
	F_PHONE,
	F_EMAIL,
	F_CONTACT_NAME,
	F_CONTACT_PHONE,
	F_CONTACT_RELATION,
	F_NOTES,
	F_KIND,
	F_PROCEDURE,
	F_RECEIVED,
	F_PROBLEM,
	F_APP_NOTES,
	F_COUNT
};

enum choice { CH_NONE = 0, CH_SEX, CH_LANGUAGE, CH_RESIDENCE, CH_KIND, CH_PROCEDURE, CH_PROBLEM };

struct fdef {
	const char *label; /* N_() */
	bool required;
	int width; /* columns on screen */
	/* characters; 0 = width (static field).  Text fields take at least as
	 * many characters as their value has bytes, so that an over-long value
	 * is kept and refused with a message rather than cut while typing. */
	int max;
	enum person_field pf; /* PERSON_F_NONE for the application's fields */
	enum choice choice;
	bool app; /* on the application page */
};

static const struct fdef defs[F_COUNT] = {
    [F_INSZ] = {N_("INSZ (national no.)"), false, 15, 30, PERSON_F_INSZ, CH_NONE, false},
    [F_FAMILY] = {N_("Family name"), true, 40, 128, PERSON_F_FAMILY_NAME, CH_NONE, false},
    [F_GIVEN] = {N_("Given name"), true, 40, 128, PERSON_F_GIVEN_NAME, CH_NONE, false},
    [F_BIRTH] = {N_("Birth date"), false, 10, 20, PERSON_F_BIRTH_DATE, CH_NONE, false},
    [F_SEX] = {N_("Sex"), false, 24, 0, PERSON_F_SEX, CH_SEX, false},
    [F_LANGUAGE] = {N_("Language"), true, 24, 0, PERSON_F_LANGUAGE, CH_LANGUAGE, false},
    [F_NATIONALITY] = {N_("Nationality (BE..)"), false, 4, 10, PERSON_F_NATIONALITY, CH_NONE,
                       false},
    [F_RESIDENCE] = {N_("Residence status"), false, 40, 0, PERSON_F_RESIDENCE, CH_RESIDENCE, false},
    [F_STREET] = {N_("Street and number"), false, 45, 128, PERSON_F_STREET, CH_NONE, false},
    [F_POSTCODE] = {N_("Postcode"), false, 6, 10, PERSON_F_POSTCODE, CH_NONE, false},
    [F_MUNICIPALITY] = {N_("Municipality"), false, 35, 64, PERSON_F_MUNICIPALITY, CH_NONE, false},
    [F_PHONE] = {N_("Phone"), false, 20, 30, PERSON_F_PHONE, CH_NONE, false},
    [F_EMAIL] = {N_("E-mail"), false, 45, 128, PERSON_F_EMAIL, CH_NONE, false},
    [F_CONTACT_NAME] = {N_("Contact person"), false, 40, 128, PERSON_F_CONTACT_NAME, CH_NONE,
                        false},
    [F_CONTACT_PHONE] = {N_("Contact's phone"), false, 20, 30, PERSON_F_CONTACT_PHONE, CH_NONE,
                         false},
    [F_CONTACT_RELATION] = {N_("Contact's relation"), false, 30, 64, PERSON_F_CONTACT_RELATION,
                            CH_NONE, false},
    [F_NOTES] = {N_("Notes"), false, 50, 1023, PERSON_F_NOTES, CH_NONE, false},
    [F_KIND] = {N_("Kind"), true, 54, 0, PERSON_F_NONE, CH_KIND, true},
    [F_PROCEDURE] = {N_("New or revision"), true, 54, 0, PERSON_F_NONE, CH_PROCEDURE, true},
    [F_RECEIVED] = {N_("Received on"), true, 10, 20, PERSON_F_NONE, CH_NONE, true},
    [F_PROBLEM] = {N_("Primary problem"), true, 54, 0, PERSON_F_NONE, CH_PROBLEM, true},
    [F_APP_NOTES] = {N_("Notes"), false, 50, 512, PERSON_F_NONE, CH_NONE, true},
};

/* What a confirm box is asking. */
enum ask {
	ASK_DISCARD_BACK = 1,
	ASK_DISCARD_QUIT,
	ASK_DUPLICATE,
	ASK_ELIGIBILITY,
	ASK_INSZ1,
	ASK_INSZ2
};

/* The steps of saving; a confirm box resumes at the step after it. */
enum step { STEP_CHECK = 0, STEP_DUPLICATES, STEP_ELIGIBILITY, STEP_INSZ, STEP_WRITE };

struct intake {
	enum ui_intake_mode mode;
	struct person p;    /* the values, as far as read from the form */
	struct person orig; /* EDIT, ADD_APP: the person as opened */
	struct application app;
	FIELD *fields[F_COUNT + 1];
	enum fid fid[F_COUNT]; /* field index -> its definition */
	int nfields;
	int choice[F_COUNT]; /* current option of a choice field */
	FORM *form;
	WINDOW *win, *sub;
	bool posted;
	bool edited; /* something typed since opening */
	struct ui_confirm confirm;
	char dups[MAX_DUPS][37];
	int ndups;
	bool dup_save_ok; /* "save anyway" offered */
	int height;
};

static const struct ui_help_entry intake_keys[] = {
    {UI_ACT_CHAR, N_("type into the field (any characters, accents too)"), NULL},
    {UI_ACT_NEXT_FIELD, N_("check the field, go to the next one"), NULL},
    {UI_ACT_OPEN, N_("check the field, go to the next one; in a question: yes"), NULL},
    {UI_ACT_DOWN, N_("next field"), NULL},
    {UI_ACT_PREV_FIELD, N_("previous field"), NULL},
    {UI_ACT_UP, N_("previous field"), NULL},
    {UI_ACT_PAGE_DOWN, N_("next page (person / application)"), N_("Page")},
    {UI_ACT_PAGE_UP, N_("previous page"), NULL},
    {UI_ACT_LEFT, N_("cursor left; in a choice: previous option"), NULL},
    {UI_ACT_RIGHT, N_("cursor right; in a choice: next option"), NULL},
    {UI_ACT_TOGGLE, N_("in a choice: next option (typing a letter jumps to it)"), NULL},
    {UI_ACT_HOME, N_("start of the field"), NULL},
    {UI_ACT_END, N_("end of the field"), NULL},
    {UI_ACT_BACKSPACE, NULL, NULL},
    {UI_ACT_DELETE, NULL, NULL},
    {UI_ACT_CLEAR, NULL, NULL},
    {UI_ACT_SAVE, N_("check everything and save"), N_("Save")},
    {UI_ACT_BACK, N_("leave the form (asks first if something was typed); in a question: no"),
     N_("Back")},
    {UI_ACT_HELP, NULL, N_("Help")},
    {UI_ACT_REDRAW, NULL, NULL},
    {UI_ACT_QUIT, N_("quit handesk (asks first if something was typed)"), N_("Quit")},
    {UI_ACT_NONE, NULL, NULL},
};

/* --- choices --- */

static const char *const languages[] = {"nl", "fr", "de"};
static const char *const sexes[] = {"", "m", "f"};

static int choice_count(enum choice c)
{
	switch (c) {
	case CH_SEX:
		return 3;
	case CH_LANGUAGE:
		return 3;
	case CH_RESIDENCE:
		return RESIDENCE_OTHER + 1;
	case CH_KIND:
		return APP_KIND_COUNT;
	case CH_PROCEDURE:
		return APP_PROC_REVISION_EX_OFFICIO;
	case CH_PROBLEM:
		return APP_PROBLEM_COUNT;
	default:
		return 0;
	}
}

static const char *choice_name(enum choice c, int i)
{
	switch (c) {
	case CH_SEX:
		return i == 1 ? _("male") : i == 2 ? _("female") : _("not given");
	case CH_LANGUAGE:
		return i == 1 ? _("French") : i == 2 ? _("German") : _("Dutch");
	case CH_RESIDENCE:
		return i == RESIDENCE_UNKNOWN ? _("not known yet")
		                              : person_residence_name((enum residence)i);
	case CH_KIND:
		return i == 0 ? _("(choose)") : application_kind_name((enum app_kind)i);
	case CH_PROCEDURE:
		return application_procedure_name((enum app_procedure)(i + 1));
	case CH_PROBLEM:
		return i == 0 ? _("(choose)") : application_problem_name((enum app_problem)i);
	default:
		return "";
	}
}

static int fid_index(const struct intake *in, enum fid f)
{
	for (int i = 0; i < in->nfields; i++)
		if (in->fid[i] == f)
			return i;
	return -1;
}

static FIELD *field_of(const struct intake *in, enum fid f)
{
	int i = fid_index(in, f);
	return i < 0 ? NULL : in->fields[i];
}

static enum fid current_fid(const struct intake *in)
{
	FIELD *f = current_field(in->form);
	for (int k = 0; k < in->nfields; k++)
		if (in->fields[k] == f)
			return in->fid[k];
	return F_INSZ;
}

static void show_choice(struct intake *in, enum fid f)
{
	FIELD *fl = field_of(in, f);
	char buf[256];

	if (!fl)
		return;
	snprintf(buf, sizeof buf, "< %s >", choice_name(defs[f].choice, in->choice[f]));
	set_field_buffer(fl, 0, buf);
}

/* --- values between the form and the structs --- */

static void set_text(struct intake *in, enum fid f, const char *text)
{
	FIELD *fl = field_of(in, f);
	if (fl)
		set_field_buffer(fl, 0, text ? text : "");
}

/* The field's text, blanks trimmed; false if it does not fit size bytes. */
static bool get_text(struct intake *in, enum fid f, char *out, size_t size)
{
	FIELD *fl = field_of(in, f);
	char *buf;
	size_t n;

	*out = '\0';
	if (!fl || !(buf = field_buffer(fl, 0)))
		return true;
	while (*buf == ' ')
		buf++;
	n = strlen(buf);
	while (n && buf[n - 1] == ' ')
		n--;
	if (n >= size)
		return false;
	memcpy(out, buf, n);
	out[n] = '\0';
	return true;
}

static char *person_text(struct person *p, enum fid f, size_t *size)
{
#define T(m) (*size = sizeof p->m, p->m)
	switch (f) {
	case F_FAMILY:
		return T(family_name);
	case F_GIVEN:
		return T(given_name);
	case F_BIRTH:
		return T(birth_date);
	case F_NATIONALITY:
		return T(nationality);
	case F_STREET:
		return T(street);
	case F_POSTCODE:
		return T(postcode);
	case F_MUNICIPALITY:
		return T(municipality);
	case F_PHONE:
		return T(phone);
	case F_EMAIL:
		return T(email);
	case F_CONTACT_NAME:
		return T(contact_name);
	case F_CONTACT_PHONE:
		return T(contact_phone);
	case F_CONTACT_RELATION:
		return T(contact_relation);
	case F_NOTES:
		return T(notes);
	default:
		return NULL;
	}
#undef T
}

/* An INSZ as typed (separators allowed) to its digits; a message if it
 * cannot be one. */
static bool insz_from_text(const char *text, char digits[12], const char **msg)
{
	int n = 0;

	for (const char *c = text; *c; c++) {
		if (*c >= '0' && *c <= '9') {
			if (n == 11) {
				*msg = insz_strerror(INSZ_ERR_LENGTH);
				return false;
			}
			digits[n++] = *c;
		} else if (!strchr(" .-/", *c)) {
			*msg = insz_strerror(INSZ_ERR_CHARS);
			return false;
		}
	}
	digits[n] = '\0';
	return true;
}

/* Why a value too long for its field is refused: where the field has a
 * shape, the words of its check (the core's name the field already). */
static const char *too_long_msg(enum fid f)
{
	switch (f) {
	case F_BIRTH:
		return _("Birth date: not a real date (use DD/MM/YYYY).");
	case F_POSTCODE:
		return _("Postcode: four digits, a Belgian postcode (1000-9999).");
	case F_NATIONALITY:
		return _("Nationality: a two-letter country code, e.g. BE.");
	case F_RECEIVED:
		return _("not a date: use DD/MM/YYYY");
	default:
		return _("too long");
	}
}

/* Whether read_field's message names its field already (the core's). */
static bool read_msg_named(enum fid f, const char *msg)
{
	return msg && f != F_RECEIVED && strcmp(msg, too_long_msg(f)) == 0 &&
	       strcmp(msg, _("too long")) != 0;
}

/* Read one field into the structs (no checking beyond what fits). */
static bool read_field(struct intake *in, enum fid f, const char **msg)
{
	char text[1024];
	size_t size;
	char *dst;

	*msg = NULL;
	if (defs[f].choice) {
		int c = in->choice[f];
		switch (f) {
		case F_SEX:
			snprintf(in->p.sex, sizeof in->p.sex, "%s", sexes[c]);
			break;
		case F_LANGUAGE:
			snprintf(in->p.language, sizeof in->p.language, "%s", languages[c]);
			break;
		case F_RESIDENCE:
			in->p.residence = (enum residence)c;
			break;
		case F_KIND:
			in->app.kind = (enum app_kind)c;
			break;
		case F_PROCEDURE:
			in->app.procedure = (enum app_procedure)(c + 1);
			break;
		case F_PROBLEM:
			in->app.problem = (enum app_problem)c;
			break;
		default:
			break;
		}
		return true;
	}
	if (!get_text(in, f, text, sizeof text)) {
		*msg = _("too long");
		return false;
	}
	if (f == F_INSZ)
		return insz_from_text(text, in->p.insz, msg);
	if (f == F_RECEIVED || f == F_APP_NOTES) {
		dst = f == F_RECEIVED ? in->app.received_on : in->app.notes;
		size = f == F_RECEIVED ? sizeof in->app.received_on : sizeof in->app.notes;
	} else {
		dst = person_text(&in->p, f, &size);
	}
	if (!dst)
		return true;
	if (strlen(text) >= size) {
		*msg = too_long_msg(f);
		return false;
	}
	if (!text_valid(text)) {
		*msg = _("contains characters that cannot be stored");
		return false;
	}
	memcpy(dst, text, strlen(text) + 1);
	return true;
}

/* Show the struct's (normalised) value of a field in the form. */
static void show_field(struct intake *in, enum fid f)
{
	char buf[32];
	struct date d;
	size_t size;

	if (defs[f].choice) {
		show_choice(in, f);
		return;
	}
	switch (f) {
	case F_INSZ: {
		struct insz n;
		if (*in->p.insz && insz_parse(in->p.insz, &n) == INSZ_OK) {
			insz_format(&n, buf);
			set_text(in, f, buf);
		} else {
			set_text(in, f, in->p.insz);
		}
		return;
	}
	case F_BIRTH:
	case F_RECEIVED: {
		const char *iso = f == F_BIRTH ? in->p.birth_date : in->app.received_on;
		if (*iso && date_parse(iso, &d)) {
			date_format_be(d, buf);
			set_text(in, f, buf);
		} else {
			set_text(in, f, iso);
		}
		return;
	}
	case F_APP_NOTES:
		set_text(in, f, in->app.notes);
		return;
	default:
		set_text(in, f, person_text(&in->p, f, &size));
		return;
	}
}

static int choice_of_person(const struct person *p, enum fid f)
{
	switch (f) {
	case F_SEX:
		return strcmp(p->sex, "m") == 0 ? 1 : strcmp(p->sex, "f") == 0 ? 2 : 0;
	case F_LANGUAGE:
		return strcmp(p->language, "fr") == 0 ? 1 : strcmp(p->language, "de") == 0 ? 2 : 0;
	case F_RESIDENCE:
		return (int)p->residence;
	default:
		return 0;
	}
}

/* --- the form --- */

static void goto_field(struct intake *in, enum fid f)
{
	FIELD *fl = field_of(in, f);
	if (fl)
		set_current_field(in->form, fl); /* changes page if need be */
}

/* Bring the current field's buffer up to date with what is on screen. */
static void sync_form(struct intake *in)
{
	if (in->posted)
		form_driver_w(in->form, KEY_CODE_YES, REQ_VALIDATION);
}

static void draw_labels(struct intake *in)
{
	int page = form_page(in->form);
	char head[256], who[300];

	if (!in->win)
		return;
	if (in->mode == UI_INTAKE_NEW)
		snprintf(head, sizeof head,
		         page == 0 ? _("New person (page 1 of 2)  ·  PgDn: application")
		                   : _("New application (page 2 of 2)  ·  PgUp: person"));
	else if (in->mode == UI_INTAKE_EDIT)
		snprintf(head, sizeof head, "%s", _("Edit the person's data"));
	else {
		person_display_name(&in->orig, who, sizeof who);
		snprintf(head, sizeof head, _("New application for %s"), who);
	}
	ui_widget_put(in->win, 0, LABEL_X, COLS - 4, head, ui_theme_attr(UI_FACE_HEADING), false);
	for (int i = 0; i < in->nfields; i++) {
		FIELD *fl = in->fields[i];
		int row, col, h, w, off, nb;
		char label[128];

		if (field_info(fl, &h, &w, &row, &col, &off, &nb) != E_OK)
			continue;
		/* Only this page's labels. */
		if ((in->mode == UI_INTAKE_NEW) && (defs[in->fid[i]].app ? 1 : 0) != page)
			continue;
		snprintf(label, sizeof label, "%s%s", _(defs[in->fid[i]].label),
		         defs[in->fid[i]].required ? " *" : "");
		ui_widget_put(in->win, row, LABEL_X, FIELD_X - LABEL_X - 1, label,
		              ui_theme_attr(UI_FACE_LABEL), true);
	}
}

static void form_init_hook(FORM *f)
{
	struct intake *in = form_userptr(f);
	if (in)
		draw_labels(in);
}

static FIELD *make_field(enum fid f, int row)
{
	const struct fdef *d = &defs[f];
	FIELD *fl = new_field(1, d->width, row, FIELD_X, 0, 0);

	if (!fl)
		return NULL;
	set_field_back(fl, ui_theme_attr(UI_FACE_FIELD));
	/* No O_BLANK (typing at the start would wipe the field), no
	 * O_AUTOSKIP (a full field must not jump away under the fingers). */
	field_opts_off(fl, O_BLANK | O_AUTOSKIP);
	if (d->choice)
		field_opts_off(fl, O_EDIT);
	if (d->max > d->width) {
		field_opts_off(fl, O_STATIC);
		set_max_field(fl, d->max);
	}
	return fl;
}

static void build_fields(struct intake *in)
{
	int row = 1;
	bool person = in->mode != UI_INTAKE_ADD_APP, app = in->mode != UI_INTAKE_EDIT;

	in->nfields = 0;
	for (int f = 0; f < F_COUNT; f++) {
		if (defs[f].app ? !app : !person)
			continue;
		if (f == F_KIND)
			row = 1; /* the application starts its own page */
		FIELD *fl = make_field((enum fid)f, row++);
		if (!fl)
			ui_app_fail("out of memory");
		if (f == F_KIND && person)
			set_new_page(fl, TRUE);
		in->fid[in->nfields] = (enum fid)f;
		in->fields[in->nfields++] = fl;
	}
	in->fields[in->nfields] = NULL;
	in->form = new_form(in->fields);
	if (!in->form)
		ui_app_fail("out of memory");
	set_form_userptr(in->form, in);
	set_form_init(in->form, form_init_hook);
}

static void unpost(struct intake *in)
{
	if (in->posted) {
		sync_form(in);
		unpost_form(in->form);
		in->posted = false;
	}
	if (in->sub)
		delwin(in->sub);
	if (in->win)
		delwin(in->win);
	in->sub = in->win = NULL;
}

static void intake_layout(void *p, struct ui_app *app, int top, int height)
{
	struct intake *in = p;
	(void)app;

	unpost(in);
	in->height = height;
	in->win = newwin(height, COLS, top, 0);
	in->sub = in->win ? derwin(in->win, height, COLS, 0, 0) : NULL;
	if (!in->win || !in->sub)
		ui_app_fail("out of memory");
	wbkgdset(in->win, (chtype)ui_theme_attr(UI_FACE_NORMAL) | ' ');
	werase(in->win);
	set_form_win(in->form, in->win);
	set_form_sub(in->form, in->sub);
	if (post_form(in->form) == E_OK)
		in->posted = true;
	else
		ui_status_error("%s", _("the form does not fit in this window"));
}

/* --- checking --- */

static const char *label_of(enum fid f)
{
	return _(defs[f].label);
}

/* Check the field being left.  Empty fields pass here (required ones are
 * enforced on save), so moving around never traps the cursor. */
static bool check_field(struct intake *in, enum fid f)
{
	const char *msg = NULL;
	char text[1024];
	bool own = false;

	sync_form(in);
	if (!read_field(in, f, &msg)) {
		own = !read_msg_named(f, msg);
		goto bad;
	}
	if (!defs[f].choice && get_text(in, f, text, sizeof text) && !*text) {
		if (ui_status_has_error())
			ui_status_clear();
		return true;
	}
	if (f == F_RECEIVED) {
		struct date d;
		if (!date_parse(in->app.received_on, &d)) {
			msg = _("not a date: use DD/MM/YYYY");
			goto bad;
		}
		date_format_iso(d, in->app.received_on);
	} else if (defs[f].pf != PERSON_F_NONE) {
		if (!person_check_field(&in->p, defs[f].pf, &msg))
			goto bad;
	}
	if (f == F_INSZ && *in->p.insz) {
		/* A valid INSZ tells the birth date and sex: the check filled
		 * what was empty. */
		show_field(in, F_BIRTH);
		in->choice[F_SEX] = choice_of_person(&in->p, F_SEX);
		show_choice(in, F_SEX);
	}
	if (f == F_POSTCODE)
		show_field(in, F_MUNICIPALITY); /* the postcode may have filled it */
	show_field(in, f);
	if (ui_status_has_error())
		ui_status_clear();
	return true;
bad:
	/* The core's messages name their field, but for the INSZ's reasons. */
	if (!msg)
		ui_status_error("%s: %s", label_of(f), _("not valid"));
	else if (own || f == F_INSZ || f == F_RECEIVED || !defs[f].pf)
		ui_status_error("%s: %s", label_of(f), msg);
	else
		ui_status_error("%s", msg);
	goto_field(in, f);
	return false;
}

static enum fid fid_of_person_field(enum person_field pf)
{
	for (int f = 0; f < F_COUNT; f++)
		if (defs[f].pf == pf && pf != PERSON_F_NONE)
			return (enum fid)f;
	return F_INSZ;
}

/* Read every field; on a field that cannot be read, say so and go there. */
static bool read_all(struct intake *in)
{
	const char *msg;

	sync_form(in);
	for (int i = 0; i < in->nfields; i++) {
		if (!read_field(in, in->fid[i], &msg)) {
			if (read_msg_named(in->fid[i], msg))
				ui_status_error("%s", msg);
			else
				ui_status_error("%s: %s", label_of(in->fid[i]), msg);
			goto_field(in, in->fid[i]);
			return false;
		}
	}
	return true;
}

/* --- duplicates --- */

static void describe_person(const struct search_hit *h, char *out, size_t size)
{
	char insz[16] = "—", born[11] = "";
	struct insz n;
	struct date d;

	if (*h->insz && insz_parse(h->insz, &n) == INSZ_OK)
		insz_format(&n, insz);
	if (*h->birth_date && date_parse(h->birth_date, &d))
		date_format_be(d, born);
	snprintf(out, size, "%s  %s, %s  %s  %s %s", insz, h->family_name, h->given_name, born,
	         h->postcode, h->municipality);
}

/* Names for the duplicate ids (search does not audit a view; the card will). */
static bool find_hit(struct session *s, const char *query, const char *id, struct search_hit *out)
{
	static struct search_hit hits[100];
	int n = 0;

	if (!*query || db_search_persons(s->cache, query, hits, 100, &n))
		return false;
	for (int i = 0; i < n; i++) {
		if (strcmp(hits[i].person_id, id) == 0) {
			*out = hits[i];
			return true;
		}
	}
	return false;
}

static bool ask_duplicates(struct intake *in, struct session *s)
{
	char text[1024] = "", line[600], names[300];
	struct search_hit h;
	size_t len = 0;

	in->ndups = 0;
	if (session_find_duplicates(s, &in->p, in->dups, MAX_DUPS, &in->ndups) || !in->ndups)
		return false;
	in->dup_save_ok = true;
	snprintf(names, sizeof names, "%s %s", in->p.family_name, in->p.given_name);
	for (int i = 0; i < in->ndups && i < 5; i++) {
		if (find_hit(s, in->p.insz, in->dups[i], &h) ||
		    find_hit(s, names, in->dups[i], &h)) {
			describe_person(&h, line, sizeof line);
			if (*in->p.insz && strcmp(h.insz, in->p.insz) == 0)
				in->dup_save_ok = false;
		} else {
			snprintf(line, sizeof line, "%s",
			         _("(a person registered with the same data)"));
			if (*in->p.insz)
				in->dup_save_ok = false;
		}
		len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", i ? "\n" : "", line);
		if (len >= sizeof text)
			break;
	}
	if (len < sizeof text)
		snprintf(
		    text + len, sizeof text - len, "\n\n%s",
		    in->dup_save_ok
		        ? (*in->p.insz
		               ? _("F2: save as a new person anyway (the INSZ differs).")
		               : _("F2: save as a new person anyway (if this is someone else)."))
		        : _("The same INSZ is registered: open that person instead."));
	ui_confirm_open(&in->confirm, ASK_DUPLICATE,
	                ngettext("This person may already be registered:",
	                         "These persons may already be registered:", in->ndups),
	                text, _("Enter: open the existing person"), _("Esc: back to the form"));
	return true;
}

/* --- saving --- */

static void go_to_app_error(struct intake *in)
{
	if (in->app.kind == APP_KIND_NONE)
		goto_field(in, F_KIND);
	else if (in->app.problem == APP_PROBLEM_NONE)
		goto_field(in, F_PROBLEM);
	else
		goto_field(in, F_RECEIVED);
}

static void save(struct intake *in, struct ui_app *app, enum step from)
{
	struct session *s = ui_app_session(app);
	enum person_field pf = PERSON_F_NONE;
	char msg[512], *cause = NULL, name[300], text[600];
	const char *amsg = NULL;
	bool person = in->mode != UI_INTAKE_ADD_APP, appl = in->mode != UI_INTAKE_EDIT;
	bool wrote = true; /* false: an edit that changed nothing */
	enum rc rc;

	if (!read_all(in))
		return;
	if (person) {
		/* Required fields first, in the order of the form. */
		if (!*in->p.family_name || !*in->p.given_name) {
			enum fid f = !*in->p.family_name ? F_FAMILY : F_GIVEN;
			ui_status_error(_("%s: required"), label_of(f));
			goto_field(in, f);
			return;
		}
		if (!person_validate(&in->p, &pf, msg, sizeof msg)) {
			ui_status_error("%s", msg);
			goto_field(in, fid_of_person_field(pf));
			return;
		}
		for (int f = 0; f <= F_NOTES; f++)
			show_field(in, (enum fid)f); /* normalised */
	}
	if (appl) {
		if (in->app.kind == APP_KIND_NONE || in->app.problem == APP_PROBLEM_NONE) {
			enum fid f = in->app.kind == APP_KIND_NONE ? F_KIND : F_PROBLEM;
			ui_status_error(_("%s: required"), label_of(f));
			goto_field(in, f);
			return;
		}
		if (!application_validate(&in->app, &amsg)) {
			ui_status_error("%s", amsg ? amsg : _("the application is not complete"));
			go_to_app_error(in);
			return;
		}
		show_field(in, F_RECEIVED);
	}
	if (from <= STEP_DUPLICATES && in->mode == UI_INTAKE_NEW && ask_duplicates(in, s))
		return;
	if (from <= STEP_ELIGIBILITY) {
		const struct person *who = in->mode == UI_INTAKE_ADD_APP ? &in->orig : &in->p;
		const char *warn = person_eligibility_warning(who);
		bool changed = in->mode != UI_INTAKE_EDIT || in->p.residence != in->orig.residence;
		if (warn && changed) {
			snprintf(text, sizeof text, "%s", warn);
			ui_confirm_open(&in->confirm, ASK_ELIGIBILITY, _("Eligibility"), text,
			                _("Enter: save anyway"), _("Esc: back to the form"));
			return;
		}
	}
	if (from <= STEP_INSZ && in->mode == UI_INTAKE_EDIT && *in->orig.insz &&
	    strcmp(in->orig.insz, in->p.insz) != 0) {
		char was[16] = "", now[16] = "";
		struct insz n;
		/* Ask only those who may: the core refuses the others anyway. */
		if (session_require(s, PERM_INSZ_CHANGE, &cause)) {
			ui_status_error("%s", cause ? cause : _("not allowed for your role"));
			free(cause);
			goto_field(in, F_INSZ);
			return;
		}
		if (insz_parse(in->orig.insz, &n) == INSZ_OK)
			insz_format(&n, was);
		if (*in->p.insz && insz_parse(in->p.insz, &n) == INSZ_OK)
			insz_format(&n, now);
		snprintf(text, sizeof text,
		         _("The national register number %s is known for this person.\n"
		           "You are changing it to %s.\n"
		           "Only do this with the identity document in front of you."),
		         was, *now ? now : _("(none)"));
		ui_confirm_open(&in->confirm, ASK_INSZ1, _("Change a known INSZ?"), text,
		                _("Enter: continue"), _("Esc: keep the INSZ"));
		return;
	}

	if (in->mode == UI_INTAKE_NEW)
		rc = session_intake(s, &in->p, &in->app, &pf, &cause);
	else if (in->mode == UI_INTAKE_ADD_APP)
		rc = session_add_application(s, in->orig.meta.id, &in->app, &cause);
	else
		rc = session_update_person(s, &in->p, &pf, &wrote, &cause);
	if (rc) {
		switch (rc) {
		case RC_INVALID:
			if (pf != PERSON_F_NONE)
				goto_field(in, fid_of_person_field(pf));
			else if (appl)
				go_to_app_error(in);
			ui_status_error("%s", cause ? cause : _("not valid"));
			break;
		case RC_CONFLICT:
			ui_status_error("%s",
			                _("someone else changed this person meanwhile: "
			                  "note your changes, press Esc and open the card again"));
			break;
		default:
			/* RC_DENIED and the rest: the reason, as the core words it. */
			ui_status_error("%s", cause ? cause : _("could not save"));
			break;
		}
		free(cause);
		return;
	}
	free(cause);
	if (!wrote) {
		/* Nothing was written: the form stays as it is. */
		ui_status_info("%s", _("No changes to save."));
		return;
	}
	in->edited = false;
	person_display_name(in->mode == UI_INTAKE_ADD_APP ? &in->orig : &in->p, name, sizeof name);
	ui_status_info(_("Saved: %s"), name);
	/* An edit or a new application goes back to the card it came from,
	 * which reads the person again without auditing a second view. */
	if (in->mode == UI_INTAKE_NEW)
		ui_app_open_card(app, in->p.meta.id);
	else
		ui_app_pop(app);
}

/* --- the screen --- */

static void prefill(struct intake *in, const char *text)
{
	char buf[256], *save = NULL, *w;
	size_t fl = 0, gl = 0;
	struct date d;

	if (!text || !*text)
		return;
	if (insz_looks_like(text))
		return; /* shown as typed by init */
	snprintf(buf, sizeof buf, "%s", text);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (date_parse(w, &d)) {
			date_format_iso(d, in->p.birth_date);
			continue;
		}
		if (!fl) {
			fl = (size_t)snprintf(in->p.family_name, sizeof in->p.family_name, "%s", w);
		} else if (gl < sizeof in->p.given_name) {
			gl += (size_t)snprintf(in->p.given_name + gl, sizeof in->p.given_name - gl,
			                       "%s%s", gl ? " " : "", w);
		}
	}
}

static void *intake_init(struct ui_app *app, const struct ui_screen_arg *arg)
{
	struct intake *in = ui_app_xcalloc(1, sizeof *in);
	struct session *s = ui_app_session(app);
	struct date today = date_today();

	in->mode = (enum ui_intake_mode)arg->mode;
	if (in->mode != UI_INTAKE_NEW && !arg->person) {
		free(in);
		return NULL;
	}
	if (arg->person) {
		in->orig = *arg->person;
		in->p = *arg->person;
	}
	if (in->mode == UI_INTAKE_NEW) {
		snprintf(in->p.language, sizeof in->p.language, "%s",
		         strcmp(s->centre.language, "fr") == 0   ? "fr"
		         : strcmp(s->centre.language, "de") == 0 ? "de"
		                                                 : "nl");
	}
	in->app.procedure = APP_PROC_NEW;
	date_format_iso(today, in->app.received_on);
	build_fields(in);
	if (in->mode == UI_INTAKE_NEW)
		prefill(in, arg->text);
	for (int f = 0; f < F_COUNT; f++)
		in->choice[f] = choice_of_person(&in->p, (enum fid)f);
	in->choice[F_PROCEDURE] = 0;
	for (int i = 0; i < in->nfields; i++)
		show_field(in, in->fid[i]);
	if (in->mode == UI_INTAKE_NEW && arg->text && insz_looks_like(arg->text))
		set_text(in, F_INSZ, arg->text);
	/* Start where the typing starts. */
	if (in->mode == UI_INTAKE_NEW && *in->p.family_name && !*in->p.given_name)
		goto_field(in, F_GIVEN);
	else if (in->mode == UI_INTAKE_NEW && *in->p.family_name)
		goto_field(in, F_BIRTH);
	return in;
}

static bool intake_draw(void *p, struct ui_app *app, int top, int height)
{
	(void)p;
	(void)app;
	(void)top;
	(void)height;
	return false; /* everything is in the form's window, see overlay */
}

/* The parts of the form window that change as one types: the current
 * field marker, the documents checklist, the eligibility note, a hint. */
static void draw_dynamic(struct intake *in)
{
	enum fid cur = current_fid(in);
	int page = form_page(in->form), h = in->height, row = 0;
	char buf[512];

	for (int y = 1; y < h; y++)
		mvwaddstr(in->win, y, 0, "  ");
	for (int i = 0; i < in->nfields; i++) {
		int fh, fw, frow, fcol, off, nb;
		if (in->fid[i] == cur &&
		    field_info(in->fields[i], &fh, &fw, &frow, &fcol, &off, &nb) == E_OK)
			ui_widget_put(in->win, frow, 0, 1, ">", A_BOLD, false);
	}
	/* Rows below the last field are ours. */
	for (int i = 0; i < in->nfields; i++) {
		int fh, fw, frow, fcol, off, nb;
		bool on_page = in->mode != UI_INTAKE_NEW || (defs[in->fid[i]].app ? 1 : 0) == page;
		if (on_page &&
		    field_info(in->fields[i], &fh, &fw, &frow, &fcol, &off, &nb) == E_OK &&
		    frow > row)
			row = frow;
	}
	for (int y = row + 1; y < h; y++) {
		wmove(in->win, y, 0);
		wclrtoeol(in->win);
	}
	row += 2;
	bool app_page = in->mode == UI_INTAKE_ADD_APP || (in->mode == UI_INTAKE_NEW && page == 1);
	if (app_page && row < h - 1) {
		enum app_kind k = (enum app_kind)in->choice[F_KIND];
		const char *const *docs = k ? application_checklist(k) : NULL;
		if (!docs) {
			ui_widget_put(in->win, row++, LABEL_X, COLS - 4,
			              _("Choose the kind to see the documents to bring."),
			              ui_theme_attr(UI_FACE_DIM), false);
		} else {
			snprintf(buf, sizeof buf, _("Documents expected for %s:"),
			         application_kind_name(k));
			ui_widget_put(in->win, row++, LABEL_X, COLS - 4, buf,
			              ui_theme_attr(UI_FACE_HEADING), false);
			for (int i = 0; docs[i] && row < h - 1; i++) {
				snprintf(buf, sizeof buf, "  [ ] %s",
				         application_document_name(docs[i]));
				ui_widget_put(in->win, row++, LABEL_X, COLS - 4, buf,
				              ui_theme_attr(UI_FACE_NORMAL), false);
			}
		}
	}
	if (!app_page && row < h) {
		struct person tmp = in->p;
		tmp.residence = (enum residence)in->choice[F_RESIDENCE];
		const char *warn = person_eligibility_warning(&tmp);
		if (warn) {
			snprintf(buf, sizeof buf, _("Warning: %s"), warn);
			row--; /* right under the fields: the form is full at 80x24 */
			ui_widget_wrap(in->win, row, LABEL_X, COLS - 4, h - 1 - row, buf,
			               ui_theme_attr(UI_FACE_WARNING));
		}
	}
	if (defs[cur].choice)
		snprintf(buf, sizeof buf, "%s",
		         _("Left/Right or Space: change · a letter: jump to it"));
	else
		snprintf(buf, sizeof buf, "%s", _("Tab or Enter: next field · F2 or Ctrl-S: save"));
	ui_widget_put(in->win, h - 1, LABEL_X, COLS - 4, buf, ui_theme_attr(UI_FACE_DIM), false);
}

static bool intake_overlay(void *p, struct ui_app *app, int top, int height)
{
	struct intake *in = p;
	(void)app;

	if (!in->posted)
		return false;
	draw_dynamic(in);
	pos_form_cursor(in->form);
	touchwin(in->win);
	wnoutrefresh(in->win);
	if (in->confirm.open) {
		ui_confirm_draw(&in->confirm, top, height);
		return false;
	}
	return true;
}

static void cycle(struct intake *in, enum fid f, int dir)
{
	int n = choice_count(defs[f].choice);
	if (n <= 0)
		return;
	in->choice[f] = (in->choice[f] + dir + n) % n;
	show_choice(in, f);
	in->edited = true;
}

static void jump_choice(struct intake *in, enum fid f, wint_t ch)
{
	int n = choice_count(defs[f].choice);
	wchar_t first[4];
	char want[8], have[8];
	char mb[8];
	mbstate_t st;

	memset(&st, 0, sizeof st);
	size_t len = wcrtomb(mb, (wchar_t)ch, &st);
	if (len == (size_t)-1)
		return;
	mb[len] = '\0';
	text_fold(mb, want, sizeof want);
	for (int k = 1; k <= n; k++) {
		int i = (in->choice[f] + k) % n;
		const char *name = choice_name(defs[f].choice, i);
		if (*name == '(' || *name == '<')
			continue;
		memset(&st, 0, sizeof st);
		if (mbrtowc(first, name, strlen(name), &st) == (size_t)-1)
			continue;
		memset(&st, 0, sizeof st);
		len = wcrtomb(mb, first[0], &st);
		if (len == (size_t)-1)
			continue;
		mb[len] = '\0';
		text_fold(mb, have, sizeof have);
		if (*want && strcmp(want, have) == 0) {
			in->choice[f] = i;
			show_choice(in, f);
			in->edited = true;
			return;
		}
	}
}

static bool last_on_page(struct intake *in)
{
	int i = fid_index(in, current_fid(in));
	if (i < 0 || i + 1 >= in->nfields)
		return true;
	return in->mode == UI_INTAKE_NEW && !defs[in->fid[i]].app && defs[in->fid[i + 1]].app;
}

static bool first_on_page(struct intake *in)
{
	int i = fid_index(in, current_fid(in));
	if (i <= 0)
		return true;
	return in->mode == UI_INTAKE_NEW && defs[in->fid[i]].app && !defs[in->fid[i - 1]].app;
}

static void step_field(struct intake *in, int dir)
{
	enum fid cur = current_fid(in);

	if (!check_field(in, cur))
		return;
	if (dir > 0) {
		if (last_on_page(in)) {
			if (form_page(in->form) + 1 < (in->mode == UI_INTAKE_NEW ? 2 : 1))
				form_driver_w(in->form, KEY_CODE_YES, REQ_NEXT_PAGE);
			return;
		}
		form_driver_w(in->form, KEY_CODE_YES, REQ_NEXT_FIELD);
	} else {
		if (first_on_page(in)) {
			if (form_page(in->form) > 0) {
				form_driver_w(in->form, KEY_CODE_YES, REQ_PREV_PAGE);
				form_driver_w(in->form, KEY_CODE_YES, REQ_LAST_FIELD);
			}
			return;
		}
		form_driver_w(in->form, KEY_CODE_YES, REQ_PREV_FIELD);
	}
	form_driver_w(in->form, KEY_CODE_YES, REQ_END_FIELD);
}

static void change_page(struct intake *in, int dir)
{
	int page = form_page(in->form), pages = in->mode == UI_INTAKE_NEW ? 2 : 1;

	if (!check_field(in, current_fid(in)))
		return;
	if (page + dir < 0 || page + dir >= pages)
		return;
	form_driver_w(in->form, KEY_CODE_YES, dir > 0 ? REQ_NEXT_PAGE : REQ_PREV_PAGE);
}

static int answer(struct intake *in, struct ui_app *app, enum ui_action a)
{
	int tag = in->confirm.tag;

	if (tag == ASK_DUPLICATE) {
		if (a == UI_ACT_OPEN) {
			in->confirm.open = false;
			in->edited = false;
			ui_app_open_card(app, in->dups[0]);
		} else if (a == UI_ACT_SAVE && in->dup_save_ok) {
			in->confirm.open = false;
			save(in, app, STEP_ELIGIBILITY);
		} else if (a == UI_ACT_BACK) {
			in->confirm.open = false;
		}
		return UI_HANDLED;
	}
	int r = ui_confirm_handle(&in->confirm, a);
	if (r < 0)
		return UI_HANDLED; /* other keys wait for the answer */
	if (r == 0) {
		if (tag == ASK_INSZ1 || tag == ASK_INSZ2) {
			ui_status_info("%s",
			               _("The INSZ was not changed; the form is as you left it."));
			goto_field(in, F_INSZ);
		}
		return UI_HANDLED;
	}
	switch (tag) {
	case ASK_DISCARD_BACK:
		ui_app_pop(app);
		break;
	case ASK_DISCARD_QUIT:
		ui_app_quit(app);
		break;
	case ASK_ELIGIBILITY:
		save(in, app, STEP_INSZ);
		break;
	case ASK_INSZ1: {
		char text[300];
		snprintf(
		    text, sizeof text, "%s",
		    _("Second confirmation: the old number will be replaced in this\n"
		      "dossier, and the change is recorded in the audit log under your name."));
		ui_confirm_open(&in->confirm, ASK_INSZ2, _("Really change the INSZ?"), text,
		                _("F2 or Ctrl-S: change the INSZ"), _("Esc: keep the INSZ"));
		ui_confirm_only(&in->confirm, UI_ACT_SAVE);
		break;
	}
	case ASK_INSZ2:
		save(in, app, STEP_WRITE);
		break;
	default:
		break;
	}
	return UI_HANDLED;
}

static int intake_handle(void *p, struct ui_app *app, enum ui_action a, wint_t ch)
{
	struct intake *in = p;
	enum fid cur;
	bool choice;

	if (!in->posted)
		return a == UI_ACT_BACK || a == UI_ACT_QUIT ? UI_IGNORED : UI_HANDLED;
	if (in->confirm.open)
		return a == UI_ACT_HELP || a == UI_ACT_REDRAW ? UI_IGNORED : answer(in, app, a);
	cur = current_fid(in);
	choice = defs[cur].choice != CH_NONE;
	switch (a) {
	case UI_ACT_CHAR:
		if (choice) {
			jump_choice(in, cur, ch);
		} else {
			form_driver_w(in->form, OK, (wchar_t)ch);
			in->edited = true;
		}
		return UI_HANDLED;
	case UI_ACT_TOGGLE:
	case UI_ACT_RIGHT:
	case UI_ACT_LEFT:
		if (choice)
			cycle(in, cur, a == UI_ACT_LEFT ? -1 : 1);
		else if (a != UI_ACT_TOGGLE)
			form_driver_w(in->form, KEY_CODE_YES,
			              a == UI_ACT_LEFT ? REQ_PREV_CHAR : REQ_NEXT_CHAR);
		return UI_HANDLED;
	case UI_ACT_BACKSPACE:
	case UI_ACT_DELETE:
	case UI_ACT_CLEAR:
		if (!choice) {
			form_driver_w(in->form, KEY_CODE_YES,
			              a == UI_ACT_BACKSPACE ? REQ_DEL_PREV
			              : a == UI_ACT_DELETE  ? REQ_DEL_CHAR
			                                    : REQ_CLR_FIELD);
			in->edited = true;
		}
		return UI_HANDLED;
	case UI_ACT_HOME:
	case UI_ACT_END:
		if (!choice)
			form_driver_w(in->form, KEY_CODE_YES,
			              a == UI_ACT_HOME ? REQ_BEG_FIELD : REQ_END_FIELD);
		return UI_HANDLED;
	case UI_ACT_NEXT_FIELD:
	case UI_ACT_DOWN:
	case UI_ACT_OPEN:
		step_field(in, 1);
		return UI_HANDLED;
	case UI_ACT_PREV_FIELD:
	case UI_ACT_UP:
		step_field(in, -1);
		return UI_HANDLED;
	case UI_ACT_PAGE_DOWN:
	case UI_ACT_PAGE_UP:
		change_page(in, a == UI_ACT_PAGE_DOWN ? 1 : -1);
		return UI_HANDLED;
	case UI_ACT_SAVE:
		save(in, app, STEP_CHECK);
		return UI_HANDLED;
	case UI_ACT_BACK:
	case UI_ACT_QUIT:
		if (!in->edited)
			return UI_IGNORED; /* nothing to lose: back or quit at once */
		ui_confirm_open(&in->confirm,
		                a == UI_ACT_BACK ? ASK_DISCARD_BACK : ASK_DISCARD_QUIT,
		                _("Leave without saving?"),
		                _("What you typed in this form has not been saved."),
		                _("Enter: leave and lose it"), _("Esc: back to the form"));
		return UI_HANDLED;
	case UI_ACT_NEW_INTAKE:
	case UI_ACT_NEW_APPLICATION:
	case UI_ACT_EDIT:
	case UI_ACT_SEARCH:
		return UI_HANDLED; /* one form at a time */
	default:
		return UI_IGNORED;
	}
}

static enum ui_focus intake_focus(void *p)
{
	struct intake *in = p;
	if (in->confirm.open || !in->posted || defs[current_fid(in)].choice != CH_NONE)
		return UI_FOCUS_NONE;
	return UI_FOCUS_TEXT;
}

static void intake_reload(void *p, struct ui_app *app)
{
	struct intake *in = p;
	(void)app;
	/* The language or theme may have changed under us: choices and labels
	 * are shown again; typed text stays as it is. */
	for (int i = 0; i < in->nfields; i++) {
		set_field_back(in->fields[i], ui_theme_attr(UI_FACE_FIELD));
		if (defs[in->fid[i]].choice)
			show_choice(in, in->fid[i]);
	}
	if (in->posted) {
		wbkgdset(in->win, (chtype)ui_theme_attr(UI_FACE_NORMAL) | ' ');
		draw_labels(in);
	}
}

static void intake_free(void *p)
{
	struct intake *in = p;
	if (!in)
		return;
	/* A refusal names a field of this form: it means nothing on the
	 * screen below. */
	if (ui_status_has_error())
		ui_status_clear();
	unpost(in);
	free_form(in->form); /* before the fields it uses */
	for (int i = 0; i < in->nfields; i++)
		free_field(in->fields[i]);
	free(in);
}

const struct ui_screen_type ui_intake_screen = {
    .name = N_("Intake"),
    .help = intake_keys,
    .typing = true,
    .init = intake_init,
    .draw = intake_draw,
    .overlay = intake_overlay,
    .handle = intake_handle,
    .focus = intake_focus,
    .layout = intake_layout,
    .reload = intake_reload,
    .free = intake_free,
};
