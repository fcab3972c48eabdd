#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Process-wide logging settings: set once by main through log_init(). */
static enum log_level current_level = LOG_INFO;
static char program[64] = "mtv";

static const char *const level_names[] = { "error", "warn", "info", "debug", "trace" };
static const char *const level_tags[] = { "ERROR", "WARN", "INFO", "DEBUG", "TRACE" };

int log_level_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (!strcasecmp(s, level_names[i]))
			return (int)i;
	if (!strcasecmp(s, "warning"))
		return LOG_WARN;
	return -1;
}

int log_init(const char *progname, struct mtv_err *err)
{
	const char *env = getenv("MTV_LOG_LEVEL");
	const char *base;
	int level;

	if (progname) {
		base = strrchr(progname, '/');
		snprintf(program, sizeof(program), "%s", base ? base + 1 : progname);
	}
	current_level = LOG_INFO;
	if (!env || !*env)
		return 0;
	level = log_level_parse(env);
	if (level < 0)
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "MTV_LOG_LEVEL: unknown level '%s' (expected error, warn, info, debug or trace)",
				   env);
	current_level = (enum log_level)level;
	return 0;
}

int log_enabled(enum log_level level)
{
	return level <= current_level;
}

void log_sanitize(char *dst, size_t dstsz, const char *src)
{
	size_t i;

	if (!dstsz)
		return;
	for (i = 0; src[i] && i + 1 < dstsz; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (c < 0x20 && c != '\t') || c == 0x7f ? '?' : (char)c;
	}
	dst[i] = '\0';
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char raw[4096], clean[4096], stamp[32];
	struct tm tm;
	time_t now;
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	log_sanitize(clean, sizeof(clean), raw);

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* One fprintf per line keeps lines whole when several processes share stderr. */
	fprintf(stderr, "%s %s %s: %s\n", stamp, level_tags[level], program, clean);
}
