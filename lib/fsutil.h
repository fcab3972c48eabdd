/* File helpers every step needs: whole-file reads with a cap, atomic
 * writes, mkdir -p. */
#ifndef MTV_FSUTIL_H
#define MTV_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>
#include "buf.h"
#include "err.h"

/* Read path into out (appending); fails past max bytes, never truncates.
 * A missing file is MTV_EXIT_USAGE with "<path>: No such file or
 * directory".  On failure errno says why (ENOENT, EFBIG past max, ...) for
 * callers that word their own message or skip missing files; out is as
 * it was.  The one whole-file reader: lib, steps, tools and the sim. */
int fs_read_file(const char *path, struct buf *out, size_t max, struct mtv_err *err);

/* Write data to path through a temp file in the same directory, fsync and
 * rename, so readers see the old or the new content, never a mix. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		    struct mtv_err *err);

/* mkdir -p with mode for the created directories. */
int fs_mkdir_p(const char *path, mode_t mode, struct mtv_err *err);

#endif
