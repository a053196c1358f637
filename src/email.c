/* email.c: e-mail address shape check (not deliverability). */
#include "autoconf.h"

#include <string.h>

#include "src/email.h"

/*
 * local@domain.tld: one @; a local part of 1-64 bytes of printable
 * characters other than blanks and ()<>,;:\"[]@, without a leading,
 * trailing or doubled dot; a domain of dot-separated labels of letters,
 * digits and hyphens (not at a label's ends, at most 63 bytes each), at
 * least two labels, the last at least two characters and not all digits.
 * Bytes from 0x80 up (UTF-8) are allowed on both sides for international
 * addresses.  At most 254 bytes in all.
 */

static bool local_char(unsigned char c)
{
	if (c >= 0x80)
		return true;
	if (c <= ' ' || c == 0x7f)
		return false;
	return !strchr("()<>,;:\\\"[]@", c);
}

static bool label_char(unsigned char c)
{
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

bool email_valid(const char *text)
{
	const char *at, *p, *label;
	size_t len, labels = 0, llen;
	bool all_digits = true;

	if (!text)
		return false;
	len = strlen(text);
	if (len == 0 || len > 254)
		return false;
	at = strchr(text, '@');
	if (!at || strchr(at + 1, '@'))
		return false;
	if (at == text || at - text > 64 || text[0] == '.' || at[-1] == '.')
		return false;
	for (p = text; p < at; p++) {
		if (!local_char((unsigned char)*p))
			return false;
		if (p[0] == '.' && p[1] == '.')
			return false;
	}
	label = at + 1;
	for (p = label;; p++) {
		if (*p == '.' || *p == '\0') {
			llen = (size_t)(p - label);
			if (llen == 0 || llen > 63 || label[0] == '-' || p[-1] == '-')
				return false;
			labels++;
			if (*p == '\0')
				break;
			label = p + 1;
			continue;
		}
		if (!label_char((unsigned char)*p))
			return false;
	}
	/* the top-level domain: the last label */
	llen = (size_t)(p - label);
	for (const char *q = label; q < p; q++)
		if (*q < '0' || *q > '9')
			all_digits = false;
	return labels >= 2 && llen >= 2 && !all_digits;
}
