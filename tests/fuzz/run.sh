#!/bin/bash
# make fuzz's runner: tests/fuzz/run.sh OUT TARGET...
# Each target runs FUZZ_SECONDS (default 60) over its committed seeds
# (tests/fuzz/corpus/<t>), seeds taken from the fixtures now (seeds.sh, in
# OUT/seeds/<t>) and what earlier runs found (OUT/corpus/<t>, where new
# inputs go, so the repository stays small).  A crash, leak or sanitizer
# report stops that target; its input is copied to
# tests/fuzz/regressions/<t>/, which make check replays.  The figures are
# printed and written to OUT/report.txt; exit 1 when any target crashed.
set -u

out=$1
shift
src=$(cd "$(dirname "$0")" && pwd)
secs=${FUZZ_SECONDS:-60}
report=$out/report.txt
crashed=0

"$src/seeds.sh" "$out/seeds"

rows=()
for t in "$@"; do
	bin=$out/fuzzers/$t
	work=$out/corpus/$t
	crashes=$out/crashes/$t
	log=$out/logs/$t.log
	mkdir -p "$work" "$crashes" "$(dirname "$log")" "$out/seeds/$t"
	rm -f "$crashes"/*
	dict=()
	[ -f "$src/$t.dict" ] && dict=(-dict="$src/$t.dict")
	seeds=()
	[ -d "$src/corpus/$t" ] && seeds+=("$src/corpus/$t")
	[ -d "$src/regressions/$t" ] && seeds+=("$src/regressions/$t")
	echo "# fuzz $t: ${secs}s"
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -artifact_prefix="$crashes/" "${dict[@]}" \
		"$work" "$out/seeds/$t" "${seeds[@]}" </dev/null >"$log" 2>&1
	rc=$?
	# The last status line ("#N DONE cov: ... ft: ... corp: ...") or, after
	# a crash, the last progress line; the final stats when it finished.
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
	[ -n "$eps" ] || eps=$(sed -n 's/.* exec\/s: \([0-9]*\).*/\1/p' <<<"$last")
	# libFuzzer's corpus at the end: units/bytes after its own reduction
	ncorp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
	ncrash=0
	shopt -s nullglob
	for c in "$crashes"/*; do
		mkdir -p "$src/regressions/$t"
		cp "$c" "$src/regressions/$t/"
		echo "# $t: $(basename "$c") copied to tests/fuzz/regressions/$t/ (log: $log)" >&2
		ncrash=$((ncrash + 1))
	done
	shopt -u nullglob
	if [ "$rc" -ne 0 ] && [ "$ncrash" -eq 0 ]; then
		echo "# $t: the fuzzer exited $rc without a crash input (log: $log)" >&2
		ncrash=1
	fi
	[ "$ncrash" -eq 0 ] || crashed=1
	rows+=("$(printf '%-13s %10s %8s %6s %7s %11s %7s' "$t" "${execs:-?}" "${eps:-?}" \
		"${cov:-?}" "${ft:-?}" "${ncorp:-?}" "$ncrash")")
done

{
	echo "make fuzz: ${secs}s per target, clang $(clang --version | sed -n 's/.*clang version \([^ ]*\).*/\1/p;q'), $(date -u +%Y-%m-%dT%H:%MZ)"
	printf '%-13s %10s %8s %6s %7s %11s %7s\n' target executions exec/s cov ft corpus crashes
	printf '%s\n' "${rows[@]}"
} | tee "$report"
echo "report: $report"
exit "$crashed"
