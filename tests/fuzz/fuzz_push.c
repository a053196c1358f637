/* fuzz_push.c: libFuzzer target for central_sync_parse_push, the parser of
 * every POST /v1/push body handeskd receives (hostile input from the
 * network).  No database is touched.  Checks: never crashes nor leaks; an
 * accepted batch has a UUID batch id and at most 1000 changes, each with a
 * change id, and each change not rejected has a known entity, an op the
 * entity accepts, a UUID id, a valid updated_at and fields of that entity
 * that validate again one by one. */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/central/sync.h"
#include "src/sync_row.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_change(const struct push_change *c)
{
	const char *key;
	json_t *value;

	if (c->change[0] == '\0' || strlen(c->change) > CENTRAL_SYNC_MAX_CHANGE)
		__builtin_trap();
	if (c->reject) {
		if (c->reject[0] == '\0' || c->fields != NULL)
			__builtin_trap();
		return;
	}
	if (c->entity == NULL || sync_row_check_op(c->entity, c->op, NULL) != RC_OK)
		__builtin_trap();
	if (!sync_row_uuid(c->id) || !sync_row_time(c->updated_at))
		__builtin_trap();
	if (c->op != SYNC_OP_DELETE) {
		if (!json_is_object(c->fields))
			__builtin_trap();
		json_object_foreach(c->fields, key, value)
		{
			char *cause = NULL;

			if (sync_row_validate(c->entity->name, key, value, &cause) != RC_OK)
				__builtin_trap();
			free(cause);
		}
		if (c->op == SYNC_OP_INSERT && json_object_size(c->fields) != c->entity->nfields)
			__builtin_trap();
	}
	if (c->base != NULL && !json_is_object(c->base))
		__builtin_trap();
	if (c->base_version < 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct push_batch b;
	char *cause = NULL;
	enum rc rc;

	rc = central_sync_parse_push((const char *)data, size, &b, &cause);
	if (rc == RC_OK) {
		if (cause != NULL || !sync_row_uuid(b.batch) || b.n > CENTRAL_SYNC_MAX_CHANGES)
			__builtin_trap();
		for (size_t i = 0; i < b.n; i++)
			check_change(&b.changes[i]);
	} else if (cause == NULL && rc != RC_NOMEM) {
		__builtin_trap(); /* a 400 always says why */
	}
	free(cause);
	central_sync_push_free(&b);
	return 0;
}
