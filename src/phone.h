/* phone.h: telephone numbers, normalised to the +32 international form. */
#ifndef HANDESK_PHONE_H
#define HANDESK_PHONE_H

#include <stdbool.h>
#include <stddef.h>

/* Normalise a Belgian or international number ("0470 12 34 56",
 * "+32 2 507 87 99", "0032 ...") into "+32470123456" form.  Returns false
 * (out untouched) if it cannot be a phone number. */
bool phone_normalise(const char *text, char *out, size_t size);

#endif
