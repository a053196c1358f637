/* uuid.c: random (version 4) UUIDs for ids born on a workstation. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "src/uuid.h"

/* Fill buf from /dev/urandom; false if it cannot be read. */
static bool urandom_fill(unsigned char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return got == n;
}

/* Last resort when the kernel gives no randomness (a seccomp sandbox with
 * no /dev): splitmix64 over the clock, the pid and a counter.  Unique in
 * practice on one machine, which is what an id needs; never reached on a
 * normal system. */
static void weak_fill(unsigned char *buf, size_t n)
{
	static uint64_t counter;
	struct timespec ts;
	uint64_t x;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 48) ^
	    (++counter * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)(uintptr_t)buf;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		memcpy(buf + i, &z, n - i < 8 ? n - i : 8);
	}
}

static void random_fill(unsigned char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = getrandom(buf + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got == n)
		return;
	if (urandom_fill(buf, n))
		return;
	weak_fill(buf, n);
}

void uuid_new(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	int j = 0;

	random_fill(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10 */
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[b[i] >> 4];
		out[j++] = hex[b[i] & 0x0f];
	}
	out[36] = '\0';
}
