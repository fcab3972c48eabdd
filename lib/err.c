#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int mtv_err_set(struct mtv_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	err->http_status = 0;
	err->reason[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int mtv_err_prefix(struct mtv_err *err, const char *fmt, ...)
{
	char prefix[MTV_ERR_MSG_MAX];
	char old[MTV_ERR_MSG_MAX];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Messages are capped; a cut one ends in "..." so it reads as cut. */
	if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) >= (int)sizeof(err->msg))
		memcpy(err->msg + sizeof(err->msg) - 4, "...", 4);
	return -1;
}

void mtv_err_clear(struct mtv_err *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
}
