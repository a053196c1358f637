/* rc.c: setting the cause that travels back with a return code. */
#include "autoconf.h"

#include "rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

enum rc rc_fail(char **cause, enum rc rc, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (!cause || *cause)
		return rc;
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		return rc;
	*cause = malloc((size_t)len + 1);
	if (!*cause)
		return rc;
	va_start(ap, fmt);
	vsnprintf(*cause, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return rc;
}
