#!/usr/bin/env bats
# mtv-storagemap when the inventory shows no disks: it fails (exit 1, no
# StorageMap written) naming the VMs instead of creating an empty map that
# only resurfaces as the Plan's VMStorageNotMapped; for OpenStack it first
# waits for the volumes, which the collector syncs apart from the servers.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	SIM_WORLD="$MTV_SRC_DIR/tests/fixtures/worlds/storagemap.json" sim_start_checked --speed 0
}

setup() {
	e2e_setup vsphere-storagemap
	export MTV_TESTS_PARAMS="$MTV_SRC_DIR/tests/fixtures/scenarios/disks.json"
}

@test "storagemap: VMs without disks fail with exit 1 naming them, and no StorageMap is created" {
	export MTV_SCENARIO=test_no_disks
	run_steps create-provider
	ns=$(state_field mtv-session.json targetNamespace)
	run --separate-stderr "$MTV_BIN_DIR/mtv-storagemap"
	assert_failure 1
	[[ "$stderr" == *"no source storage found for VM(s) mtv-no-disks"* ]] || fail "unexpected: $stderr"
	run kc get storagemaps -n "$ns" -o name
	assert_output ""
}

@test "storagemap: openstack waits for the VM's volumes to sync, then maps their volume type" {
	export MTV_SOURCE_PROVIDER=openstack-storagemap MTV_SCENARIO=test_openstack_late_volumes
	run_steps create-provider
	ns=$(state_field mtv-session.json targetNamespace)
	run --separate-stderr "$MTV_BIN_DIR/mtv-storagemap"
	[ "$status" -eq 0 ] || fail "mtv-storagemap exited $status: $stderr"
	[[ "$stderr" == *"waiting for the volumes to sync"*"VM mtv-openstack-late-volumes lists no volumes"* ]] ||
		fail "did not wait: $stderr"
	run kc get storagemaps -n "$ns" -o jsonpath='{.items[0].spec.map[*].source.id}'
	assert_output 8a0b1c2e-0000-4000-8000-00000000b001
}

@test "storagemap: the openstack volume wait is bounded by MTV_INVENTORY_TIMEOUT" {
	export MTV_SOURCE_PROVIDER=openstack-storagemap MTV_SCENARIO=test_openstack_late_volumes MTV_INVENTORY_TIMEOUT=1
	run_steps create-provider
	ns=$(state_field mtv-session.json targetNamespace)
	run --separate-stderr "$MTV_BIN_DIR/mtv-storagemap"
	assert_failure 1
	[[ "$stderr" == *"no source storage found for VM(s) mtv-openstack-late-volumes"* ]] || fail "unexpected: $stderr"
	run kc get storagemaps -n "$ns" -o name
	assert_output ""
}
