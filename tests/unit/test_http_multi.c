/* lib/http_multi against a small HTTP/1.1 server in a thread: the bound on
 * requests in flight, per-request retries, the body cap, connection
 * failures, the callback's stop and the signal flag.
 *
 * The server holds each answer until as many requests are in flight as the
 * client may have (min(bound, requests not yet answered)), so the highest
 * number it sees at once is exactly the client's bound when the client
 * keeps to it, and more when it does not: no timing is measured.  (A
 * client with fewer in flight than it may have is released after a
 * second and the equality then fails.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http_multi.h"

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int lfd, port;
	pthread_t acceptor;
	int bound;		/* the client's bound, for the hold */
	int expected;		/* requests still to answer */
	int inflight, max_inflight, served;
	int busy_seen[64];	/* /busy/<i>: answered 503 once already */
} srv = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void reply(int fd, int status, const char *extra, const char *body, size_t len)
{
	char head[512];
	int n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%s\r\n", status, len,
			 extra ? extra : "");

	if (write(fd, head, (size_t)n) < 0 || (len && write(fd, body, len) < 0))
		return;
}

static void *conn_main(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char req[4096];

	for (;;) {
		size_t got = 0;
		char path[256] = "";
		struct timespec until;
		int idx = -1;

		while (got < sizeof(req) - 1) {
			ssize_t r = read(fd, req + got, sizeof(req) - 1 - got);

			if (r <= 0)
				goto done;
			got += (size_t)r;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		sscanf(req, "GET %255s", path);
		pthread_mutex_lock(&srv.mu);
		srv.inflight++;
		if (srv.inflight > srv.max_inflight)
			srv.max_inflight = srv.inflight;
		pthread_cond_broadcast(&srv.cv);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		while (srv.inflight < (srv.bound < srv.expected ? srv.bound : srv.expected) &&
		       pthread_cond_timedwait(&srv.cv, &srv.mu, &until) == 0)
			;
		sscanf(path, "/%*[a-z]/%d", &idx);
		if (!strncmp(path, "/busy/", 6) && idx >= 0 && idx < 64 && !srv.busy_seen[idx]) {
			srv.busy_seen[idx] = 1;
			srv.inflight--;
			pthread_mutex_unlock(&srv.mu);
			reply(fd, 503, "Retry-After: 0\r\n", "", 0);
			continue;
		}
		srv.inflight--;
		srv.expected--;
		srv.served++;
		pthread_cond_broadcast(&srv.cv);
		pthread_mutex_unlock(&srv.mu);
		if (!strncmp(path, "/fail", 5)) {
			reply(fd, 500, NULL, "{}", 2);
		} else if (!strncmp(path, "/big", 4)) {
			static char big[10000];

			memset(big, 'x', sizeof(big));
			reply(fd, 200, NULL, big, sizeof(big));
		} else {
			char body[300];
			int n = snprintf(body, sizeof(body), "body of %s", path);

			reply(fd, 200, NULL, body, (size_t)n);
		}
	}
done:
	close(fd);
	return NULL;
}

static void *accept_main(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(srv.lfd, NULL, NULL);
		pthread_t t;

		if (fd < 0)
			return NULL;
		pthread_create(&t, NULL, conn_main, (void *)(intptr_t)fd);
		pthread_detach(t);
	}
}

static int server_start(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	srv.lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (srv.lfd < 0 || bind(srv.lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(srv.lfd, 128) < 0 ||
	    getsockname(srv.lfd, (struct sockaddr *)&a, &l) < 0)
		return -1;
	srv.port = ntohs(a.sin_port);
	return pthread_create(&srv.acceptor, NULL, accept_main, NULL) ? -1 : 0;
}

static int server_stop(void **state)
{
	(void)state;
	/* accept() returns, the acceptor ends; connection threads end as the
	 * clients, all released by now, closed their connections. */
	shutdown(srv.lfd, SHUT_RDWR);
	pthread_join(srv.acceptor, NULL);
	close(srv.lfd);
	return 0;
}

static void expect(int bound, int n)
{
	pthread_mutex_lock(&srv.mu);
	srv.bound = bound;
	srv.expected = n;
	srv.max_inflight = srv.served = 0;
	pthread_mutex_unlock(&srv.mu);
}

static void client(struct http_client *c, volatile sig_atomic_t *flag)
{
	char url[64];
	struct mtv_err err = { 0 };

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv.port);
	assert_int_equal(http_client_init(c, url, &err), 0);
	c->retry.max_attempts = 3;
	c->retry.base_ms = 1;
	c->retry.max_ms = 2;
	http_client_set_interrupt(c, flag);
}

struct seen {
	int calls;
	volatile sig_atomic_t *flag;	/* set at the first call when not NULL */
	bool stop;			/* fail the first call */
};

static int on_done(struct http_multi_req *r, void *arg, struct mtv_err *err)
{
	struct seen *s = arg;

	s->calls++;
	/* the body is readable now, and stays ours until we return */
	if (r->rc == 0 && r->status == 200 && strncmp(r->path, "/big", 4)) {
		char want[300];

		snprintf(want, sizeof(want), "body of %s", r->path);
		assert_string_equal(buf_str(&r->body), want);
	}
	if (s->flag)
		*s->flag = SIGTERM;
	if (s->stop)
		return mtv_err_set(err, 3, "stop here");
	return 0;
}

static void make(struct http_multi_req *reqs, char (*paths)[32], int n, const char *fmt)
{
	for (int i = 0; i < n; i++) {
		snprintf(paths[i], sizeof(paths[i]), fmt, i);
		memset(&reqs[i], 0, sizeof(reqs[i]));
		reqs[i].path = paths[i];
	}
}

static void test_bounded_in_flight(void **state)
{
	static const int bounds[] = { 1, 4, 8 };
	struct http_multi_req reqs[24];
	char paths[24][32];
	volatile sig_atomic_t flag = 0;
	struct http_client c;
	struct mtv_err err = { 0 };

	(void)state;
	client(&c, &flag);
	for (size_t b = 0; b < 3; b++) {
		struct seen s = { 0 };

		make(reqs, paths, 24, "/ok/%d");
		expect(bounds[b], 24);
		assert_int_equal(http_multi_get(&c, reqs, 24, bounds[b], on_done, &s, &err), 0);
		assert_int_equal(s.calls, 24);
		assert_int_equal(srv.served, 24);
		assert_int_equal(srv.max_inflight, bounds[b]);
		for (int i = 0; i < 24; i++) {
			assert_int_equal(reqs[i].rc, 0);
			assert_int_equal(reqs[i].status, 200);
			assert_int_equal(reqs[i].attempts, 1);
			assert_null(reqs[i].body.data);	/* released after the callback */
		}
	}
	/* More slots than requests: as many in flight as there are. */
	{
		struct seen s = { 0 };

		make(reqs, paths, 3, "/ok/%d");
		expect(3, 3);
		assert_int_equal(http_multi_get(&c, reqs, 3, 8, on_done, &s, &err), 0);
		assert_int_equal(srv.max_inflight, 3);
	}
	http_client_release(&c);
}

static void test_retries_per_request(void **state)
{
	struct http_multi_req reqs[6];
	char paths[6][32];
	volatile sig_atomic_t flag = 0;
	struct http_client c;
	struct mtv_err err = { 0 };
	struct seen s = { 0 };

	(void)state;
	client(&c, &flag);
	/* Four answered 503 once, then 200; two always 500. */
	make(reqs, paths, 4, "/busy/%d");
	make(reqs + 4, paths + 4, 2, "/fail/%d");
	expect(1, 4 + 2 * 3);
	assert_int_equal(http_multi_get(&c, reqs, 6, 2, on_done, &s, &err), 0);
	assert_int_equal(s.calls, 6);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(reqs[i].rc, 0);
		assert_int_equal(reqs[i].status, 200);
		assert_int_equal(reqs[i].attempts, 2);
	}
	for (int i = 4; i < 6; i++) {
		/* a response, the last one: the caller judges the 500 */
		assert_int_equal(reqs[i].rc, 0);
		assert_int_equal(reqs[i].status, 500);
		assert_int_equal(reqs[i].attempts, 3);
	}
	http_client_release(&c);
}

static int keep_len(struct http_multi_req *r, void *arg, struct mtv_err *err)
{
	size_t *lens = arg;

	(void)err;
	lens[r->path[5] - '0'] = r->body.len;
	return 0;
}

static void test_body_cap(void **state)
{
	struct http_multi_req reqs[2];
	char paths[2][32];
	volatile sig_atomic_t flag = 0;
	struct http_client c;
	struct mtv_err err = { 0 };
	size_t lens[2] = { 0, 0 };

	(void)state;
	client(&c, &flag);
	make(reqs, paths, 2, "/big/%d");
	reqs[0].max_body = 100;
	reqs[1].max_body = 20000;
	expect(1, 2);
	assert_int_equal(http_multi_get(&c, reqs, 2, 1, keep_len, lens, &err), 0);
	assert_int_equal(reqs[0].rc, 0);
	assert_int_equal(reqs[0].status, 200);
	assert_true(reqs[0].truncated);
	assert_int_equal(reqs[0].attempts, 1);	/* our own cut is not a failure to retry */
	assert_int_equal(lens[0], 100);
	assert_int_equal(reqs[1].rc, 0);
	assert_false(reqs[1].truncated);
	assert_int_equal(lens[1], 10000);
	http_client_release(&c);
}

static void test_unreachable(void **state)
{
	struct http_multi_req reqs[3];
	char paths[3][32];
	volatile sig_atomic_t flag = 0;
	struct http_client c;
	struct mtv_err err = { 0 };
	struct seen s = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	char url[64];

	(void)state;
	/* a port nobody listens on: bound, never listened */
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", ntohs(a.sin_port));
	assert_int_equal(http_client_init(&c, url, &err), 0);
	c.retry.max_attempts = 2;
	c.retry.base_ms = 1;
	c.retry.max_ms = 1;
	http_client_set_interrupt(&c, &flag);
	make(reqs, paths, 3, "/ok/%d");
	assert_int_equal(http_multi_get(&c, reqs, 3, 2, on_done, &s, &err), 0);
	assert_int_equal(s.calls, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(reqs[i].rc, -1);
		assert_int_equal(reqs[i].err.code, MTV_EXIT_ENV);
		assert_int_equal(reqs[i].attempts, 2);
		assert_non_null(strstr(reqs[i].err.msg, "(after 2 attempts)"));
	}
	close(fd);
	http_client_release(&c);
}

static void test_stop_and_interrupt(void **state)
{
	struct http_multi_req reqs[12];
	char paths[12][32];
	volatile sig_atomic_t flag = 0;
	struct http_client c;
	struct mtv_err err = { 0 };

	(void)state;
	client(&c, &flag);
	/* The callback's error ends it all. */
	{
		struct seen s = { .stop = true };

		make(reqs, paths, 12, "/ok/%d");
		expect(1, 1);
		assert_int_equal(http_multi_get(&c, reqs, 12, 1, on_done, &s, &err), -1);
		assert_int_equal(s.calls, 1);
		assert_string_equal(err.msg, "stop here");
	}
	/* A signal arriving mid-way: 128 + signal, the rest never called back. */
	{
		struct seen s = { .flag = &flag };

		make(reqs, paths, 12, "/ok/%d");
		expect(1, 1);
		assert_int_equal(http_multi_get(&c, reqs, 12, 1, on_done, &s, &err), -1);
		assert_int_equal(err.code, 128 + SIGTERM);
		assert_int_equal(s.calls, 1);
	}
	/* Flagged before: nothing is sent. */
	{
		struct seen s = { 0 };

		make(reqs, paths, 12, "/ok/%d");
		expect(1, 0);
		assert_int_equal(http_multi_get(&c, reqs, 12, 4, on_done, &s, &err), -1);
		assert_int_equal(err.code, 128 + SIGTERM);
		assert_int_equal(s.calls, 0);
		assert_int_equal(srv.served, 0);
	}
	flag = 0;
	assert_int_equal(http_multi_get(&c, reqs, 1, 0, NULL, NULL, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	assert_int_equal(http_multi_get(&c, reqs, 1, HTTP_MULTI_PARALLEL_MAX + 1, NULL, NULL, &err), -1);
	assert_int_equal(http_multi_get(&c, reqs, 0, 4, NULL, NULL, &err), 0);
	http_client_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounded_in_flight),
		cmocka_unit_test(test_retries_per_request),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_stop_and_interrupt),
	};

	return cmocka_run_group_tests(tests, server_start, server_stop);
}
