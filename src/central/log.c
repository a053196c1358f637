/* log.c: handeskd's log lines to syslog, through a stdio stream
 * (fopencookie) that turns each line into one message. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <syslog.h>

#include "src/central/log.h"

#define LINE_MAX_LEN 2048

struct sink {
	char line[LINE_MAX_LEN];
	size_t len;
};

/* "2026-11-23T09:15:02Z handeskd: rest" -> "rest"; other lines as they are. */
static const char *strip_stamp(const char *s)
{
	const char *sp = strchr(s, ' ');

	if (sp && sp - s == 20 && s[4] == '-' && s[19] == 'Z' && !strncmp(sp + 1, "handeskd: ", 10))
		return sp + 11;
	return s;
}

static void emit(struct sink *k)
{
	const char *msg;
	int prio = LOG_INFO;

	k->line[k->len] = '\0';
	msg = strip_stamp(k->line);
	if (strstr(msg, "database:") || !strncmp(msg, "microhttpd:", 11))
		prio = LOG_WARNING;
	if (*msg)
		syslog(prio, "%s", msg);
	k->len = 0;
}

static ssize_t sink_write(void *cookie, const char *buf, size_t size)
{
	struct sink *k = cookie;

	for (size_t i = 0; i < size; i++) {
		if (buf[i] == '\n') {
			emit(k);
			continue;
		}
		/* A line longer than the buffer goes out in pieces. */
		if (k->len == sizeof k->line - 1)
			emit(k);
		k->line[k->len++] = buf[i];
	}
	return (ssize_t)size;
}

static int sink_close(void *cookie)
{
	struct sink *k = cookie;

	if (k->len)
		emit(k);
	free(k);
	closelog();
	return 0;
}

FILE *central_log_syslog(void)
{
	static const cookie_io_functions_t io = {
	    .read = NULL, .write = sink_write, .seek = NULL, .close = sink_close};
	struct sink *k = calloc(1, sizeof *k);
	FILE *f;

	if (!k)
		return NULL;
	openlog("handeskd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	f = fopencookie(k, "w", io);
	if (!f) {
		free(k);
		closelog();
		return NULL;
	}
	/* http.c flushes after each line; a line is written whole or cut. */
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}
