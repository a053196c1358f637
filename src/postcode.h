/* postcode.h: Belgian postcodes, their region and municipality. */
#ifndef HANDESK_POSTCODE_H
#define HANDESK_POSTCODE_H

#include <stdbool.h>

enum region {
	REGION_NONE = 0,
	REGION_BRUSSELS,
	REGION_FLANDERS,
	REGION_WALLONIA,
	REGION_GERMAN, /* the German-speaking area (in Wallonia, own Community) */
};

/* Parse exactly four digits in a Belgian range (1000-9999); true on success. */
bool postcode_parse(const char *text, int *code);

/* The region a valid postcode belongs to. */
enum region postcode_region(int code);

/* The main municipality for a postcode, or NULL if unknown to our table. */
const char *postcode_municipality(int code);

/* The region's name, translated. */
const char *postcode_region_name(enum region r);

#endif
