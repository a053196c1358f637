/* status.c: title line, status line (who, cache state, messages), key hints. */
#include "autoconf.h"

#include "ui/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db/outbox.h"
#include "db/person.h" /* db_person_count only: the cache figure */
#include "src/i18n.h"
#include "src/role.h"
#include "src/session.h"
#include "ui/theme.h"
#include "ui/widget.h"

#define INFO_MS 6000

enum msg_kind { MSG_NONE, MSG_INFO, MSG_WARNING, MSG_ERROR };

static struct {
	enum msg_kind kind;
	char text[512];
	long long deadline; /* ms, -1 = stays */
	long persons;
	long pending;
} st = {MSG_NONE, "", -1, -1, -1};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set(enum msg_kind kind, const char *fmt, va_list ap)
{
	st.kind = kind;
	vsnprintf(st.text, sizeof st.text, fmt, ap);
	/* One line: newlines in a cause become spaces. */
	for (char *p = st.text; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	st.deadline = kind == MSG_INFO ? now_ms() + INFO_MS : -1;
}

void ui_status_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(MSG_INFO, fmt, ap);
	va_end(ap);
}

void ui_status_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(MSG_ERROR, fmt, ap);
	va_end(ap);
}

void ui_status_warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(MSG_WARNING, fmt, ap);
	va_end(ap);
}

void ui_status_clear(void)
{
	st.kind = MSG_NONE;
	st.text[0] = '\0';
	st.deadline = -1;
}

bool ui_status_has_error(void)
{
	return st.kind == MSG_ERROR;
}

void ui_status_refresh(struct session *s)
{
	st.persons = db_person_count(s->cache);
	st.pending = db_outbox_count(s->cache);
}

bool ui_status_expire(long long now)
{
	if (st.deadline < 0 || now < st.deadline)
		return false;
	ui_status_clear();
	return true;
}

long long ui_status_deadline(void)
{
	return st.deadline;
}

/* 600000 -> "600.000" in Dutch, French and German (as written in Belgium),
 * "600,000" in English: the language of the messages decides, not the
 * locale, which is often plain C.UTF-8 on a centre's host. */
static void group(long n, char *out, size_t size)
{
	const char *sep = strcmp(i18n_language(), "en") == 0 ? "," : ".";
	char digits[32];
	size_t len, o = 0;

	snprintf(digits, sizeof digits, "%ld", n < 0 ? 0 : n);
	len = strlen(digits);
	for (size_t i = 0; i < len && o + 8 < size; i++) {
		if (i && (len - i) % 3 == 0) {
			size_t sl = strlen(sep);
			memcpy(out + o, sep, sl);
			o += sl;
		}
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

static void draw_title(struct session *s, const struct ui_screen_type *t)
{
	char who[400], me[260];
	attr_t a = ui_theme_attr(UI_FACE_TITLE);

	ui_widget_fill(stdscr, 0, 0, COLS, a);
	snprintf(me, sizeof me, "%s %s", s->me.given_name, s->me.family_name);
	snprintf(who, sizeof who, "%s · %s · %s", me, role_name(s->me.role),
	         *s->centre.name ? s->centre.name : s->centre.code);
	int ww = ui_widget_width(who);
	int left = 1 + ui_widget_put(stdscr, 0, 1, COLS / 2, "handesk ·", a, false);
	if (t)
		left +=
		    1 + ui_widget_put(stdscr, 0, left + 1, COLS / 2 - left, _(t->name), a, false);
	if (ww > COLS - left - 4)
		ww = COLS - left - 4;
	if (ww > 0)
		ui_widget_put(stdscr, 0, COLS - ww - 1, ww, who, a, false);
}

static void draw_status(void)
{
	char cache[200], persons[48], line[600];
	attr_t a = ui_theme_attr(UI_FACE_STATUS);
	int y = LINES - 2, x = 0;

	ui_widget_fill(stdscr, y, 0, COLS, a);
	if (st.kind != MSG_NONE) {
		enum ui_face f = st.kind == MSG_ERROR     ? UI_FACE_ERROR
		                 : st.kind == MSG_WARNING ? UI_FACE_WARNING
		                                          : UI_FACE_OK;
		if (st.kind == MSG_ERROR)
			/* TRANSLATORS: prefix of error messages in the status line. */
			snprintf(line, sizeof line, _("Error: %s"), st.text);
		else if (st.kind == MSG_WARNING)
			snprintf(line, sizeof line, _("Warning: %s"), st.text);
		else
			snprintf(line, sizeof line, "%s", st.text);
		x = ui_widget_put(stdscr, y, 0, COLS, line, ui_theme_attr(f), false);
	}
	group(st.persons, persons, sizeof persons);
	/* TRANSLATORS: the cache state in the status line; sync comes later. */
	long pending = st.pending < 0 ? 0 : st.pending;
	if (st.persons >= 0)
		snprintf(
		    cache, sizeof cache,
		    ngettext("cache: %s persons · %ld change pending · offline, not synced yet",
		             "cache: %s persons · %ld changes pending · offline, not synced yet",
		             pending),
		    persons, pending);
	else
		snprintf(cache, sizeof cache,
		         ngettext("cache: %ld change pending · offline, not synced yet",
		                  "cache: %ld changes pending · offline, not synced yet", pending),
		         pending);
	int cw = ui_widget_width(cache);
	if (cw > COLS - x - 2) {
		if (st.persons >= 0)
			snprintf(cache, sizeof cache, _("%s persons · %ld pending"), persons,
			         pending);
		else
			snprintf(cache, sizeof cache, _("%ld pending"), pending);
		cw = ui_widget_width(cache);
	}
	if (cw <= COLS - x - 2)
		ui_widget_put(stdscr, y, COLS - cw - 1, cw, cache, a, false);
}

static void draw_hints(const struct ui_screen_type *t)
{
	int y = LINES - 1, x = 0;
	char keys[32];

	ui_widget_fill(stdscr, y, 0, COLS, ui_theme_attr(UI_FACE_HINT));
	if (!t || !t->help)
		return;
	for (const struct ui_help_entry *e = t->help; e->action != UI_ACT_NONE; e++) {
		if (!e->hint)
			continue;
		ui_keymap_keys(e->action, true, t->typing, keys, sizeof keys);
		const char *label = _(e->hint);
		int need = ui_widget_width(keys) + 1 + ui_widget_width(label) + 1;
		if (x + need > COLS)
			break;
		x += ui_widget_put(stdscr, y, x, COLS - x, keys, ui_theme_attr(UI_FACE_HINT_KEY),
		                   false);
		x += 1;
		x += ui_widget_put(stdscr, y, x, COLS - x, label, ui_theme_attr(UI_FACE_HINT),
		                   false);
		x += 1;
	}
}

void ui_status_draw(struct session *s, const struct ui_screen_type *t)
{
	draw_title(s, t);
	draw_status();
	draw_hints(t);
}
