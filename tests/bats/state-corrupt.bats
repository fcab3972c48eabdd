#!/usr/bin/env bats
# Corrupt SHARED_DIR: every state file the steps hand each other, truncated,
# emptied, made invalid JSON, given a wrong type, a document of the wrong
# shape, or made unreadable, is bad input for the step that reads it next:
# exit 2, one message naming the file, not a single write request to the
# cluster, and every file in SHARED_DIR as it was.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

# Snapshots of SHARED_DIR along the cold workflow, so each consumer runs on
# the state it would really get: after-provider (storagemap next),
# after-maps (plan next), after-plan (migrate next), after-migrate
# (check-vms and teardown next).
setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start_checked --speed 0
	export BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR/build"
	e2e_setup
	local snaps="$BATS_FILE_TMPDIR/snaps"
	mkdir -p "$snaps"
	snap() { cp -a "$SHARED_DIR" "$snaps/$1"; }
	run_steps create-provider
	snap after-provider
	run_steps storagemap networkmap
	snap after-maps
	run_steps plan
	snap after-plan
	run_steps migrate
	snap after-migrate
}

# The requests that change something on the cluster, so far.
writes() {
	grep -cE '^[^ ]+ (POST|PUT|PATCH|DELETE) ' "$SIM_DIR/requests.log" || true
}

# corrupt SNAPSHOT FILE HOW STEP: run STEP on SNAPSHOT with FILE corrupted.
corrupt() {
	local snap=$1 file=$2 how=$3 step=$4 f
	rm -rf "$SHARED_DIR"
	cp -a "$BATS_FILE_TMPDIR/snaps/$snap" "$SHARED_DIR"
	f="$SHARED_DIR/$file"
	[ -f "$f" ] || fail "$snap has no $file"
	case "$how" in
	truncated) head -c "$(($(stat -c %s "$f") / 2))" "$f" >"$f.t" && mv "$f.t" "$f" ;;
	empty) : >"$f" ;;
	invalid) printf '{"id": "auto-x", ' >"$f" ;;
	array) echo '[]' >"$f" ;;
	# the first string value becomes a number
	wrongtype) sed -i '0,/:[[:space:]]*"[^"]*"/s//: 42/' "$f" ;;
	# a directory where the file should be: it cannot be read as one
	unreadable) rm "$f" && mkdir "$f" ;;
	esac
	# the corruption took
	! cmp -s "$f" "$BATS_FILE_TMPDIR/snaps/$snap/$file" || fail "$file $how: unchanged"
	(cd "$SHARED_DIR" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$BATS_TEST_TMPDIR/before"
	local w0
	w0=$(writes)
	run --separate-stderr "$MTV_BIN_DIR/mtv-$step"
	[ "$status" -eq 2 ] || fail "mtv-$step with $file $how: exit $status, not 2: $stderr"
	[[ "$stderr" == *"$file"* ]] || fail "mtv-$step with $file $how: the message does not name $file: $stderr"
	[ "$(writes)" -eq "$w0" ] || fail "mtv-$step with $file $how wrote to the cluster: $(tail -n +1 "$SIM_DIR/requests.log" | grep -E ' (POST|PUT|PATCH|DELETE) ' | tail -3)"
	(cd "$SHARED_DIR" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" ||
		fail "mtv-$step with $file $how changed SHARED_DIR"
}

each_corruption() {	# each_corruption SNAPSHOT FILE STEP
	local how
	for how in truncated empty invalid array wrongtype unreadable; do
		corrupt "$1" "$2" "$how" "$3"
	done
}

@test "corrupt: mtv-session.json, for the step after create-provider" {
	each_corruption after-provider mtv-session.json storagemap
}

@test "corrupt: mtv-providers.json, for the maps" {
	each_corruption after-provider mtv-providers.json storagemap
}

@test "corrupt: the ledger mtv-resources.json, for a step that creates" {
	each_corruption after-provider mtv-resources.json storagemap
}

@test "corrupt: mtv-maps.json, for the plan" {
	each_corruption after-maps mtv-maps.json plan
}

@test "corrupt: mtv-plan.json, for migrate" {
	each_corruption after-plan mtv-plan.json migrate
}

@test "corrupt: mtv-migration.json, for check-vms" {
	each_corruption after-migrate mtv-migration.json check-vms
}

@test "corrupt: the ledger and mtv-session.json, for teardown (nothing deleted)" {
	each_corruption after-migrate mtv-resources.json teardown
	each_corruption after-migrate mtv-session.json teardown
}

@test "corrupt: a writer killed between writing and renaming leaves every state file whole" {
	command -v strace >/dev/null || skip "strace is not installed"
	rm -rf "$SHARED_DIR"
	cp -a "$BATS_FILE_TMPDIR/snaps/after-provider" "$SHARED_DIR"
	cp "$SHARED_DIR/mtv-resources.json" "$BATS_TEST_TMPDIR/ledger.before"
	# SIGKILL at the first rename: the ledger entry for the StorageMap is
	# written to its temp file, and the step dies before it replaces the
	# ledger (and before it creates anything)
	run strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
		-e inject=rename,renameat,renameat2:signal=KILL "$MTV_BIN_DIR/mtv-storagemap"
	[ "$status" -ne 0 ] || fail "mtv-storagemap was not killed"
	cmp "$SHARED_DIR/mtv-resources.json" "$BATS_TEST_TMPDIR/ledger.before"
	[ ! -e "$SHARED_DIR/mtv-maps.json" ]
	# whatever else is there parses (a leftover temp file is not a state file)
	for f in "$SHARED_DIR"/*.json; do
		"$MTV_BIN_DIR/mtv-sim" json '' <"$f" >/dev/null || fail "$f is not whole"
	done
	# and the step, run again, converges
	run --separate-stderr "$MTV_BIN_DIR/mtv-storagemap"
	assert_success
	grep -q '"StorageMap"' "$SHARED_DIR/mtv-resources.json"
	[ -s "$SHARED_DIR/mtv-maps.json" ]
}
