#!/bin/bash
# tests/bench/teardown-scale.sh [--ns "1 10 100 1000"] [--runs R]: mtv-teardown
# at scale.  For each N: a fresh mtv-sim (--speed 0, random port) with the
# generated world of N VMs (gen-world.sh), the cold steps up to mtv-migrate
# by hand (one plan with all N VMs), then mtv-teardown under bench_probe:
# its wall, CPU and API requests (/sim/stats total before and after; the
# per-verb split too).  Prints one JSON object on stdout:
#   {"teardown": {"<N>": {"runs": R, "requests": {"median","min","max"},
#    "wall_ms": {...}, "cpu_ms": {...}, "verbs": {"list": k, ...}}}}
# (verbs: of the last run).  Progress goes to stderr.  Uses bin/ and
# build/tests/progs/bench_probe (make programs test-programs).
set -euo pipefail

src=${MTV_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${MTV_BIN_DIR:-$src/bin}
tbin=${MTV_TEST_BIN_DIR:-$src/build/tests}
probe=$tbin/progs/bench_probe
ns_list="1 10 100 1000" runs=1

while [ $# -gt 0 ]; do
	case $1 in
	--ns) ns_list=$2; shift ;;
	--ns=*) ns_list=${1#--ns=} ;;
	--runs) runs=$2; shift ;;
	--runs=*) runs=${1#--runs=} ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "teardown-scale: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done
for f in "$bin/mtv-sim" "$bin/mtv-teardown" "$probe"; do
	[ -x "$f" ] || { echo "teardown-scale: $f missing; run make programs test-programs first" >&2; exit 3; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mtv-td-scale.XXXXXX")
# shellcheck source=tests/bench/sim.bash
source "$src/tests/bench/sim.bash"
SIM_DIR=''
cleanup() {
	bench_sim_stop
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
	echo "teardown-scale: $*" >&2
	exit 1
}

sim_start() {
	bench_sim_stop
	SIM_DIR=$(mktemp -d "$work/sim.XXXXXX")
	bench_sim_start "$SIM_DIR/state" "$1" --speed 0
}

sim_stats() {
	local s=$SIM_DIR/state
	curl -sS --fail --cacert "$s/ca.crt" -H "Authorization: Bearer $(cat "$s/token")" \
		"https://127.0.0.1:$(cat "$s/port")/sim/stats"
}

# stats_total FILE
stats_total() { jq -r .total "$1"; }

# median/min/max of the numbers on stdin, as a JSON object
summary() { sort -g | jq -s -c '{median: .[(length - 1) / 2 | floor], min: min, max: max}'; }

result='{}'
for n in $ns_list; do
	"$src/tests/bench/gen-world.sh" "$n" "$work/world-$n.json" "$work/catalog-$n.json"
	: >"$work/req" ; : >"$work/wall" ; : >"$work/cpu"
	for ((r = 1; r <= runs; r++)); do
		echo "teardown-scale: N=$n run $r/$runs" >&2
		sim_start "$work/world-$n.json"
		d=$work/run-$n-$r
		mkdir -p "$d/shared" "$d/artifacts"
		export KUBECONFIG=$SIM_DIR/state/kubeconfig SHARED_DIR=$d/shared ARTIFACT_DIR=$d/artifacts
		export MTV_PROVIDERS_FILE=$SIM_DIR/state/providers.json MTV_SOURCE_PROVIDER=vsphere-8.0.3
		export MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd MTV_GUEST_CHECKS=false
		export MTV_TESTS_PARAMS=$work/catalog-$n.json MTV_SCENARIO=bench_scale
		export MTV_PROVIDER_READY_TIMEOUT=120 MTV_INVENTORY_TIMEOUT=120 MTV_MAP_READY_TIMEOUT=120
		export MTV_PLAN_READY_TIMEOUT=300 MTV_PLAN_WAIT_TIMEOUT=1200 MTV_PREFLIGHT_TIMEOUT=120
		export MTV_TEARDOWN_TIMEOUT=${MTV_TEARDOWN_TIMEOUT:-1800}
		for s in create-provider storagemap networkmap plan migrate; do
			"$bin/mtv-$s" >>"$d/steps.log" 2>&1 3>&- || die "mtv-$s exited $? (log: $(tail -5 "$d/steps.log"))"
		done
		sim_stats >"$d/before.json"
		rm -f "$d/m"
		rc=0
		"$probe" run "$d/m" -- "$bin/mtv-teardown" >"$d/teardown.log" 2>&1 3>&- || rc=$?
		sim_stats >"$d/after.json"
		[ "$rc" = 0 ] || die "mtv-teardown exited $rc at N=$n: $(tail -8 "$d/teardown.log")"
		read -r -a kvs <"$d/m"
		wall_ns= cpu_ns=
		for kv in "${kvs[@]}"; do
			case $kv in
			wall_ns=*) wall_ns=${kv#*=} ;;
			cpu_ns=*) cpu_ns=${kv#*=} ;;
			esac
		done
		echo $(($(stats_total "$d/after.json") - $(stats_total "$d/before.json"))) >>"$work/req"
		awk -v n="$wall_ns" 'BEGIN { printf "%.1f\n", n / 1e6 }' >>"$work/wall"
		awk -v n="$cpu_ns" 'BEGIN { printf "%.1f\n", n / 1e6 }' >>"$work/cpu"
		# requests by verb: after - before, summed over resources
		verbs=$(jq -c -n --slurpfile a "$d/after.json" --slurpfile b "$d/before.json" '
			[$a[0].requests | to_entries[] | .key as $v | .value | to_entries[]
			 | {v: $v, k: .key, n: (.value - ($b[0].requests[$v][.key] // 0))}]
			| map(select(.n > 0)) | group_by(.v) | map({key: .[0].v, value: (map(.n) | add)}) | from_entries')
		bench_sim_stop
		rm -rf "$d"
	done
	result=$(jq -c -n --argjson r "$result" --arg n "$n" --argjson runs "$runs" \
		--argjson req "$(summary <"$work/req")" --argjson wall "$(summary <"$work/wall")" \
		--argjson cpu "$(summary <"$work/cpu")" --argjson verbs "$verbs" \
		'$r + {($n): {runs: $runs, requests: $req, wall_ms: $wall, cpu_ms: $cpu, verbs: $verbs}}')
done
jq -c -n --argjson t "$result" '{teardown: $t}'
