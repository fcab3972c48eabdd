#!/usr/bin/env bats
# mtv-api-tests' tier0 scenarios, each through its workflow with mtv-run
# against mtv-sim, as a Prow job would run them.
bats_require_minimum_version 1.5.0

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start_checked --speed 0
}

teardown_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_stop
}

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	SIM_DIR="$BATS_FILE_TMPDIR/sim"
	mkdir -p "$BATS_TEST_TMPDIR/profile"
	cp "$SIM_DIR/providers.json" "$BATS_TEST_TMPDIR/profile/.providers.json"
}

# run_tier0 WORKFLOW SCENARIO: the workflow must pass, and teardown must
# leave nothing of the session behind.  The default world's vSphere is
# simulated and speaks no vim25: mtv-prepare-vms leaves its VMs alone.
run_tier0() {
	PATH="$MTV_BIN_DIR:$PATH" run --separate-stderr "$MTV_BIN_DIR/mtv-run" --repo "$MTV_SRC_DIR" \
		--out "$BATS_TEST_TMPDIR/out" --kubeconfig "$SIM_DIR/kubeconfig" \
		--cluster-profile-dir "$BATS_TEST_TMPDIR/profile" \
		--env MTV_SOURCE_PROVIDER=vsphere-8.0.3 --env MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd \
		--env MTV_SCENARIO="$2" \
		--env MTV_GUEST_AGENT_TIMEOUT=30 --env MTV_PREPARE_VMS=false --env MTV_GUEST_CHECKS=false workflow "$1"
	if [ "$status" -ne 0 ]; then
		local log
		for log in "$BATS_TEST_TMPDIR"/out/artifacts/"$1"/*/build-log.txt; do
			echo "== $log"
			tail -5 "$log"
		done
		fail "$1 / $2: mtv-run exited $status"
	fi
	id=$(sed -n 's/.*"id":[[:space:]]*"\(auto-[a-z0-9]*\)".*/\1/p' "$BATS_TEST_TMPDIR/out/shared/mtv-session.json")
	# An empty id would select nothing and pass the leftover check vacuously.
	[ -n "$id" ] || fail "no session id in $BATS_TEST_TMPDIR/out/shared/mtv-session.json"
	run kubectl --kubeconfig "$SIM_DIR/kubeconfig" get pods,virtualmachines,datavolumes,persistentvolumeclaims,secrets,providers,storagemaps,networkmaps,plans,migrations,hooks,network-attachment-definitions -A -l "mtv-steps/session=$id" -o name
	assert_output ""
}

@test "tier0: test_sanity_cold_mtv_migration (mtv-cold-migration)" {
	run_tier0 mtv-cold-migration test_sanity_cold_mtv_migration
}

@test "tier0: test_sanity_warm_mtv_migration (mtv-warm-migration)" {
	run_tier0 mtv-warm-migration test_sanity_warm_mtv_migration
}

@test "tier0: test_mtv_migration_warm_2disks2nics (mtv-warm-migration)" {
	run_tier0 mtv-warm-migration test_mtv_migration_warm_2disks2nics
}

@test "tier0: test_cold_migration_comprehensive (mtv-comprehensive-migration)" {
	run_tier0 mtv-comprehensive-migration test_cold_migration_comprehensive
}

@test "tier0: test_warm_migration_comprehensive (mtv-comprehensive-migration)" {
	run_tier0 mtv-comprehensive-migration test_warm_migration_comprehensive
}

@test "tier0: test_post_hook_retain_failed_vm (mtv-hook-migration)" {
	run_tier0 mtv-hook-migration test_post_hook_retain_failed_vm
	grep -q "the migration failed at PostHook, as expected" \
		"$BATS_TEST_TMPDIR/out/artifacts/mtv-hook-migration/mtv-migrate/build-log.txt"
}
