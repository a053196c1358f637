/* screen.h: what a screen is (one descriptor per screen, registered in one
 * table in app.c) and what the application offers to screens. */
#ifndef HANDESK_UI_SCREEN_H
#define HANDESK_UI_SCREEN_H

#include <curses.h>
#include <stdbool.h>

#include "ui/keymap.h"

struct session;
struct person;
struct ui_app;

/* The screens, by id (the table in app.c maps them to descriptors). */
enum ui_screen_id {
	UI_SCREEN_SEARCH = 0,
	UI_SCREEN_CARD,
	UI_SCREEN_INTAKE,
	UI_SCREEN_SETTINGS,
	UI_SCREEN_HELP,
	UI_SCREEN_CONFLICTS,
	UI_SCREEN_REJECTED,
	UI_SCREEN_COUNT
};

/* What a handler did, as flags (htop's HANDLED | REDRAW). */
enum {
	UI_IGNORED = 0,
	UI_HANDLED = 1 << 0, /* the application need not act on the key */
	UI_REDRAW = 1 << 1,  /* the screen must be drawn again */
};

/* Modes of the intake screen. */
enum ui_intake_mode {
	UI_INTAKE_NEW = 0, /* new person and application */
	UI_INTAKE_ADD_APP, /* new application for an existing person */
	UI_INTAKE_EDIT,    /* edit an existing person */
};

/* What a screen is opened with; copied, so the pointers need only live
 * until the screen's init returns. */
struct ui_screen_arg {
	char person_id[37];
	int mode;                    /* enum ui_intake_mode for the intake */
	const char *text;            /* search text to pre-fill, or NULL */
	const struct person *person; /* the person to edit, or NULL */
	enum ui_screen_id about;     /* the help screen: whose keys */
};

/* One line of a screen's help: an action, what it does there (NULL: the
 * generic description from the keymap) and, if it belongs in the bottom
 * line's key hints, a one-word label.  Texts are N_(), translated when shown. */
struct ui_help_entry {
	enum ui_action action;
	const char *what;
	const char *hint;
};

/* A screen.  Only draw touches the terminal; handle acts on actions. */
struct ui_screen_type {
	const char *name;                 /* N_() title, translated when shown */
	const struct ui_help_entry *help; /* the keys this screen has, ended by UI_ACT_NONE */
	bool typing; /* keys such as j, k, a and Space are typed here: help leaves them out */
	/* State for a new screen, or NULL (with a status message) if it cannot open. */
	void *(*init)(struct ui_app *app, const struct ui_screen_arg *arg);
	/* Work to do at most once per pass before drawing (e.g. run a search). */
	void (*prepare)(void *st, struct ui_app *app);
	/* Draw into the content area (rows top..top+height-1 of stdscr).
	 * Returns true if the cursor should be visible where it was left. */
	bool (*draw)(void *st, struct ui_app *app, int top, int height);
	/* May be NULL.  Called after stdscr went to the virtual screen: refresh
	 * windows of the screen's own over it (wnoutrefresh, never doupdate).
	 * Returns true if the cursor should be visible where it was left. */
	bool (*overlay)(void *st, struct ui_app *app, int top, int height);
	/* Act on an action; ch is the character for UI_ACT_CHAR. */
	int (*handle)(void *st, struct ui_app *app, enum ui_action a, wint_t ch);
	/* Where typing goes now (decides what printable keys mean). */
	enum ui_focus (*focus)(void *st);
	/* The terminal changed size (or the screen is on top again after a
	 * resize): rebuild windows.  May be NULL. */
	void (*layout)(void *st, struct ui_app *app, int top, int height);
	/* Data changed underneath (another process), or the screen is on top
	 * again after a screen above it closed: read what it shows again. */
	void (*reload)(void *st, struct ui_app *app);
	void (*free)(void *st);
};

/* The session the application runs on. */
struct session *ui_app_session(struct ui_app *app);

/* Screen stack changes; they take effect after the current handler returns,
 * in the order asked. */
void ui_app_push(struct ui_app *app, enum ui_screen_id id, const struct ui_screen_arg *arg);
void ui_app_pop(struct ui_app *app);
/* Pop down to the search screen, then (if person_id) open that person's card. */
void ui_app_open_card(struct ui_app *app, const char *person_id);
void ui_app_quit(struct ui_app *app);

/* The descriptor of a screen id (the one table). */
const struct ui_screen_type *ui_app_screen_type(enum ui_screen_id id);

/* A sync cycle now, as F5 does (says in the status line when there is no
 * central service, or another process syncs). */
void ui_app_sync_now(struct ui_app *app);

/* Ask for a redraw at the end of this pass. */
void ui_app_dirty(struct ui_app *app);

/* Allocation that cannot fail: on failure restores the terminal and aborts. */
void *ui_app_xcalloc(size_t n, size_t size);

/* Out of memory (or a curses object could not be made): restore the
 * terminal, say what, abort. */
void ui_app_fail(const char *what) __attribute__((noreturn));

#endif
