/* ui/rejected.h: the screen of changes the central service rejected. */
#ifndef HANDESK_UI_REJECTED_H
#define HANDESK_UI_REJECTED_H

#include "ui/screen.h"

extern const struct ui_screen_type ui_rejected_screen;

#endif
