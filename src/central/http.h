/* src/central/http.h: handeskd's HTTP layer (libmicrohttpd): the routes of
 * the sync protocol, authentication by bearer token, JSON errors. */
#ifndef HANDESK_CENTRAL_HTTP_H
#define HANDESK_CENTRAL_HTTP_H

#include <stdbool.h>
#include <stdio.h>

#include "../rc.h"
#include "contact.h"

struct http_options {
	const char *listen;   /* "127.0.0.1:8080", "[::1]:8080", port 0 = any free port */
	const char *db_url;   /* libpq connection string; "" = PG* environment */
	unsigned threads;     /* worker threads, each with its own database connection */
	unsigned max_body;    /* largest request body accepted, bytes */
	FILE *log;            /* one line per request, with its request id (stderr) */
	const char *tls_cert; /* PEM text of the certificate (chain): HTTPS; NULL = HTTP */
	const char *tls_key;  /* PEM text of its private key (with tls_cert) */
	bool trust_proxy;     /* believe X-Forwarded-For from a loopback peer */
	struct contact_options contact; /* POST /v1/contact-forms */
	/* Called once listening, with the port really bound (for port 0). */
	void (*ready)(unsigned port, void *arg);
	void *ready_arg;
};

/* Serve until SIGINT or SIGTERM.  Routes so far:
 *   GET /v1/health  no auth: {"status":"ok","schema":N} (503 if the database
 *                   does not answer)
 *   GET /v1/hello   bearer token: {"server":"handeskd VERSION","schema":N,
 *                   "centre":"BRU","token":"workstation-12","centre_id":ID,
 *                   "centre_name":NAME,"centre_language":"fr","time":UTC};
 *                   with ?schema=N, a client newer than the server gets 409
 *                   {"error":"schema",...}
 *   POST /v1/push, GET /v1/pull, GET /v1/snapshot   bearer token: the sync
 *                   protocol (src/central/sync.h, handesk-sync(7))
 * Bodies over 1 KiB are gzipped for clients that accept gzip.
 * Unknown routes 404, wrong methods 405, missing/unknown/revoked token 401,
 * each with {"error":CODE,"message":TEXT,"request_id":ID}.
 * Returns RC_OK after a clean stop, else an error with *cause. */
enum rc http_serve(const struct http_options *o, char **cause);

#endif
