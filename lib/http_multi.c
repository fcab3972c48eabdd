/* Concurrent GETs: see http_multi.h.
 *
 * A fixed pool of `parallel` slots, each an easy handle; a slot holds one
 * request from its first attempt to its end, including the pauses between
 * retries, so the number of requests started but not ended never exceeds
 * the bound whatever the protocol.  One thread: curl_multi_poll waits for
 * the sockets with a timeout short enough to notice the signal flag.
 */
#include "http_multi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"

/* The longest curl_multi_poll waits, so a signal ends us this quickly. */
#define POLL_MS 100

struct slot {
	struct http_client *c;
	CURL *h;
	struct http_multi_req *r;	/* NULL when free */
	int attempt;
	bool in_multi;			/* added to the multi handle (else waiting) */
	long due_ms;			/* when a waiting slot tries again */
	long start_ms;
	long retry_after;
	bool interrupted;
	struct curl_slist *hdrs;
	struct buf url;
	char errbuf[CURL_ERROR_SIZE];
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool flagged(const struct http_client *c)
{
	return c->interrupt && *c->interrupt;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct slot *s = userdata;
	struct buf *b = &s->r->body;
	size_t n = size * nmemb, room = b->max - b->len;

	if (n <= room && buf_add(b, ptr, n) == 0)
		return n;
	/* Keep what fits and end the transfer: the rest is not wanted. */
	if (room)
		buf_add(b, ptr, room);
	s->r->truncated = true;
	return CURL_WRITEFUNC_ERROR;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct slot *s = userdata;
	size_t n = size * nmemb;
	char val[64];

	if (n > 12 && !strncasecmp(ptr, "Retry-After:", 12)) {
		size_t vl = n - 12;

		if (vl >= sizeof(val))
			vl = sizeof(val) - 1;
		memcpy(val, ptr + 12, vl);
		val[vl] = '\0';
		val[strcspn(val, "\r\n")] = '\0';
		s->retry_after = http_parse_retry_after(val + strspn(val, " \t"));
	}
	return n;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct slot *s = userdata;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (flagged(s->c)) {
		s->interrupted = true;
		return 1;
	}
	return 0;
}

static void slot_headers_free(struct slot *s)
{
	struct curl_slist *it;

	/* The list holds the bearer token: wipe it before it is freed. */
	for (it = s->hdrs; it; it = it->next)
		explicit_bzero(it->data, strlen(it->data));
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
}

static struct curl_slist *append(struct curl_slist *l, const char *line, bool *fail)
{
	struct curl_slist *t = curl_slist_append(l, line);

	if (!t)
		*fail = true;
	return t ? t : l;
}

/* Configure s->h for an attempt of s->r and add it to m. */
static int slot_launch(CURLM *m, struct slot *s, struct mtv_err *err)
{
	struct http_client *c = s->c;
	const char *path = s->r->path ? s->r->path : "";
	struct buf auth = BUF_INIT(64 * 1024);
	bool fail = false;
	char line[256];

	buf_reset(&s->url);
	if (!strncmp(path, "http://", 7) || !strncmp(path, "https://", 8))
		fail = buf_addstr(&s->url, path) < 0;
	else
		fail = buf_addstr(&s->url, c->base_url) < 0 ||
		       (*path && *path != '/' && buf_addch(&s->url, '/') < 0) || buf_addstr(&s->url, path) < 0;
	slot_headers_free(s);
	snprintf(line, sizeof(line), "Accept: %s", s->r->accept ? s->r->accept : "application/json");
	s->hdrs = append(s->hdrs, line, &fail);
	if (c->token) {
		if (buf_addf(&auth, "Authorization: Bearer %s", c->token) < 0)
			fail = true;
		else
			s->hdrs = append(s->hdrs, buf_str(&auth), &fail);
		explicit_bzero(auth.data, auth.cap);
		buf_release(&auth);
	}
	if (fail)
		return mtv_err_set(err, MTV_EXIT_ENV, "GET %s: out of memory", path);

	curl_easy_reset(s->h);
	http_client_configure(c, s->h, c->timeout_s * 1000);
	curl_easy_setopt(s->h, CURLOPT_URL, buf_str(&s->url));
	curl_easy_setopt(s->h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, s->hdrs);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(s->h, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(s->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(s->h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(s->h, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
	/* HTTP/2 where the server offers it (ALPN), and then wait for the
	 * one connection to say whether it multiplexes rather than open a
	 * connection per request.  Over TLS the handshake says; over plain
	 * HTTP only the first answer would, so there nobody waits. */
	curl_easy_setopt(s->h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	if (!strncmp(buf_str(&s->url), "https://", 8))
		curl_easy_setopt(s->h, CURLOPT_PIPEWAIT, 1L);
	s->errbuf[0] = '\0';
	s->retry_after = -1;
	s->start_ms = now_ms();
	if (curl_multi_add_handle(m, s->h) != CURLM_OK)
		return mtv_err_set(err, MTV_EXIT_ENV, "GET %s: cannot start the transfer", path);
	s->in_multi = true;
	return 0;
}

static int slot_start(CURLM *m, struct slot *s, struct http_multi_req *r, struct mtv_err *err)
{
	s->r = r;
	s->attempt = 1;
	r->rc = 0;
	r->status = 0;
	r->truncated = false;
	r->attempts = 0;
	mtv_err_clear(&r->err);
	buf_init(&r->body, r->max_body ? r->max_body : HTTP_BODY_MAX);
	return slot_launch(m, s, err);
}

static void url_for_msg(char *dst, size_t n, const char *url)
{
	snprintf(dst, n, "%.*s", (int)strcspn(url, "?#"), url);
}

/* A transfer of s ended with code.  Returns 1 when the request has ended
 * (its outcome in s->r), 0 when it waits for another attempt. */
static int slot_ended(CURLM *m, struct slot *s, CURLcode code)
{
	struct http_client *c = s->c;
	struct http_multi_req *r = s->r;
	const char *url = buf_str(&s->url);
	long status = 0, delay = 0;
	bool ambiguous;
	char u[512];

	curl_multi_remove_handle(m, s->h);
	s->in_multi = false;
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
	/* Our own stop at max_body: the response is there, just shorter. */
	if (code == CURLE_WRITE_ERROR && r->truncated)
		code = CURLE_OK;
	if (code == CURLE_OK)
		log_debug("GET %s -> %ld (%ld ms%s%s)", url, status, now_ms() - s->start_ms,
			  s->attempt > 1 ? ", retry" : "", r->truncated ? ", truncated" : "");
	else
		log_debug("GET %s -> %s (%ld ms)", url, curl_easy_strerror(code), now_ms() - s->start_ms);
	r->attempts = s->attempt;
	if (!s->interrupted &&
	    http_retry_decide(&c->retry, "GET", code, status, s->attempt, s->retry_after,
			      (unsigned int)rand_r(&c->rand_state), &delay, &ambiguous)) {
		if (code == CURLE_OK)
			log_info("GET %s: HTTP %ld, retrying in %ld ms (attempt %d of %d)", url, status, delay,
				 s->attempt + 1, c->retry.max_attempts);
		else
			log_info("GET %s: %s, retrying in %ld ms (attempt %d of %d)", url, curl_easy_strerror(code),
				 delay, s->attempt + 1, c->retry.max_attempts);
		s->attempt++;
		s->due_ms = now_ms() + delay;
		buf_reset(&r->body);
		r->truncated = false;
		return 0;
	}
	if (code == CURLE_OK) {
		r->rc = 0;
		r->status = status;
		return 1;
	}
	url_for_msg(u, sizeof(u), url);
	r->rc = -1;
	mtv_err_set(&r->err, MTV_EXIT_ENV, "GET %s: %s (after %d attempt%s)", u,
		    *s->errbuf ? s->errbuf : curl_easy_strerror(code), s->attempt, s->attempt == 1 ? "" : "s");
	return 1;
}

static void slot_free_request(struct slot *s)
{
	if (s->r)
		buf_release(&s->r->body);
	s->r = NULL;
}

int http_multi_get(struct http_client *c, struct http_multi_req *reqs, size_t n, int parallel,
		   http_multi_done_fn done, void *arg, struct mtv_err *err)
{
	struct slot *slots = NULL;
	size_t next = 0, active = 0;
	CURLM *m = NULL;
	int ret = -1;

	if (parallel < 1 || parallel > HTTP_MULTI_PARALLEL_MAX)
		return mtv_err_set(err, MTV_EXIT_USAGE, "parallel requests: %d is not between 1 and %d", parallel,
				   HTTP_MULTI_PARALLEL_MAX);
	if (!n)
		return 0;
	if ((size_t)parallel > n)
		parallel = (int)n;
	m = curl_multi_init();
	slots = calloc((size_t)parallel, sizeof(*slots));
	if (!m || !slots) {
		mtv_err_set(err, MTV_EXIT_ENV, "out of memory setting up %d parallel requests", parallel);
		goto out;
	}
	curl_multi_setopt(m, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)parallel);
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)parallel);
	for (int i = 0; i < parallel; i++) {
		slots[i].c = c;
		buf_init(&slots[i].url, 64 * 1024);
		slots[i].h = curl_easy_init();
		if (!slots[i].h) {
			mtv_err_set(err, MTV_EXIT_ENV, "out of memory setting up %d parallel requests", parallel);
			goto out;
		}
	}

	while (next < n || active) {
		CURLMsg *msg;
		long now, wait = POLL_MS;
		int running, left, ended = 0;

		if (flagged(c)) {
			mtv_err_set(err, 128 + (int)*c->interrupt, "interrupted by signal %d", (int)*c->interrupt);
			goto out;
		}
		now = now_ms();
		for (int i = 0; i < parallel; i++) {
			struct slot *s = &slots[i];

			if (!s->r && next < n) {
				active++;
				if (slot_start(m, s, &reqs[next++], err) < 0)
					goto out;
			} else if (s->r && !s->in_multi && s->due_ms <= now) {
				if (slot_launch(m, s, err) < 0)
					goto out;
			}
		}
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left))) {
			struct slot *s = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			if (!s || !slot_ended(m, s, msg->data.result))
				continue;
			if (s->interrupted)
				continue;	/* the flag check above reports it */
			ended++;
			if (done && done(s->r, arg, err) < 0) {
				slot_free_request(s);
				active--;
				goto out;
			}
			slot_free_request(s);
			active--;
		}
		if (ended)
			continue;	/* fill the freed slots at once */
		for (int i = 0; i < parallel; i++)
			if (slots[i].r && !slots[i].in_multi) {
				long d = slots[i].due_ms - now_ms();

				wait = d < wait ? (d > 0 ? d : 0) : wait;
			}
		curl_multi_poll(m, NULL, 0, (int)wait, NULL);
	}
	ret = 0;
out:
	for (int i = 0; slots && i < parallel; i++) {
		struct slot *s = &slots[i];

		if (s->in_multi)
			curl_multi_remove_handle(m, s->h);
		slot_free_request(s);
		slot_headers_free(s);
		if (s->h)
			curl_easy_cleanup(s->h);
		buf_release(&s->url);
	}
	free(slots);
	if (m)
		curl_multi_cleanup(m);
	return ret;
}
