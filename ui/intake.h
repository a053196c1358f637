/* intake.h: the intake form: a new person and application, a new application, or editing a person.
 */
#ifndef HANDESK_UI_INTAKE_H
#define HANDESK_UI_INTAKE_H

#include "ui/screen.h"

/* The screen's descriptor, registered in the table in app.c. */
extern const struct ui_screen_type ui_intake_screen;

#endif
