/* The virtctl tunnel (MTV_SSH_TUNNEL=virtctl), as mtv-api-tests makes it:
 *
 *   virtctl port-forward vm/<name> <local>:<port> --namespace <ns>
 *           --address 127.0.0.1 --kubeconfig <private file>
 *
 * The credentials reach virtctl only through a kubeconfig written for it
 * (mode 0600 in a 0700 directory of its own, removed on close), never on its
 * command line where `ps` would show them.  virtctl listens on a local port
 * we pick (bind to 0, close, hand the number over; if virtctl then cannot
 * bind it, pick again), and the caller's stream is a TCP connection to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "log.h"
#include "loopback.h"
#include "portforward_int.h"

extern char **environ;

/* virtctl should listen well within this; a hung one is not waited for. */
#define VIRTCTL_START_S 20
#define VIRTCTL_BIND_ATTEMPTS 3

static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char cand[4096];

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(cand, sizeof(cand), "%.*s/%s", n ? (int)n : 1, n ? path : ".", prog);
		if (access(cand, X_OK) == 0)
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

bool portforward_virtctl_available(void)
{
	return on_path("virtctl");
}

/* A YAML double-quoted scalar. */
static int add_quoted(struct buf *b, const char *s)
{
	if (buf_addch(b, '"') < 0)
		return -1;
	for (; *s; s++) {
		if ((*s == '"' || *s == '\\') && buf_addch(b, '\\') < 0)
			return -1;
		if (buf_addch(b, *s) < 0)
			return -1;
	}
	return buf_addch(b, '"');
}

static int add_b64(struct buf *b, const char *key, const char *data, size_t len)
{
	if (!data || !len)
		return 0;
	if (buf_addf(b, "    %s: ", key) < 0 || base64_encode(b, data, len) < 0 || buf_addch(b, '\n') < 0)
		return -1;
	return 0;
}

static int kubeconfig_text(const struct kubeconfig *kc, const char *ns, struct buf *b)
{
	if (buf_addstr(b, "apiVersion: v1\nkind: Config\nclusters:\n- name: mtv\n  cluster:\n    server: ") < 0 ||
	    add_quoted(b, kc->server) < 0 || buf_addch(b, '\n') < 0 ||
	    add_b64(b, "certificate-authority-data", kc->ca_pem, kc->ca_len) < 0 ||
	    (kc->insecure && buf_addstr(b, "    insecure-skip-tls-verify: true\n") < 0) ||
	    buf_addstr(b, "users:\n- name: mtv\n  user:\n") < 0 ||
	    add_b64(b, "client-certificate-data", kc->cert_pem, kc->cert_len) < 0 ||
	    add_b64(b, "client-key-data", kc->key_pem, kc->key_len) < 0)
		return -1;
	if (kc->token && (buf_addstr(b, "    token: ") < 0 || add_quoted(b, kc->token) < 0 || buf_addch(b, '\n') < 0))
		return -1;
	if (buf_addstr(b, "contexts:\n- name: mtv\n  context:\n    cluster: mtv\n    user: mtv\n    namespace: ") < 0 ||
	    add_quoted(b, ns) < 0 || buf_addstr(b, "\ncurrent-context: mtv\n") < 0)
		return -1;
	return 0;
}

static int write_private(const char *path, const struct buf *b)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < b->len) {
		ssize_t n = write(fd, b->data + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return close(fd);
}

/* The last non-empty line virtctl wrote, sanitised. */
static void log_tail(const struct portforward *pf, char *out, size_t outsz)
{
	char path[300], data[4096];
	FILE *f;
	size_t n;
	char *line, *end;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/virtctl.log", pf->tmpdir);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > (long)sizeof(data) - 1)
		fseek(f, -(long)sizeof(data) + 1, SEEK_END);
	else
		rewind(f);
	n = fread(data, 1, sizeof(data) - 1, f);
	fclose(f);
	data[n] = '\0';
	while (n && (data[n - 1] == '\n' || data[n - 1] == '\r'))
		data[--n] = '\0';
	end = data + n;
	line = end;
	while (line > data && line[-1] != '\n')
		line--;
	(void)end;
	log_sanitize(out, outsz, line);
}

static void stop_child(struct portforward *pf)
{
	int i;

	if (pf->pid <= 0)
		return;
	kill(pf->pid, SIGTERM);
	for (i = 0; i < 40; i++) {
		if (waitpid(pf->pid, NULL, WNOHANG) == pf->pid) {
			pf->pid = -1;
			return;
		}
		usleep(50 * 1000);
	}
	kill(pf->pid, SIGKILL);
	waitpid(pf->pid, NULL, 0);
	pf->pid = -1;
}

static void remove_files(struct portforward *pf)
{
	char path[300];

	if (!pf->tmpdir[0])
		return;
	snprintf(path, sizeof(path), "%s/kubeconfig", pf->tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/virtctl.log", pf->tmpdir);
	unlink(path);
	rmdir(pf->tmpdir);
	pf->tmpdir[0] = '\0';
}

static int spawn_virtctl(struct portforward *pf, const char *ns, const char *name, int port, int local,
			 struct mtv_err *err)
{
	char target[300], ports[64], kcpath[300], logpath[300];
	posix_spawn_file_actions_t fa;
	char *argv[12];
	int rc;

	snprintf(target, sizeof(target), "vm/%s", name);
	snprintf(ports, sizeof(ports), "%d:%d", local, port);
	snprintf(kcpath, sizeof(kcpath), "%s/kubeconfig", pf->tmpdir);
	snprintf(logpath, sizeof(logpath), "%s/virtctl.log", pf->tmpdir);
	argv[0] = "virtctl";
	argv[1] = "port-forward";
	argv[2] = target;
	argv[3] = ports;
	argv[4] = "--namespace";
	argv[5] = (char *)ns;
	argv[6] = "--address";
	argv[7] = "127.0.0.1";
	argv[8] = "--kubeconfig";
	argv[9] = kcpath;
	argv[10] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawnp(&pf->pid, "virtctl", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		pf->pid = -1;
		return mtv_err_set(err, MTV_EXIT_ENV, "portforward: cannot run virtctl: %s", strerror(rc));
	}
	log_debug("portforward: %s: virtctl port-forward %s %s --namespace %s (pid %d)", pf->what, target, ports, ns,
		  (int)pf->pid);
	return 0;
}

int pf_open_virtctl(const struct kubeconfig *kc, struct portforward *pf, const char *ns, const char *name,
		    int port, volatile sig_atomic_t *interrupt, struct mtv_err *err)
{
	const char *tmp = getenv("TMPDIR");
	struct buf text = BUF_INIT(1024 * 1024);
	char kcpath[300], tail[400];
	int attempt;

	if (!on_path("virtctl"))
		return mtv_err_set(err, MTV_EXIT_USAGE, "portforward: MTV_SSH_TUNNEL=virtctl but virtctl is not on PATH");
	snprintf(pf->tmpdir, sizeof(pf->tmpdir), "%s/mtv-virtctl-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(pf->tmpdir)) {
		int e = errno;

		pf->tmpdir[0] = '\0';
		return mtv_err_set(err, MTV_EXIT_ENV, "portforward: cannot make a private directory: %s", strerror(e));
	}
	snprintf(kcpath, sizeof(kcpath), "%s/kubeconfig", pf->tmpdir);
	if (kubeconfig_text(kc, ns, &text) < 0 || write_private(kcpath, &text) < 0) {
		explicit_bzero(text.data, text.cap);
		buf_release(&text);
		remove_files(pf);
		return mtv_err_set(err, MTV_EXIT_ENV, "portforward: cannot write virtctl's kubeconfig");
	}
	if (text.data)
		explicit_bzero(text.data, text.cap);
	buf_release(&text);

	for (attempt = 1; attempt <= VIRTCTL_BIND_ATTEMPTS; attempt++) {
		int local = loopback_free_port(), status, i;

		if (local <= 0 || spawn_virtctl(pf, ns, name, port, local, err) < 0)
			break;
		for (i = 0; i < VIRTCTL_START_S * 20; i++) {
			int s;

			if (interrupt && *interrupt) {
				int sig = *interrupt;

				stop_child(pf);
				remove_files(pf);
				return mtv_err_set(err, 128 + sig, "portforward: %s: interrupted", pf->what);
			}
			if (waitpid(pf->pid, &status, WNOHANG) == pf->pid) {
				pf->pid = -1;
				log_tail(pf, tail, sizeof(tail));
				/* someone took the port between our bind and virtctl's */
				if (strstr(tail, "address already in use") && attempt < VIRTCTL_BIND_ATTEMPTS)
					break;
				remove_files(pf);
				return mtv_err_set(err, MTV_EXIT_ENV, "portforward: %s: virtctl exited %d: %s", pf->what,
						   WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
						   tail[0] ? tail : "(no output)");
			}
			s = loopback_connect(local);
			if (s >= 0) {
				pf->fd = s;
				log_debug("portforward: %s: through virtctl on 127.0.0.1:%d", pf->what, local);
				return 0;
			}
			usleep(50 * 1000);
		}
		if (pf->pid > 0) {
			stop_child(pf);
			remove_files(pf);
			return mtv_err_set(err, MTV_EXIT_ENV, "portforward: %s: virtctl did not listen within %d s",
					   pf->what, VIRTCTL_START_S);
		}
	}
	stop_child(pf);
	remove_files(pf);
	if (!err || !err->msg[0])
		return mtv_err_set(err, MTV_EXIT_ENV, "portforward: %s: virtctl could not listen on a local port",
				   pf->what);
	return -1;
}

void pf_close_virtctl(struct portforward *pf)
{
	if (pf->fd >= 0) {
		close(pf->fd);
		pf->fd = -1;
	}
	stop_child(pf);
	remove_files(pf);
}

/* virtctl says why a stream it carried ended only in its output. */
void pf_virtctl_error(struct portforward *pf)
{
	char tail[400];

	if (pf->error[0] || !pf->tmpdir[0])
		return;
	log_tail(pf, tail, sizeof(tail));
	if (tail[0])
		pf_set_error(pf, "%s: virtctl: %s", pf->what, tail);
}
