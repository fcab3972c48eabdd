#!/usr/bin/env bats
# make check's half of make fuzz: every fuzz target's source, linked with
# tests/fuzz/replay_main.c by the normal toolchain (sanitized under
# SANITIZE=1), is fed its committed seeds (tests/fuzz/corpus/<t>) and every
# crash input found so far (tests/fuzz/regressions/<t>).  A crash, a
# sanitizer report (leaks included) or a non-zero exit fails.
bats_require_minimum_version 1.5.0

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	fuzz=$MTV_SRC_DIR/tests/fuzz
}

targets() {
	local f
	for f in "$fuzz"/fuzz_*.c; do
		f=${f##*/fuzz_}
		echo "${f%.c}"
	done
}

@test "fuzz replay: every target has a replay binary and seeds" {
	local t n=0
	for t in $(targets); do
		n=$((n + 1))
		[ -x "$MTV_TEST_BIN_DIR/fuzz/replay_$t" ] || fail "no replay binary for $t"
		[ -n "$(find "$fuzz/corpus/$t" -type f 2>/dev/null)" ] || fail "no seeds in tests/fuzz/corpus/$t"
	done
	# the nine of the issue: kubeconfig, providers, scenario, watchstream,
	# gotmpl, hooks, vsphere_soap, yamltree, state_schema
	[ "$n" -ge 9 ] || fail "only $n fuzz targets"
}

@test "fuzz replay: every seed and regression input runs clean" {
	local t dirs files
	for t in $(targets); do
		dirs=("$fuzz/corpus/$t")
		[ -d "$fuzz/regressions/$t" ] && dirs+=("$fuzz/regressions/$t")
		files=$(find "${dirs[@]}" -type f ! -name '.*' | wc -l)
		run --separate-stderr "$MTV_TEST_BIN_DIR/fuzz/replay_$t" "${dirs[@]}"
		[ "$status" -eq 0 ] || fail "replay_$t exited $status: $stderr"
		# A sanitizer that only reports (nothing should, but a recoverable
		# check would) still fails the input.
		if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' <<<"$stderr"; then
			fail "replay_$t: sanitizer report: $stderr"
		fi
		assert_equal "$output" "replayed $files inputs"
	done
}

@test "fuzz replay: an unreadable input or a missing directory is a failure, not a pass" {
	run --separate-stderr "$MTV_TEST_BIN_DIR/fuzz/replay_yamltree" "$BATS_TEST_TMPDIR/nosuch"
	assert_failure 1
	[[ "$stderr" == *"nosuch"* ]] || fail "stderr: $stderr"
	printf 'a: 1\n' >"$BATS_TEST_TMPDIR/one.yaml"
	run --separate-stderr "$MTV_TEST_BIN_DIR/fuzz/replay_yamltree" "$BATS_TEST_TMPDIR/one.yaml"
	assert_success
	assert_output "replayed 1 inputs"
	if [ "$(id -u)" -ne 0 ]; then
		chmod 000 "$BATS_TEST_TMPDIR/one.yaml"
		run --separate-stderr "$MTV_TEST_BIN_DIR/fuzz/replay_yamltree" "$BATS_TEST_TMPDIR/one.yaml"
		assert_failure 1
	fi
}
