/* fuzz_search.c: libFuzzer target for db_search_persons, the query parser
 * and index lookup behind search as you type.  A small cache (demo persons
 * and a few with accented, hyphenated and apostrophe names) is made once
 * in a temporary directory; each input, as a NUL-terminated string, is a
 * query.  Checks: never crashes; a query either fails or gives
 * 0 <= n <= max hits, each with NUL-terminated fields and a person id,
 * and writes nothing past hits[max - 1]. */
#include "autoconf.h"

#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/cache.h"
#include "db/person.h"
#include "db/search.h"
#include "src/demo.h"
#include "src/person.h"
#include "src/uuid.h"

#define MAX_HITS 8

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[4096];
static struct cache *cache;

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	db_cache_close(cache);
	cache = NULL;
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fail(const char *what, char *cause)
{
	fprintf(stderr, "fuzz_search: %s: %s\n", what, cause ? cause : "");
	abort();
}

static void add(const char *family, const char *given, const char *birth, const char *insz)
{
	struct person p;
	char *cause = NULL;

	memset(&p, 0, sizeof p);
	uuid_new(p.meta.id);
	snprintf(p.meta.centre_id, sizeof p.meta.centre_id, "c0000000-0000-4000-8000-000000000001");
	snprintf(p.insz, sizeof p.insz, "%s", insz);
	snprintf(p.family_name, sizeof p.family_name, "%s", family);
	snprintf(p.given_name, sizeof p.given_name, "%s", given);
	snprintf(p.birth_date, sizeof p.birth_date, "%s", birth);
	strcpy(p.sex, "m");
	strcpy(p.language, "fr");
	strcpy(p.nationality, "BE");
	p.residence = RESIDENCE_POPULATION;
	strcpy(p.street, "Rue de la Loi 16");
	strcpy(p.postcode, "1000");
	strcpy(p.municipality, "Bruxelles");
	if (db_cache_begin(cache, &cause) != RC_OK)
		fail("begin", cause);
	if (db_person_insert(cache, &p, "s-1", &cause) != RC_OK)
		fail("insert", cause);
	if (db_cache_commit(cache, &cause) != RC_OK)
		fail("commit", cause);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	struct demo_options o = {.persons = 300, .seed = 7, .today = "2026-11-23"};
	char path[4096 + 32], *cause = NULL;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "%s/handesk-fuzz-search-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(path, sizeof path, "%s/cache.db", dir);
	if (db_cache_open(path, &cache, &cause) != RC_OK)
		fail("open", cause);
	if (demo_generate(cache, &o, &cause) != RC_OK)
		fail("demo", cause);
	add("Duprée", "Jean", "1985-07-30", "85073003328");
	add("Dupré", "Jeanne", "1970-03-12", "");
	add("D'Hondt", "Anne-Sophie", "2017-07-30", "17073003384");
	add("Müller", "Jürgen", "1998-07-28", "98472899765");
	add("Van den Berg", "Jan", "", "00000100166");
	return 0;
}

static void terminated(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct search_hit hits[MAX_HITS + 1];
	char *query;
	int n = -1, i;
	enum rc rc;

	query = malloc(size + 1);
	if (!query)
		return 0;
	memcpy(query, data, size);
	query[size] = '\0';
	memset(hits, 0x5a, sizeof hits);

	rc = db_search_persons(cache, query, hits, MAX_HITS, &n);
	if (rc == RC_OK) {
		if (n < 0 || n > MAX_HITS)
			__builtin_trap();
		for (i = 0; i < n; i++) {
			terminated(hits[i].person_id, sizeof hits[i].person_id);
			terminated(hits[i].insz, sizeof hits[i].insz);
			terminated(hits[i].family_name, sizeof hits[i].family_name);
			terminated(hits[i].given_name, sizeof hits[i].given_name);
			terminated(hits[i].birth_date, sizeof hits[i].birth_date);
			terminated(hits[i].postcode, sizeof hits[i].postcode);
			terminated(hits[i].municipality, sizeof hits[i].municipality);
			if (strlen(hits[i].person_id) != 36)
				__builtin_trap();
		}
	}
	/* The slot after the last one allowed stays untouched. */
	for (i = 0; i < (int)sizeof hits[MAX_HITS]; i++)
		if (((const unsigned char *)&hits[MAX_HITS])[i] != 0x5a)
			__builtin_trap();
	free(query);
	return 0;
}
