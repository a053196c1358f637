/* rejected.c: the changes the central service rejected (design.md 5,
 * property 9: kept, visible, retryable): what, which record, when, the
 * service's reason; retry, discard (asks first), or edit the person and
 * then retry. */
#include "autoconf.h"

#include "ui/rejected.h"

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

#define LIST_TOP    2 /* rows above the list: count, headers */
#define REASON_MAX  5 /* rows below the list for the selected change's reason */
#define ASK_DISCARD 1

struct rejected {
	struct db_sync_rejected *v;
	int n;
	char (*labels)[160];
	int sel, scroll, rows;
	struct ui_confirm confirm;
	struct person edit; /* the person the intake screen edits (lives here) */
};

static const struct ui_help_entry rejected_keys[] = {
    {UI_ACT_SYNC_NOW, N_("send the selected change again, now"), N_("Retry")},
    {UI_ACT_EDIT, N_("edit the person of the selected change (then retry)"), N_("Edit")},
    {UI_ACT_OPEN, N_("edit the person of the selected change (then retry)"), NULL},
    {UI_ACT_DELETE, N_("discard the selected change for good (asks first)"), N_("Discard")},
    {UI_ACT_DOWN, N_("next change"), NULL},
    {UI_ACT_UP, N_("previous change"), NULL},
    {UI_ACT_BACK, NULL, N_("Back")},
    {UI_ACT_CONFLICTS, NULL, NULL},
    {UI_ACT_HELP, NULL, N_("Help")},
    {UI_ACT_REDRAW, NULL, NULL},
    {UI_ACT_QUIT, NULL, N_("Quit")},
    {UI_ACT_NONE, NULL, NULL},
};

static const char *op_name(const char *op)
{
	if (strcmp(op, "insert") == 0)
		return _("new");
	if (strcmp(op, "update") == 0)
		return _("change");
	if (strcmp(op, "delete") == 0)
		return _("delete");
	return op;
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

static void free_list(struct rejected *r)
{
	free(r->v);
	free(r->labels);
	r->v = NULL;
	r->labels = NULL;
	r->n = 0;
}

static void load(struct rejected *r, struct session *s)
{
	struct person p;

	free_list(r);
	if (db_sync_rejected_list(s->cache, &r->v, &r->n)) {
		ui_status_error("%s",
		                _("cannot read the rejected changes; the cache may be damaged"));
		r->v = NULL;
		r->n = 0;
	}
	r->labels = ui_app_xcalloc((size_t)(r->n ? r->n : 1), sizeof *r->labels);
	for (int i = 0; i < r->n; i++) {
		if (strcmp(r->v[i].entity, "person") == 0 &&
		    db_person_get(s->cache, r->v[i].row_id, &p) == RC_OK)
			person_display_name(&p, r->labels[i], sizeof r->labels[i]);
		else
			snprintf(r->labels[i], sizeof r->labels[i], "%.8s", r->v[i].row_id);
	}
	if (r->sel >= r->n)
		r->sel = r->n ? r->n - 1 : 0;
}

static void *rejected_init(struct ui_app *app, const struct ui_screen_arg *arg)
{
	struct rejected *r = ui_app_xcalloc(1, sizeof *r);

	(void)arg;
	load(r, ui_app_session(app));
	return r;
}

static bool rejected_draw(void *p, struct ui_app *app, int top, int height)
{
	struct rejected *r = p;
	attr_t h = ui_theme_attr(UI_FACE_HEADING);
	char line[300], when[32];
	int xw = 2, xr = 16, xo = 48, xt = 58;

	(void)app;
	if (!r->n)
		snprintf(line, sizeof line, "%s", _("No rejected change."));
	else
		snprintf(
		    line, sizeof line,
		    ngettext("%d change was rejected by the central service and is kept here.",
		             "%d changes were rejected by the central service and are kept here.",
		             r->n),
		    r->n);
	ui_widget_put(stdscr, top, 1, COLS - 2, line, ui_theme_attr(UI_FACE_DIM), false);
	ui_widget_put(stdscr, top + 1, xw, 13, _("What"), h, false);
	ui_widget_put(stdscr, top + 1, xr, 31, _("Record"), h, false);
	/* TRANSLATORS: column header: what the change did (new, change, delete). */
	ui_widget_put(stdscr, top + 1, xo, 9, _("Operation"), h, false);
	ui_widget_put(stdscr, top + 1, xt, COLS - xt - 1, _("Made"), h, false);
	r->rows = height - LIST_TOP - REASON_MAX - 1;
	if (r->rows < 1)
		r->rows = 1;
	if (r->sel < r->scroll)
		r->scroll = r->sel;
	if (r->sel >= r->scroll + r->rows)
		r->scroll = r->sel - r->rows + 1;
	for (int i = 0; i < r->rows && r->scroll + i < r->n; i++) {
		const struct db_sync_rejected *e = &r->v[r->scroll + i];
		int y = top + LIST_TOP + i;
		bool sel = r->scroll + i == r->sel;
		attr_t a = sel ? ui_theme_attr(UI_FACE_SELECTED) : ui_theme_attr(UI_FACE_NORMAL);
		ui_widget_fill(stdscr, y, 0, COLS, a);
		if (sel)
			ui_widget_put(stdscr, y, 0, 2, ">", a | A_BOLD, false);
		local_time(e->created_at, when, sizeof when);
		ui_widget_put(stdscr, y, xw, 13, ui_sync_entity_name(e->entity), a, false);
		ui_widget_put(stdscr, y, xr, 31, r->labels[r->scroll + i], a, false);
		ui_widget_put(stdscr, y, xo, 9, op_name(e->op), a, false);
		ui_widget_put(stdscr, y, xt, COLS - xt - 1, when, a, false);
	}
	if (r->n) {
		const struct db_sync_rejected *e = &r->v[r->sel];
		int y = top + height - REASON_MAX;
		local_time(e->rejected_at, when, sizeof when);
		/* TRANSLATORS: when the service refused it, then its words. */
		snprintf(line, sizeof line, _("Rejected %s, reason:"), when);
		ui_widget_put(stdscr, y, 1, COLS - 2, line, ui_theme_attr(UI_FACE_LABEL) | A_BOLD,
		              false);
		ui_widget_wrap(stdscr, y + 1, 3, COLS - 4, REASON_MAX - 1, e->reason,
		               ui_theme_attr(UI_FACE_WARNING));
		move(top + LIST_TOP + r->sel - r->scroll, 0);
	}
	return false;
}

static void retry(struct rejected *r, struct ui_app *app)
{
	struct session *s = ui_app_session(app);
	char *cause = NULL;

	if (db_sync_rejected_retry(s->cache, r->v[r->sel].seq, &cause)) {
		ui_status_error("%s", cause ? cause : _("cannot send the change again"));
		free(cause);
		return;
	}
	load(r, s);
	ui_app_sync_now(app);
}

static void discard(struct rejected *r, struct ui_app *app)
{
	struct session *s = ui_app_session(app);
	char *cause = NULL;

	if (db_sync_rejected_discard(s->cache, r->v[r->sel].seq, &cause)) {
		ui_status_error("%s", cause ? cause : _("cannot discard the change"));
		free(cause);
		return;
	}
	load(r, s);
	ui_status_info("%s", _("Change discarded."));
}

static void edit(struct rejected *r, struct ui_app *app)
{
	struct session *s = ui_app_session(app);
	const struct db_sync_rejected *e = &r->v[r->sel];
	struct ui_screen_arg arg;
	char *cause = NULL;

	if (strcmp(e->entity, "person") != 0 || strcmp(e->op, "delete") == 0) {
		ui_status_info("%s", _("Only a person's data can be edited from here: retry or "
		                       "discard this change."));
		return;
	}
	if (session_require(s, PERM_PERSON_EDIT, &cause) ||
	    session_view_person(s, e->row_id, &r->edit, &cause)) {
		ui_status_error("%s", cause ? cause : _("cannot open the person"));
		free(cause);
		return;
	}
	memset(&arg, 0, sizeof arg);
	snprintf(arg.person_id, sizeof arg.person_id, "%s", e->row_id);
	arg.person = &r->edit;
	arg.mode = UI_INTAKE_EDIT;
	ui_app_push(app, UI_SCREEN_INTAKE, &arg);
	ui_status_info("%s", _("Correct the data and save; then retry the change (F5)."));
}

static int rejected_handle(void *p, struct ui_app *app, enum ui_action a, wint_t ch)
{
	struct rejected *r = p;
	char text[800];

	(void)ch;
	if (r->confirm.open) {
		int k = ui_confirm_handle(&r->confirm, a);
		if (k < 0)
			return a == UI_ACT_HELP || a == UI_ACT_REDRAW || a == UI_ACT_QUIT
			           ? UI_IGNORED
			           : UI_HANDLED;
		if (k == 1 && r->sel < r->n)
			discard(r, app);
		return UI_HANDLED;
	}
	switch (a) {
	case UI_ACT_DOWN:
		if (r->sel + 1 < r->n)
			r->sel++;
		return UI_HANDLED;
	case UI_ACT_UP:
		if (r->sel > 0)
			r->sel--;
		return UI_HANDLED;
	case UI_ACT_SYNC_NOW:
		if (r->sel < r->n)
			retry(r, app);
		else
			ui_app_sync_now(app);
		return UI_HANDLED;
	case UI_ACT_EDIT:
	case UI_ACT_OPEN:
		if (r->sel < r->n)
			edit(r, app);
		return UI_HANDLED;
	case UI_ACT_DELETE:
		if (r->sel >= r->n)
			return UI_HANDLED;
		snprintf(
		    text, sizeof text,
		    _("This change (%s, %s) is dropped and never reaches the central service.\n"
		      "Reason it was rejected: %s"),
		    op_name(r->v[r->sel].op), r->labels[r->sel], r->v[r->sel].reason);
		ui_confirm_open(&r->confirm, ASK_DISCARD, _("Discard this change for good?"), text,
		                _("Enter: discard"), _("Esc: keep it"));
		return UI_HANDLED;
	default:
		return UI_IGNORED;
	}
}

/* The confirm box goes over the screen, after stdscr. */
static bool rejected_overlay(void *p, struct ui_app *app, int top, int height)
{
	struct rejected *r = p;

	(void)app;
	if (r->confirm.open)
		ui_confirm_draw(&r->confirm, top, height);
	return false;
}

static enum ui_focus rejected_focus(void *p)
{
	(void)p;
	return UI_FOCUS_NONE;
}

static void rejected_reload(void *p, struct ui_app *app)
{
	load(p, ui_app_session(app));
}

static void rejected_free(void *p)
{
	struct rejected *r = p;

	if (!r)
		return;
	free_list(r);
	free(r);
}

const struct ui_screen_type ui_rejected_screen = {
    .name = N_("Rejected changes"),
    .help = rejected_keys,
    .init = rejected_init,
    .draw = rejected_draw,
    .overlay = rejected_overlay,
    .handle = rejected_handle,
    .focus = rejected_focus,
    .reload = rejected_reload,
    .free = rejected_free,
};
