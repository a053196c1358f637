/* sync.c: sync inside the curses event loop (see sync.h): the state
 * machine of src/sync.c fed by the curl multi driver, one request at a
 * time, nothing on this path waits for the network. */
#include "autoconf.h"

#include "ui/sync.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "db/sync.h"
#include "src/i18n.h"
#include "src/session.h"
#include "src/sync.h"
#include "src/sync_transport.h"
#include "ui/screen.h"

#define DEBOUNCE_MS 2000 /* a local change: sync this long after the last one */
/* Between cycles this process keeps the lease, renewed now and then, so
 * other handesk processes on the cache stay passive; a crashed agent's
 * lease runs out and another process takes over. */
#define LEASE_S        120
#define LEASE_RENEW_MS 30000
#define AGENT_CHECK_MS 15000 /* passive: how often to look whether the agent left */
/* Small steps, so that keys wait for no step long (design.md section 8:
 * p99 under 16 ms while a large sync runs): rows per page, persons per
 * step of the search index after an initial sync. */
#define SNAPSHOT_ROWS 50
#define PULL_ROWS     25
#define INDEX_STEP    25

struct ui_sync {
	struct session *s;
	struct sync *sync;
	struct sync_transport *t;
	struct sync_request req;
	char holder[300];
	char host[128];        /* of the server URL, for messages */
	long long interval_ms; /* sync_interval */
	enum ui_sync_mode mode;
	bool running;       /* a cycle is under way */
	bool net_failed;    /* the last reply was a transfer failure */
	bool changed;       /* a local change came while a cycle ran */
	bool indexing;      /* the search index of an initial sync may wait */
	long long next_at;  /* ms: the next cycle, -1 none */
	long long lease_at; /* ms: renew the lease, or look for the agent again */
	unsigned attempt;   /* transient failures in a row */
	int applied;        /* rows written in this cycle so far */
	char error[512];
	char agent[128];
};

static long long now_s(void)
{
	return (long long)time(NULL);
}

static void copy(char *out, size_t size, const char *s)
{
	snprintf(out, size, "%s", s ? s : "");
}

/* "https://central.example:8443/x" -> "central.example". */
static void url_host(const char *url, char *out, size_t size)
{
	const char *p = strstr(url, "://"), *end;

	p = p ? p + 3 : url;
	if (*p == '[') { /* [::1]:8443 */
		end = strchr(p, ']');
		end = end ? end + 1 : p + strlen(p);
	} else {
		end = p + strcspn(p, ":/?#");
	}
	snprintf(out, size, "%.*s", (int)(end - p), p);
}

/* curl's words for a failed transfer, shortened to what a person needs. */
static const char *net_reason(const char *error)
{
	static const struct {
		const char *says, *means;
	} known[] = {
	    {"Connection refused", N_("connection refused")},
	    {"timed out", N_("no answer in time")},
	    {"Timeout", N_("no answer in time")},
	    {"resolve host", N_("unknown host name")},
	    {"No route to host", N_("no route to the host")},
	    {"Network is unreachable", N_("no network")},
	    {"reset by peer", N_("connection reset")},
	    {"Couldn't connect", N_("no connection")},
	    {"Empty reply", N_("the connection was closed")},
	    {"certificate", N_("its certificate could not be verified")},
	    {"SSL", N_("the secure connection failed")},
	};

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcasestr(error, known[i].says))
			return _(known[i].means);
	return *error ? error : _("no reply");
}

struct ui_sync *ui_sync_new(struct session *s)
{
	struct ui_sync *u = ui_app_xcalloc(1, sizeof *u);
	struct sync_transport_options o = {0};
	const struct config *cfg = s->cfg;
	char hostname[256] = "", *cause = NULL;

	u->s = s;
	u->mode = UI_SYNC_LOCAL;
	u->next_at = -1;
	u->lease_at = -1;
	if (!cfg || !cfg->server || !cfg->token)
		return u;
	u->interval_ms = (cfg->sync_interval > 0 ? cfg->sync_interval : 60) * 1000LL;
	url_host(cfg->server, u->host, sizeof u->host);
	gethostname(hostname, sizeof hostname - 1);
	snprintf(u->holder, sizeof u->holder, "%s:%ld", hostname[0] ? hostname : "localhost",
	         (long)getpid());
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	u->mode = UI_SYNC_STARTING;
	o.server = cfg->server;
	o.token = cfg->token;
	o.ca_file = cfg->ca_file;
	o.insecure = getenv("HANDESK_SYNC_INSECURE_TEST") != NULL;
	if (sync_transport_new(&o, &u->t, &cause)) {
		u->mode = UI_SYNC_STOPPED;
		copy(u->error, sizeof u->error, cause ? cause : _("cannot set up the transfers"));
		free(cause);
		return u;
	}
	u->sync = sync_new(s->cache, u->holder);
	if (!u->sync)
		ui_app_fail("out of memory");
	sync_set_small_steps(u->sync, SNAPSHOT_ROWS, PULL_ROWS);
	db_cache_checkpoint_in_background(s->cache);
	u->indexing = true; /* one left half done by a process that was killed */
	u->next_at = 0;     /* a cycle at start-up */
	return u;
}

/* End a cycle that is under way (quitting): nothing is half applied, the
 * lease goes, a pending push stays pending. */
static void abandon(struct ui_sync *u)
{
	struct sync_reply r = {.status = 0, .retry_after = -1};

	if (!u->running)
		return;
	sync_transport_cancel(u->t);
	copy(r.error, sizeof r.error, _("handesk was closed during the transfer"));
	sync_feed(u->sync, &r, &u->req, NULL);
	u->running = false;
}

void ui_sync_free(struct ui_sync *u)
{
	char *cause = NULL;

	if (!u)
		return;
	abandon(u);
	if (u->sync && u->mode != UI_SYNC_OTHER_AGENT)
		db_sync_lease_release(u->s->cache, u->holder, &cause);
	free(cause);
	sync_free(u->sync);
	sync_transport_free(u->t);
	free(u);
}

bool ui_sync_wait(struct ui_sync *u, int timeout_ms)
{
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	int r, ready = 0;
	char *cause = NULL;

	if (u->running && sync_transport_busy(u->t)) {
		if (sync_transport_wait(u->t, &pfd, 1, timeout_ms, &ready, &cause) == RC_OK)
			return ready > 0;
		free(cause);
		/* Should not happen; fall back to a short plain wait. */
		timeout_ms = timeout_ms > 50 || timeout_ms < 0 ? 50 : timeout_ms;
	}
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return errno == EINTR; /* a signal: look at the flags, try keys */
	return r > 0;
}

/* Hold the lease between cycles (or learn that another process does). */
static bool take_lease(struct ui_sync *u, long long now)
{
	char *cause = NULL;
	enum rc rc = db_sync_lease_take(u->s->cache, u->holder, now_s(), LEASE_S, &cause);

	free(cause);
	if (rc == RC_DENIED) {
		struct db_sync_summary sum;
		if (db_sync_summary(u->s->cache, &sum) == RC_OK)
			copy(u->agent, sizeof u->agent, sum.lease_holder);
		u->mode = UI_SYNC_OTHER_AGENT;
		u->lease_at = now + AGENT_CHECK_MS;
		u->next_at = u->lease_at;
		return false;
	}
	u->lease_at = now + LEASE_RENEW_MS;
	return rc == RC_OK;
}

/* Where a cycle went after sync_start or sync_feed. */
static int after(struct ui_sync *u, enum sync_next next, char *cause, long long now)
{
	char *why = NULL;
	int flags = 0;

	switch (next) {
	case SYNC_SEND:
		if (sync_transport_start(u->t, &u->req, &why) == RC_OK)
			break;
		{
			/* End the cycle as a transfer failure. */
			struct sync_reply r = {.status = 0, .retry_after = -1};
			copy(r.error, sizeof r.error, why);
			snprintf(u->error, sizeof u->error, _("cannot reach %s (%s)"), u->host,
			         why ? why : _("no reply"));
			free(why);
			why = NULL;
			u->net_failed = true;
			free(cause);
			cause = NULL;
			next = sync_feed(u->sync, &r, &u->req, &cause);
			flags |= after(u, next, cause, now);
			return flags;
		}
	case SYNC_DONE:
		u->running = false;
		u->mode = UI_SYNC_ONLINE;
		u->attempt = 0;
		u->error[0] = '\0';
		/* A change made while the cycle ran may have missed it. */
		u->next_at = now + (u->changed ? DEBOUNCE_MS : u->interval_ms);
		u->changed = false;
		take_lease(u, now);
		flags |= UI_SYNC_STATE;
		break;
	case SYNC_TRANSIENT: {
		long wait =
		    sync_backoff(u->attempt, sync_retry_after(u->sync), rand() / (RAND_MAX + 1.0));
		u->running = false;
		u->mode = UI_SYNC_OFFLINE;
		if (u->attempt < 30)
			u->attempt++;
		u->next_at = now + wait * 1000;
		if (!u->net_failed)
			copy(u->error, sizeof u->error, cause);
		take_lease(u, now);
		flags |= UI_SYNC_STATE;
		break;
	}
	case SYNC_PERMANENT:
		u->running = false;
		u->mode = UI_SYNC_STOPPED;
		u->next_at = -1;
		copy(u->error, sizeof u->error, cause ? cause : _("sync failed"));
		db_sync_lease_release(u->s->cache, u->holder, &why);
		u->lease_at = -1;
		flags |= UI_SYNC_STATE;
		break;
	}
	free(why);
	free(cause);
	return flags;
}

static int begin(struct ui_sync *u, long long now)
{
	char *cause = NULL;
	enum sync_next next;

	if (!take_lease(u, now))
		return u->mode == UI_SYNC_OTHER_AGENT ? UI_SYNC_STATE : 0;
	if (u->mode == UI_SYNC_OTHER_AGENT)
		u->mode = UI_SYNC_STARTING; /* the agent left: ours now */
	u->running = true;
	u->applied = 0;
	u->net_failed = false;
	next = sync_start(u->sync, &u->req, &cause);
	return after(u, next, cause, now);
}

/* One small transaction of the search index an initial sync left (one
 * step per pass, none in a pass that applied a page). */
static int index_step(struct ui_sync *u)
{
	char *cause = NULL;
	bool more = false;
	enum rc rc = db_sync_index_step(u->s->cache, INDEX_STEP, &more, &cause);

	if (rc == RC_NOTFOUND) { /* none waits */
		u->indexing = false;
		return 0;
	}
	if (rc) {
		/* Busy (another process writes) or worse: again at the next
		 * cycle, which sets indexing again. */
		free(cause);
		u->indexing = false;
		return 0;
	}
	u->indexing = more;
	return UI_SYNC_DATA;
}

int ui_sync_work(struct ui_sync *u, long long now)
{
	struct sync_reply reply;
	enum sync_next next;
	char *cause = NULL;
	bool done = false;
	int flags = 0;

	if (!u->sync)
		return 0;
	if (u->running) {
		if (sync_transport_step(u->t, &reply, &done, &cause)) {
			/* curl itself failed: end the transfer as a failed one. */
			sync_transport_cancel(u->t);
			memset(&reply, 0, sizeof reply);
			reply.retry_after = -1;
			copy(reply.error, sizeof reply.error, cause);
			free(cause);
			cause = NULL;
			done = true;
		}
		if (!done)
			return 0;
		u->net_failed = reply.status == 0;
		if (u->net_failed)
			snprintf(u->error, sizeof u->error, _("cannot reach %s (%s)"), u->host,
			         net_reason(reply.error));
		next = sync_feed(u->sync, &reply, &u->req, &cause);
		flags = after(u, next, cause, now);
		if (sync_stats(u->sync)->applied != u->applied) {
			u->applied = sync_stats(u->sync)->applied;
			flags |= UI_SYNC_DATA;
		}
		u->indexing = true; /* a snapshot's last page leaves it to steps */
		return flags;
	}
	/* The index first, then the next cycle (the lease kept meanwhile). */
	if (u->indexing) {
		flags = index_step(u);
		if (u->lease_at >= 0 && now >= u->lease_at && u->mode != UI_SYNC_OTHER_AGENT)
			take_lease(u, now);
		return flags;
	}
	if (u->next_at >= 0 && now >= u->next_at)
		return begin(u, now);
	if (u->lease_at >= 0 && now >= u->lease_at && u->mode != UI_SYNC_OTHER_AGENT)
		take_lease(u, now);
	return 0;
}

long long ui_sync_deadline(const struct ui_sync *u, long long now)
{
	long long d = -1;

	if (!u->sync)
		return -1;
	if (u->indexing && !u->running)
		return now; /* the next step of the index at once (keys first) */
	if (u->running)
		return now + 1000; /* the wait itself follows curl's timers */
	if (u->next_at >= 0)
		d = u->next_at;
	if (u->lease_at >= 0 && (d < 0 || u->lease_at < d))
		d = u->lease_at;
	/* The countdown of "retry in N s" moves every second. */
	if (u->mode == UI_SYNC_OFFLINE && (d < 0 || now + 1000 < d))
		d = now + 1000 - (u->next_at - now) % 1000;
	return d;
}

void ui_sync_now(struct ui_sync *u, long long now)
{
	if (!u->sync || u->running)
		return;
	u->attempt = 0;
	u->next_at = now;
	if (u->mode == UI_SYNC_STOPPED) {
		u->mode = UI_SYNC_STARTING;
		u->error[0] = '\0';
	}
}

void ui_sync_local_change(struct ui_sync *u, long long now)
{
	if (u->running)
		u->changed = true;
	if (!u->sync || u->running || u->next_at < 0)
		return;
	/* Online or passive: soon.  Offline: the backoff decides. */
	if (u->mode == UI_SYNC_OFFLINE)
		return;
	if (u->mode == UI_SYNC_OTHER_AGENT)
		return; /* the agent notices through data_version */
	/* Each change moves it: a burst of saves is one cycle. */
	u->next_at = now + DEBOUNCE_MS;
}

void ui_sync_get_view(const struct ui_sync *u, long long now, struct ui_sync_view *out)
{
	memset(out, 0, sizeof *out);
	out->mode = u->mode;
	out->running = u->running;
	out->retry_s = -1;
	if (u->mode == UI_SYNC_OFFLINE && u->next_at >= 0)
		out->retry_s = u->next_at > now ? (u->next_at - now + 999) / 1000 : 0;
	copy(out->error, sizeof out->error, u->error);
	copy(out->agent, sizeof out->agent, u->agent);
}

const char *ui_sync_entity_name(const char *entity)
{
	static const struct {
		const char *code, *name;
	} names[] = {
	    {"person", N_("Person")},
	    {"application", N_("Application")},
	    {"application_document", N_("Document")},
	    {"staff", N_("Staff")},
	    {"audit", N_("Audit entry")},
	    {"person_history", N_("Change history")},
	    {"contact_form", N_("Contact form")},
	    {"conflict", N_("Conflict")},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(entity, names[i].code) == 0)
			return _(names[i].name);
	return entity;
}
