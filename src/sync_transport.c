/* sync_transport.c: sync's HTTP over libcurl (see sync_transport.h). */
#include "autoconf.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/i18n.h"
#include "src/sync_transport.h"

/* A reply larger than this is refused (a page of 10,000 rows is far less). */
#define MAX_REPLY (256L * 1024 * 1024)

struct sync_transport {
	CURL *easy;
	CURLM *multi;
	struct curl_slist *headers;
	char *server;
	char *url;
	char *body;
	size_t len, cap;
	bool too_large;
	bool running; /* added to the multi handle */
	long retry_after;
	char errbuf[CURL_ERROR_SIZE];
};

static enum rc fail(char **cause, enum rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum rc fail(char **cause, enum rc rc, const char *fmt, ...)
{
	va_list ap;

	if (!cause || *cause)
		return rc;
	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) < 0)
		*cause = NULL;
	va_end(ap);
	return rc;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct sync_transport *t = user;
	size_t n = size * nmemb;

	if (t->len + n + 1 > (size_t)MAX_REPLY) {
		t->too_large = true;
		return 0; /* aborts the transfer */
	}
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 16384;
		char *p;
		while (cap < t->len + n + 1)
			cap *= 2;
		p = realloc(t->body, cap);
		if (!p)
			return 0;
		t->body = p;
		t->cap = cap;
	}
	memcpy(t->body + t->len, data, n);
	t->len += n;
	t->body[t->len] = '\0';
	return n;
}

/* Retry-After in seconds (the HTTP-date form is taken as "a minute"). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
	struct sync_transport *t = user;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";

	if (n > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
		const char *p = data + sizeof name - 1, *end = data + n;
		long v = 0;
		bool digits = false;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (p < end && *p >= '0' && *p <= '9' && v < 1000000) {
			v = v * 10 + (*p++ - '0');
			digits = true;
		}
		t->retry_after = digits ? v : 60;
	}
	return n;
}

enum rc sync_transport_new(const struct sync_transport_options *o, struct sync_transport **out,
                           char **cause)
{
	struct sync_transport *t;
	char *auth = NULL;
	size_t n;

	*out = NULL;
	if (!o->server ||
	    (strncmp(o->server, "https://", 8) != 0 && strncmp(o->server, "http://", 7) != 0))
		return fail(cause, RC_INVALID,
		            _("the server setting must be an http:// or https:// URL, not '%s'"),
		            o->server ? o->server : "");
	if (!o->token || !*o->token || strpbrk(o->token, "\r\n"))
		return fail(cause, RC_INVALID, "%s",
		            _("no usable token: set token = ... in the configuration file"));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return fail(cause, RC_IO, "%s", _("cannot initialise libcurl"));
	t = calloc(1, sizeof *t);
	if (!t)
		return RC_NOMEM;
	t->server = strdup(o->server);
	t->easy = curl_easy_init();
	t->multi = curl_multi_init();
	if (!t->server || !t->easy || !t->multi ||
	    asprintf(&auth, "Authorization: Bearer %s", o->token) < 0) {
		auth = NULL;
		goto nomem;
	}
	n = strlen(t->server);
	while (n > 0 && t->server[n - 1] == '/')
		t->server[--n] = '\0';
	t->headers = curl_slist_append(NULL, auth);
	free(auth);
	if (!t->headers)
		goto nomem;
	t->headers = curl_slist_append(t->headers, "Content-Type: application/json");
	t->headers = curl_slist_append(t->headers, "Accept: application/json");
	t->headers = curl_slist_append(t->headers, "Expect:"); /* no 100-continue round trip */
	if (!t->headers)
		goto nomem;

	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(t->easy, CURLOPT_ACCEPT_ENCODING, ""); /* gzip, deflate as built */
	curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT,
	                 o->connect_timeout_s > 0 ? o->connect_timeout_s : 10L);
	/* A stall, not a slow page: below 1 byte/s for the whole period. */
	curl_easy_setopt(t->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(t->easy, CURLOPT_LOW_SPEED_TIME,
	                 o->stall_timeout_s > 0 ? o->stall_timeout_s : 30L);
	curl_easy_setopt(t->easy, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	curl_easy_setopt(t->easy, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
	if (o->ca_file && *o->ca_file)
		curl_easy_setopt(t->easy, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 0L); /* the token goes nowhere else */
	curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "handesk/" PACKAGE_VERSION);
	*out = t;
	return RC_OK;
nomem:
	sync_transport_free(t);
	return fail(cause, RC_NOMEM, "%s", _("out of memory"));
}

void sync_transport_free(struct sync_transport *t)
{
	if (!t)
		return;
	sync_transport_cancel(t);
	if (t->easy)
		curl_easy_cleanup(t->easy);
	if (t->multi)
		curl_multi_cleanup(t->multi);
	curl_slist_free_all(t->headers);
	free(t->server);
	free(t->url);
	free(t->body);
	free(t);
}

/* Set the easy handle up for req; the previous reply is forgotten. */
static enum rc prepare(struct sync_transport *t, const struct sync_request *req, char **cause)
{
	free(t->url);
	if (asprintf(&t->url, "%s%s", t->server, req->path) < 0) {
		t->url = NULL;
		return fail(cause, RC_NOMEM, "%s", _("out of memory"));
	}
	t->len = 0;
	if (t->body)
		t->body[0] = '\0';
	t->too_large = false;
	t->retry_after = -1;
	t->errbuf[0] = '\0';
	curl_easy_setopt(t->easy, CURLOPT_URL, t->url);
	if (req->body) {
		curl_easy_setopt(t->easy, CURLOPT_POST, 1L);
		curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	} else {
		curl_easy_setopt(t->easy, CURLOPT_HTTPGET, 1L);
	}
	return RC_OK;
}

/* The reply of a finished transfer. */
static void collect(struct sync_transport *t, CURLcode res, struct sync_reply *reply)
{
	memset(reply, 0, sizeof *reply);
	reply->retry_after = t->retry_after;
	if (res == CURLE_OK) {
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &reply->status);
		reply->body = t->body;
		reply->len = t->len;
		return;
	}
	reply->status = 0;
	if (t->too_large)
		snprintf(reply->error, sizeof reply->error, "%s",
		         _("the reply is larger than 256 MiB"));
	else
		snprintf(reply->error, sizeof reply->error, "%s",
		         t->errbuf[0] ? t->errbuf : curl_easy_strerror(res));
	/* curl says "Couldn't connect to server" for refused, unreachable and
	 * the like: the system's reason tells a person which (in English, as
	 * curl's own words; the UI puts them in the user's language). */
	if (res == CURLE_COULDNT_CONNECT) {
		long os = 0;
		const char *why = NULL;
		size_t len = strlen(reply->error);
		if (curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &os) != CURLE_OK)
			os = 0;
		why = os == ECONNREFUSED   ? "Connection refused"
		      : os == EHOSTUNREACH ? "No route to host"
		      : os == ENETUNREACH  ? "Network is unreachable"
		      : os == ETIMEDOUT    ? "Connection timed out"
		      : os == ECONNRESET   ? "Connection reset by peer"
		                           : NULL;
		if (why && len + strlen(why) + 4 < sizeof reply->error)
			snprintf(reply->error + len, sizeof reply->error - len, " (%s)", why);
	}
}

enum rc sync_transport_perform(struct sync_transport *t, const struct sync_request *req,
                               struct sync_reply *reply, char **cause)
{
	CURLcode res;
	enum rc rc;

	if (t->running)
		return fail(cause, RC_INVALID, "%s", "sync transport: a transfer is running");
	rc = prepare(t, req, cause);
	if (rc)
		return rc;
	res = curl_easy_perform(t->easy);
	collect(t, res, reply);
	return RC_OK;
}

enum rc sync_transport_start(struct sync_transport *t, const struct sync_request *req, char **cause)
{
	enum rc rc;

	if (t->running)
		return fail(cause, RC_INVALID, "%s", "sync transport: a transfer is running");
	rc = prepare(t, req, cause);
	if (rc)
		return rc;
	if (curl_multi_add_handle(t->multi, t->easy) != CURLM_OK)
		return fail(cause, RC_IO, "%s", _("cannot start a transfer"));
	t->running = true;
	return RC_OK;
}

bool sync_transport_busy(const struct sync_transport *t)
{
	return t && t->running;
}

enum rc sync_transport_wait(struct sync_transport *t, struct pollfd *fds, unsigned n,
                            int timeout_ms, int *ready, char **cause)
{
	struct curl_waitfd extra[8];
	CURLMcode mc;
	int numfds = 0;

	if (n > sizeof extra / sizeof extra[0])
		return fail(cause, RC_INVALID, "%s", "sync transport: too many descriptors");
	for (unsigned i = 0; i < n; i++) {
		extra[i].fd = fds[i].fd;
		extra[i].events = (short)(fds[i].events & (POLLIN | POLLPRI | POLLOUT));
		extra[i].revents = 0;
	}
	/* curl_multi_poll also shortens the wait to curl's own timers. */
	mc = curl_multi_poll(t->multi, n ? extra : NULL, n, timeout_ms < 0 ? 60000 : timeout_ms,
	                     &numfds);
	if (mc != CURLM_OK)
		return fail(cause, RC_IO, "curl_multi_poll: %s", curl_multi_strerror(mc));
	numfds = 0;
	for (unsigned i = 0; i < n; i++) {
		fds[i].revents = extra[i].revents;
		if (fds[i].revents)
			numfds++;
	}
	if (ready)
		*ready = numfds;
	return RC_OK;
}

enum rc sync_transport_step(struct sync_transport *t, struct sync_reply *reply, bool *done,
                            char **cause)
{
	CURLMcode mc;
	CURLMsg *msg;
	int running = 0, left;

	*done = false;
	if (!t->running)
		return RC_OK;
	mc = curl_multi_perform(t->multi, &running);
	if (mc != CURLM_OK)
		return fail(cause, RC_IO, "curl_multi_perform: %s", curl_multi_strerror(mc));
	while ((msg = curl_multi_info_read(t->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE || msg->easy_handle != t->easy)
			continue;
		collect(t, msg->data.result, reply);
		curl_multi_remove_handle(t->multi, t->easy);
		t->running = false;
		*done = true;
	}
	return RC_OK;
}

void sync_transport_cancel(struct sync_transport *t)
{
	if (!t || !t->running)
		return;
	curl_multi_remove_handle(t->multi, t->easy);
	t->running = false;
}

void sync_transport_wakeup(struct sync_transport *t)
{
	if (t && t->multi)
		curl_multi_wakeup(t->multi);
}
