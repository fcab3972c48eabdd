/* Shared by lib/portforward.c (the WebSocket tunnel, libwebsockets) and
 * lib/portforward_virtctl.c (the virtctl tunnel): the tunnel object and the
 * two openers.  Not part of the contract (portforward.h). */
#ifndef MTV_PORTFORWARD_INT_H
#define MTV_PORTFORWARD_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "portforward.h"

struct pf_ws;

struct portforward {
	enum portforward_mode mode;
	int fd;				/* the caller's end */
	char what[600];			/* "ns/name:port" for messages */
	char error[512];		/* why it ended; "" while up */
	pthread_mutex_t lock;		/* error and counts: the bridge thread writes them */
	unsigned long long sent, received;

	/* native */
	struct pf_ws *ws;
	pthread_t thread;
	bool thread_started;

	/* virtctl */
	pid_t pid;
	char tmpdir[256];		/* holds the private kubeconfig and virtctl's log */
};

/* Record why the tunnel ended (first reason wins). */
void pf_set_error(struct portforward *pf, const char *fmt, ...) MTV_PRINTF(2, 3);

int pf_open_native(const struct kubeconfig *kc, struct portforward *pf, const char *ns, const char *name,
		   int port, volatile sig_atomic_t *interrupt, struct mtv_err *err);
void pf_close_native(struct portforward *pf);

int pf_open_virtctl(const struct kubeconfig *kc, struct portforward *pf, const char *ns, const char *name,
		    int port, volatile sig_atomic_t *interrupt, struct mtv_err *err);
void pf_close_virtctl(struct portforward *pf);
/* Fill pf->error from virtctl's output when nothing else said why. */
void pf_virtctl_error(struct portforward *pf);

#endif
