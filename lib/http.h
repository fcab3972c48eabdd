/* HTTP(S) client over libcurl, for the Kubernetes API and OAuth servers.
 *
 * One struct http_client owns one reused CURL easy handle, so a step keeps
 * a single TLS connection to the API server.  TLS material (CA, client
 * certificate and key) is handed over as PEM in memory and passed to curl
 * with the *_BLOB options: private keys never touch the disk.
 *
 * http_do() retries transient failures itself (connection errors, 429 with
 * Retry-After, 503, and 500/502/504 on idempotent verbs) with exponential
 * backoff and jitter.  A POST or PATCH that failed after the request may have
 * reached the server is not repeated unless the caller marked it repeatable
 * (struct http_request): the error says the outcome is unknown
 * (err->reason "Ambiguous") so the caller re-reads the object.
 *
 * Environment:
 *   MTV_HTTP_TIMEOUT          seconds for a whole request (default 30)
 *   MTV_HTTP_CONNECT_TIMEOUT  seconds to connect (default 10)
 *   MTV_HTTP_WATCH_TIMEOUT    seconds a watch stream may stay open (default 600)
 *   MTV_HTTP_RETRIES          attempts per request including the first (default 5)
 *   MTV_HTTP_RETRY_BASE_MS    first backoff delay (default 500; tests use ~10)
 *   MTV_HTTP_RETRY_MAX_MS     backoff cap (default 10000)
 *
 * Logging: at debug every request is logged as `GET <url> -> 200 (12 ms)`; at
 * trace also the request body with "password", "token", "access_token" values
 * (and "data"/"stringData" of Secrets) redacted.  The Authorization header and
 * bodies of requests marked sensitive are never logged.
 */
#ifndef MTV_HTTP_H
#define MTV_HTTP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <curl/curl.h>

#include "buf.h"
#include "err.h"

/* Largest response body http_do() keeps (a bigger one is an error). */
#define HTTP_BODY_MAX (256u * 1024 * 1024)

struct http_retry_policy {
	int max_attempts;	/* including the first; 1 = never retry */
	long base_ms;		/* delay before the 2nd attempt, doubled each time */
	long max_ms;		/* cap of the exponential delay */
};

struct http_client {
	CURL *curl;
	char *base_url;		/* "https://host:port", no trailing slash */
	char *token;		/* bearer token or NULL */
	char *ca_pem, *cert_pem, *key_pem;	/* PEM copies or NULL */
	size_t ca_len, cert_len, key_len;
	bool insecure;		/* skip server certificate verification */
	long connect_timeout_s;
	long timeout_s;
	long watch_timeout_s;
	struct http_retry_policy retry;
	/* When set, a non-zero value (the signal number, e.g. SIGINT) aborts
	 * transfers and retry sleeps; the call fails with code 128 + value. */
	volatile sig_atomic_t *interrupt;
	unsigned int rand_state;	/* jitter source, seeded per client */
};

/* One request.  path is appended to base_url, or used as is when it starts
 * with "http://" or "https://".  Zero-initialise and fill what you need. */
struct http_request {
	const char *method;		/* "GET" when NULL */
	const char *path;
	const char *content_type;	/* of body; NULL = no Content-Type */
	const char *body;		/* NULL = no body */
	size_t body_len;
	const char *accept;		/* default "application/json" */
	const char *const *headers;	/* extra "Name: value" lines, NULL-terminated */
	const char *basic_user;		/* HTTP Basic auth instead of the bearer token */
	const char *basic_pass;
	bool no_auth;			/* send no bearer token */
	bool sensitive;			/* never log the body (Secrets, logins) */
	bool fault_is_5xx;		/* a 5xx body is a definite answer (SOAP fault) */
	/* A POST or PATCH the caller knows is safe to apply twice (a JSON
	 * merge patch sets values, so the second application changes
	 * nothing): a 500 or a lost answer is then retried as for PUT. */
	bool repeatable;
	long timeout_ms;		/* overrides the client's overall timeout when > 0 */
};

struct http_response {
	long status;			/* 0 when no response was received */
	struct buf body;		/* capped at HTTP_BODY_MAX */
	char *location;			/* Location header or NULL */
	char *set_cookie;		/* first Set-Cookie header or NULL (vim25 sessions) */
	long retry_after_s;		/* Retry-After in seconds, -1 when absent */
	int attempts;			/* how many attempts were made */
};

/* Set up a client for base_url (copied) with the defaults and environment
 * settings above.  Returns -1 with MTV_EXIT_USAGE on a bad environment value. */
int http_client_init(struct http_client *c, const char *base_url, struct mtv_err *err);
void http_client_release(struct http_client *c);

/* Setters copy their input; NULL/0 clears. */
int http_client_set_token(struct http_client *c, const char *token);
int http_client_set_ca(struct http_client *c, const char *pem, size_t len);
int http_client_set_cert(struct http_client *c, const char *cert_pem, size_t cert_len,
			 const char *key_pem, size_t key_len);
void http_client_set_insecure(struct http_client *c, bool insecure);
/* flag: see struct http_client.interrupt. */
void http_client_set_interrupt(struct http_client *c, volatile sig_atomic_t *flag);

/* The settings of c every handle shares (protocols, no redirects, connect
 * and overall timeout_ms, keep-alive, TLS verification and material), on h,
 * a handle other than c->curl: lib/http_multi configures its handles so. */
void http_client_configure(const struct http_client *c, CURL *h, long timeout_ms);

void http_response_init(struct http_response *r);
void http_response_release(struct http_response *r);

/* Perform req with retries.  Returns 0 when a response arrived, whatever its
 * status (the caller judges resp->status; retryable statuses are only
 * returned once retries are exhausted).  Returns -1 with err set when no
 * usable response arrived: MTV_EXIT_ENV for connection/TLS failures (reason
 * "Ambiguous" when a non-idempotent request may have been applied),
 * 128+signal when interrupted.  resp must have been initialised; it is reset
 * before each attempt. */
int http_do(struct http_client *c, const struct http_request *req, struct http_response *resp,
	    struct mtv_err *err);

/* Called for each chunk of a 2xx streaming response.  Return 0 to go on,
 * non-zero to stop the transfer (http_stream then returns 0). */
typedef int (*http_chunk_fn)(const char *data, size_t len, void *arg);

/* A single attempt (no retries) of a streaming request such as a watch.  The
 * body of a 2xx response goes to fn chunk by chunk; any other status is
 * collected into resp->body instead.  The transfer is bounded by
 * req->timeout_ms or else the client's watch timeout; reaching that bound
 * ends the stream normally (returns 0, resp->status 200).  Returns -1 with err
 * set on connection errors (MTV_EXIT_ENV) or interrupt (128+signal). */
int http_stream(struct http_client *c, const struct http_request *req, http_chunk_fn fn, void *arg,
		struct http_response *resp, struct mtv_err *err);

/* The retry policy, pure so it can be tested without a server.
 *   verb         request method
 *   curl_code    CURLE_OK when a response arrived, else the transfer error
 *   status       HTTP status when curl_code is CURLE_OK
 *   attempt      1 for the attempt that just failed, 2 for the next, ...
 *   retry_after  Retry-After seconds from the response, -1 when absent
 *   rnd          a random number for the jitter
 * Returns true when the request should be repeated after *delay_ms.  When it
 * returns false and *ambiguous is true, the failed request may have been
 * applied by the server (non-idempotent verb, failure after sending). */
bool http_retry_decide(const struct http_retry_policy *p, const char *verb, int curl_code,
		       long status, int attempt, long retry_after, unsigned int rnd,
		       long *delay_ms, bool *ambiguous);

/* The un-jittered exponential delay before attempt+1: base * 2^(attempt-1),
 * capped at max_ms.  The jittered delay lies in [d/2, d]. */
long http_backoff_ms(const struct http_retry_policy *p, int attempt);

/* GET, HEAD, PUT, DELETE, OPTIONS are idempotent; POST and PATCH are not. */
bool http_verb_idempotent(const char *verb);

/* Parse a Retry-After value: seconds form only ("120"); -1 otherwise. */
long http_parse_retry_after(const char *value);

/* Copy a JSON body for logging with secrets replaced by "<redacted>" as
 * redact_json does (redact_json_secrets when is_secret: the URL names
 * secrets).  Non-JSON text becomes "<N bytes>".  Returns a malloc'd string. */
char *http_redact_body(const char *body, size_t len, bool is_secret);

/* Percent-encode s for a URL query value (or a path segment) into out:
 * curl_easy_escape, all but A-Z a-z 0-9 - . _ ~ as %XX. */
int http_query_escape(struct buf *out, const char *s);

#endif
