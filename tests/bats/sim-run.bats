#!/usr/bin/env bats
# mtv-sim: migrations in scaled time (--speed 600): warm precopies on the
# ForkliftController interval, cancel, world-injected failures and differences.

bats_require_minimum_version 1.5.0

setup_file() {
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	# the default world with a slow VM, a failing VM and a VM that comes out different
	SIM_WORLD="$MTV_SRC_DIR/tests/fixtures/worlds/failures.json" sim_start_checked --speed 600
}

teardown_file() {
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_stop
}

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_attach
}

@test "the inventory answers 206 until the provider has synced" {
	sim_vsphere_setup sync
	kubectl create secret generic s2 -n sync --from-literal=user=administrator@vsphere.local \
		--from-literal=password=sim-vsphere-password --from-literal=insecureSkipVerify=true
	kubectl create -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: fresh, namespace: sync}
	spec: {type: vsphere, url: "https://vcenter.sim.example/sdk", secret: {name: s2, namespace: sync}}
	YAML
	local uid code
	uid=$(kubectl get provider fresh -n sync -o jsonpath='{.metadata.uid}')
	code=$(sim_curl "/providers/vsphere/$uid/vms" -o /dev/null -w '%{http_code}')
	# 206 while loading (a few simulated seconds), 200 once InventoryCreated
	[[ "$code" == 206 || "$code" == 200 ]] || fail "unexpected $code"
	kubectl wait --for=condition=InventoryCreated provider/fresh -n sync --timeout=20s
	run sim_curl "/providers/vsphere/$uid/vms" -o /dev/null -w '%{http_code}'
	assert_output 200
}

@test "warm: precopies every controller_precopy_interval (scaled), cutover, Succeeded" {
	kubectl patch forkliftcontroller forklift-controller -n openshift-mtv --type merge -p '{"spec":{"controller_precopy_interval":1}}'
	sim_vsphere_setup warm
	sim_plan warm w warm-target '[{name: mtv-rhel8-warm-2disks2nics}]' 'type: warm'
	kubectl wait --for=condition=Ready plan/w -n warm --timeout=20s
	sim_migrate warm w
	sim_until kubectl wait --for=jsonpath='{.status.migration.vms[0].warm.successes}'=3 plan/w -n warm --timeout=1s
	run kubectl get plan w -n warm -o json
	run sim_json 'status.migration.vms[0].warm.precopies#' 'status.migration.vms[0].pipeline[2].name' <<<"$output"
	assert_output --regexp '^([3-9]|[1-9][0-9]+) DiskTransfer$'
	run kubectl get migration w-m -n warm -o jsonpath='{.status.conditions[?(@.type=="Running")].status}'
	assert_output True
	kubectl patch migration w-m -n warm --type merge -p "{\"spec\":{\"cutover\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}}"
	run kubectl wait --for=condition=Succeeded plan/w -n warm --timeout=60s
	assert_success
	run kubectl get plan w -n warm -o jsonpath='{.status.migration.vms[0].pipeline[?(@.name=="Cutover")].phase}'
	assert_output Completed
}

@test "cancel: the canceled VM ends Canceled and loses its disks, the other one migrates" {
	sim_vsphere_setup cancel
	sim_plan cancel c cancel-target '[{name: mtv-win2019-3disks}, {name: mtv-rhel8-warm-2disks2nics}]'
	kubectl wait --for=condition=Ready plan/c -n cancel --timeout=20s
	sim_migrate cancel c
	sim_until kubectl wait --for=jsonpath='{.status.migration.vms[0].phase}'=CopyDisksVirtV2V plan/c -n cancel --timeout=1s
	run kubectl get dv -n cancel-target -l vmID=vm-4003 -o name
	assert_output --partial datavolume
	kubectl patch migration c-m -n cancel --type merge -p '{"spec":{"cancel":[{"id":"vm-4003"}]}}'
	run kubectl wait --for=condition=Succeeded plan/c -n cancel --timeout=60s
	assert_success
	run kubectl get plan c -n cancel -o jsonpath='{.status.migration.vms[0].conditions[?(@.type=="Canceled")].reason}: {.status.migration.vms[0].conditions[?(@.type=="Canceled")].message} {.status.migration.vms[0].phase}'
	assert_output 'UserRequested: The migration has been canceled. Completed'
	run kubectl get dv -n cancel-target -l vmID=vm-4003 -o name
	assert_output ""
	run kubectl get vm mtv-rhel8-warm-2disks2nics -n cancel-target -o name
	assert_success
}

@test "cancel every VM: Plan and Migration end Canceled" {
	sim_vsphere_setup cancelall
	sim_plan cancelall c cancelall-target '[{name: mtv-win2019-3disks}]'
	kubectl wait --for=condition=Ready plan/c -n cancelall --timeout=20s
	sim_migrate cancelall c
	sim_until kubectl wait --for=condition=Executing plan/c -n cancelall --timeout=1s
	kubectl patch migration c-m -n cancelall --type merge -p '{"spec":{"cancel":[{"name":"mtv-win2019-3disks"}]}}'
	run kubectl wait --for=condition=Canceled plan/c -n cancelall --timeout=60s
	assert_success
	run kubectl get plan c -n cancelall -o jsonpath='{.status.conditions[?(@.type=="Canceled")].message}'
	assert_output 'The plan execution has been CANCELED.'
	run kubectl wait --for=condition=Canceled migration/c-m -n cancelall --timeout=10s
	assert_success
}

@test "deleting the running Migration cancels the plan with reason Deleted" {
	sim_vsphere_setup delmig
	sim_plan delmig d delmig-target '[{name: mtv-win2019-3disks}]'
	kubectl wait --for=condition=Ready plan/d -n delmig --timeout=20s
	sim_migrate delmig d
	sim_until kubectl wait --for=condition=Executing plan/d -n delmig --timeout=1s
	kubectl delete migration d-m -n delmig
	run kubectl wait --for=condition=Canceled plan/d -n delmig --timeout=30s
	assert_success
	run kubectl get plan d -n delmig -o jsonpath='{.status.conditions[?(@.type=="Canceled")].reason}: {.status.conditions[?(@.type=="Canceled")].message}'
	assert_output 'Deleted: The migration has been deleted.'
	run kubectl get plan d -n delmig -o jsonpath='{.status.conditions[?(@.type=="Executing")].status}'
	assert_output ""
}

@test "a world-injected failure fails the VM at its step and cleans up its disks" {
	sim_vsphere_setup fail
	sim_plan fail f fail-target '[{name: mtv-win2022-ip-3disks}]'
	kubectl wait --for=condition=Ready plan/f -n fail --timeout=20s
	sim_migrate fail f
	run kubectl wait --for=condition=Failed plan/f -n fail --timeout=60s
	assert_success
	run kubectl get plan f -n fail -o jsonpath='{.status.conditions[?(@.type=="Failed")].category} {.status.migration.vms[0].error.phase}: {.status.migration.vms[0].error.reasons[0]}'
	assert_output 'Advisory CopyDisksVirtV2V: disk copy exploded'
	run kubectl get plan f -n fail -o jsonpath='{.status.migration.vms[0].pipeline[?(@.name=="DiskTransferV2v")].error.reasons[0]}'
	assert_output 'disk copy exploded'
	run kubectl get pvc,dv -n fail-target -o name
	assert_output ""
	run kubectl wait --for=condition=Failed migration/f-m -n fail --timeout=10s
	assert_success
}

@test "a world 'differ' makes the destination VM differ from the source" {
	sim_vsphere_setup differ
	sim_plan differ d differ-target '[{name: mtv-tests-rhel8}]'
	kubectl wait --for=condition=Ready plan/d -n differ --timeout=20s
	sim_migrate differ d
	kubectl wait --for=condition=Succeeded plan/d -n differ --timeout=60s
	local uid
	uid=$(kubectl get provider vs -n differ -o jsonpath='{.metadata.uid}')
	run sim_curl "/providers/vsphere/$uid/vms/vm-4001"
	run sim_json coresPerSocket <<<"$output"
	assert_output 2
	run kubectl get vm mtv-tests-rhel8 -n differ-target -o jsonpath='{.spec.template.spec.domain.cpu.cores}'
	assert_output 8
}

@test "/sim/stats counts requests by verb and resource and times finished plans" {
	run sim_curl /sim/stats
	assert_success
	run sim_json requests.create.plans requests.get.plans 'plans["differ/d"].condition' speed <<<"$output"
	assert_output --regexp '^[1-9][0-9]* [1-9][0-9]* Succeeded 600$'
}

@test "every Forklift object the sim wrote validates against the CRD schemas" {
	crds_or_skip
	run grep -c 'fails its CRD schema' "$BATS_FILE_TMPDIR/sim.log"
	assert_output 0
}

@test "after all of the above the sim stops cleanly on SIGTERM" {
	run sim_stop_checked
	assert_success
}
