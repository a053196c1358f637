/* status.h: the title line, the status line (who, cache state, messages)
 * and the key hints line. */
#ifndef HANDESK_UI_STATUS_H
#define HANDESK_UI_STATUS_H

#include <stdbool.h>

#include "ui/screen.h"

/* A message in the status line; errors are shown with "Error:", warnings
 * with "Warning:" in front, so they do not rely on colour.  Information
 * fades after a few seconds, errors and warnings stay until replaced. */
void ui_status_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ui_status_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ui_status_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ui_status_clear(void);

/* True if the message is an error (screens clear it once fixed). */
bool ui_status_has_error(void);

/* Read the cache figures again (persons, and db_sync_summary: changes
 * pending, conflicts, rejected changes, last sync).  Not on every key: at
 * a data_version change, after a write, at the end of a sync cycle. */
void ui_status_refresh(struct session *s);

/* Changes pending as of the last refresh (-1 unknown). */
long ui_status_pending(void);

/* Unresolved conflicts as of the last refresh. */
long ui_status_conflicts(void);

struct ui_sync_view;
/* Where sync stands (ui/sync.c), shown at the right of the status line. */
void ui_status_sync(const struct ui_sync_view *v);

/* Drop an expired message; returns true if the line changed.  now in ms. */
bool ui_status_expire(long long now);
/* When the current message expires (ms), or -1. */
long long ui_status_deadline(void);

/* Draw the three lines on stdscr: title at row 0, status at lines-2,
 * hints at lines-1. */
void ui_status_draw(struct session *s, const struct ui_screen_type *t);

#endif
