/* status.c: title line, status line (who, cache state, messages), key hints. */
#include "autoconf.h"

#include "ui/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db/outbox.h"
#include "db/person.h" /* db_person_count only: the cache figure */
#include "db/sync.h"
#include "src/i18n.h"
#include "src/role.h"
#include "src/session.h"
#include "ui/sync.h"
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
	struct db_sync_summary sum; /* valid if have_sum */
	bool have_sum;
	struct ui_sync_view sync;
} st = {.kind = MSG_NONE, .deadline = -1, .persons = -1, .pending = -1};

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
	st.have_sum = db_sync_summary(s->cache, &st.sum) == RC_OK;
	st.pending = st.have_sum ? st.sum.pending : db_outbox_count(s->cache);
}

long ui_status_pending(void)
{
	return st.pending;
}

long ui_status_conflicts(void)
{
	return st.have_sum ? st.sum.conflicts : 0;
}

void ui_status_sync(const struct ui_sync_view *v)
{
	st.sync = *v;
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

/* The last sync (UTC ISO 8601) in local time: "14:02" today, else
 * "21/11 14:02". */
static void sync_time(const char *utc, char *out, size_t size)
{
	struct tm tm, lt, today;
	time_t t, now = time(NULL);

	memset(&tm, 0, sizeof tm);
	if (sscanf(utc, "%d-%d-%dT%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	           &tm.tm_min) != 5) {
		snprintf(out, size, "%s", utc);
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	localtime_r(&t, &lt);
	localtime_r(&now, &today);
	if (lt.tm_year == today.tm_year && lt.tm_yday == today.tm_yday)
		strftime(out, size, "%H:%M", &lt);
	else
		strftime(out, size, "%d/%m %H:%M", &lt);
}

/* Where sync stands, long (full) or short. */
static void sync_words(bool full, char *out, size_t size)
{
	const struct ui_sync_view *v = &st.sync;
	char when[32] = "", keys[32];
	const char *last = st.have_sum ? st.sum.last_sync_at : "";

	if (*last)
		sync_time(last, when, sizeof when);
	switch (v->mode) {
	case UI_SYNC_LOCAL:
		/* TRANSLATORS: no central service is configured. */
		snprintf(out, size, "%s", full ? _("local only, not synced yet") : _("local only"));
		break;
	case UI_SYNC_STARTING:
		if (v->running)
			snprintf(out, size, "%s",
			         full ? _("connecting to the central service") : _("connecting"));
		else
			snprintf(out, size, "%s", _("not synced yet"));
		break;
	case UI_SYNC_ONLINE:
		if (*when && full)
			/* TRANSLATORS: %s is the time of the last sync, "14:02". */
			snprintf(out, size, _("online · synced %s"), when);
		else
			snprintf(out, size, "%s", _("online"));
		break;
	case UI_SYNC_OFFLINE:
		if (full)
			/* TRANSLATORS: "offline: cannot reach central.example
			 * (connection refused) · retry in 12 s". */
			snprintf(out, size, _("offline: %s · retry in %ld s"), v->error,
			         v->retry_s < 0 ? 0 : v->retry_s);
		else
			snprintf(out, size, _("offline · retry in %ld s"),
			         v->retry_s < 0 ? 0 : v->retry_s);
		break;
	case UI_SYNC_STOPPED:
		ui_keymap_keys(UI_ACT_SYNC_NOW, true, false, keys, sizeof keys);
		if (full)
			/* TRANSLATORS: the reason, then the key that tries again. */
			snprintf(out, size, _("sync stopped: %s · %s retries"), v->error, keys);
		else
			snprintf(out, size, _("sync stopped · %s retries"), keys);
		break;
	case UI_SYNC_OTHER_AGENT:
		/* Another process syncs: what it left in the cache. */
		if (st.have_sum && st.sum.last_error[0] && full)
			snprintf(out, size, _("offline: %s (another handesk syncs)"),
			         st.sum.last_error);
		else if (*when && full)
			snprintf(out, size, _("synced %s by another handesk"), when);
		else
			snprintf(out, size, "%s", _("synced by another handesk"));
		break;
	}
}

/* Conflicts and rejected changes, when there are any, with their keys. */
static void sync_counts(bool full, char *out, size_t size)
{
	char keys[32], part[128];
	long conflicts = st.have_sum ? st.sum.conflicts : 0;
	long rejected = st.have_sum ? st.sum.rejected : 0;

	out[0] = '\0';
	if (conflicts > 0) {
		ui_keymap_keys(UI_ACT_CONFLICTS, true, false, keys, sizeof keys);
		if (full)
			/* TRANSLATORS: %s is the key of the conflicts screen. */
			snprintf(part, sizeof part,
			         ngettext("%ld conflict: %s", "%ld conflicts: %s", conflicts),
			         conflicts, keys);
		else
			snprintf(part, sizeof part,
			         ngettext("%ld conflict", "%ld conflicts", conflicts), conflicts);
		snprintf(out + strlen(out), size - strlen(out), " · %s", part);
	}
	if (rejected > 0) {
		ui_keymap_keys(UI_ACT_REJECTED, true, false, keys, sizeof keys);
		if (full)
			snprintf(part, sizeof part, _("%ld rejected: %s"), rejected, keys);
		else
			snprintf(part, sizeof part, _("%ld rejected"), rejected);
		snprintf(out + strlen(out), size - strlen(out), " · %s", part);
	}
}

/* The cache and sync state, as long as fits in room columns: the persons,
 * changes pending, where sync stands (with the last error in words),
 * conflicts and rejected changes; shorter forms when narrow. */
static void cache_state(const char *persons, int room, char *out, size_t size)
{
	long pending = st.pending < 0 ? 0 : st.pending;
	char pend_full[96], pend_short[64], sync_full[700], sync_short[128];
	char counts_full[200], counts_short[160];

	snprintf(pend_full, sizeof pend_full,
	         ngettext("%ld change pending", "%ld changes pending", pending), pending);
	/* The short forms leave out "0 pending": room for the words of an error. */
	pend_short[0] = '\0';
	if (pending > 0) {
		snprintf(pend_short, sizeof pend_short, _("%ld pending"), pending);
		strcat(pend_short, " · ");
	}
	sync_words(true, sync_full, sizeof sync_full);
	sync_words(false, sync_short, sizeof sync_short);
	sync_counts(true, counts_full, sizeof counts_full);
	sync_counts(false, counts_short, sizeof counts_short);

	for (int form = 0; form < 7; form++) {
		switch (form) {
		case 0:
			if (st.persons < 0)
				continue;
			/* TRANSLATORS: the cache state at the right of the status line. */
			snprintf(out, size,
			         ngettext("cache: %s person · %s · %s%s",
			                  "cache: %s persons · %s · %s%s",
			                  (unsigned long)st.persons),
			         persons, pend_full, sync_full, counts_full);
			break;
		case 1:
			snprintf(out, size, "%s%s%s", pend_short, sync_full, counts_full);
			break;
		case 2:
			/* The error in words before the count of changes pending. */
			if (st.sync.mode != UI_SYNC_OFFLINE && st.sync.mode != UI_SYNC_STOPPED)
				continue;
			snprintf(out, size, "%s%s", sync_full, counts_short);
			break;
		case 3:
			snprintf(out, size, "%s%s%s", pend_short, sync_short, counts_full);
			break;
		case 4:
			snprintf(out, size, "%s%s%s", pend_short, sync_short, counts_short);
			break;
		case 5:
			snprintf(out, size, "%s%s", sync_short, counts_short);
			break;
		default:
			snprintf(out, size, "%s", sync_short);
			break;
		}
		if (ui_widget_width(out) <= room)
			return;
	}
}

static void draw_status(void)
{
	char cache[1200], persons[48], line[600];
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
	cache_state(persons, COLS - x - 2, cache, sizeof cache);
	int cw = ui_widget_width(cache);
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
