/* ci-tools' validation of a step's `resources` (pkg/validation/config.go,
 * validateResourceRequirements / validateResourceList), with its messages. */
#ifndef MTV_RUN_RESOURCES_H
#define MTV_RUN_RESOURCES_H

#include "model.h"
#include "yamltree.h"

/* res is the `resources:` node (NULL when absent); field is the step's
 * `as`, as ci-tools' IsValidReference names it. */
void resources_validate(const struct ynode *res, const char *field, struct errlist *e);

#endif
