/* Logging to stderr: `2026-11-21T22:40:01Z INFO mtv-plan: message`.
 *
 * The one lib module that writes: logs are the steps' diagnostic channel and
 * stdout stays reserved for results.  The level comes from MTV_LOG_LEVEL
 * (error, warn, info, debug, trace; default info).  Control characters in a
 * message (which may quote text a server sent) are replaced by '?', so a
 * hostile or broken server cannot forge log lines or drive the terminal.
 */
#ifndef MTV_LOG_H
#define MTV_LOG_H

#include "err.h"

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG_TRACE,
};

/* Set the program name and read MTV_LOG_LEVEL.  Returns -1 (err set) when
 * MTV_LOG_LEVEL holds an unknown level; the level then stays "info". */
int log_init(const char *progname, struct mtv_err *err);

int log_enabled(enum log_level level);
/* Parse "error".."trace"; -1 when unknown. */
int log_level_parse(const char *s);

void log_msg(enum log_level level, const char *fmt, ...) MTV_PRINTF(2, 3);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_trace(...) log_msg(LOG_TRACE, __VA_ARGS__)

/* Copy src into dst (size dstsz, always terminated) replacing control
 * characters other than tab by '?'.  Exposed for tests and for callers that
 * print server text to stdout. */
void log_sanitize(char *dst, size_t dstsz, const char *src);

#endif
