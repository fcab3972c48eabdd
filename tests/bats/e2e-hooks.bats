#!/usr/bin/env bats
# Hooks and expected failures against mtv-sim: PostHook failure with the VM
# kept and checked, PreHook failure with checks skipped, an expected failure
# that did not happen, a custom playbook.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

through_plan() {
	run_steps create-provider storagemap networkmap plan
	ns=$(state_field mtv-session.json targetNamespace)
}

@test "hooks: PostHook fails as expected; the VM is kept and checked (power off)" {
	export MTV_SCENARIO=test_post_hook_retain_failed_vm
	through_plan
	assert_equal "$(kc get hooks -n "$ns" -o name | wc -l)" 2
	run kc get plans -n "$ns" -o jsonpath='{range .items[0].spec.vms[0].hooks[*]}{.step}={.hook.name} {end}'
	[[ "$output" == "PreHook=$ns-source-vsphere-8-0-3-pre-hook PostHook=$ns-source-vsphere-8-0-3-post-hook " ]] || fail "hooks: $output"
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	[ "$status" -eq 0 ] || fail "mtv-migrate exited $status: $stderr"
	[[ "$stderr" == *"the migration failed at PostHook, as expected"* ]]
	grep -q '"checkVms":[[:space:]]*true' "$SHARED_DIR/mtv-migration.json"
	grep -q 'name="migration failed as expected" classname="mtv-migrate" time="[0-9.]*"/>' "$ARTIFACT_DIR/junit_mtv_migrate.xml"
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	[ "$status" -eq 0 ] || fail "mtv-check-vms exited $status: $stderr"
	grep -q 'name="mtv-tests-rhel8: power state"' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
}

@test "hooks: PreHook fails as expected; VM checks are skipped with the reason" {
	export MTV_TESTS_PARAMS="$MTV_SRC_DIR/tests/fixtures/scenarios/hooks.json" MTV_SCENARIO=test_pre_hook_fails
	through_plan
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	[ "$status" -eq 0 ] || fail "mtv-migrate exited $status: $stderr"
	[[ "$stderr" == *"the migration failed at PreHook, as expected"* ]]
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_success
	grep -q '<skipped message="the migration failed at PreHook as expected: no VM was migrated"/>' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
}

@test "hooks: an expected failure that does not happen fails mtv-migrate" {
	export MTV_TESTS_PARAMS="$MTV_SRC_DIR/tests/fixtures/scenarios/hooks.json" MTV_SCENARIO=test_hooks_succeed_but_failure_expected
	through_plan
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	assert_failure 1
	[[ "$stderr" == *"expected the migration to fail (expected_migration_result: fail), but it Succeeded"* ]]
}

@test "hooks: a custom playbook that fails stops the migration at PostHook" {
	export MTV_TESTS_PARAMS="$MTV_SRC_DIR/tests/fixtures/scenarios/hooks.json" MTV_SCENARIO=test_custom_playbook
	through_plan
	run kc get hooks -n "$ns" -o jsonpath='{.items[0].spec.playbook}'
	assert_output "$(sed -n 's/.*"playbook_base64": "\([^"]*\)".*/\1/p' "$MTV_TESTS_PARAMS")"
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	[ "$status" -eq 0 ] || fail "mtv-migrate exited $status: $stderr"
	[[ "$stderr" == *"the migration failed at PostHook, as expected"* ]]
}
