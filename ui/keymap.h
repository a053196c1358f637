/* keymap.h: what the user means (actions) mapped from the keys they press. */
#ifndef HANDESK_UI_KEYMAP_H
#define HANDESK_UI_KEYMAP_H

#include <stdbool.h>
#include <wchar.h>

/* Everything a key can mean.  Screens act on these, never on key codes. */
enum ui_action {
	UI_ACT_NONE = 0,
	UI_ACT_CHAR, /* a character to insert: the text itself */
	UI_ACT_HELP,
	UI_ACT_QUIT,
	UI_ACT_BACK,
	UI_ACT_SEARCH,
	UI_ACT_NEW_INTAKE,
	UI_ACT_NEW_APPLICATION,
	UI_ACT_EDIT,
	UI_ACT_SAVE,
	UI_ACT_SETTINGS,
	UI_ACT_OPEN,   /* Enter: open, confirm, next field */
	UI_ACT_TOGGLE, /* space outside text: mark, cycle */
	UI_ACT_NEXT_FIELD,
	UI_ACT_PREV_FIELD,
	UI_ACT_UP,
	UI_ACT_DOWN,
	UI_ACT_LEFT,
	UI_ACT_RIGHT,
	UI_ACT_PAGE_UP,
	UI_ACT_PAGE_DOWN,
	UI_ACT_HOME,
	UI_ACT_END,
	UI_ACT_BACKSPACE,
	UI_ACT_DELETE,
	UI_ACT_CLEAR, /* clear the text field */
	UI_ACT_REDRAW,
	UI_ACT_SYNC_NOW,  /* a sync cycle now (also after a stop) */
	UI_ACT_CONFLICTS, /* the sync conflicts screen */
	UI_ACT_REJECTED,  /* the rejected changes screen */
	UI_ACT_RESIZE,    /* the terminal changed size (not bound to a key) */
	UI_ACT_COUNT
};

/* A key as read by get_wch(): a character, or a KEY_* code when fkey. */
struct ui_key {
	wint_t code;
	bool fkey;
};

/* Where typing goes, which decides what printable keys mean. */
enum ui_focus {
	UI_FOCUS_NONE = 0, /* a list or a card: letters are commands (j, k, a, ?) */
	UI_FOCUS_QUERY,    /* a search line: letters are text, but '?' is help */
	UI_FOCUS_TEXT,     /* a free text field: every printable key is text */
};

/* The action a key means with the given focus.  A printable character
 * with no binding there gives UI_ACT_CHAR. */
enum ui_action ui_keymap_lookup(struct ui_key k, enum ui_focus focus);

/* The keys bound to an action, for help and hints ("F2, Ctrl-S"): into out.
 * With first_only, only the first (preferred) key; with typing, not the
 * keys that are text where the user types (j, k, a, Space). */
void ui_keymap_keys(enum ui_action a, bool first_only, bool typing, char *out, unsigned size);

/* The generic description of an action, translated. */
const char *ui_keymap_describe(enum ui_action a);

#endif
