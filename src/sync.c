/* sync.c: the sync protocol's client as a state machine (see sync.h): it
 * parses each reply (every field's type checked), applies it through
 * db/sync.c and says which request comes next. */
#include "autoconf.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/i18n.h"
#include "src/sync.h"

/* The lease outlives the slowest request (connect 10 s + stall 30 s) many
 * times over; it is renewed at every reply. */
#define LEASE_SECONDS 300

enum state {
	ST_IDLE,
	ST_HELLO,
	ST_PUSH,
	ST_SNAPSHOT,
	ST_PULL,
};

struct sync {
	struct cache *cache;
	char *holder;
	enum state state;
	struct sync_stats stats;
	long retry_after;
	char centre_id[37];
	char centre[16];
	char batch[64];  /* id of the batch in flight */
	char *path;      /* the request's path, owned */
	char *body;      /* the request's body, owned */
	char *last_page; /* cursor/after the last page left, to catch a service going round */
	bool prefetch;   /* the driver applies a page while the next one comes */
	bool deferred;   /* page is parsed and waits to be applied */
	bool page_snapshot;
	struct sync_page page;
	bool small_steps;   /* sync_set_small_steps */
	int snapshot_limit; /* rows per page asked */
	int pull_limit;
};

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

/* The rows' strings are const for the db/ side, ours to free here. */
static void free_const(const void *p)
{
	free((void *)(uintptr_t)p);
}

/* Set *cause to a message (if none yet) and give rc back. */
static enum rc fail(char **cause, enum rc rc, char *msg)
{
	if (cause && !*cause)
		*cause = msg;
	else
		free(msg);
	return rc;
}

/* ---- parsers ---- */

static json_t *load(const char *body, size_t len, char **cause)
{
	json_error_t err;
	json_t *doc;

	if (!body) {
		fail(cause, RC_INVALID,
		     str_printf("%s", _("the central service sent an empty reply")));
		return NULL;
	}
	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
	if (!doc) {
		fail(cause, RC_INVALID,
		     str_printf(
		         _("the central service sent a reply that is not JSON (%s at byte %d)"),
		         err.text, err.position));
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		fail(cause, RC_INVALID,
		     str_printf("%s",
		                _("the central service sent a reply that is not a JSON object")));
		return NULL;
	}
	return doc;
}

static enum rc bad_field(char **cause, const char *what, const char *field)
{
	return fail(cause, RC_INVALID,
	            str_printf(_("the central service sent a %s whose \"%s\" is missing or of the "
	                         "wrong type"),
	                       what, field));
}

/* A string member into out (size bytes); too long is an error too. */
static enum rc get_str(json_t *o, const char *key, char *out, size_t size, const char *what,
                       char **cause)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || json_string_length(v) >= size)
		return bad_field(cause, what, key);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return RC_OK;
}

static bool is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-'
		         : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

enum rc sync_parse_hello(const char *body, size_t len, struct sync_hello *out, char **cause)
{
	const char *what = _("hello reply");
	json_t *doc, *v;
	enum rc rc;

	memset(out, 0, sizeof *out);
	doc = load(body, len, cause);
	if (!doc)
		return RC_INVALID;
	rc = get_str(doc, "server", out->server, sizeof out->server, what, cause);
	if (!rc) {
		v = json_object_get(doc, "schema");
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			rc = bad_field(cause, what, "schema");
		else
			out->schema = (long)json_integer_value(v);
	}
	if (!rc)
		rc = get_str(doc, "centre", out->centre, sizeof out->centre, what, cause);
	if (!rc)
		rc = get_str(doc, "token", out->token, sizeof out->token, what, cause);
	if (!rc)
		rc = get_str(doc, "centre_id", out->centre_id, sizeof out->centre_id, what, cause);
	if (!rc && !is_uuid(out->centre_id))
		rc = bad_field(cause, what, "centre_id");
	/* Not every service says these yet: optional, but typed if present. */
	if (!rc && json_object_get(doc, "centre_name"))
		rc = get_str(doc, "centre_name", out->centre_name, sizeof out->centre_name, what,
		             cause);
	if (!rc && json_object_get(doc, "centre_language"))
		rc = get_str(doc, "centre_language", out->centre_language,
		             sizeof out->centre_language, what, cause);
	if (!rc && json_object_get(doc, "time"))
		rc = get_str(doc, "time", out->time, sizeof out->time, what, cause);
	json_decref(doc);
	return rc;
}

/* Check a row object and fill r (entity and id point into o; json is a
 * new compact text, caller frees, unless text is false: then r->obj is o
 * and json NULL). */
static enum rc check_row(json_t *o, struct db_sync_row *r, bool text, char **cause)
{
	const char *what = _("row");
	static const char *const texts[] = {"entity", "id", "centre_id", "updated_at",
	                                    "updated_by"};
	json_t *v, *data;
	const char *key;

	memset(r, 0, sizeof *r);
	if (!json_is_object(o))
		return fail(
		    cause, RC_INVALID,
		    str_printf("%s", _("the central service sent a row that is not an object")));
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		v = json_object_get(o, texts[i]);
		if (!json_is_string(v) || json_string_length(v) > 64)
			return bad_field(cause, what, texts[i]);
	}
	r->entity = json_string_value(json_object_get(o, "entity"));
	r->id = json_string_value(json_object_get(o, "id"));
	if (!is_uuid(r->id))
		return bad_field(cause, what, "id");
	v = json_object_get(o, "version");
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return bad_field(cause, what, "version");
	r->version = json_integer_value(v);
	if (!json_is_boolean(json_object_get(o, "deleted")))
		return bad_field(cause, what, "deleted");
	data = json_object_get(o, "data");
	if (!json_is_object(data))
		return bad_field(cause, what, "data");
	json_object_foreach(data, key, v)
	{
		/* SQLite's JSON paths take the names as they are: plain ones only. */
		if (!key[0] || strspn(key, "abcdefghijklmnopqrstuvwxyz_0123456789") != strlen(key))
			return fail(cause, RC_INVALID,
			            str_printf(_("the central service sent a row with a field "
			                         "named \"%.40s\""),
			                       key));
		if (!json_is_string(v) && !json_is_integer(v))
			return bad_field(cause, what, key);
	}
	if (!text) {
		r->obj = o;
		return RC_OK;
	}
	r->json = json_dumps(o, JSON_COMPACT);
	if (!r->json)
		return fail(cause, RC_NOMEM, str_printf("%s", _("out of memory")));
	return RC_OK;
}

void sync_page_free(struct sync_page *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++) {
		free_const(p->rows[i].json);
		free_const(p->rows[i].entity);
		free_const(p->rows[i].id);
	}
	free(p->rows);
	free(p->cursor);
	free(p->after);
	json_decref(p->doc);
	memset(p, 0, sizeof *p);
}

/* Copy the strings a row points to out of the document it came from. */
static enum rc own_row(struct db_sync_row *r)
{
	char *e = strdup(r->entity), *id = strdup(r->id);

	r->entity = e;
	r->id = id;
	return e && id ? RC_OK : RC_NOMEM;
}

/* A checked row whose strings are all its own (free_row), or nothing;
 * with text false, r->obj points into o's document instead of a text. */
static enum rc parse_row(json_t *o, struct db_sync_row *r, bool text, char **cause)
{
	enum rc rc = check_row(o, r, text, cause);

	if (rc) {
		free_const(r->json);
		memset(r, 0, sizeof *r);
		return rc;
	}
	return own_row(r);
}

static void free_row(struct db_sync_row *r)
{
	free_const(r->json);
	free_const(r->entity);
	free_const(r->id);
	memset(r, 0, sizeof *r);
}

enum rc sync_parse_page(const char *body, size_t len, bool snapshot, struct sync_page *out,
                        char **cause)
{
	const char *what = snapshot ? _("snapshot page") : _("pull page");
	json_t *doc, *rows, *v;
	enum rc rc = RC_OK;

	memset(out, 0, sizeof *out);
	doc = load(body, len, cause);
	if (!doc)
		return RC_INVALID;
	rows = json_object_get(doc, "rows");
	if (!json_is_array(rows)) {
		rc = bad_field(cause, what, "rows");
		goto out;
	}
	v = json_object_get(doc, "has_more");
	if (!json_is_boolean(v)) {
		rc = bad_field(cause, what, "has_more");
		goto out;
	}
	out->has_more = json_is_true(v);
	v = json_object_get(doc, "cursor");
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 1024) {
		rc = bad_field(cause, what, "cursor");
		goto out;
	}
	out->cursor = strdup(json_string_value(v));
	if (snapshot) {
		v = json_object_get(doc, "after");
		/* The last page may have nothing after it. */
		if (json_is_null(v) && !out->has_more)
			v = NULL;
		else if (!json_is_string(v) || json_string_length(v) > 1024) {
			rc = bad_field(cause, what, "after");
			goto out;
		}
		out->after = strdup(v ? json_string_value(v) : "");
		if (!out->after)
			rc = RC_NOMEM;
	}
	if (!out->cursor)
		rc = RC_NOMEM;
	if (rc)
		goto out;
	if (json_array_size(rows) > 0) {
		out->rows = calloc(json_array_size(rows), sizeof *out->rows);
		if (!out->rows) {
			rc = RC_NOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < json_array_size(rows); i++) {
		rc = parse_row(json_array_get(rows, i), &out->rows[out->n], false, cause);
		if (rc) {
			free_row(&out->rows[out->n]);
			break;
		}
		out->n++;
	}
out:
	/* The rows' objects live in doc: it goes with the page. */
	out->doc = doc;
	if (rc == RC_NOMEM)
		fail(cause, rc, str_printf("%s", _("out of memory")));
	if (rc)
		sync_page_free(out);
	return rc;
}

void sync_push_reply_free(struct sync_push_reply *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++) {
		free_const(p->results[i].change);
		free_const(p->results[i].reason);
		free_row(&p->results[i].row);
		free_row(&p->results[i].conflict);
	}
	free(p->results);
	free(p->batch);
	memset(p, 0, sizeof *p);
}

static enum rc parse_result(json_t *o, struct db_sync_result *r, char **cause)
{
	const char *what = _("push result");
	const char *status;
	json_t *v;
	enum rc rc;

	memset(r, 0, sizeof *r);
	if (!json_is_object(o))
		return bad_field(cause, what, "results");
	v = json_object_get(o, "change");
	if (!json_is_string(v) || json_string_length(v) > 128)
		return bad_field(cause, what, "change");
	r->change = strdup(json_string_value(v));
	if (!r->change)
		return RC_NOMEM;
	v = json_object_get(o, "status");
	status = json_string_value(v);
	if (!status)
		return bad_field(cause, what, "status");
	if (strcmp(status, "applied") == 0 || strcmp(status, "duplicate") == 0) {
		r->status = status[0] == 'a' ? DB_SYNC_APPLIED : DB_SYNC_DUPLICATE;
		rc = parse_row(json_object_get(o, "row"), &r->row, true, cause);
		if (!rc && json_object_get(o, "version") &&
		    (!json_is_integer(json_object_get(o, "version")) ||
		     json_integer_value(json_object_get(o, "version")) != r->row.version))
			rc = bad_field(cause, what, "version");
		return rc;
	}
	if (strcmp(status, "conflict") == 0) {
		r->status = DB_SYNC_CONFLICT;
		rc = parse_row(json_object_get(o, "conflict"), &r->conflict, true, cause);
		if (!rc && strcmp(r->conflict.entity, "conflict") != 0)
			rc = bad_field(cause, what, "conflict");
		if (!rc)
			rc = parse_row(json_object_get(o, "row"), &r->row, true, cause);
		v = json_object_get(o, "fields");
		if (!rc && v && !json_is_array(v))
			rc = bad_field(cause, what, "fields");
		return rc;
	}
	if (strcmp(status, "rejected") == 0) {
		r->status = DB_SYNC_REJECTED;
		v = json_object_get(o, "reason");
		if (!json_is_string(v) || json_string_length(v) > 4096)
			return bad_field(cause, what, "reason");
		r->reason = strdup(json_string_value(v));
		return r->reason ? RC_OK : RC_NOMEM;
	}
	return fail(
	    cause, RC_INVALID,
	    str_printf(_("the central service sent an unknown push status \"%.40s\""), status));
}

enum rc sync_parse_push(const char *body, size_t len, struct sync_push_reply *out, char **cause)
{
	const char *what = _("push reply");
	json_t *doc, *results, *v;
	enum rc rc = RC_OK;

	memset(out, 0, sizeof *out);
	doc = load(body, len, cause);
	if (!doc)
		return RC_INVALID;
	v = json_object_get(doc, "batch");
	results = json_object_get(doc, "results");
	if (!json_is_string(v) || json_string_length(v) > 64) {
		rc = bad_field(cause, what, "batch");
		goto out;
	}
	if (!json_is_array(results) || json_array_size(results) > DB_SYNC_BATCH_MAX) {
		rc = bad_field(cause, what, "results");
		goto out;
	}
	out->batch = strdup(json_string_value(v));
	if (!out->batch) {
		rc = RC_NOMEM;
		goto out;
	}
	if (json_array_size(results)) {
		out->results = calloc(json_array_size(results), sizeof *out->results);
		if (!out->results) {
			rc = RC_NOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < json_array_size(results) && !rc; i++) {
		rc = parse_result(json_array_get(results, i), &out->results[i], cause);
		out->n++; /* counted even when half filled: freed all the same */
	}
out:
	json_decref(doc);
	if (rc == RC_NOMEM)
		fail(cause, rc, str_printf("%s", _("out of memory")));
	if (rc)
		sync_push_reply_free(out);
	return rc;
}

char *sync_parse_error(const char *body, size_t len)
{
	json_t *doc = body && len ? json_loadb(body, len, 0, NULL) : NULL;
	json_t *m = json_object_get(doc, "message");
	char *s = NULL;

	if (json_is_string(m) && json_string_length(m) > 0) {
		size_t n = json_string_length(m);
		s = strndup(json_string_value(m), n > 300 ? 300 : n);
		/* Shown on a terminal: no control characters from the wire. */
		for (char *p = s; p && *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = ' ';
	}
	json_decref(doc);
	return s;
}

/* ---- failures ---- */

bool sync_transient(long status)
{
	return status == 0 || status == 408 || status == 429 || (status >= 500 && status <= 599);
}

long sync_backoff(unsigned attempt, long retry_after, double r01)
{
	long cap = attempt >= 9 ? 300 : 1L << attempt, wait;

	if (cap > 300)
		cap = 300;
	if (r01 < 0 || r01 >= 1)
		r01 = 0;
	wait = 1 + (long)(r01 * (double)cap); /* 1 .. cap */
	if (wait > cap)
		wait = cap;
	if (retry_after > 3600)
		retry_after = 3600;
	return wait < retry_after ? retry_after : wait;
}

char *sync_describe(const struct sync_reply *reply)
{
	char *msg = sync_parse_error(reply->body, reply->len), *s;
	const char *m = msg ? msg : "";
	const char *sep = msg ? ": " : "";

	switch (reply->status) {
	case 0:
		s = str_printf(_("cannot reach the central service (%s); will try again"),
		               reply->error[0] ? reply->error : _("no reply"));
		break;
	case 401:
		s = str_printf(
		    _("the central service refused the token (401): ask for a new token"));
		break;
	case 403:
		s = str_printf(_("the central service does not allow this token to sync (403)%s%s"),
		               sep, m);
		break;
	case 409:
		s = str_printf(_("the central service speaks another schema (409)%s%s; update "
		                 "handeskd or handesk"),
		               sep, m);
		break;
	case 408:
	case 429:
		s = str_printf(_("the central service is busy (%ld); will try again"),
		               reply->status);
		break;
	default:
		if (reply->status >= 500)
			s = str_printf(_("the central service failed (%ld)%s%s; will try again"),
			               reply->status, sep, m);
		else
			s = str_printf(_("the central service refused a request (%ld)%s%s"),
			               reply->status, sep, m);
	}
	free(msg);
	return s;
}

/* ---- the state machine ---- */

struct sync *sync_new(struct cache *c, const char *holder)
{
	struct sync *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->cache = c;
	s->holder = strdup(holder ? holder : "");
	s->retry_after = -1;
	s->snapshot_limit = SYNC_SNAPSHOT_LIMIT;
	s->pull_limit = SYNC_PULL_LIMIT;
	if (!s->holder) {
		free(s);
		return NULL;
	}
	return s;
}

void sync_free(struct sync *s)
{
	if (!s)
		return;
	free(s->holder);
	free(s->path);
	free(s->body);
	free(s->last_page);
	sync_page_free(&s->page); /* never applied: fetched again next time */
	free(s);
}

void sync_set_prefetch(struct sync *s, bool on)
{
	s->prefetch = on;
}

void sync_set_small_steps(struct sync *s, int snapshot_limit, int pull_limit)
{
	s->small_steps = true;
	if (snapshot_limit > 0 && snapshot_limit < SYNC_SNAPSHOT_LIMIT)
		s->snapshot_limit = snapshot_limit;
	if (pull_limit > 0 && pull_limit < SYNC_PULL_LIMIT)
		s->pull_limit = pull_limit;
}

bool sync_deferred(const struct sync *s)
{
	return s->deferred;
}

const struct sync_stats *sync_stats(const struct sync *s)
{
	return &s->stats;
}

long sync_retry_after(const struct sync *s)
{
	return s->retry_after;
}

const char *sync_centre(const struct sync *s)
{
	return s->centre;
}

/* Percent-encode an opaque cursor for a query string. */
static char *encode(const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(3 * strlen(v) + 1), *p = out;

	if (!out)
		return NULL;
	for (; *v; v++) {
		unsigned char ch = (unsigned char)*v;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			*p++ = (char)ch;
		} else {
			*p++ = '%';
			*p++ = hex[ch >> 4];
			*p++ = hex[ch & 15];
		}
	}
	*p = '\0';
	return out;
}

static void clear_request(struct sync *s, struct sync_request *req)
{
	free(s->path);
	free(s->body);
	s->path = s->body = NULL;
	memset(req, 0, sizeof *req);
}

static enum rc request_get(struct sync *s, struct sync_request *req, const char *route,
                           const char *key, const char *value, int limit)
{
	char *enc = value && *value ? encode(value) : NULL;

	clear_request(s, req);
	if (value && *value && !enc)
		return RC_NOMEM;
	s->path = enc ? str_printf("%s?%s=%s&limit=%d", route, key, enc, limit)
	              : str_printf("%s?limit=%d", route, limit);
	free(enc);
	if (!s->path)
		return RC_NOMEM;
	req->method = "GET";
	req->path = s->path;
	return RC_OK;
}

static char *utc_now(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	return str_printf("%s.%03ldZ", buf, ts.tv_nsec / 1000000);
}

/* End the cycle: state, lease, and what a person sees. */
static enum sync_next finish(struct sync *s, enum sync_next how, char **cause)
{
	char *now = utc_now(), *err = NULL;

	s->state = ST_IDLE;
	if (how == SYNC_DONE) {
		db_sync_state_set(s->cache, "last_sync_at", now, NULL);
		db_sync_state_set(s->cache, "last_error", NULL, NULL);
	} else {
		if (cause && !*cause)
			*cause = str_printf("%s", _("sync failed"));
		db_sync_state_set(s->cache, "last_error", cause && *cause ? *cause : "", NULL);
	}
	db_sync_lease_release(s->cache, s->holder, &err);
	free(err);
	free(now);
	return how;
}

/* Decide and give the next request after the hello or a push reply:
 * another batch, a snapshot page or a pull page. */
static enum sync_next next_push_or_pull(struct sync *s, struct sync_request *req, char **cause)
{
	char *body = NULL, *v = NULL;
	bool resend;
	int n;
	enum rc rc;

	rc = db_sync_next_batch(s->cache, DB_SYNC_BATCH_MAX, &body, &n, &resend, cause);
	if (rc)
		return finish(s, SYNC_PERMANENT, cause);
	if (body) {
		json_t *doc = json_loads(body, 0, NULL);
		const char *b = json_string_value(json_object_get(doc, "batch"));
		snprintf(s->batch, sizeof s->batch, "%s", b ? b : "");
		json_decref(doc);
		clear_request(s, req);
		s->body = body;
		s->path = str_printf("/v1/push");
		if (!s->path)
			return finish(s, SYNC_PERMANENT, cause);
		req->method = "POST";
		req->path = s->path;
		req->body = s->body;
		req->body_len = strlen(s->body);
		s->state = ST_PUSH;
		return SYNC_SEND;
	}
	if (db_sync_state_get(s->cache, "snapshot_done", &v) != RC_OK || strcmp(v, "1") != 0) {
		free(v);
		v = NULL;
		db_sync_state_get(s->cache, "snapshot_after", &v);
		rc = request_get(s, req, "/v1/snapshot", "after", v, s->snapshot_limit);
		s->state = ST_SNAPSHOT;
	} else {
		free(v);
		v = NULL;
		db_sync_state_get(s->cache, "cursor", &v);
		rc = request_get(s, req, "/v1/pull", "cursor", v, s->pull_limit);
		s->state = ST_PULL;
	}
	free(v);
	if (rc)
		return finish(s, SYNC_PERMANENT, cause);
	return SYNC_SEND;
}

enum sync_next sync_start(struct sync *s, struct sync_request *req, char **cause)
{
	char cache_id[37];

	memset(&s->stats, 0, sizeof s->stats);
	s->retry_after = -1;
	free(s->last_page);
	s->last_page = NULL;
	if (db_sync_lease_take(s->cache, s->holder, (long long)time(NULL), LEASE_SECONDS, cause))
		return SYNC_PERMANENT; /* the lease is another's: not ours to release */
	if (db_sync_cache_id(s->cache, cache_id, cause))
		return finish(s, SYNC_PERMANENT, cause);
	/* A search index left half done in small steps (the curses loop
	 * closed or killed): the rest in one go, outside small steps. */
	if (!s->small_steps) {
		bool more;
		enum rc rc = db_sync_index_step(s->cache, 0, &more, cause);
		if (rc && rc != RC_NOTFOUND)
			return finish(s, SYNC_PERMANENT, cause);
	}
	clear_request(s, req);
	s->path = str_printf("/v1/hello?schema=%d", SYNC_SCHEMA);
	if (!s->path)
		return finish(s, SYNC_PERMANENT, cause);
	req->method = "GET";
	req->path = s->path;
	s->state = ST_HELLO;
	return SYNC_SEND;
}

/* A reply that does not parse is taken for a fault on the way (a proxy
 * cutting or garbling it): transient, like a dropped connection. */
static enum sync_next on_hello(struct sync *s, const struct sync_reply *r, struct sync_request *req,
                               char **cause)
{
	struct sync_hello h;

	if (sync_parse_hello(r->body, r->len, &h, cause))
		return finish(s, SYNC_TRANSIENT, cause);
	if (db_sync_check_centre(s->cache, h.centre_id, cause))
		return finish(s, SYNC_PERMANENT, cause);
	snprintf(s->centre_id, sizeof s->centre_id, "%s", h.centre_id);
	snprintf(s->centre, sizeof s->centre, "%s", h.centre);
	return next_push_or_pull(s, req, cause);
}

static enum sync_next on_push(struct sync *s, const struct sync_reply *r, struct sync_request *req,
                              char **cause)
{
	struct sync_push_reply p;
	struct db_sync_counts k = {0};

	if (sync_parse_push(r->body, r->len, &p, cause))
		return finish(s, SYNC_TRANSIENT, cause);
	if (strcmp(p.batch, s->batch) != 0) {
		fail(cause, RC_INVALID,
		     str_printf(_("the central service answered batch %.64s, not %s"), p.batch,
		                s->batch));
		sync_push_reply_free(&p);
		return finish(s, SYNC_PERMANENT, cause);
	}
	if (db_sync_apply_push(s->cache, p.results, p.n, &k, cause)) {
		sync_push_reply_free(&p);
		return finish(s, SYNC_PERMANENT, cause);
	}
	s->stats.pushed += p.n;
	s->stats.applied += k.applied;
	s->stats.held += k.held;
	s->stats.conflicts += k.conflicts;
	s->stats.rejected += k.rejected;
	sync_push_reply_free(&p);
	return next_push_or_pull(s, req, cause);
}

/* Apply a parsed page with its position (one transaction). */
static enum rc apply_page(struct sync *s, const struct sync_page *p, bool snapshot, char **cause)
{
	struct db_sync_position pos = {0};
	struct db_sync_counts k = {0};
	enum rc rc;

	if (snapshot) {
		pos.snapshot_after = p->after;
		pos.snapshot_done = !p->has_more;
	}
	pos.small_steps = s->small_steps;
	/* After a snapshot page: where the pull starts once it is done. */
	pos.cursor = p->cursor;
	rc = db_sync_apply_page(s->cache, p->rows, p->n, &pos, &k, cause);
	if (rc)
		return rc;
	s->stats.pulled += p->n;
	s->stats.applied += k.applied;
	s->stats.held += k.held;
	return RC_OK;
}

enum sync_next sync_apply_deferred(struct sync *s, char **cause)
{
	enum rc rc;

	if (!s->deferred)
		return SYNC_SEND;
	s->deferred = false;
	rc = apply_page(s, &s->page, s->page_snapshot, cause);
	sync_page_free(&s->page);
	return rc ? finish(s, SYNC_PERMANENT, cause) : SYNC_SEND;
}

static enum sync_next on_page(struct sync *s, const struct sync_reply *r, struct sync_request *req,
                              char **cause)
{
	bool snapshot = s->state == ST_SNAPSHOT;
	struct sync_page p;
	enum sync_next next;
	const char *mark;
	enum rc rc;

	if (sync_parse_page(r->body, r->len, snapshot, &p, cause))
		return finish(s, SYNC_TRANSIENT, cause);
	/* A service handing out the same page again would keep us here. */
	mark = snapshot ? p.after : p.cursor;
	if (p.has_more && p.n == 0 && s->last_page && strcmp(s->last_page, mark) == 0) {
		fail(cause, RC_INVALID,
		     str_printf("%s", _("the central service sent the same empty page twice")));
		sync_page_free(&p);
		return finish(s, SYNC_PERMANENT, cause);
	}
	free(s->last_page);
	s->last_page = strdup(mark);
	if (p.has_more && s->prefetch) {
		/* The next page is asked for first: the service reads it while
		 * this one is applied (sync_apply_deferred, or the next
		 * sync_feed).  The position is only stored with the page. */
		rc = snapshot
		         ? request_get(s, req, "/v1/snapshot", "after", p.after, s->snapshot_limit)
		         : request_get(s, req, "/v1/pull", "cursor", p.cursor, s->pull_limit);
		if (rc) {
			sync_page_free(&p);
			return finish(s, SYNC_PERMANENT, cause);
		}
		s->page = p;
		s->page_snapshot = snapshot;
		s->deferred = true;
		return SYNC_SEND;
	}
	rc = apply_page(s, &p, snapshot, cause);
	if (rc) {
		sync_page_free(&p);
		return finish(s, SYNC_PERMANENT, cause);
	}
	if (p.has_more) {
		rc = snapshot
		         ? request_get(s, req, "/v1/snapshot", "after", p.after, s->snapshot_limit)
		         : request_get(s, req, "/v1/pull", "cursor", p.cursor, s->pull_limit);
		next = rc ? finish(s, SYNC_PERMANENT, cause) : SYNC_SEND;
	} else if (snapshot) {
		rc = request_get(s, req, "/v1/pull", "cursor", p.cursor, s->pull_limit);
		s->state = ST_PULL;
		next = rc ? finish(s, SYNC_PERMANENT, cause) : SYNC_SEND;
	} else {
		clear_request(s, req);
		next = finish(s, SYNC_DONE, cause);
	}
	sync_page_free(&p);
	return next;
}

enum sync_next sync_feed(struct sync *s, const struct sync_reply *reply, struct sync_request *req,
                         char **cause)
{
	if (s->state == ST_IDLE) {
		fail(cause, RC_INVALID, str_printf("%s", _("sync: a reply came outside a cycle")));
		return SYNC_PERMANENT;
	}
	/* The page before this reply first, whatever the reply says, as
	 * without prefetch it would have been applied before asking. */
	if (s->deferred) {
		enum sync_next next = sync_apply_deferred(s, cause);
		if (next != SYNC_SEND)
			return next;
	}
	/* Still the one agent: renew the lease (a failure shows at the end). */
	if (db_sync_lease_take(s->cache, s->holder, (long long)time(NULL), LEASE_SECONDS, cause))
		return finish(s, SYNC_PERMANENT, cause);
	s->retry_after = reply->retry_after;
	if (reply->status != 200) {
		enum sync_next how =
		    sync_transient(reply->status) ? SYNC_TRANSIENT : SYNC_PERMANENT;
		char *msg = sync_describe(reply);
		fail(cause, RC_IO, msg);
		/* A push in flight stays pending: resent as it was next time. */
		return finish(s, how, cause);
	}
	switch (s->state) {
	case ST_HELLO:
		return on_hello(s, reply, req, cause);
	case ST_PUSH:
		return on_push(s, reply, req, cause);
	case ST_SNAPSHOT:
	case ST_PULL:
		return on_page(s, reply, req, cause);
	case ST_IDLE:
		break;
	}
	return finish(s, SYNC_PERMANENT, cause);
}
