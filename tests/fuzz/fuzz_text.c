/* fuzz_text.c: libFuzzer target for text_fold, which every name goes
 * through for search (typed, imported, and with sync received).
 * Checks, for any bytes and a buffer size taken from the first byte: never
 * crashes; the output is valid UTF-8, NUL-terminated at the returned
 * length, shorter than the buffer, without leading, trailing or doubled
 * spaces; folding is idempotent: fold(fold(x)) == fold(x). */
#include "autoconf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Well-formed UTF-8: no stray or overlong bytes, no surrogates, at most
 * U+10FFFF (checked here independently of src/text.c). */
static bool utf8_ok(const unsigned char *s, size_t len)
{
	size_t i = 0, k, j;
	uint32_t cp;

	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + k > len)
			return false;
		for (j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *once, *twice;
	size_t cap, len, len2;

	if (size == 0)
		return 0;
	/* Small buffers test the cut at the end; 0 means "roomy". */
	cap = data[0] % 64;
	if (cap == 0)
		cap = 4 * size + 8;
	data++;
	size--;
	text = malloc(size + 1);
	once = malloc(cap);
	twice = malloc(cap);
	if (!text || !once || !twice)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';

	len = text_fold(text, once, cap);
	if (len >= cap || once[len] != '\0' || strlen(once) != len)
		__builtin_trap();
	if (!utf8_ok((const unsigned char *)once, len))
		__builtin_trap();
	if (len > 0 && (once[0] == ' ' || once[len - 1] == ' ' || strstr(once, "  ")))
		__builtin_trap();

	len2 = text_fold(once, twice, cap);
	if (len2 != len || memcmp(once, twice, len + 1) != 0)
		__builtin_trap();
out:
	free(text);
	free(once);
	free(twice);
	return 0;
}
