/* bench_load.c: handeskd under load from a separate process on loopback:
 * N concurrent clients (one thread and one keep-alive connection each, as a
 * workstation's handesk has) doing sync cycles: a push of a few changes,
 * then pulls until has_more is false.  Prints requests/s and the median and
 * p99 latency of each kind of request, against the baseline of GET
 * /v1/health (no token, one SELECT 1) measured in the same run.
 *
 *   bench_load [-c CLIENTS] [-s SECONDS] [-n CHANGES] PORT TOKEN
 *
 * Plain HTTP/1.1 over a socket (bench/ may not use libcurl, design.md 2);
 * replies are read by their Content-Length. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "src/uuid.h"

enum kind { K_HEALTH, K_PUSH, K_PULL, K_COUNT };
static const char *const kind_name[K_COUNT] = {"health", "push", "pull"};

struct samples {
	double *v;
	size_t n, cap;
};

struct client {
	pthread_t thread;
	int fd;
	unsigned port;
	const char *token;
	int changes;
	double until;
	bool baseline;
	struct samples lat[K_COUNT];
	long errors;
	char cursor[128];
	char *buf;
	size_t bufsize;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void add(struct samples *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4096;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		if (!s->v) {
			perror("bench_load");
			exit(1);
		}
	}
	s->v[s->n++] = v;
}

static int connect_to(unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* One request on the client's connection (reconnecting once if the
 * service closed it); the reply body, NUL-terminated, in c->buf.  Returns
 * the HTTP status, or 0 on a transport failure. */
static int request(struct client *c, const char *method, const char *path, const char *body)
{
	char head[512];
	size_t have = 0, need = 0, hlen = 0;
	int status = 0;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (c->fd < 0 && (c->fd = connect_to(c->port)) < 0)
			return 0;
		int n = snprintf(head, sizeof head,
		                 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s"
		                 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		                 method, path, c->token ? "Authorization: Bearer " : "",
		                 c->token ? c->token : "", c->token ? "\r\n" : "",
		                 body ? strlen(body) : 0);
		if (send_all(c->fd, head, (size_t)n) &&
		    (!body || send_all(c->fd, body, strlen(body))))
			break;
		close(c->fd);
		c->fd = -1;
	}
	if (c->fd < 0)
		return 0;
	for (;;) {
		if (have + 1 >= c->bufsize) {
			c->bufsize *= 2;
			c->buf = realloc(c->buf, c->bufsize);
			if (!c->buf) {
				perror("bench_load");
				exit(1);
			}
		}
		ssize_t r = recv(c->fd, c->buf + have, c->bufsize - have - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto broken;
		have += (size_t)r;
		c->buf[have] = '\0';
		if (!hlen) {
			char *end = strstr(c->buf, "\r\n\r\n");
			if (!end)
				continue;
			hlen = (size_t)(end - c->buf) + 4;
			if (sscanf(c->buf, "HTTP/1.%*d %d", &status) != 1)
				goto broken;
			char *cl = strcasestr(c->buf, "\r\nContent-Length:");
			if (!cl || cl > end)
				goto broken;
			need = hlen + strtoul(cl + 17, NULL, 10);
		}
		if (have >= need)
			break;
	}
	memmove(c->buf, c->buf + hlen, need - hlen);
	c->buf[need - hlen] = '\0';
	return status;
broken:
	close(c->fd);
	c->fd = -1;
	return 0;
}

static void push_body(struct client *c, char *out, size_t size)
{
	char batch[37], id[37];
	size_t len;

	uuid_new(batch);
	len = (size_t)snprintf(out, size, "{\"batch\":\"%s\",\"changes\":[", batch);
	for (int i = 0; i < c->changes && len < size; i++) {
		uuid_new(id);
		len += (size_t)snprintf(
		    out + len, size - len,
		    "%s{\"change\":\"%s:1\",\"entity\":\"person\",\"id\":\"%s\",\"op\":\"insert\","
		    "\"base_version\":0,\"updated_at\":\"2026-11-23T09:00:00.000Z\",\"updated_by\":"
		    "\"\","
		    "\"fields\":{\"insz\":\"\",\"family_name\":\"Load\",\"given_name\":\"Bench\","
		    "\"birth_date\":\"\",\"sex\":\"\",\"language\":\"nl\",\"nationality\":\"\","
		    "\"residence\":\"\",\"street\":\"\",\"postcode\":\"\",\"municipality\":\"\","
		    "\"phone\":\"\",\"email\":\"\",\"contact_name\":\"\",\"contact_phone\":\"\","
		    "\"contact_relation\":\"\",\"notes\":\"\"}}",
		    i ? "," : "", id, id);
	}
	if (len < size)
		snprintf(out + len, size - len, "]}");
}

/* The cursor and has_more of a pull reply, found by plain string search:
 * the reply's shape is the service's, checked by the tests, not here. */
static bool pull_next(struct client *c)
{
	char *p = strstr(c->buf, "\"cursor\"");
	char *q;

	if (p && (p = strchr(p + 8, '"')) && (q = strchr(p + 1, '"')) &&
	    (size_t)(q - p - 1) < sizeof c->cursor) {
		memcpy(c->cursor, p + 1, (size_t)(q - p - 1));
		c->cursor[q - p - 1] = '\0';
	}
	return strstr(c->buf, "\"has_more\": true") || strstr(c->buf, "\"has_more\":true");
}

static void timed(struct client *c, enum kind k, const char *method, const char *path,
                  const char *body, int want)
{
	double t0 = now();
	int status = request(c, method, path, body);
	double t1 = now();

	if (status == want)
		add(&c->lat[k], (t1 - t0) * 1000.0);
	else
		c->errors++;
}

static void *run(void *arg)
{
	struct client *c = arg;
	static const size_t body_size = 1 << 20;
	char *body = malloc(body_size), path[256];

	if (!body) {
		perror("bench_load");
		exit(1);
	}
	while (now() < c->until) {
		if (c->baseline) {
			timed(c, K_HEALTH, "GET", "/v1/health", NULL, 200);
			continue;
		}
		push_body(c, body, body_size);
		timed(c, K_PUSH, "POST", "/v1/push", body, 200);
		for (int pages = 0; pages < 20; pages++) {
			snprintf(path, sizeof path, "/v1/pull?limit=500%s%s",
			         c->cursor[0] ? "&cursor=" : "", c->cursor);
			timed(c, K_PULL, "GET", path, NULL, 200);
			if (!pull_next(c))
				break;
		}
	}
	free(body);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(struct samples *s, double p)
{
	if (!s->n)
		return 0;
	size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);
	return s->v[i];
}

/* Run n clients for seconds; merge their samples into all[]. */
static long phase(int n, double seconds, unsigned port, const char *token, int changes,
                  bool baseline, struct samples all[K_COUNT])
{
	struct client *cs = calloc((size_t)n, sizeof *cs);
	long errors = 0;

	if (!cs) {
		perror("bench_load");
		exit(1);
	}
	double until = now() + seconds;
	for (int i = 0; i < n; i++) {
		cs[i] = (struct client){.fd = -1,
		                        .port = port,
		                        .token = baseline ? NULL : token,
		                        .changes = changes,
		                        .until = until,
		                        .baseline = baseline,
		                        .bufsize = 1 << 16};
		cs[i].buf = malloc(cs[i].bufsize);
		if (!cs[i].buf || pthread_create(&cs[i].thread, NULL, run, &cs[i])) {
			perror("bench_load");
			exit(1);
		}
	}
	for (int i = 0; i < n; i++) {
		pthread_join(cs[i].thread, NULL);
		for (int k = 0; k < K_COUNT; k++) {
			for (size_t j = 0; j < cs[i].lat[k].n; j++)
				add(&all[k], cs[i].lat[k].v[j]);
			free(cs[i].lat[k].v);
		}
		errors += cs[i].errors;
		if (cs[i].fd >= 0)
			close(cs[i].fd);
		free(cs[i].buf);
	}
	free(cs);
	return errors;
}

int main(int argc, char **argv)
{
	int clients = 50, changes = 5, opt;
	double seconds = 10;
	struct samples base[K_COUNT] = {0}, load[K_COUNT] = {0};
	long errors;
	int status = 0;

	while ((opt = getopt(argc, argv, "c:s:n:")) != -1) {
		switch (opt) {
		case 'c':
			clients = atoi(optarg);
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'n':
			changes = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2 || clients < 1 || clients > 1000 || seconds <= 0 || changes < 1 ||
	    changes > 1000)
		goto usage;
	unsigned port = (unsigned)atoi(argv[optind]);
	const char *token = argv[optind + 1];

	phase(clients, seconds / 4, port, NULL, 0, true, base);
	errors = phase(clients, seconds, port, token, changes, false, load);
	qsort(base[K_HEALTH].v, base[K_HEALTH].n, sizeof(double), cmp);
	double base_p50 = pct(&base[K_HEALTH], 0.5);
	size_t total = 0;
	for (int k = 0; k < K_COUNT; k++)
		total += load[k].n;
	printf(
	    "baseline GET /v1/health, %d clients: %.0f requests/s, median %.2f ms, p99 %.2f ms\n",
	    clients, (double)base[K_HEALTH].n / (seconds / 4), base_p50,
	    pct(&base[K_HEALTH], 0.99));
	printf("sync cycles, %d clients x %.0f s (push of %d changes, then pull pages): %zu "
	       "requests, %.0f requests/s, %ld errors\n",
	       clients, seconds, changes, total, (double)total / seconds, errors);
	for (int k = K_PUSH; k < K_COUNT; k++) {
		struct samples *s = &load[k];
		qsort(s->v, s->n, sizeof(double), cmp);
		printf("  %-5s %7zu requests: median %6.2f ms (%.1fx health), p99 %6.2f ms\n",
		       kind_name[k], s->n, pct(s, 0.5), base_p50 > 0 ? pct(s, 0.5) / base_p50 : 0,
		       pct(s, 0.99));
	}
	/* The bar of design.md 8: 1,000 sync requests/s with p99 < 50 ms. */
	struct samples every = {0};
	for (int k = K_PUSH; k < K_COUNT; k++)
		for (size_t j = 0; j < load[k].n; j++)
			add(&every, load[k].v[j]);
	qsort(every.v, every.n, sizeof(double), cmp);
	bool pass = (double)total / seconds >= 1000 && pct(&every, 0.99) < 50 && errors == 0;
	printf("handeskd load: %.0f requests/s (bar >= 1000), p99 %.2f ms (bar < 50 ms) %s\n",
	       (double)total / seconds, pct(&every, 0.99), pass ? "PASS" : "FAIL");
	if (!pass)
		status = 1;
	for (int k = 0; k < K_COUNT; k++) {
		free(base[k].v);
		free(load[k].v);
	}
	free(every.v);
	return status;
usage:
	fprintf(stderr, "usage: bench_load [-c CLIENTS] [-s SECONDS] [-n CHANGES] PORT TOKEN\n");
	return 2;
}
