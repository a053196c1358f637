/* settings.c: the settings screen: language and theme, applied at once and
 * stored in the user's configuration file. */
#include "autoconf.h"

#include "ui/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config.h"
#include "src/i18n.h"
#include "src/session.h"
#include "ui/status.h"
#include "ui/theme.h"
#include "ui/widget.h"

enum item { ITEM_LANGUAGE, ITEM_THEME, ITEM_COUNT };

struct settings {
	int sel;
};

/* Each language in its own name: whoever cannot read the current one can
 * still find theirs. */
static const struct {
	const char *code, *name;
} languages[] = {
    {"nl", "Nederlands"},
    {"fr", "Français"},
    {"de", "Deutsch"},
    {"en", "English"},
};
#define NLANG ((int)(sizeof languages / sizeof languages[0]))

static const struct ui_help_entry settings_keys[] = {
    {UI_ACT_DOWN, N_("next setting"), NULL},
    {UI_ACT_UP, N_("previous setting"), NULL},
    {UI_ACT_RIGHT, N_("next choice (applied and saved at once)"), N_("Change")},
    {UI_ACT_LEFT, N_("previous choice"), NULL},
    {UI_ACT_TOGGLE, N_("next choice"), NULL},
    {UI_ACT_OPEN, N_("next choice"), NULL},
    {UI_ACT_BACK, N_("back"), N_("Back")},
    {UI_ACT_HELP, NULL, N_("Help")},
    {UI_ACT_QUIT, NULL, N_("Quit")},
    {UI_ACT_NONE, NULL, NULL},
};

static void *settings_init(struct ui_app *app, const struct ui_screen_arg *arg)
{
	(void)app;
	(void)arg;
	return ui_app_xcalloc(1, sizeof(struct settings));
}

static int lang_index(void)
{
	for (int i = 0; i < NLANG; i++)
		if (strcmp(languages[i].code, i18n_language()) == 0)
			return i;
	return NLANG - 1;
}

static int theme_index(void)
{
	const char *const *names = ui_theme_names();
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], ui_theme_name()) == 0)
			return i;
	return 0;
}

static bool settings_draw(void *p, struct ui_app *app, int top, int height)
{
	struct settings *se = p;
	struct session *s = ui_app_session(app);
	const char *labels[ITEM_COUNT] = {_("Language"), _("Theme")};
	char value[160], *path;
	(void)height;

	ui_widget_put(stdscr, top + 1, 2, COLS - 4, _("Settings (stored for you, applied at once)"),
	              ui_theme_attr(UI_FACE_HEADING), false);
	for (int i = 0; i < ITEM_COUNT; i++) {
		int y = top + 3 + i;
		attr_t a =
		    i == se->sel ? ui_theme_attr(UI_FACE_SELECTED) : ui_theme_attr(UI_FACE_NORMAL);
		if (i == ITEM_LANGUAGE)
			snprintf(value, sizeof value, "< %s >", languages[lang_index()].name);
		else
			snprintf(value, sizeof value, "< %s >", ui_theme_label(ui_theme_name()));
		ui_widget_fill(stdscr, y, 0, COLS, a);
		if (i == se->sel)
			ui_widget_put(stdscr, y, 0, 2, ">", a | A_BOLD, false);
		ui_widget_put(stdscr, y, 2, 20, labels[i], a, false);
		ui_widget_put(stdscr, y, 24, COLS - 26, value, a, false);
	}
	if (ui_theme_no_colour())
		ui_widget_put(stdscr, top + 6, 2, COLS - 4,
		              _("Colours are off (NO_COLOR is set, or the terminal has none)."),
		              ui_theme_attr(UI_FACE_DIM), false);
	path = s->cfg && s->cfg->path ? strdup(s->cfg->path) : config_default_config_path();
	if (path) {
		snprintf(value, sizeof value, _("Stored in %s"), path);
		ui_widget_put(stdscr, top + 8, 2, COLS - 4, value, ui_theme_attr(UI_FACE_DIM),
		              false);
		free(path);
	}
	return false;
}

static void store(struct ui_app *app, const char *key, const char *value)
{
	struct session *s = ui_app_session(app);
	char *path = s->cfg && s->cfg->path ? strdup(s->cfg->path) : config_default_config_path();
	char *cause = NULL;

	if (!path || config_set(path, key, value, &cause)) {
		ui_status_error(_("applied, but not stored: %s"),
		                cause ? cause : _("out of memory"));
	} else {
		ui_status_info(_("Saved in %s"), path);
		/* Keep the session's view of the configuration in step. */
		if (s->cfg) {
			char **slot =
			    strcmp(key, "language") == 0 ? &s->cfg->language : &s->cfg->theme;
			char *copy = strdup(value);
			if (copy) {
				free(*slot);
				*slot = copy;
			}
		}
	}
	free(cause);
	free(path);
}

static void change(struct settings *se, struct ui_app *app, int dir)
{
	if (se->sel == ITEM_LANGUAGE) {
		int i = (lang_index() + dir + NLANG) % NLANG;
		i18n_set_language(languages[i].code);
		store(app, "language", languages[i].code);
	} else {
		const char *const *names = ui_theme_names();
		int n = 0;
		while (names[n])
			n++;
		int i = (theme_index() + dir + n) % n;
		ui_theme_set(names[i]);
		clearok(curscr, TRUE); /* every colour changes */
		store(app, "theme", names[i]);
	}
}

static int settings_handle(void *p, struct ui_app *app, enum ui_action a, wint_t ch)
{
	struct settings *se = p;
	(void)ch;

	switch (a) {
	case UI_ACT_UP:
	case UI_ACT_PREV_FIELD:
		se->sel = (se->sel + ITEM_COUNT - 1) % ITEM_COUNT;
		return UI_HANDLED;
	case UI_ACT_DOWN:
	case UI_ACT_NEXT_FIELD:
		se->sel = (se->sel + 1) % ITEM_COUNT;
		return UI_HANDLED;
	case UI_ACT_RIGHT:
	case UI_ACT_TOGGLE:
	case UI_ACT_OPEN:
		change(se, app, 1);
		return UI_HANDLED;
	case UI_ACT_LEFT:
		change(se, app, -1);
		return UI_HANDLED;
	case UI_ACT_SETTINGS:
		return UI_HANDLED;
	default:
		return UI_IGNORED;
	}
}

static enum ui_focus settings_focus(void *p)
{
	(void)p;
	return UI_FOCUS_NONE;
}

static void settings_free(void *p)
{
	free(p);
}

const struct ui_screen_type ui_settings_screen = {
    .name = N_("Settings"),
    .help = settings_keys,
    .init = settings_init,
    .draw = settings_draw,
    .handle = settings_handle,
    .focus = settings_focus,
    .free = settings_free,
};
