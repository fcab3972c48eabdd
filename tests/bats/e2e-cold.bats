#!/usr/bin/env bats
# The cold migration end to end against mtv-sim: each step by hand, re-runs,
# the workflow through mtv-run, secrets never leaking, interrupts.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start_checked --speed 0
	cp "$SIM_DIR/providers.json" "$BATS_FILE_TMPDIR/providers.json"
}

setup() {
	E2E_PROVIDERS_FILE="$BATS_FILE_TMPDIR/providers.json"
	e2e_setup
}

# Secrets that must never appear in output or artifacts.
assert_no_secrets() {
	local where=$1 s n=0
	for s in $(sed -n 's/.*"\(password\|guest_vm_[a-z]*_password\)":[[:space:]]*"\([^"]*\)".*/\2/p' "$MTV_PROVIDERS_FILE" | sort -u) \
		"$(cat "$SIM_DIR/token")"; do
		[ -n "$s" ] || continue
		n=$((n + 1))
		if grep -rqF -- "$s" $where 2>/dev/null; then
			fail "secret found in $where: $(grep -rlF -- "$s" $where)"
		fi
	done
	# The providers file has several passwords; finding none means this
	# check read nothing.
	[ "$n" -ge 4 ] || fail "only $n secrets to look for"
}

@test "e2e: every step by hand, in order, then each again (re-runs converge)" {
	local s
	for s in create-provider storagemap networkmap plan migrate check-vms; do
		run --separate-stderr "$MTV_BIN_DIR/mtv-$s"
		[ "$status" -eq 0 ] || fail "mtv-$s exited $status: $stderr"
		echo "$output" >>"$BATS_TEST_TMPDIR/stdout"
		echo "$stderr" >>"$BATS_TEST_TMPDIR/stderr"
	done
	ns=$(state_field mtv-session.json targetNamespace)
	[ -n "$ns" ]
	assert_equal "$(state_field mtv-migration.json result)" Succeeded
	# The destination VM exists, labelled with the source VM id.
	run kc get virtualmachines -n "$ns" -l vmID=vm-4001 -o name
	assert_success
	assert_output --partial mtv-tests-rhel8
	# JUnit for every step, and one test case per check.
	for s in create_provider storagemap networkmap plan migrate check_vms; do
		[ -f "$ARTIFACT_DIR/junit_mtv_$s.xml" ] || fail "no junit_mtv_$s.xml"
	done
	grep -q 'name="mtv-tests-rhel8: memory MiB"' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	grep -q 'name="mtv-tests-rhel8: power state"' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	run grep -c '<failure' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	assert_output 0

	cp "$SHARED_DIR/mtv-plan.json" "$BATS_TEST_TMPDIR/plan.before"
	for s in create-provider storagemap networkmap plan migrate check-vms; do
		run --separate-stderr "$MTV_BIN_DIR/mtv-$s"
		[ "$status" -eq 0 ] || fail "re-run of mtv-$s exited $status: $stderr"
		echo "$stderr" >>"$BATS_TEST_TMPDIR/stderr"
	done
	# Nothing was duplicated: one plan, one migration, the same names.
	assert_equal "$(kc get plans -n "$ns" -o name | wc -l)" 1
	assert_equal "$(kc get migrations -n "$ns" -o name | wc -l)" 1
	assert_equal "$(kc get providers -n "$ns" -o name | wc -l)" 2
	cmp "$SHARED_DIR/mtv-plan.json" "$BATS_TEST_TMPDIR/plan.before"
	grep -q "already exists, reusing it" "$BATS_TEST_TMPDIR/stderr"
	assert_no_secrets "$BATS_TEST_TMPDIR/stdout $BATS_TEST_TMPDIR/stderr $ARTIFACT_DIR $SHARED_DIR"
}

@test "e2e: the objects the steps created carry the session labels" {
	run_steps create-provider storagemap networkmap plan
	id=$(state_field mtv-session.json id)
	for kind in providers storagemaps networkmaps plans secrets; do
		run kc get "$kind" -n "$id" -l "mtv-steps/session=$id,app.kubernetes.io/managed-by=mtv-steps" -o name
		assert_success
		[ -n "$output" ] || fail "no $kind labelled with session $id"
	done
	# The ledger lists every one of them, with apiVersion.
	grep -q '"forklift.konveyor.io/v1beta1"' "$SHARED_DIR/mtv-resources.json"
	for kind in Namespace Secret Provider StorageMap NetworkMap Plan; do
		grep -q "\"$kind\"" "$SHARED_DIR/mtv-resources.json" || fail "$kind missing from the ledger"
	done
}

@test "e2e: SIGTERM during a wait exits 143 promptly with SHARED_DIR intact" {
	run_steps create-provider storagemap networkmap
	cp -r "$SHARED_DIR" "$BATS_TEST_TMPDIR/before"
	# A wait that cannot end by itself: the VM does not exist in the source.
	printf '{"ghost": {"virtual_machines": [{"name": "no-such-vm"}], "warm_migration": false}}' >"$BATS_TEST_TMPDIR/catalog.json"
	MTV_INVENTORY_TIMEOUT=600 "$MTV_BIN_DIR/mtv-storagemap" --tests-params="$BATS_TEST_TMPDIR/catalog.json" --scenario=ghost \
		--map-ready-timeout=600 2>"$BATS_TEST_TMPDIR/term.err" 3>&- &
	pid=$!
	sleep 1
	kill -TERM "$pid"
	start=$(date +%s%N)
	wait "$pid" && rc=0 || rc=$?
	elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
	assert_equal "$rc" 143
	[ "$elapsed_ms" -lt 5000 ] || fail "took ${elapsed_ms}ms to stop"
	diff -r "$BATS_TEST_TMPDIR/before" "$SHARED_DIR"
}
