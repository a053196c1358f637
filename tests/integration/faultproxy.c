/* faultproxy.c: a fault-injecting HTTP/1.1 proxy (and a tiny file server) for the sync tests. */
/*
 * How the sync tests use it (issue 3, "Fault injection"):
 *
 *   handesk sync  --->  faultproxy (127.0.0.1:P)  --->  handeskd serve (127.0.0.1:D)
 *
 *   faultproxy --upstream 127.0.0.1:$D --seed $S --rate 0.3 --garble-invalid \
 *          --faults drop,reset,truncate,garble,delay >proxy.out 2>proxy.log &
 *   (wait until proxy.out has a first line: the proxy's port P)
 *
 * and the cache's central URL points at http://127.0.0.1:$P.  The proxy forwards every
 * byte both ways and spoils some responses: after the request went through, so handeskd
 * has applied a push whose reply the client never sees (drop, reset, truncate, stall) or
 * sees broken (garble) or late (delay).  After enough sync cycles (the later ones through
 * a clean proxy, or with --faults-after / a low --rate) every change must have arrived
 * exactly once and the cache must equal the central state.  The decisions depend only on
 * --seed and the connection (or response) number, so a failing seed can be replayed; the
 * log on stderr (one line per connection) says what was done to which connection.
 *
 * The unit of fault is a connection: its first response suffers the faults, later ones on
 * the same keep-alive connection pass.  With --per-request, every response is a unit of
 * its own (numbered across connections), found by Content-Length or chunked framing.
 * Responses are parsed (status, Content-Length, Transfer-Encoding) so that garble leaves
 * the headers and the chunk framing intact and truncate cuts inside the body.  A random
 * flip may turn JSON into other valid JSON ("version": 5 -> 7) that no client can tell
 * from the truth; tests that compare both sides at the end want --garble-invalid (0xFF,
 * never valid UTF-8).  Not
 * handled: responses to HEAD (the sync protocol uses GET and POST), protocol upgrades
 * (101, passed through unparsed).
 *
 * --serve-file FILE turns the program into the upstream of its own self test: every
 * request (any method, body skipped by Content-Length) gets FILE as a 200, keep-alive.
 *
 * A test tool: built by `make check`, never installed; plain POSIX, one poll() loop.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BUFSZ       65536
#define MAX_GARBLE  3
#define CHUNK_BYTES 1000

enum fault {
	F_DROP = 1 << 0,
	F_RESET = 1 << 1,
	F_DELAY = 1 << 2,
	F_TRUNCATE = 1 << 3,
	F_GARBLE = 1 << 4,
	F_STALL = 1 << 5,
};
#define F_ALL      (F_DROP | F_RESET | F_DELAY | F_TRUNCATE | F_GARBLE | F_STALL)
#define F_TERMINAL (F_RESET | F_TRUNCATE | F_STALL)

static const char *const fault_names[] = {"drop", "reset", "delay", "truncate", "garble", "stall"};
#define NFAULTS (sizeof fault_names / sizeof fault_names[0])

/* Where the response parser is in the upstream's byte stream. */
enum rstate {
	R_HEAD,       /* waiting for a complete header block */
	R_LENGTH,     /* Content-Length body: remain bytes left */
	R_CHUNK_SIZE, /* at a chunk-size line */
	R_CHUNK_DATA, /* inside chunk data: remain bytes left */
	R_CHUNK_CRLF, /* the CRLF after chunk data: remain bytes left */
	R_TRAILER,    /* trailer lines after the last chunk */
	R_EOF,        /* body until the upstream closes */
	R_OPAQUE,     /* gave up parsing: pass everything */
};

struct opts {
	char *host;
	const char *service; /* upstream */
	unsigned port;
	uint64_t seed;
	double rate;
	long every, faults_after;
	unsigned faults;
	long delay_ms, stall_ms;
	bool per_request, garble_invalid;
	const char *serve_file;
	bool chunked;
};

struct conn {
	struct conn *next;
	long id;
	int cfd, ufd;
	bool connecting, client_eof, upstream_eof, upstream_shut;
	/* client -> upstream */
	unsigned char cbuf[BUFSZ];
	size_t clen;
	/* upstream -> client: [0, usent) sent, [usent, uok) ready, [uok, ulen) unparsed */
	unsigned char ubuf[BUFSZ];
	size_t ulen, uok, usent;
	enum rstate rs;
	uint64_t remain, data_seen;
	/* the faults: plan for the connection (or the next unit), act for this response */
	unsigned plan, act, done, delayed;
	bool resp_started;
	long responses;
	uint64_t rng;
	uint64_t cut;   /* terminal fault: body bytes let through */
	size_t headcut; /* ... or header bytes, when there is no body */
	bool cut_in_head;
	uint64_t garble_at[MAX_GARBLE];
	int ngarble;
	unsigned terminal;  /* a terminal fault triggered: act once [usent, uok) is sent */
	int64_t hold_until; /* delay or stall ends; 0 none */
	unsigned holding;   /* F_DELAY or F_STALL */
	char log[512];
	size_t loglen;
	/* --serve-file */
	unsigned char *out;
	size_t outlen, outsent, outcap;
	bool close_after;
};

static struct opts o = {.rate = 1.0, .faults = F_ALL, .delay_ms = 500, .stall_ms = 1000};
static struct addrinfo *upstream_ai;
static unsigned char *file_data;
static size_t file_len;
static struct conn *conns;
static long nconns, nunits;
static int sigpipe_fds[2] = {-1, -1};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("faultproxy: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void usage(FILE *out)
{
	fputs(
	    "Usage: faultproxy [--port N] --upstream HOST:PORT [--seed N] [--rate P | --every K]\n"
	    "                  [--faults LIST] [--faults-after N] [--delay-ms MS] [--stall-ms MS]\n"
	    "                  [--per-request] [--garble-invalid]\n"
	    "       faultproxy [--port N] --serve-file FILE [--chunked]\n"
	    "Listens on 127.0.0.1:N (0, the default: any free port), prints the port on the\n"
	    "first line of standard output and forwards each connection to HOST:PORT,\n"
	    "spoiling some responses; one line per connection on standard error.\n"
	    "  --faults LIST     comma-separated from drop,reset,delay,truncate,garble,stall\n"
	    "                    (default: all); a faulty unit gets one drawn evenly, and\n"
	    "                    each other by a coin toss (drop always alone; at most\n"
	    "                    one of reset, truncate, stall)\n"
	    "  --rate P          probability 0..1 that a unit is faulty (default 1)\n"
	    "  --every K         instead: every K-th unit is faulty (K, 2K, ... after N)\n"
	    "  --faults-after N  the first N units pass cleanly (default 0)\n"
	    "  --seed N          seed of all random choices (default 0)\n"
	    "  --delay-ms MS     delay holds a response this long (default 500)\n"
	    "  --stall-ms MS     stall keeps the connection silent this long, then closes\n"
	    "                    (default 1000)\n"
	    "  --per-request     the unit is each response, not each connection\n"
	    "  --garble-invalid  garble writes 0xFF bytes (never valid UTF-8 or JSON), not\n"
	    "                    random flips\n"
	    "  --serve-file FILE be a server answering every request with FILE as a 200\n"
	    "  --chunked         ... sent with Transfer-Encoding: chunked\n",
	    out);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* splitmix64: small, good enough, and the same everywhere. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return n ? rng_next(s) % n : 0;
}

static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

static unsigned popcount(unsigned x)
{
	unsigned n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/* The bit of the k-th (0-based) set bit of set. */
static unsigned nth_bit(unsigned set, uint64_t k)
{
	for (unsigned b = 1; b; b <<= 1) {
		if (!(set & b))
			continue;
		if (k-- == 0)
			return b;
	}
	return 0;
}

/* The faults of unit number unit (1-based), and the random state for its details. */
static unsigned plan_unit(long unit, uint64_t *rng)
{
	unsigned set, term, first;
	bool faulty;

	*rng = o.seed ^ ((uint64_t)unit * 0xd1b54a32d192ed03u);
	rng_next(rng);
	if (unit <= o.faults_after || !o.faults)
		return 0;
	if (o.every > 0)
		faulty = (unit - o.faults_after) % o.every == 0;
	else
		faulty = rng_unit(rng) < o.rate;
	if (!faulty)
		return 0;
	/* One fault drawn evenly, then each other one by a coin toss. */
	first = nth_bit(o.faults, rng_below(rng, popcount(o.faults)));
	if (first == F_DROP)
		return F_DROP;
	set = first;
	for (unsigned bit = 1; bit <= F_STALL; bit <<= 1)
		if ((o.faults & bit & ~F_DROP) && (rng_next(rng) & 1))
			set |= bit;
	term = set & F_TERMINAL;
	if (first & F_TERMINAL)
		set = (set & ~F_TERMINAL) | first;
	else if (popcount(term) > 1)
		set = (set & ~F_TERMINAL) | nth_bit(term, rng_below(rng, popcount(term)));
	return set;
}

static void fault_list(char *buf, size_t size, unsigned set)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NFAULTS; i++) {
		if (!(set & (1u << i)))
			continue;
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
		                        len ? "+" : "", fault_names[i]);
		if (len >= size)
			return;
	}
	if (!len)
		snprintf(buf, size, "clean");
}

static void log_append(struct conn *c, const char *s)
{
	int n;

	if (c->loglen >= sizeof c->log)
		return;
	n = snprintf(c->log + c->loglen, sizeof c->log - c->loglen, "%s%s", c->loglen ? "," : "",
	             s);
	if (n > 0)
		c->loglen += (size_t)n;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		die("fcntl: %s", strerror(errno));
}

static void end_response(struct conn *c);

static void conn_close(struct conn *c, const char *why)
{
	struct conn **pp;
	char planned[80];

	if (!o.serve_file && c->resp_started)
		end_response(c);
	if (o.serve_file) {
		fprintf(stderr, "faultproxy: serve conn %ld: closed, %ld request(s)\n", c->id,
		        c->responses);
	} else {
		if (!c->loglen)
			log_append(c, "clean");
		if (!o.per_request && c->plan && !c->done) {
			fault_list(planned, sizeof planned, c->plan);
			fprintf(stderr,
			        "faultproxy: conn %ld: clean (planned %s, no response came) "
			        "responses=%ld%s%s\n",
			        c->id, planned, c->responses, why ? " " : "", why ? why : "");
		} else {
			fprintf(stderr, "faultproxy: conn %ld: %s responses=%ld%s%s\n", c->id,
			        c->log, c->responses, why ? " " : "", why ? why : "");
		}
	}
	if (c->cfd >= 0)
		close(c->cfd);
	if (c->ufd >= 0)
		close(c->ufd);
	for (pp = &conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	free(c->out);
	free(c);
}

static void conn_reset(struct conn *c)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	if (c->cfd >= 0)
		setsockopt(c->cfd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	conn_close(c, NULL);
}

/* --- response parsing --- */

static const unsigned char *find_bytes(const unsigned char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return p + i;
	return NULL;
}

/* In the header block p[0..n): the value of header name (not NUL-terminated) or NULL. */
static const char *header_value(const unsigned char *p, size_t n, const char *name, size_t *vlen)
{
	size_t k = strlen(name);
	const unsigned char *line = p, *end = p + n, *eol;

	/* skip the status line */
	eol = find_bytes(line, (size_t)(end - line), "\n");
	if (!eol)
		return NULL;
	for (line = eol + 1; line < end; line = eol + 1) {
		const unsigned char *v;

		eol = find_bytes(line, (size_t)(end - line), "\n");
		if (!eol)
			eol = end;
		if ((size_t)(eol - line) > k && line[k] == ':' &&
		    strncasecmp((const char *)line, name, k) == 0) {
			v = line + k + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			while (*vlen && (v[*vlen - 1] == '\r' || v[*vlen - 1] == ' '))
				(*vlen)--;
			return (const char *)v;
		}
	}
	return NULL;
}

static bool value_has(const char *v, size_t vlen, const char *word)
{
	size_t k = strlen(word);

	for (size_t i = 0; i + k <= vlen; i++)
		if (strncasecmp(v + i, word, k) == 0)
			return true;
	return false;
}

/* Parse a decimal Content-Length; false when malformed. */
static bool parse_length(const char *v, size_t vlen, uint64_t *out)
{
	uint64_t n = 0;

	if (!vlen || vlen > 18)
		return false;
	for (size_t i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	*out = n;
	return true;
}

/* The terminal fault hits: nothing after [0, uok) reaches the client. */
static void trigger(struct conn *c)
{
	c->terminal = c->act & F_TERMINAL;
	c->done |= c->terminal;
	c->ulen = c->uok;
}

/* Body data bytes [uok, uok + n): garble and cut as planned. */
static void pass_data(struct conn *c, size_t n)
{
	unsigned char *p = c->ubuf + c->uok;
	bool cut = false;

	if ((c->act & F_TERMINAL) && !c->cut_in_head && c->data_seen + n > c->cut) {
		n = (size_t)(c->cut - c->data_seen);
		cut = true;
	}
	if (c->act & F_GARBLE) {
		for (int i = 0; i < c->ngarble; i++) {
			uint64_t at = c->garble_at[i];

			if (at < c->data_seen || at >= c->data_seen + n)
				continue;
			if (o.garble_invalid)
				p[at - c->data_seen] = 0xff;
			else
				p[at - c->data_seen] ^=
				    (unsigned char)(1 + rng_below(&c->rng, 255));
			c->done |= F_GARBLE;
		}
	}
	c->uok += n;
	c->data_seen += n;
	if (cut)
		trigger(c);
}

static void end_response(struct conn *c)
{
	char buf[80];

	fault_list(buf, sizeof buf, c->act & c->done);
	if (o.per_request || c->responses == 1)
		log_append(c, buf);
	c->rs = R_HEAD;
	c->resp_started = false;
	c->act = 0;
	c->data_seen = 0;
	c->remain = 0;
}

enum start { S_GO, S_HELD, S_GONE };

/* A complete header block [uok, uok + hlen) is buffered: start a response. */
static enum start start_response(struct conn *c, size_t hlen)
{
	const unsigned char *h = c->ubuf + c->uok;
	const char *v;
	size_t vlen;
	int status = 0;
	uint64_t len = 0;
	bool has_len = false, chunked = false, no_body;
	enum rstate next;

	if (hlen >= 12 && memcmp(h, "HTTP/1.", 7) == 0 && h[8] == ' ')
		status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
	if (status == 101 || status < 100 || status > 599) {
		c->rs = R_OPAQUE;
		return S_GO;
	}
	if (status < 200) { /* interim (100 Continue): passes, the real one follows */
		c->uok += hlen;
		return S_GO;
	}
	if (!c->resp_started) {
		c->resp_started = true;
		c->responses++;
		if (o.per_request)
			c->plan = plan_unit(++nunits, &c->rng);
		c->act = (o.per_request || c->responses == 1) ? c->plan : 0;
		if (c->act & F_DROP) {
			c->done |= F_DROP;
			conn_close(c, NULL);
			return S_GONE;
		}
	}
	if ((c->act & F_DELAY) && !(c->delayed & F_DELAY)) {
		c->delayed |= F_DELAY;
		c->done |= F_DELAY;
		c->holding = F_DELAY;
		c->hold_until = now_ms() + o.delay_ms;
		return S_HELD;
	}
	c->delayed = 0;

	v = header_value(h, hlen, "Transfer-Encoding", &vlen);
	if (v && value_has(v, vlen, "chunked"))
		chunked = true;
	v = header_value(h, hlen, "Content-Length", &vlen);
	if (!chunked && v)
		has_len = parse_length(v, vlen, &len);
	no_body = status == 204 || status == 304 || (has_len && len == 0);
	if (no_body)
		next = R_HEAD;
	else if (chunked)
		next = R_CHUNK_SIZE;
	else if (has_len)
		next = R_LENGTH;
	else
		next = R_EOF;

	/* Where to cut and what to garble, from this unit's random state. */
	c->cut_in_head = false;
	if (c->act & F_TERMINAL) {
		if (no_body) {
			c->cut_in_head = true;
			c->headcut = 1 + (size_t)rng_below(&c->rng, hlen - 1);
		} else if (has_len) {
			c->cut = rng_below(&c->rng, len);
		} else {
			c->cut = rng_below(&c->rng, chunked ? 256 : 1024);
		}
	}
	c->ngarble = 0;
	if ((c->act & F_GARBLE) && !no_body) {
		uint64_t span = has_len ? len : 64;

		c->ngarble = 1 + (int)rng_below(&c->rng, MAX_GARBLE);
		for (int i = 0; i < c->ngarble; i++)
			c->garble_at[i] = rng_below(&c->rng, span);
	}
	if (c->cut_in_head) {
		c->uok += c->headcut;
		trigger(c);
		return S_GO;
	}
	c->uok += hlen;
	c->data_seen = 0;
	c->remain = len;
	c->rs = next;
	if (no_body)
		end_response(c);
	return S_GO;
}

/* Can a line or header block not yet complete still become so?  If not, stop parsing. */
static void need_more(struct conn *c)
{
	if (c->uok == 0 && c->ulen == BUFSZ)
		c->rs = R_OPAQUE;
	else if (c->upstream_eof)
		c->rs = R_OPAQUE;
}

/* Advance uok over what may be sent, applying the faults.  False: c is gone. */
static bool process(struct conn *c)
{
	while (c->uok < c->ulen && !c->holding && !c->terminal) {
		unsigned char *p = c->ubuf + c->uok;
		size_t avail = c->ulen - c->uok, n;
		const unsigned char *e;
		uint64_t size;

		switch (c->rs) {
		case R_HEAD:
			e = find_bytes(p, avail, "\r\n\r\n");
			if (!e) {
				need_more(c);
				if (c->rs == R_HEAD)
					return true;
				break;
			}
			if (start_response(c, (size_t)(e + 4 - p)) == S_GONE)
				return false;
			break;
		case R_LENGTH:
		case R_CHUNK_DATA:
			n = avail < c->remain ? avail : (size_t)c->remain;
			pass_data(c, n);
			if (c->terminal)
				break;
			c->remain -= n;
			if (!c->remain) {
				if (c->rs == R_LENGTH) {
					end_response(c);
				} else {
					c->rs = R_CHUNK_CRLF;
					c->remain = 2;
				}
			}
			break;
		case R_CHUNK_CRLF:
			n = avail < c->remain ? avail : (size_t)c->remain;
			c->uok += n;
			c->remain -= n;
			if (!c->remain)
				c->rs = R_CHUNK_SIZE;
			break;
		case R_CHUNK_SIZE:
			e = find_bytes(p, avail, "\n");
			if (!e) {
				need_more(c);
				if (c->rs == R_CHUNK_SIZE)
					return true;
				break;
			}
			size = 0;
			for (n = 0; n < (size_t)(e - p); n++) {
				int d = p[n] >= '0' && p[n] <= '9'   ? p[n] - '0'
				        : p[n] >= 'a' && p[n] <= 'f' ? p[n] - 'a' + 10
				        : p[n] >= 'A' && p[n] <= 'F' ? p[n] - 'A' + 10
				                                     : -1;
				if (d < 0 || size > (UINT64_MAX >> 8))
					break;
				size = size * 16 + (uint64_t)d;
			}
			if ((c->act & F_TERMINAL) && (size == 0 || c->data_seen >= c->cut)) {
				trigger(c); /* before the last chunk at the latest */
				break;
			}
			c->uok += (size_t)(e + 1 - p);
			c->remain = size;
			c->rs = size ? R_CHUNK_DATA : R_TRAILER;
			break;
		case R_TRAILER:
			e = find_bytes(p, avail, "\n");
			if (!e) {
				need_more(c);
				if (c->rs == R_TRAILER)
					return true;
				break;
			}
			n = (size_t)(e + 1 - p);
			c->uok += n;
			if (n <= 2)
				end_response(c);
			break;
		case R_EOF:
			pass_data(c, avail);
			break;
		case R_OPAQUE:
			c->uok = c->ulen;
			break;
		}
	}
	return true;
}

/* --- the proxy's connections --- */

static void start_upstream(struct conn *c)
{
	int fd = -1;

	for (struct addrinfo *ai = upstream_ai; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		set_nonblock(fd);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS)
			break;
		close(fd);
		fd = -1;
	}
	c->ufd = fd;
	c->connecting = fd >= 0;
}

static void accept_all(int lfd)
{
	for (;;) {
		int fd = accept(lfd, NULL, NULL), one = 1;
		struct conn *c;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				fprintf(stderr, "faultproxy: accept: %s\n", strerror(errno));
			return;
		}
		set_nonblock(fd);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c = calloc(1, sizeof *c);
		if (!c)
			die("out of memory");
		c->id = ++nconns;
		c->cfd = fd;
		c->ufd = -1;
		c->next = conns;
		conns = c;
		if (o.serve_file)
			continue;
		if (!o.per_request)
			c->plan = plan_unit(c->id, &c->rng);
		start_upstream(c);
		if (c->ufd < 0)
			conn_close(c, "(upstream unreachable)");
	}
}

/* The terminal fault, once what came before the cut has been sent.  False: c is gone. */
static bool act_terminal(struct conn *c)
{
	if (!c->terminal || c->usent < c->uok || c->holding)
		return true;
	switch (c->terminal) {
	case F_RESET:
		conn_reset(c);
		return false;
	case F_STALL:
		c->holding = F_STALL;
		c->hold_until = now_ms() + o.stall_ms;
		return true;
	default:
		conn_close(c, NULL);
		return false;
	}
}

/* Handle poll events of a proxied connection.  False: c is gone. */
static bool proxy_io(struct conn *c, short cev, short uev)
{
	ssize_t n;

	if (c->connecting && (uev & (POLLOUT | POLLERR | POLLHUP))) {
		int err = 0;
		socklen_t len = sizeof err;

		getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			char why[128];

			snprintf(why, sizeof why, "(upstream: %s)", strerror(err));
			conn_close(c, why);
			return false;
		}
		c->connecting = false;
		uev = 0;
	}
	/* client -> upstream */
	if ((cev & (POLLIN | POLLHUP | POLLERR)) && !c->client_eof && c->clen < BUFSZ) {
		n = recv(c->cfd, c->cbuf + c->clen, BUFSZ - c->clen, 0);
		if (n > 0) {
			if (c->holding != F_STALL) /* stalled: what the client sends is lost */
				c->clen += (size_t)n;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			c->client_eof = true;
			if (c->holding == F_STALL || n < 0) {
				conn_close(c, "(client gone)");
				return false;
			}
		}
	}
	if (!c->connecting && c->clen && c->holding != F_STALL) {
		n = send(c->ufd, c->cbuf, c->clen, MSG_NOSIGNAL);
		if (n > 0) {
			memmove(c->cbuf, c->cbuf + n, c->clen - (size_t)n);
			c->clen -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			conn_close(c, "(upstream write failed)");
			return false;
		}
	}
	if (!c->connecting && c->client_eof && !c->clen && !c->upstream_shut) {
		shutdown(c->ufd, SHUT_WR);
		c->upstream_shut = true;
	}
	/* upstream -> client */
	if (!c->connecting && (uev & (POLLIN | POLLHUP | POLLERR)) && !c->upstream_eof &&
	    !c->terminal && c->ulen < BUFSZ) {
		n = recv(c->ufd, c->ubuf + c->ulen, BUFSZ - c->ulen, 0);
		if (n > 0)
			c->ulen += (size_t)n;
		else if (n == 0 || (errno != EAGAIN && errno != EINTR))
			c->upstream_eof = true;
	}
	if (!process(c))
		return false;
	if (c->usent < c->uok) {
		n = send(c->cfd, c->ubuf + c->usent, c->uok - c->usent, MSG_NOSIGNAL);
		if (n > 0) {
			c->usent += (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			conn_close(c, "(client write failed)");
			return false;
		}
	}
	if (c->usent == c->uok && c->uok) {
		memmove(c->ubuf, c->ubuf + c->uok, c->ulen - c->uok);
		c->ulen -= c->uok;
		c->usent = c->uok = 0;
	}
	if (!act_terminal(c))
		return false;
	if (c->upstream_eof && !c->terminal && !c->holding) {
		if (c->rs == R_EOF)
			end_response(c);
		if (c->usent == c->ulen) {
			conn_close(c, c->rs == R_HEAD && !c->resp_started ? NULL
			                                                  : "(upstream closed)");
			return false;
		}
	}
	return true;
}

/* A hold (delay or stall) has run out.  False: c is gone. */
static bool hold_over(struct conn *c)
{
	unsigned what = c->holding;

	c->holding = 0;
	c->hold_until = 0;
	if (what == F_STALL) {
		conn_close(c, NULL);
		return false;
	}
	return proxy_io(c, 0, 0);
}

/* --- --serve-file --- */

static void out_add(struct conn *c, const void *p, size_t n)
{
	if (c->outlen + n > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 4096;

		while (cap < c->outlen + n)
			cap *= 2;
		c->out = realloc(c->out, cap);
		if (!c->out)
			die("out of memory");
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
}

static void serve_response(struct conn *c)
{
	char line[160];
	int n;

	if (o.chunked) {
		n = snprintf(line, sizeof line,
		             "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
		             "Transfer-Encoding: chunked\r\n\r\n");
		out_add(c, line, (size_t)n);
		for (size_t off = 0; off < file_len; off += CHUNK_BYTES) {
			size_t k = file_len - off < CHUNK_BYTES ? file_len - off : CHUNK_BYTES;

			n = snprintf(line, sizeof line, "%zx\r\n", k);
			out_add(c, line, (size_t)n);
			out_add(c, file_data + off, k);
			out_add(c, "\r\n", 2);
		}
		out_add(c, "0\r\n\r\n", 5);
	} else {
		n = snprintf(line, sizeof line,
		             "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
		             "Content-Length: %zu\r\n\r\n",
		             file_len);
		out_add(c, line, (size_t)n);
		out_add(c, file_data, file_len);
	}
}

/* Handle poll events of a served connection.  False: c is gone. */
static bool serve_io(struct conn *c, short ev)
{
	ssize_t n;

	if ((ev & (POLLIN | POLLHUP | POLLERR)) && !c->client_eof && c->clen < BUFSZ) {
		n = recv(c->cfd, c->cbuf + c->clen, BUFSZ - c->clen, 0);
		if (n > 0)
			c->clen += (size_t)n;
		else if (n == 0 || (errno != EAGAIN && errno != EINTR))
			c->client_eof = true;
	}
	while (!c->close_after) {
		const unsigned char *e = find_bytes(c->cbuf, c->clen, "\r\n\r\n");
		const char *v;
		size_t hlen, vlen;
		uint64_t blen = 0;

		if (!e) {
			if (c->clen == BUFSZ) {
				conn_close(c, "(request header too large)");
				return false;
			}
			break;
		}
		hlen = (size_t)(e + 4 - c->cbuf);
		v = header_value(c->cbuf, hlen, "Content-Length", &vlen);
		if (v && !parse_length(v, vlen, &blen)) {
			conn_close(c, "(bad Content-Length)");
			return false;
		}
		if (blen > BUFSZ - hlen) {
			conn_close(c, "(request body too large)");
			return false;
		}
		if (c->clen < hlen + blen)
			break;
		v = header_value(c->cbuf, hlen, "Connection", &vlen);
		if (v && value_has(v, vlen, "close"))
			c->close_after = true;
		c->responses++;
		{
			const unsigned char *sp = memchr(c->cbuf, '\n', hlen);
			int l = sp ? (int)(sp - c->cbuf) : 0;

			if (l && c->cbuf[l - 1] == '\r')
				l--;
			fprintf(stderr, "faultproxy: serve conn %ld: request %ld: %.*s\n", c->id,
			        c->responses, l > 100 ? 100 : l, (const char *)c->cbuf);
		}
		serve_response(c);
		memmove(c->cbuf, c->cbuf + hlen + blen, c->clen - hlen - (size_t)blen);
		c->clen -= hlen + (size_t)blen;
	}
	if (c->outsent < c->outlen) {
		n = send(c->cfd, c->out + c->outsent, c->outlen - c->outsent, MSG_NOSIGNAL);
		if (n > 0) {
			c->outsent += (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			conn_close(c, "(write failed)");
			return false;
		}
		if (c->outsent == c->outlen)
			c->outsent = c->outlen = 0;
	}
	if (c->outsent == c->outlen && (c->client_eof || c->close_after)) {
		conn_close(c, NULL);
		return false;
	}
	return true;
}

/* --- main --- */

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (write(sigpipe_fds[1], &b, 1) < 0) {
		/* nothing to do: a byte is already waiting */
	}
	errno = saved;
}

static long parse_long(const char *opt, const char *v, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 0 || n > max)
		die("%s wants a whole number from 0 to %ld, not '%s'", opt, max, v);
	return n;
}

static unsigned parse_faults(const char *v)
{
	unsigned set = 0;
	const char *p = v;

	while (*p) {
		size_t k = strcspn(p, ",");
		size_t i;

		for (i = 0; i < NFAULTS; i++)
			if (strlen(fault_names[i]) == k && strncmp(p, fault_names[i], k) == 0)
				break;
		if (i == NFAULTS)
			die("unknown fault '%.*s' in --faults (drop, reset, delay, truncate, "
			    "garble, stall)",
			    (int)k, p);
		set |= 1u << i;
		p += k;
		if (*p == ',')
			p++;
	}
	if (!set)
		die("--faults wants at least one fault");
	return set;
}

static void parse_args(int argc, char **argv)
{
	bool has_rate = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--per-request") == 0) {
			o.per_request = true;
			continue;
		} else if (strcmp(a, "--garble-invalid") == 0) {
			o.garble_invalid = true;
			continue;
		} else if (strcmp(a, "--chunked") == 0) {
			o.chunked = true;
			continue;
		}
		if (strncmp(a, "--", 2) != 0 || !v) {
			usage(stderr);
			die("%s: %s", a, strncmp(a, "--", 2) ? "unexpected argument" : "no value");
		}
		i++;
		if (strcmp(a, "--port") == 0) {
			o.port = (unsigned)parse_long(a, v, 65535);
		} else if (strcmp(a, "--upstream") == 0) {
			const char *colon = strrchr(v, ':');
			char *host;

			if (!colon || colon == v || !colon[1])
				die("--upstream wants HOST:PORT, not '%s'", v);
			host = strndup(v, (size_t)(colon - v));
			if (!host)
				die("out of memory");
			o.host = host;
			o.service = colon + 1;
		} else if (strcmp(a, "--seed") == 0) {
			char *end;

			errno = 0;
			o.seed = strtoull(v, &end, 10);
			if (errno || end == v || *end || *v == '-')
				die("--seed wants a whole number, not '%s'", v);
		} else if (strcmp(a, "--rate") == 0) {
			char *end;

			errno = 0;
			o.rate = strtod(v, &end);
			if (errno || end == v || *end || !(o.rate >= 0 && o.rate <= 1))
				die("--rate wants a probability from 0 to 1, not '%s'", v);
			has_rate = true;
		} else if (strcmp(a, "--every") == 0) {
			o.every = parse_long(a, v, 1000000000);
			if (!o.every)
				die("--every wants at least 1");
		} else if (strcmp(a, "--faults") == 0) {
			o.faults = parse_faults(v);
		} else if (strcmp(a, "--faults-after") == 0) {
			o.faults_after = parse_long(a, v, 1000000000);
		} else if (strcmp(a, "--delay-ms") == 0) {
			o.delay_ms = parse_long(a, v, 3600000);
		} else if (strcmp(a, "--stall-ms") == 0) {
			o.stall_ms = parse_long(a, v, 3600000);
		} else if (strcmp(a, "--serve-file") == 0) {
			o.serve_file = v;
		} else {
			usage(stderr);
			die("unknown option %s", a);
		}
	}
	if (has_rate && o.every)
		die("give --rate or --every, not both");
	if (!o.serve_file == !o.host)
		die("give --upstream HOST:PORT (proxy) or --serve-file FILE (server)");
}

static void load_file(void)
{
	FILE *f = fopen(o.serve_file, "rb");
	struct stat st;

	if (!f)
		die("%s: %s", o.serve_file, strerror(errno));
	if (fstat(fileno(f), &st) < 0)
		die("%s: %s", o.serve_file, strerror(errno));
	file_len = (size_t)st.st_size;
	file_data = malloc(file_len ? file_len : 1);
	if (!file_data)
		die("out of memory");
	if (fread(file_data, 1, file_len, f) != file_len)
		die("%s: short read", o.serve_file);
	fclose(f);
}

static int listen_socket(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)o.port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("bind 127.0.0.1:%u: %s", o.port, strerror(errno));
	if (listen(fd, 128) < 0)
		die("listen: %s", strerror(errno));
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		die("getsockname: %s", strerror(errno));
	set_nonblock(fd);
	printf("%u\n", ntohs(sa.sin_port));
	fflush(stdout);
	return fd;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct pollfd *pfd = NULL;
	size_t pcap = 0;
	int lfd;

	parse_args(argc, argv);
	if (o.serve_file) {
		load_file();
	} else {
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
		int err = getaddrinfo(o.host, o.service, &hints, &upstream_ai);

		if (err)
			die("upstream %s:%s: %s", o.host, o.service, gai_strerror(err));
	}
	if (pipe(sigpipe_fds) < 0)
		die("pipe: %s", strerror(errno));
	set_nonblock(sigpipe_fds[0]);
	set_nonblock(sigpipe_fds[1]);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_socket();

	for (;;) {
		size_t n = 2, i;
		int64_t now = now_ms(), next = -1;
		int timeout, r;
		struct conn *c, *c_next;

		for (c = conns; c; c = c->next)
			n += 2;
		if (n > pcap) {
			pcap = n * 2;
			pfd = realloc(pfd, pcap * sizeof *pfd);
			if (!pfd)
				die("out of memory");
		}
		pfd[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = sigpipe_fds[0], .events = POLLIN};
		i = 2;
		for (c = conns; c; c = c->next, i += 2) {
			short ce = 0, ue = 0;

			if (o.serve_file) {
				if (!c->client_eof && c->clen < BUFSZ)
					ce |= POLLIN;
				if (c->outsent < c->outlen)
					ce |= POLLOUT;
			} else {
				if (!c->client_eof && (c->clen < BUFSZ || c->holding == F_STALL))
					ce |= POLLIN;
				if (c->usent < c->uok)
					ce |= POLLOUT;
				if (c->connecting)
					ue |= POLLOUT;
				else if (c->holding != F_STALL) {
					if (!c->upstream_eof && !c->terminal && c->ulen < BUFSZ)
						ue |= POLLIN;
					if (c->clen)
						ue |= POLLOUT;
				}
			}
			pfd[i] = (struct pollfd){.fd = c->cfd, .events = ce};
			pfd[i + 1] = (struct pollfd){.fd = c->ufd, .events = ue};
			if (c->hold_until && (next < 0 || c->hold_until < next))
				next = c->hold_until;
		}
		timeout = next < 0 ? -1 : next <= now ? 0 : (int)(next - now);
		r = poll(pfd, n, timeout);
		if (r < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (r > 0 && (pfd[1].revents & POLLIN))
			break;
		now = now_ms();
		/* The list may lose members while walking it; pfd follows the old order. */
		i = 2;
		for (c = conns; c; c = c_next, i += 2) {
			short ce = r > 0 ? pfd[i].revents : 0, ue = r > 0 ? pfd[i + 1].revents : 0;

			c_next = c->next;
			if (o.serve_file) {
				if (ce)
					serve_io(c, ce);
				continue;
			}
			if (c->hold_until && c->hold_until <= now) {
				if (!hold_over(c))
					continue;
			}
			if (ce || ue)
				proxy_io(c, ce, ue);
		}
		if (r > 0 && (pfd[0].revents & POLLIN))
			accept_all(lfd);
	}
	while (conns)
		conn_close(conns, "(proxy exiting)");
	close(lfd);
	free(pfd);
	free(file_data);
	if (upstream_ai)
		freeaddrinfo(upstream_ai);
	free(o.host);
	return 0;
}
