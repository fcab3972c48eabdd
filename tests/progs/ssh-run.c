/* ssh-run: drives lib/ssh so bats tests can check it against a real sshd
 * (tests/sshd/guest.bash).
 *
 *   ssh-run [--key FILE] [--timeout MS] [--cap BYTES] [--info] [--pair] PORT USER CMD...
 *
 * Connects to 127.0.0.1:PORT, logs in as USER with the key, else with the
 * password in $SSH_RUN_PASSWORD (never on the command line: it would show in
 * ps), the key's passphrase in $SSH_RUN_PASSPHRASE, then runs each CMD in
 * turn on the one session.  Each command's stdout goes to stdout, its stderr
 * to stderr; the exit status is the last command's (125 when it died of a
 * signal).  --info prints instead, per command, one line
 *   exit_status=N out_len=N out_truncated=0|1 err_len=N err_truncated=0|1 rss_growth_kb=N
 * (how much the peak RSS grew while it ran; "n/a" under ASan)
 * after a first line "host_key=<type> SHA256:...".  --pair: lib/ssh gets one
 * end of a socketpair and a thread copies between its other end and the TCP
 * connection, as lib/portforward's bridge does; when either side ends the
 * thread closes both, as the tunnel does.
 *
 * Errors: "ssh-run: <message>" on stderr, exit status from err.code.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"
#include "ssh.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

struct bridge {
	int pair;	/* our end of the socketpair */
	int tcp;
};

/* Copy both ways until either side ends, then close both. */
static void *bridge_run(void *arg)
{
	struct bridge *b = arg;
	char chunk[16384];

	for (;;) {
		struct pollfd p[2] = { { .fd = b->pair, .events = POLLIN }, { .fd = b->tcp, .events = POLLIN } };
		int i;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			ssize_t n, off = 0;

			if (!p[i].revents)
				continue;
			n = read(p[i].fd, chunk, sizeof(chunk));
			if (n <= 0)
				goto out;
			while (off < n) {
				ssize_t w = write(p[1 - i].fd, chunk + off, (size_t)(n - off));

				if (w <= 0)
					goto out;
				off += w;
			}
		}
	}
out:
	close(b->pair);
	close(b->tcp);
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: ssh-run [--key FILE] [--timeout MS] [--cap BYTES] [--info] [--pair] PORT USER CMD...\n");
	return 2;
}

static int connect_port(int port, struct mtv_err *err)
{
	int fd = loopback_connect(port);

	if (fd < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "connect 127.0.0.1:%d: %m", port);
	return fd;
}

int main(int argc, char **argv)
{
	struct ssh_auth auth = { 0 };
	struct mtv_err err = { 0 };
	struct ssh_session *s = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	long timeout_ms = 10000;
	size_t cap = 1024 * 1024;
	bool info = false, pair = false;
	struct bridge br;
	pthread_t bridge;
	int fd, sv[2], i, rc = 0;

	/* No SA_RESTART: a signal must end a poll() at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--key") && i + 1 < argc)
			auth.key_file = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout_ms = atol(argv[++i]);
		else if (!strcmp(argv[i], "--cap") && i + 1 < argc)
			cap = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--info"))
			info = true;
		else if (!strcmp(argv[i], "--pair"))
			pair = true;
		else
			return usage();
	}
	if (argc - i < 3)
		return usage();
	auth.user = argv[i + 1];
	auth.password = getenv("SSH_RUN_PASSWORD");
	auth.key_passphrase = getenv("SSH_RUN_PASSPHRASE");

	fd = connect_port(atoi(argv[i]), &err);
	if (fd < 0)
		goto fail;
	if (pair) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
			mtv_err_set(&err, MTV_EXIT_ENV, "socketpair: %m");
			goto fail;
		}
		br.pair = sv[1];
		br.tcp = fd;
		fd = sv[0];
		if (pthread_create(&bridge, NULL, bridge_run, &br)) {
			mtv_err_set(&err, MTV_EXIT_ENV, "pthread_create failed");
			pair = false;
			goto fail;
		}
	}
	if (ssh_login(fd, "guest", &auth, timeout_ms, &got_signal, &s, &err) < 0)
		goto fail;
	if (info)
		printf("host_key=%s\n", ssh_host_key(s));
	for (i += 2; i < argc; i++) {
		struct ssh_result res;
		long before = maxrss_kb();

		if (ssh_run(s, argv[i], timeout_ms, cap, &res, &err) < 0)
			goto fail;
		if (info) {
			printf("exit_status=%d out_len=%zu out_truncated=%d err_len=%zu err_truncated=%d",
			       res.exit_status, res.out_len, res.out_truncated, res.err_len, res.err_truncated);
#ifdef __SANITIZE_ADDRESS__
			/* ASan's shadow and quarantine make the RSS meaningless. */
			(void)before;
			printf(" rss_growth_kb=n/a\n");
#else
			printf(" rss_growth_kb=%ld\n", maxrss_kb() - before);
#endif
		} else {
			fwrite(res.out, 1, res.out_len, stdout);
			fwrite(res.err, 1, res.err_len, stderr);
		}
		fflush(stdout);
		rc = res.exit_status;
		if (rc < 0) {
			fprintf(stderr, "ssh-run: %s: killed by a signal\n", argv[i]);
			rc = 125;
		}
		ssh_result_release(&res);
	}
	ssh_close(s);
	close(fd);
	if (pair)
		pthread_join(bridge, NULL);
	return rc;
fail:
	fprintf(stderr, "ssh-run: %s\n", err.msg);
	ssh_close(s);
	if (fd >= 0)
		close(fd);
	if (pair)
		pthread_join(bridge, NULL);
	return err.code ? err.code : 1;
}
