/* rc.h: the return codes shared by the fallible functions of src/ and db/. */
#ifndef HANDESK_RC_H
#define HANDESK_RC_H

enum rc {
	RC_OK = 0,
	RC_NOMEM,     /* out of memory */
	RC_INVALID,   /* bad input: cause says which field and why */
	RC_NOTFOUND,  /* no such row */
	RC_DENIED,    /* the acting staff member's role does not allow it */
	RC_DUPLICATE, /* would create a duplicate (same INSZ, ...) */
	RC_CONFLICT,  /* row changed underneath us (version mismatch) */
	RC_IO,        /* file or database error */
	RC_SCHEMA,    /* cache made by a newer handesk, or a migration failed */
};

/* Set *cause (if wanted and not already set by a lower layer, whose
 * message is the more precise) to a malloc'd formatted message, and return
 * rc: `return rc_fail(cause, RC_INVALID, _("..."), ...);`. */
enum rc rc_fail(char **cause, enum rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
