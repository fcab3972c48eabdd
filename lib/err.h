/* Errors returned by lib functions.
 *
 * Library code never prints and never exits: a failing function fills a
 * struct mtv_err and returns -1.  The error carries the exit status class the
 * caller's main should use (see the step contract in README.md), so the code
 * that knows *why* something failed decides whether it was bad input (2), an
 * environment/API problem (3) or a timeout (4); main only maps it.
 */
#ifndef MTV_ERR_H
#define MTV_ERR_H

#include <stddef.h>

enum mtv_exit {
	MTV_EXIT_OK = 0,
	MTV_EXIT_FAILED = 1,	/* the system under test failed */
	MTV_EXIT_USAGE = 2,	/* bad input or usage; nothing written */
	MTV_EXIT_ENV = 3,	/* environment/API failure after retries */
	MTV_EXIT_TIMEOUT = 4,	/* timed out waiting */
	MTV_EXIT_SIGINT = 130,
	MTV_EXIT_SIGTERM = 143,
};

#define MTV_ERR_MSG_MAX 1024

struct mtv_err {
	int code;			/* enum mtv_exit */
	int http_status;		/* HTTP status when an API call failed, else 0 */
	char reason[64];		/* Kubernetes Status reason (e.g. "NotFound"), else "" */
	char msg[MTV_ERR_MSG_MAX];
};

#if defined(__GNUC__)
#define MTV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MTV_PRINTF(f, a)
#endif

/* Fill err (if not NULL) and return -1, so callers can write
 * `return mtv_err_set(err, MTV_EXIT_USAGE, "%s: no key 'url'", path);`. */
int mtv_err_set(struct mtv_err *err, int code, const char *fmt, ...) MTV_PRINTF(3, 4);

/* Prefix an existing message with context ("loading kubeconfig: ..."),
 * keeping its code.  Returns -1. */
int mtv_err_prefix(struct mtv_err *err, const char *fmt, ...) MTV_PRINTF(2, 3);

/* Reset to "no error". */
void mtv_err_clear(struct mtv_err *err);

#endif
