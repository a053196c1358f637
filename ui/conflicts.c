/* conflicts.c: the sync conflicts screen: the open conflicts, and for one
 * of them each field side by side (ours, theirs, base) to choose per
 * field, or all ours / all theirs; nothing changes until a person confirms
 * (db_sync_conflict_resolve), and medical content stays hidden from roles
 * that may not see it, as on the card. */
#include "autoconf.h"

#include "ui/conflicts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/person.h"
#include "db/sync.h"
#include "src/i18n.h"
#include "src/person.h"
#include "src/session.h"
#include "ui/status.h"
#include "ui/sync.h"
#include "ui/theme.h"
#include "ui/widget.h"

#define LIST_TOP 2 /* rows above the list: count, headers */
#define ASK_SAVE 1

struct field_row {
	char name[40];
	char ours[512], theirs[512], base[512];
	bool take_ours;
	bool hidden; /* medical content this role may not see */
	bool fixed;  /* only theirs can be kept (a delete, an INSZ held by another) */
};

struct conflicts {
	struct db_sync_conflict *v;
	int n;
	char (*labels)[160]; /* the record of each conflict, in words */
	int sel, scroll, rows;
	/* One conflict open (detail), or the list. */
	bool detail;
	int cur;
	struct field_row *f;
	int nf;
	int fsel; /* 0: the "all fields" row, 1..nf: a field */
	char note[512];
	struct ui_confirm confirm;
	bool medical; /* PERM_MEDICAL_VIEW */
};

static const struct ui_help_entry conflicts_keys[] = {
    {UI_ACT_OPEN, N_("open the selected conflict"), N_("Open")},
    {UI_ACT_DOWN, N_("next conflict, or next field"), NULL},
    {UI_ACT_UP, N_("previous conflict, or previous field"), NULL},
    {UI_ACT_LEFT, N_("keep ours for the field (on \"all fields\": every field)"), N_("Ours")},
    {UI_ACT_RIGHT, N_("keep theirs for the field (on \"all fields\": every field)"), N_("Theirs")},
    {UI_ACT_TOGGLE, N_("switch the field between ours and theirs"), NULL},
    {UI_ACT_SAVE, N_("resolve the conflict as chosen (asks first)"), N_("Resolve")},
    {UI_ACT_BACK, N_("back to the list, or back"), N_("Back")},
    {UI_ACT_SYNC_NOW, NULL, NULL},
    {UI_ACT_REJECTED, NULL, NULL},
    {UI_ACT_HELP, NULL, N_("Help")},
    {UI_ACT_REDRAW, NULL, NULL},
    {UI_ACT_QUIT, NULL, N_("Quit")},
    {UI_ACT_NONE, NULL, NULL},
};

/* A field's name for people (the person's and application's fields). */
static const char *field_label(const char *name)
{
	static const struct {
		const char *code, *label;
	} names[] = {
	    {"insz", N_("INSZ")},
	    {"family_name", N_("Family name")},
	    {"given_name", N_("Given name")},
	    {"birth_date", N_("Born")},
	    {"sex", N_("Sex")},
	    {"language", N_("Language")},
	    {"nationality", N_("Nationality")},
	    {"residence", N_("Residence")},
	    {"street", N_("Address")},
	    {"postcode", N_("Postcode")},
	    {"municipality", N_("Municipality")},
	    {"phone", N_("Phone")},
	    {"email", N_("E-mail")},
	    {"contact_name", N_("Contact person")},
	    {"contact_phone", N_("Contact phone")},
	    {"contact_relation", N_("Relation")},
	    {"notes", N_("Notes")},
	    {"problem", N_("Primary problem")},
	    {"status", N_("Status")},
	    {"received_on", N_("Received on")},
	    {"deleted", N_("Deleted")},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i].code) == 0)
			return _(names[i].label);
	return name;
}

/* Health data: the primary problem of an application (ui/card.c shows it
 * only to evaluators and doctors). */
static bool is_medical(const char *entity, const char *field)
{
	return strcmp(entity, "application") == 0 && strcmp(field, "problem") == 0;
}

/* A member of a JSON object text as text: "" if absent; present at all in
 * *has (may be NULL). */
static void member(json_t *o, const char *key, char *out, size_t size, bool *has)
{
	json_t *v = json_object_get(o, key);

	out[0] = '\0';
	if (has)
		*has = v != NULL;
	if (json_is_string(v))
		snprintf(out, size, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_true(v))
		snprintf(out, size, "%s", _("yes"));
	else if (json_is_false(v))
		snprintf(out, size, "%s", _("no"));
}

/* The record a conflict is about, in words: a person's name. */
static void label_of(struct session *s, const struct db_sync_conflict *k, char *out, size_t size)
{
	struct person p;

	if (strcmp(k->entity, "person") == 0 && db_person_get(s->cache, k->row_id, &p) == RC_OK) {
		person_display_name(&p, out, (unsigned)size);
		return;
	}
	snprintf(out, size, "%.8s", k->row_id);
}

static void free_list(struct conflicts *c)
{
	db_sync_conflicts_free(c->v, c->n);
	free(c->labels);
	c->v = NULL;
	c->labels = NULL;
	c->n = 0;
}

static void load(struct conflicts *c, struct session *s)
{
	free_list(c);
	if (db_sync_conflict_list(s->cache, &c->v, &c->n)) {
		ui_status_error("%s", _("cannot read the conflicts; the cache may be damaged"));
		c->n = 0;
		return;
	}
	c->labels = ui_app_xcalloc((size_t)(c->n ? c->n : 1), sizeof *c->labels);
	for (int i = 0; i < c->n; i++)
		label_of(s, &c->v[i], c->labels[i], sizeof c->labels[i]);
	if (c->sel >= c->n)
		c->sel = c->n ? c->n - 1 : 0;
}

/* Open conflict i: its fields side by side, theirs chosen to begin with
 * (what the cache shows now). */
static void open_detail(struct conflicts *c, int i)
{
	const struct db_sync_conflict *k = &c->v[i];
	json_t *ours = json_loads(k->ours, 0, NULL), *theirs = json_loads(k->theirs, 0, NULL);
	json_t *base = json_loads(k->base, 0, NULL);
	char list[256], *save = NULL, *name, id[64];
	bool other = false, has;
	int n = 1;

	for (const char *p = k->fields; *p; p++)
		n += *p == ',';
	free(c->f);
	c->f = ui_app_xcalloc((size_t)n, sizeof *c->f);
	c->nf = 0;
	c->note[0] = '\0';
	snprintf(list, sizeof list, "%s", k->fields);
	member(theirs, "id", id, sizeof id, &has);
	/* An INSZ conflict names another person as theirs. */
	other = has && *id && strcmp(id, k->row_id) != 0;
	for (name = strtok_r(list, ",", &save); name && c->nf < n;
	     name = strtok_r(NULL, ",", &save)) {
		struct field_row *f = &c->f[c->nf++];
		snprintf(f->name, sizeof f->name, "%s", name);
		member(ours, name, f->ours, sizeof f->ours, NULL);
		member(theirs, name, f->theirs, sizeof f->theirs, NULL);
		member(base, name, f->base, sizeof f->base, NULL);
		f->hidden = is_medical(k->entity, name) && !c->medical;
		f->fixed = strcmp(name, "deleted") == 0 || other;
	}
	if (other)
		snprintf(c->note, sizeof c->note, "%s",
		         _("This INSZ already belongs to another person (theirs). Keeping both as "
		           "separate records is not allowed: one INSZ is one person. Keep theirs, "
		           "then correct the INSZ of your record or merge the two."));
	else if (c->nf && strcmp(c->f[0].name, "deleted") == 0)
		snprintf(c->note, sizeof c->note, "%s",
		         _("One side deleted the record and the other changed it: the record "
		           "stays as theirs; change or delete it again afterwards if needed."));
	else if (strcmp(k->entity, "person") == 0)
		snprintf(c->note, sizeof c->note, "%s",
		         _("Keep both is not offered for a person: one person, one record (the "
		           "INSZ rule)."));
	json_decref(ours);
	json_decref(theirs);
	json_decref(base);
	c->detail = true;
	c->cur = i;
	c->fsel = 0;
}

static void *conflicts_init(struct ui_app *app, const struct ui_screen_arg *arg)
{
	struct conflicts *c = ui_app_xcalloc(1, sizeof *c);
	struct session *s = ui_app_session(app);

	(void)arg;
	c->medical = session_require(s, PERM_MEDICAL_VIEW, NULL) == RC_OK;
	load(c, s);
	return c;
}

static void local_time(const char *utc, char *out, size_t size)
{
	struct tm tm, lt;
	time_t t;

	memset(&tm, 0, sizeof tm);
	if (sscanf(utc, "%d-%d-%dT%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	           &tm.tm_min) != 5) {
		snprintf(out, size, "%s", utc);
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	localtime_r(&t, &lt);
	strftime(out, size, "%d/%m/%Y %H:%M", &lt);
}

static void draw_list(struct conflicts *c, int top, int height)
{
	char line[200], when[32];
	attr_t h = ui_theme_attr(UI_FACE_HEADING);

	if (!c->n)
		snprintf(line, sizeof line, "%s",
		         _("No open conflict: every change has found its place."));
	else
		snprintf(line, sizeof line,
		         ngettext("%d conflict waits for a decision.",
		                  "%d conflicts wait for a decision.", c->n),
		         c->n);
	ui_widget_put(stdscr, top, 1, COLS - 2, line, ui_theme_attr(UI_FACE_DIM), false);
	ui_widget_put(stdscr, top + 1, 2, 14, _("Record"), h, false);
	ui_widget_put(stdscr, top + 1, 16, 30, _("Name"), h, false);
	ui_widget_put(stdscr, top + 1, 47, 16, _("Fields"), h, false);
	ui_widget_put(stdscr, top + 1, 64, COLS - 65, _("Raised"), h, false);
	c->rows = height - LIST_TOP;
	if (c->rows < 1)
		c->rows = 1;
	if (c->sel < c->scroll)
		c->scroll = c->sel;
	if (c->sel >= c->scroll + c->rows)
		c->scroll = c->sel - c->rows + 1;
	for (int i = 0; i < c->rows && c->scroll + i < c->n; i++) {
		const struct db_sync_conflict *k = &c->v[c->scroll + i];
		int y = top + LIST_TOP + i;
		bool sel = c->scroll + i == c->sel;
		attr_t a = sel ? ui_theme_attr(UI_FACE_SELECTED) : ui_theme_attr(UI_FACE_NORMAL);
		ui_widget_fill(stdscr, y, 0, COLS, a);
		if (sel)
			ui_widget_put(stdscr, y, 0, 2, ">", a | A_BOLD, false);
		local_time(k->raised_at, when, sizeof when);
		ui_widget_put(stdscr, y, 2, 13, ui_sync_entity_name(k->entity), a, false);
		ui_widget_put(stdscr, y, 16, 30, c->labels[c->scroll + i], a, false);
		ui_widget_put(stdscr, y, 47, 16, k->fields, a, false);
		ui_widget_put(stdscr, y, 64, COLS - 65, when, a, false);
	}
	if (c->n)
		move(top + LIST_TOP + c->sel - c->scroll, 0);
}

static void draw_detail(struct conflicts *c, int top, int height)
{
	const struct db_sync_conflict *k = &c->v[c->cur];
	const char *hidden = _("(medical: evaluators and doctors only)");
	int wl = 16, w = (COLS - 4 - wl - 2) / 3, xo = 2 + wl + 2, xt = xo + w + 1, xb = xt + w + 1;
	attr_t h = ui_theme_attr(UI_FACE_HEADING);
	char title[300];
	int y = top;

	snprintf(title, sizeof title, _("%s %s: the same fields changed here and centrally"),
	         ui_sync_entity_name(k->entity), c->labels[c->cur]);
	ui_widget_put(stdscr, y++, 1, COLS - 2, title, ui_theme_attr(UI_FACE_LABEL) | A_BOLD,
	              false);
	y++;
	ui_widget_put(stdscr, y, 2, wl, _("Field"), h, false);
	ui_widget_put(stdscr, y, xo, w, _("Ours (this cache)"), h, false);
	ui_widget_put(stdscr, y, xt, w, _("Theirs (central)"), h, false);
	ui_widget_put(stdscr, y, xb, COLS - xb - 1, _("Base (before both)"), h, false);
	y++;
	for (int i = 0; i <= c->nf && y < top + height - 4; i++, y++) {
		bool sel = i == c->fsel;
		attr_t a = sel ? ui_theme_attr(UI_FACE_SELECTED) : ui_theme_attr(UI_FACE_NORMAL);
		ui_widget_fill(stdscr, y, 0, COLS, a);
		if (sel)
			ui_widget_put(stdscr, y, 0, 2, ">", a | A_BOLD, false);
		if (i == 0) {
			ui_widget_put(stdscr, y, 2, COLS - 3,
			              _("(all fields: Left keeps all ours, Right all theirs)"), a,
			              false);
			continue;
		}
		const struct field_row *f = &c->f[i - 1];
		char o[600], t[600];
		/* The choice in words and a marker, never by colour alone. */
		snprintf(o, sizeof o, "%s %s", f->take_ours ? "[x]" : "[ ]",
		         f->hidden  ? hidden
		         : *f->ours ? f->ours
		                    : "—");
		snprintf(t, sizeof t, "%s %s", f->take_ours ? "[ ]" : "[x]",
		         f->hidden    ? hidden
		         : *f->theirs ? f->theirs
		                      : "—");
		ui_widget_put(stdscr, y, 2, wl, field_label(f->name), a | A_BOLD, false);
		ui_widget_put(stdscr, y, xo, w, o, a, false);
		ui_widget_put(stdscr, y, xt, w, t, a, false);
		ui_widget_put(stdscr, y, xb, COLS - xb - 1,
		              f->hidden  ? hidden
		              : *f->base ? f->base
		                         : "—",
		              a, false);
	}
	y++;
	if (*c->note && y < top + height)
		ui_widget_wrap(stdscr, y, 2, COLS - 4, top + height - y, c->note,
		               ui_theme_attr(UI_FACE_WARNING));
	move(top + 3 + c->fsel, 0);
}

static bool conflicts_draw(void *p, struct ui_app *app, int top, int height)
{
	struct conflicts *c = p;

	(void)app;
	if (c->detail && c->cur < c->n)
		draw_detail(c, top, height);
	else
		draw_list(c, top, height);
	return false;
}

static enum perm perm_for(const char *entity)
{
	if (strcmp(entity, "person") == 0)
		return PERM_PERSON_EDIT;
	if (strcmp(entity, "application") == 0 || strcmp(entity, "application_document") == 0)
		return PERM_APPLICATION_EDIT;
	return PERM_PERSON_VIEW;
}

/* The chosen values as a JSON object: ours for each field chosen so
 * (theirs is what the cache already holds). */
static char *chosen(struct conflicts *c, int *n_ours)
{
	const struct db_sync_conflict *k = &c->v[c->cur];
	json_t *ours = json_loads(k->ours, 0, NULL), *out = json_object();
	char *text;

	*n_ours = 0;
	for (int i = 0; i < c->nf; i++) {
		json_t *v = json_object_get(ours, c->f[i].name);
		if (!c->f[i].take_ours || !v)
			continue;
		json_object_set(out, c->f[i].name, v);
		(*n_ours)++;
	}
	text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(out);
	json_decref(ours);
	if (!text)
		ui_app_fail("out of memory");
	return text;
}

static void ask_save(struct conflicts *c, struct ui_app *app)
{
	struct session *s = ui_app_session(app);
	char text[1024], *cause = NULL, *values;
	int n_ours;

	for (int i = 0; i < c->nf; i++)
		if (c->f[i].hidden) {
			ui_status_error("%s",
			                _("this conflict holds medical content: an evaluator or a "
			                  "doctor decides it"));
			return;
		}
	if (session_require(s, perm_for(c->v[c->cur].entity), &cause)) {
		ui_status_error("%s", cause ? cause : _("not allowed for your role"));
		free(cause);
		return;
	}
	values = chosen(c, &n_ours);
	free(values);
	if (n_ours == 0)
		snprintf(text, sizeof text, "%s",
		         _("Keep theirs for every field: the record stays as the central service "
		           "has it, and our values are set aside."));
	else if (n_ours == c->nf)
		snprintf(text, sizeof text, "%s",
		         _("Keep ours for every field: our values are sent to the central service "
		           "again."));
	else
		snprintf(text, sizeof text,
		         ngettext("Keep ours for %d field and theirs for the others.",
		                  "Keep ours for %d fields and theirs for the others.", n_ours),
		         n_ours);
	ui_confirm_open(&c->confirm, ASK_SAVE, _("Resolve this conflict?"), text,
	                _("Enter: resolve"), _("Esc: not yet"));
}

static void resolve(struct conflicts *c, struct ui_app *app)
{
	struct session *s = ui_app_session(app);
	char *cause = NULL, *values, id[37];
	int n_ours;

	values = chosen(c, &n_ours);
	snprintf(id, sizeof id, "%s", c->v[c->cur].id);
	if (db_sync_conflict_resolve(s->cache, id, values, s->me.meta.id, &cause)) {
		ui_status_error("%s", cause ? cause : _("cannot resolve the conflict"));
		free(cause);
		free(values);
		return;
	}
	free(values);
	c->detail = false;
	load(c, s);
	ui_status_info("%s", _("Conflict resolved; the decision goes to the central service."));
}

static void choose(struct conflicts *c, int take) /* 1 ours, 0 theirs, -1 switch */
{
	for (int i = 0; i < c->nf; i++) {
		struct field_row *f = &c->f[i];
		if (c->fsel != 0 && c->fsel != i + 1)
			continue;
		bool want = take < 0 ? !f->take_ours : take == 1;
		if (want && f->fixed) {
			ui_status_warning("%s", c->note);
			continue;
		}
		f->take_ours = want;
	}
}

static int conflicts_handle(void *p, struct ui_app *app, enum ui_action a, wint_t ch)
{
	struct conflicts *c = p;

	(void)ch;
	if (c->confirm.open) {
		int r = ui_confirm_handle(&c->confirm, a);
		if (r < 0)
			return a == UI_ACT_HELP || a == UI_ACT_REDRAW || a == UI_ACT_QUIT
			           ? UI_IGNORED
			           : UI_HANDLED;
		if (r == 1)
			resolve(c, app);
		return UI_HANDLED;
	}
	if (!c->detail) {
		switch (a) {
		case UI_ACT_DOWN:
			if (c->sel + 1 < c->n)
				c->sel++;
			return UI_HANDLED;
		case UI_ACT_UP:
			if (c->sel > 0)
				c->sel--;
			return UI_HANDLED;
		case UI_ACT_OPEN:
		case UI_ACT_RIGHT:
			if (c->sel < c->n)
				open_detail(c, c->sel);
			return UI_HANDLED;
		default:
			return UI_IGNORED;
		}
	}
	switch (a) {
	case UI_ACT_DOWN:
		if (c->fsel < c->nf)
			c->fsel++;
		return UI_HANDLED;
	case UI_ACT_UP:
		if (c->fsel > 0)
			c->fsel--;
		return UI_HANDLED;
	case UI_ACT_LEFT:
		choose(c, 1);
		return UI_HANDLED;
	case UI_ACT_RIGHT:
		choose(c, 0);
		return UI_HANDLED;
	case UI_ACT_TOGGLE:
		choose(c, -1);
		return UI_HANDLED;
	case UI_ACT_SAVE:
	case UI_ACT_OPEN:
		ask_save(c, app);
		return UI_HANDLED;
	case UI_ACT_BACK:
		c->detail = false;
		return UI_HANDLED;
	default:
		return UI_IGNORED;
	}
}

/* The confirm box goes over the screen, after stdscr. */
static bool conflicts_overlay(void *p, struct ui_app *app, int top, int height)
{
	struct conflicts *c = p;

	(void)app;
	if (c->confirm.open)
		ui_confirm_draw(&c->confirm, top, height);
	return false;
}

static enum ui_focus conflicts_focus(void *p)
{
	(void)p;
	return UI_FOCUS_NONE;
}

/* Data changed (a pull, another process): read the list again; an open
 * conflict resolved elsewhere closes. */
static void conflicts_reload(void *p, struct ui_app *app)
{
	struct conflicts *c = p;
	char id[37] = "";
	bool still = false;

	if (c->detail && c->cur < c->n)
		snprintf(id, sizeof id, "%s", c->v[c->cur].id);
	load(c, ui_app_session(app));
	for (int i = 0; c->detail && i < c->n; i++)
		if (strcmp(c->v[i].id, id) == 0) {
			c->cur = i;
			still = true;
		}
	if (c->detail && !still) {
		c->detail = false;
		c->confirm.open = false;
		ui_status_info("%s", _("That conflict was resolved meanwhile."));
	}
}

static void conflicts_free(void *p)
{
	struct conflicts *c = p;

	if (!c)
		return;
	free_list(c);
	free(c->f);
	free(c);
}

const struct ui_screen_type ui_conflicts_screen = {
    .name = N_("Sync conflicts"),
    .help = conflicts_keys,
    .init = conflicts_init,
    .draw = conflicts_draw,
    .overlay = conflicts_overlay,
    .handle = conflicts_handle,
    .focus = conflicts_focus,
    .reload = conflicts_reload,
    .free = conflicts_free,
};
