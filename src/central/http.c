/* http.c: handeskd's HTTP layer: libmicrohttpd with a thread pool, one
 * database connection per worker at a time, the routes of http.h, JSON
 * errors with a request id, one log line per request. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "db/central.h"
#include "src/central/http.h"
#include "src/central/sync.h"
#include "src/sync_row.h"

/* Limits the options do not carry (yet). */
#define HTTP_CONNECTION_LIMIT   1024
#define HTTP_CONNECTION_TIMEOUT 30   /* seconds of silence before a connection is closed */
#define HTTP_MAX_THREADS        256  /* each holds a PostgreSQL connection */
#define HTTP_LOG_PATH_MAX       200  /* longest path written to the log */
#define HTTP_GZIP_MIN           1024 /* smaller response bodies are sent as they are */

/* The database connections: libpq connections are not thread-safe, so a
 * request borrows one for its whole handling.  There are as many slots as
 * worker threads, and a worker handles one request at a time, so a slot is
 * always free; the condition variable is only a safety net. */
struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const char *url;
	unsigned n;
	struct central **db; /* NULL = not connected (yet, or after a failure) */
	bool *busy;
	FILE *log;
};

struct server {
	const struct http_options *o;
	struct pool pool;
	char id_prefix[9]; /* random per process: ids stay unique across instances */
	atomic_uint_fast64_t counter;
};

/* One request, from its headers to its completion. */
struct request {
	char id[32];
	char method[16];                  /* for the log */
	char path[HTTP_LOG_PATH_MAX + 4]; /* for the log, made printable */
	struct timespec start;
	size_t body_len; /* bytes received */
	char *body;      /* the body received (up to max_body), NUL-terminated, or NULL */
	size_t body_cap; /* bytes allocated for body */
	bool too_large;
	unsigned status; /* 0 until a response is queued */
};

/* ---- logging ---- */

static void log_line(FILE *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void log_line(FILE *log, const char *fmt, ...)
{
	char stamp[32], msg[768];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	if (log == NULL)
		return;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* One call per line: stdio locks the stream, lines do not interleave. */
	fprintf(log, "%s handeskd: %s\n", stamp, msg);
	fflush(log);
}

/* A path as it may appear in the log: printable ASCII only (a decoded %0a
 * must not forge a log line), and not too long. */
static void log_safe(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; src != NULL && *src != '\0' && i + 4 < size; src++)
		dst[i++] = (*src >= 0x20 && *src < 0x7f) ? *src : '?';
	if (src != NULL && *src != '\0') {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	FILE *log = cls;
	char msg[512];
	size_t len;

	vsnprintf(msg, sizeof msg, fmt, ap);
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		msg[--len] = '\0';
	log_line(log, "microhttpd: %s", msg);
}

/* ---- the connection pool ---- */

static enum rc pool_init(struct pool *p, const char *url, unsigned n, FILE *log, char **cause)
{
	memset(p, 0, sizeof *p);
	p->url = url != NULL ? url : "";
	p->n = n;
	p->log = log;
	p->db = calloc(n, sizeof *p->db);
	p->busy = calloc(n, sizeof *p->busy);
	if (p->db == NULL || p->busy == NULL) {
		free(p->db);
		free(p->busy);
		*cause = strdup("out of memory");
		return RC_NOMEM;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	return RC_OK;
}

static void pool_free(struct pool *p)
{
	if (p->db == NULL)
		return;
	for (unsigned i = 0; i < p->n; i++)
		db_central_close(p->db[i]);
	free(p->db);
	free(p->busy);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	p->db = NULL;
}

/* Borrow a slot and make sure it is connected.  Returns the slot, with
 * *db NULL when the database cannot be reached (logged, the request gets
 * a 503).  Give the slot back with pool_put. */
static unsigned pool_get(struct pool *p, struct central **db)
{
	unsigned i;
	char *cause = NULL;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		for (i = 0; i < p->n && p->busy[i]; i++)
			;
		if (i < p->n)
			break;
		pthread_cond_wait(&p->cv, &p->mu);
	}
	p->busy[i] = true;
	pthread_mutex_unlock(&p->mu);

	/* Connect outside the lock: a slow database delays one worker only. */
	if (p->db[i] == NULL && db_central_connect(p->url, &p->db[i], &cause) != RC_OK) {
		log_line(p->log, "database: %s", cause != NULL ? cause : "cannot connect");
		free(cause);
		p->db[i] = NULL;
	}
	*db = p->db[i];
	return i;
}

/* The connection of slot i failed (the server restarted, the network
 * dropped it): replace it by a new one, NULL if that fails too. */
static struct central *pool_reconnect(struct pool *p, unsigned i)
{
	char *cause = NULL;

	db_central_close(p->db[i]);
	p->db[i] = NULL;
	if (db_central_connect(p->url, &p->db[i], &cause) != RC_OK) {
		log_line(p->log, "database: %s", cause != NULL ? cause : "cannot connect");
		free(cause);
		p->db[i] = NULL;
	}
	return p->db[i];
}

/* Give the slot back; broken = the connection failed during the request:
 * close it, the next request on this slot reconnects. */
static void pool_put(struct pool *p, unsigned i, bool broken)
{
	if (broken && p->db[i] != NULL) {
		db_central_close(p->db[i]);
		p->db[i] = NULL;
	}
	pthread_mutex_lock(&p->mu);
	p->busy[i] = false;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* ---- responses ---- */

/* Does the client take gzip (Accept-Encoding: gzip, not with q=0)? */
static bool accepts_gzip(struct MHD_Connection *c)
{
	const char *h =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);

	while (h != NULL && *h != '\0') {
		size_t len = strcspn(h, ",");
		const char *p = h, *end = h + len, *q;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) >= 4 && strncasecmp(p, "gzip", 4) == 0 &&
		    (p + 4 == end || p[4] == ';' || p[4] == ' ' || p[4] == '\t')) {
			/* "gzip;q=0" (or 0.0, 0.00 ...) refuses it */
			q = p + 4;
			while (q < end && *q != '=')
				q++;
			if (q == end)
				return true;
			for (q++; q < end && (*q == '0' || *q == '.'); q++)
				;
			return q < end && *q >= '1' && *q <= '9';
		}
		h = *end == ',' ? end + 1 : end;
	}
	return false;
}

/* text (len bytes) gzipped into a new buffer (*out, *out_len; caller
 * frees), or false (out of memory). */
static bool gzip(const char *text, size_t len, char **out, size_t *out_len)
{
	z_stream z;
	uLong cap;
	int e;

	memset(&z, 0, sizeof z);
	/* 15 + 16: a gzip header and trailer rather than zlib's.  The
	 * fastest level: on sync pages (repetitive JSON) it still shrinks
	 * them about sixfold, at a third of the default level's time, which
	 * was a fifth of a snapshot page's cost (bench/bench_sync.sh). */
	if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	cap = deflateBound(&z, (uLong)len);
	*out = malloc(cap);
	if (*out == NULL) {
		deflateEnd(&z);
		return false;
	}
	z.next_in = (Bytef *)(uintptr_t)text;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)*out;
	z.avail_out = (uInt)cap;
	e = deflate(&z, Z_FINISH);
	*out_len = z.total_out;
	deflateEnd(&z);
	if (e != Z_STREAM_END) {
		free(*out);
		*out = NULL;
		return false;
	}
	return true;
}

/* Queue text (malloc'd JSON, stolen; NULL = out of memory) as the
 * response, gzipped when it is large and the client takes gzip, with the
 * headers every response carries; extra is one more header name and
 * value, or NULL. */
static enum MHD_Result reply_text(struct MHD_Connection *c, struct request *r, unsigned status,
                                  char *text, const char *extra_name, const char *extra_value)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	bool gzipped = false;

	if (text == NULL) {
		/* Out of memory: still an answer, without a body. */
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		static char empty[1];

		resp = MHD_create_response_from_buffer(0, empty, MHD_RESPMEM_PERSISTENT);
	} else {
		size_t len = strlen(text), zlen;
		char *z;

		if (len > HTTP_GZIP_MIN && accepts_gzip(c) && gzip(text, len, &z, &zlen)) {
			free(text);
			text = z;
			len = zlen;
			gzipped = true;
		}
		resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
		if (resp == NULL)
			free(text);
	}
	if (resp == NULL)
		return MHD_NO;
	if (gzipped)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	if (extra_name != NULL)
		MHD_add_response_header(resp, extra_name, extra_value);
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	if (ret == MHD_YES)
		r->status = status;
	return ret;
}

/* Queue json (stolen) as the response: see reply_text. */
static enum MHD_Result reply(struct MHD_Connection *c, struct request *r, unsigned status,
                             json_t *json, const char *extra_name, const char *extra_value)
{
	char *text = json != NULL ? json_dumps(json, JSON_COMPACT) : NULL;

	json_decref(json);
	return reply_text(c, r, status, text, extra_name, extra_value);
}

static enum MHD_Result reply_error(struct MHD_Connection *c, struct request *r, unsigned status,
                                   const char *code, const char *message, const char *extra_name,
                                   const char *extra_value)
{
	json_t *j =
	    json_pack("{s:s, s:s, s:s}", "error", code, "message", message, "request_id", r->id);

	return reply(c, r, status, j, extra_name, extra_value);
}

static enum MHD_Result reply_unavailable(struct MHD_Connection *c, struct request *r)
{
	return reply_error(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
	                   "the database does not answer; try again later", "Retry-After", "5");
}

/* ---- routes ---- */

/* GET /v1/health: no authentication; does the database answer? */
static enum MHD_Result route_health(struct server *s, struct MHD_Connection *c, struct request *r)
{
	struct central *db;
	unsigned slot = pool_get(&s->pool, &db);
	bool ok = db != NULL && db_central_ping(db);
	int schema;

	/* A connection that went stale gets one fresh try. */
	if (db != NULL && !ok) {
		db = pool_reconnect(&s->pool, slot);
		ok = db != NULL && db_central_ping(db);
	}
	schema = ok ? db_central_schema_version(db) : -1;
	pool_put(&s->pool, slot, db != NULL && !ok);
	if (!ok || schema < 0) {
		json_t *j = json_pack("{s:s, s:s}", "status", "unavailable", "request_id", r->id);
		return reply(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, j, "Retry-After", "5");
	}
	return reply(c, r, MHD_HTTP_OK, json_pack("{s:s, s:i}", "status", "ok", "schema", schema),
	             NULL, NULL);
}

/* The secret of "Authorization: Bearer SECRET", or NULL. */
static const char *bearer(struct MHD_Connection *c)
{
	const char *h =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	for (h += 7; *h == ' '; h++)
		;
	return *h != '\0' ? h : NULL;
}

/* A schema number: digits only, no sign, no overflow. */
static bool parse_schema(const char *s, int *out)
{
	long v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > 1000000)
			return false;
	}
	*out = (int)v;
	return true;
}

static const char challenge[] = "Bearer realm=\"handeskd\"";

/* Check the bearer token with a borrowed database connection.  True: *tok
 * is the token and the connection (*db, slot *slot) stays borrowed for the
 * route, which gives it back with pool_put.  False: the answer (401, 503)
 * is queued in *ret and the connection given back. */
static bool authenticate(struct server *s, struct MHD_Connection *c, struct request *r,
                         struct central_token *tok, struct central **db, unsigned *slot,
                         enum MHD_Result *ret)
{
	const char *secret = bearer(c);
	char *cause = NULL;
	enum rc rc;

	if (secret == NULL) {
		*ret = reply_error(c, r, MHD_HTTP_UNAUTHORIZED, "unauthorized",
		                   "no bearer token: send Authorization: Bearer TOKEN",
		                   MHD_HTTP_HEADER_WWW_AUTHENTICATE, challenge);
		return false;
	}
	*slot = pool_get(&s->pool, db);
	if (*db == NULL) {
		pool_put(&s->pool, *slot, false);
		*ret = reply_unavailable(c, r);
		return false;
	}
	memset(tok, 0, sizeof *tok);
	rc = db_central_token_check(*db, secret, tok, &cause);
	if (rc == RC_IO && (*db = pool_reconnect(&s->pool, *slot)) != NULL) {
		/* A stale connection gets one fresh try. */
		free(cause);
		cause = NULL;
		memset(tok, 0, sizeof *tok);
		rc = db_central_token_check(*db, secret, tok, &cause);
	}
	if (rc == RC_OK) {
		free(cause);
		return true;
	}
	pool_put(&s->pool, *slot, rc != RC_NOTFOUND && rc != RC_DENIED);
	if (rc == RC_NOTFOUND || rc == RC_DENIED) {
		free(cause);
		*ret =
		    reply_error(c, r, MHD_HTTP_UNAUTHORIZED, "unauthorized",
		                rc == RC_DENIED ? "this token has been revoked" : "unknown token",
		                MHD_HTTP_HEADER_WWW_AUTHENTICATE, challenge);
		return false;
	}
	log_line(s->o->log, "%s database: %s", r->id, cause != NULL ? cause : "token check failed");
	free(cause);
	*ret = reply_unavailable(c, r);
	return false;
}

/* GET /v1/hello: who am I (token), and do we speak the same schema? */
static enum MHD_Result route_hello(struct server *s, struct MHD_Connection *c, struct request *r)
{
	const char *schema_arg = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "schema");
	int client = 0;
	struct central_token tok;
	struct central *db;
	enum MHD_Result ret;
	unsigned slot;
	char now[32];
	struct timespec ts;
	struct tm tm;

	if (bearer(c) != NULL && schema_arg != NULL && !parse_schema(schema_arg, &client))
		return reply_error(c, r, MHD_HTTP_BAD_REQUEST, "bad_request",
		                   "schema must be a non-negative integer", NULL, NULL);
	if (!authenticate(s, c, r, &tok, &db, &slot, &ret))
		return ret;
	pool_put(&s->pool, slot, false);

	if (schema_arg != NULL && (client > SYNC_PROTOCOL || client < SYNC_PROTOCOL_OLDEST)) {
		char msg[200];

		if (client > SYNC_PROTOCOL)
			snprintf(msg, sizeof msg,
			         "this handeskd speaks sync schema %d; the client speaks %d: "
			         "upgrade handeskd",
			         SYNC_PROTOCOL, client);
		else
			snprintf(msg, sizeof msg,
			         "this handeskd serves sync schema %d to %d; the client speaks %d: "
			         "upgrade handesk",
			         SYNC_PROTOCOL_OLDEST, SYNC_PROTOCOL, client);
		return reply_error(c, r, MHD_HTTP_CONFLICT, "schema", msg, NULL, NULL);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(now, 20, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(now + 19, sizeof now - 19, ".%03ldZ", ts.tv_nsec / 1000000 % 1000);
	return reply(c, r, MHD_HTTP_OK,
	             json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "server",
	                       "handeskd " PACKAGE_VERSION, "schema", SYNC_PROTOCOL, "centre",
	                       tok.centre_code, "token", tok.name, "centre_id", tok.centre_id,
	                       "centre_name", tok.centre_name, "centre_language",
	                       tok.centre_language, "time", now),
	             NULL, NULL);
}

/* Send what src/central/sync.c answered, and free it. */
static enum MHD_Result reply_sync(struct MHD_Connection *c, struct request *r,
                                  struct sync_reply *out)
{
	enum MHD_Result ret;

	if (out->status == MHD_HTTP_OK) {
		ret = reply_text(c, r, MHD_HTTP_OK, out->body, NULL, NULL);
		out->body = NULL;
	} else {
		ret = reply_error(c, r, out->status, out->code != NULL ? out->code : "internal",
		                  out->message != NULL ? out->message : "",
		                  out->retry ? "Retry-After" : NULL, out->retry);
	}
	central_sync_reply_free(out);
	return ret;
}

/* POST /v1/push: a batch of changes of the token's centre. */
static enum MHD_Result route_push(struct server *s, struct MHD_Connection *c, struct request *r)
{
	const char *type =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	struct central_token tok;
	struct sync_reply out;
	struct central *db;
	enum MHD_Result ret;
	unsigned slot;

	if (!authenticate(s, c, r, &tok, &db, &slot, &ret))
		return ret;
	if (type == NULL || strncasecmp(type, "application/json", 16) != 0 ||
	    (type[16] != '\0' && type[16] != ';' && type[16] != ' ')) {
		pool_put(&s->pool, slot, false);
		return reply_error(c, r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
		                   "send the batch as Content-Type: application/json", NULL, NULL);
	}
	central_sync_push(db, tok.centre_id, r->body, r->body_len, &out);
	pool_put(&s->pool, slot, out.broken);
	if (out.status != MHD_HTTP_OK)
		log_line(s->o->log, "%s push: %s", r->id, out.message ? out.message : "");
	return reply_sync(c, r, &out);
}

/* GET /v1/pull?cursor=C&limit=N: rows of the token's centre changed after C. */
static enum MHD_Result route_pull(struct server *s, struct MHD_Connection *c, struct request *r)
{
	struct central_token tok;
	struct sync_reply out;
	struct central *db;
	enum MHD_Result ret;
	unsigned slot;

	if (!authenticate(s, c, r, &tok, &db, &slot, &ret))
		return ret;
	central_sync_pull(db, tok.centre_id,
	                  MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "cursor"),
	                  MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit"), &out);
	pool_put(&s->pool, slot, out.broken);
	return reply_sync(c, r, &out);
}

/* GET /v1/snapshot?after=A&limit=N: every living row of the token's centre. */
static enum MHD_Result route_snapshot(struct server *s, struct MHD_Connection *c, struct request *r)
{
	struct central_token tok;
	struct sync_reply out;
	struct central *db;
	enum MHD_Result ret;
	unsigned slot;

	if (!authenticate(s, c, r, &tok, &db, &slot, &ret))
		return ret;
	central_sync_snapshot(db, tok.centre_id,
	                      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "after"),
	                      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit"), &out);
	pool_put(&s->pool, slot, out.broken);
	return reply_sync(c, r, &out);
}

/* The client's address, for the contact forms' rate limit: the peer's;
 * with trust_proxy and a loopback peer (a proxy on this host), the last
 * address of X-Forwarded-For, the one that proxy added. */
static void client_source(struct server *s, struct MHD_Connection *c, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *xff, *last;
	bool loopback = false;
	char buf[64];
	size_t n;

	snprintf(out, size, "unknown");
	if (ci != NULL && ci->client_addr != NULL && ci->client_addr->sa_family == AF_INET) {
		struct sockaddr_in a;

		memcpy(&a, ci->client_addr, sizeof a);
		inet_ntop(AF_INET, &a.sin_addr, out, (socklen_t)size);
		loopback = (ntohl(a.sin_addr.s_addr) >> 24) == 127;
	} else if (ci != NULL && ci->client_addr != NULL &&
	           ci->client_addr->sa_family == AF_INET6) {
		struct sockaddr_in6 a;

		memcpy(&a, ci->client_addr, sizeof a);
		inet_ntop(AF_INET6, &a.sin6_addr, out, (socklen_t)size);
		loopback = IN6_IS_ADDR_LOOPBACK(&a.sin6_addr);
	}
	if (!s->o->trust_proxy || !loopback)
		return;
	xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
	if (xff == NULL)
		return;
	last = strrchr(xff, ',');
	for (last = last != NULL ? last + 1 : xff; *last == ' ' || *last == '\t'; last++)
		;
	n = strcspn(last, " \t");
	if (n == 0 || n >= sizeof buf)
		return;
	memcpy(buf, last, n);
	buf[n] = '\0';
	{
		struct in6_addr a6;

		if (inet_pton(AF_INET, buf, &a6) == 1 || inet_pton(AF_INET6, buf, &a6) == 1)
			snprintf(out, size, "%s", buf);
	}
}

/* POST /v1/contact-forms: the public website's contact form (site key, no
 * token); src/central/contact.c does the work. */
static enum MHD_Result route_contact(struct server *s, struct MHD_Connection *c, struct request *r)
{
	struct contact_request req = {
	    .site_key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Handesk-Site-Key"),
	    .content_type =
	        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
	    .body = r->body,
	    .len = r->body_len,
	    .too_large = r->too_large,
	};
	struct contact_form form;
	struct contact_reply out;
	struct central *db;
	char source[64];
	unsigned slot;
	enum rc rc;

	client_source(s, c, source, sizeof source);
	req.source = source;
	if (central_contact_check(&s->o->contact, &req, &form, &out)) {
		slot = pool_get(&s->pool, &db);
		if (db != NULL && !db_central_ping(db))
			db = pool_reconnect(&s->pool, slot);
		rc = central_contact_store(&s->o->contact, db, source, &form, &out);
		pool_put(&s->pool, slot, rc == RC_IO);
		central_contact_free(&form);
	}
	if (out.log[0] != '\0')
		log_line(s->o->log, "%s %s", r->id, out.log);
	if (out.json != NULL && out.status >= 400)
		json_object_set_new(out.json, "request_id", json_string(r->id));
	return reply(c, r, out.status, out.json, out.retry_after[0] ? "Retry-After" : NULL,
	             out.retry_after[0] ? out.retry_after : NULL);
}

static const struct route {
	const char *path;
	const char *method; /* HEAD is accepted wherever GET is */
	enum MHD_Result (*fn)(struct server *, struct MHD_Connection *, struct request *);
} routes[] = {
    {"/v1/health", MHD_HTTP_METHOD_GET, route_health},
    {"/v1/hello", MHD_HTTP_METHOD_GET, route_hello},
    {"/v1/contact-forms", MHD_HTTP_METHOD_POST, route_contact},
    {"/v1/push", MHD_HTTP_METHOD_POST, route_push},
    {"/v1/pull", MHD_HTTP_METHOD_GET, route_pull},
    {"/v1/snapshot", MHD_HTTP_METHOD_GET, route_snapshot},
};

static enum MHD_Result dispatch(struct server *s, struct MHD_Connection *c, struct request *r,
                                const char *url, const char *method)
{
	const struct route *path_match = NULL;
	bool head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;

	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (strcmp(url, routes[i].path) != 0)
			continue;
		path_match = &routes[i];
		if (strcmp(method, routes[i].method) == 0 ||
		    (head && strcmp(routes[i].method, MHD_HTTP_METHOD_GET) == 0))
			return routes[i].fn(s, c, r);
	}
	if (path_match == NULL)
		return reply_error(c, r, MHD_HTTP_NOT_FOUND, "not_found", "no such route", NULL,
		                   NULL);
	return reply_error(c, r, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
	                   "this route does not take this method", MHD_HTTP_HEADER_ALLOW,
	                   strcmp(path_match->method, MHD_HTTP_METHOD_GET) == 0
	                       ? "GET, HEAD"
	                       : path_match->method);
}

/* ---- libmicrohttpd callbacks ---- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct server *s = cls;
	struct request *r = *con_cls;
	unsigned max = s->o->max_body;

	(void)version;
	if (r == NULL) {
		/* First call: headers only. */
		const char *len;
		uint_fast64_t n;

		r = calloc(1, sizeof *r);
		if (r == NULL)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &r->start);
		n = atomic_fetch_add(&s->counter, 1) + 1;
		snprintf(r->id, sizeof r->id, "%s-%" PRIuFAST64, s->id_prefix, n);
		*con_cls = r;
		snprintf(r->method, sizeof r->method, "%s", method);
		log_safe(r->method, sizeof r->method, r->method);
		log_safe(r->path, sizeof r->path, url);
		/* A declared body that is too large is refused before it is read. */
		len =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (len != NULL && strtoull(len, NULL, 10) > max)
			r->too_large = true;
		else
			return MHD_YES;
	} else if (*upload_data_size != 0) {
		/* A body chunk (chunked encoding, or within the declared size),
		 * kept for the route up to max bytes. */
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (r->too_large || r->status != 0)
			return MHD_YES; /* already answered: the rest is dropped */
		if (n > max || r->body_len > max - n) {
			r->too_large = true;
		} else {
			if (r->body_len + n + 1 > r->body_cap) {
				size_t cap = r->body_cap ? r->body_cap : 4096;
				char *p;

				while (cap < r->body_len + n + 1)
					cap *= 2;
				if (cap > (size_t)max + 1)
					cap = (size_t)max + 1;
				p = realloc(r->body, cap);
				if (p == NULL)
					return MHD_NO;
				r->body = p;
				r->body_cap = cap;
			}
			memcpy(r->body + r->body_len, upload_data, n);
			r->body_len += n;
			r->body[r->body_len] = '\0';
			return MHD_YES;
		}
	}
	if (r->status != 0)
		return MHD_YES; /* already answered, the rest of the body is dropped */
	if (r->too_large) {
		char msg[96];
		enum MHD_Result ret;

		snprintf(msg, sizeof msg, "request bodies are limited to %u bytes", max);
		ret = reply_error(c, r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", msg,
		                  MHD_HTTP_HEADER_CONNECTION, "close");
		/* Too late to answer in the middle of a body: cut the connection. */
		if (ret == MHD_NO)
			r->status = MHD_HTTP_CONTENT_TOO_LARGE;
		return ret;
	}
	return dispatch(s, c, r, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct request *r = *con_cls;
	struct timespec end;
	char status[40];
	double ms;

	(void)c;
	if (r == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &end);
	ms = (double)(end.tv_sec - r->start.tv_sec) * 1e3 +
	     (double)(end.tv_nsec - r->start.tv_nsec) / 1e6;
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		snprintf(status, sizeof status, "%u", r->status);
	else
		snprintf(status, sizeof status, "%u (connection ended early)", r->status);
	log_line(s->o->log, "%s %s %s %s %.1fms", r->id, r->method, r->path, status, ms);
	free(r->body);
	free(r);
	*con_cls = NULL;
}

/* ---- listening address ---- */

/* "A.B.C.D:PORT" or "[v6]:PORT". */
static enum rc parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
                            char **cause)
{
	char host[64];
	const char *colon, *h = s;
	size_t hlen;
	char *end;
	unsigned long port;

	if (s == NULL || *s == '\0')
		goto bad;
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			goto bad;
		h = s + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			goto bad;
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= sizeof host)
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 || port > 65535)
		goto bad;

	memset(ss, 0, sizeof *ss);
	if (*s == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad;
		*len = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
		*len = sizeof *a;
	}
	return RC_OK;
bad:
	if (asprintf(cause, "listen address '%s': expected A.B.C.D:PORT or [IPv6]:PORT",
	             s != NULL ? s : "") < 0)
		*cause = NULL;
	return RC_INVALID;
}

/* ---- serve ---- */

enum rc http_serve(const struct http_options *o, char **cause)
{
	struct server s;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info;
	sigset_t stop, old;
	unsigned threads = o->threads == 0 ? 1 : o->threads;
	unsigned char rnd[4];
	unsigned port;
	unsigned flags;
	struct central *probe;
	unsigned slot;
	int sig = 0;
	enum rc rc;
	/* HTTPS: the PEM texts, which libmicrohttpd keeps pointing to (the
	 * caller frees them after the stop). */
	struct MHD_OptionItem tls[] = {
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)(uintptr_t)o->tls_key},
	    {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)(uintptr_t)o->tls_cert},
	    {MHD_OPTION_END, 0, NULL},
	};

	*cause = NULL;
	if (o->tls_cert != NULL && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		if (asprintf(cause, "this libmicrohttpd was built without TLS: run handeskd "
		                    "behind a TLS proxy instead") < 0)
			*cause = NULL;
		return RC_INVALID;
	}
	if (threads > HTTP_MAX_THREADS) {
		if (asprintf(cause, "--threads %u: at most %u", o->threads, HTTP_MAX_THREADS) < 0)
			*cause = NULL;
		return RC_INVALID;
	}
	rc = parse_listen(o->listen, &addr, &addr_len, cause);
	if (rc)
		return rc;

	memset(&s, 0, sizeof s);
	s.o = o;
	atomic_init(&s.counter, 0);
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		uint32_t v = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
		memcpy(rnd, &v, sizeof rnd);
	}
	snprintf(s.id_prefix, sizeof s.id_prefix, "%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
	         rnd[3]);
	rc = pool_init(&s.pool, o->db_url, threads, o->log, cause);
	if (rc)
		return rc;

	/* The stop signals are taken by sigwait below; block them before the
	 * workers start so that they inherit the mask and never see them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, &old);

	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (o->tls_cert != NULL)
		flags |= MHD_USE_TLS;
	/* The logger first, or MHD complains on its own stderr. */
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_EXTERNAL_LOGGER,
	                     mhd_logger, o->log, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
	                     MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
	                     (unsigned)HTTP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
	                     (unsigned)HTTP_CONNECTION_TIMEOUT, MHD_OPTION_NOTIFY_COMPLETED,
	                     on_completed, &s, MHD_OPTION_ARRAY,
	                     o->tls_cert != NULL ? tls : tls + 2, MHD_OPTION_END);
	if (d == NULL) {
		if (asprintf(cause,
		             o->tls_cert != NULL
		                 ? "cannot listen on %s (address in use or not available, or the "
		                   "TLS certificate and key are not a pair: see the log)"
		                 : "cannot listen on %s (address in use, or not available)",
		             o->listen) < 0)
			*cause = NULL;
		rc = RC_IO;
		goto out;
	}
	(void)addr_len;

	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	port = info != NULL ? info->port : 0;
	if (port == 0) {
		/* Older libmicrohttpd: ask the socket itself. */
		struct sockaddr_storage bound;
		socklen_t blen = sizeof bound;

		info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
		if (info != NULL &&
		    getsockname(info->listen_fd, (struct sockaddr *)&bound, &blen) == 0)
			port = ntohs(bound.ss_family == AF_INET6
			                 ? ((struct sockaddr_in6 *)&bound)->sin6_port
			                 : ((struct sockaddr_in *)&bound)->sin_port);
	}

	/* Say early if the database is out of reach; serving goes on (health
	 * answers 503) so that handeskd may start before its database. */
	slot = pool_get(&s.pool, &probe);
	if (probe != NULL && !db_central_ping(probe)) {
		log_line(o->log, "database: does not answer; /v1/health will say so");
		pool_put(&s.pool, slot, true);
	} else {
		pool_put(&s.pool, slot, false);
	}

	log_line(o->log, "listening on %s (port %u), %u threads", o->listen, port, threads);
	if (o->ready != NULL)
		o->ready(port, o->ready_arg);

	for (;;) {
		int e = sigwait(&stop, &sig);

		if (e == 0)
			break;
		if (e != EINTR) {
			if (asprintf(cause, "sigwait: %s", strerror(e)) < 0)
				*cause = NULL;
			rc = RC_IO;
			break;
		}
	}
	if (rc == RC_OK)
		log_line(o->log, "%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
out:
	if (d != NULL)
		MHD_stop_daemon(d);
	pool_free(&s.pool);
	/* A second Ctrl-C during the stop must not kill us on unblocking. */
	{
		struct timespec now = {0, 0};

		while (sigtimedwait(&stop, NULL, &now) > 0)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
