#!/usr/bin/env bats
# mtv-check-vms' source-aware checks: the destination VM against the facts
# mtv-prepare-vms recorded in $SHARED_DIR/mtv-source-vms.json.  The cold
# migration of the default world's mtv-tests-rhel8 (vm-4001) runs once
# against the file's mtv-sim; each test then writes the facts file itself,
# in the exact shape of the contract, as prepare-vms would have for a VM it
# did not clone.  The snapshot check re-reads the source VM over vim25 from
# vcsim, which then holds a VM of that name with the recorded snapshots.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

VM=mtv-tests-rhel8
UUID=421c6a2a-5ea9-1083-39f3-3b140fffb444
SERIAL_420="VMware-42 1c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44"

setup() {
	e2e_setup
	source "$MTV_SRC_DIR/tests/vcsim/vcsim.bash"
	PROBE="$MTV_TEST_BIN_DIR/progs/vsphereprobe"
	export MTV_PREPARE_VMS=false
	local once="$BATS_FILE_TMPDIR/migrated"
	if [ ! -d "$once" ]; then
		mkdir -p "$once.tmp" "$BATS_FILE_TMPDIR/chain-artifacts"
		SHARED_DIR="$once.tmp" ARTIFACT_DIR="$BATS_FILE_TMPDIR/chain-artifacts" \
			run_steps create-provider storagemap networkmap plan migrate
		mv "$once.tmp" "$once"
	fi
	cp -a "$once/." "$SHARED_DIR/"
	NS=$(state_field mtv-session.json targetNamespace)
	SESSION=$(state_field mtv-session.json id)
	DEST=$(kc get virtualmachines -n "$NS" -l vmID=vm-4001 -o jsonpath='{.items[0].metadata.name}')
	[ -n "$DEST" ]
	# What Forklift's vSphere builder writes (before OpenShift 4.20):
	# firmware.serial is the source's config.uuid.  mtv-sim writes the VM id
	# there instead, so the test sets it.
	dest_serial "$UUID"
	write_facts
}

teardown() {
	vcsim_stop
}

dest_serial() {
	kc patch virtualmachine -n "$NS" "$DEST" --type merge \
		-p "{\"spec\": {\"template\": {\"spec\": {\"domain\": {\"firmware\": {\"serial\": \"$1\"}}}}}}" >/dev/null
}

# write_facts [PYTHON]: mtv-source-vms.json as prepare-vms writes it for the
# world's VM (not cloned), then PYTHON run on it (vm is vms[0]).
write_facts() {
	python3 - "$SHARED_DIR/mtv-source-vms.json" "$SESSION" "$(state_field mtv-providers.json name)" "$UUID" "${1:-}" <<-'EOF'
	import json, sys
	path, session, provider, uuid, edit = sys.argv[1:6]
	vm = {"source": "mtv-tests-rhel8", "name": "mtv-tests-rhel8", "cloned": False, "moref": "vm-4001",
	      "uuid": uuid, "bios_serial": "VMware-42 1c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44",
	      "firmware": "bios", "secure_boot": False, "cpu": 2, "cores_per_socket": 2, "memory_mb": 4096,
	      "power_state": "poweredOn", "guest_id": "rhel8_64Guest", "cbt": True,
	      "disks": [{"label": "Hard disk 1", "file": "[mtv-nfs-ds] mtv-tests-rhel8/mtv-tests-rhel8.vmdk",
	                 "datastore": {"id": "datastore-2001", "name": "mtv-nfs-ds"},
	                 "capacity_bytes": 20 * 1024 ** 3, "mode": "persistent", "provisioning": "thin"}],
	      "nics": [{"label": "Network adapter 1", "mac": "00:50:56:a1:00:01",
	                "network": {"id": "network-1001", "name": "VM Network"}}],
	      "snapshots": [],
	      "guest_ips": [{"ip": "10.10.1.21", "origin": "dhcp", "mac": "00:50:56:a1:00:01"}]}
	doc = {"provider": provider, "type": "vsphere", "session": session, "vms": [vm]}
	if edit:
	    exec(edit)
	json.dump(doc, open(path, "w"), indent=1)
	EOF
}

check() {
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms" "$@"
}

# case_of NAME: the JUnit test case NAME of check-vms with its body.
case_of() {
	python3 - "$ARTIFACT_DIR/junit_mtv_check_vms.xml" "$1" <<-'EOF'
	import sys, xml.etree.ElementTree as ET
	for tc in ET.parse(sys.argv[1]).getroot().iter("testcase"):
	    if tc.get("name") == sys.argv[2]:
	        for child in tc:
	            print(child.tag, child.get("message") or (child.text or "").strip())
	        print("found")
	EOF
}

no_secret() {
	local s
	for s in $(sed -n 's/.*"password":[[:space:]]*"\([^"]*\)".*/\1/p' "$MTV_PROVIDERS_FILE" | sort -u) \
		${VCSIM_PASSWORD:-}; do
		[[ "$output$stderr" != *"$s"* ]] || fail "a password in the output"
		! grep -rqF -- "$s" "$ARTIFACT_DIR" || fail "a password in $ARTIFACT_DIR"
	done
}

@test "check-vms-source: a correct migration passes every source case; both serial formats are accepted" {
	check
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	for c in "source cpu sockets" "source cpu cores" "source memory MiB" "source nic Network adapter 1 mac" \
		"source disk count" "source disk Hard disk 1 size" "source firmware" "source bios serial"; do
		run case_of "$VM: $c"
		assert_output "found"
	done
	run grep -c '<failure' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	assert_output 0
	# no snapshots recorded: no snapshot case, no vCenter needed
	run case_of "$VM: source snapshots"
	assert_output ""

	# the OpenShift 4.20 form of the same UUID
	dest_serial "$SERIAL_420"
	check
	[ "$status" -eq 0 ] || fail "4.20 serial: exit $status: $stderr"
	# upper case, as mtv-api-tests formats it, is the same serial
	dest_serial "${SERIAL_420^^}"
	check
	[ "$status" -eq 0 ] || fail "upper-case serial: exit $status: $stderr"
	no_secret
}

@test "check-vms-source: recorded facts that differ fail, each case naming the field, expected and actual" {
	write_facts 'vm["memory_mb"] = 8192; vm["nics"][0]["mac"] = "00:50:56:a1:00:99"; vm["cpu"] = 4
vm["disks"][0]["capacity_bytes"] = 40 * 1024 ** 3; vm["firmware"] = "efi"'
	check
	assert_equal "$status" 1
	run case_of "$VM: source memory MiB"
	assert_line "failure expected 8192, got 4096"
	run case_of "$VM: source nic Network adapter 1 mac"
	assert_line "failure expected 00:50:56:a1:00:99, got absent (destination MACs: 00:50:56:a1:00:01)"
	run case_of "$VM: source cpu sockets"
	assert_line "failure expected 2, got 1"
	run case_of "$VM: source disk Hard disk 1 size"
	assert_line --regexp "^failure expected >= 42949672960 bytes, got PVC [^ ]+ requests [0-9]+ bytes \(.*\)$"
	run case_of "$VM: source firmware"
	assert_line "failure expected efi, got bios"
	# the inventory-based cases still pass: only the recorded facts differ
	run case_of "$VM: memory MiB"
	assert_output "found"
	[[ "$stderr" == *"5 check(s) failed:"* ]]
	[[ "$stderr" == *"VM $VM ($DEST): source memory MiB: expected 8192, got 4096"* ]]

	# a serial that is neither form
	write_facts
	dest_serial "vm-4001"
	check
	assert_equal "$status" 1
	run case_of "$VM: source bios serial"
	assert_line "failure expected $UUID (before OpenShift 4.20) or $SERIAL_420 (4.20 and later), got vm-4001"

	# a second disk recorded that was not migrated
	dest_serial "$UUID"
	write_facts 'vm["disks"].append(dict(vm["disks"][0], label="Hard disk 2", file="[mtv-nfs-ds] mtv-tests-rhel8/mtv-tests-rhel8_1.vmdk"))'
	check
	assert_equal "$status" 1
	run case_of "$VM: source disk count"
	assert_line "failure expected 2, got 1"
	no_secret
}

@test "check-vms-source: a corrupt or wrongly typed mtv-source-vms.json is exit 2 naming the file and the key" {
	write_facts 'vm["memory_mb"] = "4096"'
	check
	assert_equal "$status" 2
	[[ "$stderr" == *"$SHARED_DIR/mtv-source-vms.json: vms[0].memory_mb: expected number, got string"* ]]
	write_facts 'vm["nics"][0]["mac"] = 5'
	check
	assert_equal "$status" 2
	[[ "$stderr" == *"mtv-source-vms.json: vms[0].nics[0].mac: expected string, got number"* ]]
	write_facts 'vm["snapshots"] = [1]'
	check
	assert_equal "$status" 2
	[[ "$stderr" == *"mtv-source-vms.json: vms[0].snapshots[0]: expected string, got number"* ]]
	echo '{"vms": [' >"$SHARED_DIR/mtv-source-vms.json"
	check
	assert_equal "$status" 2
	[[ "$stderr" == *"mtv-source-vms.json"* ]]
}

@test "check-vms-source: the snapshots recorded on the source VM must still be there (re-read over vim25)" {
	vcsim_start
	# vcsim holds the source VM, under the world's name, with two snapshots
	local P=(env VSPHERE_PASSWORD="$VCSIM_PASSWORD" "$PROBE" "$VCSIM_URL" "$VCSIM_USER")
	"${P[@]}" clone DC0_H0_VM0 "$VM" off >/dev/null
	"${P[@]}" snapshot "$VM" mtv-snap-1 >/dev/null
	"${P[@]}" snapshot "$VM" mtv-snap-2 >/dev/null
	export MTV_PROVIDERS_FILE="$BATS_TEST_TMPDIR/vcsim-providers.json"
	cat >"$MTV_PROVIDERS_FILE" <<-EOF
	{"vsphere-8.0.3": {"type": "vsphere", "version": "8.0.3", "api_url": "$VCSIM_URL",
	  "username": "$VCSIM_USER", "password": "$VCSIM_PASSWORD"}}
	EOF
	write_facts 'vm["snapshots"] = ["mtv-snap-1", "mtv-snap-2"]'
	check
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	run case_of "$VM: source snapshots"
	assert_output "found"
	no_secret

	# Forklift (or anyone) removed one from the source
	"${P[@]}" snapshot-remove "$VM" mtv-snap-2 >/dev/null
	check
	assert_equal "$status" 1
	run case_of "$VM: source snapshots"
	assert_line "failure expected mtv-snap-1, mtv-snap-2, got mtv-snap-1 (missing: mtv-snap-2)"
	no_secret

	# a vCenter that cannot be read: the check says why it did not run
	vcsim_stop
	check
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	run case_of "$VM: source snapshots"
	assert_line --regexp "^skipped cannot read the source VMs: vCenter http://127.0.0.1:[0-9]+/sdk: .*"
	no_secret
}
