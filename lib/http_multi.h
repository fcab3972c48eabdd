/* Many GETs at once over libcurl's multi interface, for the requests a step
 * makes by the hundred (mtv-gather's pod logs).
 *
 * The requests use the settings of a struct http_client (base URL, bearer
 * token, TLS material, timeouts, retry policy, interrupt flag) on handles of
 * their own.  At most `parallel` are in flight at a time: over HTTP/2 they
 * share one connection as streams (CURLPIPE_MULTIPLEX, CURLOPT_PIPEWAIT);
 * over HTTP/1.1 each needs a connection, bounded by
 * CURLMOPT_MAX_HOST_CONNECTIONS, and connections are kept for the next
 * request.  Each request is retried on its own as http_do() retries a GET
 * (connection errors, 429 with Retry-After, 500/502/503/504), with the
 * client's backoff; while one waits, the others go on.
 *
 * A body is kept up to the request's max_body bytes: past that the transfer
 * is ended and the response marked truncated (a server that ignores
 * limitBytes still cannot make us hold more).
 *
 * Bodies are handed to the caller's callback as each request ends, in
 * completion order, and released after it, so memory stays at about
 * parallel * max_body however many requests there are.
 */
#ifndef MTV_HTTP_MULTI_H
#define MTV_HTTP_MULTI_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "http.h"

/* The most requests in flight a caller may ask for. */
#define HTTP_MULTI_PARALLEL_MAX 64

struct http_multi_req {
	/* Filled by the caller. */
	const char *path;	/* as struct http_request.path; GET only */
	const char *accept;	/* default "application/json" */
	size_t max_body;	/* 0: HTTP_BODY_MAX */
	void *user;

	/* Filled before the callback.  rc 0: a response arrived (status,
	 * body; any status, as http_do); rc -1: none did, err says why
	 * (MTV_EXIT_ENV).  truncated: the body stopped at max_body. */
	int rc;
	long status;
	struct buf body;
	bool truncated;
	int attempts;
	struct mtv_err err;
};

/* Called once per request when it has ended (r->body is released after it
 * returns).  Return 0 to go on, -1 with err set to stop everything: that
 * error is http_multi_get's. */
typedef int (*http_multi_done_fn)(struct http_multi_req *r, void *arg, struct mtv_err *err);

/* Perform the n GETs of reqs with at most parallel (1..HTTP_MULTI_PARALLEL_MAX)
 * in flight, calling done for each.  Returns 0 when every request has ended
 * (each with its own outcome), -1 with err when the callback stopped it,
 * on interrupt (c->interrupt set: code 128 + signal, within about 100 ms) or
 * when curl could not be set up (MTV_EXIT_ENV).  Requests not ended by then
 * get no callback. */
int http_multi_get(struct http_client *c, struct http_multi_req *reqs, size_t n, int parallel,
		   http_multi_done_fn done, void *arg, struct mtv_err *err);

#endif
