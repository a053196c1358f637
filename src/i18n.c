/* i18n.c: gettext set-up and switching the language of messages at run time. */
#include "autoconf.h"

#include "i18n.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

/* GNU gettext caches translations; bumping this counter invalidates them
 * after LANGUAGE changes (documented in the gettext manual). */
extern int _nl_msg_cat_cntr;

static char current[3] = "en";

static const char *locale_dir(void)
{
	/* HANDESK_LOCALEDIR lets an uninstalled build find its catalogues. */
	const char *dir = getenv("HANDESK_LOCALEDIR");
	return dir && *dir ? dir : LOCALEDIR;
}

static void guess_language(void)
{
	const char *vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		if (!v || !*v)
			continue;
		if (strncmp(v, "nl", 2) == 0 || strncmp(v, "fr", 2) == 0 ||
		    strncmp(v, "de", 2) == 0) {
			memcpy(current, v, 2);
			return;
		}
		return;
	}
}

void i18n_init(const char *lang)
{
	const char *ctype = setlocale(LC_ALL, "");

	/* With no locale configured at all (a bare "C"), names such as
	 * "Duprée" could not be read or shown, and gettext would ignore a
	 * chosen language: fall back to C.UTF-8, which every glibc has. */
	if (!ctype || strcmp(ctype, "C") == 0 || strcmp(ctype, "POSIX") == 0)
		setlocale(LC_ALL, "C.UTF-8");
	bindtextdomain(PACKAGE, locale_dir());
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
	guess_language();
	if (lang && *lang)
		i18n_set_language(lang);
}

void i18n_set_language(const char *lang)
{
	if (!lang || !*lang)
		return;
	if (strcmp(lang, "nl") && strcmp(lang, "fr") && strcmp(lang, "de") && strcmp(lang, "en"))
		return;
	memcpy(current, lang, 2);
	/* LANGUAGE takes precedence over LC_MESSAGES for message catalogues
	 * (in any locale but plain "C"). */
	setenv("LANGUAGE", lang, 1);
	++_nl_msg_cat_cntr;
}

const char *i18n_language(void)
{
	return current;
}
