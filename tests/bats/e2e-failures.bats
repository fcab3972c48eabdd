#!/usr/bin/env bats
# Failure paths against mtv-sim (world tests/fixtures/worlds/e2e-failures.json):
# a migration failing at DiskTransferV2v, and a destination VM that differs
# from its source.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	SIM_WORLD="$MTV_SRC_DIR/tests/fixtures/worlds/e2e-failures.json" sim_start_checked --speed 0
}

setup() {
	e2e_setup vsphere-failures
	export MTV_TESTS_PARAMS="$MTV_SRC_DIR/tests/fixtures/scenarios/failures.json"
}

setup_steps() {
	run_steps create-provider storagemap networkmap plan
}

@test "failure: a migration failing at DiskTransferV2v exits 1 naming the step and the reason" {
	export MTV_SCENARIO=test_fail_disk_transfer
	setup_steps
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	assert_failure 1
	[[ "$stderr" == *"migration Failed"* ]]
	[[ "$stderr" == *"VM mtv-fail-disk failed at DiskTransferV2v: disk copy exploded: nbdkit connection reset"* ]]
	grep -q '"result":[[:space:]]*"Failed"' "$SHARED_DIR/mtv-migration.json"
	grep -q '"failedStep":[[:space:]]*"DiskTransferV2v"' "$SHARED_DIR/mtv-migration.json"
	grep -q '<failure message="Failed">' "$ARTIFACT_DIR/junit_mtv_migrate.xml"
	# check-vms reports cleanly: nothing to check, every VM skipped, exit 1.
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 1
	[[ "$stderr" == *"nothing to check: the migration of Plan"*"Failed"* ]]
	grep -q '<skipped message="the migration did not succeed"/>' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	# Gather shows where it broke; teardown still removes everything.
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	grep -q 'DiskTransferV2v' "$ARTIFACT_DIR/pipeline.txt"
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	[ "$status" -eq 0 ] || fail "mtv-teardown exited $status: $stderr"
	id=$(state_field mtv-session.json id)
	run kc get pods,virtualmachines,datavolumes,persistentvolumeclaims,secrets,providers,storagemaps,networkmaps,plans,migrations -A \
		-l "mtv-steps/session=$id" -o name
	assert_output ""
	run kc get namespace "$id"
	assert_failure
}

@test "failure: check-vms catches a destination that differs, naming VM, check and both values" {
	export MTV_SCENARIO=test_destination_differs
	setup_steps
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	assert_success
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 1
	# Every difference is reported, together, each with both values.
	[[ "$stderr" == *"4 check(s) failed"* ]]
	[[ "$stderr" == *"VM mtv-differ (mtv-differ): memory MiB: expected 4096, got 1024"* ]]
	[[ "$stderr" == *"VM mtv-differ (mtv-differ): cpu cores: expected 2, got 8"* ]]
	[[ "$stderr" == *"VM mtv-differ (mtv-differ): cpu sockets: expected 1, got 2"* ]]
	[[ "$stderr" == *"VM mtv-differ (mtv-differ): nic 00:50:56:b0:00:02: expected pod, got absent"* ]]
	grep -q '<testcase name="mtv-differ: memory MiB"' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	grep -q '<failure message="expected 4096, got 1024">' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	# The other checks of the same VM still ran and passed.
	grep -q '<testcase name="mtv-differ: disk count" classname="mtv-check-vms" time="0.000"/>' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
}
