/* conffile.h: the "key = value" file format shared by handesk.conf
 * (src/config.c) and handeskd.conf (src/central/conf.c): one setting a
 * line, blank lines and lines starting with '#' ignored ('#' elsewhere is
 * part of the value), blanks around key and value dropped, a value in
 * double quotes keeps its blanks, a byte order mark at the start ignored.
 * What the keys mean is each file's own business. */
#ifndef HANDESK_CONFFILE_H
#define HANDESK_CONFFILE_H

#include <stddef.h>
#include <stdio.h>

#include "rc.h"

/* Takes one setting: returns NULL with *rc = RC_OK if accepted, else a
 * message (malloc'd, without file and line) with *rc the error code. */
typedef char *conffile_apply_fn(void *ctx, const char *key, const char *value, enum rc *rc);

/* Read f line by line, calling apply for each setting.  An error stops it,
 * with "PATH:LINE: message" in *cause (caller frees): a line without '=',
 * a NUL byte, apply's refusal, a read error. */
enum rc conffile_parse(FILE *f, const char *path, conffile_apply_fn *apply, void *ctx,
                       char **cause);

/* Split one line (len bytes, without its newline) into the spans of key
 * and value: 0 for a blank or comment line, 1 for "key = value", -1 for a
 * line without '='. */
int conffile_split(const char *line, size_t len, const char **k, const char **ke, const char **v,
                   const char **ve);

/* Print into a new string, or NULL if memory runs out. */
char *conffile_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
