/* bench_rss.c: run a command and report its wall time and peak resident
 * set size (getrusage of the child), for bench/bench_sync.sh where GNU
 * time(1) may be missing.
 *
 *   bench_rss OUTFILE COMMAND [ARG]...
 *
 * Writes "SECONDS MAXRSS_KIB" to OUTFILE and exits with the command's
 * status (127 if it could not be run, 128+N if killed by signal N). */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	double t0, t1;
	FILE *out;
	pid_t pid;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_rss OUTFILE COMMAND [ARG]...\n");
		return 2;
	}
	t0 = now();
	pid = fork();
	if (pid < 0) {
		perror("bench_rss: fork");
		return 127;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("bench_rss: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("bench_rss: wait4");
		return 127;
	}
	t1 = now();
	out = fopen(argv[1], "w");
	if (!out || fprintf(out, "%.3f %ld\n", t1 - t0, ru.ru_maxrss) < 0 || fclose(out) != 0) {
		perror("bench_rss: OUTFILE");
		return 127;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
