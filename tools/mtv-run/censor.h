/* Censoring secret values out of what a run leaves behind, as Prow's
 * sidecar does before it uploads a step's log and artifacts.  The secrets
 * are the files of the cluster profile directory and of the directories
 * given for the steps' credentials (locally, the secret mounts a step gets). */
#ifndef MTV_RUN_CENSOR_H
#define MTV_RUN_CENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include "arena.h"
#include "buf.h"

struct secret_value {
	const char *v;
	size_t len;
};

struct censor {
	struct secret_value *values;
	size_t n;
};

/* Collect the values of the regular files in dir (NULL: nothing). */
void censor_init(struct arena *a, struct censor *c, const char *dir);
/* And those of another directory (a --credentials mount). */
void censor_add_dir(struct arena *a, struct censor *c, const char *dir);

/* Replace every value in the file at path, in place; directories are
 * walked.  Best effort: unreadable files are left alone. */
void censor_path(const struct censor *c, const char *path);

/* Append text to out with every value replaced; true when one was. */
bool censor_text(const struct censor *c, const char *text, size_t len, struct buf *out);

#endif
