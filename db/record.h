/* db/record.h: the synced rows of the central store (table record, see
 * db/central/0002-sync.sql): a pushed batch applied with the merge and
 * conflict rules of handesk-sync(7), the stored answers of push batches,
 * pull and snapshot pages.  Every function works inside a transaction
 * begun by db_record_begin, which runs as the role handesk_centre for one
 * centre: row-level security, not this code, keeps the centres apart. */
#ifndef HANDESK_DB_RECORD_H
#define HANDESK_DB_RECORD_H

#include <jansson.h>
#include <stdbool.h>

#include "../src/rc.h"
#include "../src/sync_row.h"

struct central;

/* Limits of the pages (handesk-sync(7)). */
#define DB_RECORD_PULL_LIMIT         500
#define DB_RECORD_PULL_LIMIT_MAX     5000
#define DB_RECORD_SNAPSHOT_LIMIT     2000
#define DB_RECORD_SNAPSHOT_LIMIT_MAX 10000

/* Begin a transaction acting for centre_id (a UUID, from the token, never
 * from a client): SET LOCAL ROLE handesk_centre and SET LOCAL
 * handesk.centre_id.  End it with db_record_commit or db_record_rollback. */
enum rc db_record_begin(struct central *db, const char *centre_id, char **cause);
enum rc db_record_commit(struct central *db, char **cause);
void db_record_rollback(struct central *db);

/* Begin a transaction acting for centre_id (as db_record_begin) and claim
 * the push batch id batch (a UUID) in it, in one round trip.  RC_OK with
 * *stored NULL: a new batch, claimed (a concurrent request with the same
 * id waits for this transaction), the transaction open; RC_OK with
 * *stored set: the answer given to this batch before (caller frees), to
 * send again as it is, and the transaction rolled back, as it is after an
 * error too.  The claim is only kept if the transaction commits. */
enum rc db_record_batch_claim(struct central *db, const char *centre_id, const char *batch,
                              char **stored, char **cause);
/* Store the answer of the claimed batch and commit the transaction, in one
 * round trip; after an error the transaction is rolled back. */
enum rc db_record_batch_store(struct central *db, const char *batch, const char *response,
                              char **cause);

/* One pushed change, checked by src/sync_row.c (entity, op, fields). */
struct record_change {
	const char *change; /* "<cache uuid>:<outbox seq>" */
	const struct sync_entity *entity;
	const char *id; /* lower-case UUID */
	enum sync_op op;
	long long base_version;
	const char *updated_at; /* UTC ISO 8601 */
	const char *updated_by; /* staff id or "" */
	json_t *fields;         /* object: insert every field, update the changed ones */
	json_t *base;           /* object (update: values at base_version) or NULL */
};

/* Apply the n changes c of a batch, in order, each as in its own savepoint
 * (handesk_push_apply, db/central/0005-push-apply.sql: one round trip for
 * the batch): results[i] (caller decrefs each) is the result object of
 * c[i], {"change","status":"applied"|"duplicate"|"conflict"|"rejected",
 * ...} as handesk-sync(7) describes.  A conflict writes a conflict record.
 * An error (RC_IO, RC_CONFLICT for a deadlock or a serialisation failure)
 * leaves every results[i] NULL and means the transaction must be rolled
 * back. */
enum rc db_record_apply_batch(struct central *db, const struct record_change *c, size_t n,
                              json_t **results, char **cause);

/* A pull page: rows written after cursor (NULL = from the start) by
 * transactions older than the snapshot's xmin, in (txid, version) order.
 * *page (JSON text, caller frees) is {"rows":[...],"cursor":"v1.X.V",
 * "has_more":b}.  RC_INVALID (cause says why) for a malformed cursor.
 * Unlike the others, it runs in a transaction of its own for centre_id
 * (begun and committed with the page's query: one round trip). */
enum rc db_record_pull(struct central *db, const char *centre_id, const char *cursor, int limit,
                       char **page, char **cause);

/* A snapshot page: the living rows in (entity, id) order after after
 * (NULL = first page).  *page (JSON text, caller frees) is {"rows",
 * "after","has_more","cursor"}.  RC_INVALID for a malformed after. */
enum rc db_record_snapshot(struct central *db, const char *after, int limit, char **page,
                           char **cause);

#endif
