/* phone.c: telephone numbers, normalised to the +32 international form. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "src/phone.h"

/*
 * Accepted: a Belgian number with its trunk 0 ("02 507 87 99",
 * "0470/12.34.56"), or with the country code written "+32" or "0032"
 * (an "(0)" after it is the trunk 0 and dropped); any other "+CC..." or
 * "00CC..." is kept as given, digits only.  Blanks, dots, slashes, dashes
 * and parentheses may separate the digits.
 *
 * Belgian national numbers (without the 0): 8 digits for landlines and the
 * special numbers (2 507 87 99, 800 987 99, 78 15 ...), 9 digits starting
 * 45-49 for mobiles (470 12 34 56).  International numbers: 8 to 15 digits
 * in all, the E.164 maximum, not starting with 0.
 */

#define PHONE_MAX_DIGITS 20

static bool is_separator(char c)
{
	return c == ' ' || c == '.' || c == '/' || c == '-' || c == '(' || c == ')' || c == '\t';
}

static bool belgian_ok(const char *nsn, size_t n)
{
	if (n == 8)
		return nsn[0] != '0';
	if (n == 9)
		return nsn[0] == '4' && nsn[1] >= '5';
	return false;
}

bool phone_normalise(const char *text, char *out, size_t size)
{
	char digits[PHONE_MAX_DIGITS + 1];
	char result[PHONE_MAX_DIGITS + 4];
	const char *p = text, *nsn;
	bool plus = false;
	size_t n = 0, len;

	if (!text)
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '+') {
		plus = true;
		p++;
	}
	for (; *p; p++) {
		/* "+32 (0)2 ...": the trunk 0 in parentheses is not dialled. */
		if (p[0] == '(' && p[1] == '0' && p[2] == ')' && n > 0) {
			p += 2;
			continue;
		}
		if (*p >= '0' && *p <= '9') {
			if (n == PHONE_MAX_DIGITS)
				return false;
			digits[n++] = *p;
		} else if (!is_separator(*p)) {
			return false;
		}
	}
	digits[n] = '\0';
	if (!plus) {
		if (n >= 2 && digits[0] == '0' && digits[1] == '0') {
			plus = true; /* 00: the international prefix */
			memmove(digits, digits + 2, n - 1);
			n -= 2;
		} else if (n >= 1 && digits[0] == '0') {
			/* national form: the trunk 0, then the Belgian number */
			if (!belgian_ok(digits + 1, n - 1))
				return false;
			len = (size_t)snprintf(result, sizeof result, "+32%s", digits + 1);
			goto done;
		} else {
			return false; /* no trunk 0 and no country code */
		}
	}
	if (n >= 2 && digits[0] == '3' && digits[1] == '2') {
		nsn = digits + 2;
		if (*nsn == '0')
			nsn++; /* "+32 02 ..." written with the trunk 0 */
		if (!belgian_ok(nsn, strlen(nsn)))
			return false;
		len = (size_t)snprintf(result, sizeof result, "+32%s", nsn);
		goto done;
	}
	if (n < 8 || n > 15 || digits[0] == '0')
		return false;
	len = (size_t)snprintf(result, sizeof result, "+%s", digits);
done:
	if (len + 1 > size)
		return false;
	memcpy(out, result, len + 1);
	return true;
}
