#!/usr/bin/env bats
# Two Plans of one session migrating at once, as mtv-api-tests' simultaneous
# migrations do (prepared_plan_1/_2 split one multi-VM scenario): mtv-plan
# MTV_PLAN_COUNT, mtv-migrate following both in one process or one each in
# two, the concurrency check (all Executing before any finishes), the state
# files, check-vms over both Plans, teardown.  A generated world of four VMs
# (tests/bench/gen-world.sh), at --speed 200: a migration then takes about
# 1.3 s (265 simulated seconds), long enough that two Plans started together
# overlap even on a loaded machine or under a sanitizer; at --speed 0 one
# can finish before the other's Migration is created, which the
# concurrency check rightly fails.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup_file() {
	"$MTV_SRC_DIR/tests/bench/gen-world.sh" 4 "$BATS_FILE_TMPDIR/world.json" "$BATS_FILE_TMPDIR/catalog.json"
	export SIM_WORLD="$BATS_FILE_TMPDIR/world.json"
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start_checked --speed 200
}

setup() {
	e2e_setup
	export MTV_TESTS_PARAMS="$BATS_FILE_TMPDIR/catalog.json" MTV_SCENARIO=bench_scale
	BG=()
}

teardown() {
	local p
	for p in "${BG[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# jqs FILE FILTER: jq -r over a SHARED_DIR state file
jqs() {
	jq -r "$2" "$SHARED_DIR/$1"
}

# Providers, maps and the two Plans; sets NS, P1, P2.
two_plans() {
	run_steps create-provider storagemap networkmap
	MTV_PLAN_COUNT=2 run_steps plan
	NS=$(state_field mtv-session.json targetNamespace)
	P1=$(jqs mtv-plan.json '.plans[0].name')
	P2=$(jqs mtv-plan.json '.plans[1].name')
	[ -n "$NS" ] && [ -n "$P1" ] && [ -n "$P2" ] || fail "no namespace or plans in mtv-plan.json"
}

# The state files agree with each other and with the cluster after both
# Plans migrated.
assert_both_migrated() {
	assert_equal "$(jqs mtv-migration.json '.result')" Succeeded
	assert_equal "$(jqs mtv-migration.json '[.migrations[] | .plan + "=" + .result] | join(" ")')" \
		"$P1=Succeeded $P2=Succeeded"
	# top level: the first migration's, as with one Plan
	assert_equal "$(jqs mtv-migration.json '.plan + " " + .name')" "$P1 $P1"
	# every VM once, with the Plan mtv-plan.json put it in
	assert_equal "$(jqs mtv-migration.json '[.vms[] | .name + "@" + .plan + "=" + .result] | join(" ")')" \
		"bench-vm-0001@$P1=Succeeded bench-vm-0002@$P1=Succeeded bench-vm-0003@$P2=Succeeded bench-vm-0004@$P2=Succeeded"
	assert_equal "$(kc get migrations -n "$NS" -o name | sort | tr '\n' ' ')" "migration.forklift.konveyor.io/$P1 migration.forklift.konveyor.io/$P2 "
	for p in "$P1" "$P2"; do
		uid=$(jq -r --arg p "$p" '.plans[] | select(.name == $p) | .uid' "$SHARED_DIR/mtv-plan.json")
		assert_equal "$(kc get virtualmachines -n "$NS" -l "plan=$uid" -o name | wc -l)" 2
	done
}

@test "plan: MTV_PLAN_COUNT=2 splits the VMs in scenario order, two Plans, names stable across re-runs" {
	two_plans
	assert_equal "$P2" "$P1-2"
	assert_equal "$(jqs mtv-plan.json '.name + " " + .uid')" "$(jqs mtv-plan.json '.plans[0].name + " " + .plans[0].uid')"
	assert_equal "$(jqs mtv-plan.json '[.vms[] | .name + "@" + .plan] | join(" ")')" \
		"bench-vm-0001@$P1 bench-vm-0002@$P1 bench-vm-0003@$P2 bench-vm-0004@$P2"
	# the Plans in the cluster hold those VMs, and are Ready
	assert_equal "$(kc get plan "$P1" -n "$NS" -o json | jq -r '[.spec.vms[].id] | join(",")')" vm-100001,vm-100002
	assert_equal "$(kc get plan "$P2" -n "$NS" -o json | jq -r '[.spec.vms[].id] | join(",")')" vm-100003,vm-100004
	grep -q "name=\"plan $P1 is Ready\"" "$ARTIFACT_DIR/junit_mtv_plan.xml"
	grep -q "name=\"plan $P2 is Ready\"" "$ARTIFACT_DIR/junit_mtv_plan.xml"
	cp "$SHARED_DIR/mtv-plan.json" "$BATS_TEST_TMPDIR/plan.before"
	MTV_PLAN_COUNT=2 run_steps plan
	cmp "$SHARED_DIR/mtv-plan.json" "$BATS_TEST_TMPDIR/plan.before"
	assert_equal "$(kc get plans -n "$NS" -o name | wc -l)" 2
}

@test "plan: one Plan (the default) still writes plans and each VM's plan" {
	run_steps create-provider storagemap networkmap plan
	assert_equal "$(jqs mtv-plan.json '.plans | length')" 1
	assert_equal "$(jqs mtv-plan.json '.plans[0].name')" "$(jqs mtv-plan.json '.name')"
	assert_equal "$(jqs mtv-plan.json '[.vms[].plan] | unique | join(" ")')" "$(jqs mtv-plan.json '.name')"
	assert_equal "$(jqs mtv-plan.json '.vms | length')" 4
	grep -q 'name="plan is Ready"' "$ARTIFACT_DIR/junit_mtv_plan.xml"
}

@test "plan: a bad MTV_PLAN_COUNT is exit 2 before anything is created" {
	run_steps create-provider storagemap networkmap
	ns=$(state_field mtv-session.json targetNamespace)
	for bad in 0 5 two -1 ""; do
		MTV_PLAN_COUNT=$bad run --separate-stderr "$MTV_BIN_DIR/mtv-plan"
		[ "$status" -eq 2 ] || fail "MTV_PLAN_COUNT='$bad': exit $status, not 2: $stderr"
		assert_equal "$(kc get plans -n "$ns" -o name | wc -l)" 0
		[ ! -e "$SHARED_DIR/mtv-plan.json" ] || fail "MTV_PLAN_COUNT='$bad' wrote mtv-plan.json"
	done
	MTV_PLAN_COUNT=5 run --separate-stderr "$MTV_BIN_DIR/mtv-plan"
	[[ "$stderr" == *"MTV_PLAN_COUNT=5: scenario bench_scale has 4 VM(s)"* ]] || fail "$stderr"
	MTV_PLAN_COUNT=two run --separate-stderr "$MTV_BIN_DIR/mtv-plan"
	[[ "$stderr" == *"MTV_PLAN_COUNT: expected a positive number of plans, got 'two'"* ]] || fail "$stderr"
}

@test "migrate: one process follows both Plans, all Executing at once; check-vms and teardown cover both" {
	two_plans
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	[ "$status" -eq 0 ] || fail "mtv-migrate exited $status: $stderr"
	assert_output --partial "migration/$P1 Succeeded"
	assert_output --partial "migration/$P2 Succeeded"
	[[ "$stderr" == *"all 2 Plans Executing at once"* ]] || fail "$stderr"
	# every VM's transitions are logged, whichever Plan it is in
	for vm in bench-vm-0001 bench-vm-0004; do
		[[ "$stderr" == *"VM $vm: phase Completed"* ]] || fail "no transitions of $vm: $stderr"
	done
	grep -q 'name="plans executing concurrently" classname="mtv-migrate" time="[0-9.]*"/>' "$ARTIFACT_DIR/junit_mtv_migrate.xml"
	grep -q "name=\"migration $P2 succeeded\" classname=\"mtv-migrate\" time=\"[0-9.]*\"/>" "$ARTIFACT_DIR/junit_mtv_migrate.xml"
	assert_both_migrated

	run_steps check-vms
	for vm in bench-vm-0001 bench-vm-0002 bench-vm-0003 bench-vm-0004; do
		grep -q "name=\"$vm: power state\"" "$ARTIFACT_DIR/junit_mtv_check_vms.xml" || fail "$vm not checked"
	done
	run grep -c '<failure' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	assert_output 0

	run_steps teardown
	run kc get namespace "$NS" -o name
	assert_failure
	for kind in plans migrations virtualmachines; do
		assert_equal "$(kc get "$kind" -A -l "mtv-steps/session=$(state_field mtv-session.json id)" -o name | wc -l)" 0
	done
	for p in "$P1" "$P2"; do
		uid=$(jq -r --arg p "$p" '.plans[] | select(.name == $p) | .uid' "$SHARED_DIR/mtv-plan.json")
		assert_equal "$(kc get virtualmachines -A -l "plan=$uid" -o name | wc -l)" 0
	done
}

@test "migrate: two processes, --plan each, started together, merge into one mtv-migration.json" {
	two_plans
	"$MTV_BIN_DIR/mtv-migrate" --plan="$P1" >"$BATS_TEST_TMPDIR/1.out" 2>"$BATS_TEST_TMPDIR/1.err" &
	BG+=($!)
	MTV_MIGRATE_PLAN="$P2" "$MTV_BIN_DIR/mtv-migrate" >"$BATS_TEST_TMPDIR/2.out" 2>"$BATS_TEST_TMPDIR/2.err" &
	BG+=($!)
	wait "${BG[0]}" || fail "mtv-migrate --plan=$P1 exited $?: $(cat "$BATS_TEST_TMPDIR/1.err")"
	wait "${BG[1]}" || fail "MTV_MIGRATE_PLAN=$P2 mtv-migrate exited $?: $(cat "$BATS_TEST_TMPDIR/2.err")"
	BG=()
	# each followed its own Plan only, with no concurrency check of its own
	grep -q "migration/$P1 Succeeded" "$BATS_TEST_TMPDIR/1.out"
	! grep -q "migration/$P2 " "$BATS_TEST_TMPDIR/1.out"
	grep -q "migration/$P2 Succeeded" "$BATS_TEST_TMPDIR/2.out"
	! grep -q "bench-vm-0001" "$BATS_TEST_TMPDIR/2.err"
	! grep -q "Executing at once" "$BATS_TEST_TMPDIR/1.err" "$BATS_TEST_TMPDIR/2.err"
	# neither lost the other's result
	assert_both_migrated
	assert_both_migrated
	run_steps check-vms
	run grep -c 'name="bench-vm-000[1-4]: power state"' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	assert_output 4
}

@test "migrate: one Plan's result alone is not the session's; check-vms skips the VMs of a Plan not migrated" {
	two_plans
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate" --plan="$P2"
	[ "$status" -eq 0 ] || fail "mtv-migrate --plan=$P2 exited $status: $stderr"
	assert_equal "$(jqs mtv-migration.json '.result')" Incomplete
	assert_equal "$(jqs mtv-migration.json '[.migrations[].plan] | join(" ")')" "$P2"
	assert_equal "$(jqs mtv-migration.json '[.vms[].name] | join(" ")')" "bench-vm-0003 bench-vm-0004"
	# the VMs of $P2 are checked, those of $P1 are not and fail the step
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_equal "$status" 1
	[[ "$stderr" == *"VM bench-vm-0001: the migration of Plan $P1 has no result"* ]] || fail "$stderr"
	grep -q 'name="bench-vm-0003: power state"' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	! grep -q 'name="bench-vm-0001: power state"' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	grep -q "<skipped message=\"the migration of Plan $P1 has no result\"/>" "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
}

@test "migrate: a Plan that finished before the other started fails the concurrency check, naming it" {
	two_plans
	# the first Plan migrates alone, the second starts late
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate" --plan="$P1"
	[ "$status" -eq 0 ] || fail "mtv-migrate --plan=$P1 exited $status: $stderr"
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	assert_equal "$status" 1
	[[ "$stderr" == *"Plan $P1 reached Succeeded before all Plans were Executing at once"* ]] || fail "$stderr"
	grep -q '<testcase name="plans executing concurrently"' "$ARTIFACT_DIR/junit_mtv_migrate.xml"
	grep -q "<failure message=\"Plan $P1 reached Succeeded before all Plans were Executing at once" \
		"$ARTIFACT_DIR/junit_mtv_migrate.xml"
	# the migrations themselves succeeded and are recorded as such
	assert_both_migrated
}

@test "migrate: not all Plans Executing within MTV_CONCURRENT_TIMEOUT fails the check; 0 turns it off" {
	two_plans
	# Archived Plans are not Ready: Forklift starts no migration of them.
	# (At --speed 0 a Plan that does start is done long before any bound:
	# the test above.)
	for p in "$P1" "$P2"; do
		kc patch plan "$p" -n "$NS" --type merge -p '{"spec":{"archived":true}}' >/dev/null
	done
	MTV_CONCURRENT_TIMEOUT=2 MTV_PLAN_WAIT_TIMEOUT=3 run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	assert_equal "$status" 4
	grep -q "<failure message=\"not every Plan was Executing within 2s ($P1 not started, $P2 not started)\"" \
		"$ARTIFACT_DIR/junit_mtv_migrate.xml" || fail "$(cat "$ARTIFACT_DIR/junit_mtv_migrate.xml")"
	grep -q '<testcase name="migration finished"' "$ARTIFACT_DIR/junit_mtv_migrate.xml"
	MTV_CONCURRENT_TIMEOUT=0 MTV_PLAN_WAIT_TIMEOUT=1 run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	assert_equal "$status" 4
	! grep -q 'plans executing concurrently' "$ARTIFACT_DIR/junit_mtv_migrate.xml"
	grep -q '<testcase name="migration finished"' "$ARTIFACT_DIR/junit_mtv_migrate.xml"
}

@test "migrate: --plan naming no Plan of mtv-plan.json is exit 2, nothing created" {
	two_plans
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate" --plan=no-such-plan
	assert_equal "$status" 2
	[[ "$stderr" == *"MTV_MIGRATE_PLAN=no-such-plan: not a Plan of"* ]] || fail "$stderr"
	assert_equal "$(kc get migrations -n "$NS" -o name | wc -l)" 0
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate" --dry-run -o json
	assert_success
	assert_equal "$(jq -r '[.items[].spec.plan.name] | join(" ")' <<<"$output")" "$P1 $P2"
}

@test "migrate: two processes that finish together each read mtv-migration.json under the lock" {
	two_plans
	# The Plans archived (not Ready) so neither migration starts before
	# both processes are waiting; then SHARED_DIR's lock is held here while
	# the Plans run: neither may write the file meanwhile, and when it is
	# released both contend for it and both entries must survive.
	for p in "$P1" "$P2"; do
		kc patch plan "$p" -n "$NS" --type merge -p '{"spec":{"archived":true}}' >/dev/null
	done
	"$MTV_BIN_DIR/mtv-migrate" --plan="$P1" >/dev/null 2>"$BATS_TEST_TMPDIR/1.err" &
	BG=($!)
	"$MTV_BIN_DIR/mtv-migrate" --plan="$P2" >/dev/null 2>"$BATS_TEST_TMPDIR/2.err" &
	BG+=($!)
	both_logged() {
		grep -q "$1" "$BATS_TEST_TMPDIR/1.err" && grep -q "$1" "$BATS_TEST_TMPDIR/2.err"
	}
	sim_until both_logged "waiting up to"
	exec {lock}<"$SHARED_DIR"
	flock -x "$lock"
	for p in "$P1" "$P2"; do
		kc patch plan "$p" -n "$NS" --type merge -p '{"spec":{"archived":false}}' >/dev/null
	done
	sim_until both_logged "migration Succeeded"
	sleep 0.2
	[ ! -e "$SHARED_DIR/mtv-migration.json" ] || fail "written while the lock was held"
	flock -u "$lock"
	exec {lock}<&-
	wait "${BG[0]}" || fail "$(cat "$BATS_TEST_TMPDIR/1.err")"
	wait "${BG[1]}" || fail "$(cat "$BATS_TEST_TMPDIR/2.err")"
	BG=()
	assert_both_migrated
}

@test "state: a migrations or plans entry of the wrong type is exit 2 naming the file" {
	two_plans
	cp "$SHARED_DIR/mtv-plan.json" "$BATS_TEST_TMPDIR/plan.json"
	jq '.plans[1].name = 7' "$BATS_TEST_TMPDIR/plan.json" >"$SHARED_DIR/mtv-plan.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	assert_equal "$status" 2
	[[ "$stderr" == *"mtv-plan.json"*"plans[1].name"* ]] || fail "$stderr"
	assert_equal "$(kc get migrations -n "$NS" -o name | wc -l)" 0
	cp "$BATS_TEST_TMPDIR/plan.json" "$SHARED_DIR/mtv-plan.json"
	echo '{"name": "m", "namespace": "n", "result": "Succeeded", "migrations": [{"name": "m", "plan": "p", "result": 1}]}' \
		>"$SHARED_DIR/mtv-migration.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_equal "$status" 2
	[[ "$stderr" == *"mtv-migration.json"*"migrations[0].result"* ]] || fail "$stderr"
}
