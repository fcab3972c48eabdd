/* Executing a resolved test with ci-operator's multi-stage flow: pre, then
 * test (skipped when pre failed), then every post step; reporting per step
 * (build-log.txt, finished.json, ARTIFACT_DIR) and junit_operator.xml. */
#ifndef MTV_RUN_RUNNER_H
#define MTV_RUN_RUNNER_H

#include <stdbool.h>

#include "credentials.h"
#include "resolve.h"

struct run_opts {
	const char *out;		/* output root (absolute) */
	const char *job_name;
	const char *namespace;
	const char *build_id;
	const char *kubeconfig;		/* NULL: none given */
	const char *cluster_profile_dir;
	const struct credential_dir *cred_dirs;	/* --credentials */
	size_t ncred_dirs;
	bool stream;			/* --stream: each step's output as it runs */
};

/* Returns the runner's exit code (0 passed, 1 failed, 130 interrupted), or
 * -1 with err when the output tree cannot be prepared. */
int runner_run(struct arena *a, const struct resolved *res, const struct run_opts *o,
	       struct mtv_err *err);

#endif
