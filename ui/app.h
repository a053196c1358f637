/* ui/app.h: the curses application: screen stack and the one event loop. */
#ifndef HANDESK_UI_APP_H
#define HANDESK_UI_APP_H

struct session;

/* Run the interactive application on an open session until the user quits.
 * Returns the process exit status; restores the terminal in every case. */
int ui_app_run(struct session *s);

#endif
