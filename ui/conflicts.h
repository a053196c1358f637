/* ui/conflicts.h: the sync conflicts screen. */
#ifndef HANDESK_UI_CONFLICTS_H
#define HANDESK_UI_CONFLICTS_H

#include "ui/screen.h"

extern const struct ui_screen_type ui_conflicts_screen;

#endif
