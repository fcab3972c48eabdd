/* Migration hooks from a scenario's pre_hook / post_hook, as mtv-api-tests
 * defines them: `expected_result: succeed|fail` picks a built-in playbook,
 * `playbook_base64` brings one's own (checked: base64, UTF-8, YAML, a
 * non-empty list of plays), `aap_job_template_id` runs an AAP job template.
 */
#ifndef MTV_HOOKS_H
#define MTV_HOOKS_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"

#define HOOK_DEFAULT_IMAGE "quay.io/konveyor/hook-runner:latest"

/* Check a playbook_base64 value; where prefixes messages. */
int hook_playbook_check(const char *b64, const char *where, struct mtv_err *err);

/* The base64 playbook for a hook config (built-in or the user's, checked);
 * empty for an AAP hook. */
int hook_playbook(const cJSON *hook_cfg, const char *where, struct buf *b64, struct mtv_err *err);

/* The Hook spec for a config: {image, playbook} or {aap: {jobTemplateId}}. */
cJSON *hook_spec(const cJSON *hook_cfg, const char *image, const char *playbook_b64);

/* Where a scenario expects its migration to fail: "PreHook" when the pre
 * hook's expected_result is fail, else "PostHook" when the post hook's is,
 * else NULL (custom playbooks: the step is not declared). */
const char *hook_expected_failed_step(const cJSON *plan);

#endif
