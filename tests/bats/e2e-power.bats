#!/usr/bin/env bats
# Destination power as Forklift decides it (determineRunStrategy in
# pkg/controller/plan/kubevirt.go): a Windows guest is started unless the
# target power is "off" (FEATURE_WINDOWS_WAIT_FOR_REBOOT, on by default),
# even when the source was off; mtv-plan records that as expectedPower and
# mtv-check-vms checks it.  The default world's mtv-win2019-3disks is off.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

# win_scenario NAME [TARGET_POWER]
win_scenario() {
	local extra=""
	[ -z "${2:-}" ] || extra=", \"target_power_state\": \"$2\""
	export MTV_TESTS_PARAMS="$BATS_TEST_TMPDIR/params.json" MTV_SCENARIO=$1
	cat >"$MTV_TESTS_PARAMS" <<-JSON
	{"$1": {"virtual_machines": [{"name": "mtv-win2019-3disks", "source_vm_power": "off"}],
	        "warm_migration": false$extra}}
	JSON
}

# planned_power KEY: the VM's KEY in mtv-plan.json
planned_power() {
	"$MTV_BIN_DIR/mtv-sim" json "vms[0].$1" <"$SHARED_DIR/mtv-plan.json"
}

dest_run_strategy() {
	kc get vm -n "$(state_field mtv-plan.json vmNamespace)" -l vmID=vm-4003 -o jsonpath='{.items[0].spec.runStrategy}'
}

@test "power: a Windows guest that was off comes up running; expectedPower on, check-vms passes" {
	win_scenario test_win_auto
	run_steps create-provider storagemap networkmap plan
	assert_equal "$(planned_power sourcePower)" off
	assert_equal "$(planned_power expectedPower)" on
	run_steps migrate
	assert_equal "$(dest_run_strategy)" Always
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	[ "$status" -eq 0 ] || fail "mtv-check-vms exited $status: $stderr"
	grep -q 'name="mtv-win2019-3disks: power state" classname="mtv-check-vms" time="[0-9.]*"/>' \
		"$ARTIFACT_DIR/junit_mtv_check_vms.xml" || fail "power state check did not pass"
	run_steps teardown
}

@test "power: target_power_state off keeps the Windows guest off" {
	win_scenario test_win_off off
	run_steps create-provider storagemap networkmap plan
	assert_equal "$(planned_power expectedPower)" off
	run_steps migrate
	assert_equal "$(dest_run_strategy)" Halted
	run_steps check-vms teardown
}

@test "power: with feature_windows_wait_for_reboot false the guest follows the source (off)" {
	kc patch forkliftcontroller forklift-controller -n openshift-mtv --type merge \
		-p '{"spec":{"feature_windows_wait_for_reboot":"false"}}' >/dev/null
	win_scenario test_win_nowait
	run_steps create-provider storagemap networkmap plan
	assert_equal "$(planned_power expectedPower)" off
	run_steps migrate
	assert_equal "$(dest_run_strategy)" Halted
	run_steps check-vms teardown
	kc patch forkliftcontroller forklift-controller -n openshift-mtv --type json \
		-p '[{"op":"remove","path":"/spec/feature_windows_wait_for_reboot"}]' >/dev/null
}
