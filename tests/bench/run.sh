#!/bin/bash
# tests/bench/run.sh [--smoke] [--out DIR]: the mtv-steps benchmark (make bench).
#
# Against mtv-sim at --speed 0 (no simulated delays, so the figures are the
# steps' own cost plus the sim's), measures:
#   steps        each step of the cold sanity scenario by hand: wall, user+sys
#                CPU, peak RSS (bench_probe: wait4 rusage), API requests
#                (/sim/stats total before and after the step)
#   workflow     the cold workflow through mtv-run: wall, CPU, requests
#   wait_latency Plan Succeeded (seen by a watch on the Plan) -> the waiter's
#                exit: mtv-migrate, `kubectl wait`, a curl poll loop
#   scale        one plan with N VMs (generated worlds): per-step wall, requests
#   baselines    the same API work with kubectl and with curl (baseline.sh),
#                and the ratios baseline/ours
#   guest        one guest check of mtv-check-vms (port-forward tunnel through
#                mtv-sim, SSH login, the three commands) against a real sshd
#                (tests/sshd/guest.bash): check-vms with and without the guest
#                checks, and the time the step itself logs for that guest
#   prepare      mtv-prepare-vms cloning K of the vcsim world's VMs in vcsim
#                (VMware's simulator) behind mtv-sim: wall, vim25 calls in
#                all and per VM (from the step's own count); skipped, saying
#                so, when vcsim is not built
# Every figure is the median of the runs with min and max.  Prints a table
# and writes DIR/results.json (default bench/ in the source tree) and
# DIR/results.md.  --smoke: one run of everything, N up to 10 (for the bats
# test that keeps this harness from rotting).
set -euo pipefail

src=${MTV_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${MTV_BIN_DIR:-$src/bin}
tbin=${MTV_TEST_BIN_DIR:-$src/build/tests}
probe=$tbin/progs/bench_probe
out=$src/bench
smoke=0

while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=1 ;;
	--out) out=${2:?--out needs a directory}; shift ;;
	--out=*) out=${1#--out=} ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done

if [ "$smoke" = 1 ]; then
	STEP_RUNS=1 WF_RUNS=1 BASE_RUNS=1 SCALE_NS="1 10" SCALE_RUNS=1 BIG_RUNS=1 PREP_RUNS=1 GUEST_RUNS=1
else
	# About 2.5 minutes on a 2-core machine; N=1000 dominates (migrate,
	# check-vms, gather and teardown about 1.3 s each there, gather with
	# every log 5 s), hence its fewer runs.
	STEP_RUNS=${BENCH_STEP_RUNS:-9} WF_RUNS=${BENCH_WF_RUNS:-5} BASE_RUNS=${BENCH_BASE_RUNS:-5}
	SCALE_NS=${BENCH_SCALE_NS:-"1 10 100 1000"} SCALE_RUNS=${BENCH_SCALE_RUNS:-5} BIG_RUNS=${BENCH_BIG_RUNS:-3}
	PREP_RUNS=${BENCH_PREP_RUNS:-3} GUEST_RUNS=${BENCH_GUEST_RUNS:-5}
fi
STEPS="create-provider storagemap networkmap plan migrate check-vms gather teardown"
# At N >= BIG_N the scale runs are fewer (BIG_RUNS): one run there costs
# more than all the smaller ones.
BIG_N=1000

for f in "$bin/mtv-sim" "$bin/mtv-run" "$probe"; do
	[ -x "$f" ] || { echo "bench: $f missing; run make programs test-programs first" >&2; exit 3; }
done
command -v kubectl >/dev/null || { echo "bench: kubectl not on PATH (needed for the baseline)" >&2; exit 3; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mtv-bench.XXXXXX")
rec=$work/records.tsv
: >"$rec"

# shellcheck source=tests/bench/sim.bash
source "$src/tests/bench/sim.bash"
SIM_DIR='' WATCH_PID='' GUEST_DIR=''
M_wall_ns=0 M_cpu_ns=0 M_maxrss_kb=0 M_exit_ns=0
cleanup() {
	[ -z "$WATCH_PID" ] || kill "$WATCH_PID" 2>/dev/null || true
	if [ -n "$GUEST_DIR" ]; then
		# shellcheck source=tests/sshd/guest.bash
		(source "$src/tests/sshd/guest.bash" && guest_stop "$GUEST_DIR") || true
	fi
	bench_sim_stop
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
	echo "bench: $*" >&2
	exit 1
}

progress() { printf '%s\n' "bench: $*" >&2; }

# sim_start WORLD: a fresh sim in its own state dir (each run starts clean)
sim_start() {
	bench_sim_stop
	SIM_DIR=$(mktemp -d "$work/sim.XXXXXX")
	bench_sim_start "$SIM_DIR/state" "$1" --speed 0
}

sim_stop() { bench_sim_stop; }

# The sim's request counter; /sim/stats itself is not counted.
sim_total() {
	local s=$SIM_DIR/state
	curl -sS --fail --cacert "$s/ca.crt" -H "Authorization: Bearer $(cat "$s/token")" \
		"https://127.0.0.1:$(cat "$s/port")/sim/stats" | "$bin/mtv-sim" json total
}

# record SECTION KEY METRIC VALUE
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$rec"; }

# measure LOG CMD...: run CMD under bench_probe; sets M_wall_ns, M_cpu_ns,
# M_maxrss_kb, M_exit_ns, M_status.  Fails the bench when CMD fails.
measure() {
	local log=$1 rc=0 kv kvs
	shift
	rm -f "$work/m"
	"$probe" run "$work/m" -- "$@" >>"$log" 2>&1 3>&- || rc=$?
	[ -s "$work/m" ] || die "bench_probe recorded nothing for $*"
	read -r -a kvs <"$work/m"
	for kv in "${kvs[@]}"; do
		printf -v "M_${kv%%=*}" '%s' "${kv#*=}"
	done
	[ "$rc" = 0 ] || die "$(basename "$1") exited $rc (log: $log):
$(tail -5 "$log")"
}

ms() { awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e6 }'; }

# step_env SHARED ART [CATALOG SCENARIO]: the environment of one hand run
step_env() {
	export KUBECONFIG=$SIM_DIR/state/kubeconfig SHARED_DIR=$1 ARTIFACT_DIR=$2
	export MTV_PROVIDERS_FILE=$SIM_DIR/state/providers.json MTV_SOURCE_PROVIDER=vsphere-8.0.3
	export MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd
	# The simulated VMs have no guest behind them; the guest checks are
	# measured on their own (section 7, against a real sshd).
	export MTV_GUEST_CHECKS=false
	export MTV_TESTS_PARAMS=${3:-$src/shared/tests_params.json} MTV_SCENARIO=${4:-test_sanity_cold_mtv_migration}
	# Bounds so a broken sim fails the bench instead of hanging it.
	export MTV_PROVIDER_READY_TIMEOUT=120 MTV_INVENTORY_TIMEOUT=120 MTV_MAP_READY_TIMEOUT=120
	export MTV_PLAN_READY_TIMEOUT=300 MTV_PLAN_WAIT_TIMEOUT=600 MTV_PREFLIGHT_TIMEOUT=120
	mkdir -p "$1" "$2"
}

# So the workflow and baseline runs inherit nothing from a hand run.
step_env_clear() {
	unset KUBECONFIG SHARED_DIR ARTIFACT_DIR MTV_PROVIDERS_FILE MTV_SOURCE_PROVIDER \
		MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY MTV_STORAGE_CLASS MTV_TESTS_PARAMS MTV_SCENARIO MTV_GUEST_CHECKS \
		MTV_PROVIDER_READY_TIMEOUT MTV_INVENTORY_TIMEOUT MTV_MAP_READY_TIMEOUT \
		MTV_PLAN_READY_TIMEOUT MTV_PLAN_WAIT_TIMEOUT MTV_PREFLIGHT_TIMEOUT
}

watch_start() {	# watch_start NS: a Plan watch, live when this returns
	rm -f "$work/watch.ready" "$work/succeeded_ns"
	"$probe" watch-plan "$SIM_DIR/state" "$1" "$work/watch.ready" >"$work/succeeded_ns" 2>"$work/watch.err" 3>&- &
	WATCH_PID=$!
	for _ in $(seq 1 1000); do
		[ -e "$work/watch.ready" ] && return 0
		kill -0 "$WATCH_PID" 2>/dev/null || break
		sleep 0.01
	done
	die "the Plan watch in $1 did not start: $(cat "$work/watch.err")"
}

# run_steps SECTION RUN LIST [CATALOG SCENARIO]: every step of LIST by hand on
# the current sim, recording per-step figures under SECTION
run_steps() {
	local section=$1 run=$2 list=$3 catalog=${4:-} scenario=${5:-}
	local d=$work/$section-$run s before after ns total_ns=0 total_cpu=0 total_req=0
	step_env "$d/shared" "$d/artifacts" "$catalog" "$scenario"
	for s in $list; do
		if [ "$s" = migrate ]; then
			ns=$(sed -n 's/.*"targetNamespace":[[:space:]]*"\([^"]*\)".*/\1/p' "$SHARED_DIR/mtv-session.json")
			[ -n "$ns" ] || die "no targetNamespace in $SHARED_DIR/mtv-session.json"
			watch_start "$ns"
		fi
		before=$(sim_total)
		measure "$d/mtv-$s.log" "$bin/mtv-$s"
		after=$(sim_total)
		record "$section" "mtv-$s" wall_ms "$(ms "$M_wall_ns")"
		record "$section" "mtv-$s" requests $((after - before))
		record "$section" "mtv-$s" cpu_ms "$(ms "$M_cpu_ns")"
		if [ "$section" = steps ]; then
			record steps "mtv-$s" peak_rss_mib "$(awk -v k="$M_maxrss_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
			if [ "$s" != gather ]; then
				total_ns=$((total_ns + M_wall_ns)) total_cpu=$((total_cpu + M_cpu_ns))
				total_req=$((total_req + after - before))
			fi
		fi
		if [ "$s" = gather ] && [ "${section#scale/}" != "$section" ]; then
			# What a failure costs: every pod's log, not only the
			# failed VMs' (here none failed), N requests in parallel.
			before=$(sim_total)
			MTV_GATHER_ALL_LOGS=true ARTIFACT_DIR=$d/artifacts-all-logs measure "$d/mtv-gather-all-logs.log" "$bin/mtv-gather"
			after=$(sim_total)
			record "$section" "mtv-gather, every pod log" wall_ms "$(ms "$M_wall_ns")"
			record "$section" "mtv-gather, every pod log" requests $((after - before))
			record "$section" "mtv-gather, every pod log" cpu_ms "$(ms "$M_cpu_ns")"
		fi
		if [ "$s" = migrate ]; then
			wait "$WATCH_PID" || die "the Plan in $ns did not succeed: $(cat "$work/watch.err")"
			WATCH_PID=
			[ "$section" = steps ] && record wait_latency mtv-migrate latency_ms \
				"$(awk -v a="$M_exit_ns" -v b="$(cat "$work/succeeded_ns")" 'BEGIN { printf "%.3f", (a - b) / 1e6 }')"
		fi
	done
	if [ "$section" = steps ]; then
		for _ in 1 2 3; do floor_run "$d"; done
		# What the baselines do too: everything but gather.
		record baselines ours wall_ms "$(ms "$total_ns")"
		record baselines ours cpu_ms "$(ms "$total_cpu")"
		record baselines ours requests "$total_req"
	fi
	step_env_clear
	rm -rf "$d"
}

# floor_run DIR: the cost floor on the current sim: a process that only
# initialises libcurl and OpenSSL and makes one TLS GET (tests/progs/tls_floor.c)
floor_run() {
	local st=$SIM_DIR/state
	measure "$1/floor.log" "$tbin/progs/tls_floor" \
		"https://127.0.0.1:$(cat "$st/port")/api/v1/namespaces/default" "$st/ca.crt" "$st/token"
	record floor tls_floor wall_ms "$(ms "$M_wall_ns")"
	record floor tls_floor cpu_ms "$(ms "$M_cpu_ns")"
	record floor tls_floor peak_rss_mib "$(awk -v k="$M_maxrss_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
}

machine() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)
	[ -n "$cpu" ] || cpu=$(uname -p)
	printf '{"arch": "%s", "cpu": "%s", "nproc": %d, "kernel": "%s", "date": "%s"}' \
		"$(uname -m)" "${cpu//\"/}" "$(nproc)" "$(uname -r)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

t0=$(date +%s)
world=$src/tests/fixtures/worlds/default.json

# ---- 1 + 3: per step, cold sanity, with the wait latency of mtv-migrate ----
for ((r = 1; r <= STEP_RUNS; r++)); do
	progress "steps: run $r/$STEP_RUNS"
	sim_start "$world"
	run_steps steps "$r" "$STEPS"
done

# ---- 2: the whole cold workflow through mtv-run ----
# (the generated world's vSphere is simulated and speaks no vim25, so
# mtv-prepare-vms is told to leave its VMs alone)
for ((r = 1; r <= WF_RUNS; r++)); do
	progress "workflow: run $r/$WF_RUNS"
	sim_start "$world"
	d=$work/wf-$r
	mkdir -p "$d/profile"
	cp "$SIM_DIR/state/providers.json" "$d/profile/.providers.json"
	before=$(sim_total)
	PATH="$bin:$PATH" measure "$d/mtv-run.log" "$bin/mtv-run" --repo "$src" --out "$d/run" \
		--kubeconfig "$SIM_DIR/state/kubeconfig" --cluster-profile-dir "$d/profile" \
		--env MTV_SOURCE_PROVIDER=vsphere-8.0.3 --env MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd \
		--env MTV_PREPARE_VMS=false --env MTV_GUEST_CHECKS=false workflow mtv-cold-migration
	after=$(sim_total)
	record workflow "mtv-run mtv-cold-migration" wall_ms "$(ms "$M_wall_ns")"
	record workflow "mtv-run mtv-cold-migration" cpu_ms "$(ms "$M_cpu_ns")"
	record workflow "mtv-run mtv-cold-migration" requests $((after - before))
	rm -rf "$d"
done

# ---- 5: baselines, same sim world, same objects ----
for ((r = 1; r <= BASE_RUNS; r++)); do
	for mode in kubectl curl; do
		progress "baselines: $mode run $r/$BASE_RUNS"
		sim_start "$world"
		d=$work/base-$mode-$r
		mkdir -p "$d"
		before=$(sim_total)
		MTV_BIN_DIR=$bin BENCH_PROBE=$probe measure "$d/baseline.log" \
			"$src/tests/bench/baseline.sh" "$mode" "$SIM_DIR/state" "bench-$mode-$r" "$d"
		after=$(sim_total)
		record baselines "$mode" wall_ms "$(ms "$M_wall_ns")"
		record baselines "$mode" cpu_ms "$(ms "$M_cpu_ns")"
		# less the Plan watch the harness itself opened for the latency
		record baselines "$mode" requests $((after - before - 1))
		record wait_latency "$( [ "$mode" = kubectl ] && echo "kubectl wait" || echo "curl poll loop")" \
			latency_ms "$(cat "$d/latency_ms")"
		rm -rf "$d"
	done
done

# ---- 4: scale, one plan with N VMs ----
# Every step at every N, teardown included; at N >= BIG_N fewer runs.
for n in $SCALE_NS; do
	runs=$SCALE_RUNS
	[ "$n" -ge "$BIG_N" ] && runs=$BIG_RUNS
	"$src/tests/bench/gen-world.sh" "$n" "$work/world-$n.json" "$work/catalog-$n.json"
	for ((r = 1; r <= runs; r++)); do
		progress "scale: N=$n run $r/$runs"
		sim_start "$work/world-$n.json"
		run_steps "scale/$n" "$r" "$STEPS" "$work/catalog-$n.json" bench_scale
	done
done
sim_stop

# ---- 6: prepare-vms against vcsim: the source API cost per VM ----
# K VMs of the vcsim world cloned by one run; the step logs every vim25
# call it made ("vSphere calls: N for K VMs").
prepare_bench() {	# prepare_bench K RUN
	local k=$1 r=$2 d names calls
	d=$(mktemp -d "$work/prep.XXXXXX")
	names=$("$bin/mtv-sim" json 'providers[0].vms' <"$src/tests/fixtures/worlds/vcsim.json" |
		tr ',' '\n' | sed -n 's/.*"name":"\([^"]*\)".*/\1/p' | head -"$k")
	{
		printf '{"bench_prepare": {"warm_migration": false, "virtual_machines": ['
		local sep=
		for n in $names; do printf '%s{"name": "%s"}' "$sep" "$n"; sep=', '; done
		printf ']}}\n'
	} >"$d/catalog.json"
	(
		export VCSIM_SIM_BASE=$d
		# shellcheck source=tests/vcsim/vcsim.bash
		source "$src/tests/vcsim/vcsim.bash"
		trap vcsim_sim_stop EXIT
		vcsim_sim_start "$src/tests/fixtures/worlds/vcsim.json" --speed 0 >/dev/null ||
			die "vcsim behind mtv-sim did not start: $(tail -3 "$d/sim.log" "$d/vcsim.log" 2>/dev/null)"
		export SHARED_DIR=$d/shared ARTIFACT_DIR=$d/artifacts
		export MTV_PROVIDERS_FILE=$VCSIM_SIM_PROVIDERS_FILE MTV_SOURCE_PROVIDER=$VCSIM_SIM_PROVIDER
		export MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd MTV_TESTS_PARAMS=$d/catalog.json MTV_SCENARIO=bench_prepare
		export MTV_PROVIDER_READY_TIMEOUT=120 MTV_INVENTORY_TIMEOUT=120 MTV_INVENTORY_WAIT_TIMEOUT=120
		mkdir -p "$SHARED_DIR" "$ARTIFACT_DIR"
		"$bin/mtv-create-provider" >"$d/create-provider.log" 2>&1 || die "create-provider against vcsim failed: $(tail -3 "$d/create-provider.log")"
		measure "$d/prepare.log" "$bin/mtv-prepare-vms"
		calls=$(sed -n 's/.*vSphere calls: \([0-9]*\) for .*/\1/p' "$d/prepare.log" | tail -1)
		[ -n "$calls" ] || die "mtv-prepare-vms logged no vSphere call count: $(tail -3 "$d/prepare.log")"
		record prepare "K=$k" wall_ms "$(ms "$M_wall_ns")"
		record prepare "K=$k" vim25_calls "$calls"
		record prepare "K=$k" vim25_calls_per_vm "$(awk -v c="$calls" -v k="$k" 'BEGIN { printf "%.1f", c / k }')"
	)
	rm -rf "$d"
}
if [ -x "${MTV_VCSIM:-$src/build/vcsim/vcsim}" ]; then
	export MTV_VCSIM=${MTV_VCSIM:-$src/build/vcsim/vcsim}
	for k in 1 4; do
		for ((r = 1; r <= PREP_RUNS; r++)); do
			progress "prepare: K=$k run $r/$PREP_RUNS"
			prepare_bench "$k" "$r"
		done
	done
else
	progress "prepare: skipped, vcsim is not built ($(cat "${MTV_VCSIM:-$src/build/vcsim/vcsim}.unavailable" 2>/dev/null || echo "make vcsim"))"
fi

# ---- 7: one guest check: tunnel + SSH login + commands ----
# The guests world's Linux VM, migrated, its VMI bridged by mtv-sim to a
# real sshd on loopback whose commands are the fakes of e2e-guest.bats.
guest_bench() {	# guest_bench RUN
	local r=$1 one s
	local d=$work/guest-$r
	sim_start "$src/tests/fixtures/worlds/guests.json"
	GUEST_DIR=$SIM_DIR/state/guests/rhel9
	# shellcheck source=tests/sshd/guest.bash
	source "$src/tests/sshd/guest.bash"
	# shellcheck source=tests/bats/guest-fakes.bash
	source "$src/tests/bats/guest-fakes.bash"
	guest_start "$GUEST_DIR" >"$work/guest.log" 2>&1 || die "the sshd guest did not start: $(tail -3 "$work/guest.log")"
	linux_guest "$GUEST_DIR" mtv-guest-rhel9 00:50:56:c0:00:01 10.10.1.31
	step_env "$d/shared" "$d/artifacts" "$src/tests/fixtures/scenarios/guests.json" test_guest_linux
	sed "s/\"guest_vm_linux_user\":[[:space:]]*\"[^\"]*\"/\"guest_vm_linux_user\": \"$(id -un)\"/" \
		"$SIM_DIR/state/providers.json" >"$d/providers.json"
	export MTV_PROVIDERS_FILE=$d/providers.json MTV_SOURCE_PROVIDER=vsphere-guests
	for s in create-provider storagemap networkmap plan migrate; do
		"$bin/mtv-$s" >>"$d/setup.log" 2>&1 || die "mtv-$s failed before the guest bench: $(tail -3 "$d/setup.log")"
	done
	before=$(sim_total)
	MTV_GUEST_CHECKS=false measure "$d/check-off.log" "$bin/mtv-check-vms"
	after=$(sim_total)
	record guest "mtv-check-vms, guest checks off" wall_ms "$(ms "$M_wall_ns")"
	record guest "mtv-check-vms, guest checks off" requests $((after - before))
	before=$(sim_total)
	MTV_GUEST_CHECKS=true MTV_SSH_KEY_FILE=$GUEST_DIR/id_ed25519 MTV_SSH_RETRIES=1 \
		measure "$d/check-on.log" "$bin/mtv-check-vms"
	after=$(sim_total)
	record guest "mtv-check-vms, guest checks on" wall_ms "$(ms "$M_wall_ns")"
	record guest "mtv-check-vms, guest checks on" cpu_ms "$(ms "$M_cpu_ns")"
	record guest "mtv-check-vms, guest checks on" requests $((after - before))
	# what the step measured from the tunnel's open to the last command
	one=$(sed -n 's/.*VM mtv-guest-rhel9: guest checks over SSH in \([0-9.]*\) ms.*/\1/p' "$d/check-on.log" | tail -1)
	[ -n "$one" ] || die "mtv-check-vms logged no guest check time: $(tail -3 "$d/check-on.log")"
	record guest "one guest check (tunnel + login + 3 commands)" wall_ms "$one"
	one=$(sed -n 's/.*VM mtv-guest-rhel9: guest checks over SSH in .* (tunnel and login \([0-9.]*\) ms.*/\1/p' "$d/check-on.log" | tail -1)
	record guest "of which: tunnel and SSH login" wall_ms "${one:-0}"
	one=$(sed -n 's/.*VM mtv-guest-rhel9: guest checks over SSH in .*, [0-9]* commands \([0-9.]*\) ms).*/\1/p' "$d/check-on.log" | tail -1)
	record guest "of which: the 3 commands" wall_ms "${one:-0}"
	guest_stop "$GUEST_DIR"
	GUEST_DIR=
	step_env_clear
	unset MTV_PROVIDERS_FILE MTV_SOURCE_PROVIDER
	rm -rf "$d"
}
for ((r = 1; r <= GUEST_RUNS; r++)); do
	progress "guest: run $r/$GUEST_RUNS"
	guest_bench "$r"
done
sim_stop

# ---- 8: the sim's request cost at scale, two plans at once, the report ----
# Standalone harnesses, each printing one JSON object kept as is in
# results.json: sim-scale.sh (a DELETE and a selector LIST at 1 and 1000
# migrated VMs), concurrent-plans.sh (two Plans of N VMs at once against one
# after the other), report.sh (report.html of N VMs rendered alone).
extra() {	# extra NAME CMD...: run a harness, its JSON into $work/extra-NAME.json
	local name=$1
	shift
	progress "$name"
	MTV_BIN_DIR=$bin MTV_TEST_BIN_DIR=$tbin MTV_SRC_DIR=$src "$@" >"$work/extra-$name.json" 2>"$work/extra-$name.log" ||
		die "$name failed: $(tail -5 "$work/extra-$name.log")"
	"$bin/mtv-sim" json . <"$work/extra-$name.json" >/dev/null ||
		die "$name printed no JSON object: $(head -c 300 "$work/extra-$name.json")"
}
if [ "$smoke" = 1 ]; then
	SIM_SCALE_NS="1 10"
	# shellcheck disable=SC2086 # two numbers
	BENCH_SIM_RUNS=1 extra sim_scale "$src/tests/bench/sim-scale.sh" $SIM_SCALE_NS
	extra concurrent_plans "$src/tests/bench/concurrent-plans.sh" --n 2 --runs 1
	extra report "$src/tests/bench/report.sh" 10
else
	SIM_SCALE_NS="1 1000"
	# shellcheck disable=SC2086 # two numbers
	extra sim_scale "$src/tests/bench/sim-scale.sh" $SIM_SCALE_NS
	extra concurrent_plans "$src/tests/bench/concurrent-plans.sh" --n 10 --runs 3
	extra report "$src/tests/bench/report.sh" 1000
fi

# ---- aggregate: median, min, max per (section, key, metric) ----
# First-appearance order is kept so the table reads in workflow order.
awk -F'\t' -v OFS='\t' '{ k = $1 SUBSEP $2 SUBSEP $3; if (!(k in ord)) ord[k] = ++n; print ord[k], $1, $2, $3, $4 }' "$rec" |
	sort -t"$(printf '\t')" -k1,1n -k5,5g |
	awk -F'\t' -v OFS='\t' '
	function flush() {
		if (cnt == 0) return
		med = (cnt % 2) ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2
		print sec, key, met, med, v[1], v[cnt], cnt
		cnt = 0
	}
	$1 != cur { flush(); cur = $1; sec = $2; key = $3; met = $4 }
	{ v[++cnt] = $5 }
	END { flush() }' >"$work/stats.tsv"

median() {	# median SECTION KEY METRIC
	awk -F'\t' -v s="$1" -v k="$2" -v m="$3" '$1 == s && $2 == k && $3 == m { print $4; f = 1 } END { if (!f) print "null" }' "$work/stats.tsv"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "null" || b == "null" || b + 0 == 0) print "null"; else printf "%.2f", a / b }'; }

ratios='{'
sep=
for mode in kubectl curl; do
	lat_key=$([ "$mode" = kubectl ] && echo "kubectl wait" || echo "curl poll loop")
	ratios+="$sep\"$mode\": {\"wall\": $(ratio "$(median baselines "$mode" wall_ms)" "$(median baselines ours wall_ms)"),"
	ratios+=" \"cpu\": $(ratio "$(median baselines "$mode" cpu_ms)" "$(median baselines ours cpu_ms)"),"
	ratios+=" \"requests\": $(ratio "$(median baselines "$mode" requests)" "$(median baselines ours requests)"),"
	ratios+=" \"wait_latency\": $(ratio "$(median wait_latency "$lat_key" latency_ms)" "$(median wait_latency mtv-migrate latency_ms)")}"
	sep=', '
done
ratios+='}'

# Each step's CPU as a multiple of the floor's (medians).
floor_cpu=$(median floor tls_floor cpu_ms)
floor_ratios='{'
sep=
for s in $STEPS; do
	floor_ratios+="$sep\"mtv-$s\": $(ratio "$(median steps "mtv-$s" cpu_ms)" "$floor_cpu")"
	sep=', '
done
floor_ratios+='}'

elapsed=$(($(date +%s) - t0))
config=$(printf '{"smoke": %s, "sim_speed": 0, "step_runs": %d, "workflow_runs": %d, "baseline_runs": %d, "scale_ns": [%s], "scale_runs": %d, "scale_runs_n%d": %d, "elapsed_s": %d}' \
	"$([ "$smoke" = 1 ] && echo true || echo false)" "$STEP_RUNS" "$WF_RUNS" "$BASE_RUNS" \
	"${SCALE_NS// /,}" "$SCALE_RUNS" "$BIG_N" "$BIG_RUNS" "$elapsed")

# results.json: {machine, config, <section>: {<key>: {<metric>: {median,min,max,runs}}},
# scale: {<N>: {<step>: ...}}, ratios: {kubectl|curl: {wall,cpu,requests,wait_latency}}}
awk -F'\t' -v machine="$(machine)" -v config="$config" -v ratios="$ratios" -v floor_ratios="$floor_ratios" \
	-v sim_scale="$(tr -d '\n' <"$work/extra-sim_scale.json")" -v concurrent="$(tr -d '\n' <"$work/extra-concurrent_plans.json")" \
	-v report="$(tr -d '\n' <"$work/extra-report.json")" '
	function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
	{
		top = $1; sub_ = ""
		if (index(top, "/")) { sub_ = substr(top, index(top, "/") + 1); top = substr(top, 1, index(top, "/") - 1) }
		if (!(top in seen_top)) { seen_top[top] = 1; tops[++ntop] = top }
		g = top SUBSEP sub_
		if (!(g in seen_g)) { seen_g[g] = 1; gs[top, ++ng[top]] = sub_ }
		kk = g SUBSEP $2
		if (!(kk in seen_k)) { seen_k[kk] = 1; ks[g, ++nk[g]] = $2 }
		mm = kk SUBSEP $3
		if (!(mm in seen_m)) { seen_m[mm] = 1; ms[kk, ++nm[kk]] = $3 }
		val[mm] = sprintf("{\"median\": %s, \"min\": %s, \"max\": %s, \"runs\": %d}", $4 + 0, $5 + 0, $6 + 0, $7)
	}
	function keys(g, ind,   i, j, kk, s) {
		s = "{"
		for (i = 1; i <= nk[g]; i++) {
			kk = g SUBSEP ks[g, i]
			s = s (i > 1 ? "," : "") "\n" ind "  " q(ks[g, i]) ": {"
			for (j = 1; j <= nm[kk]; j++)
				s = s (j > 1 ? ", " : "") q(ms[kk, j]) ": " val[kk SUBSEP ms[kk, j]]
			s = s "}"
		}
		return s "\n" ind "}"
	}
	END {
		printf "{\n  \"machine\": %s,\n  \"config\": %s", machine, config
		for (t = 1; t <= ntop; t++) {
			top = tops[t]
			if (gs[top, 1] == "") { printf ",\n  %s: %s", q(top), keys(top SUBSEP "", "  "); continue }
			printf ",\n  %s: {", q(top)
			for (i = 1; i <= ng[top]; i++)
				printf "%s\n    %s: %s", (i > 1 ? "," : ""), q(gs[top, i]), keys(top SUBSEP gs[top, i], "    ")
			printf "\n  }"
		}
		printf ",\n  \"ratios\": %s,\n  \"cpu_vs_floor\": %s", ratios, floor_ratios
		printf ",\n  \"sim_scale\": %s,\n  \"concurrent_plans\": %s,\n  \"report\": %s\n}\n", sim_scale, concurrent, report
	}' "$work/stats.tsv" >"$out/results.json.tmp"
mv "$out/results.json.tmp" "$out/results.json"

# ---- the table (markdown, also kept as results.md) ----
{
	cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)
	echo "Machine: $(uname -m), ${cpu:-unknown CPU}, $(nproc) CPUs; mtv-sim --speed 0 on the same machine."
	echo "Each cell: median (min–max) over the runs; times in ms. $([ "$smoke" = 1 ] && echo "SMOKE RUN: one run each, not a measurement.")"
	echo
	awk -F'\t' -v step_runs="$STEP_RUNS" -v wf_runs="$WF_RUNS" -v base_runs="$BASE_RUNS" -v ratios="$ratios" '
	function cell(s, k, m,   x) {
		x = s SUBSEP k SUBSEP m
		if (!(x in med)) return "-"
		if (lo[x] == hi[x] || runs[x] == 1) return fmt(med[x], m)
		return fmt(med[x], m) " (" fmt(lo[x], m) "–" fmt(hi[x], m) ")"
	}
	function fmt(v, m) {
		if (m == "requests" || m == "vim25_calls") return (v == int(v)) ? sprintf("%d", v) : sprintf("%.1f", v)
		if (v >= 100) return sprintf("%.0f", v)
		return sprintf("%.1f", v)
	}
	{
		x = $1 SUBSEP $2 SUBSEP $3; med[x] = $4; lo[x] = $5; hi[x] = $6; runs[x] = $7
		if (!(($1, $2) in seenk)) { seenk[$1, $2] = 1; key[$1, ++nkey[$1]] = $2 }
		if (index($1, "scale/") == 1 && !($1 in seens)) { seens[$1] = 1; sc[++nsc] = substr($1, 7) }
		if ($1 ~ /^scale\// && !(($1, "r") in rr)) { rr[$1, "r"] = $7 }
	}
	END {
		printf "**Per step, cold sanity scenario** (test_sanity_cold_mtv_migration, 1 VM; %d runs)\n\n", step_runs
		print "| step | wall ms | CPU ms (user+sys) | CPU / floor | peak RSS MiB | API requests |"
		print "|---|---|---|---|---|---|"
		fl = "floor" SUBSEP "tls_floor" SUBSEP "cpu_ms"
		for (i = 1; i <= nkey["steps"]; i++) {
			k = key["steps", i]
			x = "steps" SUBSEP k SUBSEP "cpu_ms"
			printf "| %s | %s | %s | %s | %s | %s |\n", k, cell("steps", k, "wall_ms"), cell("steps", k, "cpu_ms"),
				((fl in med) && med[fl] > 0) ? sprintf("%.2f", med[x] / med[fl]) : "-",
				cell("steps", k, "peak_rss_mib"), cell("steps", k, "requests")
		}
		if (fl in med)
			printf "| floor: tls_floor (libcurl + OpenSSL init, one TLS GET) | %s | %s | 1 | %s | 1 |\n",
				cell("floor", "tls_floor", "wall_ms"), cell("floor", "tls_floor", "cpu_ms"), cell("floor", "tls_floor", "peak_rss_mib")
		printf "\n**Whole cold workflow through mtv-run** (%d runs): wall %s ms, CPU %s ms, %s API requests\n\n", wf_runs,
			cell("workflow", "mtv-run mtv-cold-migration", "wall_ms"), cell("workflow", "mtv-run mtv-cold-migration", "cpu_ms"),
			cell("workflow", "mtv-run mtv-cold-migration", "requests")
		print "**Wait latency**: Plan Succeeded (seen by a watch) to the waiter returning, ms\n"
		print "| waiter | latency ms |"
		print "|---|---|"
		for (i = 1; i <= nkey["wait_latency"]; i++) {
			k = key["wait_latency", i]
			printf "| %s | %s |\n", k, cell("wait_latency", k, "latency_ms")
		}
		print "\n**Scale**: one plan with N VMs (1 disk, 1 NIC each): wall ms / API requests per step\n"
		hdr = "| step |"; sepl = "|---|"
		for (j = 1; j <= nsc; j++) { hdr = hdr " N=" sc[j] " (" rr["scale/" sc[j], "r"] " runs) |"; sepl = sepl "---|" }
		print hdr; print sepl
		for (i = 1; i <= nkey["scale/" sc[1]]; i++) {
			k = key["scale/" sc[1], i]
			line = "| " k " |"
			for (j = 1; j <= nsc; j++) {
				s = "scale/" sc[j]
				line = line " " (((s SUBSEP k SUBSEP "wall_ms") in med) ? cell(s, k, "wall_ms") " / " cell(s, k, "requests") : "not run") " |"
			}
			print line
		}
		printf "\n**Baselines**: the same API work (create, wait Ready, wait Succeeded, read destination objects, delete namespace); ours = the steps above without gather (%d runs)\n\n", base_runs
		print "| tool | wall ms | CPU ms | API requests |"
		print "|---|---|---|---|"
		split("ours kubectl curl", tools, " ")
		for (i = 1; i <= 3; i++)
			printf "| %s | %s | %s | %s |\n", tools[i], cell("baselines", tools[i], "wall_ms"), cell("baselines", tools[i], "cpu_ms"), cell("baselines", tools[i], "requests")
		print "\nRatios to ours (baseline median / our median): " ratios
		if (nkey["guest"]) {
			print "\n**Guest checks** (mtv-check-vms on one migrated Linux VM, its VMI bridged by mtv-sim to a real sshd): wall ms / API requests\n"
			print "| what | wall ms | API requests |"
			print "|---|---|---|"
			for (i = 1; i <= nkey["guest"]; i++) {
				k = key["guest", i]
				printf "| %s | %s | %s |\n", k, cell("guest", k, "wall_ms"), cell("guest", k, "requests")
			}
		}
		if (nkey["prepare"]) {
			print "\n**mtv-prepare-vms against vcsim** (the vSphere simulator behind mtv-sim): cloning K VMs in one run\n"
			print "| K | wall ms | vim25 calls | per VM |"
			print "|---|---|---|---|"
			for (i = 1; i <= nkey["prepare"]; i++) {
				k = key["prepare", i]
				printf "| %s | %s | %s | %s |\n", substr(k, 3), cell("prepare", k, "wall_ms"), cell("prepare", k, "vim25_calls"), cell("prepare", k, "vim25_calls_per_vm")
			}
		}
	}' "$work/stats.tsv"
	echo
	xj() { "$bin/mtv-sim" json "$2" <"$work/extra-$1.json"; }	# xj NAME PATH
	lo=${SIM_SCALE_NS% *} hi=${SIM_SCALE_NS#* }
	echo "**mtv-sim's own cost per request** (a server-side time: curl total less the TLS handshake; ${lo} and ${hi} migrated VMs, each a VM, a DataVolume and a PVC; $(xj sim_scale runs) runs)"
	echo
	echo "| request | N=$lo | N=$hi |"
	echo "|---|---|---|"
	echo "| DELETE of a VM (its DataVolume and PVC collected) | $(xj sim_scale "sizes[\"$lo\"].delete_ms.median") ms | $(xj sim_scale "sizes[\"$hi\"].delete_ms.median") ms |"
	echo "| LIST of VMs by labelSelector | $(xj sim_scale "sizes[\"$lo\"].list_ms.median") ms | $(xj sim_scale "sizes[\"$hi\"].list_ms.median") ms |"
	echo
	echo "**Two Plans at once** (one session's scenario split by MTV_PLAN_COUNT=2, $(xj concurrent_plans vms_per_plan) VMs each, mtv-sim --speed $(xj concurrent_plans sim_speed); only mtv-migrate timed; $(xj concurrent_plans runs) runs): wall seconds"
	echo
	echo "| how | wall s (median, min–max) |"
	echo "|---|---|"
	for m in concurrent_one_process concurrent_two_processes sequential; do
		echo "| ${m//_/ } | $(xj concurrent_plans "wall_s.$m.median") ($(xj concurrent_plans "wall_s.$m.min")–$(xj concurrent_plans "wall_s.$m.max")) |"
	done
	echo
	echo "Sequential / concurrent: $(xj concurrent_plans sequential_over_concurrent.one_process) (one process following both), $(xj concurrent_plans sequential_over_concurrent.two_processes) (two mtv-migrate --plan processes)."
	echo
	echo "**report.html** of $(xj report report_vms) VMs rendered alone: $(xj report report_bytes) bytes, model $(xj report model_bytes) bytes, $(xj report render_ms) ms (median of 5)."
	echo
	echo "Elapsed: ${elapsed}s. Full figures: results.json."
} >"$out/results.md"
cat "$out/results.md"
progress "wrote $out/results.json and $out/results.md"
