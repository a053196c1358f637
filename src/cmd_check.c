/* cmd_check.c: the `handesk check` subcommand (check insz NUMBER... | -). */
#include "autoconf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cmd_check.h"
#include "src/i18n.h"
#include "src/insz.h"

/*
 * Output is for scripts: one line per number, untranslated, in the order
 * given; written through a buffer of our own and read with read(2) in large
 * blocks, so that a million numbers take a fraction of a second.
 */

#define IN_SIZE  (1 << 20)
#define OUT_SIZE (1 << 16)

struct out {
	char buf[OUT_SIZE];
	size_t len;
	bool failed;
};

static void out_flush(struct out *o)
{
	if (o->len && !o->failed && fwrite(o->buf, 1, o->len, stdout) != o->len)
		o->failed = true;
	o->len = 0;
}

static void out_put(struct out *o, const char *s, size_t n)
{
	if (o->len + n > sizeof o->buf)
		out_flush(o);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_num(char *p, int v, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Check one number and write its line; true if valid. */
static bool check_one(struct out *o, const char *text)
{
	struct insz n;
	enum insz_error e = insz_parse(text, &n);
	char line[64];
	size_t len = 0;
	const char *s;

	if (e) {
		s = insz_reason(e);
		memcpy(line, "invalid ", 8);
		len = 8 + strlen(s);
		memcpy(line + 8, s, len - 8);
		line[len++] = '\n';
		out_put(o, line, len);
		return false;
	}
	memcpy(line, "valid ", 6);
	insz_format(&n, line + 6);
	len = 6 + 15;
	line[len++] = ' ';
	if (n.year && n.month && n.day) {
		put_num(line + len, n.year, 4);
		line[len + 4] = '-';
		put_num(line + len + 5, n.month, 2);
		line[len + 7] = '-';
		put_num(line + len + 8, n.day, 2);
		len += 10;
	} else {
		memcpy(line + len, "unknown", 7);
		len += 7;
	}
	line[len++] = ' ';
	if (n.sex) {
		line[len++] = n.sex;
	} else {
		memcpy(line + len, "unknown", 7);
		len += 7;
	}
	s = n.bis ? " bis\n" : " nn\n";
	memcpy(line + len, s, strlen(s));
	len += strlen(s);
	out_put(o, line, len);
	return true;
}

/* A line too long for the input buffer, read on in pieces: only its digits
 * (up to 12) and whether it has other characters matter to the verdict. */
struct long_line {
	bool active, bad, cr; /* cr: the last piece ended with a carriage return */
	char digits[13];
	int n;
};

static void long_line_feed(struct long_line *l, const char *p, size_t n, bool line_end)
{
	/* A carriage return is allowed only just before the newline, which may
	 * come at the start of the next piece. */
	if (l->cr && n > 0)
		l->bad = true;
	l->cr = false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c >= '0' && c <= '9') {
			if (l->n < 12)
				l->digits[l->n++] = c;
		} else if (c == '\r' && i + 1 == n) {
			if (!line_end)
				l->cr = true;
		} else if (c != ' ' && c != '.' && c != '-' && c != '/' && c != '\t') {
			l->bad = true;
		}
	}
}

static bool long_line_end(struct out *o, struct long_line *l)
{
	bool ok;

	l->digits[l->n] = '\0';
	ok = check_one(o, l->bad ? "x" : l->digits);
	memset(l, 0, sizeof *l);
	return ok;
}

/* Check one number per line of standard input.  Returns false if any was
 * invalid; *io_error set when reading fails. */
static bool check_stdin(struct out *o, bool *io_error)
{
	char *buf = malloc(IN_SIZE + 1);
	size_t have = 0, start, i;
	struct long_line ll = {0};
	bool all_ok = true, eof = false;
	ssize_t r;

	if (!buf) {
		*io_error = true;
		return false;
	}
	while (!eof) {
		r = read(STDIN_FILENO, buf + have, IN_SIZE - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*io_error = true;
			break;
		}
		if (r == 0) {
			eof = true;
			if (have == 0 && !ll.active)
				break;
			buf[have++] = '\n'; /* a last line without newline */
		} else {
			have += (size_t)r;
		}
		start = 0;
		for (i = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
			if (ll.active) {
				long_line_feed(&ll, buf + start, i - start, true);
				all_ok &= long_line_end(o, &ll);
			} else {
				size_t end = i;
				if (end > start && buf[end - 1] == '\r')
					end--;
				/* A NUL byte is a character like any other, not the
				 * end of the number. */
				bool nul = memchr(buf + start, '\0', end - start) != NULL;
				buf[end] = '\0';
				all_ok &= check_one(o, nul ? "x" : buf + start);
			}
			start = i + 1;
		}
		if (start == 0 && have == IN_SIZE) {
			/* no newline in a full buffer: go on in pieces */
			ll.active = true;
			long_line_feed(&ll, buf, have, false);
			have = 0;
			continue;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	free(buf);
	return all_ok;
}

static void usage_check(FILE *f)
{
	fprintf(f, "%s",
	        _("Usage: handesk check insz NUMBER...\n"
	          "       handesk check insz -\n"
	          "Check data without a screen.\n"
	          "\n"
	          "Checks:\n"
	          "  insz    national register numbers (INSZ/NISS) and bis numbers\n"
	          "\n"
	          "See handesk check insz --help.\n"));
}

static void usage_insz(FILE *f)
{
	fprintf(f, "%s",
	        _("Usage: handesk check insz NUMBER...\n"
	          "       handesk check insz -\n"
	          "Check national register numbers (INSZ/NISS) and bis numbers, written with\n"
	          "or without separators (spaces, dots, dashes, slashes).  With -, read them\n"
	          "from standard input, one per line.\n"
	          "\n"
	          "For each number one line is printed, in English, in order:\n"
	          "  valid YY.MM.DD-SSS.CC BIRTH SEX TYPE\n"
	          "  invalid REASON\n"
	          "BIRTH is the birth date as YYYY-MM-DD, or 'unknown' when the number does\n"
	          "not give it whole (month 00, day 00, or 00.00.01); SEX is m (odd serial),\n"
	          "f (even serial) or 'unknown' (bis number with month + 20); TYPE is nn, or\n"
	          "bis for a bis number (month + 20 or + 40).\n"
	          "REASON is one of: empty, characters, length, month, day, serial, checksum.\n"
	          "\n"
	          "Options:\n"
	          "  -h, --help   show this help and exit\n"
	          "\n"
	          "Exit status: 0 if every number was valid, 1 if any was not, 2 on a usage\n"
	          "error.\n"));
}

static int check_insz(int argc, char **argv)
{
	struct out *o;
	bool all_ok = true, io_error = false, opts = true;
	int count = 0, status;

	for (int i = 1; i < argc; i++) {
		if (opts && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
			usage_insz(stdout);
			return 0;
		}
		if (opts && strcmp(argv[i], "--") == 0) {
			opts = false;
			continue;
		}
		if (opts && argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, _("handesk check insz: unknown option '%s'\n"), argv[i]);
			usage_insz(stderr);
			return 2;
		}
		count++;
	}
	if (count == 0) {
		fprintf(stderr, "%s", _("handesk check insz: no number given\n"));
		usage_insz(stderr);
		return 2;
	}
	o = malloc(sizeof *o);
	if (!o) {
		fprintf(stderr, "%s", _("handesk: out of memory\n"));
		return 1;
	}
	o->len = 0;
	o->failed = false;
	opts = true;
	for (int i = 1; i < argc; i++) {
		if (opts && strcmp(argv[i], "--") == 0) {
			opts = false;
			continue;
		}
		if (strcmp(argv[i], "-") == 0)
			all_ok &= check_stdin(o, &io_error);
		else
			all_ok &= check_one(o, argv[i]);
	}
	out_flush(o);
	status = all_ok ? 0 : 1;
	if (io_error) {
		fprintf(stderr, _("handesk check insz: cannot read standard input: %s\n"),
		        strerror(errno));
		status = 1;
	}
	if (o->failed || fflush(stdout) != 0) {
		fprintf(stderr, _("handesk check insz: cannot write the results: %s\n"),
		        strerror(errno));
		status = 1;
	}
	free(o);
	return status;
}

int cmd_check_main(int argc, char **argv, struct config *cfg)
{
	(void)cfg;
	if (argc < 2) {
		usage_check(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage_check(stdout);
		return 0;
	}
	if (strcmp(argv[1], "insz") == 0)
		return check_insz(argc - 1, argv + 1);
	fprintf(stderr, _("handesk check: unknown check '%s'\n"), argv[1]);
	usage_check(stderr);
	return 2;
}
