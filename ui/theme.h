/* theme.h: the faces (colour and attributes) screens draw with. */
#ifndef HANDESK_UI_THEME_H
#define HANDESK_UI_THEME_H

#include <curses.h>
#include <stdbool.h>

/* What a piece of text is; the theme decides how it looks.  Meaning never
 * rides on colour alone: errors carry a word, selections a marker. */
enum ui_face {
	UI_FACE_NORMAL = 0,
	UI_FACE_TITLE,    /* the top line */
	UI_FACE_STATUS,   /* the status line */
	UI_FACE_HINT,     /* the key hints at the bottom */
	UI_FACE_HINT_KEY, /* a key name in the hints */
	UI_FACE_HEADING,  /* section headings, column headers */
	UI_FACE_LABEL,    /* field labels */
	UI_FACE_FIELD,    /* an input field */
	UI_FACE_SELECTED, /* the selected row (always reverse video) */
	UI_FACE_ERROR,    /* "Error: ..." */
	UI_FACE_WARNING,  /* "Warning: ..." */
	UI_FACE_OK,       /* confirmations */
	UI_FACE_DIM,      /* secondary text */
	UI_FACE_COUNT
};

/* Start colours (after initscr) with the named theme ("default",
 * "high-contrast", "mono"; NULL or unknown = default).  NO_COLOR in the
 * environment forces mono. */
void ui_theme_init(const char *name);

/* Switch theme at run time; returns false for an unknown name. */
bool ui_theme_set(const char *name);

/* The theme in use ("default", ...), and the list of them (NULL-ended). */
const char *ui_theme_name(void);
const char *const *ui_theme_names(void);

/* A theme's name for people, translated. */
const char *ui_theme_label(const char *name);

/* True when colour is off because of NO_COLOR or the terminal. */
bool ui_theme_no_colour(void);

/* The attributes to draw a face with. */
attr_t ui_theme_attr(enum ui_face f);

#endif
