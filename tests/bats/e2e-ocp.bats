#!/usr/bin/env bats
# An OpenShift (KubeVirt) source end to end against mtv-sim: the default
# world's mtv-ocp-rhel9 in mtv-source-vms on the local cluster, migrated
# cold.  Maps as Forklift's OpenShift validator reads them and mtv-api-tests'
# OpenshiftForkliftInventory builds them: storage classes of the VM's PVCs
# (persistentVolumeClaim and dataVolume volumes), the pod network by type,
# multus networks by name and namespace.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup() {
	e2e_setup openshift-local
	export MTV_TESTS_PARAMS="$BATS_TEST_TMPDIR/params.json" MTV_SCENARIO=test_ocp_cold
	cat >"$MTV_TESTS_PARAMS" <<-JSON
	{"test_ocp_cold": {"virtual_machines": [{"name": "mtv-ocp-rhel9", "source_vm_power": "on"}],
	                   "warm_migration": false}}
	JSON
}

@test "ocp: cold migration from the local OpenShift, every step, check-vms green, teardown clean" {
	run_steps create-provider storagemap networkmap
	ns=$(state_field mtv-session.json targetNamespace)
	run kc get storagemaps -n "$ns" -o jsonpath='{.items[0].spec.map[*].source}'
	assert_output '{"name":"ocs-storagecluster-ceph-rbd"}'
	run kc get networkmaps -n "$ns" -o jsonpath='{.items[0].spec.map[0].source} {.items[0].spec.map[0].destination.type}'
	assert_output '{"type":"pod"} pod'
	run_steps plan migrate
	assert_equal "$(state_field mtv-migration.json result)" Succeeded
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	[ "$status" -eq 0 ] || fail "mtv-check-vms exited $status: $stderr"
	grep -q 'name="mtv-ocp-rhel9: disk count" classname="mtv-check-vms" time="[0-9.]*"/>' \
		"$ARTIFACT_DIR/junit_mtv_check_vms.xml" || fail "disk count did not pass"
	run_steps teardown
}

@test "ocp: a multus network of the source VM maps by name and namespace to a NAD; the pod network to pod" {
	kc patch vm mtv-ocp-rhel9 -n mtv-source-vms --type json -p '[
	  {"op":"add","path":"/spec/template/spec/networks/-","value":{"name":"net-1","multus":{"networkName":"default/mtv-bridge"}}},
	  {"op":"add","path":"/spec/template/spec/domain/devices/interfaces/-","value":{"name":"net-1","bridge":{},"macAddress":"02:00:00:00:00:02"}}]' >/dev/null
	run_steps create-provider
	run --separate-stderr "$MTV_BIN_DIR/mtv-networkmap" --dry-run -o json
	kc patch vm mtv-ocp-rhel9 -n mtv-source-vms --type json -p '[
	  {"op":"remove","path":"/spec/template/spec/networks/1"},
	  {"op":"remove","path":"/spec/template/spec/domain/devices/interfaces/1"}]' >/dev/null
	assert_equal "$status" 0
	echo "$output" >"$BATS_TEST_TMPDIR/objects.json"
	run "$MTV_BIN_DIR/mtv-sim" json '[*].spec.map[*].source' <"$BATS_TEST_TMPDIR/objects.json"
	assert_output --partial '{"type":"pod"}'
	assert_output --partial '{"name":"mtv-bridge","namespace":"default"}'
	run_steps teardown
}

@test "ocp: storagemap fails naming the PVC when a volume's PVC has no storage class" {
	kc apply -f - >/dev/null <<-YAML
	apiVersion: v1
	kind: PersistentVolumeClaim
	metadata: {name: no-class, namespace: mtv-source-vms}
	spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
	YAML
	kc patch vm mtv-ocp-rhel9 -n mtv-source-vms --type json -p '[
	  {"op":"add","path":"/spec/template/spec/volumes/-","value":{"name":"extra","dataVolume":{"name":"no-class"}}}]' >/dev/null
	run_steps create-provider
	run --separate-stderr "$MTV_BIN_DIR/mtv-storagemap"
	kc patch vm mtv-ocp-rhel9 -n mtv-source-vms --type json -p '[{"op":"remove","path":"/spec/template/spec/volumes/1"}]' >/dev/null
	kc delete pvc no-class -n mtv-source-vms >/dev/null
	assert_equal "$status" 3
	[[ "$stderr" == *"PVC mtv-source-vms/no-class has no storageClassName"* ]] || fail "$stderr"
	run_steps teardown
}

@test "mtv-sim: an OpenShift-source Plan whose StorageMap lacks the VM's storage class is VMStorageNotMapped" {
	kubectl apply -f - >/dev/null <<-YAML
	apiVersion: v1
	kind: Namespace
	metadata: {name: ocp-unmapped}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: ocp, namespace: ocp-unmapped}
	spec: {type: openshift, url: "", secret: {}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: StorageMap
	metadata: {name: sm, namespace: ocp-unmapped}
	spec:
	  provider: {source: {name: ocp, namespace: ocp-unmapped}, destination: {name: host, namespace: openshift-mtv}}
	  map: [{source: {name: nfs}, destination: {storageClass: nfs}}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: NetworkMap
	metadata: {name: nm, namespace: ocp-unmapped}
	spec:
	  provider: {source: {name: ocp, namespace: ocp-unmapped}, destination: {name: host, namespace: openshift-mtv}}
	  map: [{source: {type: pod}, destination: {type: pod}}]
	YAML
	kubectl wait --for=condition=Ready provider/ocp storagemap/sm networkmap/nm -n ocp-unmapped --timeout=30s >/dev/null
	kubectl apply -f - >/dev/null <<-YAML
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Plan
	metadata: {name: p, namespace: ocp-unmapped}
	spec:
	  targetNamespace: ocp-unmapped-target
	  provider: {source: {name: ocp, namespace: ocp-unmapped}, destination: {name: host, namespace: openshift-mtv}}
	  map: {network: {name: nm, namespace: ocp-unmapped}, storage: {name: sm, namespace: ocp-unmapped}}
	  vms: [{name: mtv-ocp-rhel9, namespace: mtv-source-vms}]
	YAML
	sim_until kubectl wait --for=condition=VMStorageNotMapped plan/p -n ocp-unmapped --timeout=1s
	run kubectl get plan p -n ocp-unmapped -o jsonpath='{.status.conditions[?(@.type=="VMNetworksNotMapped")].status}{.status.conditions[?(@.type=="Ready")].status}'
	assert_output ""
}
