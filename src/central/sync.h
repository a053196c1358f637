/* src/central/sync.h: handeskd's side of the sync protocol (handesk-sync(7)):
 * POST /v1/push, GET /v1/pull, GET /v1/snapshot.  Independent of the HTTP
 * library: http.c hands over the body and arguments and sends the reply. */
#ifndef HANDESK_CENTRAL_SYNC_H
#define HANDESK_CENTRAL_SYNC_H

#include <jansson.h>
#include <stddef.h>

#include "../rc.h"
#include "../sync_row.h"

struct central;

#define CENTRAL_SYNC_MAX_CHANGES 1000
#define CENTRAL_SYNC_MAX_CHANGE  128 /* longest change id, bytes */

/* One change of a push as parsed.  When reject is set the change is
 * answered "rejected" with that reason and never reaches the store. */
struct push_change {
	char change[CENTRAL_SYNC_MAX_CHANGE + 1];
	const struct sync_entity *entity; /* NULL if unknown (then rejected) */
	char id[37];
	enum sync_op op;
	long long base_version;
	char updated_at[40];
	char updated_by[40];
	json_t *fields; /* borrowed from push_batch.root; an object, or NULL if rejected */
	json_t *base;   /* borrowed; an object or NULL */
	char *reject;   /* malloc'd reason, or NULL */
};

struct push_batch {
	char batch[37];
	size_t n;
	struct push_change *changes;
	json_t *root; /* the parsed body, owns fields and base */
};

/* Parse and check a push body (not NUL-terminated, len bytes) without
 * touching any database: the shape of the body (a JSON object with a
 * batch UUID and at most 1000 changes, each an object with a change id) is
 * required, else RC_INVALID and *cause (caller frees) for a 400; each
 * change is then checked with src/sync_row.c and, if wrong, given its
 * reject reason.  *out is filled on RC_OK; free it with
 * central_sync_push_free (also after a failure). */
enum rc central_sync_parse_push(const char *body, size_t len, struct push_batch *out, char **cause);
void central_sync_push_free(struct push_batch *b);

/* A reply to send: status 200 with body (JSON text), or an error status
 * with code ("bad_request", "unavailable", ...) and message for the JSON
 * error of http.c.  broken: the database connection should be replaced. */
struct sync_reply {
	unsigned status;
	char *body;        /* malloc'd, for status 200 */
	const char *code;  /* static, for errors */
	char *message;     /* malloc'd, for errors */
	const char *retry; /* Retry-After seconds, or NULL */
	bool broken;
};
void central_sync_reply_free(struct sync_reply *r);

/* POST /v1/push for the token's centre (centre_id, a UUID). */
void central_sync_push(struct central *db, const char *centre_id, const char *body, size_t len,
                       struct sync_reply *out);
/* GET /v1/pull?cursor=C&limit=N (NULL when absent). */
void central_sync_pull(struct central *db, const char *centre_id, const char *cursor,
                       const char *limit, struct sync_reply *out);
/* GET /v1/snapshot?after=A&limit=N (NULL when absent). */
void central_sync_snapshot(struct central *db, const char *centre_id, const char *after,
                           const char *limit, struct sync_reply *out);

#endif
