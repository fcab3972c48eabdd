/* lib/ssh: libssh2 in non-blocking mode, so that every wait is our own
 * poll() on the caller's fd, bounded by a deadline and woken every
 * SSH_SLICE_MS to look at the interrupt flag.  libssh2 itself would only
 * block in recv() with no way to be told about a signal.
 */
#include "ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libssh2.h>

#include "buf.h"
#include "fsutil.h"
#include "ssh_fingerprint.h"
#include "ssh_keyfile.h"

/* How long a wait may go without looking at the interrupt flag. */
#define SSH_SLICE_MS 200
/* ssh_close's budget for a polite goodbye to a peer that may be gone. */
#define SSH_CLOSE_MS 1000
#define SSH_READ_CHUNK 32768

struct ssh_session {
	LIBSSH2_SESSION *ls;
	int fd;
	volatile sig_atomic_t *interrupt;
	/* Set only while keyboard-interactive runs: its callback answers with it. */
	const char *kbd_password;
	/* A transport error, timeout or interrupt left libssh2 mid-exchange. */
	bool broken;
	char peer[128];
	char host_key[SSH_FINGERPRINT_MAX];
};

static pthread_once_t ssh_once = PTHREAD_ONCE_INIT;
static int ssh_init_rc;

static void ssh_global_init(void)
{
	ssh_init_rc = libssh2_init(0);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum ssh_wait {
	SSH_READY,
	SSH_TIMEOUT,
	SSH_INTERRUPTED,
};

/* libssh2 said EAGAIN: wait for the fd in the direction it is blocked on. */
static enum ssh_wait ssh_wait(struct ssh_session *s, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = s->fd };
		long long left;
		int dir, n;

		if (s->interrupt && *s->interrupt)
			return SSH_INTERRUPTED;
		left = deadline - now_ms();
		if (left <= 0)
			return SSH_TIMEOUT;
		dir = libssh2_session_block_directions(s->ls);
		if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
			p.events |= POLLIN;
		if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
			p.events |= POLLOUT;
		if (!p.events)
			p.events = POLLIN;
		n = poll(&p, 1, left < SSH_SLICE_MS ? (int)left : SSH_SLICE_MS);
		/* Ready, hung up or in error: libssh2 finds out which on its next call. */
		if (n > 0 || (n < 0 && errno != EINTR))
			return SSH_READY;
	}
}

static bool transport_error(int rc)
{
	return rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_RECV ||
	       rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_NONE ||
	       rc == LIBSSH2_ERROR_SOCKET_TIMEOUT || rc == LIBSSH2_ERROR_BAD_SOCKET;
}

/* libssh2's description of its last error.  Its messages name what it was
 * doing ("Unable to exchange encryption keys"), never a secret. */
static const char *last_error(struct ssh_session *s)
{
	char *msg = NULL;

	libssh2_session_last_error(s->ls, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown error";
}

/* The error for a wait that did not end in READY.  `cmd` names the
 * command for ssh_run, NULL during login. */
static int wait_failed(struct ssh_session *s, enum ssh_wait w, const char *cmd, long timeout_ms,
		       struct mtv_err *err)
{
	s->broken = true;
	if (w == SSH_INTERRUPTED) {
		int sig = *s->interrupt;

		if (cmd)
			return mtv_err_set(err, 128 + sig, "ssh: %s: %.200s: interrupted by signal %d", s->peer,
					   cmd, sig);
		return mtv_err_set(err, 128 + sig, "ssh: %s: interrupted by signal %d", s->peer, sig);
	}
	if (cmd)
		return mtv_err_set(err, MTV_EXIT_ENV, "ssh: %s: %.200s: timed out after %g s", s->peer, cmd,
				   timeout_ms / 1000.0);
	return mtv_err_set(err, MTV_EXIT_ENV, "ssh: %s: timed out after %g s", s->peer, timeout_ms / 1000.0);
}

/* The error for a libssh2 call that failed with rc (not EAGAIN). */
static int call_failed(struct ssh_session *s, int rc, const char *cmd, const char *doing, struct mtv_err *err)
{
	if (transport_error(rc)) {
		s->broken = true;
		if (cmd)
			return mtv_err_set(err, MTV_EXIT_ENV, "ssh: %s: connection closed while running %.200s",
					   s->peer, cmd);
		return mtv_err_set(err, MTV_EXIT_ENV, "ssh: %s: connection closed", s->peer);
	}
	if (cmd)
		return mtv_err_set(err, MTV_EXIT_ENV, "ssh: %s: %.200s: %s: %s", s->peer, cmd, doing, last_error(s));
	return mtv_err_set(err, MTV_EXIT_ENV, "ssh: %s: %s: %s", s->peer, doing, last_error(s));
}

/* ---- login ---- */

static bool method_offered(const char *list, const char *method)
{
	size_t n = strlen(method);
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, method, n))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* keyboard-interactive: every prompt gets the password (a guest that asks
 * "Password:" through PAM).  libssh2 frees the answers with its default
 * allocator, free(). */
static LIBSSH2_USERAUTH_KBDINT_RESPONSE_FUNC(kbd_answer)
{
	struct ssh_session *s = *abstract;
	int i;

	(void)name;
	(void)name_len;
	(void)instruction;
	(void)instruction_len;
	(void)prompts;
	for (i = 0; i < num_prompts; i++) {
		const char *pw = s->kbd_password ? s->kbd_password : "";

		responses[i].text = strdup(pw);
		responses[i].length = responses[i].text ? (unsigned int)strlen(pw) : 0;
	}
}

enum auth_outcome {
	AUTH_OK,
	AUTH_REFUSED,
	AUTH_ERROR,	/* err is set */
};

static enum auth_outcome auth_key(struct ssh_session *s, const struct ssh_auth *a, long long deadline,
				  long timeout_ms, struct mtv_err *err)
{
	enum ssh_wait w;
	int rc;

	/* No public key file: libssh2 (with OpenSSL) derives it from the
	 * private key, so MTV_SSH_KEY_FILE alone is enough. */
	while ((rc = libssh2_userauth_publickey_fromfile_ex(s->ls, a->user, (unsigned int)strlen(a->user), NULL,
							    a->key_file, a->key_passphrase)) ==
	       LIBSSH2_ERROR_EAGAIN)
		if ((w = ssh_wait(s, deadline)) != SSH_READY)
			return wait_failed(s, w, NULL, timeout_ms, err), AUTH_ERROR;
	if (rc == 0)
		return AUTH_OK;
	if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED || rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED)
		return AUTH_REFUSED;
	if (rc == LIBSSH2_ERROR_FILE) {
		mtv_err_set(err, MTV_EXIT_USAGE,
			    "ssh login: %s: cannot use the private key (wrong passphrase or unsupported format)",
			    a->key_file);
		return AUTH_ERROR;
	}
	call_failed(s, rc, NULL, "public key authentication", err);
	return AUTH_ERROR;
}

static enum auth_outcome auth_password(struct ssh_session *s, const struct ssh_auth *a, long long deadline,
				       long timeout_ms, struct mtv_err *err)
{
	enum ssh_wait w;
	int rc;

	while ((rc = libssh2_userauth_password_ex(s->ls, a->user, (unsigned int)strlen(a->user), a->password,
						  (unsigned int)strlen(a->password), NULL)) == LIBSSH2_ERROR_EAGAIN)
		if ((w = ssh_wait(s, deadline)) != SSH_READY)
			return wait_failed(s, w, NULL, timeout_ms, err), AUTH_ERROR;
	if (rc == 0)
		return AUTH_OK;
	if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED || rc == LIBSSH2_ERROR_PASSWORD_EXPIRED)
		return AUTH_REFUSED;
	call_failed(s, rc, NULL, "password authentication", err);
	return AUTH_ERROR;
}

static enum auth_outcome auth_kbd(struct ssh_session *s, const struct ssh_auth *a, long long deadline,
				  long timeout_ms, struct mtv_err *err)
{
	enum ssh_wait w;
	int rc;

	s->kbd_password = a->password;
	while ((rc = libssh2_userauth_keyboard_interactive_ex(s->ls, a->user, (unsigned int)strlen(a->user),
							      kbd_answer)) == LIBSSH2_ERROR_EAGAIN)
		if ((w = ssh_wait(s, deadline)) != SSH_READY) {
			s->kbd_password = NULL;
			return wait_failed(s, w, NULL, timeout_ms, err), AUTH_ERROR;
		}
	s->kbd_password = NULL;
	if (rc == 0)
		return AUTH_OK;
	if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED)
		return AUTH_REFUSED;
	call_failed(s, rc, NULL, "keyboard-interactive authentication", err);
	return AUTH_ERROR;
}

/* libssh2 before 1.11 signs with an RSA key as ssh-rsa (SHA-1) only, and
 * OpenSSH 8.8 and later refuse that by default: the refusal then says
 * nothing about the key, so say what it is about. */
static bool rsa_sha1_only(const char *key_file)
{
	struct buf text = BUF_INIT(64 * 1024);
	char type[32];
	bool rsa;

	if (libssh2_version(0x010b00))
		return false;
	if (fs_read_file(key_file, &text, 64 * 1024, NULL) < 0)
		return false;
	rsa = ssh_keyfile_type(text.data, text.len, type, sizeof(type)) == 0 && !strcmp(type, "ssh-rsa");
	buf_release(&text);
	return rsa;
}

static int authenticate(struct ssh_session *s, const struct ssh_auth *a, long long deadline, long timeout_ms,
			struct mtv_err *err)
{
	bool use_key = a->key_file && *a->key_file;
	enum auth_outcome o = AUTH_REFUSED;
	bool tried = false;
	char *methods;
	const char *list;
	enum ssh_wait w;
	int rc;

	/* Ask for the methods (the "none" request); a server may let us in on it. */
	while (!(list = libssh2_userauth_list(s->ls, a->user, (unsigned int)strlen(a->user)))) {
		if (libssh2_userauth_authenticated(s->ls))
			return 0;
		rc = libssh2_session_last_errno(s->ls);
		if (rc != LIBSSH2_ERROR_EAGAIN)
			return call_failed(s, rc, NULL, "asking for the authentication methods", err);
		if ((w = ssh_wait(s, deadline)) != SSH_READY)
			return wait_failed(s, w, NULL, timeout_ms, err);
	}
	/* The list lives in the session until the next call: keep a copy. */
	methods = strdup(list);
	if (!methods)
		return mtv_err_set(err, MTV_EXIT_ENV, "ssh: %s: out of memory", s->peer);

	if (use_key) {
		if (method_offered(methods, "publickey")) {
			tried = true;
			o = auth_key(s, a, deadline, timeout_ms, err);
		}
	} else {
		if (method_offered(methods, "password")) {
			tried = true;
			o = auth_password(s, a, deadline, timeout_ms, err);
		}
		if (o == AUTH_REFUSED && method_offered(methods, "keyboard-interactive")) {
			tried = true;
			o = auth_kbd(s, a, deadline, timeout_ms, err);
		}
	}
	if (o == AUTH_REFUSED) {
		/* Which methods the guest takes is no secret, and it is the whole
		 * story when ours was not among them. */
		if (tried && use_key && rsa_sha1_only(a->key_file))
			mtv_err_set(err, MTV_EXIT_FAILED,
				    "ssh login: authentication failed for %s (an RSA key: libssh2 %s signs only "
				    "ssh-rsa/SHA-1, which OpenSSH 8.8 and later refuse; use an ed25519 or ECDSA key)",
				    a->user, libssh2_version(0));
		else if (tried)
			mtv_err_set(err, MTV_EXIT_FAILED, "ssh login: authentication failed for %s", a->user);
		else
			mtv_err_set(err, MTV_EXIT_FAILED,
				    "ssh login: authentication failed for %s (server accepts: %.200s)", a->user,
				    methods);
	}
	free(methods);
	return o == AUTH_OK ? 0 : -1;
}

int ssh_login(int fd, const char *peer, const struct ssh_auth *auth, long timeout_ms,
	      volatile sig_atomic_t *interrupt, struct ssh_session **out, struct mtv_err *err)
{
	struct ssh_session *s;
	const char *blob;
	long long deadline;
	enum ssh_wait w;
	size_t bloblen;
	int rc, type, kfd;

	*out = NULL;
	if (!peer)
		peer = "guest";
	if (!auth || !auth->user || !*auth->user)
		return mtv_err_set(err, MTV_EXIT_USAGE, "ssh login: %s: no user name", peer);
	if (auth->key_file && *auth->key_file) {
		/* Before connecting: a key we cannot read is a setup error, not a
		 * guest that refused us. */
		kfd = open(auth->key_file, O_RDONLY | O_CLOEXEC);
		if (kfd < 0)
			return mtv_err_set(err, MTV_EXIT_USAGE, "ssh login: %s: %s", auth->key_file, strerror(errno));
		close(kfd);
	} else if (!auth->password || !*auth->password) {
		return mtv_err_set(err, MTV_EXIT_USAGE, "ssh login: neither a password nor a key file for %s",
				   auth->user);
	}
	pthread_once(&ssh_once, ssh_global_init);
	if (ssh_init_rc != 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "ssh: libssh2 initialisation failed (%d)", ssh_init_rc);

	s = calloc(1, sizeof(*s));
	if (!s)
		return mtv_err_set(err, MTV_EXIT_ENV, "ssh: out of memory");
	s->fd = fd;
	s->interrupt = interrupt;
	snprintf(s->peer, sizeof(s->peer), "%s", peer);
	s->ls = libssh2_session_init_ex(NULL, NULL, NULL, s);
	if (!s->ls) {
		free(s);
		return mtv_err_set(err, MTV_EXIT_ENV, "ssh: %s: cannot create a libssh2 session", peer);
	}
	libssh2_session_set_blocking(s->ls, 0);
	deadline = now_ms() + timeout_ms;

	while ((rc = libssh2_session_handshake(s->ls, fd)) == LIBSSH2_ERROR_EAGAIN)
		if ((w = ssh_wait(s, deadline)) != SSH_READY) {
			wait_failed(s, w, NULL, timeout_ms, err);
			goto fail;
		}
	if (rc) {
		if (transport_error(rc))
			call_failed(s, rc, NULL, "handshake", err);
		else
			call_failed(s, rc, NULL, "handshake failed", err);
		goto fail;
	}
	blob = libssh2_session_hostkey(s->ls, &bloblen, &type);
	if (!blob || ssh_fingerprint((const unsigned char *)blob, bloblen, s->host_key) < 0)
		snprintf(s->host_key, sizeof(s->host_key), "unknown");

	if (authenticate(s, auth, deadline, timeout_ms, err) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	ssh_close(s);
	return -1;
}

const char *ssh_host_key(const struct ssh_session *s)
{
	return s ? s->host_key : "";
}

/* ---- commands ---- */

/* Keep what fits under the cap, count the rest as dropped. */
static int keep_capped(struct buf *b, const char *data, size_t n, bool *truncated)
{
	size_t room = b->max - b->len;

	if (n > room) {
		*truncated = true;
		n = room;
	}
	return n ? buf_add(b, data, n) : 0;
}

/* Read what is there on both streams; *progress when anything came. */
static int drain(struct ssh_session *s, LIBSSH2_CHANNEL *ch, struct buf *bufs, bool *truncated, bool *progress,
		 const char *cmd, struct mtv_err *err)
{
	char chunk[SSH_READ_CHUNK];
	int stream;

	for (stream = 0; stream < 2; stream++) {
		ssize_t n = libssh2_channel_read_ex(ch, stream ? SSH_EXTENDED_DATA_STDERR : 0, chunk, sizeof(chunk));

		if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
			continue;
		if (n < 0)
			return call_failed(s, (int)n, cmd, "reading its output", err);
		*progress = true;
		if (keep_capped(&bufs[stream], chunk, (size_t)n, &truncated[stream]) < 0)
			return mtv_err_set(err, MTV_EXIT_ENV, "ssh: %s: %.200s: out of memory", s->peer, cmd);
	}
	return 0;
}

/* Free the channel, waiting at most until the deadline (the session frees
 * whatever is left at ssh_close). */
static void channel_free(struct ssh_session *s, LIBSSH2_CHANNEL *ch, long long deadline)
{
	while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(s, deadline) != SSH_READY)
			return;
}

int ssh_run(struct ssh_session *s, const char *cmd, long timeout_ms, size_t out_cap, struct ssh_result *res,
	    struct mtv_err *err)
{
	struct buf bufs[2] = { BUF_INIT(out_cap), BUF_INIT(out_cap) };
	bool truncated[2] = { false, false };
	LIBSSH2_CHANNEL *ch;
	long long deadline;
	enum ssh_wait w;
	char *signame = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
	if (s->broken)
		return mtv_err_set(err, MTV_EXIT_ENV, "ssh: %s: %.200s: the session failed earlier", s->peer, cmd);
	deadline = now_ms() + timeout_ms;

	while (!(ch = libssh2_channel_open_session(s->ls))) {
		rc = libssh2_session_last_errno(s->ls);
		if (rc != LIBSSH2_ERROR_EAGAIN)
			return call_failed(s, rc, cmd, "opening a channel", err);
		if ((w = ssh_wait(s, deadline)) != SSH_READY)
			return wait_failed(s, w, cmd, timeout_ms, err);
	}
	while ((rc = libssh2_channel_exec(ch, cmd)) == LIBSSH2_ERROR_EAGAIN)
		if ((w = ssh_wait(s, deadline)) != SSH_READY) {
			wait_failed(s, w, cmd, timeout_ms, err);
			goto fail;
		}
	if (rc) {
		call_failed(s, rc, cmd, "the guest would not run it", err);
		goto fail;
	}
	/* Nothing comes on stdin: say so, or a command that reads it (cat,
	 * powershell -Command -) waits for the timeout. */
	while ((rc = libssh2_channel_send_eof(ch)) == LIBSSH2_ERROR_EAGAIN)
		if ((w = ssh_wait(s, deadline)) != SSH_READY) {
			wait_failed(s, w, cmd, timeout_ms, err);
			goto fail;
		}
	if (rc) {
		call_failed(s, rc, cmd, "closing its stdin", err);
		goto fail;
	}

	/* Until EOF on both streams; past the cap the bytes are read and
	 * dropped, so the window keeps moving and the command can finish. */
	for (;;) {
		bool progress = false;

		if (drain(s, ch, bufs, truncated, &progress, cmd, err) < 0)
			goto fail;
		if (libssh2_channel_eof(ch))
			break;
		if (s->interrupt && *s->interrupt) {
			wait_failed(s, SSH_INTERRUPTED, cmd, timeout_ms, err);
			goto fail;
		}
		if (now_ms() >= deadline) {
			wait_failed(s, SSH_TIMEOUT, cmd, timeout_ms, err);
			goto fail;
		}
		if (!progress && (w = ssh_wait(s, deadline)) != SSH_READY) {
			wait_failed(s, w, cmd, timeout_ms, err);
			goto fail;
		}
	}
	while ((rc = libssh2_channel_close(ch)) == LIBSSH2_ERROR_EAGAIN)
		if ((w = ssh_wait(s, deadline)) != SSH_READY) {
			wait_failed(s, w, cmd, timeout_ms, err);
			goto fail;
		}
	/* The exit status comes before the server's close. */
	while (rc == 0 && (rc = libssh2_channel_wait_closed(ch)) == LIBSSH2_ERROR_EAGAIN)
		if ((w = ssh_wait(s, deadline)) != SSH_READY) {
			wait_failed(s, w, cmd, timeout_ms, err);
			goto fail;
		}
	if (rc && transport_error(rc)) {
		call_failed(s, rc, cmd, "closing", err);
		goto fail;
	}
	if (libssh2_channel_get_exit_signal(ch, &signame, NULL, NULL, NULL, NULL, NULL) == 0 && signame) {
		res->exit_status = -1;
		libssh2_free(s->ls, signame);
	} else {
		res->exit_status = libssh2_channel_get_exit_status(ch);
	}
	channel_free(s, ch, deadline);

	res->out_len = bufs[0].len;
	res->out = buf_take(&bufs[0]);
	res->out_truncated = truncated[0];
	res->err_len = bufs[1].len;
	res->err = buf_take(&bufs[1]);
	res->err_truncated = truncated[1];
	return 0;
fail:
	/* The session is unusable now; ssh_close frees what is left. */
	s->broken = true;
	buf_release(&bufs[0]);
	buf_release(&bufs[1]);
	return -1;
}

void ssh_result_release(struct ssh_result *res)
{
	if (!res)
		return;
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
}

void ssh_close(struct ssh_session *s)
{
	bool interrupted, shut = false;
	long long deadline;

	if (!s)
		return;
	/* Interrupted: no goodbye, the step must exit now.  Broken: the
	 * transport is gone or mid-exchange, nothing polite is possible.
	 * From here our own deadline bounds every wait, not the flag. */
	interrupted = s->interrupt && *s->interrupt;
	s->interrupt = NULL;
	deadline = now_ms() + (interrupted ? 0 : s->broken ? SSH_SLICE_MS : SSH_CLOSE_MS);
	if (!s->broken && !interrupted)
		while (libssh2_session_disconnect(s->ls, "bye") == LIBSSH2_ERROR_EAGAIN)
			if (ssh_wait(s, deadline) != SSH_READY)
				break;
	/* Freeing a channel that is still open waits for the peer's close. */
	while (libssh2_session_free(s->ls) == LIBSSH2_ERROR_EAGAIN) {
		if (ssh_wait(s, deadline) == SSH_READY)
			continue;
		if (shut) {
			/* Never seen; better a leak than a step that hangs. */
			free(s);
			return;
		}
		/* Out of time: shut the stream down so libssh2 reads EOF and
		 * lets go at once.  The fd itself stays the caller's, who has
		 * nothing left to do with it but close it. */
		shutdown(s->fd, SHUT_RDWR);
		shut = true;
		deadline = now_ms() + SSH_SLICE_MS;
	}
	free(s);
}
