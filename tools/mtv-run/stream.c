#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A line longer than this is shown in pieces (a step printing a huge JSON
 * document on one line must not grow the runner without bound). */
#define LINE_MAX_SHOWN (64u * 1024)
/* How long a finished step's pipe may stay quiet before the copy stops:
 * something the step left running (in another process group) may hold
 * the write end forever. */
#define QUIET_MS 500

static void show(struct stream *s, bool partial)
{
	struct buf out = BUF_INIT(4 * LINE_MAX_SHOWN);

	buf_addf(&out, "[%s] ", s->name);
	censor_text(s->censor, s->line.data ? s->line.data : "", s->line.len, &out);
	if (partial || !s->line.len || s->line.data[s->line.len - 1] != '\n')
		buf_addch(&out, '\n');
	/* one write per line keeps lines whole next to the runner's own */
	fwrite(buf_str(&out), 1, out.len, stdout);
	fflush(stdout);
	buf_release(&out);
	buf_reset(&s->line);
}

static void take(struct stream *s, const char *p, size_t n)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) + 1 : n;

		if (s->line.len + k > LINE_MAX_SHOWN) {
			k = LINE_MAX_SHOWN - s->line.len;
			buf_add(&s->line, p, k);
			show(s, true);
		} else {
			buf_add(&s->line, p, k);
			if (nl)
				show(s, false);
		}
		p += k;
		n -= k;
	}
}

static void *copy(void *arg)
{
	struct stream *s = arg;
	char chunk[16384];
	int quiet = 0;

	for (;;) {
		struct pollfd pfd = { .fd = s->rd, .events = POLLIN };
		int r = poll(&pfd, 1, 100);
		ssize_t n;

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			if (atomic_load(&s->done) && (quiet += 100) >= QUIET_MS)
				break;
			continue;
		}
		quiet = 0;
		n = read(s->rd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* the log gets every byte, as without --stream */
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(s->log_fd, chunk + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += w;
		}
		take(s, chunk, (size_t)n);
	}
	if (s->line.len)
		show(s, true);
	return NULL;
}

int stream_start(struct stream *s, int log_fd, const char *name, const struct censor *c, struct mtv_err *err)
{
	int fds[2];
	int rc;

	memset(s, 0, sizeof(*s));
	s->rd = s->wr = -1;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "pipe: %s", strerror(errno));
	s->rd = fds[0];
	s->wr = fds[1];
	s->log_fd = log_fd;
	s->name = name;
	s->censor = c;
	buf_init(&s->line, LINE_MAX_SHOWN + 1);
	atomic_init(&s->done, false);
	rc = pthread_create(&s->thread, NULL, copy, s);
	if (rc) {
		close(s->rd);
		close(s->wr);
		return mtv_err_set(err, MTV_EXIT_ENV, "pthread_create: %s", strerror(rc));
	}
	s->started = true;
	return 0;
}

void stream_finish(struct stream *s)
{
	if (!s->started)
		return;
	close(s->wr);
	s->wr = -1;
	atomic_store(&s->done, true);
	pthread_join(s->thread, NULL);
	close(s->rd);
	buf_release(&s->line);
	s->started = false;
}
