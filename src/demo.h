/* demo.h: synthetic, clearly fictitious but realistic demo data (Belgian-
 * looking names in nl/fr/de, valid INSZ, postcodes across regions,
 * application kinds and primary problems in the proportions of domain.md,
 * staff of 10 centres). */
#ifndef HANDESK_DEMO_H
#define HANDESK_DEMO_H

#include "rc.h"

struct cache;

/* What demo_generate wrote. */
struct demo_stats {
	long centres;
	long staff;
	long persons;
	long applications;
	long documents;
	unsigned long long fingerprint; /* hash of the generated data: same seed
	                                 * and date, same value */
};

struct demo_options {
	long persons;       /* how many persons */
	unsigned long seed; /* same seed, same data */
	const char *login;  /* OS login to tie one reception staff record to, or NULL */
	void (*progress)(long done, long total, void *arg); /* or NULL */
	void *progress_arg;
	const char *today;        /* reference date (YYYY-MM-DD) the generated dates
	                           * are relative to, or NULL for today */
	struct demo_stats *stats; /* or NULL: filled on success */
};

/* Fill an open, empty cache.  Deterministic for a seed and reference date:
 * ids, dates and timestamps all derive from them.  Rows are written as
 * already synced (version 1) in bulk mode.  Fixed logins for each role
 * (demo-reception, demo-client, demo-dossier, demo-social, demo-evaluator,
 * demo-doctor, demo-director, demo-quality) and o->login (as reception)
 * belong to the first centre. */
enum rc demo_generate(struct cache *c, const struct demo_options *o, char **cause);

#endif
