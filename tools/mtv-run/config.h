/* ci-operator test configurations (ci-operator/config/...yaml): the one
 * test a run asks for, as its `steps:` (MultiStageTestConfiguration). */
#ifndef MTV_RUN_CONFIG_H
#define MTV_RUN_CONFIG_H

#include "model.h"

/* Load test `test` from the configuration file at path.  Literal steps are
 * validated into errs; a file that cannot be read or decoded fails with err
 * (MTV_EXIT_USAGE). */
int config_load_test(struct arena *a, const char *path, const char *test, struct msconf *out,
		     struct errlist *errs, struct mtv_err *err);

#endif
