/* pf-cat: lib/portforward from the shell, for tests/bats/portforward.bats.
 *
 *   pf-cat [--expect N] [--ping N] NS NAME PORT
 *
 * Opens a tunnel to port PORT of VMI NS/NAME with the connection
 * kube_client_from_env picks (KUBECONFIG, ...) in the mode MTV_SSH_TUNNEL
 * says, then copies stdin to the tunnel and the tunnel to stdout.  The
 * stream has no half-close, so after stdin's EOF it keeps reading: until N
 * bytes came back (--expect N) or the tunnel ends.  --ping N instead sends
 * N small messages one at a time, each waiting for its echo, and prints the
 * mean round trip.  Exit: 0, 1 when the stream ended early, the open's
 * error code (message on stderr), 128 + signal when interrupted.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kube.h"
#include "log.h"
#include "portforward.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Small messages, one at a time. */
static int ping(int fd, int count)
{
	char msg[32], got[32];
	double t0 = now_s();

	memset(msg, 'p', sizeof(msg));
	for (int i = 0; i < count; i++) {
		size_t have = 0;

		if (write_all(fd, msg, sizeof(msg)) < 0)
			return -1;
		while (have < sizeof(got)) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t n;

			if (interrupted)
				return -2;
			if (poll(&p, 1, 100) <= 0)
				continue;
			n = read(fd, got + have, sizeof(got) - have);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				return -1;
			have += (size_t)n;
		}
		if (memcmp(msg, got, sizeof(msg)))
			return -1;
	}
	fprintf(stderr, "pf-cat: %d round trips, mean %.0f us\n", count, (now_s() - t0) / count * 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	struct kube_client kc;
	struct mtv_err err;
	struct portforward *pf = NULL;
	enum portforward_mode mode;
	struct sigaction sa;
	long long expect = -1;
	int pings = 0, fd, i = 1, rc = 0;
	unsigned long long in_total = 0, out_total = 0, sent, recvd;
	char pending[64 * 1024];
	size_t plen = 0, poff = 0;
	bool in_eof = false;
	double t0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	mtv_err_clear(&err);
	log_init("pf-cat", NULL);
	for (; i < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (i + 1 >= argc)
			break;
		if (!strcmp(argv[i], "--expect"))
			expect = atoll(argv[i + 1]);
		else if (!strcmp(argv[i], "--ping"))
			pings = atoi(argv[i + 1]);
		else
			break;
	}
	if (argc - i != 3) {
		fprintf(stderr, "usage: pf-cat [--expect N] [--ping N] NS NAME PORT\n");
		return 2;
	}
	if (portforward_mode_from_env(&mode, &err) < 0 || kube_client_from_env(&kc, NULL, &err) < 0) {
		fprintf(stderr, "pf-cat: %s\n", err.msg);
		return err.code;
	}
	t0 = now_s();
	if (portforward_open(&kc.cfg, mode, argv[i], argv[i + 1], atoi(argv[i + 2]), &interrupted, &pf, &fd, &err) <
	    0) {
		fprintf(stderr, "pf-cat: %s\n", err.msg);
		kube_client_release(&kc);
		return err.code;
	}
	fprintf(stderr, "pf-cat: tunnel up in %.0f ms\n", (now_s() - t0) * 1e3);
	t0 = now_s();
	if (pings > 0) {
		int r = ping(fd, pings);

		rc = r == -2 ? 128 + interrupted : r < 0 ? 1 : 0;
		goto out;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
		int np = 1;

		if (interrupted) {
			rc = 128 + interrupted;
			break;
		}
		if (expect >= 0 && in_eof && plen == poff && (long long)out_total >= expect)
			break;
		if (plen > poff)
			p[0].events |= POLLOUT;
		else if (!in_eof)
			np = 2;
		if (poll(p, (nfds_t)np, 100) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLOUT) {
			ssize_t w = write(fd, pending + poff, plen - poff);

			if (w < 0 && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "pf-cat: write: %s (%s)\n", strerror(errno), portforward_error(pf));
				rc = 1;
				break;
			}
			if (w > 0)
				poff += (size_t)w;
			if (poff == plen)
				poff = plen = 0;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			char buf[64 * 1024];
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n == 0) {
				if (expect >= 0 && (long long)out_total < expect) {
					fprintf(stderr, "pf-cat: the tunnel ended after %llu of %lld bytes: %s\n", out_total,
						expect, portforward_error(pf));
					rc = 1;
				} else {
					fprintf(stderr, "pf-cat: EOF: %s\n", portforward_error(pf));
				}
				break;
			}
			if (n > 0) {
				if (write_all(1, buf, (size_t)n) < 0) {
					rc = 1;
					break;
				}
				out_total += (unsigned long long)n;
			} else if (errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "pf-cat: read: %s (%s)\n", strerror(errno), portforward_error(pf));
				rc = 1;
				break;
			}
		}
		if (np == 2 && (p[1].revents & (POLLIN | POLLHUP))) {
			ssize_t n = read(0, pending, sizeof(pending));

			if (n == 0) {
				in_eof = true;
			} else if (n > 0) {
				plen = (size_t)n;
				poff = 0;
				in_total += (unsigned long long)n;
			} else if (errno != EINTR) {
				in_eof = true;
			}
		}
	}
out:
	portforward_counts(pf, &sent, &recvd);
	{
		double dt = now_s() - t0;

		fprintf(stderr, "pf-cat: stdin %llu stdout %llu bytes; tunnel sent %llu received %llu in %.3f s\n",
			in_total, out_total, sent, recvd, dt);
	}
	portforward_close(pf);
	kube_client_release(&kc);
	return rc;
}
