/* db/sync.h: the SQLite side of sync: state, lease, push batches built
 * from the outbox, push replies and pulled pages applied, each in one
 * transaction; conflicts and rejected changes for a person to handle.
 * The wire (handesk-sync(7)) is src/sync.c's; this file sees row objects
 * as JSON text and lets SQLite's json_extract take them apart. */
#ifndef HANDESK_DB_SYNC_H
#define HANDESK_DB_SYNC_H

#include <stdbool.h>

#include "../src/rc.h"
#include "cache.h"

/* At most this many changes in one push batch (the service's limit). */
#define DB_SYNC_BATCH_MAX 1000

/* ---- sync_state (key/value) ---- */

/* The value of key, malloc'd (caller frees) into *value; RC_NOTFOUND (and
 * *value NULL) if it is not set. */
enum rc db_sync_state_get(struct cache *c, const char *key, char **value);

/* Set (value not NULL) or remove (NULL) key: inside the caller's
 * transaction if one is open, else in its own. */
enum rc db_sync_state_set(struct cache *c, const char *key, const char *value, char **cause);

/* This cache's UUID (prefix of every change id), made on first use. */
enum rc db_sync_cache_id(struct cache *c, char out[37], char **cause);

/* ---- the lease: one sync agent per cache file ---- */

/* Take or renew the lease for holder ("host:pid") until now + seconds
 * (Unix seconds), in a BEGIN IMMEDIATE transaction.  RC_DENIED with a
 * cause naming the holder if another holder's lease runs past now. */
enum rc db_sync_lease_take(struct cache *c, const char *holder, long long now, long seconds,
                           char **cause);

/* Give the lease up if holder holds it. */
enum rc db_sync_lease_release(struct cache *c, const char *holder, char **cause);

/* ---- push ---- */

/* The next push batch: the pending one if a batch was sent but never
 * answered (*resend true: to be sent again byte for byte), else a new one
 * built from the oldest outbox entries, at most max rows (at most
 * DB_SYNC_BATCH_MAX), several entries of one row coalesced into one change
 * (fields that differ between the first entry's base and the last payload,
 * base values from the first entry's base, change id "<cache id>:<highest
 * seq>"), stored as pending_batch before it is returned.  Rows with a
 * rejected change wait.  *body (caller frees) NULL and *n 0 when there is
 * nothing to send. */
enum rc db_sync_next_batch(struct cache *c, int max, char **body, int *n, bool *resend,
                           char **cause);

/* A pulled or returned row, taken apart by src/sync.c (which checked its
 * types): json is the whole row object as text, or NULL where obj is set:
 * the row object itself (a jansson json_t, checked the same way), whose
 * values are then bound as they are instead of taken from text again. */
struct json_t;
struct db_sync_row {
	const char *entity;
	const char *id;
	long long version;
	const char *json;
	const struct json_t *obj;
};

enum db_sync_status { DB_SYNC_APPLIED, DB_SYNC_DUPLICATE, DB_SYNC_CONFLICT, DB_SYNC_REJECTED };

/* One result of a push reply, in the order of the batch's changes. */
struct db_sync_result {
	const char *change; /* the change id it answers */
	enum db_sync_status status;
	struct db_sync_row row;      /* applied, duplicate, conflict: the service's row */
	struct db_sync_row conflict; /* conflict: the conflict record */
	const char *reason;          /* rejected: the service's words */
};

/* What applying a reply or page did. */
struct db_sync_counts {
	int applied;   /* rows written (or versions taken) */
	int skipped;   /* rows not newer than the local ones, or of unknown kinds */
	int held;      /* rows waiting for local changes to be sent (rule 9) */
	int conflicts; /* conflict records received */
	int rejected;  /* changes the service rejected */
};

/* Apply the reply to the pending batch, in one transaction: applied and
 * duplicate store the service's row and delete the outbox entries the
 * change covered; conflict stores the conflict record, sets the local row
 * to the service's and deletes the entries (ours is kept in the record);
 * rejected moves the entries to sync_rejected with the reason.  Then the
 * pending batch is forgotten.  RC_INVALID (nothing applied) if the results
 * do not answer the pending batch's changes one by one.  counts may be
 * NULL (else added to). */
enum rc db_sync_apply_push(struct cache *c, const struct db_sync_result *r, int n,
                           struct db_sync_counts *counts, char **cause);

/* ---- pull and snapshot ---- */

/* Where a page leaves the sync: each non-NULL value is stored with the
 * page (the same transaction). */
struct db_sync_position {
	const char *cursor;         /* pull cursor after the page */
	const char *snapshot_after; /* snapshot position after the page */
	bool snapshot_done;         /* the snapshot's last page */
	bool small_steps;           /* the caller's loop must not wait long: the
	                             * WAL checkpointed in small rounds, and with
	                             * snapshot_done the search index left to
	                             * db_sync_index_step (else: rebuilt in the
	                             * page's transaction) */
};

/* Apply a pulled or snapshot page and its position in one transaction.
 * Each row is upserted from its JSON if its version is newer than the
 * local one; a row with outbox or rejected entries is never overwritten
 * (held in sync_held until they are gone); a person whose INSZ a different
 * local living person holds is held too ("insz held by another person"),
 * the page goes on; pulled persons keep the search index current. */
enum rc db_sync_apply_page(struct cache *c, const struct db_sync_row *rows, int n,
                           const struct db_sync_position *pos, struct db_sync_counts *counts,
                           char **cause);

/* The search index of an initial sync made in steps (small_steps):
 * one transaction that indexes the next max living persons (in id order;
 * max 0: all that are left) after the position stored with the last step,
 * and stores the new one; so a step that is killed is done again and the
 * rest follows.  *more: persons are left after this step.  RC_NOTFOUND
 * (nothing done) when no index waits. */
enum rc db_sync_index_step(struct cache *c, int max, bool *more, char **cause);

/* RC_CONFLICT with a cause in words if the cache holds rows of a centre
 * other than centre_id (a cache belongs to one centre). */
enum rc db_sync_check_centre(struct cache *c, const char *centre_id, char **cause);

/* ---- status ---- */

struct db_sync_summary {
	long pending;          /* outbox entries */
	long rejected;         /* sync_rejected entries */
	long conflicts;        /* unresolved conflict records */
	long held;             /* pulled rows waiting */
	bool snapshot_done;    /* initial sync complete */
	bool batch_pending;    /* a batch was sent and not answered */
	char last_sync_at[32]; /* UTC ISO 8601, "" never */
	char last_error[512];  /* words, "" none */
	char lease_holder[128];
	long long lease_until; /* Unix seconds, 0 none */
};
enum rc db_sync_summary(struct cache *c, struct db_sync_summary *out);

/* Rows this connection has written since it opened, triggers included (no
 * query: a counter of SQLite's).  PRAGMA data_version tells a process of
 * other connections' commits only; the curses loop compares this before
 * and after a key to notice its own changes without reading the cache. */
long long db_sync_local_writes(struct cache *c);

/* ---- rejected changes ---- */

struct db_sync_rejected {
	long seq;
	char entity[24];
	char row_id[37];
	char op[8];
	char created_at[32];
	char rejected_at[32];
	char reason[512];
};
/* The rejected changes, oldest first; *out allocated (caller frees). */
enum rc db_sync_rejected_list(struct cache *c, struct db_sync_rejected **out, int *n);
/* Move the rejected entries of seq's row back into the outbox (seq 0: of
 * every row), to be sent again; RC_NOTFOUND if there is none. */
enum rc db_sync_rejected_retry(struct cache *c, long seq, char **cause);
/* Drop the rejected entry seq for good (a person decided). */
enum rc db_sync_rejected_discard(struct cache *c, long seq, char **cause);

/* ---- conflicts ---- */

struct db_sync_conflict {
	char id[37];
	char entity[24];
	char row_id[37];
	char fields[256]; /* "phone,email" */
	char *ours;       /* JSON object text, owned */
	char *theirs;     /* JSON object text, owned */
	char *base;       /* JSON object text, owned */
	char raised_at[32];
	char raised_by[37];
};
/* The unresolved conflicts, oldest first; free with db_sync_conflicts_free. */
enum rc db_sync_conflict_list(struct cache *c, struct db_sync_conflict **out, int *n);
void db_sync_conflicts_free(struct db_sync_conflict *v, int n);

/* Resolve conflict id: values (a JSON object, field -> value: the fields
 * a person chose, NULL or "{}" to keep theirs as it is) become a local
 * update of the row based on the conflict's theirs version, and the
 * conflict record a tombstone; both through the outbox, in one
 * transaction, by staff_id. */
enum rc db_sync_conflict_resolve(struct cache *c, const char *id, const char *values,
                                 const char *staff_id, char **cause);

#endif
