/* email.h: e-mail address shape check. */
#ifndef HANDESK_EMAIL_H
#define HANDESK_EMAIL_H

#include <stdbool.h>

/* True if text has the shape local@domain.tld (no spaces, one @, a dot in
 * the domain, no empty labels, at most 254 bytes). */
bool email_valid(const char *text);

#endif
