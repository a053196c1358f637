/* src/central/log.h: where handeskd's log lines go: standard error, or
 * syslog through a stdio stream, so that the HTTP layer writes to a FILE
 * either way. */
#ifndef HANDESK_CENTRAL_LOG_H
#define HANDESK_CENTRAL_LOG_H

#include <stdio.h>

/* Open syslog (ident "handeskd", facility daemon) and return a stream whose
 * every line becomes one syslog message: the leading "TIMESTAMP handeskd: "
 * of the HTTP layer's lines is dropped (syslog stamps its own), the rest,
 * request id included, kept; lines about the database or microhttpd are
 * warnings, the others informational.  NULL if the stream cannot be made.
 * Close with fclose (which also calls closelog). */
FILE *central_log_syslog(void);

#endif
