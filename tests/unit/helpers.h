/* helpers.h: helpers shared by the unit tests: temporary directories and
 * files, a valid INSZ, a filled-in person, a fresh cache. */
#ifndef HANDESK_TEST_HELPERS_H
#define HANDESK_TEST_HELPERS_H

#include "autoconf.h" /* first: _GNU_SOURCE */

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/cache.h"
#include "src/person.h"
#include "src/uuid.h"

#define HELPER_UNUSED __attribute__((unused))

/* A new empty directory under $TMPDIR (or /tmp); malloc'd path. */
HELPER_UNUSED static char *helper_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path;

	cr_assert(asprintf(&path, "%s/handesk-test-XXXXXX", base && *base ? base : "/tmp") > 0);
	cr_assert_not_null(mkdtemp(path), "mkdtemp %s", path);
	return path;
}

/* dir/name, malloc'd. */
HELPER_UNUSED static char *helper_path(const char *dir, const char *name)
{
	char *path;

	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	return path;
}

static int helper_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove dir and everything in it, and free the path. */
HELPER_UNUSED static void helper_rmdir(char *dir)
{
	if (!dir)
		return;
	nftw(dir, helper_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* A valid INSZ (11 digits) for a birth date and a serial (1..998). */
HELPER_UNUSED static void helper_insz(int year, int month, int day, int serial, char out[12])
{
	long long nine = ((year % 100) * 10000LL + month * 100 + day) * 1000 + serial;
	long long base = year >= 2000 ? 2000000000LL + nine : nine;

	snprintf(out, 12, "%09lld%02lld", nine, 97 - base % 97);
}

/* A filled-in person with a new id; insz may be "" or NULL. */
HELPER_UNUSED static void helper_person(struct person *p, const char *family, const char *given,
                                        const char *birth, const char *insz)
{
	memset(p, 0, sizeof *p);
	uuid_new(p->meta.id);
	snprintf(p->meta.centre_id, sizeof p->meta.centre_id,
	         "c0000000-0000-4000-8000-000000000001");
	snprintf(p->insz, sizeof p->insz, "%s", insz ? insz : "");
	snprintf(p->family_name, sizeof p->family_name, "%s", family);
	snprintf(p->given_name, sizeof p->given_name, "%s", given);
	snprintf(p->birth_date, sizeof p->birth_date, "%s", birth ? birth : "");
	strcpy(p->sex, "f");
	strcpy(p->language, "fr");
	strcpy(p->nationality, "BE");
	p->residence = RESIDENCE_POPULATION;
	strcpy(p->street, "Rue de la Loi 16");
	strcpy(p->postcode, "1000");
	strcpy(p->municipality, "Bruxelles");
	strcpy(p->phone, "+3225551234");
	strcpy(p->email, "test@example.invalid");
}

/* A fresh cache in a new temporary directory: *dir to pass to helper_rmdir. */
HELPER_UNUSED static struct cache *helper_cache(char **dir)
{
	struct cache *c = NULL;
	char *cause = NULL, *path;

	*dir = helper_tmpdir();
	path = helper_path(*dir, "cache.db");
	cr_assert_eq(db_cache_open(path, &c, &cause), RC_OK, "open: %s", cause ? cause : "");
	free(path);
	return c;
}

#endif
