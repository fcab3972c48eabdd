#!/usr/bin/env bats
# mtv-prepare-vms against vcsim, VMware's own vim25 simulator (its default
# VPX inventory: DC0_H0_VM0/1, DC0_C0_RP0_VM0/1, all powered on, datastore
# LocalDS_0).  The session, the source Provider and its Secret come from
# mtv-create-provider against the file's mtv-sim (its simulated vSphere
# provider); the step is then pointed at vcsim by a providers file with the
# same key.  The sim's simulated provider never lists vcsim's clones, so
# these tests skip the inventory wait (MTV_INVENTORY_WAIT=false) except where
# they test the wait's timeout; the whole flow through a vcsim-backed sim is
# in e2e-vcsim.bats.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup() {
	e2e_setup
	source "$MTV_SRC_DIR/tests/vcsim/vcsim.bash"
	PROBE="$MTV_TEST_BIN_DIR/progs/vsphereprobe"
	run_steps create-provider
	SESSION=$(state_field mtv-session.json id)
	[ -n "$SESSION" ]
	start_vcsim
	export MTV_PREPARE_VMS=true MTV_INVENTORY_WAIT=false
	export MTV_TESTS_PARAMS="$BATS_TEST_TMPDIR/catalog.json"
	DS=$(probe datastores | sed -n 's/^datastore=LocalDS_0 id=\([^ ]*\) .*/\1/p')
	[ -n "$DS" ]
	write_catalog
}

teardown() {
	vcsim_stop
}

# start_vcsim [ARGS]: vcsim (ARGS to it) and a providers file naming it
# under the key create-provider used.
start_vcsim() {
	vcsim_start "$@"
	local host=${VCSIM_URL#*://}
	host=${host%%/*}
	export MTV_PROVIDERS_FILE="$BATS_TEST_TMPDIR/vcsim-providers.json"
	cat >"$MTV_PROVIDERS_FILE" <<-EOF
	{"vsphere-8.0.3": {"type": "vsphere", "version": "8.0.3", "fqdn": "$host", "api_url": "$VCSIM_URL",
	  "username": "$VCSIM_USER", "password": "$VCSIM_PASSWORD"}}
	EOF
}

probe() {
	VSPHERE_PASSWORD="$VCSIM_PASSWORD" "$PROBE" "$VCSIM_URL" "$VCSIM_USER" "$@"
}

write_catalog() {
	cat >"$MTV_TESTS_PARAMS" <<-EOF
	{
	  "cold": {"virtual_machines": [{"name": "DC0_H0_VM0", "source_vm_power": "off"}]},
	  "caps": {"virtual_machines": [{"name": "DC0_H0_VM1", "clone_name": "XCopy_Test_VM_CAPS",
	      "disk_type": "thick-eager", "target_datastore_id": "$DS", "snapshots": 2, "source_vm_power": "on",
	      "add_disks": [{"size_gb": 1, "provision_type": "thick-lazy", "disk_mode": "independent_persistent"},
	                    {"size_gb": 2}]}]},
	  "warm": {"warm_migration": true, "virtual_machines": [{"name": "DC0_C0_RP0_VM0", "source_vm_power": "on"}]},
	  "as_is": {"virtual_machines": [{"name": "DC0_C0_RP0_VM1"}], "inventory_timeout": 1},
	  "skip": {"skip_clone": true, "virtual_machines": [{"name": "DC0_H0_VM0", "snapshots": 1, "source_vm_power": "off"}]},
	  "two": {"virtual_machines": [{"name": "DC0_H0_VM0"}, {"name": "DC0_H0_VM1"}]},
	  "no_clone": {"virtual_machines": [{"name": "DC0_H0_VM1", "clone": false}]},
	  "no_clone_disks": {"virtual_machines": [{"name": "DC0_H0_VM1", "clone": false, "add_disks": [{"size_gb": 1}]}]},
	  "two_b": {"virtual_machines": [{"name": "DC0_C0_RP0_VM0"}, {"name": "DC0_C0_RP0_VM1"}]},
	  "bad_size": {"virtual_machines": [{"name": "DC0_H0_VM0"}, {"name": "DC0_H0_VM1", "add_disks": [{"size_gb": 1}, {"size_gb": 0}]}]},
	  "bad_mode": {"virtual_machines": [{"name": "DC0_H0_VM0", "add_disks": [{"size_gb": 1, "disk_mode": "sideways"}]}]},
	  "bad_ds": {"virtual_machines": [{"name": "DC0_H0_VM0"}, {"name": "DC0_H0_VM1", "add_disks": [{"size_gb": 1, "datastore_id": "datastore-nope"}]}]},
	  "bad_target_ds": {"virtual_machines": [{"name": "DC0_H0_VM0", "target_datastore_id": "datastore-404"}]},
	  "unknown": {"virtual_machines": [{"name": "DC0_H0_VM0"}, {"name": "dc0_h0_vm"}]},
	  "taken": {"virtual_machines": [{"name": "DC0_H0_VM0"}, {"name": "DC0_H0_VM1", "clone_name": "taken"}]}
	}
	EOF
}

# prepare SCENARIO [ARGS]: run the step (stdout in $output, stderr in $stderr).
prepare() {
	local sc=$1
	shift
	run --separate-stderr env MTV_SCENARIO="$sc" "$MTV_BIN_DIR/mtv-prepare-vms" "$@"
}

# The source's VM names, sorted, one a line.
vm_names() {
	probe list | sed -n 's/^vm=\([^ ]*\) .*/\1/p' | sort
}

# no_secret: the vSphere password in no output, artifact or state file.
no_secret() {
	[[ "$output$stderr" != *"$VCSIM_PASSWORD"* ]] || fail "password in the step's output"
	! grep -rqF -- "$VCSIM_PASSWORD" "$ARTIFACT_DIR" "$SHARED_DIR" || fail "password in an artifact or state file"
}

ledger_has() {
	python3 - "$SHARED_DIR/mtv-resources.json" "$@" <<-'EOF'
	import json, sys
	doc = json.load(open(sys.argv[1]))
	kind, name = sys.argv[2], sys.argv[3]
	hits = [e for e in doc.get(kind, []) if e.get("name") == name]
	assert hits, f"{kind} {name} not in the ledger: {doc}"
	e = hits[0]
	assert e["apiVersion"] == "vim25" and e["step"] == "mtv-prepare-vms" and not e.get("namespace"), e
	EOF
}

# facts KEY...: print python expressions over mtv-source-vms.json's vms[0].
facts() {
	python3 - "$SHARED_DIR/mtv-source-vms.json" "$@" <<-'EOF'
	import json, sys
	doc = json.load(open(sys.argv[1]))
	vm = doc["vms"][0]
	for expr in sys.argv[2:]:
	    print(eval(expr, {"doc": doc, "vm": vm}))
	EOF
}

@test "prepare-vms: a cold clone named <session>-<vm>, powered off, owned, in the ledger and mtv-source-vms.json" {
	before=$(vm_names)
	prepare cold
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	assert_output "source-vm/$SESSION-DC0_H0_VM0"
	run probe find "$SESSION-DC0_H0_VM0"
	assert_success
	assert_line --regexp "^vm=$SESSION-DC0_H0_VM0 ref=vm-[0-9]+ .* power=poweredOff$"
	assert_line "  session=$SESSION"
	assert_line "  annotation=Created by mtv-steps session $SESSION for cold"
	assert_line "  cbt=false"
	clone_ref=$(sed -n "s/^vm=$SESSION-DC0_H0_VM0 ref=\([^ ]*\) .*/\1/p" <<<"$output")
	# the source is untouched
	run probe find DC0_H0_VM0
	assert_line --regexp "^vm=DC0_H0_VM0 .* power=poweredOn$"
	assert_equal "$(vm_names)" "$(printf '%s\n' $before "$SESSION-DC0_H0_VM0" | sort)"
	ledger_has SourceVirtualMachine "$SESSION-DC0_H0_VM0"
	run facts 'doc["provider"]' 'doc["type"]' 'doc["session"]' 'vm["source"]' 'vm["name"]' 'vm["cloned"]' \
		'vm["moref"]' 'vm["power_state"]' 'vm["cpu"], vm["cores_per_socket"], vm["memory_mb"], vm["firmware"]' \
		'len(vm["disks"]), vm["disks"][0]["datastore"]["name"], vm["disks"][0]["capacity_bytes"]' \
		'vm["disks"][0]["file"].startswith("[LocalDS_0] ")' 'len(vm["nics"]), vm["nics"][0]["network"]["name"]' \
		'vm["bios_serial"].startswith("VMware-")' 'vm["snapshots"]' 'len(doc["vms"])'
	assert_success
	assert_output "$(state_field mtv-providers.json name)
vsphere
$SESSION
DC0_H0_VM0
$SESSION-DC0_H0_VM0
True
$clone_ref
poweredOff
(1, 1, 32, 'bios')
(1, 'LocalDS_0', 1048576)
True
(1, 'DC0_DVPG0')
True
[]
1"
	# one JUnit case for the VM
	grep -q "<testcase name=\"source VM DC0_H0_VM0 is ready as $SESSION-DC0_H0_VM0\"" "$ARTIFACT_DIR/junit_mtv_prepare_vms.xml"
	# the API cost is logged
	[[ "$stderr" == *"vSphere calls: "*" for 1 VM ("*" per VM):"*"CloneVM_Task=1"* ]]
	no_secret
}

@test "prepare-vms: a re-run adopts its clone and converges; -o json is the facts document" {
	prepare caps
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	count=$(vm_names | wc -l)
	first=$(cat "$SHARED_DIR/mtv-source-vms.json")
	prepare caps -o json
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$stderr" == *"clone $SESSION-XCopy_Test_VM_CAPS ("*") exists from an earlier run of this session; adopting it"* ]]
	# no second clone, no more disks, snapshots or power changes
	[[ "$stderr" == *"vSphere calls: "* ]]
	calls=$(grep "vSphere calls: " <<<"$stderr")
	for m in CloneVM_Task ReconfigVM_Task CreateSnapshot_Task PowerOnVM_Task PowerOffVM_Task; do
		[[ "$calls" != *"$m="* ]] || fail "re-run called $m: $calls"
	done
	assert_equal "$(vm_names | wc -l)" "$count"
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["vms"][0]["name"].endswith("-XCopy_Test_VM_CAPS"), d' "$output"
	assert_equal "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["vms"][0]["disks"]))' "$SHARED_DIR/mtv-source-vms.json")" \
		"$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["vms"][0]["disks"]))' "$first")"
	no_secret
}

@test "prepare-vms: clone_name keeps case and underscores; disk_type, datastore, add_disks, snapshots and power on" {
	prepare caps
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	assert_output "source-vm/$SESSION-XCopy_Test_VM_CAPS"
	run probe find "$SESSION-XCopy_Test_VM_CAPS"
	assert_success
	assert_line --regexp "^vm=$SESSION-XCopy_Test_VM_CAPS ref=vm-[0-9]+ .* power=poweredOn$"
	# the cloned disk as disk_type says, then the two added ones as asked
	[ "$(grep -c '^  disk ' <<<"$output")" -eq 3 ] || fail "$output"
	assert_line --regexp "^  disk .* datastore=$DS capacity=1048576 .* mode=persistent provisioning=thick-eager$"
	assert_line --regexp "^  disk .* datastore=$DS capacity=1073741824 .* mode=independent_persistent provisioning=thick-lazy$"
	assert_line --regexp "^  disk .* datastore=$DS capacity=2147483648 .* mode=persistent provisioning=thin$"
	assert_line --regexp "^  snapshot name=$SESSION-snapshot-1 ref=snapshot-[0-9]+$"
	assert_line --regexp "^  snapshot name=$SESSION-snapshot-2 ref=snapshot-[0-9]+$"
	run facts 'vm["name"]' 'vm["source"]' 'vm["snapshots"]' 'vm["power_state"]' \
		'[(d["capacity_bytes"], d["mode"], d["provisioning"]) for d in vm["disks"]]'
	assert_output "$SESSION-XCopy_Test_VM_CAPS
DC0_H0_VM1
['$SESSION-snapshot-1', '$SESSION-snapshot-2']
poweredOn
[(1048576, 'persistent', 'thick-eager'), (1073741824, 'independent_persistent', 'thick-lazy'), (2147483648, 'persistent', 'thin')]"
	# the snapshots go with the clone: only the clone is in the ledger
	ledger_has SourceVirtualMachine "$SESSION-XCopy_Test_VM_CAPS"
	! grep -q SourceVirtualMachineSnapshot "$SHARED_DIR/mtv-resources.json"
	no_secret
}

@test "prepare-vms: a warm plan's clone has changed block tracking; unset source_vm_power leaves the clone as cloned" {
	prepare warm
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	run probe find "$SESSION-DC0_C0_RP0_VM0"
	assert_line "  cbt=true"
	assert_line --regexp " power=poweredOn$"
	run facts 'vm["cbt"]'
	assert_output True

	prepare as_is
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[[ "$(grep 'vSphere calls: ' <<<"$stderr")" != *PowerO* ]] || fail "$stderr"
	run probe find "$SESSION-DC0_C0_RP0_VM1"
	assert_line "  cbt=false"
	assert_line --regexp " power=poweredOff$"
}

@test "prepare-vms: skip_clone uses the VM itself; its snapshot is in the ledger; power off is applied once" {
	prepare skip
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	assert_output "source-vm/DC0_H0_VM0"
	run probe find DC0_H0_VM0
	assert_line --regexp " power=poweredOff$"
	assert_line --regexp "^  snapshot name=$SESSION-snapshot-1 "
	! probe list | grep -q "^vm=$SESSION-"
	ledger_has SourceVirtualMachineSnapshot "DC0_H0_VM0/$SESSION-snapshot-1"
	! grep -q '"SourceVirtualMachine"' "$SHARED_DIR/mtv-resources.json"
	run facts 'vm["name"]' 'vm["cloned"]' 'vm["power_state"]'
	assert_output "DC0_H0_VM0
False
poweredOff"
	# again: the VM is off already and has its snapshot
	prepare skip
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	calls=$(grep "vSphere calls: " <<<"$stderr")
	[[ "$calls" != *PowerOffVM_Task* && "$calls" != *CreateSnapshot_Task* ]] || fail "$calls"
	# so does a VM's "clone": false
	prepare no_clone
	assert_success
	assert_output "source-vm/DC0_H0_VM1"
	run facts 'vm["name"]' 'vm["cloned"]'
	assert_output "DC0_H0_VM1
False"
	# MTV_SKIP_CLONE does the same for any scenario
	run --separate-stderr env MTV_SCENARIO=cold MTV_SKIP_CLONE=true "$MTV_BIN_DIR/mtv-prepare-vms"
	assert_success
	assert_output "source-vm/DC0_H0_VM0"
}

@test "prepare-vms: --dry-run prints what would be done and changes nothing" {
	before=$(vm_names)
	prepare caps --dry-run
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	python3 - "$output" "$SESSION" "$DS" <<-'EOF'
	import json, sys
	d, s, ds = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
	v = d["vms"][0]
	assert d["session"] == s, d
	assert (v["source"], v["name"], v["action"]) == ("DC0_H0_VM1", s + "-XCopy_Test_VM_CAPS", "clone"), v
	assert (v["disk_type"], v["datastore"], v["cbt"], v["power"]) == ("thick-eager", ds, False, "on"), v
	assert v["snapshots"] == [s + "-snapshot-1", s + "-snapshot-2"], v
	assert [(x["size_gb"], x["provisioning"], x["mode"]) for x in v["add_disks"]] == \
	    [(1, "thick-lazy", "independent_persistent"), (2, "thin", "persistent")], v
	EOF
	prepare caps --dry-run -o yaml
	assert_success
	assert_line "  action: clone"
	assert_equal "$(vm_names)" "$before"
	[ ! -e "$SHARED_DIR/mtv-source-vms.json" ]
	! grep -q SourceVirtualMachine "$SHARED_DIR/mtv-resources.json" 2>/dev/null
	# after a real run, the dry run says it would adopt
	prepare caps
	assert_success
	prepare caps --dry-run
	assert_success
	python3 - "$output" <<-'EOF'
	import json, sys
	v = json.loads(sys.argv[1])["vms"][0]
	assert (v["action"], v["add_disks"], v["snapshots"], v["power"]) == ("adopt", [], [], "unchanged"), v
	EOF
	# a VM used as it is: only what it lacks
	prepare skip --dry-run
	assert_success
	python3 - "$output" "$SESSION" <<-'EOF'
	import json, sys
	v = json.loads(sys.argv[1])["vms"][0]
	assert (v["action"], v["name"], v["snapshots"], v["power"]) == ("use", "DC0_H0_VM0", [sys.argv[2] + "-snapshot-1"], "off"), v
	EOF
	no_secret
}

# bad SCENARIO STATUS: the step fails with STATUS, clones nothing, writes no
# mtv-source-vms.json and records no clone.
bad() {
	local before
	before=$(vm_names)
	prepare "$1"
	[ "$status" -eq "$2" ] || fail "exit $status, not $2: $stderr"
	assert_equal "$(vm_names)" "$before"
	[ ! -e "$SHARED_DIR/mtv-source-vms.json" ]
	! grep -q SourceVirtualMachine "$SHARED_DIR/mtv-resources.json" 2>/dev/null
	[[ "$stderr" != *"cloning VM"* ]] || fail "$stderr"
	no_secret
}

@test "prepare-vms: bad input fails before anything is cloned" {
	bad bad_size 2
	[[ "$stderr" == *"mtv-prepare-vms: $MTV_TESTS_PARAMS: bad_size.virtual_machines[1].add_disks[1].size_gb: must be more than 0"* ]] || fail "$stderr"
	bad bad_mode 2
	[[ "$stderr" == *"bad_mode.virtual_machines[0].add_disks[0].disk_mode: \"sideways\" is not one of persistent, independent_persistent, independent_nonpersistent"* ]] || fail "$stderr"
	bad bad_ds 2
	[[ "$stderr" == *"bad_ds.virtual_machines[1].add_disks[0].datastore_id: datastore \"datastore-nope\" does not exist on the source; it has $DS (LocalDS_0)"* ]] || fail "$stderr"
	bad bad_target_ds 2
	[[ "$stderr" == *"bad_target_ds.virtual_machines[0].target_datastore_id: datastore \"datastore-404\" does not exist"* ]] || fail "$stderr"
	bad no_clone_disks 2
	[[ "$stderr" == *"no_clone_disks.virtual_machines[0].add_disks: needs a clone, but the VM is not cloned (clone: false)"* ]] || fail "$stderr"
	bad unknown 2
	[[ "$stderr" == *'no VM named "dc0_h0_vm"; close names: '*DC0_H0_VM0* ]] || fail "$stderr"
}

@test "prepare-vms: a clone name held by a VM that is not ours is exit 1, nothing adopted or cloned" {
	run probe clone DC0_H0_VM0 "$SESSION-taken" off
	assert_success
	bad taken 1
	[[ "$stderr" == *"VM DC0_H0_VM1: a VM named $SESSION-taken (vm-"*") already exists on the source and is not ours (extraConfig mtv-steps.session is unset); nothing adopted, nothing cloned"* ]] || fail "$stderr"
	# the first VM was not cloned either
	run probe find "$SESSION-DC0_H0_VM0"
	assert_output --partial "not found: $SESSION-DC0_H0_VM0"
}

@test "prepare-vms: bad vSphere credentials are exit 3 and the password is in no output" {
	good=$VCSIM_PASSWORD
	VCSIM_PASSWORD="Wrong-$RANDOM-pass-$RANDOM"
	sed -i "s/\"password\": \"$good\"/\"password\": \"$VCSIM_PASSWORD\"/" "$MTV_PROVIDERS_FILE"
	prepare cold
	assert_equal "$status" 3
	[[ "$stderr" == *"vCenter $VCSIM_URL: as $VCSIM_USER: vSphere Login: InvalidLogin: Login failure"* ]] || fail "$stderr"
	[ ! -e "$SHARED_DIR/mtv-source-vms.json" ]
	no_secret
	VCSIM_PASSWORD=$good
	no_secret
}

@test "prepare-vms: the clone is in the ledger before CloneVM_Task; SIGTERM during it is exit 143; teardown removes the clone vCenter finished" {
	vcsim_stop
	start_vcsim -method-delay CloneVM_Task=4000
	MTV_SCENARIO=cold "$MTV_BIN_DIR/mtv-prepare-vms" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q "cloning VM DC0_H0_VM0" "$BATS_TEST_TMPDIR/err" 2>/dev/null && break
		sleep 0.05
	done
	# the call is on the wire now, and the ledger already names the clone
	ledger_has SourceVirtualMachine "$SESSION-DC0_H0_VM0"
	sleep 0.5
	kill -TERM "$pid"
	t0=$SECONDS
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 143
	[ $((SECONDS - t0)) -le 2 ] || fail "took $((SECONDS - t0))s to stop"
	[ ! -e "$SHARED_DIR/mtv-source-vms.json" ]
	grep -q 'source VM DC0_H0_VM0 is ready as' "$ARTIFACT_DIR/junit_mtv_prepare_vms.xml"
	! grep -qF -- "$VCSIM_PASSWORD" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err"
	# vCenter finishes the clone the step no longer waits for; teardown
	# finds it through the ledger and removes it
	for ((i = 0; i < 100; i++)); do
		probe find "$SESSION-DC0_H0_VM0" | grep -q "^vm=$SESSION-DC0_H0_VM0 " && break
		sleep 0.1
	done
	run probe find "$SESSION-DC0_H0_VM0"
	assert_line "  session=$SESSION"
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	[ "$status" -eq 0 ] || fail "mtv-teardown exited $status: $stderr"
	run probe find "$SESSION-DC0_H0_VM0"
	assert_output --partial "not found: $SESSION-DC0_H0_VM0"
}

@test "prepare-vms: TLS as the Provider Secret says: its CA verifies vCenter, another is exit 3, insecureSkipVerify skips" {
	vcsim_stop
	start_vcsim -tls
	name=$(state_field mtv-providers.json name)
	ns=$(state_field mtv-session.json targetNamespace)
	# create-provider stored the sim's CA, which did not sign vcsim's certificate
	prepare cold
	assert_equal "$status" 3
	[[ "$stderr" == *"$VCSIM_URL"* ]] || fail "$stderr"
	[ ! -e "$SHARED_DIR/mtv-source-vms.json" ]
	ca=$(base64 -w0 "$VCSIM_CA")
	run kc -n "$ns" patch secret "$name" --type merge -p "{\"data\": {\"ca.crt\": \"$ca\", \"cacert\": \"$ca\"}}"
	assert_success
	prepare cold
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	assert_output "source-vm/$SESSION-DC0_H0_VM0"
	# only the legacy key, and a wrong one under ca.crt: ca.crt is read first
	run kc -n "$ns" patch secret "$name" --type merge -p "{\"data\": {\"ca.crt\": null}}"
	assert_success
	prepare cold
	[ "$status" -eq 0 ] || fail "cacert alone: exit $status: $stderr"
	run kc -n "$ns" patch secret "$name" --type merge \
		-p "{\"data\": {\"cacert\": null, \"insecureSkipVerify\": \"$(printf true | base64)\"}}"
	assert_success
	prepare cold
	[ "$status" -eq 0 ] || fail "insecure: exit $status: $stderr"
	no_secret
}

@test "prepare-vms: the inventory wait times out naming the clone (MTV_INVENTORY_WAIT_TIMEOUT, the plan's inventory_timeout wins)" {
	export MTV_INVENTORY_WAIT=true
	# as_is says inventory_timeout 1, which beats the environment's 300
	SECONDS=0
	run --separate-stderr env MTV_SCENARIO=as_is MTV_INVENTORY_WAIT_TIMEOUT=300 "$MTV_BIN_DIR/mtv-prepare-vms"
	assert_equal "$status" 4
	[ "$SECONDS" -lt 30 ]
	[[ "$stderr" == *"VM \"$SESSION-DC0_C0_RP0_VM1\" not found in the vsphere inventory of provider "*" after 1s"* ]] || fail "$stderr"
	grep -q 'testcase name="the inventory lists the prepared VMs"' "$ARTIFACT_DIR/junit_mtv_prepare_vms.xml"
	prepare cold --inventory-wait-timeout=1
	assert_equal "$status" 4
	[[ "$stderr" == *"VM \"$SESSION-DC0_H0_VM0\" not found in the vsphere inventory"* ]] || fail "$stderr"
}

@test "prepare-vms: the later steps use the clone names of mtv-source-vms.json; a corrupt one is exit 2 naming file and key" {
	prepare two
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	assert_output "source-vm/$SESSION-DC0_H0_VM0
source-vm/$SESSION-DC0_H0_VM1"
	# storagemap looks for the clones (which the simulated inventory lacks)
	run --separate-stderr env MTV_SCENARIO=two MTV_INVENTORY_TIMEOUT=1 "$MTV_BIN_DIR/mtv-storagemap" --dry-run
	assert_equal "$status" 4
	[[ "$stderr" == *"VM \"$SESSION-DC0_H0_VM0\" not found in the vsphere inventory"* ]] || fail "$stderr"
	# another scenario than the one prepared
	run --separate-stderr env MTV_SCENARIO=warm "$MTV_BIN_DIR/mtv-storagemap" --dry-run
	assert_equal "$status" 2
	[[ "$stderr" == *"$SHARED_DIR/mtv-source-vms.json: vms: no entry for VM \"DC0_C0_RP0_VM0\" of scenario warm (prepared for another scenario?)"* ]] || fail "$stderr"
	python3 - "$SHARED_DIR/mtv-source-vms.json" <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	d["vms"][1]["name"] = 42
	json.dump(d, open(sys.argv[1], "w"))
	EOF
	run --separate-stderr env MTV_SCENARIO=two "$MTV_BIN_DIR/mtv-storagemap" --dry-run
	assert_equal "$status" 2
	[[ "$stderr" == *"$SHARED_DIR/mtv-source-vms.json: vms[1].name: expected a non-empty string, got number"* ]] || fail "$stderr"
	# prepare-vms itself works from the scenario's names and rewrites it
	prepare two
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
}

@test "prepare-vms: MTV_PREPARE_VMS=false does nothing and says why" {
	before=$(vm_names)
	run --separate-stderr env MTV_SCENARIO=cold MTV_PREPARE_VMS=false "$MTV_BIN_DIR/mtv-prepare-vms"
	assert_success
	assert_output ""
	[[ "$stderr" == *"MTV_PREPARE_VMS=false: the scenario's VMs are used as the inventory lists them"* ]] || fail "$stderr"
	assert_equal "$(vm_names)" "$before"
	[ ! -e "$SHARED_DIR/mtv-source-vms.json" ]
}

@test "prepare-vms: a non-vSphere source has no adapter yet: info, nothing written, exit 0" {
	unset MTV_TESTS_PARAMS
	e2e_setup ovirt-4.5.5
	export SHARED_DIR="$BATS_TEST_TMPDIR/shared-ovirt"
	mkdir -p "$SHARED_DIR"
	run_steps create-provider
	export MTV_PREPARE_VMS=true
	run --separate-stderr "$MTV_BIN_DIR/mtv-prepare-vms"
	assert_success
	assert_output ""
	[[ "$stderr" == *"INFO mtv-prepare-vms: source type ovirt has no source adapter yet (issue 18)"* ]] || fail "$stderr"
	[ ! -e "$SHARED_DIR/mtv-source-vms.json" ]
}

# calls METHOD: how many METHOD calls the last run's "vSphere calls:" line counts (0 when none).
calls() {
	local line
	line=$(grep -o 'vSphere calls: .*' <<<"$stderr")
	[[ "$line" =~ [[:space:]]$1=([0-9]+) ]] && echo "${BASH_REMATCH[1]}" || echo 0
}

@test "prepare-vms: the API cost: fixed reads whatever the number of VMs, plus the same few calls per clone" {
	# a re-run with nothing to do: the fixed part (two VMs)
	prepare two_b
	assert_success
	prepare two_b
	assert_success
	echo "# 2 VMs, nothing to do: $(grep -o 'vSphere calls: .*' <<<"$stderr")" >&3
	fixed=$(grep -o 'vSphere calls: [0-9]*' <<<"$stderr" | grep -o '[0-9]*$')
	assert_equal "$(calls CreateContainerView) $(calls RetrievePropertiesEx)" "5 8"
	for m in CloneVM_Task ReconfigVM_Task CreateSnapshot_Task PowerOnVM_Task PowerOffVM_Task WaitForUpdatesEx; do
		assert_equal "$(calls $m)" 0
	done
	# one clone, then two: the cost above the fixed part doubles
	prepare cold
	assert_success
	echo "# 1 clone: $(grep -o 'vSphere calls: .*' <<<"$stderr")" >&3
	one=$(( $(grep -o 'vSphere calls: [0-9]*' <<<"$stderr" | grep -o '[0-9]*$') - fixed ))
	assert_equal "$(calls CloneVM_Task)" 1
	prepare two
	assert_success
	echo "# 1 clone adopted, 1 made: $(grep -o 'vSphere calls: .*' <<<"$stderr")" >&3
	assert_equal "$(( $(grep -o 'vSphere calls: [0-9]*' <<<"$stderr" | grep -o '[0-9]*$') - fixed ))" "$one"
	vcsim_stop
	start_vcsim
	prepare two_b
	assert_success
	echo "# 2 clones: $(grep -o 'vSphere calls: .*' <<<"$stderr")" >&3
	assert_equal "$(calls CloneVM_Task)" 2
	assert_equal "$(( $(grep -o 'vSphere calls: [0-9]*' <<<"$stderr" | grep -o '[0-9]*$') - fixed ))" "$(( 2 * one ))"
	echo "# per clone: $one calls above the fixed $fixed" >&3
}
