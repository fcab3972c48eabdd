#!/usr/bin/env bats
# mtv-teardown's source side against vcsim, VMware's own vim25 simulator (its
# default VPX inventory: DC0_H0_VM0/1, DC0_C0_RP0_VM0/1, all powered on).
# The session, the source Provider and its Secret come from
# mtv-create-provider against the file's mtv-sim; vcsim then stands for the
# vCenter under the same providers-file key, served over TLS with the
# Secret's ca.crt replaced by vcsim's certificate, so the TLS settings
# teardown must keep before it deletes that Secret are really used.  Clones
# are made by mtv-prepare-vms (the ledger entries and the ownership mark it
# writes) or by vsphereprobe (what the ledger does not know).
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup() {
	e2e_setup
	source "$MTV_SRC_DIR/tests/vcsim/vcsim.bash"
	PROBE="$MTV_TEST_BIN_DIR/progs/vsphereprobe"
	run_steps create-provider
	SESSION=$(state_field mtv-session.json id)
	NS=$(state_field mtv-session.json targetNamespace)
	[ -n "$SESSION" ] && [ -n "$NS" ]
	start_vcsim
	export MTV_PREPARE_VMS=true MTV_INVENTORY_WAIT=false
	export MTV_TESTS_PARAMS="$BATS_TEST_TMPDIR/catalog.json"
	cat >"$MTV_TESTS_PARAMS" <<-EOF
	{
	  "two": {"virtual_machines": [{"name": "DC0_H0_VM0", "source_vm_power": "on"}, {"name": "DC0_H0_VM1", "source_vm_power": "off"}]},
	  "cold": {"virtual_machines": [{"name": "DC0_H0_VM0", "source_vm_power": "off"}]},
	  "skip": {"skip_clone": true, "virtual_machines": [{"name": "DC0_C0_RP0_VM0", "snapshots": 1}]}
	}
	EOF
	export MTV_TEARDOWN_TIMEOUT=30
}

teardown() {
	vcsim_stop
}

# start_vcsim [ARGS]: vcsim over TLS (ARGS to it), a providers file naming it
# under the key create-provider used, and the Provider Secret's CA made
# vcsim's certificate (what create-provider would have fetched from it).
start_vcsim() {
	vcsim_start -tls "$@"
	export MTV_PROVIDERS_FILE="$BATS_TEST_TMPDIR/vcsim-providers.json"
	cat >"$MTV_PROVIDERS_FILE" <<-EOF
	{"vsphere-8.0.3": {"type": "vsphere", "version": "8.0.3", "api_url": "$VCSIM_URL",
	  "username": "$VCSIM_USER", "password": "$VCSIM_PASSWORD"}}
	EOF
	local secret ca
	secret=$(state_field mtv-providers.json name)
	ca=$(base64 -w0 <"$VCSIM_CA")
	kc patch secret -n "$NS" "$secret" --type merge \
		-p "{\"data\": {\"ca.crt\": \"$ca\", \"cacert\": \"$ca\", \"insecureSkipVerify\": \"$(printf false | base64)\"}}" >/dev/null
}

probe() {
	VSPHERE_CA_FILE="$VCSIM_CA" VSPHERE_PASSWORD="$VCSIM_PASSWORD" "$PROBE" "$VCSIM_URL" "$VCSIM_USER" "$@"
}

# The source's VM names, sorted, one a line.
vm_names() {
	probe list | sed -n 's/^vm=\([^ ]*\) .*/\1/p' | sort
}

prepare() {
	run --separate-stderr env MTV_SCENARIO="$1" "$MTV_BIN_DIR/mtv-prepare-vms"
	[ "$status" -eq 0 ] || fail "mtv-prepare-vms exited $status: $stderr"
}

td() {
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown" "$@"
}

# no_secret: the vSphere password in no output, artifact or state file.
no_secret() {
	[[ "$output$stderr" != *"$VCSIM_PASSWORD"* ]] || fail "password in the step's output"
	! grep -rqF -- "$VCSIM_PASSWORD" "$ARTIFACT_DIR" "$SHARED_DIR" || fail "password in an artifact or state file"
}

# calls METHOD: how many times the teardown's log says it called METHOD.
calls() {
	sed -n "s/.*source side: [0-9]* vim25 calls:.* $1=\([0-9]*\).*/\1/p" <<<"$stderr"
}

@test "teardown-source: the ledger's clones and a swept one are destroyed, vcsim is back as it was; a re-run is a no-op" {
	before=$(vm_names)
	prepare two
	# a clone of ours the ledger lost (it carries our mark)
	run probe clone-vm DC0_C0_RP0_VM1 "$SESSION-lost" session="$SESSION" on
	assert_success
	assert_equal "$(vm_names)" "$(printf '%s\n' $before "$SESSION-DC0_H0_VM0" "$SESSION-DC0_H0_VM1" "$SESSION-lost" | sort)"

	td
	[ "$status" -eq 0 ] || fail "exit $status: $output $stderr"
	assert_line "SourceVirtualMachine $SESSION-DC0_H0_VM0 deleted"
	assert_line "SourceVirtualMachine $SESSION-DC0_H0_VM1 deleted"
	assert_line "SourceVirtualMachine $SESSION-lost deleted"
	refute_output --partial LEFTOVERS
	[[ "$stderr" == *"sweep: SourceVirtualMachine $SESSION-lost carries mtv-steps.session=$SESSION"* ]]
	# nothing left in vcsim: the four VMs it started with
	assert_equal "$(vm_names)" "$before"
	assert_equal "$(vm_names | wc -l)" 4
	# the destination side ran first and took the Provider Secret; the
	# source side used the TLS settings read before that
	run kc get secret -n "$NS" "$(state_field mtv-providers.json name)"
	assert_failure
	[[ "$stderr" == *"source side: vCenter https://127.0.0.1:"*", TLS from Secret $NS/"* ]]
	grep -q '"insecureSkipVerify":[[:space:]]*false' "$SHARED_DIR/mtv-source-tls.json"
	grep -q 'BEGIN CERTIFICATE' "$SHARED_DIR/mtv-source-tls.json"
	# the API cost: one list for the ledger and the sweep; per clone its
	# tasks (the powered-on ones a PowerOffVM_Task too), nothing else
	# 6 fixed calls (service content, login, the list: view, read, view
	# destroyed, logout) and 4 per task (the task, its filter, one
	# WaitForUpdatesEx, the filter destroyed): 3 destroys, 2 power-offs
	[[ "$stderr" == *"source side: 26 vim25 calls: RetrieveServiceContent=1 Login=1 CreateContainerView=1 RetrievePropertiesEx=1 DestroyView=1 Destroy_Task=3 CreateFilter=5 WaitForUpdatesEx=5 DestroyPropertyFilter=5 PowerOffVM_Task=2 Logout=1"* ]] ||
		fail "calls: $(grep 'source side: [0-9]' <<<"$stderr")"
	assert_equal "$(calls Destroy_Task)" 3
	grep -q 'testcase name="delete SourceVirtualMachine (3)"' "$ARTIFACT_DIR/junit_mtv_teardown.xml"
	no_secret

	# a re-run (the Secret is gone: the kept copy) finds nothing and says so
	td
	[ "$status" -eq 0 ] || fail "re-run exit $status: $output $stderr"
	assert_line "SourceVirtualMachine $SESSION-DC0_H0_VM0 already gone"
	assert_line "SourceVirtualMachine $SESSION-DC0_H0_VM1 already gone"
	[[ "$stderr" == *"using the TLS settings kept in $SHARED_DIR/mtv-source-tls.json"* ]]
	assert_equal "$(calls Destroy_Task)" ""
	assert_equal "$(vm_names)" "$before"
	no_secret
}

@test "teardown-source: a VM of the session's prefix without our mark is reported, never destroyed: exit 1" {
	prepare cold
	run probe clone-vm DC0_H0_VM1 "$SESSION-intruder"
	assert_success
	run probe clone-vm DC0_H0_VM1 "$SESSION-other" session=auto-zzzz
	assert_success
	td
	assert_equal "$status" 1
	assert_line "SourceVirtualMachine $SESSION-DC0_H0_VM0 deleted"
	assert_line --regexp "^LEFTOVERS \(2\):"
	assert_line --regexp "^SourceVirtualMachine +- +$SESSION-intruder +named like this session's clones but not ours: no extraConfig mtv-steps.session mark; not destroyed$"
	assert_line --regexp "^SourceVirtualMachine +- +$SESSION-other +named like this session's clones but not ours: extraConfig mtv-steps.session is auto-zzzz; not destroyed$"
	[[ "$stderr" == *"2 objects are still there after teardown"* ]]
	run vm_names
	assert_line "$SESSION-intruder"
	assert_line "$SESSION-other"
	refute_line "$SESSION-DC0_H0_VM0"
	grep -q "testcase name=\"SourceVirtualMachine $SESSION-intruder\"" "$ARTIFACT_DIR/junit_mtv_teardown.xml"
	grep -A2 "testcase name=\"SourceVirtualMachine $SESSION-intruder\"" "$ARTIFACT_DIR/junit_mtv_teardown.xml" | grep -q '<failure'
	no_secret
}

@test "teardown-source: a ledger clone held by another session's VM is left and reported: exit 1" {
	# the ledger names the clone before CloneVM_Task; here someone else's
	# VM took the name (its mark is another session's)
	run probe clone-vm DC0_H0_VM0 "$SESSION-DC0_H0_VM0" session=auto-qqqq
	assert_success
	python3 - "$SHARED_DIR/mtv-resources.json" "$SESSION-DC0_H0_VM0" <<-'EOF'
	import json, sys
	doc = json.load(open(sys.argv[1]))
	doc.setdefault("SourceVirtualMachine", []).append(
	    {"name": sys.argv[2], "apiVersion": "vim25", "step": "mtv-prepare-vms"})
	json.dump(doc, open(sys.argv[1], "w"))
	EOF
	td
	assert_equal "$status" 1
	assert_line --regexp "^SourceVirtualMachine +- +$SESSION-DC0_H0_VM0 +not ours: extraConfig mtv-steps.session is auto-qqqq; not destroyed$"
	run vm_names
	assert_line "$SESSION-DC0_H0_VM0"
}

@test "teardown-source: the snapshot made on a VM that was not cloned is removed, the VM kept" {
	prepare skip
	run probe find DC0_C0_RP0_VM0
	assert_line --regexp "^  snapshot name=.*"
	snap=$(sed -n 's/^  snapshot name=\([^ ]*\).*/\1/p' <<<"$output" | head -1)
	grep -q "DC0_C0_RP0_VM0/$snap" "$SHARED_DIR/mtv-resources.json"
	td
	[ "$status" -eq 0 ] || fail "exit $status: $output $stderr"
	assert_line "SourceVirtualMachineSnapshot DC0_C0_RP0_VM0/$snap deleted"
	run probe find DC0_C0_RP0_VM0
	assert_success
	refute_line --regexp "^  snapshot "
	# again: already gone
	td
	[ "$status" -eq 0 ] || fail "re-run exit $status: $output $stderr"
	assert_line "SourceVirtualMachineSnapshot DC0_C0_RP0_VM0/$snap already gone"
}

@test "teardown-source: --dry-run lists the source entries and changes nothing" {
	prepare cold
	before=$(vm_names)
	td --dry-run
	[ "$status" -eq 0 ] || fail "exit $status: $output $stderr"
	assert_line "SourceVirtualMachine $SESSION-DC0_H0_VM0 would be deleted"
	assert_equal "$(vm_names)" "$before"
	kc get secret -n "$NS" "$(state_field mtv-providers.json name)" >/dev/null
}

@test "teardown-source: an unreachable vCenter is exit 3 with the source objects listed as leftovers" {
	prepare cold
	vcsim_stop
	td
	assert_equal "$status" 3
	assert_line --regexp "^SourceVirtualMachine +- +$SESSION-DC0_H0_VM0 +source not cleaned: vCenter https://127.0.0.1:[0-9]+/sdk: .*"
	[[ "$stderr" == *"the source side was not cleaned"* ]]
	no_secret
}

@test "teardown-source: a clone interrupted by SIGTERM during CloneVM_Task is found and removed by teardown" {
	vcsim_stop
	start_vcsim -method-delay CloneVM_Task=2000
	before=$(vm_names)
	MTV_SCENARIO=cold "$MTV_BIN_DIR/mtv-prepare-vms" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		grep -q "cloning VM DC0_H0_VM0" "$BATS_TEST_TMPDIR/err" 2>/dev/null && break
		sleep 0.05
	done
	grep -q "cloning VM DC0_H0_VM0" "$BATS_TEST_TMPDIR/err" || fail "prepare-vms never cloned: $(cat "$BATS_TEST_TMPDIR/err")"
	sleep 0.3
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 143
	# vcsim finishes the clone the client gave up on
	for ((i = 0; i < 100; i++)); do
		vm_names | grep -qx "$SESSION-DC0_H0_VM0" && break
		sleep 0.1
	done
	vm_names | grep -qx "$SESSION-DC0_H0_VM0" || fail "vcsim did not finish the clone"
	td
	[ "$status" -eq 0 ] || fail "exit $status: $output $stderr"
	assert_line "SourceVirtualMachine $SESSION-DC0_H0_VM0 deleted"
	assert_equal "$(vm_names)" "$before"
	no_secret
}
