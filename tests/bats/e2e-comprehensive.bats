#!/usr/bin/env bats
# The comprehensive scenarios against mtv-sim: every plan option checked, and
# each check's failing twin (the destination made to differ) reported with
# the VM, the check, the expected and the actual value.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup() {
	e2e_setup
	export MTV_GUEST_AGENT_TIMEOUT=5
}

migrate_scenario() {
	export MTV_SCENARIO=$1
	run_steps create-provider storagemap networkmap plan migrate
	id=$(state_field mtv-session.json id)
}

check_fails_with() {
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 1
	[[ "$stderr" == *"$1"* ]] || fail "expected '$1' in: $stderr"
}

teardown_session() {
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	[ "$status" -eq 0 ] || fail "mtv-teardown exited $status: $stderr"
}

@test "comprehensive cold: every option checked; node label restored by teardown" {
	migrate_scenario test_cold_migration_comprehensive
	node=$(state_field mtv-plan.json selectedNode)
	run kc get node "$node" -o jsonpath='{.metadata.labels.mtv-comprehensive-node}'
	assert_output "$id"
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	[ "$status" -eq 0 ] || fail "mtv-check-vms exited $status: $stderr"
	for check in "target labels" "node selector" "runs on the selected node" "affinity" "guest agent connected" \
		"power state" "disk 0 pvc name" "disk 2 pvc name"; do
		grep -q "name=\"mtv-win2019-3disks: $check\" classname=\"mtv-check-vms\" time=\"[0-9.]*\"/>" \
			"$ARTIFACT_DIR/junit_mtv_check_vms.xml" || fail "no passing '$check'"
	done
	# The VMs landed in vm_target_namespace.
	run kc get vm -n mtv-comprehensive-vms -l vmID=vm-4003 -o name
	assert_output --partial mtv-win2019-3disks
	teardown_session
	run kc get node "$node" -o jsonpath='{.metadata.labels.mtv-comprehensive-node}'
	assert_output ""
}

@test "comprehensive cold: each placement check has a failing twin" {
	migrate_scenario test_cold_migration_comprehensive
	vm=$(kc get vm -n mtv-comprehensive-vms -l vmID=vm-4003 -o jsonpath='{.items[0].metadata.name}')
	kc patch vm "$vm" -n mtv-comprehensive-vms --type=merge \
		-p '{"spec":{"template":{"metadata":{"labels":{"test-type":"other"}}}}}'
	check_fails_with "VM mtv-win2019-3disks ($vm): target labels: expected mtv-comprehensive-label=$id,test-type=comprehensive, got"
	kc patch vm "$vm" -n mtv-comprehensive-vms --type=merge \
		-p '{"spec":{"template":{"metadata":{"labels":{"test-type":"comprehensive"}},"spec":{"affinity":{"podAffinity":null}}}}}'
	check_fails_with "VM mtv-win2019-3disks ($vm): affinity: expected {\"podAffinity\""
	# A disk on a PVC the pvcNameTemplate would not have named (and that
	# carries no disk-index, so disk 1 has no PVC of its own).
	kc get vm "$vm" -n mtv-comprehensive-vms -o json |
		sed 's/"claimName": *"mtv-win2019-3disks-disk-1"/"claimName":"renamed-disk"/' |
		kc replace -f -
	check_fails_with "disk 1 pvc name: expected mtv-win2019-3disks-disk-1, got no PVC for this disk"
	[[ "$stderr" == *"disk renamed-disk storage class: expected ocs-storagecluster-ceph-rbd, got PVC missing"* ]]
	# Stopped instead of on, no node selector, a disk fewer.
	kc get vm "$vm" -n mtv-comprehensive-vms -o json |
		sed 's/"runStrategy": *"Always"/"runStrategy":"Halted"/; s/"mtv-comprehensive-node": *"[^"]*"/"other-node-label":"x"/' |
		kc replace -f -
	kc patch vm "$vm" -n mtv-comprehensive-vms --type=json -p '[{"op":"remove","path":"/spec/template/spec/volumes/2"}]'
	check_fails_with "power state: expected on, got off"
	[[ "$stderr" == *"node selector: expected mtv-comprehensive-node=$id, got other-node-label=x"* ]]
	[[ "$stderr" == *"disk count: expected 3, got 2"* ]]
	teardown_session
}

@test "comprehensive cold: a VMI on another node and a missing guest agent are caught" {
	migrate_scenario test_cold_migration_comprehensive
	vm=$(kc get vm -n mtv-comprehensive-vms -l vmID=vm-4003 -o jsonpath='{.items[0].metadata.name}')
	kc patch vmi "$vm" -n mtv-comprehensive-vms --subresource=status --type=merge \
		-p '{"status":{"nodeName":"worker-9","conditions":[{"type":"Ready","status":"True"}]}}'
	check_fails_with "runs on the selected node: expected worker-0, got worker-9"
	[[ "$stderr" == *"guest agent connected: expected AgentConnected=True, got no AgentConnected condition"* ]]
	teardown_session
}
@test "comprehensive warm: static IPs kept, PVCs by generateName, labels, affinity" {
	migrate_scenario test_warm_migration_comprehensive
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	[ "$status" -eq 0 ] || fail "mtv-check-vms exited $status: $stderr"
	for check in "static ip 10.10.1.25" "disk 0 pvc name" "disk 2 pvc name" "target labels" "affinity"; do
		grep -q "name=\"mtv-win2022-ip-3disks: $check\" classname=\"mtv-check-vms\" time=\"[0-9.]*\"/>" \
			"$ARTIFACT_DIR/junit_mtv_check_vms.xml" || fail "no passing '$check'"
	done
	# generateName: the PVC name starts with the rendered template.
	run kc get pvc -n custom-vm-namespace -l vmID=vm-4004 -o name
	assert_output --partial "persistentvolumeclaim/disk0-0-"
	vm=$(kc get vm -n custom-vm-namespace -l vmID=vm-4004 -o jsonpath='{.items[0].metadata.name}')
	kc patch vmi "$vm" -n custom-vm-namespace --subresource=status --type=json \
		-p '[{"op":"replace","path":"/status/interfaces/0/ipAddress","value":"10.10.1.99"},{"op":"replace","path":"/status/interfaces/0/ipAddresses","value":["10.10.1.99"]}]'
	check_fails_with "static ip 10.10.1.25: expected 10.10.1.25, got 10.10.1.99"
	teardown_session
}
