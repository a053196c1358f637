/* fuzz_config.c: libFuzzer target for config_load, the reader of
 * handesk.conf: the input is written to a temporary file and loaded.
 * Checks: never crashes or leaks; it either succeeds (with a cache path
 * and a theme) or fails with a cause in words, and never leaves a cause
 * behind on success. */
#include "autoconf.h"

#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[4096];
static char file[4096 + 32];

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "%s/handesk-fuzz-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(file, sizeof file, "%s/handesk.conf", dir);
	/* The default cache path must not depend on the host. */
	setenv("XDG_DATA_HOME", dir, 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char *cause = NULL;
	enum rc rc;
	FILE *f;

	f = fopen(file, "we");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();

	rc = config_load(file, &cfg, &cause);
	if (rc == RC_OK) {
		if (cause || !cfg.db_path || !cfg.theme || !cfg.path)
			__builtin_trap();
		config_free(&cfg);
	} else {
		if (!cause || !*cause)
			__builtin_trap();
		free(cause);
	}
	return 0;
}
