/* sync.h: the sync protocol (handesk-sync(7)) as a state machine that
 * knows no network: fed with HTTP replies, it applies them to the cache
 * and says which request comes next.  A cycle: hello, then the pending
 * batch again or new push batches until the outbox is empty, then the
 * snapshot pages while the initial sync is not done, then pull pages until
 * has_more is false.  src/sync_transport.c carries the requests (blocking
 * for `handesk sync`, curl multi for the curses loop). */
#ifndef HANDESK_SYNC_H
#define HANDESK_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "../db/cache.h"
#include "../db/sync.h"
#include "rc.h"
#include "sync_row.h"

/* The protocol version sent with /v1/hello (src/sync_row.h). */
#define SYNC_SCHEMA SYNC_PROTOCOL

/* Rows asked per page. */
#define SYNC_PULL_LIMIT     500
#define SYNC_SNAPSHOT_LIMIT 5000

/* A request to send: owned by the struct sync that made it, valid until
 * the next sync_feed or sync_free. */
struct sync_request {
	const char *method; /* "GET" or "POST" */
	const char *path;   /* path and query, "/v1/pull?cursor=...&limit=500" */
	const char *body;   /* JSON for POST, else NULL */
	size_t body_len;
};

/* A reply as the transport got it.  status 0 means the transfer itself
 * failed (connect, timeout, reset): error says how, in words. */
struct sync_reply {
	long status;
	const char *body; /* not NUL-terminated necessarily; len bytes */
	size_t len;
	long retry_after; /* seconds from Retry-After, -1 none */
	char error[256];  /* transport failure, "" none */
};

/* Where a cycle stands after sync_start or sync_feed. */
enum sync_next {
	SYNC_SEND,      /* send *req and feed its reply */
	SYNC_DONE,      /* the cycle is complete */
	SYNC_TRANSIENT, /* failed; retry later (sync_backoff) */
	SYNC_PERMANENT, /* failed; a person must act (token, schema, centre) */
};

struct sync_stats {
	int pushed;    /* changes sent and answered */
	int pulled;    /* rows received (pull and snapshot) */
	int applied;   /* rows written locally */
	int held;      /* rows waiting for local changes (rule 9) */
	int conflicts; /* conflicts raised by our changes */
	int rejected;  /* changes rejected */
};

struct sync;

/* A sync of cache c, as holder ("host:pid", for the lease).  NULL if out
 * of memory.  The cache stays the caller's. */
struct sync *sync_new(struct cache *c, const char *holder);
void sync_free(struct sync *s);

/* Prefetch (off by default): a pull or snapshot page with more after it
 * is parsed and kept, and sync_feed returns the request for the next one
 * at once, so that the service prepares it while this one is applied: by
 * sync_apply_deferred, which the driver calls once the request is on its
 * way, or else first thing in the next sync_feed.  A page is still stored
 * with its position in one transaction, in order. */
void sync_set_prefetch(struct sync *s, bool on);
/* Small steps (off by default; the curses loop turns it on): pages of
 * snapshot_limit and pull_limit rows (at most the SYNC_*_LIMIT ones), each
 * still applied with its position in one transaction, and the search index
 * of an initial sync left to db_sync_index_step in small transactions
 * instead of one pass with the snapshot's last page; so that no step of
 * the sync holds the caller's loop for long. */
void sync_set_small_steps(struct sync *s, int snapshot_limit, int pull_limit);
/* Does a parsed page wait to be applied? */
bool sync_deferred(const struct sync *s);
/* Apply the page that waits, if any: SYNC_SEND (go on with the request in
 * flight), or how the cycle ended (cause says why; drop the request). */
enum sync_next sync_apply_deferred(struct sync *s, char **cause);

/* Begin a cycle: takes the lease (SYNC_PERMANENT with *cause if another
 * agent holds it) and gives the hello request. */
enum sync_next sync_start(struct sync *s, struct sync_request *req, char **cause);

/* Feed the reply to the last request: applied to the cache, then the next
 * request in *req (SYNC_SEND), or the end of the cycle.  On any end the
 * lease is released and last_sync_at or last_error stored; *cause (caller
 * frees) says why a cycle failed, in words for a person. */
enum sync_next sync_feed(struct sync *s, const struct sync_reply *reply, struct sync_request *req,
                         char **cause);

/* What this cycle did so far. */
const struct sync_stats *sync_stats(const struct sync *s);

/* Retry-After of the reply that ended the cycle, -1 none. */
long sync_retry_after(const struct sync *s);

/* The centre the service named in hello ("" before). */
const char *sync_centre(const struct sync *s);

/* ---- failures and retries ---- */

/* Transient (connect/timeout: status 0, 408, 429, 5xx) or not. */
bool sync_transient(long status);

/* Seconds to wait before retry number attempt (0 = first): full jitter
 * over 1 s .. min(300 s, 2^attempt s), r01 a random number in [0, 1);
 * never less than retry_after (>= 0: the service's Retry-After, honoured up
 * to an hour). */
long sync_backoff(unsigned attempt, long retry_after, double r01);

/* A failed reply in words for a person (caller frees): the status, the
 * service's message when its body has one, and what to do. */
char *sync_describe(const struct sync_reply *reply);

/* ---- parsers of the replies (no network, no cache: the fuzz target's) ----
 * Each checks every field's type; RC_INVALID with *cause on anything else. */

struct sync_hello {
	char server[64];
	long schema;
	char centre[16];
	char token[64];
	char centre_id[37];
	char centre_name[128];
	char centre_language[8];
	char time[32];
};
enum rc sync_parse_hello(const char *body, size_t len, struct sync_hello *out, char **cause);

/* A pull or snapshot page.  rows[i].json are compact JSON texts of the row
 * objects, owned with the rest by the page (sync_page_free). */
struct sync_page {
	struct db_sync_row *rows; /* obj set, json NULL: they point into doc */
	int n;
	struct json_t *doc; /* the page as parsed */
	char *cursor;       /* pull: after the page; snapshot: where to pull from after it */
	char *after;        /* snapshot: position after the page, NULL for pull */
	bool has_more;
};
enum rc sync_parse_page(const char *body, size_t len, bool snapshot, struct sync_page *out,
                        char **cause);
void sync_page_free(struct sync_page *p);

/* A push reply: results in the batch's order (batch id checked by the
 * caller against the one sent). */
struct sync_push_reply {
	char *batch;
	struct db_sync_result *results;
	int n;
};
enum rc sync_parse_push(const char *body, size_t len, struct sync_push_reply *out, char **cause);
void sync_push_reply_free(struct sync_push_reply *p);

/* The "message" of an error body ({"error", "message", "request_id"}),
 * malloc'd, or NULL if the body is not one. */
char *sync_parse_error(const char *body, size_t len);

#endif
