#!/usr/bin/env bats
# Disks as Forklift migrates them, end to end against mtv-sim: the extra
# PVC of an image-booted OpenStack server, and Forklift's DiskIndex order
# (buses SATA, IDE, SCSI, NVMe, then controller key, unit number, key) with
# each PVC matched to its disk by the disk-index annotation.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup() {
	e2e_setup
	export MTV_TESTS_PARAMS="$MTV_SRC_DIR/tests/fixtures/scenarios/disks.json"
}

check_vms_passes() {
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	[ "$status" -eq 0 ] || fail "mtv-check-vms exited $status: $stderr"
	run grep -c '<failure' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	assert_output 0
}

passing_case() {
	grep -q "name=\"$1\" classname=\"mtv-check-vms\" time=\"[0-9.]*\"/>" "$ARTIFACT_DIR/junit_mtv_check_vms.xml" ||
		fail "no passing case '$1' in $(cat "$ARTIFACT_DIR/junit_mtv_check_vms.xml")"
}

@test "openstack: an image-booted server gets one PVC per volume plus the image's, and check-vms counts both" {
	export MTV_SOURCE_PROVIDER=openstack-17.1 MTV_SCENARIO=test_openstack_image_boot
	run_steps create-provider storagemap networkmap plan migrate
	ns=$(state_field mtv-session.json targetNamespace)
	# glance is mapped beside the volume type (the Plan needs it)
	run kc get storagemap -n "$ns" -o jsonpath='{.items[0].spec.map[*].source}'
	assert_output --partial '"name":"glance"'
	# Forklift's PopulatorVolumes: the volume, then the image; disk-source names each
	run kc get pvc -n "$ns" -l vmID=7a0b1c2e-0000-4000-8000-00000000d002 \
		-o jsonpath='{range .items[*]}{.metadata.annotations.forklift\.konveyor\.io/disk-source}{"\n"}{end}'
	assert_output $'7a0b1c2e-0000-4000-8000-00000000e002\n7a0b1c2e-0000-4000-8000-00000000f001'
	check_vms_passes
	passing_case "mtv-openstack-image-rhel9: disk count"
	passing_case "mtv-openstack-image-rhel9: disk 1 source"
	grep -q 'disk count' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
}

@test "openstack: without glance mapped, the Plan of an image-booted server is not Ready (VMStorageNotMapped)" {
	export MTV_SOURCE_PROVIDER=openstack-17.1 MTV_SCENARIO=test_openstack_image_boot MTV_PLAN_READY_TIMEOUT=3
	run_steps create-provider storagemap networkmap
	ns=$(state_field mtv-session.json targetNamespace)
	name=$(kc get storagemap -n "$ns" -o name)
	# keep only the volume type: Forklift's validator wants glance too
	kc patch -n "$ns" "$name" --type merge -p \
		'{"spec":{"map":[{"source":{"id":"7a0b1c2e-0000-4000-8000-00000000b001"},"destination":{"storageClass":"ocs-storagecluster-ceph-rbd"}}]}}'
	run --separate-stderr "$MTV_BIN_DIR/mtv-plan"
	assert_failure
	[[ "$stderr" == *VMStorageNotMapped* ]] || fail "unexpected: $stderr"
}

@test "vsphere: disks numbered in Forklift's bus order, each PVC matched by its disk-index annotation" {
	export MTV_SCENARIO=test_mixed_bus
	run_steps create-provider storagemap networkmap plan migrate
	ns=$(state_field mtv-session.json targetNamespace)
	# the sim numbers the disks as Forklift does: SATA, IDE, SCSI, NVMe
	run kc get pvc -n "$ns" -l vmID=vm-4005 \
		-o jsonpath='{range .items[*]}{.metadata.annotations.forklift\.konveyor\.io/disk-index} {.metadata.name}{"\n"}{end}'
	assert_output "$(printf '%s\n' '0 mtv-rhel8-mixed-bus-0-sata0' '1 mtv-rhel8-mixed-bus-1-sata1' \
		'2 mtv-rhel8-mixed-bus-2-ide0' '3 mtv-rhel8-mixed-bus-3-scsi0' '4 mtv-rhel8-mixed-bus-4-scsi1' \
		'5 mtv-rhel8-mixed-bus-5-nvme0' | sort)"
	check_vms_passes
	for i in 0 1 2 3 4 5; do
		passing_case "mtv-rhel8-mixed-bus: disk $i pvc name"
		passing_case "mtv-rhel8-mixed-bus: disk $i source"
	done
	passing_case "mtv-rhel8-mixed-bus: disk count"
}

@test "vsphere: a PVC whose disk-index names another disk fails check-vms, naming both files" {
	export MTV_SCENARIO=test_mixed_bus
	run_steps create-provider storagemap networkmap plan migrate
	ns=$(state_field mtv-session.json targetNamespace)
	# swap the indexes of the first two PVCs, as a mis-numbering would
	kc annotate pvc -n "$ns" mtv-rhel8-mixed-bus-0-sata0 --overwrite forklift.konveyor.io/disk-index=1
	kc annotate pvc -n "$ns" mtv-rhel8-mixed-bus-1-sata1 --overwrite forklift.konveyor.io/disk-index=0
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 1
	[[ "$stderr" == *"disk 0 source: expected [mtv-nfs-ds] mtv-rhel8-mixed-bus/sata0.vmdk, got [mtv-vmfs-ds] mtv-rhel8-mixed-bus/sata1.vmdk"* ]] ||
		fail "unexpected: $stderr"
	[[ "$stderr" == *"disk 0 pvc name: expected mtv-rhel8-mixed-bus-0-sata0, got mtv-rhel8-mixed-bus-1-sata1"* ]] ||
		fail "unexpected: $stderr"
}
