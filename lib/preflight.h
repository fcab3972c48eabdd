/* Pre-flight health check of the MTV installation, as mtv-api-tests does
 * before a session: a forklift-controller pod must exist and every pod whose
 * name starts with "forklift-" must be Running or Succeeded. */
#ifndef MTV_PREFLIGHT_H
#define MTV_PREFLIGHT_H

#include "err.h"
#include "kube.h"

/* Poll until healthy or timeout_ms; the failure names the unhealthy pods
 * and their phases (MTV_EXIT_ENV: the cluster is not ready for us). */
int preflight_forklift(struct kube_client *kc, const char *mtv_namespace, long timeout_ms,
		       struct mtv_err *err);

#endif
