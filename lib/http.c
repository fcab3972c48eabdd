#include "http.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "log.h"
#include "redact.h"

/* curl_global_init is not thread safe but steps are single threaded; doing
 * it lazily keeps mains free of curl details. */
static int curl_ready;

static long env_long(const char *name, long def, long min, long max, struct mtv_err *err,
		     int *bad)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		*bad = 1;
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: '%s' is not a number between %ld and %ld",
			    name, s, min, max);
		return def;
	}
	return v;
}

int http_client_init(struct http_client *c, const char *base_url, struct mtv_err *err)
{
	int bad = 0;
	size_t n;

	memset(c, 0, sizeof(*c));
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return mtv_err_set(err, MTV_EXIT_ENV, "libcurl initialisation failed");
		curl_ready = 1;
	}
	c->timeout_s = env_long("MTV_HTTP_TIMEOUT", 30, 1, 86400, err, &bad);
	if (!bad)
		c->connect_timeout_s = env_long("MTV_HTTP_CONNECT_TIMEOUT", 10, 1, 3600, err, &bad);
	if (!bad)
		c->watch_timeout_s = env_long("MTV_HTTP_WATCH_TIMEOUT", 600, 1, 86400, err, &bad);
	if (!bad)
		c->retry.max_attempts = (int)env_long("MTV_HTTP_RETRIES", 5, 1, 100, err, &bad);
	if (!bad)
		c->retry.base_ms = env_long("MTV_HTTP_RETRY_BASE_MS", 500, 0, 600000, err, &bad);
	if (!bad)
		c->retry.max_ms = env_long("MTV_HTTP_RETRY_MAX_MS", 10000, 0, 3600000, err, &bad);
	if (bad)
		return -1;
	c->base_url = strdup(base_url ? base_url : "");
	c->curl = curl_easy_init();
	if (!c->base_url || !c->curl) {
		http_client_release(c);
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory setting up the HTTP client");
	}
	n = strlen(c->base_url);
	while (n && c->base_url[n - 1] == '/')
		c->base_url[--n] = '\0';
	c->rand_state = (unsigned int)time(NULL) ^ ((unsigned int)getpid() << 16);
	return 0;
}

static void free_secret(char **p, size_t len)
{
	/* Keys and tokens should not linger in freed heap memory. */
	if (*p) {
		explicit_bzero(*p, len);
		free(*p);
		*p = NULL;
	}
}

void http_client_release(struct http_client *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	c->curl = NULL;
	free(c->base_url);
	c->base_url = NULL;
	if (c->token)
		free_secret(&c->token, strlen(c->token));
	free_secret(&c->key_pem, c->key_len);
	free(c->ca_pem);
	free(c->cert_pem);
	c->ca_pem = c->cert_pem = NULL;
	c->ca_len = c->cert_len = c->key_len = 0;
}

static int dup_mem(char **dst, size_t *dstlen, const char *src, size_t len)
{
	char *p = NULL;

	if (src && len) {
		p = malloc(len + 1);
		if (!p)
			return -1;
		memcpy(p, src, len);
		p[len] = '\0';
	}
	free(*dst);
	*dst = p;
	if (dstlen)
		*dstlen = p ? len : 0;
	return 0;
}

int http_client_set_token(struct http_client *c, const char *token)
{
	if (c->token)
		free_secret(&c->token, strlen(c->token));
	if (!token || !*token)
		return 0;
	c->token = strdup(token);
	return c->token ? 0 : -1;
}

int http_client_set_ca(struct http_client *c, const char *pem, size_t len)
{
	return dup_mem(&c->ca_pem, &c->ca_len, pem, len);
}

int http_client_set_cert(struct http_client *c, const char *cert_pem, size_t cert_len,
			 const char *key_pem, size_t key_len)
{
	free_secret(&c->key_pem, c->key_len);
	if (dup_mem(&c->cert_pem, &c->cert_len, cert_pem, cert_len) < 0)
		return -1;
	return dup_mem(&c->key_pem, &c->key_len, key_pem, key_len);
}

void http_client_set_insecure(struct http_client *c, bool insecure)
{
	c->insecure = insecure;
}

void http_client_set_interrupt(struct http_client *c, volatile sig_atomic_t *flag)
{
	c->interrupt = flag;
}

void http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, HTTP_BODY_MAX);
	r->retry_after_s = -1;
}

static void response_reset(struct http_response *r)
{
	r->status = 0;
	buf_reset(&r->body);
	free(r->location);
	r->location = NULL;
	free(r->set_cookie);
	r->set_cookie = NULL;
	r->retry_after_s = -1;
}

void http_response_release(struct http_response *r)
{
	buf_release(&r->body);
	free(r->location);
	r->location = NULL;
	free(r->set_cookie);
	r->set_cookie = NULL;
}

/* ---- retry policy ---- */

bool http_verb_idempotent(const char *verb)
{
	static const char *const idem[] = { "GET", "HEAD", "PUT", "DELETE", "OPTIONS" };

	if (!verb)
		return true;
	for (size_t i = 0; i < sizeof(idem) / sizeof(idem[0]); i++)
		if (!strcasecmp(verb, idem[i]))
			return true;
	return false;
}

long http_backoff_ms(const struct http_retry_policy *p, int attempt)
{
	long d = p->base_ms;

	for (int i = 1; i < attempt && d < p->max_ms; i++)
		d *= 2;
	return d > p->max_ms ? p->max_ms : d;
}

/* Errors where the request certainly never reached the server. */
static bool curl_not_sent(int code)
{
	return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
	       code == CURLE_COULDNT_RESOLVE_PROXY;
}

/* Errors after which the server may or may not have acted on the request. */
static bool curl_transient(int code)
{
	return code == CURLE_GOT_NOTHING || code == CURLE_RECV_ERROR ||
	       code == CURLE_SEND_ERROR || code == CURLE_PARTIAL_FILE ||
	       code == CURLE_OPERATION_TIMEDOUT || code == CURLE_HTTP2 ||
	       code == CURLE_HTTP2_STREAM;
}

/* Retry-After may ask for a long pause, but never longer than this. */
#define RETRY_AFTER_MAX_S 120

bool http_retry_decide(const struct http_retry_policy *p, const char *verb, int curl_code,
		       long status, int attempt, long retry_after, unsigned int rnd,
		       long *delay_ms, bool *ambiguous)
{
	bool idem = http_verb_idempotent(verb);
	bool retry;
	long d;

	*ambiguous = false;
	*delay_ms = 0;
	if (curl_code != CURLE_OK) {
		if (curl_not_sent(curl_code)) {
			retry = true;
		} else if (curl_transient(curl_code)) {
			retry = idem;
			*ambiguous = !idem;
		} else {
			return false;	/* TLS, URL, auth setup: retrying cannot help */
		}
	} else {
		switch (status) {
		case 429:
		case 503:
			/* The server refused the request before acting on it. */
			retry = true;
			break;
		case 500:
		case 502:
		case 504:
			retry = idem;
			*ambiguous = !idem;
			break;
		default:
			return false;
		}
	}
	if (!retry || attempt >= p->max_attempts)
		return false;
	if (curl_code == CURLE_OK && (status == 429 || status == 503) && retry_after >= 0) {
		*delay_ms = (retry_after > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : retry_after) * 1000;
		return true;
	}
	/* "Equal jitter": half fixed, half random, so retries from many
	 * clients spread out but never collapse to zero. */
	d = http_backoff_ms(p, attempt);
	*delay_ms = d / 2 + (long)(rnd % (unsigned long)(d - d / 2 + 1));
	return true;
}

long http_parse_retry_after(const char *value)
{
	char *end;
	long v;

	while (*value == ' ' || *value == '\t')
		value++;
	if (*value < '0' || *value > '9')
		return -1;
	errno = 0;
	v = strtol(value, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
		end++;
	if (errno || *end || v < 0)
		return -1;
	return v;
}

/* ---- logging helpers ---- */

/* The policy is lib/redact's (credential-named fields, Secret data,
 * token-shaped strings); a trace log knows no Secret values to scrub. */
char *http_redact_body(const char *body, size_t len, bool is_secret)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	struct redact none;
	char *out;

	if (!root) {
		size_t n = 32;

		out = malloc(n);
		if (out)
			snprintf(out, n, "<%zu bytes>", len);
		return out;
	}
	redact_init(&none);
	if (is_secret)
		redact_json_secrets(&none, root);
	else
		redact_json(&none, root);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}

int http_query_escape(struct buf *out, const char *s)
{
	/* curl keeps RFC 3986's unreserved characters and encodes the rest;
	 * the handle argument has been ignored since curl 7.82. */
	char *e = curl_easy_escape(NULL, s, 0);
	int r;

	if (!e)
		return -1;
	r = buf_addstr(out, e);
	curl_free(e);
	return r;
}

/* ---- transfers ---- */

struct xfer {
	struct http_client *c;
	struct http_response *resp;
	http_chunk_fn fn;		/* streaming callback or NULL */
	void *arg;
	bool stopped;			/* fn asked to stop */
	bool too_big;
	bool interrupted;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;
	long status = 0;

	if (x->fn) {
		curl_easy_getinfo(x->c->curl, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300) {
			if (x->fn(ptr, n, x->arg)) {
				x->stopped = true;
				return CURL_WRITEFUNC_ERROR;
			}
			return n;
		}
	}
	if (buf_add(&x->resp->body, ptr, n) < 0) {
		x->too_big = true;
		return CURL_WRITEFUNC_ERROR;
	}
	return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;
	size_t klen;
	const char *colon = memchr(ptr, ':', n);
	char val[2048];
	size_t vlen;

	if (!colon)
		return n;
	klen = (size_t)(colon - ptr);
	colon++;
	while (colon < ptr + n && (*colon == ' ' || *colon == '\t'))
		colon++;
	vlen = (size_t)(ptr + n - colon);
	while (vlen && (colon[vlen - 1] == '\r' || colon[vlen - 1] == '\n'))
		vlen--;
	if (vlen >= sizeof(val))
		vlen = sizeof(val) - 1;
	memcpy(val, colon, vlen);
	val[vlen] = '\0';
	if (klen == 8 && !strncasecmp(ptr, "Location", 8)) {
		free(x->resp->location);
		x->resp->location = strdup(val);
	} else if (klen == 10 && !strncasecmp(ptr, "Set-Cookie", 10) && !x->resp->set_cookie) {
		x->resp->set_cookie = strdup(val);
	} else if (klen == 11 && !strncasecmp(ptr, "Retry-After", 11)) {
		x->resp->retry_after_s = http_parse_retry_after(val);
	}
	return n;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct xfer *x = userdata;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (x->c->interrupt && *x->c->interrupt) {
		x->interrupted = true;
		return 1;
	}
	return 0;
}

/* Sleep ms in short slices so a signal flag ends the pause quickly.
 * Returns -1 when interrupted. */
static int wait_interruptible(struct http_client *c, long ms)
{
	while (ms > 0) {
		long slice = ms > 50 ? 50 : ms;
		struct timespec ts = { slice / 1000, (slice % 1000) * 1000000L };

		if (c->interrupt && *c->interrupt)
			return -1;
		nanosleep(&ts, NULL);
		ms -= slice;
	}
	return c->interrupt && *c->interrupt ? -1 : 0;
}

static int interrupted_err(struct http_client *c, struct mtv_err *err)
{
	int sig = c->interrupt ? (int)*c->interrupt : SIGINT;

	return mtv_err_set(err, 128 + sig, "interrupted by signal %d", sig);
}

static bool is_absolute(const char *path)
{
	return !strncmp(path, "http://", 7) || !strncmp(path, "https://", 8);
}

void http_client_configure(const struct http_client *c, CURL *h, long timeout_ms)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mtv-steps");
	/* Notice a dead peer on a quiet watch stream within a minute or so. */
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 10L);
	if (c->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (c->ca_pem) {
		struct curl_blob blob = { c->ca_pem, c->ca_len, CURL_BLOB_COPY };

		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (c->cert_pem && c->key_pem) {
		struct curl_blob cert = { c->cert_pem, c->cert_len, CURL_BLOB_COPY };
		struct curl_blob key = { c->key_pem, c->key_len, CURL_BLOB_COPY };

		curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
		curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	}
}

/* Configure the handle for one attempt.  Returns the header list to free. */
static struct curl_slist *setup(struct http_client *c, const struct http_request *req,
				struct xfer *x, const char *url, bool streaming, struct buf *auth,
				int *fail)
{
	CURL *h = c->curl;
	struct curl_slist *hdrs = NULL, *tmp;
	const char *method = req->method ? req->method : "GET";
	char line[256];

	*fail = 0;
	curl_easy_reset(h);
	http_client_configure(c, h, req->timeout_ms > 0 ? req->timeout_ms
				    : (streaming ? c->watch_timeout_s : c->timeout_s) * 1000);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);

	if (!strcmp(method, "GET")) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
	if (req->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		if (!strcmp(method, "POST"))
			curl_easy_setopt(h, CURLOPT_POST, 1L);
	}

	snprintf(line, sizeof(line), "Accept: %s", req->accept ? req->accept : "application/json");
	hdrs = curl_slist_append(hdrs, line);
	if (req->content_type) {
		snprintf(line, sizeof(line), "Content-Type: %s", req->content_type);
		tmp = curl_slist_append(hdrs, line);
		hdrs = tmp ? tmp : hdrs;
	}
	/* curl adds "Expect: 100-continue" to big bodies; the API server does
	 * not need the extra round trip. */
	tmp = curl_slist_append(hdrs, "Expect:");
	hdrs = tmp ? tmp : hdrs;
	for (const char *const *p = req->headers; p && *p; p++) {
		tmp = curl_slist_append(hdrs, *p);
		hdrs = tmp ? tmp : hdrs;
	}
	if (req->basic_user) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, req->basic_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, req->basic_pass ? req->basic_pass : "");
	} else if (c->token && !req->no_auth) {
		buf_reset(auth);
		if (buf_addf(auth, "Authorization: Bearer %s", c->token) < 0) {
			*fail = 1;
		} else {
			tmp = curl_slist_append(hdrs, buf_str(auth));
			hdrs = tmp ? tmp : hdrs;
		}
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (!hdrs)
		*fail = 1;
	return hdrs;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int build_url(struct http_client *c, const struct http_request *req, struct buf *url)
{
	const char *path = req->path ? req->path : "";

	buf_reset(url);
	if (is_absolute(path))
		return buf_addstr(url, path);
	if (buf_addstr(url, c->base_url) < 0)
		return -1;
	if (*path && *path != '/' && buf_addch(url, '/') < 0)
		return -1;
	return buf_addstr(url, path);
}

static void log_response_body(const struct http_request *req, const char *method,
			      const char *url, const struct buf *body)
{
	char *red;

	if (!log_enabled(LOG_TRACE) || req->sensitive || !body->len)
		return;
	red = http_redact_body(body->data, body->len, strstr(url, "/secrets") != NULL);
	/* log lines are capped anyway; say how much there was */
	log_trace("%s %s response body (%zu bytes): %.2000s", method, url, body->len,
		  red ? red : "?");
	free(red);
}

static void log_request(const struct http_request *req, const char *method, const char *url,
			long status, CURLcode rc, long ms, int attempt)
{
	if (!log_enabled(LOG_DEBUG))
		return;
	if (rc == CURLE_OK)
		log_debug("%s %s -> %ld (%ld ms%s)", method, url, status, ms,
			  attempt > 1 ? ", retry" : "");
	else
		log_debug("%s %s -> %s (%ld ms)", method, url, curl_easy_strerror(rc), ms);
	if (log_enabled(LOG_TRACE) && req->body && !req->sensitive) {
		char *red = http_redact_body(req->body, req->body_len, strstr(url, "/secrets") != NULL);

		log_trace("%s %s request body: %s", method, url, red ? red : "?");
		free(red);
	}
}

/* Strip a URL down to what may be shown in a message: no query (it can
 * carry selectors but never secrets; still, keep messages short). */
static void url_for_msg(char *dst, size_t n, const char *url)
{
	size_t len = strcspn(url, "?#");

	snprintf(dst, n, "%.*s", (int)len, url);
}

static int transfer_error(const char *method, const char *url, CURLcode rc, const char *errbuf,
			  bool ambiguous, int attempts, struct mtv_err *err)
{
	char u[512];

	url_for_msg(u, sizeof(u), url);
	/* curl's error buffer is the more specific text when it has one. */
	mtv_err_set(err, MTV_EXIT_ENV, "%s %s: %s (after %d attempt%s)%s", method, u,
		    *errbuf ? errbuf : curl_easy_strerror(rc), attempts,
		    attempts == 1 ? "" : "s",
		    ambiguous ? "; the request may or may not have been applied, re-read before retrying"
			      : "");
	if (ambiguous && err)
		snprintf(err->reason, sizeof(err->reason), "Ambiguous");
	return -1;
}

/* One transfer for http_do and http_stream: headers set up, the request
 * performed, the headers torn down.  -1 (err set) when the request could not
 * be prepared; else 0 with *rc the transfer's result and *elapsed_ms its
 * duration.  The caller reads the status, as the two need it differently. */
static int perform_once(struct http_client *c, const struct http_request *req, struct xfer *x,
			const char *method, const char *url, bool streaming, struct buf *auth,
			char *errbuf, CURLcode *rc, long *elapsed_ms, struct mtv_err *err)
{
	struct curl_slist *hdrs;
	long start;
	int fail;

	hdrs = setup(c, req, x, url, streaming, auth, &fail);
	if (fail) {
		curl_slist_free_all(hdrs);
		return mtv_err_set(err, MTV_EXIT_ENV, "%s %s: out of memory", method, url);
	}
	errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, errbuf);
	start = now_ms();
	*rc = curl_easy_perform(c->curl);
	*elapsed_ms = now_ms() - start;
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	return 0;
}

/* The URL and the Authorization header (wiped: it holds the token). */
static void release_request_bufs(struct buf *url, struct buf *auth)
{
	buf_release(url);
	if (auth->data)
		explicit_bzero(auth->data, auth->cap);
	buf_release(auth);
}

/* A transfer we cut short, by a signal or at HTTP_BODY_MAX bytes of body
 * (what: "response"): -1 with err; 0 otherwise. */
static int cut_short(struct http_client *c, const struct xfer *x, const char *method,
		     const char *url, const char *what, struct mtv_err *err)
{
	if (x->interrupted)
		return interrupted_err(c, err);
	if (x->too_big)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s %s: %s larger than %u bytes", method, url,
				   what, HTTP_BODY_MAX);
	return 0;
}

int http_do(struct http_client *c, const struct http_request *req, struct http_response *resp,
	    struct mtv_err *err)
{
	const char *method = req->method ? req->method : "GET";
	struct buf url = BUF_INIT(64 * 1024);
	struct buf auth = BUF_INIT(64 * 1024);
	char errbuf[CURL_ERROR_SIZE];
	int ret = -1;

	if (build_url(c, req, &url) < 0) {
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: URL too long", method);
		goto out;
	}
	for (int attempt = 1;; attempt++) {
		struct xfer x = { .c = c, .resp = resp };
		long elapsed, delay = 0;
		bool ambiguous = false;
		CURLcode rc;

		response_reset(resp);
		resp->attempts = attempt;
		if (perform_once(c, req, &x, method, buf_str(&url), false, &auth, errbuf, &rc, &elapsed,
				 err) < 0)
			goto out;
		if (rc == CURLE_OK)
			curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
		log_request(req, method, buf_str(&url), resp->status, rc, elapsed, attempt);
		log_response_body(req, method, buf_str(&url), &resp->body);
		if (cut_short(c, &x, method, buf_str(&url), "response", err) < 0)
			goto out;
		if (http_retry_decide(&c->retry, req->repeatable ? "PUT" : method, rc, resp->status, attempt,
				      resp->retry_after_s, (unsigned int)rand_r(&c->rand_state), &delay,
				      &ambiguous)) {
			if (rc == CURLE_OK)
				log_info("%s %s: HTTP %ld, retrying in %ld ms (attempt %d of %d)",
					 method, buf_str(&url), resp->status, delay, attempt + 1,
					 c->retry.max_attempts);
			else
				log_info("%s %s: %s, retrying in %ld ms (attempt %d of %d)", method,
					 buf_str(&url), curl_easy_strerror(rc), delay, attempt + 1,
					 c->retry.max_attempts);
			if (wait_interruptible(c, delay) < 0) {
				interrupted_err(c, err);
				goto out;
			}
			continue;
		}
		if (rc != CURLE_OK) {
			transfer_error(method, buf_str(&url), rc, errbuf, ambiguous, attempt, err);
			goto out;
		}
		if (ambiguous) {
			/* A 5xx on POST/PATCH: still a response; the caller turns
			 * it into an error, and should know it may have applied.
			 * A SOAP fault is a 500 that says what happened: no warning. */
			log_msg(req->fault_is_5xx ? LOG_DEBUG : LOG_WARN, "%s %s: HTTP %ld; not retried because the request may have been applied",
				 method, buf_str(&url), resp->status);
		}
		ret = 0;
		break;
	}
out:
	release_request_bufs(&url, &auth);
	return ret;
}

int http_stream(struct http_client *c, const struct http_request *req, http_chunk_fn fn, void *arg,
		struct http_response *resp, struct mtv_err *err)
{
	const char *method = req->method ? req->method : "GET";
	struct buf url = BUF_INIT(64 * 1024);
	struct buf auth = BUF_INIT(64 * 1024);
	struct xfer x = { .c = c, .resp = resp, .fn = fn, .arg = arg };
	char errbuf[CURL_ERROR_SIZE];
	int ret = -1;
	long elapsed;
	CURLcode rc;

	response_reset(resp);
	resp->attempts = 1;
	if (build_url(c, req, &url) < 0) {
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: URL too long", method);
		goto out;
	}
	if (perform_once(c, req, &x, method, buf_str(&url), true, &auth, errbuf, &rc, &elapsed, err) < 0)
		goto out;
	/* A stream we stopped ends with a write error but has its status. */
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	log_request(req, method, buf_str(&url), resp->status, x.stopped ? CURLE_OK : rc, elapsed, 1);
	if (cut_short(c, &x, method, buf_str(&url), "error response", err) < 0)
		goto out;
	/* Our own stop request, or the planned end of a long-lived stream. */
	if (x.stopped || (rc == CURLE_OPERATION_TIMEDOUT && resp->status >= 200 &&
			  resp->status < 300) || rc == CURLE_OK) {
		ret = 0;
		goto out;
	}
	transfer_error(method, buf_str(&url), rc, errbuf, false, 1, err);
out:
	release_request_bufs(&url, &auth);
	return ret;
}
