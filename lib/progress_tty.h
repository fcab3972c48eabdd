/* Live migration progress on a terminal.
 *
 * When stderr is a terminal, mtv-migrate's watch shows one line per VM
 * (name, phase, the current pipeline step, the percent of the disk
 * transfer from its progress.completed/total) and redraws them in place
 * with ANSI cursor movement, capped to the terminal's height with a
 * "... and N more" line.  Anywhere else (Prow's logs, a pipe) nothing
 * changes: the watch logs its plain lines as before. */
#ifndef MTV_PROGRESS_TTY_H
#define MTV_PROGRESS_TTY_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "buf.h"

struct progress_tty {
	cJSON *plans;		/* the last Plan seen, by name (several plans: several blocks) */
	int drawn;		/* lines of the last frame, to move back over */
};

/* The lines of one frame (no cursor movement): a line per Plan, then a
 * line per VM, at most rows lines in all (the last one "... and N more"
 * when they do not fit), each cut to cols columns.  plans is an object of
 * Plans by name. */
void progress_tty_lines(const cJSON *plans, int rows, int cols, struct buf *out, int *nlines);

/* A frame: back over the previous one (cursor up, clear to the end of the
 * screen), then the lines. */
void progress_tty_frame(struct progress_tty *p, const cJSON *plan, int rows, int cols, struct buf *out);

/* The watch's hook: draw plan on stderr when it is a terminal.  True when
 * it drew (the caller then leaves out its plain log lines). */
bool progress_tty_show(const cJSON *plan);

#endif
