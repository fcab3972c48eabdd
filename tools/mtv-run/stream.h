/* --stream: a step's output shown as it runs, each line prefixed with the
 * step's name ("[mtv-plan] ...") and censored like its build-log.txt.
 *
 * The step writes into a pipe; a thread copies what arrives to the log
 * file unchanged (censored in place afterwards, as without --stream) and
 * to the runner's stdout line by line, censored first: a secret's value is
 * a whole line or is inside one (censor_add_dir keeps each line of a
 * multi-line value too). */
#ifndef MTV_RUN_STREAM_H
#define MTV_RUN_STREAM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "buf.h"
#include "censor.h"
#include "err.h"

struct stream {
	int rd, wr;			/* the pipe; wr is the step's stdout and stderr */
	int log_fd;			/* build-log.txt */
	const char *name;
	const struct censor *censor;
	struct buf line;
	atomic_bool done;		/* the step ended: stop once the pipe is quiet */
	pthread_t thread;
	bool started;
};

/* Start copying; s->wr is then what the step writes to. */
int stream_start(struct stream *s, int log_fd, const char *name, const struct censor *c, struct mtv_err *err);

/* After the step: close the write end, copy what is left, stop. */
void stream_finish(struct stream *s);

#endif
