/* search.c: the person search screen (home): a query line whose results
 * follow each keystroke, and the list of persons found. */
#include "autoconf.h"

#include "ui/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/search.h"
#include "src/date.h"
#include "src/i18n.h"
#include "src/insz.h"
#include "src/session.h"
#include "ui/status.h"
#include "ui/theme.h"
#include "ui/widget.h"

#define MAX_HITS 100 /* the most the list holds: past that, type more */
#define LIST_TOP 3   /* rows above the list: query, count, headers */

struct search {
	struct ui_line q;
	bool in_list; /* focus: the list (j/k work) or the query (typing) */
	bool run;     /* the query changed: search before drawing */
	bool more;    /* the last search stopped at what it asked for */
	bool to_end;  /* End in the list: read all there is, then go last */
	struct search_hit hits[MAX_HITS];
	int n;
	int asked; /* hits asked for by the last search, 0 after a new query */
	int sel, scroll;
	int rows; /* list rows at the last draw */
};

static const struct ui_help_entry search_keys[] = {
    {UI_ACT_CHAR, N_("type a name (any order, accents optional), an INSZ or a birth date"), NULL},
    {UI_ACT_OPEN, N_("open the selected person's card"), N_("Open")},
    {UI_ACT_DOWN, N_("next person (from the query: into the list)"), NULL},
    {UI_ACT_UP, N_("previous person (from the top: back to the query)"), NULL},
    {UI_ACT_PAGE_DOWN, NULL, NULL},
    {UI_ACT_PAGE_UP, NULL, NULL},
    {UI_ACT_HOME, N_("first person, or start of the query"), NULL},
    {UI_ACT_END, N_("last person, or end of the query"), NULL},
    {UI_ACT_SEARCH, N_("back to the query line"), NULL},
    {UI_ACT_BACK, N_("back to the query, or clear it"), NULL},
    {UI_ACT_CLEAR, N_("clear the query"), NULL},
    {UI_ACT_BACKSPACE, NULL, NULL},
    {UI_ACT_DELETE, NULL, NULL},
    {UI_ACT_NEW_INTAKE, N_("new intake, pre-filled with the query"), N_("New")},
    {UI_ACT_SETTINGS, NULL, N_("Settings")},
    {UI_ACT_SYNC_NOW, NULL, NULL},
    {UI_ACT_CONFLICTS, NULL, NULL},
    {UI_ACT_REJECTED, NULL, NULL},
    {UI_ACT_HELP, NULL, N_("Help")},
    {UI_ACT_REDRAW, NULL, NULL},
    {UI_ACT_QUIT, NULL, N_("Quit")},
    {UI_ACT_NONE, NULL, NULL},
};

static void *search_init(struct ui_app *app, const struct ui_screen_arg *arg)
{
	struct search *se = ui_app_xcalloc(1, sizeof *se);
	(void)app;
	ui_line_set(&se->q, arg->text);
	se->run = true;
	return se;
}

/* Hits the list needs from where it stands: the rows it shows (before the
 * first draw: as many as the terminal has), or down to the selection, and
 * one more to know whether there are more. */
static int hits_needed(const struct search *se)
{
	int rows = se->rows > 0 ? se->rows : LINES;
	int need = se->scroll + rows > se->sel + 1 ? se->scroll + rows : se->sel + 1;

	return need + 1 < MAX_HITS ? need + 1 : MAX_HITS;
}

/*
 * Search for no more than the list can show: the cost of a search grows
 * with the hits asked for, and the first keystroke of a cold cache ("d")
 * matches tens of thousands.  Scrolling past what was read reads again, a
 * page further, up to MAX_HITS; a reload (data changed, or back from a
 * card) keeps what was read so the selection stays put.
 */
static void search_prepare(void *p, struct ui_app *app)
{
	struct search *se = p;
	int ask = hits_needed(se);

	if (se->to_end)
		ask = MAX_HITS;
	if (!se->run) {
		if (!se->more || se->asked >= MAX_HITS || ask <= se->n)
			return;
		ask += se->rows; /* a page ahead: not a search per line scrolled */
	}
	if (ask < se->asked)
		ask = se->asked;
	if (ask > MAX_HITS)
		ask = MAX_HITS;
	se->run = false;
	se->asked = ask;
	if (db_search_persons(ui_app_session(app)->cache, se->q.text, se->hits, ask, &se->n)) {
		se->n = 0;
		ui_status_error("%s", _("the search failed; the cache may be damaged"));
	}
	se->more = se->n > 0 && se->n >= ask;
	if (se->to_end && se->n)
		se->sel = se->n - 1;
	se->to_end = false;
	if (se->sel >= se->n)
		se->sel = se->n ? se->n - 1 : 0;
	if (!se->n)
		se->in_list = false;
}

static void format_insz(const char *digits, char out[16])
{
	struct insz n;
	if (*digits && insz_parse(digits, &n) == INSZ_OK)
		insz_format(&n, out);
	else
		snprintf(out, 16, "%s", *digits ? digits : "—");
}

static void format_date(const char *iso, char out[11])
{
	struct date d;
	if (*iso && date_parse(iso, &d))
		date_format_be(d, out);
	else
		snprintf(out, 11, "%s", "");
}

static bool search_draw(void *p, struct ui_app *app, int top, int height)
{
	struct search *se = p;
	const char *label = _("Search:");
	char line[160], insz[16], born[11], place[80];
	int lx = 1, fx, fw, cx;

	(void)app;
	/* The query line. */
	lx +=
	    ui_widget_put(stdscr, top, lx, 20, label, ui_theme_attr(UI_FACE_LABEL) | A_BOLD, false);
	fx = lx + 1;
	fw = COLS - fx - 1;
	const char *shown = se->q.text;
	int ccol = ui_line_cursor_col(&se->q);
	while (ccol > fw - 1 && *shown) { /* keep the cursor in the field */
		const char *nx = shown + 1;
		while ((*nx & 0xC0) == 0x80)
			nx++;
		char head[2 * sizeof se->q.text];
		snprintf(head, sizeof head, "%.*s", (int)(nx - shown), shown);
		ccol -= ui_widget_width(head);
		shown = nx;
	}
	ui_widget_put(stdscr, top, fx, fw, shown, ui_theme_attr(UI_FACE_FIELD), true);
	if (!se->q.len)
		ui_widget_put(stdscr, top, fx, fw, _("name, INSZ or birth date"),
		              ui_theme_attr(UI_FACE_FIELD) | A_DIM, false);
	cx = fx + ccol;

	/* How many. */
	if (!se->q.len)
		snprintf(line, sizeof line, "%s", _("Type to search; F3 registers a new person."));
	else if (se->n == 0)
		snprintf(line, sizeof line, "%s", _("No person found."));
	else if (se->more)
		snprintf(line, sizeof line, _("The first %d persons: type more to narrow."), se->n);
	else
		snprintf(line, sizeof line,
		         ngettext("%d person found.", "%d persons found.", se->n), se->n);
	ui_widget_put(stdscr, top + 1, 1, COLS - 2, line, ui_theme_attr(UI_FACE_DIM), false);

	/* Columns: marker, INSZ, family, given, born, postcode + municipality. */
	int flex = COLS - 2 - 16 - 11 - 5 - 3;
	int wf = flex * 35 / 100, wg = flex * 30 / 100, wm = flex - wf - wg;
	int xi = 2, xf = xi + 16, xg = xf + wf + 1, xb = xg + wg + 1, xp = xb + 11;
	int hy = top + 2;
	attr_t h = ui_theme_attr(UI_FACE_HEADING);
	ui_widget_put(stdscr, hy, xi, 15, _("INSZ"), h, false);
	ui_widget_put(stdscr, hy, xf, wf, _("Family name"), h, false);
	ui_widget_put(stdscr, hy, xg, wg, _("Given name"), h, false);
	ui_widget_put(stdscr, hy, xb, 10, _("Born"), h, false);
	ui_widget_put(stdscr, hy, xp, wm + 5, _("Postcode, municipality"), h, false);

	se->rows = height - LIST_TOP;
	if (se->rows < 1)
		se->rows = 1;
	if (se->sel < se->scroll)
		se->scroll = se->sel;
	if (se->sel >= se->scroll + se->rows)
		se->scroll = se->sel - se->rows + 1;
	for (int i = 0; i < se->rows && se->scroll + i < se->n; i++) {
		const struct search_hit *hit = &se->hits[se->scroll + i];
		int y = top + LIST_TOP + i;
		bool sel = se->scroll + i == se->sel;
		attr_t a = sel && se->in_list ? ui_theme_attr(UI_FACE_SELECTED)
		                              : ui_theme_attr(UI_FACE_NORMAL);
		ui_widget_fill(stdscr, y, 0, COLS, a);
		if (sel)
			ui_widget_put(stdscr, y, 0, 2, ">", a | A_BOLD, false);
		format_insz(hit->insz, insz);
		format_date(hit->birth_date, born);
		snprintf(place, sizeof place, "%s %s", hit->postcode, hit->municipality);
		ui_widget_put(stdscr, y, xi, 15, insz, a, false);
		ui_widget_put(stdscr, y, xf, wf, hit->family_name, a, false);
		ui_widget_put(stdscr, y, xg, wg, hit->given_name, a, false);
		ui_widget_put(stdscr, y, xb, 10, born, a, false);
		ui_widget_put(stdscr, y, xp, COLS - xp, place, a, false);
	}
	if (se->in_list) {
		/* The hidden cursor on the selection: screen readers follow it. */
		move(top + LIST_TOP + se->sel - se->scroll, 0);
		return false;
	}
	move(top, cx);
	return true;
}

static void open_selected(struct search *se, struct ui_app *app)
{
	struct ui_screen_arg arg;

	if (se->sel < 0 || se->sel >= se->n)
		return;
	memset(&arg, 0, sizeof arg);
	snprintf(arg.person_id, sizeof arg.person_id, "%s", se->hits[se->sel].person_id);
	ui_app_push(app, UI_SCREEN_CARD, &arg);
}

static int query_key(struct search *se, enum ui_action a, wint_t ch)
{
	int r = ui_line_edit(&se->q, a, ch);
	if (r < 0)
		return UI_IGNORED;
	if (r > 0) {
		se->run = true;
		se->sel = 0;
		se->scroll = 0;
		se->asked = 0; /* a new query: a screenful again */
		se->to_end = false;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int search_handle(void *p, struct ui_app *app, enum ui_action a, wint_t ch)
{
	struct search *se = p;
	struct ui_screen_arg arg;
	int page = se->rows > 1 ? se->rows - 1 : 1;

	switch (a) {
	case UI_ACT_OPEN:
		open_selected(se, app);
		return UI_HANDLED;
	case UI_ACT_NEW_INTAKE:
		memset(&arg, 0, sizeof arg);
		arg.mode = UI_INTAKE_NEW;
		arg.text = se->q.text;
		ui_app_push(app, UI_SCREEN_INTAKE, &arg);
		return UI_HANDLED;
	case UI_ACT_DOWN:
	case UI_ACT_NEXT_FIELD:
		if (!se->in_list) {
			if (se->n)
				se->in_list = true;
			se->sel = 0;
		} else if (se->sel + 1 < se->n) {
			se->sel++;
		}
		return UI_HANDLED;
	case UI_ACT_UP:
	case UI_ACT_PREV_FIELD:
		if (se->in_list && se->sel == 0)
			se->in_list = false;
		else if (se->in_list)
			se->sel--;
		return UI_HANDLED;
	case UI_ACT_PAGE_DOWN:
		if (!se->n)
			return UI_HANDLED;
		se->in_list = true;
		se->sel = se->sel + page < se->n ? se->sel + page : se->n - 1;
		return UI_HANDLED;
	case UI_ACT_PAGE_UP:
		se->sel = se->sel > page ? se->sel - page : 0;
		return UI_HANDLED;
	case UI_ACT_SEARCH:
		se->in_list = false;
		return UI_HANDLED;
	case UI_ACT_BACK:
		if (se->in_list)
			se->in_list = false;
		else
			query_key(se, UI_ACT_CLEAR, 0);
		return UI_HANDLED; /* the home screen: Esc never leaves */
	case UI_ACT_HOME:
	case UI_ACT_END:
		if (se->in_list) {
			se->sel = a == UI_ACT_HOME || !se->n ? 0 : se->n - 1;
			se->to_end = a == UI_ACT_END && se->more && se->asked < MAX_HITS;
			return UI_HANDLED;
		}
		return query_key(se, a, ch);
	case UI_ACT_CHAR:
	case UI_ACT_BACKSPACE:
	case UI_ACT_DELETE:
	case UI_ACT_CLEAR:
	case UI_ACT_LEFT:
	case UI_ACT_RIGHT:
		/* Typing in the list goes on typing in the query. */
		se->in_list = false;
		return query_key(se, a, ch);
	default:
		return UI_IGNORED;
	}
}

static enum ui_focus search_focus(void *p)
{
	const struct search *se = p;
	/* Names, numbers and dates have no '?': it stays help here. */
	return se->in_list ? UI_FOCUS_NONE : UI_FOCUS_QUERY;
}

static void search_reload(void *p, struct ui_app *app)
{
	struct search *se = p;
	(void)app;
	se->run = true;
}

static void search_free(void *p)
{
	free(p);
}

const struct ui_screen_type ui_search_screen = {
    .name = N_("Person search"),
    .help = search_keys,
    .init = search_init,
    .prepare = search_prepare,
    .draw = search_draw,
    .handle = search_handle,
    .focus = search_focus,
    .reload = search_reload,
    .free = search_free,
};
