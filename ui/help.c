/* help.c: the help screen: the keys of the screen below it, generated from
 * that screen's help table and the keymap, so it lists what really works. */
#include "autoconf.h"

#include "ui/help.h"

#include <stdio.h>
#include <stdlib.h>

#include "src/i18n.h"
#include "ui/app.h"
#include "ui/theme.h"
#include "ui/widget.h"

#define KEYS_COLS 26

struct help {
	enum ui_screen_id about;
	int scroll;
	int height; /* of the content area at the last draw */
};

static const struct ui_help_entry help_keys[] = {
    {UI_ACT_BACK, N_("close the help"), N_("Back")},
    {UI_ACT_UP, N_("scroll up"), NULL},
    {UI_ACT_DOWN, N_("scroll down"), NULL},
    {UI_ACT_PAGE_UP, NULL, NULL},
    {UI_ACT_PAGE_DOWN, NULL, NULL},
    {UI_ACT_QUIT, NULL, N_("Quit")},
    {UI_ACT_NONE, NULL, NULL},
};

static void *help_init(struct ui_app *app, const struct ui_screen_arg *arg)
{
	struct help *h = ui_app_xcalloc(1, sizeof *h);
	(void)app;
	h->about = arg->about;
	return h;
}

static int entries(const struct ui_help_entry *e)
{
	int n = 0;
	while (e && e[n].action != UI_ACT_NONE)
		n++;
	return n;
}

static bool help_draw(void *p, struct ui_app *app, int top, int height)
{
	struct help *h = p;
	const struct ui_screen_type *t = ui_app_screen_type(h->about);
	char title[256], keys[128];
	int n = entries(t->help), rows = height - 3;

	(void)app;
	h->height = height;
	if (h->scroll > n - rows)
		h->scroll = n - rows;
	if (h->scroll < 0)
		h->scroll = 0;
	snprintf(title, sizeof title, _("Keys of the screen \"%s\""), _(t->name));
	ui_widget_put(stdscr, top + 1, 2, COLS - 4, title, ui_theme_attr(UI_FACE_HEADING), false);
	for (int i = 0; i < rows && h->scroll + i < n; i++) {
		const struct ui_help_entry *e = &t->help[h->scroll + i];
		if (e->action == UI_ACT_CHAR)
			snprintf(keys, sizeof keys, "%s", _("(typing)"));
		else
			ui_keymap_keys(e->action, false, t->typing, keys, sizeof keys);
		ui_widget_put(stdscr, top + 2 + i, 4, KEYS_COLS - 1, keys,
		              ui_theme_attr(UI_FACE_HINT_KEY), false);
		ui_widget_put(stdscr, top + 2 + i, 4 + KEYS_COLS, COLS - 6 - KEYS_COLS,
		              e->what ? _(e->what) : ui_keymap_describe(e->action),
		              ui_theme_attr(UI_FACE_NORMAL), false);
	}
	if (h->scroll + rows < n)
		ui_widget_put(stdscr, top + height - 1, 4, COLS - 8, _("(more: PgDn)"),
		              ui_theme_attr(UI_FACE_DIM), false);
	return false;
}

static int help_handle(void *p, struct ui_app *app, enum ui_action a, wint_t ch)
{
	struct help *h = p;
	int page = h->height > 4 ? h->height - 4 : 1;

	(void)ch;
	switch (a) {
	case UI_ACT_UP:
		h->scroll--;
		break;
	case UI_ACT_DOWN:
		h->scroll++;
		break;
	case UI_ACT_PAGE_UP:
		h->scroll -= page;
		break;
	case UI_ACT_PAGE_DOWN:
		h->scroll += page;
		break;
	case UI_ACT_HELP:
	case UI_ACT_BACK:
	case UI_ACT_OPEN:
		ui_app_pop(app);
		break;
	default:
		return UI_IGNORED;
	}
	return UI_HANDLED | UI_REDRAW;
}

static enum ui_focus help_focus(void *p)
{
	(void)p;
	return UI_FOCUS_NONE;
}

static void help_free(void *p)
{
	free(p);
}

const struct ui_screen_type ui_help_screen = {
    .name = N_("Help"),
    .help = help_keys,
    .init = help_init,
    .draw = help_draw,
    .handle = help_handle,
    .focus = help_focus,
    .free = help_free,
};
