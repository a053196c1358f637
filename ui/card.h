/* card.h: the person card: identity, contact, applications, documents, audit trail. */
#ifndef HANDESK_UI_CARD_H
#define HANDESK_UI_CARD_H

#include "ui/screen.h"

/* The screen's descriptor, registered in the table in app.c. */
extern const struct ui_screen_type ui_card_screen;

#endif
