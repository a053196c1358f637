/* db/outbox.h: local changes waiting to be sent to the central service.
 * Rows are written by the other db/ modules in the same transaction as the
 * change itself (json_object() of the changed row). */
#ifndef HANDESK_DB_OUTBOX_H
#define HANDESK_DB_OUTBOX_H

#include "../src/rc.h"
#include "cache.h"

struct outbox_entry {
	long seq;
	char entity[24]; /* "person", "application", ... */
	char row_id[37];
	char op[8]; /* "insert", "update", "delete" */
	long base_version;
	char *payload; /* JSON of the row after the change, owned */
	char *base;    /* JSON of the row before it, owned; NULL for an insert */
	char created_at[32];
};

long db_outbox_count(struct cache *c);
/* The oldest max entries; *out allocated, free with db_outbox_free. */
enum rc db_outbox_peek(struct cache *c, int max, struct outbox_entry **out, int *n);
void db_outbox_free(struct outbox_entry *e, int n);

/* Internal to db/: write the outbox row for entity/row_id, the payload being
 * json_object of the row as now stored and, for an update or delete, the
 * base the row as it was before (left by the BEFORE UPDATE triggers of
 * db/local/0004-sync.sql in the same transaction).  Exposed for the db/
 * modules. */
enum rc db_outbox_record(struct cache *c, const char *entity, const char *row_id, const char *op,
                         long base_version, char **cause);

#endif
