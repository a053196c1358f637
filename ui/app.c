/* app.c: the curses application: terminal set-up, the screen stack and the
 * one event loop (wait, drain keys, timers, draw once per pass). */
#include "autoconf.h"

#include "ui/app.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "db/cache.h"
#include "db/sync.h"
#include "src/i18n.h"
#include "src/session.h"
#include "ui/card.h"
#include "ui/conflicts.h"
#include "ui/help.h"
#include "ui/intake.h"
#include "ui/rejected.h"
#include "ui/screen.h"
#include "ui/search.h"
#include "ui/settings.h"
#include "ui/status.h"
#include "ui/sync.h"
#include "ui/theme.h"
#include "ui/widget.h"

#define MIN_COLS  80
#define MIN_LINES 24
/* How long a lone Esc byte waits for the rest of a key sequence.  Escape
 * sequences of function and arrow keys arrive in one write, also over ssh,
 * so 10 ms keeps Esc ("back") under the 16 ms keystroke bar; ESCDELAY in
 * the environment overrides it for slow links. */
#define ESC_DELAY_MS      10
#define VERSION_POLL_MS   1000 /* how often to look for other processes' commits */
#define SYNC_SHOW_MS      300  /* pulled rows shown at most this often */
#define MAX_STACK         16
#define MAX_NAV           8
#define MAX_KEYS_PER_PASS 512 /* a huge paste still gets a redraw now and then */

/* The one table of screens. */
static const struct ui_screen_type *const screen_types[UI_SCREEN_COUNT] = {
    [UI_SCREEN_SEARCH] = &ui_search_screen,     [UI_SCREEN_CARD] = &ui_card_screen,
    [UI_SCREEN_INTAKE] = &ui_intake_screen,     [UI_SCREEN_SETTINGS] = &ui_settings_screen,
    [UI_SCREEN_HELP] = &ui_help_screen,         [UI_SCREEN_CONFLICTS] = &ui_conflicts_screen,
    [UI_SCREEN_REJECTED] = &ui_rejected_screen,
};

struct entry {
	enum ui_screen_id id;
	const struct ui_screen_type *t;
	void *st;
	int layout_gen; /* app->layout_gen when last laid out */
	bool stale;     /* data changed while it was not on top */
};

enum nav_op { NAV_PUSH, NAV_POP, NAV_POP_TO_HOME };

/* A stack change asked by a handler, applied once it returns. */
struct nav {
	enum nav_op op;
	enum ui_screen_id id;
	struct ui_screen_arg arg;
	char text[256];
};

struct ui_app {
	struct session *s;
	struct entry stack[MAX_STACK];
	int depth;
	struct nav navs[MAX_NAV];
	int nnav;
	bool quit;
	bool dirty;
	bool too_small;
	int layout_gen;
	int cursor; /* curs_set state, -1 unknown */
	long data_version;
	long long next_version_poll;
	bool sync_data;         /* sync wrote rows the screens have not shown */
	long long sync_show_at; /* ms: not before then (a large sync: a few times a second) */
	struct ui_sync *sync;
	struct ui_sync_view sync_view; /* as last given to the status line */
};

static volatile sig_atomic_t got_winch;
static volatile sig_atomic_t got_term;

static void on_winch(int sig)
{
	(void)sig;
	got_winch = 1;
}

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ui_app_fail(const char *what)
{
	endwin(); /* give the terminal back before dying */
	fprintf(stderr, "handesk: %s\n", what);
	abort();
}

void *ui_app_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		ui_app_fail("out of memory");
	return p;
}

struct session *ui_app_session(struct ui_app *app)
{
	return app->s;
}

const struct ui_screen_type *ui_app_screen_type(enum ui_screen_id id)
{
	return id < UI_SCREEN_COUNT ? screen_types[id] : NULL;
}

void ui_app_dirty(struct ui_app *app)
{
	app->dirty = true;
}

void ui_app_quit(struct ui_app *app)
{
	app->quit = true;
}

static struct nav *nav_add(struct ui_app *app, enum nav_op op)
{
	if (app->nnav >= MAX_NAV)
		return NULL;
	struct nav *n = &app->navs[app->nnav++];
	memset(n, 0, sizeof *n);
	n->op = op;
	return n;
}

void ui_app_push(struct ui_app *app, enum ui_screen_id id, const struct ui_screen_arg *arg)
{
	struct nav *n = nav_add(app, NAV_PUSH);
	if (!n)
		return;
	n->id = id;
	if (arg)
		n->arg = *arg;
	if (arg && arg->text) {
		snprintf(n->text, sizeof n->text, "%s", arg->text);
		n->arg.text = n->text;
	}
}

void ui_app_pop(struct ui_app *app)
{
	nav_add(app, NAV_POP);
}

void ui_app_open_card(struct ui_app *app, const char *person_id)
{
	struct ui_screen_arg arg;

	nav_add(app, NAV_POP_TO_HOME);
	if (!person_id || !*person_id)
		return;
	memset(&arg, 0, sizeof arg);
	snprintf(arg.person_id, sizeof arg.person_id, "%s", person_id);
	ui_app_push(app, UI_SCREEN_CARD, &arg);
}

static struct entry *top(struct ui_app *app)
{
	return app->depth ? &app->stack[app->depth - 1] : NULL;
}

static void pop_one(struct ui_app *app)
{
	struct entry *e = top(app);
	if (!e)
		return;
	e->t->free(e->st);
	app->depth--;
	e = top(app);
	if (e)
		e->stale = true; /* what the screen above did may change it */
}

static void apply_navs(struct ui_app *app)
{
	bool moved = app->nnav > 0;

	/* Handlers may ask for more while a screen initialises: loop by index. */
	for (int i = 0; i < app->nnav; i++) {
		struct nav *n = &app->navs[i];
		switch (n->op) {
		case NAV_POP:
			if (app->depth > 1)
				pop_one(app);
			break;
		case NAV_POP_TO_HOME:
			while (app->depth > 1)
				pop_one(app);
			break;
		case NAV_PUSH: {
			if (app->depth >= MAX_STACK) {
				ui_status_error("%s", _("too many screens open: press Esc first"));
				break;
			}
			const struct ui_screen_type *t = screen_types[n->id];
			void *st = t->init(app, &n->arg);
			if (!st)
				break; /* the screen said why in the status line */
			struct entry *e = &app->stack[app->depth++];
			e->id = n->id;
			e->t = t;
			e->st = st;
			e->layout_gen = -1;
			e->stale = false;
			break;
		}
		}
	}
	app->nnav = 0;
	if (app->depth && moved)
		ui_status_refresh(app->s);
	app->dirty = true;
}

/* Ask the kernel for the size and tell curses (we own SIGWINCH). */
static void resize(struct ui_app *app)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	app->layout_gen++;
	app->too_small = LINES < MIN_LINES || COLS < MIN_COLS;
	clearok(curscr, TRUE);
	app->dirty = true;
}

static void set_cursor(struct ui_app *app, bool on)
{
	int want = on ? 1 : 0;
	if (app->cursor != want) {
		curs_set(want);
		app->cursor = want;
	}
}

static void draw_too_small(struct ui_app *app)
{
	char msg[160];

	/* TRANSLATORS: shown instead of the screen when the terminal is too small. */
	snprintf(msg, sizeof msg, _("Terminal too small (need 80x24, have %dx%d)"), COLS, LINES);
	int w = ui_widget_width(msg);
	if (w > COLS)
		w = COLS;
	ui_widget_put(stdscr, LINES / 2, (COLS - w) / 2, COLS, msg, A_BOLD, false);
	if (LINES > 2)
		ui_widget_put(stdscr, LINES / 2 + 1, 0, COLS,
		              _("Enlarge the window, or F10 to quit."), A_NORMAL, false);
	wnoutrefresh(stdscr);
	set_cursor(app, false);
}

static void sync_now(struct ui_app *app)
{
	struct ui_sync_view v;

	ui_sync_get_view(app->sync, now_ms(), &v);
	switch (v.mode) {
	case UI_SYNC_LOCAL:
		ui_status_error("%s", _("no central service: set server and token in handesk.conf "
		                        "(see handesk.conf(5))"));
		break;
	case UI_SYNC_OTHER_AGENT:
		ui_status_info(_("another handesk (%s) syncs this cache"), v.agent);
		break;
	default:
		if (v.running) {
			ui_status_info("%s", _("A sync is under way."));
		} else {
			ui_sync_now(app->sync, now_ms());
			ui_status_info("%s", _("Syncing now."));
		}
	}
}

static void draw(struct ui_app *app)
{
	struct entry *e = top(app);
	int ctop = 1, height = LINES - 3;
	bool cursor;

	werase(stdscr);
	if (app->too_small || !e) {
		draw_too_small(app);
		doupdate();
		return;
	}
	if (e->layout_gen != app->layout_gen) {
		if (e->t->layout)
			e->t->layout(e->st, app, ctop, height);
		e->layout_gen = app->layout_gen;
	}
	ui_status_draw(app->s, e->t);
	cursor = e->t->draw(e->st, app, ctop, height);
	wnoutrefresh(stdscr);
	if (e->t->overlay)
		cursor = e->t->overlay(e->st, app, ctop, height);
	set_cursor(app, cursor);
	doupdate();
}

void ui_app_sync_now(struct ui_app *app)
{
	sync_now(app);
}

/* What the application does with an action the screen left alone. */
static void global_action(struct ui_app *app, struct entry *e, enum ui_action a)
{
	struct ui_screen_arg arg;

	memset(&arg, 0, sizeof arg);
	switch (a) {
	case UI_ACT_HELP:
		if (e->id != UI_SCREEN_HELP) {
			arg.about = e->id;
			ui_app_push(app, UI_SCREEN_HELP, &arg);
		}
		break;
	case UI_ACT_QUIT:
		app->quit = true;
		break;
	case UI_ACT_BACK:
		ui_app_pop(app);
		break;
	case UI_ACT_SEARCH:
		ui_app_open_card(app, NULL);
		break;
	case UI_ACT_SETTINGS:
		if (e->id != UI_SCREEN_SETTINGS)
			ui_app_push(app, UI_SCREEN_SETTINGS, &arg);
		break;
	case UI_ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	case UI_ACT_SYNC_NOW:
		sync_now(app);
		break;
	case UI_ACT_CONFLICTS:
	case UI_ACT_REJECTED: {
		enum ui_screen_id id =
		    a == UI_ACT_CONFLICTS ? UI_SCREEN_CONFLICTS : UI_SCREEN_REJECTED;
		if (e->id != id)
			ui_app_push(app, id, &arg);
		break;
	}
	default:
		break;
	}
}

static void dispatch(struct ui_app *app, struct ui_key k)
{
	struct entry *e = top(app);
	enum ui_focus focus;
	enum ui_action a;
	int r = UI_IGNORED;

	if (!e)
		return;
	focus = e->t->focus ? e->t->focus(e->st) : UI_FOCUS_NONE;
	a = ui_keymap_lookup(k, focus);
	if (a == UI_ACT_NONE)
		return;
	app->dirty = true;
	if (a == UI_ACT_RESIZE) {
		resize(app);
		return;
	}
	if (app->too_small) {
		/* Nothing can be seen: only quitting makes sense. */
		if (a == UI_ACT_QUIT)
			app->quit = true;
		return;
	}
	/* The screen first: it may take Esc or F10 itself (a confirm box, a
	 * form with unsaved input). */
	r = e->t->handle(e->st, app, a, k.code);
	if (!(r & UI_HANDLED))
		global_action(app, e, a);
	apply_navs(app);
}

/* Read the status figures again; an outbox that grew means a local
 * change (here or in a process that does not sync): sync soon. */
static void refresh_status(struct ui_app *app)
{
	long before = ui_status_pending();

	ui_status_refresh(app->s);
	if (before >= 0 && ui_status_pending() > before)
		ui_sync_local_change(app->sync, now_ms());
	app->dirty = true;
}

static void drain_keys(struct ui_app *app)
{
	long long writes = db_sync_local_writes(app->s->cache);
	wint_t wch;

	for (int i = 0; i < MAX_KEYS_PER_PASS && !app->quit; i++) {
		int r = get_wch(&wch);
		if (r == ERR)
			break;
		if (got_winch)
			break; /* lay out first, then go on reading */
		struct ui_key k = {wch, r == KEY_CODE_YES};
		dispatch(app, k);
	}
	/* A save, a document marked, a card viewed (audited): one counter of
	 * SQLite's tells, no query per key. */
	if (db_sync_local_writes(app->s->cache) != writes)
		refresh_status(app);
}

static void mark_stale(struct ui_app *app)
{
	for (int i = 0; i < app->depth; i++)
		app->stack[i].stale = true;
	app->dirty = true;
}

static void poll_data_version(struct ui_app *app)
{
	long v = db_cache_data_version(app->s->cache);
	if (v == app->data_version)
		return;
	app->data_version = v;
	mark_stale(app);
	refresh_status(app);
}

/* Sync's share of a pass: progress, and what it changed. */
static void work_sync(struct ui_app *app, long long now)
{
	struct ui_sync_view v;
	int f = ui_sync_work(app->sync, now);

	if (f & UI_SYNC_DATA)
		app->sync_data = true;
	/* A pulled page changed rows: the screens read again, but no more
	 * often than SYNC_SHOW_MS (a large sync applies a page every few ms,
	 * and a search read again each time would hold the keys back). */
	if (app->sync_data && now >= app->sync_show_at) {
		app->sync_data = false;
		app->sync_show_at = now + SYNC_SHOW_MS;
		mark_stale(app);
		f |= UI_SYNC_STATE;
	}
	if (f & UI_SYNC_STATE) {
		ui_status_refresh(app->s);
		app->dirty = true;
	}
	ui_sync_get_view(app->sync, now, &v);
	if (memcmp(&v, &app->sync_view, sizeof v) != 0) {
		app->sync_view = v;
		ui_status_sync(&v);
		app->dirty = true;
	}
}

static void run(struct ui_app *app)
{
	while (!app->quit && !got_term) {
		long long now = now_ms();
		struct entry *e;

		if (got_winch) {
			got_winch = 0;
			resize(app);
		}
		if (now >= app->next_version_poll) {
			poll_data_version(app);
			app->next_version_poll = now + VERSION_POLL_MS;
		}
		if (ui_status_expire(now))
			app->dirty = true;
		work_sync(app, now);
		e = top(app);
		if (!e)
			break;
		if (e->stale) {
			e->stale = false;
			if (e->t->reload)
				e->t->reload(e->st, app);
			app->dirty = true;
		}
		if (e->t->prepare && !app->too_small)
			e->t->prepare(e->st, app);
		if (app->dirty) {
			app->dirty = false;
			draw(app);
		}

		long long deadline = app->next_version_poll, msg = ui_status_deadline();
		long long sync = ui_sync_deadline(app->sync, now_ms());
		if (msg >= 0 && msg < deadline)
			deadline = msg;
		if (app->sync_data && app->sync_show_at < deadline)
			deadline = app->sync_show_at;
		if (sync >= 0 && sync < deadline)
			deadline = sync;
		int timeout = (int)(deadline - now_ms());
		if (timeout < 0)
			timeout = 0;
		/* The one place the loop blocks: stdin, the nearest timer, and
		 * while a transfer runs curl's sockets and timers too. */
		if (ui_sync_wait(app->sync, timeout))
			drain_keys(app);
	}
}

/* Keys some terminals send that their terminfo entry does not name (tmux
 * and screen with TERM=xterm*, rxvt, the Linux console): Home and End in
 * every spelling, so they are never taken for Esc and letters. */
static void define_extra_keys(void)
{
	static const struct {
		const char *seq;
		int code;
	} extra[] = {
	    {"\033[1~", KEY_HOME}, {"\033[7~", KEY_HOME}, {"\033[H", KEY_HOME},
	    {"\033OH", KEY_HOME},  {"\033[4~", KEY_END},  {"\033[8~", KEY_END},
	    {"\033[F", KEY_END},   {"\033OF", KEY_END},   {"\033[Z", KEY_BTAB},
	};

	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
		if (key_defined(extra[i].seq) == 0)
			define_key(extra[i].seq, extra[i].code);
}

static void set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL); /* before newterm: ncurses then leaves it to us */
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

int ui_app_run(struct session *s)
{
	struct ui_app *app = calloc(1, sizeof *app);
	struct ui_screen_arg arg;
	SCREEN *scr;

	if (!app) {
		fputs("handesk: out of memory\n", stderr);
		return 1;
	}
	set_signals();
	/* i18n_init() already called setlocale(LC_ALL, ""): wide characters work. */
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, _("handesk: cannot use the terminal (TERM=%s)\n"),
		        getenv("TERM") ? getenv("TERM") : "");
		free(app);
		return 1;
	}
	set_term(scr);
	/* raw, not cbreak: Ctrl-S and Ctrl-Q are our keys, not XON/XOFF. */
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	define_extra_keys();
	nodelay(stdscr, TRUE); /* we wait in poll(), get_wch() only drains */
	if (!getenv("ESCDELAY"))
		set_escdelay(ESC_DELAY_MS);
	ui_theme_init(s->cfg ? s->cfg->theme : NULL);

	app->s = s;
	app->cursor = -1;
	app->too_small = LINES < MIN_LINES || COLS < MIN_COLS;
	app->data_version = db_cache_data_version(s->cache);
	app->next_version_poll = now_ms() + VERSION_POLL_MS;
	app->sync = ui_sync_new(s);
	ui_sync_get_view(app->sync, now_ms(), &app->sync_view);
	ui_status_sync(&app->sync_view);
	memset(&arg, 0, sizeof arg);
	ui_app_push(app, UI_SCREEN_SEARCH, &arg);
	apply_navs(app);
	if (app->depth)
		run(app);

	while (app->depth)
		pop_one(app);
	ui_sync_free(app->sync);
	endwin();
	delscreen(scr);
	free(app);
	return 0;
}
