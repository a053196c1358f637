/* widget.h: small drawing and editing helpers shared by the screens: text
 * cut to a width (UTF-8 aware), a one-line text editor, a confirm box. */
#ifndef HANDESK_UI_WIDGET_H
#define HANDESK_UI_WIDGET_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "ui/keymap.h"

/* Columns the UTF-8 text takes on screen. */
int ui_widget_width(const char *text);

/* Draw UTF-8 text at y, x with attr, cut to width columns (an ellipsis
 * marks a cut); with pad, fill up to width with blanks.  Returns the
 * columns drawn.  Non-printable characters show as '?'. */
int ui_widget_put(WINDOW *w, int y, int x, int width, const char *text, attr_t attr, bool pad);

/* Draw UTF-8 text word-wrapped into width columns from row y, at most
 * max_lines rows ('\n' starts a new row).  With w NULL only counts.
 * Returns the rows used. */
int ui_widget_wrap(WINDOW *w, int y, int x, int width, int max_lines, const char *text,
                   attr_t attr);

/* Fill a row from x for width columns with blanks in attr. */
void ui_widget_fill(WINDOW *w, int y, int x, int width, attr_t attr);

/* A one-line UTF-8 text editor (the search query).  cur is a byte offset,
 * always on a character boundary. */
struct ui_line {
	char text[256];
	size_t len;
	size_t cur;
};

void ui_line_set(struct ui_line *l, const char *text);
/* Apply an editing action (CHAR, BACKSPACE, DELETE, LEFT, RIGHT, HOME,
 * END, CLEAR); returns 1 if the text changed, 0 if only the cursor moved,
 * -1 if the action is not an editing one. */
int ui_line_edit(struct ui_line *l, enum ui_action a, wint_t ch);
/* Columns from the start of the text to the cursor. */
int ui_line_cursor_col(const struct ui_line *l);

/* A question over a screen, answered with Enter/F2 (yes) or Esc (no).  The
 * owner draws it with ui_confirm_draw and routes actions to
 * ui_confirm_handle while it is open. */
struct ui_confirm {
	bool open;
	int tag; /* which question, for the owner */
	char title[128];
	char text[1024]; /* may hold several lines ('\n') */
	char yes[64];    /* the key hint for yes, e.g. "Enter: save anyway" */
	char no[64];
	enum ui_action only; /* if set, the one action that means yes */
};

void ui_confirm_open(struct ui_confirm *c, int tag, const char *title, const char *text,
                     const char *yes, const char *no);
/* The answer "yes" needs exactly action a (e.g. a second, different key). */
void ui_confirm_only(struct ui_confirm *c, enum ui_action a);
/* 1 = yes, 0 = no (closed either way), -1 = still open (other key). */
int ui_confirm_handle(struct ui_confirm *c, enum ui_action a);
void ui_confirm_draw(const struct ui_confirm *c, int top, int height);

#endif
