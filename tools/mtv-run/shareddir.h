/* SHARED_DIR as ci-operator provides it: one flat directory per test run
 * (the Secret named after the test), copied into a private directory for
 * each step and written back wholesale after the step, within the size a
 * Secret may hold. */
#ifndef MTV_RUN_SHAREDDIR_H
#define MTV_RUN_SHAREDDIR_H

#include <stddef.h>
#include "err.h"

/* Kubernetes' limit on a Secret's data. */
#define SHARED_DIR_LIMIT 1048576u

typedef void (*sd_warn_fn)(void *ctx, const char *msg);

/* rm -rf path (a missing path is fine). */
int sd_remove_tree(const char *path, struct mtv_err *err);

/* Copy the regular files of src (symlinks followed) into the existing
 * directory dst; subdirectories are skipped with ci-operator's warning. */
int sd_copy_flat(const char *src, const char *dst, sd_warn_fn warn, void *ctx,
		 struct mtv_err *err);

/* The size of dir's regular files as Secret data is measured: base64. */
int sd_secret_size(const char *dir, size_t *out, struct mtv_err *err);

/* Replace shared's contents with priv's (deletions propagate).  Over the
 * limit it fails with the API server's message for Secret `name` and
 * shared keeps its previous contents. */
int sd_write_back(const char *priv, const char *shared, const char *name, sd_warn_fn warn,
		  void *ctx, struct mtv_err *err);

#endif
