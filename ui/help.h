/* help.h: the help screen: the keys of the screen below it, from the keymap. */
#ifndef HANDESK_UI_HELP_H
#define HANDESK_UI_HELP_H

#include "ui/screen.h"

/* The screen's descriptor, registered in the table in app.c. */
extern const struct ui_screen_type ui_help_screen;

#endif
