/* fuzz_sync_reply.c: libFuzzer target for the parsers of the central
 * service's replies (src/sync.c): hello, pull and snapshot pages, push
 * replies and error bodies, each fed the same input.  Checks: never
 * crashes or leaks; a parser either succeeds without a cause, with every
 * row's JSON text again a valid object, or fails with a cause in words. */
#include "autoconf.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_row(const struct db_sync_row *r)
{
	json_t *o;

	if ((!r->json && !r->obj) || !r->entity || !r->id || r->version <= 0)
		__builtin_trap();
	if (r->obj) {
		/* A page's row: the checked object itself. */
		if (!json_is_object(r->obj))
			__builtin_trap();
		return;
	}
	o = json_loads(r->json, 0, NULL);
	if (!json_is_object(o))
		__builtin_trap();
	json_decref(o);
}

static void outcome(enum rc rc, char *cause)
{
	if (rc == RC_OK ? cause != NULL : (!cause || !*cause))
		__builtin_trap();
	free(cause);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct sync_hello hello;
	struct sync_page page;
	struct sync_push_reply push;
	char *cause = NULL, *msg;
	enum rc rc;

	rc = sync_parse_hello(body, size, &hello, &cause);
	outcome(rc, cause);

	for (int snapshot = 0; snapshot < 2; snapshot++) {
		cause = NULL;
		rc = sync_parse_page(body, size, snapshot, &page, &cause);
		outcome(rc, cause);
		if (rc == RC_OK) {
			if (!page.cursor || (snapshot && !page.after))
				__builtin_trap();
			for (int i = 0; i < page.n; i++)
				check_row(&page.rows[i]);
			sync_page_free(&page);
		}
	}

	cause = NULL;
	rc = sync_parse_push(body, size, &push, &cause);
	outcome(rc, cause);
	if (rc == RC_OK) {
		for (int i = 0; i < push.n; i++) {
			const struct db_sync_result *r = &push.results[i];
			if (!r->change)
				__builtin_trap();
			if (r->status == DB_SYNC_REJECTED ? !r->reason : !r->row.json)
				__builtin_trap();
			if (r->row.json)
				check_row(&r->row);
			if (r->status == DB_SYNC_CONFLICT)
				check_row(&r->conflict);
		}
		sync_push_reply_free(&push);
	}

	msg = sync_parse_error(body, size);
	if (msg)
		for (const char *p = msg; *p; p++)
			if ((unsigned char)*p < 0x20)
				__builtin_trap();
	free(msg);
	return 0;
}
