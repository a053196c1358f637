/* ui/sync.h: sync inside the event loop (design.md 5, properties 7, 9,
 * 11): cycles of src/sync.c carried by the curl multi driver, scheduled at
 * start-up, every sync_interval seconds and soon after a local change,
 * backed off after transient failures, stopped after permanent ones until
 * the user asks again; one agent per cache file (the lease). */
#ifndef HANDESK_UI_SYNC_H
#define HANDESK_UI_SYNC_H

#include <stdbool.h>

struct session;
struct ui_sync;

/* Where sync stands, for the status line. */
enum ui_sync_mode {
	UI_SYNC_LOCAL = 0,  /* no server or token configured: local only */
	UI_SYNC_STARTING,   /* configured, no cycle ended yet */
	UI_SYNC_ONLINE,     /* the last cycle ended well */
	UI_SYNC_OFFLINE,    /* the last cycle failed transiently; retry scheduled */
	UI_SYNC_STOPPED,    /* a person must act (token, schema, centre): F5 retries */
	UI_SYNC_OTHER_AGENT /* another process holds the lease and syncs the cache */
};

struct ui_sync_view {
	enum ui_sync_mode mode;
	bool running;    /* a cycle is under way */
	long retry_s;    /* OFFLINE: seconds until the next try */
	char error[512]; /* OFFLINE, STOPPED: what went wrong, in words */
	char agent[128]; /* OTHER_AGENT: who syncs ("host:pid") */
};

/* What ui_sync_work did, as flags. */
enum {
	UI_SYNC_DATA = 1 << 0,  /* rows were written: screens show stale data */
	UI_SYNC_STATE = 1 << 1, /* a cycle ended: read the summary again */
};

/* Sync for session s (the cache and the configuration's server, token,
 * ca_file, sync_interval).  Never NULL (aborts on out of memory); without a
 * server or token it stays UI_SYNC_LOCAL and does nothing.  Free with
 * ui_sync_free, which drops a running transfer and gives the lease up. */
struct ui_sync *ui_sync_new(struct session *s);
void ui_sync_free(struct ui_sync *u);

/* The loop's one wait: stdin (fd 0) or curl's sockets and timers, at most
 * timeout_ms.  True if stdin has input (or a signal came: look at keys). */
bool ui_sync_wait(struct ui_sync *u, int timeout_ms);

/* Let a transfer progress, feed a finished reply (a page is applied in one
 * transaction), start the next request, or start a cycle when one is due.
 * now in ms (CLOCK_MONOTONIC).  Never blocks on the network. */
int ui_sync_work(struct ui_sync *u, long long now);

/* When ui_sync_work wants to run again without input (ms), -1 never. */
long long ui_sync_deadline(const struct ui_sync *u, long long now);

/* The user asked for a cycle now (also after a permanent failure). */
void ui_sync_now(struct ui_sync *u, long long now);

/* The outbox grew: a cycle soon (debounced), unless backing off. */
void ui_sync_local_change(struct ui_sync *u, long long now);

/* The state for the status line. */
void ui_sync_get_view(const struct ui_sync *u, long long now, struct ui_sync_view *out);

/* A synced kind's name for people ("Person" for "person"), translated;
 * the code itself for a kind it does not know. */
const char *ui_sync_entity_name(const char *entity);

#endif
