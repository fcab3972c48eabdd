/* Running one step process the way Prow's entrypoint does.
 *
 * The child gets its own process group, so a terminal's Ctrl-C reaches
 * only the runner, which decides what the step sees, and so everything
 * the step started can be signalled and, when the step ends, killed like
 * the rest of a pod's container.  On timeout: SIGINT, then SIGKILL after
 * the grace period, exit code 127.  On an interrupt of the runner (while
 * the step is interruptible): SIGINT and the received signal, then SIGKILL
 * after the grace period, exit code 130.  Messages are entrypoint's. */
#ifndef MTV_RUN_PROC_H
#define MTV_RUN_PROC_H

#include <stdbool.h>
#include "err.h"

/* Catch SIGINT/SIGTERM/SIGCHLD and keep them blocked outside proc_run's
 * waits, so none is lost between checks. */
int signals_install(struct mtv_err *err);
/* The interrupting signal received so far (SIGINT/SIGTERM), else 0. */
int signals_interrupted(void);

struct proc_spec {
	char *const *argv;
	char *const *envp;
	int log_fd;			/* the child's stdout and stderr */
	long long timeout_ms, grace_ms;
	bool interruptible;		/* false in post: runner interrupts wait */
};

struct proc_result {
	int exit_code;
	bool timed_out;
	bool interrupted;
	bool killed;			/* needed SIGKILL */
	long long ms;			/* wall time */
};

int proc_run(const struct proc_spec *spec, struct proc_result *res, struct mtv_err *err);

long long now_ms(void);

#endif
