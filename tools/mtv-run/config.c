#include "config.h"

#include <string.h>

#include "buf.h"
#include "decode.h"
#include "registry.h"
#include "resources.h"
#include "yamltree.h"

/* TestStepConfiguration fields; only `as` and `steps` matter here, the
 * others are accepted so real configurations load. */
static const char *const test_fields[] = {
	"as", "steps", "literal_steps", "commands", "container", "timeout", "cron", "interval",
	"minimum_interval", "postsubmit", "presubmit", "optional", "run_if_changed",
	"skip_if_only_changed", "pipeline_run_if_changed", "pipeline_skip_if_only_changed",
	"always_run", "cluster_claim", "node_architecture", "shard_count", "max_concurrency",
	"reporter_config", "capabilities", "restrict_network_access", "secret", "secrets",
	"openshift_installer", "openshift_installer_src", "openshift_installer_upi",
	"openshift_installer_upi_src", "openshift_installer_custom_test_image",
	"openshift_ansible", "openshift_ansible_src", "openshift_ansible_custom",
	"openshift_ansible_upgrade", "run_as_script", "portable", "clone", "nested_podman",
	"release_controller", "use_build_cache", "job_timeout", NULL,
};

/* ci-tools' validateLiteralTestStep for the test's own steps: the step
 * rules, and its resources (a literal step names its own requests or
 * limits; the configuration's `resources:` do not count), reported under
 * ci-tools' field path tests[N].<phase>[M]. */
static void validate_literals(struct arena *a, const char *path, size_t ti, const struct msconf *c,
			      struct errlist *errs)
{
	for (int p = 0; p < PHASE_N; p++)
		for (size_t i = 0; i < c->phase[p].n; i++) {
			const struct lstep *s = c->phase[p].items[i].lit;

			if (c->phase[p].items[i].kind != TSTEP_LITERAL)
				continue;
			lstep_validate(s, arena_printf(a, "%s: tests[%zu].steps.%s[%zu]", path, ti,
						       phase_names[p], i),
				       errs);
			resources_validate(s->resources,
					   arena_printf(a, "tests[%zu].%s[%zu]", ti, phase_names[p], i), errs);
		}
}

int config_load_test(struct arena *a, const char *path, const char *test, struct msconf *out,
		     struct errlist *errs, struct mtv_err *err)
{
	struct dec d = { a, path, arena_printf(a, "failed to load config file %s", path), err };
	struct ynode *root, *tests;
	struct buf names = BUF_INIT(64 * 1024);

	if (ytree_load(a, path, &root, err) < 0)
		return mtv_err_prefix(err, "failed to load config file %s", path);
	if (root->type != Y_MAP)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: not a ci-operator configuration (expected a map)", path);
	tests = ymap_get(root, "tests");
	if (!tests || tests->type != Y_SEQ)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: no `tests:` list", path);
	for (size_t i = 0; i < tests->n; i++) {
		const struct ynode *t = tests->vals[i], *as, *steps;

		if (dec_strict_map(&d, t, "TestStepConfiguration", test_fields) < 0)
			return mtv_err_prefix(err, "tests[%zu]", i);
		as = ymap_get(t, "as");
		if (!as || as->type != Y_SCALAR)
			continue;
		buf_addf(&names, "%s%s", names.len ? ", " : "", as->value);
		if (strcmp(as->value, test))
			continue;
		buf_release(&names);
		steps = ymap_get(t, "steps");
		if (!steps || steps->is_null) {
			if (ymap_get(t, "literal_steps"))
				return mtv_err_set(err, MTV_EXIT_USAGE,
						   "%s: test \"%s\": literal_steps (an already resolved test) is not supported; use steps",
						   path, test);
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "%s: test \"%s\" is not a multi-stage test (no `steps:`)", path, test);
		}
		if (ymap_get(t, "commands"))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: test \"%s\": `commands`, `steps`, and `literal_steps` are mutually exclusive",
					   path, test);
		if (dec_msconf(&d, steps, out) < 0)
			return -1;
		validate_literals(a, path, i, out, errs);
		return 0;
	}
	mtv_err_set(err, MTV_EXIT_USAGE, "%s: no test named \"%s\" (tests: %s)", path, test,
		    names.len ? buf_str(&names) : "none");
	buf_release(&names);
	return -1;
}
