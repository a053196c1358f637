/* keymap.c: the one table from keys to actions, and the key names for help. */
#include "autoconf.h"

#include "ui/keymap.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <wctype.h>

#include "src/i18n.h"

#define CTRL_KEY(c) ((c)&0x1f)
#define ESC_CHAR    27

enum {
	BIND_ANY = 0,
	BIND_NOT_TEXT = 1,      /* only when no text field has the cursor */
	BIND_NOT_FREE_TEXT = 2, /* also in a search line, not in free text */
};

struct binding {
	wint_t code;
	bool fkey;
	enum ui_action action;
	unsigned flags;
};

/* F-keys first: they are what help and hints show first.  Every F-key has
 * a Ctrl alternative, since some terminals (and ssh clients) eat F-keys.
 * Ctrl-S and Ctrl-Q work because the terminal is in raw mode (no XON/XOFF). */
static const struct binding bindings[] = {
    {KEY_F(1), true, UI_ACT_HELP, BIND_ANY},
    {'?', false, UI_ACT_HELP, BIND_NOT_FREE_TEXT},
    {CTRL_KEY('g'), false, UI_ACT_HELP, BIND_ANY},
    {KEY_F(10), true, UI_ACT_QUIT, BIND_ANY},
    {CTRL_KEY('q'), false, UI_ACT_QUIT, BIND_ANY},
    {ESC_CHAR, false, UI_ACT_BACK, BIND_ANY},
    {'/', false, UI_ACT_SEARCH, BIND_NOT_TEXT},
    {KEY_F(3), true, UI_ACT_NEW_INTAKE, BIND_ANY},
    {CTRL_KEY('n'), false, UI_ACT_NEW_INTAKE, BIND_ANY},
    {'a', false, UI_ACT_NEW_APPLICATION, BIND_NOT_TEXT},
    {KEY_F(4), true, UI_ACT_EDIT, BIND_ANY},
    {CTRL_KEY('e'), false, UI_ACT_EDIT, BIND_ANY},
    {KEY_F(2), true, UI_ACT_SAVE, BIND_ANY},
    {CTRL_KEY('s'), false, UI_ACT_SAVE, BIND_ANY},
    {KEY_F(5), true, UI_ACT_SYNC_NOW, BIND_ANY},
    {CTRL_KEY('r'), false, UI_ACT_SYNC_NOW, BIND_ANY},
    {KEY_F(6), true, UI_ACT_CONFLICTS, BIND_ANY},
    {CTRL_KEY('k'), false, UI_ACT_CONFLICTS, BIND_ANY},
    {KEY_F(7), true, UI_ACT_REJECTED, BIND_ANY},
    {CTRL_KEY('t'), false, UI_ACT_REJECTED, BIND_ANY},
    {KEY_F(9), true, UI_ACT_SETTINGS, BIND_ANY},
    {CTRL_KEY('o'), false, UI_ACT_SETTINGS, BIND_ANY},
    {'\r', false, UI_ACT_OPEN, BIND_ANY},
    {'\n', false, UI_ACT_OPEN, BIND_ANY},
    {KEY_ENTER, true, UI_ACT_OPEN, BIND_ANY},
    {' ', false, UI_ACT_TOGGLE, BIND_NOT_TEXT},
    {'\t', false, UI_ACT_NEXT_FIELD, BIND_ANY},
    {KEY_BTAB, true, UI_ACT_PREV_FIELD, BIND_ANY},
    {KEY_UP, true, UI_ACT_UP, BIND_ANY},
    {'k', false, UI_ACT_UP, BIND_NOT_TEXT},
    {KEY_DOWN, true, UI_ACT_DOWN, BIND_ANY},
    {'j', false, UI_ACT_DOWN, BIND_NOT_TEXT},
    {KEY_LEFT, true, UI_ACT_LEFT, BIND_ANY},
    {KEY_RIGHT, true, UI_ACT_RIGHT, BIND_ANY},
    {KEY_PPAGE, true, UI_ACT_PAGE_UP, BIND_ANY},
    {KEY_NPAGE, true, UI_ACT_PAGE_DOWN, BIND_ANY},
    {KEY_HOME, true, UI_ACT_HOME, BIND_ANY},
    {KEY_END, true, UI_ACT_END, BIND_ANY},
    {KEY_BACKSPACE, true, UI_ACT_BACKSPACE, BIND_ANY},
    {127, false, UI_ACT_BACKSPACE, BIND_ANY},
    {CTRL_KEY('h'), false, UI_ACT_BACKSPACE, BIND_ANY},
    {KEY_DC, true, UI_ACT_DELETE, BIND_ANY},
    {CTRL_KEY('u'), false, UI_ACT_CLEAR, BIND_ANY},
    {CTRL_KEY('l'), false, UI_ACT_REDRAW, BIND_ANY},
    {KEY_RESIZE, true, UI_ACT_RESIZE, BIND_ANY},
};

static const char *const descriptions[UI_ACT_COUNT] = {
    [UI_ACT_CHAR] = N_("type text"),
    [UI_ACT_HELP] = N_("help: the keys of this screen"),
    [UI_ACT_QUIT] = N_("quit handesk"),
    [UI_ACT_BACK] = N_("back"),
    [UI_ACT_SEARCH] = N_("person search"),
    [UI_ACT_NEW_INTAKE] = N_("new intake (person and application)"),
    [UI_ACT_NEW_APPLICATION] = N_("new application"),
    [UI_ACT_EDIT] = N_("edit"),
    [UI_ACT_SAVE] = N_("save"),
    [UI_ACT_SETTINGS] = N_("settings: language and theme"),
    [UI_ACT_OPEN] = N_("open"),
    [UI_ACT_TOGGLE] = N_("mark or change"),
    [UI_ACT_NEXT_FIELD] = N_("next field"),
    [UI_ACT_PREV_FIELD] = N_("previous field"),
    [UI_ACT_UP] = N_("up"),
    [UI_ACT_DOWN] = N_("down"),
    [UI_ACT_LEFT] = N_("left"),
    [UI_ACT_RIGHT] = N_("right"),
    [UI_ACT_PAGE_UP] = N_("page up"),
    [UI_ACT_PAGE_DOWN] = N_("page down"),
    [UI_ACT_HOME] = N_("first"),
    [UI_ACT_END] = N_("last"),
    [UI_ACT_BACKSPACE] = N_("delete the character before the cursor"),
    [UI_ACT_DELETE] = N_("delete the character under the cursor"),
    [UI_ACT_CLEAR] = N_("clear the field"),
    [UI_ACT_REDRAW] = N_("redraw the screen"),
    [UI_ACT_SYNC_NOW] = N_("sync with the central service now"),
    [UI_ACT_CONFLICTS] = N_("sync conflicts: decide between two versions"),
    [UI_ACT_REJECTED] = N_("changes the central service rejected"),
};

enum ui_action ui_keymap_lookup(struct ui_key k, enum ui_focus focus)
{
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
		const struct binding *b = &bindings[i];
		if (b->code != k.code || b->fkey != k.fkey)
			continue;
		if ((b->flags & BIND_NOT_TEXT) && focus != UI_FOCUS_NONE)
			break; /* it is text here */
		if ((b->flags & BIND_NOT_FREE_TEXT) && focus == UI_FOCUS_TEXT)
			break;
		return b->action;
	}
	if (!k.fkey && k.code >= 0x20 && k.code != 0x7f && iswprint(k.code))
		return UI_ACT_CHAR;
	return UI_ACT_NONE;
}

static void binding_name(const struct binding *b, char *out, size_t size)
{
	if (b->fkey) {
		if (b->code >= KEY_F(1) && b->code <= KEY_F(12)) {
			snprintf(out, size, "F%d", (int)(b->code - KEY_F0));
			return;
		}
		switch (b->code) {
		case KEY_UP:
			snprintf(out, size, "%s", _("Up"));
			return;
		case KEY_DOWN:
			snprintf(out, size, "%s", _("Down"));
			return;
		case KEY_LEFT:
			snprintf(out, size, "%s", _("Left"));
			return;
		case KEY_RIGHT:
			snprintf(out, size, "%s", _("Right"));
			return;
		case KEY_PPAGE:
			snprintf(out, size, "%s", _("PgUp"));
			return;
		case KEY_NPAGE:
			snprintf(out, size, "%s", _("PgDn"));
			return;
		case KEY_HOME:
			snprintf(out, size, "%s", _("Home"));
			return;
		case KEY_END:
			snprintf(out, size, "%s", _("End"));
			return;
		case KEY_BTAB:
			snprintf(out, size, "%s", _("Shift-Tab"));
			return;
		case KEY_DC:
			snprintf(out, size, "%s", _("Del"));
			return;
		case KEY_BACKSPACE:
			snprintf(out, size, "%s", _("Backspace"));
			return;
		default:
			*out = '\0';
			return; /* KEY_ENTER, KEY_RESIZE: not shown */
		}
	}
	switch (b->code) {
	case ESC_CHAR:
		snprintf(out, size, "%s", _("Esc"));
		return;
	case '\r':
		snprintf(out, size, "%s", _("Enter"));
		return;
	case '\t':
		snprintf(out, size, "%s", _("Tab"));
		return;
	case ' ':
		snprintf(out, size, "%s", _("Space"));
		return;
	case '\n':
	case 127:
	case CTRL_KEY('h'):
		*out = '\0';
		return; /* duplicates */
	}
	if (b->code < 0x20)
		/* TRANSLATORS: the Control key, as in "Ctrl-S". */
		snprintf(out, size, _("Ctrl-%c"), (char)(b->code + '@'));
	else
		snprintf(out, size, "%lc", (wint_t)b->code);
}

void ui_keymap_keys(enum ui_action a, bool first_only, bool typing, char *out, unsigned size)
{
	size_t len = 0;
	char name[32];

	if (size)
		*out = '\0';
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
		if (bindings[i].action != a)
			continue;
		if (typing && (bindings[i].flags & BIND_NOT_TEXT))
			continue;
		binding_name(&bindings[i], name, sizeof name);
		if (!*name)
			continue;
		int w = snprintf(out + len, size - len, "%s%s", len ? ", " : "", name);
		if (w < 0 || (size_t)w >= size - len)
			break;
		len += (size_t)w;
		if (first_only)
			break;
	}
}

const char *ui_keymap_describe(enum ui_action a)
{
	if (a <= UI_ACT_NONE || a >= UI_ACT_COUNT || !descriptions[a])
		return "";
	return _(descriptions[a]);
}
