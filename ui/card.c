/* card.c: the person card: identity, contact, residence, applications with
 * their documents, and (for roles allowed) the audit trail and the change
 * history. */
#include "autoconf.h"

#include "ui/card.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "src/date.h"
#include "src/i18n.h"
#include "src/insz.h"
#include "src/postcode.h"
#include "src/session.h"
#include "ui/status.h"
#include "ui/theme.h"
#include "ui/widget.h"

#define LABEL_COLS 17
#define AUDIT_MAX  50

struct line {
	char label[64];
	char value[1100];
	enum ui_face face;
	int app, doc; /* a document line: indexes, else -1 */
	bool heading;
};

struct app_docs {
	struct app_document *d;
	int n;
};

struct card {
	struct person p;
	struct application *apps;
	struct app_docs *docs; /* one per application */
	int napps;
	struct audit_entry *audit;
	int naudit;
	struct person_change *history;
	int nhistory;
	bool audit_allowed;
	bool medical_allowed; /* the primary problem is shown */
	struct line *lines;
	int nlines, cap;
	int sel; /* selected line (a document), or -1 */
	int scroll;
	int rows;       /* visible rows at the last draw */
	int built_cols; /* COLS the lines were wrapped for */
};

static const struct ui_help_entry card_keys[] = {
    {UI_ACT_EDIT, N_("edit the person's data"), N_("Edit")},
    {UI_ACT_NEW_APPLICATION, N_("register a new application for this person"), N_("Application")},
    {UI_ACT_DOWN, N_("next document (or scroll down)"), NULL},
    {UI_ACT_UP, N_("previous document (or scroll up)"), NULL},
    {UI_ACT_TOGGLE, N_("mark the selected document received, or missing again"), N_("Received")},
    {UI_ACT_OPEN, N_("mark the selected document received, or missing again"), NULL},
    {UI_ACT_PAGE_DOWN, NULL, NULL},
    {UI_ACT_PAGE_UP, NULL, NULL},
    {UI_ACT_HOME, N_("top of the card"), NULL},
    {UI_ACT_END, N_("end of the card"), NULL},
    {UI_ACT_BACK, N_("back to the search"), N_("Back")},
    {UI_ACT_SEARCH, N_("person search"), NULL},
    {UI_ACT_NEW_INTAKE, N_("new intake (another person)"), NULL},
    {UI_ACT_SETTINGS, NULL, NULL},
    {UI_ACT_SYNC_NOW, NULL, NULL},
    {UI_ACT_CONFLICTS, NULL, NULL},
    {UI_ACT_REJECTED, NULL, NULL},
    {UI_ACT_HELP, NULL, N_("Help")},
    {UI_ACT_REDRAW, NULL, NULL},
    {UI_ACT_QUIT, NULL, N_("Quit")},
    {UI_ACT_NONE, NULL, NULL},
};

static void free_lists(struct card *c)
{
	for (int i = 0; i < c->napps; i++)
		free(c->docs[i].d);
	free(c->docs);
	free(c->apps);
	free(c->audit);
	free(c->history);
	c->docs = NULL;
	c->apps = NULL;
	c->audit = NULL;
	c->history = NULL;
	c->napps = c->naudit = c->nhistory = 0;
}

/* Applications, their checklists and the audit trail (the person's own
 * fields were read, and the view audited, when the card opened).  Through
 * the session, which applies the role: the primary problem comes back
 * blank without medical view, the trail only for roles that may read it. */
static void load_lists(struct card *c, struct session *s)
{
	char *cause = NULL;

	free_lists(c);
	if (session_list_applications(s, c->p.meta.id, &c->apps, &c->napps, &cause)) {
		c->apps = NULL;
		c->napps = 0;
		ui_status_error("%s", cause ? cause : _("cannot read the applications"));
	}
	free(cause);
	cause = NULL;
	c->docs = ui_app_xcalloc((size_t)(c->napps ? c->napps : 1), sizeof *c->docs);
	for (int i = 0; i < c->napps; i++) {
		if (session_list_documents(s, c->apps[i].meta.id, &c->docs[i].d, &c->docs[i].n,
		                           &cause)) {
			c->docs[i].d = NULL;
			c->docs[i].n = 0;
			ui_status_error("%s", cause ? cause : _("cannot read the documents"));
		}
		free(cause);
		cause = NULL;
	}
	c->medical_allowed = session_require(s, PERM_MEDICAL_VIEW, NULL) == RC_OK;
	c->audit_allowed = session_require(s, PERM_AUDIT_VIEW, NULL) == RC_OK;
	if (c->audit_allowed &&
	    session_audit_trail(s, c->p.meta.id, AUDIT_MAX, &c->audit, &c->naudit, &cause)) {
		c->audit = NULL;
		c->naudit = 0;
		ui_status_error("%s", cause ? cause : _("cannot read the audit trail"));
	}
	free(cause);
	cause = NULL;
	if (c->audit_allowed &&
	    session_person_history(s, c->p.meta.id, &c->history, &c->nhistory, &cause)) {
		c->history = NULL;
		c->nhistory = 0;
		ui_status_error("%s", cause ? cause : _("cannot read the change history"));
	}
	free(cause);
}

static struct line *add(struct card *c, const char *label, enum ui_face face)
{
	if (c->nlines == c->cap) {
		int cap = c->cap ? c->cap * 2 : 64;
		struct line *l = realloc(c->lines, (size_t)cap * sizeof *l);
		if (!l)
			ui_app_fail("out of memory");
		c->lines = l;
		c->cap = cap;
	}
	struct line *l = &c->lines[c->nlines++];
	memset(l, 0, sizeof *l);
	snprintf(l->label, sizeof l->label, "%s", label ? label : "");
	l->face = face;
	l->app = l->doc = -1;
	return l;
}

static void heading(struct card *c, const char *text)
{
	if (c->nlines)
		add(c, NULL, UI_FACE_NORMAL);
	struct line *l = add(c, NULL, UI_FACE_HEADING);
	snprintf(l->value, sizeof l->value, "%s", text);
	l->heading = true;
}

static void field(struct card *c, const char *label, const char *value)
{
	struct line *l = add(c, label, UI_FACE_NORMAL);
	snprintf(l->value, sizeof l->value, "%s", value && *value ? value : "—");
}

static bool be_date(const char *iso, char out[11])
{
	struct date d;
	if (!*iso || !date_parse(iso, &d)) {
		snprintf(out, 11, "%s", iso);
		return false;
	}
	date_format_be(d, out);
	return true;
}

static const char *language_name(const char *code)
{
	if (strcmp(code, "nl") == 0)
		return _("Dutch");
	if (strcmp(code, "fr") == 0)
		return _("French");
	if (strcmp(code, "de") == 0)
		return _("German");
	return code;
}

static const char *sex_name(const char *code)
{
	if (strcmp(code, "m") == 0)
		return _("male");
	if (strcmp(code, "f") == 0)
		return _("female");
	return _("unknown");
}

/* An audit action code in words. */
static const char *action_name(const char *code)
{
	static const struct {
		const char *code, *name;
	} names[] = {
	    {"view", N_("viewed")},       {"create", N_("created")},
	    {"update", N_("changed")},    {"insz_change", N_("changed the INSZ")},
	    {"document", N_("document")}, {"medical_view", N_("viewed medical content")},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(code, names[i].code) == 0)
			return _(names[i].name);
	return code;
}

/* An audit time (UTC, ISO 8601) in local time, DD/MM/YYYY HH:MM. */
static void local_time(const char *utc, char *out, size_t size)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (sscanf(utc, "%d-%d-%dT%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	           &tm.tm_min) < 3) {
		snprintf(out, size, "%s", utc);
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	struct tm lt;
	localtime_r(&t, &lt);
	strftime(out, size, "%d/%m/%Y %H:%M", &lt);
}

/* Add text as lines of at most width columns after indent, broken after
 * a space where one is near enough (the change history). */
static void add_wrapped(struct card *c, const char *text, const char *indent, int width)
{
	size_t len = strlen(text);
	const char *s = text;

	if (width < 20)
		width = 20;
	while (len) {
		size_t i = 0, brk = 0;
		int cols = 0;
		mbstate_t st;

		memset(&st, 0, sizeof st);
		while (i < len) {
			wchar_t wc;
			size_t n = mbrtowc(&wc, s + i, len - i, &st);
			if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
				memset(&st, 0, sizeof st);
				n = 1;
				wc = L'?';
			}
			int w = wcwidth(wc);
			if (w < 0)
				w = 1;
			if (cols + w > width || i + n + strlen(indent) >= sizeof c->lines->value)
				break;
			cols += w;
			i += n;
			if (wc == L' ')
				brk = i;
		}
		if (i == len || brk < i / 2)
			brk = i; /* the end, or no space in the second half: cut there */
		if (!brk)
			brk = 1; /* a character wider than the width */
		struct line *l = add(c, NULL, UI_FACE_NORMAL);
		snprintf(l->value, sizeof l->value, "%s%.*s", indent, (int)brk, s);
		s += brk;
		len -= brk;
		while (len && *s == ' ') {
			s++;
			len--;
		}
	}
}

static void build(struct card *c)
{
	const struct person *p = &c->p;
	char buf[600], d[11], name[300];
	struct insz n;
	struct date birth;
	struct date today = date_today();
	struct line *l;
	int code;

	c->nlines = 0;
	heading(c, _("Identity"));
	if (*p->insz && insz_parse(p->insz, &n) == INSZ_OK) {
		char f[16];
		insz_format(&n, f);
		field(c, _("INSZ"), f);
	} else {
		field(c, _("INSZ"), *p->insz ? p->insz : _("not known yet"));
	}
	person_display_name(p, name, sizeof name);
	field(c, _("Name"), name);
	if (*p->birth_date && date_parse(p->birth_date, &birth)) {
		date_format_be(birth, d);
		int age = date_age(birth, today);
		snprintf(buf, sizeof buf, ngettext("%s (%d year)", "%s (%d years)", age), d, age);
		field(c, _("Born"), buf);
	} else {
		field(c, _("Born"), _("unknown"));
	}
	field(c, _("Sex"), sex_name(p->sex));
	field(c, _("Language"), language_name(p->language));
	field(c, _("Nationality"), p->nationality);
	field(c, _("Residence"), person_residence_name(p->residence));
	const char *warn = person_eligibility_warning(p);
	if (warn) {
		l = add(c, NULL, UI_FACE_WARNING);
		snprintf(l->value, sizeof l->value, _("Warning: %s"), warn);
	}

	heading(c, _("Contact"));
	field(c, _("Address"), p->street);
	if (*p->postcode) {
		const char *region = postcode_parse(p->postcode, &code)
		                         ? postcode_region_name(postcode_region(code))
		                         : "";
		snprintf(buf, sizeof buf, "%s %s%s%s%s", p->postcode, p->municipality,
		         *region ? " (" : "", region, *region ? ")" : "");
		field(c, _("Municipality"), buf);
	} else {
		field(c, _("Municipality"), p->municipality);
	}
	field(c, _("Phone"), p->phone);
	field(c, _("E-mail"), p->email);
	if (*p->contact_name || *p->contact_phone) {
		snprintf(buf, sizeof buf, "%s%s%s%s%s%s", p->contact_name,
		         *p->contact_relation ? " (" : "", p->contact_relation,
		         *p->contact_relation ? ")" : "", *p->contact_phone ? ", " : "",
		         p->contact_phone);
		field(c, _("Contact person"), buf);
	} else {
		field(c, _("Contact person"), NULL);
	}
	field(c, _("Notes"), p->notes);

	snprintf(buf, sizeof buf, _("Applications (%d)"), c->napps);
	heading(c, buf);
	if (!c->napps) {
		l = add(c, NULL, UI_FACE_DIM);
		snprintf(l->value, sizeof l->value, "%s", _("None yet: press a to register one."));
	}
	for (int i = 0; i < c->napps; i++) {
		const struct application *a = &c->apps[i];
		struct date rd;
		long days = 0;
		int missing = 0;

		if (date_parse(a->received_on, &rd))
			days = date_to_days(today) - date_to_days(rd);
		be_date(a->received_on, d);
		l = add(c, NULL, UI_FACE_LABEL);
		l->app = i;
		snprintf(l->value, sizeof l->value, "%s", application_kind_name(a->kind));
		l = add(c, NULL, UI_FACE_NORMAL);
		snprintf(l->value, sizeof l->value,
		         ngettext("   %s · received %s, %ld day ago · status: %s",
		                  "   %s · received %s, %ld days ago · status: %s", days),
		         application_procedure_name(a->procedure), d, days,
		         application_status_name(a->status));
		/* Health data: only for roles with medical view (the session
		 * blanks it for the others anyway). */
		l = add(c, NULL, c->medical_allowed ? UI_FACE_NORMAL : UI_FACE_DIM);
		snprintf(l->value, sizeof l->value, _("   primary problem: %s"),
		         c->medical_allowed ? application_problem_name(a->problem)
		                            : _("(medical: evaluators and doctors only)"));
		for (int j = 0; j < c->docs[i].n; j++) {
			const struct app_document *doc = &c->docs[i].d[j];
			l = add(c, NULL, UI_FACE_NORMAL);
			l->app = i;
			l->doc = j;
			if (*doc->received_on) {
				be_date(doc->received_on, d);
				snprintf(l->value, sizeof l->value, _("   [x] %s: received %s"),
				         application_document_name(doc->code), d);
			} else {
				missing++;
				snprintf(l->value, sizeof l->value, _("   [ ] %s: MISSING%s"),
				         application_document_name(doc->code),
				         doc->required ? _(" (required)") : "");
				l->face = UI_FACE_WARNING;
			}
		}
		l = add(c, NULL, missing ? UI_FACE_WARNING : UI_FACE_DIM);
		if (missing)
			snprintf(
			    l->value, sizeof l->value,
			    ngettext("   %d document missing", "   %d documents missing", missing),
			    missing);
		else
			snprintf(l->value, sizeof l->value, "%s", _("   no document missing"));
	}

	if (c->audit_allowed) {
		snprintf(buf, sizeof buf, _("Audit trail (latest %d)"), AUDIT_MAX);
		heading(c, buf);
		for (int i = 0; i < c->naudit; i++) {
			const struct audit_entry *e = &c->audit[i];
			char when[32];
			local_time(e->at, when, sizeof when);
			l = add(c, NULL, UI_FACE_NORMAL);
			snprintf(l->value, sizeof l->value, "%s  %s (%s)  %s%s%s", when,
			         e->staff_name, role_name(role_parse(e->role)),
			         action_name(e->action), *e->detail ? ": " : "", e->detail);
		}
		/* Old and new values of each edit: personal data, for the same
		 * audience as the trail. */
		snprintf(buf, sizeof buf, _("Change history (latest %d)"), SESSION_HISTORY_MAX);
		heading(c, buf);
		if (!c->nhistory) {
			l = add(c, NULL, UI_FACE_DIM);
			snprintf(l->value, sizeof l->value, "%s", _("No change recorded."));
		}
		for (int i = 0; i < c->nhistory; i++) {
			const struct person_change *h = &c->history[i];
			char when[32];
			local_time(h->changed_at, when, sizeof when);
			l = add(c, NULL, UI_FACE_LABEL);
			snprintf(l->value, sizeof l->value, "%s  %s (%s)", when, h->staff_name,
			         role_name(role_parse(h->role)));
			/* Drawn from column 2 to COLS - 1, after a 3-column indent. */
			add_wrapped(c, h->changes, "   ", COLS - 6);
		}
	}
	c->built_cols = COLS;
	if (c->sel >= c->nlines || (c->sel >= 0 && c->lines[c->sel].doc < 0))
		c->sel = -1;
}

/* Read the person again (after a change here or in another process)
 * without auditing another view, then everything below. */
static void reload(struct card *c, struct session *s)
{
	struct person p;
	char *cause = NULL;

	if (session_reload_person(s, c->p.meta.id, &p, &cause) == RC_OK)
		c->p = p;
	else
		ui_status_error("%s", cause ? cause : _("cannot read the person's card again"));
	free(cause);
	load_lists(c, s);
	build(c);
}

static void *card_init(struct ui_app *app, const struct ui_screen_arg *arg)
{
	struct card *c = ui_app_xcalloc(1, sizeof *c);
	struct session *s = ui_app_session(app);
	char *cause = NULL;

	if (session_view_person(s, arg->person_id, &c->p, &cause)) {
		ui_status_error("%s", cause ? cause : _("cannot open the person's card"));
		free(cause);
		free(c);
		return NULL;
	}
	c->sel = -1;
	load_lists(c, s);
	build(c);
	/* Start on the first missing document: what reception asks about. */
	for (int i = 0; i < c->nlines; i++) {
		if (c->lines[i].doc >= 0 &&
		    !*c->docs[c->lines[i].app].d[c->lines[i].doc].received_on) {
			c->sel = i;
			break;
		}
	}
	return c;
}

static bool card_draw(void *p, struct ui_app *app, int top, int height)
{
	struct card *c = p;
	(void)app;

	c->rows = height;
	if (c->built_cols != COLS)
		build(c); /* resized: wrap the change history again */
	if (c->scroll > c->nlines - height)
		c->scroll = c->nlines - height;
	if (c->scroll < 0)
		c->scroll = 0;
	if (c->sel >= 0 && c->sel < c->scroll)
		c->scroll = c->sel;
	if (c->sel >= c->scroll + height)
		c->scroll = c->sel - height + 1;
	for (int i = 0; i < height && c->scroll + i < c->nlines; i++) {
		const struct line *l = &c->lines[c->scroll + i];
		int y = top + i, x = 2;
		attr_t a = ui_theme_attr(l->face);
		if (c->scroll + i == c->sel) {
			a = ui_theme_attr(UI_FACE_SELECTED);
			ui_widget_fill(stdscr, y, 0, COLS, a);
			ui_widget_put(stdscr, y, 0, 2, ">", a | A_BOLD, false);
		}
		if (l->heading) {
			ui_widget_put(stdscr, y, 1, COLS - 2, l->value, a, false);
			continue;
		}
		if (*l->label) {
			ui_widget_put(stdscr, y, x, LABEL_COLS - 1, l->label,
			              ui_theme_attr(UI_FACE_LABEL) | A_BOLD, false);
			x += LABEL_COLS;
		}
		ui_widget_put(stdscr, y, x, COLS - x - 1, l->value, a, false);
	}
	if (c->scroll + height < c->nlines) {
		/* On the first row, out of the way of the selection. */
		const char *more = _("more below: PgDn");
		int w = ui_widget_width(more);
		ui_widget_put(stdscr, top, COLS - w - 1, w, more, ui_theme_attr(UI_FACE_DIM),
		              false);
	}
	/* The hidden cursor on the selection: screen readers follow it. */
	move(c->sel >= 0 ? top + c->sel - c->scroll : top, 0);
	return false;
}

static void move_sel(struct card *c, int dir)
{
	for (int i = c->sel + dir; i >= 0 && i < c->nlines; i += dir) {
		if (c->lines[i].doc >= 0) {
			/* Only jump to a document that is on screen or next to it;
			 * otherwise scroll, so text between is read too. */
			if (i >= c->scroll - 1 && i <= c->scroll + c->rows) {
				c->sel = i;
				return;
			}
			break;
		}
	}
	c->scroll += dir;
	if (c->sel >= 0 && (c->sel < c->scroll || c->sel >= c->scroll + c->rows))
		c->sel = -1;
}

static void toggle_document(struct card *c, struct ui_app *app)
{
	struct session *s = ui_app_session(app);
	char *cause = NULL;

	if (c->sel < 0)
		return;
	const struct line *l = &c->lines[c->sel];
	struct app_document *doc = &c->docs[l->app].d[l->doc];
	bool received = !*doc->received_on;
	char name[200], id[37];

	snprintf(name, sizeof name, "%s", application_document_name(doc->code));
	snprintf(id, sizeof id, "%s", doc->meta.id);
	if (session_set_document(s, id, received, &cause)) {
		ui_status_error("%s", cause ? cause : _("cannot change the document"));
		free(cause);
		return;
	}
	reload(c, s);
	if (received)
		ui_status_info(_("Received: %s"), name);
	else
		ui_status_info(_("Missing again: %s"), name);
}

static int card_handle(void *p, struct ui_app *app, enum ui_action a, wint_t ch)
{
	struct card *c = p;
	struct session *s = ui_app_session(app);
	struct ui_screen_arg arg;
	char *cause = NULL;
	int page = c->rows > 2 ? c->rows - 2 : 1;

	(void)ch;
	memset(&arg, 0, sizeof arg);
	snprintf(arg.person_id, sizeof arg.person_id, "%s", c->p.meta.id);
	arg.person = &c->p;
	switch (a) {
	case UI_ACT_EDIT:
	case UI_ACT_NEW_APPLICATION:
		if (session_require(s, a == UI_ACT_EDIT ? PERM_PERSON_EDIT : PERM_APPLICATION_EDIT,
		                    &cause)) {
			ui_status_error("%s", cause ? cause : _("not allowed for your role"));
			free(cause);
			return UI_HANDLED;
		}
		arg.mode = a == UI_ACT_EDIT ? UI_INTAKE_EDIT : UI_INTAKE_ADD_APP;
		ui_app_push(app, UI_SCREEN_INTAKE, &arg);
		return UI_HANDLED;
	case UI_ACT_NEW_INTAKE:
		/* Someone else at the desk: a new person, this card stays below. */
		memset(&arg, 0, sizeof arg);
		arg.mode = UI_INTAKE_NEW;
		ui_app_push(app, UI_SCREEN_INTAKE, &arg);
		return UI_HANDLED;
	case UI_ACT_DOWN:
		move_sel(c, 1);
		return UI_HANDLED;
	case UI_ACT_UP:
		move_sel(c, -1);
		return UI_HANDLED;
	case UI_ACT_PAGE_DOWN:
	case UI_ACT_PAGE_UP:
		c->scroll += a == UI_ACT_PAGE_DOWN ? page : -page;
		if (c->scroll > c->nlines - c->rows)
			c->scroll = c->nlines - c->rows;
		if (c->scroll < 0)
			c->scroll = 0;
		if (c->sel >= 0 && (c->sel < c->scroll || c->sel >= c->scroll + c->rows))
			c->sel = -1;
		return UI_HANDLED;
	case UI_ACT_HOME:
		c->scroll = 0;
		c->sel = -1;
		return UI_HANDLED;
	case UI_ACT_END:
		c->scroll = c->nlines;
		c->sel = -1;
		return UI_HANDLED;
	case UI_ACT_TOGGLE:
	case UI_ACT_OPEN:
		if (c->sel < 0)
			ui_status_info("%s", _("Select a document first (Up/Down)."));
		else
			toggle_document(c, app);
		return UI_HANDLED;
	default:
		return UI_IGNORED;
	}
}

static enum ui_focus card_focus(void *p)
{
	(void)p;
	return UI_FOCUS_NONE;
}

static void card_reload(void *p, struct ui_app *app)
{
	reload(p, ui_app_session(app));
}

static void card_free(void *p)
{
	struct card *c = p;
	if (!c)
		return;
	free_lists(c);
	free(c->lines);
	free(c);
}

const struct ui_screen_type ui_card_screen = {
    .name = N_("Person card"),
    .help = card_keys,
    .init = card_init,
    .draw = card_draw,
    .handle = card_handle,
    .focus = card_focus,
    .reload = card_reload,
    .free = card_free,
};
