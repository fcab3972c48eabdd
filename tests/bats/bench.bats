#!/usr/bin/env bats
# make bench's harness (tests/bench/run.sh) in smoke mode: one run of every
# section, N up to 10, so the harness cannot rot.  No timings are asserted,
# only that every section of results.json holds numbers.
bats_require_minimum_version 1.5.0

setup_file() {
	export BENCH_OUT="$BATS_FILE_TMPDIR/bench"
	TMPDIR="$BATS_FILE_TMPDIR" "$MTV_SRC_DIR/tests/bench/run.sh" --smoke --out "$BENCH_OUT" >"$BATS_FILE_TMPDIR/stdout" 2>"$BATS_FILE_TMPDIR/stderr" 3>&- ||
		echo $? >"$BATS_FILE_TMPDIR/rc"
}

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	R="$BENCH_OUT/results.json"
}

# num EXPR...: each EXPR selects a number in results.json
num() {
	local e v
	for e in "$@"; do
		v=$("$MTV_BIN_DIR/mtv-sim" json "$e" <"$R") || fail "results.json: nothing at $e"
		[[ "$v" =~ ^-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$ ]] || fail "results.json: $e is '$v', not a number"
	done
}

@test "bench: the smoke run succeeds and writes results.json and the table" {
	[ ! -e "$BATS_FILE_TMPDIR/rc" ] || fail "run.sh --smoke exited $(cat "$BATS_FILE_TMPDIR/rc"): $(tail -20 "$BATS_FILE_TMPDIR/stderr")"
	[ -s "$R" ]
	run cat "$BATS_FILE_TMPDIR/stdout"
	assert_output --partial "Machine: $(uname -m)"
	assert_output --partial "| mtv-migrate |"
	assert_output --partial "Ratios to ours"
	# The sims it started are gone, and so is its scratch directory.
	run pgrep -f "mtv-sim --world .*$BATS_FILE_TMPDIR"
	assert_failure
	run ls -d "$BATS_FILE_TMPDIR"/mtv-bench.*
	assert_failure
}

@test "bench: results.json names the machine and has every step with numbers" {
	[ -s "$R" ] || skip "no results.json (the first test says why)"
	num machine.nproc config.elapsed_s
	[ -n "$("$MTV_BIN_DIR/mtv-sim" json machine.arch machine.cpu <"$R")" ]
	local s m
	for s in create-provider storagemap networkmap plan migrate check-vms gather teardown; do
		for m in wall_ms cpu_ms peak_rss_mib requests; do
			num "steps[\"mtv-$s\"].$m.median" "steps[\"mtv-$s\"].$m.min" "steps[\"mtv-$s\"].$m.max"
		done
		num "scale[\"1\"][\"mtv-$s\"].wall_ms.median" "scale[\"10\"][\"mtv-$s\"].requests.median"
	done
	# The floor, and each step's CPU as a multiple of it.
	num floor.tls_floor.cpu_ms.median floor.tls_floor.wall_ms.median
	for s in create-provider storagemap networkmap plan migrate check-vms gather teardown; do
		num "cpu_vs_floor[\"mtv-$s\"]"
	done
	# A step that made no API request was not measured at all.
	[ "$("$MTV_BIN_DIR/mtv-sim" json 'steps["mtv-plan"].requests.median' <"$R")" -gt 0 ]
}

@test "bench: results.json has the workflow, wait latency, baselines and ratios" {
	[ -s "$R" ] || skip "no results.json (the first test says why)"
	num 'workflow["mtv-run mtv-cold-migration"].wall_ms.median' 'workflow["mtv-run mtv-cold-migration"].requests.median'
	num 'wait_latency["mtv-migrate"].latency_ms.median' 'wait_latency["kubectl wait"].latency_ms.median' \
		'wait_latency["curl poll loop"].latency_ms.median'
	local t
	for t in ours kubectl curl; do
		num "baselines.$t.wall_ms.median" "baselines.$t.cpu_ms.median" "baselines.$t.requests.median"
	done
	for t in kubectl curl; do
		num "ratios.$t.wall" "ratios.$t.cpu" "ratios.$t.requests" "ratios.$t.wait_latency"
	done
}

@test "bench: results.json has the cost of one guest check (tunnel + SSH login + commands)" {
	[ -s "$R" ] || skip "no results.json (the first test says why)"
	num 'guest["one guest check (tunnel + login + 3 commands)"].wall_ms.median' \
		'guest["mtv-check-vms, guest checks on"].wall_ms.median' 'guest["mtv-check-vms, guest checks off"].wall_ms.median' \
		'guest["mtv-check-vms, guest checks on"].requests.median'
	# the tunnel is one more API request (the port-forward upgrade)
	local on off
	on=$("$MTV_BIN_DIR/mtv-sim" json 'guest["mtv-check-vms, guest checks on"].requests.median' <"$R")
	off=$("$MTV_BIN_DIR/mtv-sim" json 'guest["mtv-check-vms, guest checks off"].requests.median' <"$R")
	[ "$on" -gt "$off" ] || fail "guest checks on: $on requests, off: $off"
}

@test "bench: a bad argument is a usage error" {
	run -2 "$MTV_SRC_DIR/tests/bench/run.sh" --frobnicate
	assert_output --partial "unknown argument '--frobnicate'"
}

@test "bench: results.json has the vim25 cost of prepare-vms against vcsim: a fixed part and the same per clone" {
	[ -s "$R" ] || skip "no results.json (the first test says why)"
	[ -x "${MTV_VCSIM:-}" ] || skip "vcsim not built: $(cat "$MTV_VCSIM.unavailable" 2>/dev/null)"
	num 'prepare["K=1"].wall_ms.median' 'prepare["K=4"].vim25_calls_per_vm.median'
	local one four
	one=$("$MTV_BIN_DIR/mtv-sim" json 'prepare["K=1"].vim25_calls.median' <"$R")
	four=$("$MTV_BIN_DIR/mtv-sim" json 'prepare["K=4"].vim25_calls.median' <"$R")
	# the reads are bulk: three more clones cost three times one clone's
	# tasks, not more reads (fixed F, per clone C: F + C and F + 4C)
	[ $(((four - one) % 3)) -eq 0 ] || fail "K=1: $one calls, K=4: $four calls"
	[ "$four" -lt $((4 * one)) ]
}

@test "bench: the scale runs are flat in requests from N=1 to N=10, teardown and every pod log included" {
	[ -s "$R" ] || skip "no results.json (the first test says why)"
	local s one ten
	for s in create-provider storagemap networkmap plan migrate check-vms gather teardown; do
		one=$("$MTV_BIN_DIR/mtv-sim" json "scale[\"1\"][\"mtv-$s\"].requests.median" <"$R")
		ten=$("$MTV_BIN_DIR/mtv-sim" json "scale[\"10\"][\"mtv-$s\"].requests.median" <"$R")
		# a step may differ by one request between runs (a retried watch)
		[ $((ten - one)) -le 1 ] && [ $((one - ten)) -le 1 ] || fail "mtv-$s: $one requests at N=1, $ten at N=10"
	done
	# every pod log: the fixed part plus one request per VM
	one=$("$MTV_BIN_DIR/mtv-sim" json 'scale["1"]["mtv-gather, every pod log"].requests.median' <"$R")
	ten=$("$MTV_BIN_DIR/mtv-sim" json 'scale["10"]["mtv-gather, every pod log"].requests.median' <"$R")
	[ $((ten - one)) -eq 9 ] || fail "gather with every log: $one requests at N=1, $ten at N=10"
}

@test "bench: results.json has the sim's request cost, the two concurrent plans and the report" {
	[ -s "$R" ] || skip "no results.json (the first test says why)"
	num 'sim_scale.sizes["1"].delete_ms.median' 'sim_scale.sizes["10"].list_ms.median' sim_scale.delete_ratio
	num concurrent_plans.wall_s.concurrent_one_process.median concurrent_plans.wall_s.concurrent_two_processes.median \
		concurrent_plans.wall_s.sequential.median concurrent_plans.sequential_over_concurrent.one_process
	num report.report_bytes report.render_ms
	grep -q 'Two Plans at once' "$BENCH_OUT/results.md"
}
