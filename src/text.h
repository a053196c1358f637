/* text.h: UTF-8 helpers: folding for search (case and accents), validity. */
#ifndef HANDESK_TEXT_H
#define HANDESK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Fold UTF-8 text for matching: lower case, accents removed (é -> e,
 * ß -> ss, æ -> ae, ø -> o ...), runs of blanks, hyphens and apostrophes
 * turned into a single space, leading and trailing space dropped.
 * Writes at most size-1 bytes plus NUL; returns the folded length. */
size_t text_fold(const char *in, char *out, size_t size);

/* True if s is valid UTF-8 without control characters. */
bool text_valid(const char *s);

/* Trim leading and trailing blanks in place; returns s. */
char *text_trim(char *s);

#endif
