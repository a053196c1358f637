/* cmd_sync.c: `handesk sync`: one cycle (for cron and systemd timers),
 * --watch to repeat it every sync_interval seconds with backoff after a
 * failure, --status for pending changes, last sync and last error. */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/cache.h"
#include "db/sync.h"
#include "src/cmd_sync.h"
#include "src/config.h"
#include "src/i18n.h"
#include "src/sync.h"
#include "src/sync_transport.h"

/* EX_TEMPFAIL of sysexits.h: a timer may simply try again. */
#define EXIT_TRANSIENT 75

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out, "%s",
	        _("Usage: handesk sync [--watch | --status]\n"
	          "Send the cache's changes to the central service and receive what changed\n"
	          "there (the server and token settings of handesk.conf).  One cycle, then\n"
	          "one line: changes pushed, rows pulled, conflicts, rejected changes.\n"
	          "\n"
	          "  -w, --watch    repeat every sync_interval seconds (default 60), waiting\n"
	          "                 longer after a failure, until interrupted\n"
	          "  -s, --status   show pending changes, last sync, last error and the\n"
	          "                 sync agent holding the cache, and exit\n"
	          "  -h, --help     show this help and exit\n"
	          "\n"
	          "Exit status: 0 done, 1 failed (the reason is printed), 2 bad usage or\n"
	          "configuration, 75 the service could not be reached or was busy: try again\n"
	          "later.\n"));
}

static int show_status(struct cache *c)
{
	struct db_sync_summary s;
	long long now = (long long)time(NULL);

	if (db_sync_summary(c, &s)) {
		fprintf(stderr, "%s\n", _("handesk: cannot read the sync state of the cache"));
		return 1;
	}
	printf(_("pending changes: %ld\n"), s.pending);
	printf(_("rejected changes: %ld\n"), s.rejected);
	printf(_("conflicts: %ld\n"), s.conflicts);
	printf(_("pulled rows waiting for local changes: %ld\n"), s.held);
	printf(_("initial sync: %s\n"), s.snapshot_done ? _("done") : _("not done"));
	printf(_("last sync: %s\n"), s.last_sync_at[0] ? s.last_sync_at : _("never"));
	printf(_("last error: %s\n"), s.last_error[0] ? s.last_error : _("none"));
	if (s.lease_holder[0] && s.lease_until > now)
		printf(_("sync agent: %s (for %lld more seconds)\n"), s.lease_holder,
		       s.lease_until - now);
	else
		printf(_("sync agent: none\n"));
	return 0;
}

/* Send req and, while the service prepares the answer, apply the page
 * that waits (sync_set_prefetch).  *next: SYNC_SEND with the answer in
 * reply, or how the cycle ended while applying (the request dropped). */
static enum rc send_applying(struct sync *s, struct sync_transport *t,
                             const struct sync_request *req, struct sync_reply *reply,
                             enum sync_next *next, char **cause)
{
	bool done = false;
	enum rc rc;

	*next = SYNC_SEND;
	rc = sync_transport_start(t, req, cause);
	/* One step puts the request on the kept connection. */
	if (!rc)
		rc = sync_transport_step(t, reply, &done, cause);
	if (rc) {
		char *why = NULL;

		/* The page is in hand: stored all the same (or with the cycle's
		 * end, in words, should that fail too). */
		sync_transport_cancel(t);
		sync_apply_deferred(s, &why);
		free(why);
		return rc;
	}
	*next = sync_apply_deferred(s, cause);
	if (*next != SYNC_SEND) {
		sync_transport_cancel(t);
		return RC_OK;
	}
	while (!rc && !done) {
		rc = sync_transport_wait(t, NULL, 0, 1000, NULL, cause);
		if (!rc)
			rc = sync_transport_step(t, reply, &done, cause);
	}
	if (rc)
		sync_transport_cancel(t);
	return rc;
}

/* One cycle through the transport: one request at a time, the pages
 * applied while the next one is on its way. */
static enum sync_next cycle(struct sync *s, struct sync_transport *t, char **cause)
{
	struct sync_request req;
	struct sync_reply reply;
	enum sync_next next;

	next = sync_start(s, &req, cause);
	while (next == SYNC_SEND) {
		if (sync_deferred(s)) {
			if (send_applying(s, t, &req, &reply, &next, cause))
				return SYNC_PERMANENT;
			if (next != SYNC_SEND)
				return next;
		} else if (sync_transport_perform(t, &req, &reply, cause)) {
			return SYNC_PERMANENT;
		}
		next = sync_feed(s, &reply, &req, cause);
		if (stop && next == SYNC_SEND) {
			/* Interrupted between two requests: nothing is half applied. */
			sync_feed(s, &(struct sync_reply){.status = 0, .retry_after = -1}, &req,
			          NULL);
			return SYNC_TRANSIENT;
		}
	}
	return next;
}

static void summary(const struct sync *s)
{
	const struct sync_stats *k = sync_stats(s);

	printf(_("sync: pushed %d, pulled %d, conflicts %d, rejected %d\n"), k->pushed, k->pulled,
	       k->conflicts, k->rejected);
	fflush(stdout);
}

/* Sleep up to seconds, woken early by SIGINT/SIGTERM. */
static void pause_for(long seconds)
{
	struct timespec ts = {.tv_sec = 1};

	for (long i = 0; i < seconds && !stop; i++)
		nanosleep(&ts, NULL);
}

int cmd_sync_main(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
	    {"watch", no_argument, NULL, 'w'},
	    {"status", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct sync_transport_options o = {0};
	struct sync_transport *t = NULL;
	struct sync *s = NULL;
	struct cache *c = NULL;
	bool watch = false, status_only = false;
	char holder[300], host[256] = "";
	char *cause = NULL;
	unsigned attempt = 0;
	int opt, status = 1;
	enum sync_next next;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+wsh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'w':
			watch = true;
			break;
		case 's':
			status_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || (watch && status_only)) {
		usage(stderr);
		return 2;
	}
	if (db_cache_open(cfg->db_path, &c, &cause)) {
		fprintf(stderr, "handesk: %s\n", cause);
		free(cause);
		return 1;
	}
	if (status_only) {
		status = show_status(c);
		goto out;
	}
	if (!cfg->server || !cfg->token) {
		fprintf(
		    stderr, "%s\n",
		    _("handesk: sync needs server = URL and token = SECRET in the configuration "
		      "file (see handesk.conf(5))"));
		status = 2;
		goto out;
	}
	o.server = cfg->server;
	o.token = cfg->token;
	o.ca_file = cfg->ca_file;
	o.insecure = getenv("HANDESK_SYNC_INSECURE_TEST") != NULL;
	if (sync_transport_new(&o, &t, &cause)) {
		fprintf(stderr, "handesk: %s\n", cause);
		status = 2;
		goto out;
	}
	gethostname(host, sizeof host - 1);
	snprintf(holder, sizeof holder, "%s:%ld", host[0] ? host : "localhost", (long)getpid());
	s = sync_new(c, holder);
	if (s)
		sync_set_prefetch(s, true);
	if (!s) {
		fprintf(stderr, "%s\n", _("handesk: out of memory"));
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (;;) {
		free(cause);
		cause = NULL;
		next = cycle(s, t, &cause);
		if (next == SYNC_DONE) {
			summary(s);
			status = 0;
			attempt = 0;
		} else {
			fprintf(stderr, "handesk: sync: %s\n", cause ? cause : _("failed"));
			status = next == SYNC_TRANSIENT ? EXIT_TRANSIENT : 1;
		}
		if (!watch || stop)
			break;
		if (next == SYNC_PERMANENT) {
			/* A person must act (token, schema, centre): keep trying, slowly. */
			pause_for(cfg->sync_interval > 300 ? cfg->sync_interval : 300);
		} else if (next == SYNC_TRANSIENT) {
			pause_for(
			    sync_backoff(attempt, sync_retry_after(s), rand() / (RAND_MAX + 1.0)));
			if (attempt < 30)
				attempt++;
		} else {
			pause_for(cfg->sync_interval);
		}
		if (stop)
			break;
	}
	if (watch && stop)
		status = status == EXIT_TRANSIENT ? 0 : status;
out:
	free(cause);
	sync_free(s);
	sync_transport_free(t);
	db_cache_close(c);
	return status;
}
