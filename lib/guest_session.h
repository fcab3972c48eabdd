/* A command session inside a migrated guest: a tunnel to port 22 of its
 * VirtualMachineInstance (lib/portforward) and an SSH login over it
 * (lib/ssh), retried as a whole while the guest boots.
 *
 * A transport failure (MTV_EXIT_ENV: the tunnel cannot open, nothing
 * listens in the guest yet, the handshake dies) is retried `retries` times
 * in all, `delay_s` apart (MTV_SSH_RETRIES, MTV_SSH_RETRY_DELAY), each
 * sleep ending at once on an interrupt.  A refused login is final: the
 * guest answered, and asking again with the same credentials only locks
 * accounts.  Bad input (an unreadable key file, virtctl missing) is final
 * too.
 */
#ifndef MTV_GUEST_SESSION_H
#define MTV_GUEST_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "kubeconfig.h"
#include "portforward.h"
#include "ssh.h"

#define GUEST_SSH_PORT 22
#define GUEST_OUTPUT_CAP (64u * 1024)	/* per stream of each command */

struct guest_target {
	const struct kubeconfig *kc;
	enum portforward_mode mode;
	const char *ns, *name;		/* the destination VMI */
	const char *peer;		/* for messages: "VM mtv-rhel8" */
	struct ssh_auth auth;
	long retries;			/* attempts in all, >= 1 */
	long delay_s;			/* between attempts */
	long timeout_ms;		/* each handshake/login wait */
	volatile sig_atomic_t *interrupt;
};

struct guest_session {
	struct portforward *pf;
	struct ssh_session *ssh;
	int fd;
	int attempts;			/* how many it took */
	char host_key[256];		/* ssh_host_key() */
};

/* Open the tunnel and log in.  Errors: the last attempt's (MTV_EXIT_ENV
 * prefixed "after N attempts: "), MTV_EXIT_FAILED "ssh login:
 * authentication failed for <user>", MTV_EXIT_USAGE, 128 + signal. */
int guest_session_open(const struct guest_target *t, struct guest_session *gs, struct mtv_err *err);

/* Run one fixed command (never one carrying a secret), output capped at
 * cap bytes per stream.  A tunnel that dropped under it says so. */
int guest_session_run(struct guest_session *gs, const char *cmd, long timeout_ms, size_t cap,
		      struct ssh_result *res, struct mtv_err *err);

/* Log out, close the tunnel.  Safe on a zeroed or closed session. */
void guest_session_close(struct guest_session *gs);

#endif
