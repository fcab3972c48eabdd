#!/usr/bin/env bats
# mtv-migrate's live progress: redrawn in place on a terminal (script(1)
# gives it one), plain log lines anywhere else.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	SIM_WORLD="$MTV_SRC_DIR/tests/fixtures/worlds/e2e-failures.json" sim_start_checked --speed 0
}

setup() {
	e2e_setup vsphere-failures
	export MTV_TESTS_PARAMS="$MTV_SRC_DIR/tests/fixtures/scenarios/failures.json"
	export MTV_SCENARIO=test_fail_disk_transfer
	command -v script >/dev/null || skip "script(1) is not installed (Debian bsdutils)"
	run_steps create-provider storagemap networkmap plan
}

@test "progress: on a terminal, one line per VM redrawn in place" {
	# script runs mtv-migrate on a pseudo-terminal and copies what it wrote
	run script -qfec "$MTV_BIN_DIR/mtv-migrate" /dev/null
	[ "$status" -eq 1 ] || fail "mtv-migrate under script exited $status: $output"
	esc=$'\e'
	# every frame clears from its first line down, every line its own tail
	[[ "$output" == *"$esc[J"* ]]
	[[ "$output" == *"$esc[K"* ]]
	[[ "$output" == *"Plan "*": Failed, 1/1 VMs done, 1 failed$esc[K"* ]]
	[[ "$output" =~ mtv-fail-disk\ +Failed\ +DiskTransferV2v ]]
	# the frames after the first move back up over the last one
	frames=$(grep -o "$esc\[J" <<<"$output" | wc -l)
	ups=$(grep -oE "$esc\[[0-9]+A" <<<"$output" | wc -l)
	[ "$frames" -ge 2 ] || fail "only $frames frame(s): nothing was redrawn"
	[ "$ups" -eq $((frames - 1)) ]
	# the plain transition lines give way to the live view
	[[ "$output" != *"VM mtv-fail-disk: phase"* ]]
	# what follows the watch is the same as without a terminal
	[[ "$output" == *"VM mtv-fail-disk failed at DiskTransferV2v: disk copy exploded"* ]]
}

@test "progress: without a terminal, the plain log lines and no escape sequences" {
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	assert_failure 1
	[[ "$stderr" == *"VM mtv-fail-disk: phase"* ]]
	[[ "$stderr" == *"VM mtv-fail-disk: step DiskTransferV2v"* ]]
	[[ "$stderr" != *$'\e'* ]]
	[[ "$output" != *$'\e'* ]]
}
