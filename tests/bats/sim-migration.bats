#!/usr/bin/env bats
# mtv-sim: the Forklift controller and inventory, end to end with kubectl and curl (--speed 0).

bats_require_minimum_version 1.5.0

setup_file() {
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start_checked --speed 0
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

@test "host provider is Ready with the real conditions" {
	run kubectl wait --for=condition=Ready provider/host -n openshift-mtv --timeout=10s
	assert_success
	run kubectl get provider host -n openshift-mtv -o jsonpath='{.status.phase} {.status.conditions[?(@.type=="ConnectionTestSucceeded")].message} {.status.conditions[?(@.type=="InventoryCreated")].reason}'
	assert_output 'Ready Connection test, succeeded. Completed'
}

@test "provider with wrong password or unknown url gets ConnectionFailed" {
	kubectl create ns prov-bad
	kubectl create secret generic wrong -n prov-bad --from-literal=user=administrator@vsphere.local \
		--from-literal=password=nope --from-literal=insecureSkipVerify=true
	kubectl create -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: badpass, namespace: prov-bad}
	spec: {type: vsphere, url: "https://vcenter.sim.example/sdk", secret: {name: wrong, namespace: prov-bad}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: badurl, namespace: prov-bad}
	spec: {type: vsphere, url: "https://nowhere.example/sdk", secret: {name: wrong, namespace: prov-bad}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: nosecret, namespace: prov-bad}
	spec: {type: vsphere, url: "https://vcenter.sim.example/sdk", secret: {name: missing, namespace: prov-bad}}
	YAML
	sim_until kubectl wait --for=jsonpath='{.status.phase}'=ConnectionFailed provider/badpass -n prov-bad --timeout=1s
	run kubectl get provider badpass -n prov-bad -o jsonpath='{.status.conditions[?(@.type=="ConnectionAuthFailed")].category} {.status.conditions[?(@.type=="ConnectionAuthFailed")].message}'
	assert_output --partial 'Critical Connection auth failed, error:'
	sim_until kubectl wait --for=condition=ConnectionTestFailed provider/badurl -n prov-bad --timeout=1s
	run kubectl get provider badurl -n prov-bad -o jsonpath='{.status.phase}: {.status.conditions[?(@.type=="ConnectionTestFailed")].message}'
	assert_output --partial 'ConnectionFailed: Connection test, failed:'
	assert_output --partial 'nowhere.example'
	sim_until kubectl wait --for=condition=SecretNotValid provider/nosecret -n prov-bad --timeout=1s
	run kubectl get provider nosecret -n prov-bad -o jsonpath='{.status.conditions[?(@.type=="SecretNotValid")].reason}'
	assert_output NotFound
	run kubectl get provider badpass -n prov-bad -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'
	assert_output ""
}

@test "Host: Ready for a known ESXi host, RefNotValid for an unknown one" {
	sim_vsphere_setup hosts
	kubectl create secret generic esxi -n hosts --from-literal=user=root --from-literal=password=x
	kubectl create -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Host
	metadata: {name: good, namespace: hosts}
	spec: {id: host-3001, ipAddress: 10.10.0.11, provider: {name: vs, namespace: hosts}, secret: {name: esxi, namespace: hosts}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Host
	metadata: {name: bad, namespace: hosts}
	spec: {id: host-9999, ipAddress: 10.10.0.99, provider: {name: vs, namespace: hosts}, secret: {name: esxi, namespace: hosts}}
	YAML
	run kubectl wait --for=condition=Ready host/good -n hosts --timeout=20s
	assert_success
	sim_until kubectl wait --for=condition=RefNotValid host/bad -n hosts --timeout=1s
	run kubectl get host bad -n hosts -o jsonpath='{.status.conditions[?(@.type=="RefNotValid")].message}'
	assert_output 'Referenced host not found.'
}

@test "inventory: route, detail, name filter, 404 for an unknown provider" {
	sim_vsphere_setup inv
	local uid
	uid=$(kubectl get provider vs -n inv -o jsonpath='{.metadata.uid}')
	run sim_curl "/providers/vsphere/$uid/vms?detail=4"
	assert_success
	run sim_json '[*].name' <<<"$output"
	assert_output "mtv-tests-rhel8 mtv-rhel8-warm-2disks2nics mtv-win2019-3disks mtv-win2022-ip-3disks mtv-rhel8-mixed-bus mtv-rhel8-dvpg mtv-rhel8-nsx"
	# (the service proxy strips the token: inventory-auth.bats)
	run sim_curl "/providers/vsphere/$uid/vms?name=mtv-win2022-ip-3disks"
	assert_success
	run sim_json '[0].id' '[0].disks#' '[0].guestNetworks[0].origin' '[0].nics[0].mac' <<<"$output"
	assert_output "vm-4004 3 manual 00:50:56:a1:00:05"
	local host
	host=$(kubectl get route -n openshift-mtv -l app=forklift,service=forklift-inventory -o jsonpath='{.items[0].spec.host}')
	# the Route presents the router's certificate: the ingress CA verifies it
	kubectl get configmap -n openshift-config-managed default-ingress-cert -o jsonpath='{.data.ca-bundle\.crt}' >"$BATS_TEST_TMPDIR/ingress.crt"
	run curl -sS --cacert "$BATS_TEST_TMPDIR/ingress.crt" -H "Authorization: Bearer $(cat "$SIM_DIR/token")" "https://$host/providers/vsphere/$uid/datastores"
	run sim_json '[*].id' <<<"$output"
	assert_output "datastore-2001 datastore-2002"
	run sim_curl "/providers/vsphere/00000000-0000-0000-0000-000000000000/vms" -o /dev/null -w '%{http_code}'
	assert_output 404
	run sim_curl "/providers/vsphere/$uid/vms/vm-4001"
	run sim_json name powerState 'disks[0].capacity' <<<"$output"
	assert_output "mtv-tests-rhel8 poweredOn 21474836480"
}

@test "inventory of other provider types: ovirt, openstack, ova, openshift" {
	kubectl create ns inv2
	kubectl create secret generic ov -n inv2 --from-literal=user=admin@internal --from-literal=password=sim-ovirt-password --from-literal=insecureSkipVerify=true
	kubectl create secret generic os -n inv2 --from-literal=username=admin --from-literal=password=sim-openstack-password --from-literal=insecureSkipVerify=true
	kubectl create secret generic ova -n inv2 --from-literal=url=nfs.sim.example:/exports/ova
	kubectl create -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: ov, namespace: inv2}
	spec: {type: ovirt, url: "https://engine.sim.example/ovirt-engine/api", secret: {name: ov, namespace: inv2}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: os, namespace: inv2}
	spec: {type: openstack, url: "https://keystone.sim.example:5000/v3", secret: {name: os, namespace: inv2}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: ova, namespace: inv2}
	spec: {type: ova, url: "nfs.sim.example:/exports/ova", secret: {name: ova, namespace: inv2}}
	YAML
	run kubectl wait --for=condition=Ready provider/ov provider/os provider/ova -n inv2 --timeout=20s
	assert_success
	local uid
	uid=$(kubectl get provider ov -n inv2 -o jsonpath='{.metadata.uid}')
	run sim_curl "/providers/ovirt/$uid/workloads/6f0a1c2e-0000-4000-8000-00000000d001"
	run sim_json name 'nics[0].profile.network' 'diskAttachments[0].disk.storageDomain' <<<"$output"
	assert_output "mtv-rhel8-ovirt 6f0a1c2e-0000-4000-8000-00000000a001 6f0a1c2e-0000-4000-8000-00000000b001"
	uid=$(kubectl get provider os -n inv2 -o jsonpath='{.metadata.uid}')
	run sim_curl "/providers/openstack/$uid/volumetypes"
	run sim_json '[0].name' <<<"$output"
	assert_output tripleo
	uid=$(kubectl get provider ova -n inv2 -o jsonpath='{.metadata.uid}')
	run sim_curl "/providers/ova/$uid/vms?detail=1"
	run sim_json '[0].name' '[0].disks[0].ID' <<<"$output"
	assert_output "mtv-ova-rhel8 ova-disk-1"
	uid=$(kubectl get provider host -n openshift-mtv -o jsonpath='{.metadata.uid}')
	run sim_curl "/providers/openshift/$uid/vms?detail=1"
	run sim_json '[*].namespace' '[*].name' '[*].object.kind' <<<"$output"
	assert_output "mtv-source-vms mtv-ocp-rhel9 VirtualMachine"
}

@test "the Plan webhook rejects a warm plan from OpenStack" {
	kubectl create ns osw
	kubectl create secret generic os -n osw --from-literal=username=admin --from-literal=password=sim-openstack-password --from-literal=insecureSkipVerify=true
	kubectl create -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: os, namespace: osw}
	spec: {type: openstack, url: "https://keystone.sim.example:5000/v3", secret: {name: os, namespace: osw}}
	YAML
	run kubectl create -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Plan
	metadata: {name: w, namespace: osw}
	spec:
	  type: warm
	  targetNamespace: osw-target
	  provider: {source: {name: os, namespace: osw}, destination: {name: host, namespace: openshift-mtv}}
	  map: {network: {name: nm, namespace: osw}, storage: {name: sm, namespace: osw}}
	  vms: [{name: mtv-openstack-rhel9}]
	YAML
	assert_failure
	assert_output --partial 'warm migration is not supported by the provider'
	run kubectl get plan w -n osw
	assert_failure
}

@test "plan validation: VMNotFound, VMNetworksNotMapped, VMStorageNotMapped, NamespaceNotValid" {
	sim_vsphere_setup val
	kubectl apply -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: NetworkMap
	metadata: {name: nm-partial, namespace: val}
	spec:
	  provider: {source: {name: vs, namespace: val}, destination: {name: host, namespace: openshift-mtv}}
	  map: [{source: {id: network-1001}, destination: {type: pod}}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: StorageMap
	metadata: {name: sm-partial, namespace: val}
	spec:
	  provider: {source: {name: vs, namespace: val}, destination: {name: host, namespace: openshift-mtv}}
	  map: [{source: {id: datastore-2001}, destination: {storageClass: ocs-storagecluster-ceph-rbd}}]
	YAML
	kubectl wait --for=condition=Ready networkmap/nm-partial storagemap/sm-partial -n val --timeout=20s
	sim_plan val bad-vm val-t '[{name: no-such-vm}]'
	sim_until kubectl wait --for=condition=VMNotFound plan/bad-vm -n val --timeout=1s
	run kubectl get plan bad-vm -n val -o jsonpath='{.status.conditions[?(@.type=="VMNotFound")].category} {.status.conditions[?(@.type=="VMNotFound")].items[0]}'
	assert_output "Critical  id: name:'no-such-vm' "
	run kubectl get plan bad-vm -n val -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'
	assert_output ""
	kubectl apply -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Plan
	metadata: {name: unmapped, namespace: val}
	spec:
	  targetNamespace: Not_A_Namespace
	  provider: {source: {name: vs, namespace: val}, destination: {name: host, namespace: openshift-mtv}}
	  map: {network: {name: nm-partial, namespace: val}, storage: {name: sm-partial, namespace: val}}
	  vms: [{id: vm-4002}]
	YAML
	sim_until kubectl wait --for=condition=VMNetworksNotMapped plan/unmapped -n val --timeout=1s
	run kubectl get plan unmapped -n val -o jsonpath='{.status.conditions[*].type}'
	assert_output --partial VMNetworksNotMapped
	assert_output --partial VMStorageNotMapped
	assert_output --partial NamespaceNotValid
	refute_output --partial Ready
}

@test "cold migration: Plan and Migration Succeeded with destination VM, VMI, DataVolumes, PVCs and labels" {
	sim_vsphere_setup cold
	sim_plan cold p cold-target '[{name: mtv-tests-rhel8}, {id: vm-4002}, {name: mtv-win2019-3disks, targetPowerState: "off"}]' \
		'targetLabels: {team: mtv}'
	kubectl wait --for=condition=Ready plan/p -n cold --timeout=20s
	sim_migrate cold p
	run kubectl wait --for=condition=Succeeded plan/p -n cold --timeout=60s
	assert_success
	run kubectl wait --for=condition=Succeeded migration/p-m -n cold --timeout=10s
	assert_success
	local puid muid
	puid=$(kubectl get plan p -n cold -o jsonpath='{.metadata.uid}')
	muid=$(kubectl get migration p-m -n cold -o jsonpath='{.metadata.uid}')
	# pipeline with the real vSphere cold step names, every step Completed
	run kubectl get migration p-m -n cold -o jsonpath='{.status.vms[0].name} {.status.vms[0].phase} {.status.vms[0].pipeline[?(@.phase=="Completed")].name}'
	assert_output "mtv-tests-rhel8 Completed Initialize DiskAllocation ImageConversion DiskTransferV2v VirtualMachineCreation"
	# a Windows VM with targetPowerState off skips the guest reboot wait
	run kubectl get plan p -n cold -o jsonpath='{.status.migration.vms[2].pipeline[*].name}'
	assert_output 'Initialize DiskAllocation ImageConversion DiskTransferV2v VirtualMachineCreation'
	# the KubeVirt VM as Forklift builds it
	run kubectl get vm mtv-tests-rhel8 -n cold-target -o jsonpath='{.metadata.labels.plan}/{.metadata.labels.migration}/{.metadata.labels.vmID}'
	assert_output "$puid/$muid/vm-4001"
	run kubectl get vm mtv-tests-rhel8 -n cold-target -o jsonpath='{.spec.runStrategy} {.spec.template.spec.domain.cpu.sockets}x{.spec.template.spec.domain.cpu.cores} {.spec.template.spec.domain.memory.guest} {.spec.template.spec.domain.devices.interfaces[0].macAddress} {.spec.template.metadata.labels.team} {.spec.template.metadata.labels.app}'
	assert_output 'Always 1x2 4096Mi 00:50:56:a1:00:01 mtv mtv-tests-rhel8'
	run kubectl get vm mtv-rhel8-warm-2disks2nics -n cold-target -o jsonpath='{.spec.template.spec.networks[1].multus.networkName} {.spec.template.spec.domain.devices.interfaces[1].macAddress}'
	assert_output 'default/mtv-bridge 00:50:56:a1:00:03'
	# targetPowerState off wins over the Windows reboot wait: Halted, no VMI
	run kubectl get vm mtv-win2019-3disks -n cold-target -o jsonpath='{.spec.runStrategy} {.spec.template.spec.domain.firmware.bootloader}'
	assert_output 'Halted {"efi":{}}'
	run kubectl get vmi mtv-win2019-3disks -n cold-target
	assert_failure
	run kubectl get vmi mtv-tests-rhel8 -n cold-target -o jsonpath='{.status.phase} {.status.interfaces[0].ipAddress} {.status.conditions[?(@.type=="AgentConnected")].status}'
	assert_output 'Running 10.10.1.21 True'
	# PVCs named by the default template, storage class from the StorageMap
	run kubectl get pvc -n cold-target -l "plan=$puid,vmID=vm-4002" -o jsonpath='{range .items[*]}{.metadata.name} {.spec.storageClassName}{"\n"}{end}'
	assert_line --index 0 --regexp '^p-mtv-rhel8-warm--disk-0-[a-z0-9]{5} ocs-storagecluster-ceph-rbd$'
	assert_line --index 1 --regexp '^p-mtv-rhel8-warm--disk-1-[a-z0-9]{5} ocs-storagecluster-ceph-rbd-virtualization$'
	run kubectl get dv -n cold-target -l "vmID=vm-4001" -o jsonpath='{.items[0].status.phase} {.items[0].metadata.annotations.forklift\.konveyor\.io/disk-source}'
	assert_output 'Succeeded [mtv-nfs-ds] mtv-tests-rhel8/mtv-tests-rhel8.vmdk'
	run kubectl get vm mtv-tests-rhel8 -n cold-target -o jsonpath='{.spec.template.spec.volumes[0].persistentVolumeClaim.claimName}'
	assert_output --regexp '^p-mtv-tests-rhel8-disk-0-'
	# the conversion pod and its log
	# (with a selector kubectl asks for the last 10 lines unless told otherwise)
	run kubectl logs --tail=-1 -n cold-target -l forklift.app=virt-v2v,vmID=vm-4001
	assert_output --partial 'Setting up the source'
	run sim_curl /sim/stats
	run sim_json 'plans["cold/p"].condition' <<<"$output"
	assert_output Succeeded
}

@test "targetNodeSelector, targetAffinity and targetPowerState on reach the VM and its VMI" {
	sim_vsphere_setup place
	sim_plan place p place-target '[{name: mtv-win2019-3disks}]' \
		$'targetPowerState: "on"\n  targetNodeSelector: {topology.kubernetes.io/zone: zone-b}\n  targetAffinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: x}}}}]}}'
	kubectl wait --for=condition=Ready plan/p -n place --timeout=20s
	sim_migrate place p
	run kubectl wait --for=condition=Succeeded plan/p -n place --timeout=60s
	assert_success
	run kubectl get vm mtv-win2019-3disks -n place-target -o jsonpath='{.spec.runStrategy} {.spec.template.spec.nodeSelector} {.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight}'
	assert_output 'Always {"topology.kubernetes.io/zone":"zone-b"} 1'
	# the source was powered off, targetPowerState on starts it anyway, on a zone-b node
	run kubectl get vmi mtv-win2019-3disks -n place-target -o jsonpath='{.status.nodeName}'
	assert_output worker-1
	run kubectl get plan p -n place -o jsonpath='{.status.migration.vms[0].restorePowerState}'
	assert_output Off
}

@test "pvcNameTemplate with generateName off names PVCs exactly" {
	sim_vsphere_setup tmpl
	sim_plan tmpl t tmpl-target '[{name: mtv-win2022-ip-3disks, targetName: win22}]' \
		$'pvcNameTemplate: "{{.TargetVmName}}-{{.DiskIndex}}-{{ trunc 4 .PlanName | upper | lower }}"\n  pvcNameTemplateUseGenerateName: false'
	kubectl wait --for=condition=Ready plan/t -n tmpl --timeout=20s
	sim_migrate tmpl t
	run kubectl wait --for=condition=Succeeded plan/t -n tmpl --timeout=60s
	assert_success
	run kubectl get pvc -n tmpl-target -o name
	assert_output $'persistentvolumeclaim/win22-0-t\npersistentvolumeclaim/win22-1-t\npersistentvolumeclaim/win22-2-t'
	run kubectl get vm win22 -n tmpl-target -o jsonpath='{.metadata.annotations.openshift\.io/display-name} {.spec.runStrategy}'
	assert_output 'mtv-win2022-ip-3disks Always'
	run kubectl get plan t -n tmpl -o jsonpath='{.status.migration.vms[0].newName} {.status.migration.vms[0].pipeline[*].name}'
	assert_output 'win22 Initialize DiskAllocation ImageConversion DiskTransferV2v VirtualMachineCreation WaitForGuestReboots'
}

@test "warm migration: precopies until cutover, then Succeeded" {
	sim_vsphere_setup warm
	sim_plan warm w warm-target '[{name: mtv-rhel8-warm-2disks2nics}]' 'type: warm'
	kubectl wait --for=condition=Ready plan/w -n warm --timeout=20s
	sim_migrate warm w
	sim_until kubectl wait --for=jsonpath='{.status.migration.vms[0].phase}'=CopyingPaused plan/w -n warm --timeout=1s
	run kubectl get plan w -n warm -o jsonpath='{.status.conditions[?(@.type=="Executing")].status} {.status.migration.vms[0].warm.successes}'
	assert_output --regexp '^True [1-9]'
	run kubectl get plan w -n warm -o jsonpath='{.status.migration.vms[0].pipeline[*].name}'
	assert_output 'Initialize PreflightInspection DiskTransfer Cutover ImageConversion VirtualMachineCreation WaitForFinalSnapshotConsolidation'
	kubectl patch migration w-m -n warm --type merge -p "{\"spec\":{\"cutover\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}}"
	run kubectl wait --for=condition=Succeeded plan/w -n warm --timeout=60s
	assert_success
	run kubectl get dv -n warm-target -o jsonpath='{.items[0].spec.source.vddk.backingFile}'
	assert_output '[mtv-nfs-ds] mtv-rhel8-warm-2disks2nics/disk0.vmdk'
}

@test "warm migration of a VM without change block tracking is blocked" {
	sim_vsphere_setup warmcbt
	sim_plan warmcbt w warmcbt-target '[{name: mtv-win2019-3disks}]' 'type: warm'
	sim_until kubectl wait --for=condition=VMMissingChangedBlockTracking plan/w -n warmcbt --timeout=1s
	run kubectl get plan w -n warmcbt -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'
	assert_output ""
}

@test "a warm vSphere plan with no VDDK image anywhere is never Ready (VDDKInitImageUnavailable)" {
	sim_vsphere_setup novddk
	kubectl patch provider vs -n novddk --type json -p '[{"op":"remove","path":"/spec/settings/vddkInitImage"}]'
	sim_plan novddk w novddk-target '[{name: mtv-rhel8-warm-2disks2nics}]' 'type: warm'
	sim_until kubectl wait --for=condition=VDDKInitImageUnavailable plan/w -n novddk --timeout=1s
	run kubectl get plan w -n novddk -o jsonpath='{.status.conditions[?(@.type=="VDDKInitImageUnavailable")].category}/{.status.conditions[?(@.type=="VDDKInitImageUnavailable")].reason}: {.status.conditions[?(@.type=="VDDKInitImageUnavailable")].message}|{.status.conditions[?(@.type=="Ready")].status}'
	assert_output 'Critical/NotSet: VDDK image is required for warm migration. Set it on the source provider or configure a global VDDK image.|'
	# A cold plan from the same provider needs none.
	sim_plan novddk c novddk-cold '[{name: mtv-rhel8-warm-2disks2nics}]'
	kubectl wait --for=condition=Ready plan/c -n novddk --timeout=20s
	# The global image of the ForkliftController unblocks the warm one.
	kubectl patch forkliftcontroller forklift-controller -n openshift-mtv --type merge -p '{"spec":{"vddk_image":"quay.io/mtv-sim/vddk:global"}}'
	run kubectl wait --for=condition=Ready plan/w -n novddk --timeout=20s
	kubectl patch forkliftcontroller forklift-controller -n openshift-mtv --type merge -p '{"spec":{"vddk_image":null}}'
	assert_success
}

hook_yaml() {
	local ns=$1 name=$2 playbook=$3
	kubectl apply -f - <<-YAML
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Hook
	metadata: {name: $name, namespace: $ns}
	spec: {image: quay.io/konveyor/hook-runner, playbook: "$(printf '%s' "$playbook" | base64 -w0)"}
	YAML
}

@test "a PreHook whose playbook fails fails the VM at PreHook and creates no VM" {
	sim_vsphere_setup prehook
	hook_yaml prehook bad $'- hosts: localhost\n  tasks:\n  - name: stop here\n    fail:\n      msg: pre-hook refused\n'
	kubectl wait --for=condition=Ready hook/bad -n prehook --timeout=20s
	sim_plan prehook p prehook-target '[{name: mtv-tests-rhel8, hooks: [{step: PreHook, hook: {name: bad, namespace: prehook}}]}]'
	kubectl wait --for=condition=Ready plan/p -n prehook --timeout=20s
	sim_migrate prehook p
	run kubectl wait --for=condition=Failed plan/p -n prehook --timeout=60s
	assert_success
	run kubectl get plan p -n prehook -o jsonpath='{.status.migration.vms[0].pipeline[?(@.name=="PreHook")].error.phase}: {.status.migration.vms[0].pipeline[?(@.name=="PreHook")].error.reasons[0]}'
	assert_output 'PreHook: Job has reached the specified backoff limit'
	run kubectl get plan p -n prehook -o jsonpath='{.status.migration.vms[0].conditions[?(@.type=="Failed")].message}'
	assert_output 'The VM migration has FAILED.'
	run kubectl wait --for=condition=Failed migration/p-m -n prehook --timeout=10s
	assert_success
	run kubectl get jobs -n prehook -l step=PreHook -o jsonpath='{.items[0].status.conditions[0].type}'
	assert_output Failed
	run kubectl logs -n prehook -l step=PreHook
	assert_output --partial 'pre-hook refused'
	run kubectl get vm -n prehook-target -o name
	assert_output ""
}

@test "a PostHook whose playbook fails fails the VM at PostHook after the VM was created" {
	sim_vsphere_setup posthook
	hook_yaml posthook ok $'- hosts: localhost\n  tasks:\n  - debug: {msg: fine}\n'
	hook_yaml posthook bad $'- hosts: localhost\n  tasks:\n  - ansible.builtin.fail: {msg: post-hook refused}\n'
	kubectl wait --for=condition=Ready hook/ok hook/bad -n posthook --timeout=20s
	sim_plan posthook p posthook-target '[{name: mtv-tests-rhel8, hooks: [{step: PreHook, hook: {name: ok, namespace: posthook}}, {step: PostHook, hook: {name: bad, namespace: posthook}}]}]'
	kubectl wait --for=condition=Ready plan/p -n posthook --timeout=20s
	sim_migrate posthook p
	run kubectl wait --for=condition=Failed plan/p -n posthook --timeout=60s
	assert_success
	run kubectl get plan p -n posthook -o jsonpath='{.status.migration.vms[0].pipeline[?(@.name=="PreHook")].phase} {.status.migration.vms[0].error.phase}'
	assert_output 'Completed PostHook'
	run kubectl get vm mtv-tests-rhel8 -n posthook-target -o name
	assert_output virtualmachine.kubevirt.io/mtv-tests-rhel8
}

@test "archive: Archived condition, Ready dropped, conversion pods removed" {
	sim_vsphere_setup arch
	sim_plan arch a arch-target '[{name: mtv-tests-rhel8}]'
	kubectl wait --for=condition=Ready plan/a -n arch --timeout=20s
	sim_migrate arch a
	kubectl wait --for=condition=Succeeded plan/a -n arch --timeout=60s
	run kubectl get pods -n arch-target -l forklift.app=virt-v2v -o name
	assert_output --partial pod/
	kubectl patch plan a -n arch --type merge -p '{"spec":{"archived":true}}'
	run kubectl wait --for=condition=Archived plan/a -n arch --timeout=20s
	assert_success
	run kubectl get plan a -n arch -o jsonpath='{.status.conditions[?(@.type=="Archived")].reason} {.status.conditions[?(@.type=="Ready")].status}'
	assert_output 'UserRequested '
	run kubectl get pods -n arch-target -l forklift.app=virt-v2v -o name
	assert_output ""
	run kubectl get vm mtv-tests-rhel8 -n arch-target -o name
	assert_success
}

@test "oVirt cold migration: DiskTransfer pipeline, firmware uuid is the source id" {
	kubectl create ns ovm
	kubectl create secret generic ov -n ovm --from-literal=user=admin@internal --from-literal=password=sim-ovirt-password --from-literal=insecureSkipVerify=true
	kubectl apply -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: ov, namespace: ovm}
	spec: {type: ovirt, url: "https://engine.sim.example/ovirt-engine/api", secret: {name: ov, namespace: ovm}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: StorageMap
	metadata: {name: sm, namespace: ovm}
	spec:
	  provider: {source: {name: ov, namespace: ovm}, destination: {name: host, namespace: openshift-mtv}}
	  map: [{source: {id: 6f0a1c2e-0000-4000-8000-00000000b001}, destination: {storageClass: nfs}}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: NetworkMap
	metadata: {name: nm, namespace: ovm}
	spec:
	  provider: {source: {name: ov, namespace: ovm}, destination: {name: host, namespace: openshift-mtv}}
	  map: [{source: {name: ovirtmgmt}, destination: {type: pod}}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Plan
	metadata: {name: p, namespace: ovm}
	spec:
	  targetNamespace: ovm-target
	  provider: {source: {name: ov, namespace: ovm}, destination: {name: host, namespace: openshift-mtv}}
	  map: {network: {name: nm, namespace: ovm}, storage: {name: sm, namespace: ovm}}
	  vms: [{name: mtv-rhel8-ovirt}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Migration
	metadata: {name: m, namespace: ovm}
	spec: {plan: {name: p, namespace: ovm}}
	YAML
	run kubectl wait --for=condition=Succeeded plan/p -n ovm --timeout=60s
	assert_success
	run kubectl get plan p -n ovm -o jsonpath='{.status.migration.vms[0].pipeline[*].name}'
	assert_output 'Initialize DiskTransfer VirtualMachineCreation'
	run kubectl get vm mtv-rhel8-ovirt -n ovm-target -o jsonpath='{.spec.template.spec.domain.firmware.uuid} {.metadata.labels.guestConverted}'
	assert_output '6f0a1c2e-0000-4000-8000-00000000d001 '
	run kubectl get pvc -n ovm-target -o jsonpath='{.items[0].spec.storageClassName}'
	assert_output nfs
}

@test "OpenStack and OVA cold migrations succeed with their pipelines" {
	kubectl create ns o2m
	kubectl create secret generic os -n o2m --from-literal=username=admin --from-literal=password=sim-openstack-password --from-literal=insecureSkipVerify=true
	kubectl create secret generic ova -n o2m --from-literal=url=nfs.sim.example:/exports/ova
	kubectl apply -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: os, namespace: o2m}
	spec: {type: openstack, url: "https://keystone.sim.example:5000/v3", secret: {name: os, namespace: o2m}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: ova, namespace: o2m}
	spec: {type: ova, url: "nfs.sim.example:/exports/ova", secret: {name: ova, namespace: o2m}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: StorageMap
	metadata: {name: sm-os, namespace: o2m}
	spec:
	  provider: {source: {name: os, namespace: o2m}, destination: {name: host, namespace: openshift-mtv}}
	  map: [{source: {name: tripleo}, destination: {storageClass: nfs}}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: NetworkMap
	metadata: {name: nm-os, namespace: o2m}
	spec:
	  provider: {source: {name: os, namespace: o2m}, destination: {name: host, namespace: openshift-mtv}}
	  map: [{source: {id: 7a0b1c2e-0000-4000-8000-00000000a001, name: private}, destination: {type: pod}}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: StorageMap
	metadata: {name: sm-ova, namespace: o2m}
	spec:
	  provider: {source: {name: ova, namespace: o2m}, destination: {name: host, namespace: openshift-mtv}}
	  map: [{source: {id: ova-disk-1}, destination: {storageClass: nfs}}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: NetworkMap
	metadata: {name: nm-ova, namespace: o2m}
	spec:
	  provider: {source: {name: ova, namespace: o2m}, destination: {name: host, namespace: openshift-mtv}}
	  map: [{source: {id: ova-net-1}, destination: {type: pod}}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Plan
	metadata: {name: pos, namespace: o2m}
	spec:
	  targetNamespace: o2m-t
	  provider: {source: {name: os, namespace: o2m}, destination: {name: host, namespace: openshift-mtv}}
	  map: {network: {name: nm-os, namespace: o2m}, storage: {name: sm-os, namespace: o2m}}
	  vms: [{name: mtv-openstack-rhel9}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Plan
	metadata: {name: pova, namespace: o2m}
	spec:
	  targetNamespace: o2m-t
	  provider: {source: {name: ova, namespace: o2m}, destination: {name: host, namespace: openshift-mtv}}
	  map: {network: {name: nm-ova, namespace: o2m}, storage: {name: sm-ova, namespace: o2m}}
	  vms: [{name: mtv-ova-rhel8}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Migration
	metadata: {name: mos, namespace: o2m}
	spec: {plan: {name: pos, namespace: o2m}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Migration
	metadata: {name: mova, namespace: o2m}
	spec: {plan: {name: pova, namespace: o2m}}
	YAML
	run kubectl wait --for=condition=Succeeded plan/pos plan/pova -n o2m --timeout=60s
	assert_success
	run kubectl get plan pos -n o2m -o jsonpath='{.status.migration.vms[0].pipeline[*].name}'
	assert_output 'Initialize DiskTransfer ConvertOpenstackSnapshot VirtualMachineCreation'
	run kubectl get plan pova -n o2m -o jsonpath='{.status.migration.vms[0].pipeline[*].name}'
	assert_output 'Initialize DiskAllocation ImageConversion DiskTransferV2v VirtualMachineCreation'
	run kubectl get vm -n o2m-t -o name
	assert_output $'virtualmachine.kubevirt.io/mtv-openstack-rhel9\nvirtualmachine.kubevirt.io/mtv-ova-rhel8'
}

@test "OpenShift source (host provider): PVCs named after the source PVCs" {
	kubectl create ns ocp
	kubectl apply -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: StorageMap
	metadata: {name: sm, namespace: ocp}
	spec:
	  provider: {source: {name: host, namespace: openshift-mtv}, destination: {name: host, namespace: openshift-mtv}}
	  map: [{source: {name: ocs-storagecluster-ceph-rbd}, destination: {storageClass: ocs-storagecluster-ceph-rbd-virtualization}}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: NetworkMap
	metadata: {name: nm, namespace: ocp}
	spec:
	  provider: {source: {name: host, namespace: openshift-mtv}, destination: {name: host, namespace: openshift-mtv}}
	  map: [{source: {type: pod}, destination: {type: pod}}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Plan
	metadata: {name: p, namespace: ocp}
	spec:
	  targetNamespace: ocp-target
	  provider: {source: {name: host, namespace: openshift-mtv}, destination: {name: host, namespace: openshift-mtv}}
	  map: {network: {name: nm, namespace: ocp}, storage: {name: sm, namespace: ocp}}
	  vms: [{name: mtv-ocp-rhel9, namespace: mtv-source-vms}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Migration
	metadata: {name: m, namespace: ocp}
	spec: {plan: {name: p, namespace: ocp}}
	YAML
	run kubectl wait --for=condition=Succeeded plan/p -n ocp --timeout=60s
	assert_success
	run kubectl get pvc -n ocp-target -o jsonpath='{.items[0].metadata.name} {.items[0].spec.storageClassName}'
	assert_output 'mtv-ocp-rhel9-disk-0 ocs-storagecluster-ceph-rbd-virtualization'
	local uid
	uid=$(kubectl get vm mtv-ocp-rhel9 -n mtv-source-vms -o jsonpath='{.metadata.uid}')
	run kubectl get vm mtv-ocp-rhel9 -n ocp-target -o jsonpath='{.metadata.labels.vmID}'
	assert_output "$uid"
}

@test "once migrations are done the controller stops writing (no status churn)" {
	local a b
	a=$(sim_curl /sim/stats | sim_json resourceVersion)
	sleep 1
	b=$(sim_curl /sim/stats | sim_json resourceVersion)
	[ "$a" = "$b" ] || fail "resourceVersion moved from $a to $b while nothing was happening"
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
