/* fuzz_date.c: libFuzzer target for date_parse (birth dates, closure days
 * in handesk.conf, and with sync the dates received from the network).
 * Checks: never crashes; a date it accepts is valid; its ISO form
 * (YYYY-MM-DD) and its Belgian form (DD/MM/YYYY) parse back to it. */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct date d, again;
	char *text, shown[11];

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (date_parse(text, &d)) {
		if (!date_valid(d))
			__builtin_trap();
		date_format_iso(d, shown);
		if (strlen(shown) != 10)
			__builtin_trap();
		if (!date_parse(shown, &again) || date_compare(d, again) != 0)
			__builtin_trap();
		date_format_be(d, shown);
		if (!date_parse(shown, &again) || date_compare(d, again) != 0)
			__builtin_trap();
		if (date_compare(date_from_days(date_to_days(d)), d) != 0)
			__builtin_trap();
	}
	free(text);
	return 0;
}
