/* sync_transport.h: HTTP for sync over libcurl: one easy handle reused
 * (connection reuse), gzip, bearer token, TLS verified (ca_file), connect
 * and stall timeouts.  Two drivers: blocking (`handesk sync`) and the curl
 * multi interface for an event loop (the curses application), whose wait
 * takes the loop's own descriptors (stdin) beside curl's. */
#ifndef HANDESK_SYNC_TRANSPORT_H
#define HANDESK_SYNC_TRANSPORT_H

#include <poll.h>
#include <stdbool.h>

#include "rc.h"
#include "sync.h"

struct sync_transport_options {
	const char *server;     /* base URL, "https://handeskd.example:8443" */
	const char *token;      /* bearer token */
	const char *ca_file;    /* CA bundle for TLS verification, NULL = system's */
	long connect_timeout_s; /* 0 = 10 s */
	long stall_timeout_s;   /* 0 = 30 s: less than 1 byte/s for so long aborts */
	bool insecure;          /* tests only: no TLS verification */
};

struct sync_transport;

/* A transport for o (the strings are copied).  RC_INVALID with a cause if
 * the server URL is not http(s). */
enum rc sync_transport_new(const struct sync_transport_options *o, struct sync_transport **out,
                           char **cause);
void sync_transport_free(struct sync_transport *t);

/* ---- blocking ---- */

/* Send req and wait for its reply.  A transfer failure is no error here:
 * reply->status is 0 and reply->error says what (for sync_feed).  The
 * reply's body belongs to the transport until the next request. */
enum rc sync_transport_perform(struct sync_transport *t, const struct sync_request *req,
                               struct sync_reply *reply, char **cause);

/* ---- event loop (curl multi) ----
 * A pass of the loop:
 *   sync_transport_wait(t, fds, n, timeout_ms)  -- instead of poll(): waits
 *       on curl's sockets and the caller's fds (revents filled in), at most
 *       timeout_ms and at most as long as curl's own timers allow;
 *   sync_transport_step(t, &reply, &done)       -- lets curl progress; done
 *       true once the reply is complete (then sync_feed it, and
 *       sync_transport_start the next request if any).
 * With no transfer started, wait is a plain poll() of the caller's fds. */

/* Start sending req (one request at a time; RC_INVALID if one runs). */
enum rc sync_transport_start(struct sync_transport *t, const struct sync_request *req,
                             char **cause);

/* True while a started request has not finished. */
bool sync_transport_busy(const struct sync_transport *t);

/* Wait for fds[0..n-1] (POLLIN etc.; revents set on return) or curl's
 * sockets, at most timeout_ms (-1: as long as needed).  *ready (may be
 * NULL) gets how many of the caller's fds have revents. */
enum rc sync_transport_wait(struct sync_transport *t, struct pollfd *fds, unsigned n,
                            int timeout_ms, int *ready, char **cause);

/* Let the transfer progress without blocking; *done true when the reply
 * is complete, in *reply (body owned by the transport). */
enum rc sync_transport_step(struct sync_transport *t, struct sync_reply *reply, bool *done,
                            char **cause);

/* Drop a running transfer (quitting, or going offline on purpose). */
void sync_transport_cancel(struct sync_transport *t);

/* Wake a sync_transport_wait from another thread or a signal handler's
 * aftermath (curl_multi_wakeup). */
void sync_transport_wakeup(struct sync_transport *t);

#endif
