/* A step's `credentials:` (ci-tools api.CredentialReference): the CI
 * secrets ci-operator mounts into the step's pod.  Validation follows ci-tools
 * (pkg/validation/test.go validateCredentials) with its messages.  Locally
 * nothing can be mounted at an absolute path, so `mtv-run --credentials
 * NAMESPACE/NAME=DIR` says which local directory holds a secret's files,
 * and a step parameter whose value is that secret's mount_path (or a path
 * under it) is given the same path under DIR instead. */
#ifndef MTV_RUN_CREDENTIALS_H
#define MTV_RUN_CREDENTIALS_H

#include <stddef.h>
#include "model.h"

/* field prefixes messages (ci-tools' fieldRoot: the step's name). */
void credentials_validate(const struct credential *c, size_t n, const char *field,
			  struct errlist *e);

/* One --credentials NAMESPACE/NAME=DIR. */
struct credential_dir {
	const char *namespace_, *name;
	const char *dir;
};

/* Parse "NAMESPACE/NAME=DIR" into out (pointers into arena copies); -1 with
 * err (MTV_EXIT_USAGE) naming the option when it is not of that form. */
int credential_dir_parse(struct arena *a, const char *arg, struct credential_dir *out,
			 struct mtv_err *err);

/* The local directory of credential c, or NULL when none was given. */
const char *credential_local_dir(const struct credential_dir *dirs, size_t ndirs,
				 const struct credential *c);

/* value with the mount_path of one of the step's mapped credentials
 * replaced by its local directory (value itself when none applies). */
const char *credentials_rewrite(struct arena *a, const char *value, const struct lstep *s,
				const struct credential_dir *dirs, size_t ndirs);

#endif
