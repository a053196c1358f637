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

#endif
