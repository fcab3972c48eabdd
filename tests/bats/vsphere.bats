#!/usr/bin/env bats
# lib/vsphere through vsphereprobe against vcsim, VMware's own vim25
# simulator (govmomi's simulator.VPX model: datacenter DC0, host DC0_H0 with
# DC0_H0_VM0/1, cluster DC0_C0 with DC0_C0_RP0_VM0/1, datastore LocalDS_0).
# The facts checked are those govmomi's simulator gives its VMs: 1 vCPU,
# 1 core per socket, 32 MB, BIOS, powered on, one 1 MiB disk
# "[LocalDS_0] <vm>/disk1.vmdk", one NIC with a VMware OUI MAC (00:0c:29).
bats_require_minimum_version 1.5.0

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	source "$MTV_SRC_DIR/tests/vcsim/vcsim.bash"
	vcsim_start
	PROBE="$MTV_TEST_BIN_DIR/progs/vsphereprobe"
}

teardown() {
	vcsim_stop
}

probe() {
	VSPHERE_PASSWORD="$VCSIM_PASSWORD" "$PROBE" "$VCSIM_URL" "$VCSIM_USER" "$@"
}

@test "vsphere: login and logout with the session cookie" {
	run --separate-stderr env MTV_LOG_LEVEL=trace VSPHERE_PASSWORD="$VCSIM_PASSWORD" \
		"$PROBE" "$VCSIM_URL" "$VCSIM_USER" login
	assert_success
	assert_output "calls: RetrieveServiceContent=1 Login=1 Logout=1"
	# the trace shows the calls but never the Login body's password
	[[ "$stderr" == *"vSphere RetrieveServiceContent request"* ]]
	[[ "$stderr" == *"vSphere Login request: <body holds a credential, not traced>"* ]]
	[[ "$stderr" != *"$VCSIM_PASSWORD"* ]]
}

@test "vsphere: a bad password is InvalidLogin, exit 3, the password in no output" {
	local bad="Wrong-$RANDOM-passw0rd-$RANDOM"
	run --separate-stderr env MTV_LOG_LEVEL=trace VSPHERE_PASSWORD="$bad" \
		"$PROBE" "$VCSIM_URL" "$VCSIM_USER" login
	assert_equal "$status" 3
	[[ "$stderr" == *"vsphereprobe: as $VCSIM_USER: vSphere Login: InvalidLogin: Login failure"* ]]
	[[ "$stderr" == *"vsphereprobe: reason=InvalidLogin"* ]]
	[[ "$stderr$output" != *"$bad"* ]]
	[[ "$stderr$output" != *"$VCSIM_PASSWORD"* ]]
	[[ "$stderr" != *WARN* ]]
}

@test "vsphere: calls without a session are NotAuthenticated, exit 3" {
	run --separate-stderr env VSPHERE_NO_LOGIN=1 VSPHERE_PASSWORD="$VCSIM_PASSWORD" \
		"$PROBE" "$VCSIM_URL" "$VCSIM_USER" vms DC0_H0_VM0
	assert_equal "$status" 3
	[[ "${stderr_lines[0]}" == "vsphereprobe: vSphere CreateContainerView: NotAuthenticated: "* ]]
	assert_equal "${stderr_lines[1]}" 'vsphereprobe: reason=NotAuthenticated'
	# an empty user name is refused by Login itself
	run --separate-stderr env VSPHERE_PASSWORD="$VCSIM_PASSWORD" "$PROBE" "$VCSIM_URL" "" login
	assert_equal "$status" 3
	[[ "$stderr" == *"InvalidLogin"* ]]
}

@test "vsphere: bulk facts of vcsim's VMs in one property read" {
	run --separate-stderr probe vms DC0_H0_VM0
	assert_success
	assert_line --index 0 --regexp '^vm=DC0_H0_VM0 ref=vm-[0-9]+ parent=[a-z]+-[0-9]+ cpu=1 cores=1 memory_mb=32 firmware=bios uuid=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} power=poweredOn$'
	assert_line --index 1 --regexp '^  disk label=[^ ]+ file=\[LocalDS_0\] DC0_H0_VM0/disk1.vmdk datastore=[^ ]+ capacity=1048576 key=[0-9]+ controller=[0-9]+ unit=0 mode=persistent provisioning=thin$'
	assert_line --index 2 --regexp '^  nic label=[^ ]+ mac=00:0c:29(:[0-9a-f]{2}){3} network_ref=DistributedVirtualPortgroup:dvportgroup-[0-9]+ network=DC0_DVPG0$'
	assert_line --partial "calls: RetrieveServiceContent=1 Login=1 CreateContainerView=1 RetrievePropertiesEx=2 DestroyView=1 Logout=1"
	one_uuid=$(sed -n 's/.* uuid=\([^ ]*\) .*/\1/p' <<<"$output")
	# guest.net: the guest NIC has the device's MAC
	mac=$(sed -n 's/^  nic .* mac=\([^ ]*\) .*/\1/p' <<<"$output")
	assert_line "  guest_nic network= mac=$mac ips="

	# four VMs: still one container view and two RetrievePropertiesEx
	# (names of all VMs, then the facts of the four in one request)
	run --separate-stderr probe vms DC0_H0_VM0 DC0_H0_VM1 DC0_C0_RP0_VM0 DC0_C0_RP0_VM1
	assert_success
	assert_equal "$(grep -c '^vm=' <<<"$output")" 4
	for n in DC0_H0_VM0 DC0_H0_VM1 DC0_C0_RP0_VM0 DC0_C0_RP0_VM1; do
		assert_line --regexp "^vm=$n ref=vm-[0-9]+ parent=[^ ]+ cpu=1 cores=1 memory_mb=32 firmware=bios uuid=[^ ]+ power=poweredOn$"
		assert_line --regexp "^  disk label=[^ ]+ file=\\[LocalDS_0\\] $n/disk1.vmdk datastore=[^ ]+ capacity=1048576 "
	done
	assert_line --partial "calls: RetrieveServiceContent=1 Login=1 CreateContainerView=1 RetrievePropertiesEx=2 DestroyView=1 Logout=1"
	# the same VM, the same BIOS UUID; four VMs, four UUIDs
	assert_line --regexp "^vm=DC0_H0_VM0 .* uuid=$one_uuid "
	assert_equal "$(grep -o 'uuid=[^ ]*' <<<"$output" | sort -u | wc -l)" 4
	[ "$(grep -c '^  nic ' <<<"$output")" -eq 4 ]
}

@test "vsphere: an unknown VM name is exit 2 NotFound" {
	run --separate-stderr probe vms DC0_H0_VM0 No_Such_VM
	assert_equal "$status" 2
	# nothing near it: no list of close names
	assert_equal "${stderr_lines[0]}" 'vsphereprobe: vSphere: no VM named "No_Such_VM"'
	assert_equal "${stderr_lines[1]}" 'vsphereprobe: reason=NotFound'
	[[ "$stderr$output" != *"$VCSIM_PASSWORD"* ]]
}

@test "vsphere: power off and on, each task waited with WaitForUpdatesEx" {
	run --separate-stderr probe power-off DC0_H0_VM1
	assert_success
	assert_output "calls: RetrieveServiceContent=1 Login=1 CreateContainerView=1 RetrievePropertiesEx=2 DestroyView=1 PowerOffVM_Task=1 CreateFilter=1 WaitForUpdatesEx=1 DestroyPropertyFilter=1 Logout=1"
	run --separate-stderr probe vms DC0_H0_VM1
	assert_line --regexp '^vm=DC0_H0_VM1 .* power=poweredOff$'

	# powering off an off VM: the task fails; the message names the task,
	# the VM and the fault; exit 1 (the source refused the work)
	run --separate-stderr probe power-off DC0_H0_VM1
	assert_equal "$status" 1
	[[ "${stderr_lines[0]}" == "vsphereprobe: PowerOffVM_Task of VM DC0_H0_VM1: InvalidPowerState: "* ]]
	assert_equal "${stderr_lines[1]}" 'vsphereprobe: reason=InvalidPowerState'

	run --separate-stderr probe power-on DC0_H0_VM1
	assert_success
	run --separate-stderr probe vms DC0_H0_VM1
	assert_line --regexp '^vm=DC0_H0_VM1 .* power=poweredOn$'
}

@test "vsphere: full clone (powered off, then on), destroy" {
	run --separate-stderr probe vms DC0_H0_VM0
	src_uuid=$(sed -n 's/.* uuid=\([^ ]*\) .*/\1/p' <<<"$output")
	src_parent=$(sed -n 's/.* parent=\([^ ]*\) .*/\1/p' <<<"$output")

	run --separate-stderr probe clone DC0_H0_VM0 Mtv_Clone-auto1 off
	assert_success
	assert_line --index 0 --regexp '^clone=Mtv_Clone-auto1 ref=vm-[0-9]+$'
	# the source's facts (a view, two reads), the name looked up first (a
	# view, one read: absent), the clone task; nothing read back when no
	# option asks for anything to check
	assert_line --index 1 "calls: RetrieveServiceContent=1 Login=1 CreateContainerView=2 RetrievePropertiesEx=3 DestroyView=2 CloneVM_Task=1 CreateFilter=1 WaitForUpdatesEx=1 DestroyPropertyFilter=1 Logout=1"
	ref=$(sed -n 's/^clone=.* ref=//p' <<<"$output")

	# the clone: its own UUID and disk, the source's hardware and folder
	run --separate-stderr probe vms Mtv_Clone-auto1
	assert_success
	assert_line --index 0 --regexp "^vm=Mtv_Clone-auto1 ref=$ref parent=$src_parent cpu=1 cores=1 memory_mb=32 firmware=bios uuid=[^ ]+ power=poweredOff$"
	assert_line --index 1 --regexp '^  disk .* file=\[LocalDS_0\] Mtv_Clone-auto1[^ ]*/Mtv_Clone-auto1.vmdk .* capacity=1048576 '
	[[ "$output" != *"uuid=$src_uuid "* ]]

	run --separate-stderr probe clone DC0_H0_VM0 Mtv_Clone-auto2 on
	assert_success
	[[ "$output" == *" CloneVM_Task=1 CreateFilter=2 WaitForUpdatesEx=2 DestroyPropertyFilter=2 PowerOnVM_Task=1 "* ]]
	run --separate-stderr probe vms Mtv_Clone-auto2
	assert_line --index 0 --regexp '^vm=Mtv_Clone-auto2 .* power=poweredOn$'

	run --separate-stderr probe destroy Mtv_Clone-auto1
	assert_success
	[[ "$output" == *"Destroy_Task=1 CreateFilter=1 WaitForUpdatesEx=1 DestroyPropertyFilter=1"* ]]
	run --separate-stderr probe vms Mtv_Clone-auto1
	assert_equal "$status" 2
	[[ "$stderr" == *'no VM named "Mtv_Clone-auto1"'* ]]
	# destroying a powered-on VM is refused by the task
	run --separate-stderr probe destroy Mtv_Clone-auto2
	assert_equal "$status" 1
	[[ "${stderr_lines[0]}" == "vsphereprobe: Destroy_Task of VM Mtv_Clone-auto2: "* ]]
}

@test "vsphere: two VMs of one name are refused, not guessed" {
	# vcsim (unlike vCenter within one folder) accepts a duplicate name;
	# "twin" clones without lib/vsphere's name check
	run --separate-stderr probe twin DC0_H0_VM0 Twin
	assert_success
	run --separate-stderr probe twin DC0_H0_VM0 Twin
	assert_success
	run --separate-stderr probe destroy Twin
	assert_equal "$status" 2
	[[ "${stderr_lines[0]}" =~ ^'vsphereprobe: vSphere: more than one VM named "Twin" (vm-'[0-9]+', vm-'[0-9]+')'$ ]]
	assert_equal "${stderr_lines[1]}" 'vsphereprobe: reason=Ambiguous'
}

@test "vsphere: snapshots are read depth first from the snapshot tree" {
	run --separate-stderr probe vms DC0_C0_RP0_VM0
	refute_line --partial "snapshot name="
	run --separate-stderr probe snapshot DC0_C0_RP0_VM0 "before <warm> & after"
	assert_success
	[[ "$output" == *"CreateSnapshot_Task=1 CreateFilter=1 WaitForUpdatesEx=1"* ]]
	run --separate-stderr probe snapshot DC0_C0_RP0_VM0 second
	assert_success
	run --separate-stderr probe vms DC0_C0_RP0_VM0
	assert_success
	# the second is the child of the first (the current snapshot when taken)
	assert_line --index 4 --regexp '^  snapshot name=before <warm> & after ref=snapshot-[0-9]+$'
	assert_line --index 5 --regexp '^  snapshot name=second ref=snapshot-[0-9]+$'
	assert_line --partial "RetrievePropertiesEx=2 "
}

# "VMware-" and the UUID's 16 bytes as blank-separated pairs, '-' between the
# 8th and the 9th: what the VM's SMBIOS reports as its serial number
bios_serial_of() {
	local h=${1//-/} out="VMware-" i
	for ((i = 0; i < 16; i++)); do
		((i == 8)) && out+="-" || { ((i > 0)) && out+=" "; }
		out+=${h:2*i:2}
	done
	echo "$out"
}

@test "vsphere: guest id, BIOS serial, CBT, template, session, annotation, disk and NIC details" {
	run --separate-stderr probe vms DC0_C0_RP0_VM0
	assert_success
	uuid=$(sed -n 's/.* uuid=\([^ ]*\) .*/\1/p' <<<"$output")
	serial=$(bios_serial_of "$uuid")
	[[ "$serial" =~ ^VMware-([0-9a-f]{2} ){7}[0-9a-f]{2}-([0-9a-f]{2} ){7}[0-9a-f]{2}$ ]]
	assert_line "  bios_serial=$serial"
	# vcsim's VMs: otherGuest, no CBT, no mark, no annotation, not templates
	assert_line "  guest_id=otherGuest"
	assert_line "  cbt=false"
	assert_line "  template=false"
	assert_line "  secure_boot=false"
	assert_line "  session=(none)"
	assert_line "  annotation="
	# the disk on the VM's SCSI controller (key 202 in vcsim's VPX model)
	# at unit 0, persistent, thin as vcsim creates its disks
	assert_line --regexp '^  disk .* key=[0-9]+ controller=202 unit=0 mode=persistent provisioning=thin$'
	# the NIC on a distributed port group, its name read with the facts
	assert_line --regexp '^  nic .* network_ref=DistributedVirtualPortgroup:dvportgroup-[0-9]+ network=DC0_DVPG0$'
	assert_line --partial "calls: RetrieveServiceContent=1 Login=1 CreateContainerView=1 RetrievePropertiesEx=2 DestroyView=1 Logout=1"
}

@test "vsphere: an unknown name lists the close names, nearest first" {
	run --separate-stderr probe vms DC0_H0_VMO
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" 'vsphereprobe: vSphere: no VM named "DC0_H0_VMO"; close names: DC0_H0_VM0, DC0_H0_VM1'
	assert_equal "${stderr_lines[1]}" 'vsphereprobe: reason=NotFound'
	# another case is the nearest, then a prefix: DC0_C0 starts all of the
	# cluster's VMs
	run --separate-stderr probe vms dc0_h0_vm1
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" 'vsphereprobe: vSphere: no VM named "dc0_h0_vm1"; close names: DC0_H0_VM1, DC0_H0_VM0'
	run --separate-stderr probe vms DC0_C0
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" 'vsphereprobe: vSphere: no VM named "DC0_C0"; close names: DC0_C0_RP0_VM0, DC0_C0_RP0_VM1'
}

@test "vsphere: find returns a missing VM as none, in one property read" {
	run --separate-stderr probe find Not_There
	assert_success
	assert_line --index 0 "not found: Not_There"
	assert_line --index 1 "calls: RetrieveServiceContent=1 Login=1 CreateContainerView=1 RetrievePropertiesEx=1 DestroyView=1 Logout=1"
	run --separate-stderr probe find DC0_H0_VM1
	assert_success
	assert_line --index 0 --regexp '^vm=DC0_H0_VM1 ref=vm-[0-9]+ .* power=poweredOn$'
	assert_line "  guest_id=otherGuest"
	assert_line --partial " RetrievePropertiesEx=2 "
	# two of one name stay an error
	probe twin DC0_H0_VM0 Twin2
	probe twin DC0_H0_VM0 Twin2
	run --separate-stderr probe find Twin2
	assert_equal "$status" 2
	assert_equal "${stderr_lines[1]}" 'vsphereprobe: reason=Ambiguous'
}

@test "vsphere: list by name prefix in one property read" {
	run --separate-stderr probe list DC0_C0_
	assert_success
	assert_line --index 0 --regexp '^vm=DC0_C0_RP0_VM0 ref=vm-[0-9]+ power=poweredOn session=\(none\) annotation=$'
	assert_line --index 1 --regexp '^vm=DC0_C0_RP0_VM1 ref=vm-[0-9]+ power=poweredOn session=\(none\) annotation=$'
	assert_line --index 2 "calls: RetrieveServiceContent=1 Login=1 CreateContainerView=1 RetrievePropertiesEx=1 DestroyView=1 Logout=1"
	run --separate-stderr probe list
	assert_success
	assert_equal "$(grep -c '^vm=' <<<"$output")" 4
	run --separate-stderr probe list nothing-starts-so
	assert_success
	assert_output "calls: RetrieveServiceContent=1 Login=1 CreateContainerView=1 RetrievePropertiesEx=1 DestroyView=1 Logout=1"
}

@test "vsphere: datastores with their ids, the ids disks name" {
	run --separate-stderr probe datastores
	assert_success
	assert_line --index 0 --regexp '^datastore=LocalDS_0 id=[^ ]+ capacity=[1-9][0-9]* free=[1-9][0-9]*$'
	assert_line --index 1 "calls: RetrieveServiceContent=1 Login=1 CreateContainerView=1 RetrievePropertiesEx=1 DestroyView=1 Logout=1"
	id=$(sed -n 's/^datastore=LocalDS_0 id=\([^ ]*\) .*/\1/p' <<<"$output")
	run --separate-stderr probe vms DC0_H0_VM0
	assert_line --regexp "^  disk .* file=\\[LocalDS_0\\] DC0_H0_VM0/disk1.vmdk datastore=$id "
}

# the number of VMs vcsim has
vm_count() {
	probe list | grep -c '^vm='
}

@test "vsphere: clone with every option, each read back" {
	vcsim_stop
	vcsim_start -datastores 2
	run --separate-stderr probe datastores
	ds1=$(sed -n 's/^datastore=LocalDS_1 id=\([^ ]*\) .*/\1/p' <<<"$output")
	[ -n "$ds1" ]
	run --separate-stderr probe vms DC0_H0_VM0
	src_uuid=$(sed -n 's/.* uuid=\([^ ]*\) .*/\1/p' <<<"$output")

	run --separate-stderr probe clone-vm DC0_H0_VM0 s-1234-Warm_VM ds=LocalDS_1 disk=thick-eager cbt \
		session=s-1234 "annotation=Created by mtv-steps session s-1234 for warm <&>"
	assert_success
	assert_line --index 0 --regexp '^clone=s-1234-Warm_VM ref=vm-[0-9]+$'
	# vcsim keeps neither the disk locator's provisioning, nor CBT nor the
	# annotation on clone: one ReconfigVM_Task after the read-back; no
	# power-on asked, none made
	[[ "$output" == *" CloneVM_Task=1 "* ]]
	[[ "$output" == *" ReconfigVM_Task=1 "* ]]
	[[ "$output" != *PowerOnVM_Task* ]]
	ref=$(sed -n 's/^clone=.* ref=//p' <<<"$output")

	run --separate-stderr probe vms s-1234-Warm_VM
	assert_success
	assert_line --index 0 --regexp "^vm=s-1234-Warm_VM ref=$ref .* power=poweredOff$"
	assert_line --index 1 --regexp "^  disk .* file=\\[LocalDS_1\\] s-1234-Warm_VM/s-1234-Warm_VM.vmdk datastore=$ds1 capacity=1048576 .* mode=persistent provisioning=thick-eager$"
	assert_line "  cbt=true"
	assert_line "  session=s-1234"
	assert_line "  annotation=Created by mtv-steps session s-1234 for warm <&>"
	refute_line --partial "uuid=$src_uuid"

	# thin, on the source's datastore, powered on
	run --separate-stderr probe clone-vm DC0_H0_VM0 s-1234-thin disk=thin on session=s-1234
	assert_success
	[[ "$output" == *" PowerOnVM_Task=1 "* ]]
	run --separate-stderr probe vms s-1234-thin
	assert_line --index 0 --regexp '^vm=s-1234-thin .* power=poweredOn$'
	assert_line --index 1 --regexp '^  disk .* file=\[LocalDS_0\] s-1234-thin/s-1234-thin.vmdk .* provisioning=thin$'
	assert_line "  cbt=false"
	assert_line "  session=s-1234"
	assert_line "  annotation="

	# thick-lazy
	run --separate-stderr probe clone-vm DC0_H0_VM0 s-1234-lazy disk=thick-lazy
	assert_success
	run --separate-stderr probe vms s-1234-lazy
	assert_line --index 1 --regexp '^  disk .* provisioning=thick-lazy$'
	assert_line "  session=(none)"

	# the marks are what teardown's listing sees
	run --separate-stderr probe list s-1234-
	assert_success
	assert_line --index 0 "vm=s-1234-Warm_VM ref=$ref power=poweredOff session=s-1234 annotation=Created by mtv-steps session s-1234 for warm <&>"
	assert_line --index 1 --regexp '^vm=s-1234-thin ref=vm-[0-9]+ power=poweredOn session=s-1234 annotation=$'
	assert_line --index 2 --regexp '^vm=s-1234-lazy ref=vm-[0-9]+ power=poweredOff session=\(none\) annotation=$'
}

@test "vsphere: a clone name taken by a VM not ours is refused, nothing made" {
	before=$(vm_count)
	# a VM of the inventory
	run --separate-stderr probe clone-vm DC0_H0_VM0 DC0_H0_VM1 session=s-9
	assert_equal "$status" 1
	assert_equal "${stderr_lines[0]}" "vsphereprobe: VM DC0_H0_VM1: the name is taken by $(probe find DC0_H0_VM1 | sed -n 's/^vm=DC0_H0_VM1 ref=\([^ ]*\) .*/\1/p'), a VM mtv-steps did not make"
	assert_equal "${stderr_lines[1]}" "vsphereprobe: reason=DuplicateName"
	[[ "$output" != *CloneVM_Task* ]]
	# a clone of another session
	run --separate-stderr probe clone-vm DC0_H0_VM0 s-8-vm session=s-8
	assert_success
	run --separate-stderr probe clone-vm DC0_H0_VM0 s-8-vm session=s-9
	assert_equal "$status" 1
	[[ "${stderr_lines[0]}" == *"a VM of another mtv-steps session" ]]
	assert_equal "${stderr_lines[1]}" "vsphereprobe: reason=DuplicateName"
	[[ "$output" != *CloneVM_Task* ]]
	# the old form (no session) never takes a name either
	run --separate-stderr probe clone DC0_H0_VM0 s-8-vm off
	assert_equal "$status" 1
	assert_equal "${stderr_lines[1]}" "vsphereprobe: reason=DuplicateName"
	assert_equal "$(vm_count)" $((before + 1))
}

@test "vsphere: a re-run adopts its own clone and completes it" {
	run --separate-stderr probe clone-vm DC0_H0_VM0 s-7-vm session=s-7
	assert_success
	ref=$(sed -n 's/^clone=.* ref=//p' <<<"$output")
	before=$(vm_count)
	# the same session: the same VM, no second clone; what the first run
	# did not get to (CBT, the annotation, the power-on) is done now
	run --separate-stderr env MTV_LOG_LEVEL=info VSPHERE_PASSWORD="$VCSIM_PASSWORD" "$PROBE" "$VCSIM_URL" \
		"$VCSIM_USER" clone-vm DC0_H0_VM0 s-7-vm session=s-7 cbt on annotation=again
	assert_success
	assert_line --index 0 "clone=s-7-vm ref=$ref"
	[[ "$output" != *CloneVM_Task* ]]
	[[ "$output" == *" ReconfigVM_Task=1 "*" PowerOnVM_Task=1 "* ]]
	[[ "$stderr" == *"VM s-7-vm ($ref) exists with session s-7: adopted as the clone"* ]]
	assert_equal "$(vm_count)" "$before"
	run --separate-stderr probe vms s-7-vm
	assert_line --index 0 --regexp "^vm=s-7-vm ref=$ref .* power=poweredOn$"
	assert_line "  cbt=true"
	assert_line "  annotation=again"
	# and once more: nothing left to do, no task at all
	run --separate-stderr probe clone-vm DC0_H0_VM0 s-7-vm session=s-7 cbt on annotation=again
	assert_success
	[[ "$output" != *_Task* ]]
}

@test "vsphere: bad clone options are exit 2 before any clone call" {
	long=$(printf 'x%.0s' {1..81})
	run --separate-stderr probe clone-vm DC0_H0_VM0 "$long"
	assert_equal "$status" 2
	[[ "${stderr_lines[0]}" == *"is empty or longer than 80" ]]
	assert_output "calls: RetrieveServiceContent=1 Login=1 CreateContainerView=1 RetrievePropertiesEx=2 DestroyView=1 Logout=1"
	run --separate-stderr probe clone-vm DC0_H0_VM0 ok-name disk=thin-ish
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" 'vsphereprobe: clone of VM DC0_H0_VM0: disk type "thin-ish" is not thin, thick-lazy or thick-eager'
	assert_output "calls: RetrieveServiceContent=1 Login=1 CreateContainerView=1 RetrievePropertiesEx=2 DestroyView=1 Logout=1"
	# 80 is fine
	run --separate-stderr probe clone-vm DC0_H0_VM0 "${long:1}"
	assert_success
}

# the disk lines of a VM, in device order
disks_of() {
	probe vms "$1" | grep '^  disk '
}

@test "vsphere: add disks in one ReconfigVM_Task: sizes, modes, provisioning, datastores, units" {
	vcsim_stop
	vcsim_start -datastores 2
	run --separate-stderr probe add-disks DC0_H0_VM1 2:thick-eager:independent_persistent 1 \
		3:thick-lazy:persistent:LocalDS_1 1:thin:independent_nonpersistent
	assert_success
	assert_line --index 0 "added=4"
	# the source's facts; the probe's datastore lookup; add_disks: the
	# devices read once, its own datastore lookup (a datastore was named),
	# one task
	assert_line --index 1 "calls: RetrieveServiceContent=1 Login=1 CreateContainerView=3 RetrievePropertiesEx=5 DestroyView=3 ReconfigVM_Task=1 CreateFilter=1 WaitForUpdatesEx=1 DestroyPropertyFilter=1 Logout=1"
	run disks_of DC0_H0_VM1
	assert_equal "${#lines[@]}" 5
	# the old disk at unit 0, the new ones after it on the same controller
	assert_line --index 0 --regexp '^  disk .* file=\[LocalDS_0\] DC0_H0_VM1/disk1.vmdk .* capacity=1048576 key=[0-9]+ controller=202 unit=0 mode=persistent provisioning=thin$'
	assert_line --index 1 --regexp '^  disk .* file=\[LocalDS_0\] [^ ]+ .* capacity=2147483648 key=[0-9]+ controller=202 unit=1 mode=independent_persistent provisioning=thick-eager$'
	assert_line --index 2 --regexp '^  disk .* file=\[LocalDS_0\] [^ ]+ .* capacity=1073741824 key=[0-9]+ controller=202 unit=2 mode=persistent provisioning=thin$'
	assert_line --index 3 --regexp '^  disk .* file=\[LocalDS_1\] [^ ]+ .* capacity=3221225472 key=[0-9]+ controller=202 unit=3 mode=persistent provisioning=thick-lazy$'
	assert_line --index 4 --regexp '^  disk .* capacity=1073741824 key=[0-9]+ controller=202 unit=4 mode=independent_nonpersistent provisioning=thin$'
	# four distinct new keys
	assert_equal "$(grep -o ' key=[0-9]*' <<<"$output" | sort -u | wc -l)" 5

	# units 5 and 6, then 8: 7 is the controller's own
	run --separate-stderr probe add-disks DC0_H0_VM1 1 1 1
	assert_success
	run disks_of DC0_H0_VM1
	assert_equal "${#lines[@]}" 8
	assert_line --index 5 --regexp ' unit=5 '
	assert_line --index 6 --regexp ' unit=6 '
	assert_line --index 7 --regexp ' unit=8 '
	refute_line --regexp ' unit=7 '
}

@test "vsphere: bad new disks are exit 2 before any call of add_disks" {
	# vms_get's calls only: add_disks made none
	local only_facts="calls: RetrieveServiceContent=1 Login=1 CreateContainerView=1 RetrievePropertiesEx=2 DestroyView=1 Logout=1"
	run --separate-stderr probe add-disks DC0_H0_VM1 1 0
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "vsphereprobe: VM DC0_H0_VM1: new disk 2: size 0 GB is not 1..63488"
	assert_output "$only_facts"
	run --separate-stderr probe add-disks DC0_H0_VM1 -5
	assert_equal "$status" 2
	assert_output "$only_facts"
	run --separate-stderr probe add-disks DC0_H0_VM1 99999
	assert_equal "$status" 2
	assert_output "$only_facts"
	run --separate-stderr probe add-disks DC0_H0_VM1 1:thin:independent
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" 'vsphereprobe: VM DC0_H0_VM1: new disk 1: mode "independent" is not persistent, independent_persistent or independent_nonpersistent'
	assert_output "$only_facts"
	run --separate-stderr probe add-disks DC0_H0_VM1 1:lazy
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" 'vsphereprobe: VM DC0_H0_VM1: new disk 1: provisioning "lazy" is not thin, thick-lazy or thick-eager'
	assert_output "$only_facts"
	run disks_of DC0_H0_VM1
	assert_equal "${#lines[@]}" 1
}

@test "vsphere: a snapshot removed by its moref, its child kept" {
	run --separate-stderr probe snapshot DC0_H0_VM0 first
	assert_success
	run --separate-stderr probe snapshot DC0_H0_VM0 second
	assert_success
	run --separate-stderr probe vms DC0_H0_VM0
	assert_line --regexp '^  snapshot name=first ref=snapshot-[0-9]+$'
	assert_line --regexp '^  snapshot name=second ref=snapshot-[0-9]+$'
	second=$(sed -n 's/^  snapshot name=second ref=//p' <<<"$output")
	run --separate-stderr probe snapshot-remove DC0_H0_VM0 first
	assert_success
	assert_output --partial " RemoveSnapshot_Task=1 CreateFilter=1 WaitForUpdatesEx=1 DestroyPropertyFilter=1 "
	run --separate-stderr probe vms DC0_H0_VM0
	refute_line --partial "snapshot name=first"
	assert_line "  snapshot name=second ref=$second"
	run --separate-stderr probe snapshot-remove DC0_H0_VM0 second
	assert_success
	run --separate-stderr probe vms DC0_H0_VM0
	refute_line --partial "  snapshot "
}

@test "vsphere: https verified against the server's CA, a wrong CA refused, insecure skips" {
	vcsim_stop
	vcsim_start -tls
	[[ "$VCSIM_URL" == https://127.0.0.1:*/sdk ]]
	[ -s "$VCSIM_CA" ]
	grep -q -- '-----BEGIN CERTIFICATE-----' "$VCSIM_CA"

	run --separate-stderr env VSPHERE_CA_FILE="$VCSIM_CA" VSPHERE_PASSWORD="$VCSIM_PASSWORD" \
		"$PROBE" "$VCSIM_URL" "$VCSIM_USER" vms DC0_H0_VM0
	assert_success
	assert_line --index 0 --regexp '^vm=DC0_H0_VM0 '

	# a CA that did not sign the server's certificate
	command -v openssl >/dev/null || skip "no openssl to make a wrong CA"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=wrong-ca \
		-keyout "$BATS_TEST_TMPDIR/wrong.key" -out "$BATS_TEST_TMPDIR/wrong.pem" -days 1 2>/dev/null
	run --separate-stderr env VSPHERE_CA_FILE="$BATS_TEST_TMPDIR/wrong.pem" VSPHERE_PASSWORD="$VCSIM_PASSWORD" \
		"$PROBE" "$VCSIM_URL" "$VCSIM_USER" login
	assert_equal "$status" 3
	[[ "${stderr_lines[0]}" == "vsphereprobe: vSphere RetrieveServiceContent: POST $VCSIM_URL: SSL certificate problem: "* ]]
	# nothing got past the handshake: not even Login was sent
	assert_output "calls: RetrieveServiceContent=1"
	[[ "$stderr$output" != *"$VCSIM_PASSWORD"* ]]

	# neither a CA nor insecure: the system trust store, which does not
	# know a self-signed test server
	run --separate-stderr env VSPHERE_PASSWORD="$VCSIM_PASSWORD" "$PROBE" "$VCSIM_URL" "$VCSIM_USER" login
	assert_equal "$status" 3
	[[ "${stderr_lines[0]}" == *"SSL certificate problem"* ]]

	# insecure: no verification at all, even with the wrong CA given
	run --separate-stderr env VSPHERE_INSECURE=1 VSPHERE_CA_FILE="$BATS_TEST_TMPDIR/wrong.pem" \
		VSPHERE_PASSWORD="$VCSIM_PASSWORD" "$PROBE" "$VCSIM_URL" "$VCSIM_USER" login
	assert_success
	assert_output "calls: RetrieveServiceContent=1 Login=1 Logout=1"
}
