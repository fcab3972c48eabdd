/* An SSH client session over an already connected file descriptor
 * (a TCP socket, or the socketpair end of lib/portforward), on libssh2.
 *
 * The host key is recorded, not verified: a migrated guest, like a fresh
 * clone, may have a new one.  Authentication: the key in key_file when set
 * (public key auth), else the password (password auth, then
 * keyboard-interactive answering every prompt with it).
 *
 * Secrets (the password, the key's passphrase) never appear in an error
 * message; libssh2's own messages are passed through only where they carry
 * no secret.
 */
#ifndef MTV_SSH_H
#define MTV_SSH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct ssh_session;

struct ssh_auth {
	const char *user;
	const char *password;		/* NULL or "" when key_file is used */
	const char *key_file;		/* private key path (MTV_SSH_KEY_FILE), or NULL */
	const char *key_passphrase;	/* or NULL */
};

/* Handshake and log in over fd (not closed by ssh_close: the caller owns
 * it).  `peer` names the guest in messages ("VM mtv-rhel8").  Every wait is
 * bounded by timeout_ms.  Errors:
 *   MTV_EXIT_FAILED "ssh login: authentication failed for <user>"
 *     (the guest refused the credentials; never the password itself);
 *   MTV_EXIT_ENV "ssh: <peer>: handshake failed: ..." and
 *     "ssh: <peer>: connection closed" / "timed out after N s" (the
 *     transport: the caller may retry);
 *   MTV_EXIT_USAGE an unreadable key file, naming it;
 *   128 + signal when *interrupt becomes non-zero (within about a second). */
int ssh_login(int fd, const char *peer, const struct ssh_auth *auth, long timeout_ms,
	      volatile sig_atomic_t *interrupt, struct ssh_session **out, struct mtv_err *err);

/* The server's host key as "<type> SHA256:<base64 fingerprint>", e.g.
 * "ssh-ed25519 SHA256:Xk2...", for the artifacts. */
const char *ssh_host_key(const struct ssh_session *s);

struct ssh_result {
	int exit_status;	/* the command's exit status; -1 when it gave none (killed by a signal) */
	char *out;		/* stdout, NUL-terminated, at most out_cap bytes */
	size_t out_len;
	bool out_truncated;	/* the command printed more than out_cap; the rest was read and dropped */
	char *err;		/* stderr, same cap */
	size_t err_len;
	bool err_truncated;
};

/* Run cmd in a new channel ("exec"), collect stdout and stderr, each capped
 * at out_cap bytes, wait for its exit status.  Errors (the session is then
 * unusable): MTV_EXIT_ENV "ssh: <peer>: <cmd>: timed out after N s",
 * "ssh: <peer>: connection closed while running <cmd>"; 128 + signal on an
 * interrupt.  A command that runs and exits non-zero is not an error. */
int ssh_run(struct ssh_session *s, const char *cmd, long timeout_ms, size_t out_cap, struct ssh_result *res,
	    struct mtv_err *err);

void ssh_result_release(struct ssh_result *res);

/* Disconnect politely and free the session.  NULL is a no-op. */
void ssh_close(struct ssh_session *s);

#endif
