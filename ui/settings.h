/* settings.h: the settings screen: language and theme, stored per user. */
#ifndef HANDESK_UI_SETTINGS_H
#define HANDESK_UI_SETTINGS_H

#include "ui/screen.h"

/* The screen's descriptor, registered in the table in app.c. */
extern const struct ui_screen_type ui_settings_screen;

#endif
