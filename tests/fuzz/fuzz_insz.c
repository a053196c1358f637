/* fuzz_insz.c: libFuzzer target for insz_parse, the parser of every INSZ
 * typed at the desk (and, with sync, received from the network).
 * Checks: never crashes; a number it accepts has 11 digits and a known
 * birth date part or none; formatted as YY.MM.DD-SSS.CC it parses again
 * to the same digits and fields; its bare digits do too. */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/insz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const struct insz *a, const struct insz *b)
{
	if (strcmp(a->digits, b->digits) != 0 || a->year != b->year || a->month != b->month ||
	    a->day != b->day || a->sex != b->sex || a->bis != b->bis)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct insz n, again;
	char *text, shown[16];
	size_t i;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (insz_parse(text, &n) == INSZ_OK) {
		if (strlen(n.digits) != 11)
			__builtin_trap();
		for (i = 0; i < 11; i++)
			if (n.digits[i] < '0' || n.digits[i] > '9')
				__builtin_trap();
		if (n.month < 0 || n.month > 12 || n.day < 0 || n.day > 31)
			__builtin_trap();
		insz_format(&n, shown);
		if (strlen(shown) != 15)
			__builtin_trap();
		if (insz_parse(shown, &again) != INSZ_OK)
			__builtin_trap();
		same(&n, &again);
		if (insz_parse(n.digits, &again) != INSZ_OK)
			__builtin_trap();
		same(&n, &again);
	}
	insz_looks_like(text);
	free(text);
	return 0;
}
