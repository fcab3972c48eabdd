#!/bin/bash
# tests/bench/gather-scale.sh [N...]: mtv-gather after a migration of N VMs
# (default N = 1 10 100 1000), against a fresh mtv-sim per N and scenario.
# One JSON object on stdout:
#   {"<scenario>": {"<N>": {"wallMs", "cpuMs", "requests", "logs", "logBytes"}, ...}, ...,
#    "parallel": P, "machine": "..."}
# Scenarios (GATHER_MODES, default "all failed succeeded running"):
#   all        every VM succeeded (--speed 0), gather with MTV_GATHER_ALL_LOGS=true:
#              N pod logs, the situation of make bench's scale section
#              before gather skipped the VMs that succeeded
#   failed     every VM fails at DiskTransferV2v (--speed 0).  Forklift,
#              and the sim, delete a failed VM's conversion pod when the VM
#              ends: no pod logs are left, only the table and events
#   succeeded  every VM succeeded, gather with its defaults: no pod logs
#   running    every VM stuck in DiskTransferV2v with its conversion pod up
#              (--speed 1000, the step lasting for ever), as when a job
#              times out: N pod logs by default.  The sim's controller
#              works through the N running VMs every tick under its global
#              lock, so here the sim's wait dominates the wall time
# requests: /sim/stats total before and after gather (the stats reads are
# not counted); logs: the .log files written under logs/<target ns>/;
# logBytes their size.  GATHER_BIN: another mtv-gather to measure (e.g. an
# older build); MTV_GATHER_* pass through (MTV_GATHER_PARALLEL=1: serial).
# GATHER_RUNS (default 1): gather runs per N on the same sim, median wall.
# Progress goes to stderr; GATHER_SCALE_KEEP=1 keeps the work directory.
set -euo pipefail

src=${MTV_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${MTV_BIN_DIR:-$src/bin}
probe=${MTV_TEST_BIN_DIR:-$src/build/tests}/progs/bench_probe
ns_list=${*:-1 10 100 1000}
runs=${GATHER_RUNS:-1}

gather=${GATHER_BIN:-$bin/mtv-gather}
modes=${GATHER_MODES:-all failed succeeded running}
for f in "$bin/mtv-sim" "$gather" "$probe"; do
	[ -x "$f" ] || { echo "gather-scale: $f missing; run make programs test-programs first" >&2; exit 3; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/mtv-gather-scale.XXXXXX")
# shellcheck source=tests/bench/sim.bash
source "$src/tests/bench/sim.bash"
cleanup() {
	bench_sim_stop
	[ -n "${GATHER_SCALE_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
die() { echo "gather-scale: $*" >&2; exit 1; }
progress() { echo "gather-scale: $*" >&2; }

sim_total() {
	curl -sS --fail --cacert "$1/ca.crt" -H "Authorization: Bearer $(cat "$1/token")" \
		"https://127.0.0.1:$(cat "$1/port")/sim/stats" | "$bin/mtv-sim" json total
}

# measure LOG CMD...: bench_probe's wall_ns and cpu_ns of CMD into M_*
measure() {
	local log=$1 kv kvs
	shift
	rm -f "$work/m"
	"$probe" run "$work/m" -- "$@" >>"$log" 2>&1 3>&- || true
	read -r -a kvs <"$work/m"
	for kv in "${kvs[@]}"; do
		printf -v "M_${kv%%=*}" '%s' "${kv#*=}"
	done
}

# one MODE N: migrate, gather, append the figures to $json
one() {
	local mode=$1 n=$2 d=$work/$1-$2 speed=0 fail walls=() r before after wall tns logs bytes rc=0 want all
	mkdir -p "$d/shared" "$d/art"
	"$src/tests/bench/gen-world.sh" "$n" "$d/world.json" "$d/catalog.json"
	case $mode in
	failed) fail='"fail": { "step": "DiskTransferV2v", "message": "disk copy exploded" },' ;;
	running) fail='"stepSeconds": { "DiskTransferV2v": 1000000000 },' speed=1000 ;;
	all|succeeded) fail= ;;
	*) die "unknown scenario $mode" ;;
	esac
	sed -i "s/\"power\": \"off\",/\"power\": \"off\", $fail/" "$d/world.json"
	bench_sim_start "$d/sim" "$d/world.json" --speed "$speed"
	export KUBECONFIG=$d/sim/kubeconfig SHARED_DIR=$d/shared MTV_PROVIDERS_FILE=$d/sim/providers.json
	export MTV_SOURCE_PROVIDER=vsphere-8.0.3 MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd MTV_GUEST_CHECKS=false
	export MTV_TESTS_PARAMS=$d/catalog.json MTV_SCENARIO=bench_scale
	export MTV_PROVIDER_READY_TIMEOUT=120 MTV_INVENTORY_TIMEOUT=120 MTV_MAP_READY_TIMEOUT=120
	export MTV_PLAN_READY_TIMEOUT=300 MTV_PLAN_WAIT_TIMEOUT=900 MTV_PREFLIGHT_TIMEOUT=120
	progress "$mode N=$n: migrating"
	for s in create-provider storagemap networkmap plan; do
		ARTIFACT_DIR=$d/art "$bin/mtv-$s" >>"$d/steps.log" 2>&1 || die "mtv-$s failed: $(tail -3 "$d/steps.log")"
	done
	tns=$(sed -n 's/.*"targetNamespace":[[:space:]]*"\([^"]*\)".*/\1/p' "$d/shared/mtv-session.json")
	if [ "$mode" != running ]; then
		ARTIFACT_DIR=$d/art "$bin/mtv-migrate" >>"$d/steps.log" 2>&1 || rc=$?
		want=0
		[ "$mode" = failed ] && want=1
		[ "$rc" = "$want" ] || die "mtv-migrate exited $rc, expected $want: $(tail -3 "$d/steps.log")"
	else
		# mtv-migrate would wait for ever: start the Migration and wait
		# until every VM's conversion pod is up.
		MTV_PLAN_WAIT_TIMEOUT=1 ARTIFACT_DIR=$d/art "$bin/mtv-migrate" >>"$d/steps.log" 2>&1 || rc=$?
		[ "$rc" = 4 ] || die "mtv-migrate exited $rc, expected 4 (timed out): $(tail -3 "$d/steps.log")"
		for _ in $(seq 1 1200); do
			[ "$(kubectl get pods -n "$tns" -l forklift.app=virt-v2v --no-headers 2>/dev/null | wc -l)" -ge "$n" ] && break
			sleep 0.1
		done
	fi
	for ((r = 1; r <= runs; r++)); do
		progress "$mode N=$n: gather run $r/$runs"
		rm -rf "$d/gather"
		before=$(sim_total "$d/sim")
		M_wall_ns=0 M_cpu_ns=0
		all=${MTV_GATHER_ALL_LOGS:-false}
		[ "$mode" = all ] && all=true
		ARTIFACT_DIR=$d/gather MTV_MUST_GATHER=false MTV_GATHER_ALL_LOGS=$all measure "$d/gather.log" "$gather"
		after=$(sim_total "$d/sim")
		walls+=("$M_wall_ns")
	done
	wall=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	logs=$(find "$d/gather/logs/$tns" -name '*.log' 2>/dev/null | wc -l || true)
	bytes=$(find "$d/gather/logs/$tns" -name '*.log' -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }' || true)
	json+=$(printf '%s"%s": {"wallMs": %.1f, "cpuMs": %.1f, "requests": %d, "logs": %d, "logBytes": %d}' \
		"$sep" "$n" "$(awk -v x="$wall" 'BEGIN { print x / 1e6 }')" \
		"$(awk -v x="$M_cpu_ns" 'BEGIN { print x / 1e6 }')" $((after - before)) "$logs" "${bytes:-0}")
	sep=", "
	bench_sim_stop
}

out="" osep=""
for mode in $modes; do
	json="" sep=""
	for n in $ns_list; do
		one "$mode" "$n"
	done
	out+="$osep\"$mode\": {$json}"
	osep=", "
done
printf '{%s, "parallel": %s, "machine": "%s, %s CPUs"}\n' "$out" "${MTV_GATHER_PARALLEL:-8}" "$(uname -m)" "$(nproc)"
