#!/usr/bin/env bats
# Failure paths against mtv-sim (world tests/fixtures/worlds/e2e-failures.json):
# a migration failing at DiskTransferV2v, and a destination VM that differs
# from its source.
bats_require_minimum_version 1.5.0

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	SIM_WORLD="$MTV_SRC_DIR/tests/fixtures/worlds/e2e-failures.json"
	SIM_DIR="$BATS_FILE_TMPDIR/sim"
	"$MTV_BIN_DIR/mtv-sim" --world "$SIM_WORLD" --state-dir "$SIM_DIR" --port 0 --speed 0 \
		>"$BATS_FILE_TMPDIR/sim.log" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/sim.pid"
	sim_until test -s "$SIM_DIR/port"
}

teardown_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_stop
}

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	SIM_DIR="$BATS_FILE_TMPDIR/sim"
	export KUBECONFIG="$SIM_DIR/kubeconfig"
	export SHARED_DIR="$BATS_TEST_TMPDIR/shared" ARTIFACT_DIR="$BATS_TEST_TMPDIR/artifacts"
	mkdir -p "$SHARED_DIR" "$ARTIFACT_DIR"
	export MTV_PROVIDERS_FILE="$SIM_DIR/providers.json" MTV_SOURCE_PROVIDER=vsphere-failures
	export MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY=true MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd
	export MTV_TESTS_PARAMS="$MTV_SRC_DIR/tests/fixtures/scenarios/failures.json"
	export MTV_PROVIDER_READY_TIMEOUT=60 MTV_INVENTORY_TIMEOUT=60 MTV_MAP_READY_TIMEOUT=60
	export MTV_PLAN_READY_TIMEOUT=60 MTV_PLAN_WAIT_TIMEOUT=120 MTV_PREFLIGHT_TIMEOUT=30
}

setup_steps() {
	local s
	for s in create-provider storagemap networkmap plan; do
		run --separate-stderr "$MTV_BIN_DIR/mtv-$s"
		[ "$status" -eq 0 ] || fail "mtv-$s exited $status: $stderr"
	done
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
}

@test "failure: check-vms catches a destination that differs, naming VM, check and both values" {
	export MTV_SCENARIO=test_destination_differs
	setup_steps
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	assert_success
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 1
	[[ "$stderr" == *"1 check(s) failed"* ]]
	[[ "$stderr" == *"VM mtv-differ (mtv-differ): memory MiB: expected 4096, got 1024"* ]]
	grep -q '<testcase name="mtv-differ: memory MiB"' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	grep -q '<failure message="expected 4096, got 1024">' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	# The other checks of the same VM still ran and passed.
	grep -q '<testcase name="mtv-differ: cpu cores" classname="mtv-check-vms" time="0.000"/>' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
}
