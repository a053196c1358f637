/* db/application.h: applications and their document checklists in the
 * cache.  Writes inside a transaction, each with its outbox row. */
#ifndef HANDESK_DB_APPLICATION_H
#define HANDESK_DB_APPLICATION_H

#include "../src/application.h"
#include "../src/rc.h"
#include "cache.h"

enum rc db_application_insert(struct cache *c, struct application *a, const char *staff_id,
                              char **cause);
enum rc db_application_update(struct cache *c, struct application *a, const char *staff_id,
                              char **cause);
enum rc db_application_get(struct cache *c, const char *id, struct application *out);

/* A person's applications, newest received first; *out allocated (caller
 * frees), count in *n. */
enum rc db_application_list(struct cache *c, const char *person_id, struct application **out,
                            int *n);

enum rc db_document_insert(struct cache *c, struct app_document *d, const char *staff_id,
                           char **cause);
enum rc db_document_update(struct cache *c, struct app_document *d, const char *staff_id,
                           char **cause);
/* One checklist line by id; RC_NOTFOUND if none. */
enum rc db_document_get(struct cache *c, const char *id, struct app_document *out);
/* An application's checklist; *out allocated (caller frees). */
enum rc db_document_list(struct cache *c, const char *application_id, struct app_document **out,
                         int *n);

#endif
