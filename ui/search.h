/* search.h: the person search screen (the home screen): results as you type. */
#ifndef HANDESK_UI_SEARCH_H
#define HANDESK_UI_SEARCH_H

#include "ui/screen.h"

/* The screen's descriptor, registered in the table in app.c. */
extern const struct ui_screen_type ui_search_screen;

#endif
