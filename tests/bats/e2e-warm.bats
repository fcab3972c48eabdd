#!/usr/bin/env bats
# Warm migration against mtv-sim: the precopy interval, cutover, precopies
# reported, the ForkliftController restored by teardown; warm refused for
# sources without warm support.
bats_require_minimum_version 1.5.0

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start --speed 0
}

teardown_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_stop
}

setup() {
	source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"
	e2e_setup
	export MTV_SCENARIO=test_mtv_migration_warm_2disks2nics
}


@test "warm: precopy interval set, cutover scheduled, precopies reported, interval restored" {
	before=$(kc get forkliftcontroller forklift-controller -n openshift-mtv -o jsonpath='{.spec.controller_precopy_interval}')
	run_steps create-provider storagemap networkmap plan
	run kc get forkliftcontroller forklift-controller -n openshift-mtv -o jsonpath='{.spec.controller_precopy_interval}'
	assert_output 2
	grep -q '"path":[[:space:]]*"spec.controller_precopy_interval"' "$SHARED_DIR/mtv-edits.json"
	ns=$(state_field mtv-session.json targetNamespace)
	run kc get plans -n "$ns" -o jsonpath='{.items[0].spec.warm}'
	assert_output true

	start=$(date -u +%s)
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	[ "$status" -eq 0 ] || fail "mtv-migrate exited $status: $stderr"
	[[ "$stderr" == *"warm migration: cutover at "* ]]
	[[ "$stderr" == *"precopy 1 done"* ]]
	# The cutover is MTV_MINS_BEFORE_CUTOVER (5) minutes after creation.
	cutover=$(kc get migrations -n "$ns" -o jsonpath='{.items[0].spec.cutover}')
	[[ "$cutover" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] || fail "cutover '$cutover'"
	delta=$(( $(date -u -d "$cutover" +%s) - start ))
	[ "$delta" -ge 295 ] && [ "$delta" -le 310 ] || fail "cutover $delta s after the start"

	# Two NICs: the second lands on the NAD mtv-networkmap created.
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	[ "$status" -eq 0 ] || fail "mtv-check-vms exited $status: $stderr"
	grep -q 'name="mtv-rhel8-warm-2disks2nics: disk count"' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	run grep -c 'name="mtv-rhel8-warm-2disks2nics: nic ' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	assert_output 2

	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	[ "$status" -eq 0 ] || fail "mtv-teardown exited $status: $stderr"
	run kc get forkliftcontroller forklift-controller -n openshift-mtv -o jsonpath='{.spec.controller_precopy_interval}'
	assert_output "$before"
	grep -q 'name="cluster-wide edits restored"' "$ARTIFACT_DIR/junit_mtv_teardown.xml"
}

@test "warm: refused for an OVA source before anything is created" {
	export MTV_SOURCE_PROVIDER=$(sed -n 's/^[[:space:]]*"\([^"]*\)":[[:space:]]*{$/\1/p' "$MTV_PROVIDERS_FILE" | grep -i ova | head -1)
	[ -n "$MTV_SOURCE_PROVIDER" ] || fail "no ova provider in the sim's providers.json"
	namespaces=$(kc get namespaces -o name | sort)
	run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider"
	assert_failure 2
	[[ "$stderr" == *"scenario test_mtv_migration_warm_2disks2nics is warm, but a ova source does not support warm migration"* ]]
	assert_equal "$(ls "$SHARED_DIR")" ""
	assert_equal "$(kc get namespaces -o name | sort)" "$namespaces"
}
