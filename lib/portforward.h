/* A TCP tunnel into a running VirtualMachineInstance: KubeVirt's
 * port-forward subresource
 *
 *   GET /apis/subresources.kubevirt.io/v1/namespaces/<ns>/
 *       virtualmachineinstances/<name>/portforward/<port>/tcp
 *
 * upgraded to a WebSocket with the subprotocol "plain.kubevirt.io" (binary
 * messages carry the raw bytes of the TCP stream, both ways), made with
 * libwebsockets using the kubeconfig's server, CA, bearer token or client
 * certificate.  The caller gets one end of a socketpair; a thread bridges
 * the other end to the WebSocket, so anything that speaks over a file
 * descriptor (lib/ssh) works through the tunnel unchanged.
 *
 * With MTV_SSH_TUNNEL=virtctl (and virtctl on PATH) the tunnel is
 * `virtctl port-forward vm/<name> <local>:<port> --namespace <ns>
 * --address 127.0.0.1` instead, as mtv-api-tests does; the credentials go to
 * virtctl in a private kubeconfig file (mode 0600, removed on close), never
 * on its command line.
 *
 * No retry here: a booting guest needs the whole connection (tunnel and SSH
 * login) retried, which the caller does (lib/guest_session).
 */
#ifndef MTV_PORTFORWARD_H
#define MTV_PORTFORWARD_H

#include <signal.h>
#include <stdbool.h>

#include "err.h"
#include "kubeconfig.h"

struct portforward;

enum portforward_mode {
	PORTFORWARD_NATIVE,	/* libwebsockets (the default) */
	PORTFORWARD_VIRTCTL,	/* virtctl port-forward */
};

/* MTV_SSH_TUNNEL: unset or "native" → NATIVE, "virtctl" → VIRTCTL;
 * anything else → MTV_EXIT_USAGE naming the variable. */
int portforward_mode_from_env(enum portforward_mode *mode, struct mtv_err *err);

/* Is virtctl on PATH (what VIRTCTL mode runs)?  For callers that want to
 * refuse the mode up front, before any guest is tried. */
bool portforward_virtctl_available(void);

/* Open a tunnel to port `port` of VMI ns/name.  On success *fd is the
 * caller's end of the stream (blocking; closed by portforward_close, not by
 * the caller).  Errors, each MTV_EXIT_ENV unless said otherwise:
 *   "portforward: 404 virtualmachineinstance \"x\" not found" (the API
 *     server's Status message when there is one), 401, 403 likewise;
 *   "portforward: ns/name: connection closed before the upgrade" ...;
 *   virtctl mode without virtctl on PATH → MTV_EXIT_USAGE.
 * interrupt (may be NULL): when it becomes non-zero the call returns within
 * about a second with code 128 + *interrupt. */
int portforward_open(const struct kubeconfig *kc, enum portforward_mode mode, const char *ns,
		     const char *name, int port, volatile sig_atomic_t *interrupt, struct portforward **pf,
		     int *fd, struct mtv_err *err);

/* Why the tunnel ended, if it has ("" while it is up): lets a caller whose
 * read failed say "the tunnel dropped: ..." rather than only "EOF". */
const char *portforward_error(const struct portforward *pf);

/* Bytes carried each way so far (for the debug log and the bench). */
void portforward_counts(const struct portforward *pf, unsigned long long *sent, unsigned long long *received);

/* Close the stream and the WebSocket, join the thread (or stop virtctl and
 * remove its kubeconfig).  NULL is a no-op. */
void portforward_close(struct portforward *pf);

#endif
