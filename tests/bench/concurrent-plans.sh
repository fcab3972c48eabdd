#!/bin/bash
# tests/bench/concurrent-plans.sh [--n N] [--speed S] [--runs R]: the wall time
# of two Plans of N VMs each (one session's 2N-VM scenario split by mtv-plan
# MTV_PLAN_COUNT=2, as mtv-api-tests' simultaneous migrations) migrated
#   concurrent_one    at once, one mtv-migrate following both
#   concurrent_two    at once, two mtv-migrate --plan processes
#   sequential        one after the other (mtv-migrate --plan=P1; --plan=P2)
# against a fresh bin/mtv-sim on a random port.  Each run of each mode gets
# its own session (its own SHARED_DIR, providers, maps and Plans), so every
# migration starts from nothing; only mtv-migrate is timed.
#
# The sim runs at --speed S (default 100 simulated seconds per real second):
# at --speed 0 a migration ends on the next controller ticks and the figure
# would only be process start-up; at 100 a cold vSphere VM's pipeline
# (Initialize 10 + DiskAllocation 5 + ImageConversion 120 + DiskTransferV2v
# 120 + VirtualMachineCreation 10 = 265 simulated seconds) takes about 2.7 s,
# and the sim runs every VM of a Plan at once, so one Plan of N VMs takes
# about that too.  Prints one JSON object on stdout: per mode the median,
# min and max seconds over the runs, and sequential / concurrent.
set -euo pipefail

src=${MTV_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${MTV_BIN_DIR:-$src/bin}
n=10 speed=100 runs=3

while [ $# -gt 0 ]; do
	case $1 in
	--n) n=${2:?}; shift ;;
	--speed) speed=${2:?}; shift ;;
	--runs) runs=${2:?}; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "concurrent-plans: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done
for f in mtv-sim mtv-create-provider mtv-storagemap mtv-networkmap mtv-plan mtv-migrate; do
	[ -x "$bin/$f" ] || { echo "concurrent-plans: $bin/$f missing; run make programs first" >&2; exit 3; }
done
command -v jq >/dev/null || { echo "concurrent-plans: jq is needed" >&2; exit 3; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mtv-bench-concurrent.XXXXXX")
# shellcheck source=tests/bench/sim.bash
source "$src/tests/bench/sim.bash"
cleanup() {
	bench_sim_stop
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
die() {
	echo "concurrent-plans: $*" >&2
	exit 1
}

"$src/tests/bench/gen-world.sh" $((2 * n)) "$work/world.json" "$work/catalog.json"
bench_sim_start "$work/sim" "$work/world.json" --speed "$speed"

export KUBECONFIG=$work/sim/kubeconfig MTV_PROVIDERS_FILE=$work/sim/providers.json MTV_SOURCE_PROVIDER=vsphere-8.0.3
export MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd MTV_TESTS_PARAMS=$work/catalog.json MTV_SCENARIO=bench_scale
export MTV_PROVIDER_READY_TIMEOUT=120 MTV_INVENTORY_TIMEOUT=120 MTV_MAP_READY_TIMEOUT=120
export MTV_PLAN_READY_TIMEOUT=300 MTV_PLAN_WAIT_TIMEOUT=600

now_ns() { date +%s%N; }

# session DIR: a new session with its two Plans in DIR; sets P1, P2
session() {
	export SHARED_DIR=$1/shared ARTIFACT_DIR=$1/artifacts
	mkdir -p "$SHARED_DIR" "$ARTIFACT_DIR"
	local s
	for s in create-provider storagemap networkmap; do
		"$bin/mtv-$s" >>"$1/setup.log" 2>&1 || die "mtv-$s failed: $(tail -3 "$1/setup.log")"
	done
	MTV_PLAN_COUNT=2 "$bin/mtv-plan" >>"$1/setup.log" 2>&1 || die "mtv-plan failed: $(tail -3 "$1/setup.log")"
	P1=$(jq -r '.plans[0].name' "$SHARED_DIR/mtv-plan.json")
	P2=$(jq -r '.plans[1].name' "$SHARED_DIR/mtv-plan.json")
}

# mode_run MODE DIR: time MODE's migration of a new session; prints seconds
mode_run() {
	local mode=$1 d=$2 t0 t1 a b
	session "$d"
	t0=$(now_ns)
	case $mode in
	concurrent_one)
		"$bin/mtv-migrate" >"$d/migrate.log" 2>&1 || die "$mode: mtv-migrate failed: $(tail -3 "$d/migrate.log")" ;;
	concurrent_two)
		"$bin/mtv-migrate" --plan="$P1" >"$d/migrate1.log" 2>&1 &
		a=$!
		"$bin/mtv-migrate" --plan="$P2" >"$d/migrate2.log" 2>&1 &
		b=$!
		wait "$a" || die "$mode: mtv-migrate --plan=$P1 failed: $(tail -3 "$d/migrate1.log")"
		wait "$b" || die "$mode: mtv-migrate --plan=$P2 failed: $(tail -3 "$d/migrate2.log")" ;;
	sequential)
		"$bin/mtv-migrate" --plan="$P1" >"$d/migrate1.log" 2>&1 || die "$mode: --plan=$P1 failed"
		"$bin/mtv-migrate" --plan="$P2" >"$d/migrate2.log" 2>&1 || die "$mode: --plan=$P2 failed" ;;
	esac
	t1=$(now_ns)
	[ "$(jq -r '.result' "$SHARED_DIR/mtv-migration.json")" = Succeeded ] || die "$mode: not every migration succeeded"
	[ "$(jq -r '.vms | length' "$SHARED_DIR/mtv-migration.json")" = $((2 * n)) ] || die "$mode: not $((2 * n)) VMs recorded"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'
}

modes="concurrent_one concurrent_two sequential"
: >"$work/times.tsv"
for ((r = 1; r <= runs; r++)); do
	for m in $modes; do
		echo "concurrent-plans: run $r/$runs $m" >&2
		printf '%s\t%s\n' "$m" "$(mode_run "$m" "$work/$m-$r")" >>"$work/times.tsv"
	done
done

# {"mode": {"median","min","max","runs":[...]}} and the ratios
stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "{\"median\": %.3f, \"min\": %.3f, \"max\": %.3f}", m, v[1], v[NR] }'
}
one=$(awk -F'\t' '$1 == "concurrent_one" { print $2 }' "$work/times.tsv" | stats)
two=$(awk -F'\t' '$1 == "concurrent_two" { print $2 }' "$work/times.tsv" | stats)
seq_=$(awk -F'\t' '$1 == "sequential" { print $2 }' "$work/times.tsv" | stats)
jq -cn --argjson one "$one" --argjson two "$two" --argjson seq "$seq_" \
	--argjson n "$n" --argjson speed "$speed" --argjson runs "$runs" '{
	plans: 2, vms_per_plan: $n, sim_speed: $speed, runs: $runs,
	wall_s: {concurrent_one_process: $one, concurrent_two_processes: $two, sequential: $seq},
	sequential_over_concurrent: {one_process: (($seq.median / $one.median) * 100 | round / 100),
				     two_processes: (($seq.median / $two.median) * 100 | round / 100)}
}'
