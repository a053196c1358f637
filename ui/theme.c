/* theme.c: the default, high-contrast and mono themes, and NO_COLOR. */
#include "autoconf.h"

#include "ui/theme.h"

#include <stdlib.h>
#include <string.h>

#include "src/i18n.h"

struct face_style {
	short fg, bg; /* -1: the terminal's default */
	attr_t attr;  /* added in every theme, colour or not */
};

/* Each face keeps its non-colour attribute in every theme (selection is
 * reverse video, fields are underlined), so mono loses no meaning. */
static const struct face_style default_styles[UI_FACE_COUNT] = {
    [UI_FACE_NORMAL] = {-1, -1, A_NORMAL},
    [UI_FACE_TITLE] = {COLOR_WHITE, COLOR_BLUE, A_BOLD},
    [UI_FACE_STATUS] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    [UI_FACE_HINT] = {-1, -1, A_NORMAL},
    [UI_FACE_HINT_KEY] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    [UI_FACE_HEADING] = {COLOR_CYAN, -1, A_BOLD},
    [UI_FACE_LABEL] = {-1, -1, A_NORMAL},
    [UI_FACE_FIELD] = {-1, -1, A_UNDERLINE},
    [UI_FACE_SELECTED] = {-1, -1, A_REVERSE},
    [UI_FACE_ERROR] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [UI_FACE_WARNING] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL},
    [UI_FACE_OK] = {COLOR_GREEN, -1, A_BOLD},
    [UI_FACE_DIM] = {-1, -1, A_DIM},
};

static const struct face_style contrast_styles[UI_FACE_COUNT] = {
    [UI_FACE_NORMAL] = {COLOR_WHITE, COLOR_BLACK, A_BOLD},
    [UI_FACE_TITLE] = {COLOR_BLACK, COLOR_WHITE, A_BOLD},
    [UI_FACE_STATUS] = {COLOR_BLACK, COLOR_WHITE, A_BOLD},
    [UI_FACE_HINT] = {COLOR_WHITE, COLOR_BLACK, A_BOLD},
    [UI_FACE_HINT_KEY] = {COLOR_BLACK, COLOR_YELLOW, A_BOLD},
    [UI_FACE_HEADING] = {COLOR_YELLOW, COLOR_BLACK, A_BOLD | A_UNDERLINE},
    [UI_FACE_LABEL] = {COLOR_WHITE, COLOR_BLACK, A_BOLD},
    [UI_FACE_FIELD] = {COLOR_YELLOW, COLOR_BLACK, A_BOLD | A_UNDERLINE},
    [UI_FACE_SELECTED] = {COLOR_WHITE, COLOR_BLACK, A_REVERSE | A_BOLD},
    [UI_FACE_ERROR] = {COLOR_YELLOW, COLOR_BLACK, A_BOLD | A_REVERSE},
    [UI_FACE_WARNING] = {COLOR_YELLOW, COLOR_BLACK, A_BOLD},
    [UI_FACE_OK] = {COLOR_WHITE, COLOR_BLACK, A_BOLD},
    [UI_FACE_DIM] = {COLOR_WHITE, COLOR_BLACK, A_NORMAL},
};

static const attr_t mono_attrs[UI_FACE_COUNT] = {
    [UI_FACE_NORMAL] = A_NORMAL,
    [UI_FACE_TITLE] = A_REVERSE | A_BOLD,
    [UI_FACE_STATUS] = A_REVERSE,
    [UI_FACE_HINT] = A_NORMAL,
    [UI_FACE_HINT_KEY] = A_REVERSE,
    [UI_FACE_HEADING] = A_BOLD,
    [UI_FACE_LABEL] = A_NORMAL,
    [UI_FACE_FIELD] = A_UNDERLINE,
    [UI_FACE_SELECTED] = A_REVERSE | A_BOLD,
    [UI_FACE_ERROR] = A_BOLD,
    [UI_FACE_WARNING] = A_BOLD,
    [UI_FACE_OK] = A_BOLD,
    [UI_FACE_DIM] = A_DIM,
};

static const char *const names[] = {"default", "high-contrast", "mono", NULL};

static attr_t attrs[UI_FACE_COUNT];
static const char *current = "default";
static bool colour_ok; /* start_color() done and wanted */
static bool no_colour;

static void apply(const char *name)
{
	const struct face_style *st = NULL;

	if (strcmp(name, "high-contrast") == 0)
		st = contrast_styles;
	else if (strcmp(name, "default") == 0)
		st = default_styles;
	for (int f = 0; f < UI_FACE_COUNT; f++) {
		if (!colour_ok || !st) {
			attrs[f] = mono_attrs[f];
			continue;
		}
		init_pair((short)(f + 1), st[f].fg, st[f].bg);
		attrs[f] = COLOR_PAIR(f + 1) | st[f].attr;
	}
	/* The whole background follows the theme's normal face. */
	bkgdset((chtype)(attrs[UI_FACE_NORMAL] & ~(attr_t)A_BOLD) | ' ');
}

void ui_theme_init(const char *name)
{
	const char *nc = getenv("NO_COLOR");

	no_colour = nc && *nc; /* no-color.org: set and not empty */
	colour_ok = false;
	if (!no_colour && has_colors() && start_color() == OK) {
		use_default_colors();
		colour_ok = true;
	}
	if (!ui_theme_set(name ? name : "default"))
		ui_theme_set("default");
}

bool ui_theme_set(const char *name)
{
	for (int i = 0; names[i]; i++) {
		if (strcmp(names[i], name) == 0) {
			current = names[i];
			apply(current);
			return true;
		}
	}
	return false;
}

const char *ui_theme_name(void)
{
	return current;
}

const char *const *ui_theme_names(void)
{
	return names;
}

const char *ui_theme_label(const char *name)
{
	if (strcmp(name, "high-contrast") == 0)
		return _("high contrast");
	if (strcmp(name, "mono") == 0)
		return _("monochrome");
	return _("default colours");
}

bool ui_theme_no_colour(void)
{
	return !colour_ok;
}

attr_t ui_theme_attr(enum ui_face f)
{
	return f < UI_FACE_COUNT ? attrs[f] : A_NORMAL;
}
