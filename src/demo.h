/* demo.h: synthetic, clearly fictitious but realistic demo data (Belgian-
 * looking names in nl/fr/de, valid INSZ, postcodes across regions,
 * application kinds and primary problems in the proportions of domain.md,
 * staff of 10 centres). */
#ifndef HANDESK_DEMO_H
#define HANDESK_DEMO_H

#include "rc.h"

struct cache;

struct demo_options {
	long persons;           /* how many persons */
	unsigned long seed;     /* same seed, same data */
	const char *login;      /* OS login to tie one reception staff record to, or NULL */
	void (*progress)(long done, long total, void *arg); /* or NULL */
	void *progress_arg;
};

/* Fill an open, empty cache.  Deterministic for a seed. */
enum rc demo_generate(struct cache *c, const struct demo_options *o, char **cause);

#endif
