/* i18n.h: gettext set-up and the _() marker for user-visible strings. */
#ifndef HANDESK_I18N_H
#define HANDESK_I18N_H

#include <libintl.h>

#define _(s)  gettext(s)
#define N_(s) (s)

/* Set the locale from the environment and bind the text domain.  lang, if not
 * NULL or empty, overrides the locale's language ("nl", "fr", "de", "en"). */
void i18n_init(const char *lang);

/* Switch the language of messages at run time ("nl", "fr", "de", "en"). */
void i18n_set_language(const char *lang);

/* The language messages are shown in now: "nl", "fr", "de" or "en". */
const char *i18n_language(void);

#endif
