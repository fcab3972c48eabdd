#!/usr/bin/env bats
# mtv-run: step timeouts (SIGINT, then SIGKILL after grace_period) and
# interrupting the runner itself.
bats_require_minimum_version 1.5.0

setup() {
	load ../fixtures/registry/helpers
	runner_pid=
}

teardown() {
	if [ -n "$runner_pid" ]; then
		kill -KILL "$runner_pid" 2>/dev/null || true
	fi
	# Let the post step that waits for this file finish, and kill any step
	# the runner could not clean up (only if the runner died).
	if [ -d "$OUTDIR/artifacts/interrupt" ]; then
		touch "$OUTDIR/artifacts/interrupt/go"
	fi
	local f
	for f in "$OUTDIR"/artifacts/*/*/artifacts/pgid; do
		[ -f "$f" ] && kill -KILL -- "-$(cat "$f")" 2>/dev/null || true
	done
}

@test "mtv-run: a step that traps SIGINT on timeout exits within the grace period; 127" {
	run_config_test timeout-trap
	assert_failure 1
	assert_output --partial "Process did not finish before 1s timeout"
	run cat "$(step_dir timeout-trap slow)/build-log.txt"
	assert_line "Process did not finish before 1s timeout"
	assert_line "caught SIGINT, cleaning up"
	assert_line "Process gracefully exited before 10s grace period"
	run cat "$(step_dir timeout-trap slow)/finished.json"
	assert_output --partial '"exit_code":	127'
	assert_output --partial '"FAILURE"'
	[ -f "$(step_dir timeout-trap gather)/artifacts/ran" ]
}

@test "mtv-run: a step that ignores SIGINT is killed after the grace period; 127" {
	run_config_test timeout-ignore
	assert_failure 1
	run cat "$(step_dir timeout-ignore stubborn)/build-log.txt"
	assert_line "Process did not finish before 1s timeout"
	assert_line "Process did not exit before 1s grace period"
	refute_output --partial "never printed"
	run cat "$(step_dir timeout-ignore stubborn)/finished.json"
	assert_output --partial '"exit_code":	127'
	[ -f "$(step_dir timeout-ignore gather)/artifacts/ran" ]
}

# Start the interrupt test in the background and wait for its pre step.
start_interrupt_test() {
	"$MTV_RUN" --registry "$REG" --out "$OUTDIR" --config "$CONFIG" --test interrupt \
		>"$BATS_TEST_TMPDIR/log" 2>&1 3>&- &
	runner_pid=$!
	wait_for_file "$(step_dir interrupt long)/artifacts/started"
}

@test "mtv-run: SIGINT interrupts the pre step, skips test, runs post uninterrupted, exits 130" {
	start_interrupt_test
	kill -INT "$runner_pid"
	# a second interrupt while post runs does not stop post
	wait_for_file "$(step_dir interrupt gather)/artifacts/started"
	kill -INT "$runner_pid"
	touch "$OUTDIR/artifacts/interrupt/go"
	rc=0
	wait "$runner_pid" || rc=$?
	runner_pid=
	assert_equal "$rc" 130
	run cat "$(step_dir interrupt long)/build-log.txt"
	assert_line "Entrypoint received interrupt: interrupt"
	assert_line "long got SIGINT"
	run cat "$(step_dir interrupt long)/finished.json"
	assert_output --partial '"ABORTED"'
	assert_output --partial '"exit_code":	130'
	[ ! -e "$(step_dir interrupt e2e)" ]
	[ -f "$(step_dir interrupt gather)/artifacts/ran" ]
	[ -f "$(step_dir interrupt teardown)/artifacts/ran" ]
	run junit
	# runSteps' "cancelled" once the context is done
	assert_output --partial '<failure message="">cancelled</failure>'
	assert_output --partial 'Run multi-stage test post phase'
}

@test "mtv-run: SIGTERM is handled like SIGINT" {
	start_interrupt_test
	kill -TERM "$runner_pid"
	touch "$OUTDIR/artifacts/interrupt/go"
	rc=0
	wait "$runner_pid" || rc=$?
	runner_pid=
	assert_equal "$rc" 130
	run cat "$(step_dir interrupt long)/build-log.txt"
	assert_line "Entrypoint received interrupt: terminated"
	[ -f "$(step_dir interrupt teardown)/artifacts/ran" ]
}
