#!/bin/bash
# Interrupt anywhere: SIGTERM each step of the cold workflow at random
# points, then run that step again and the rest of the workflow, and check
# that the run converges and teardown leaves nothing.
#
#   INTERRUPT_POINTS=50   points per step
#   INTERRUPT_STEPS="create-provider ... teardown"   (default: all nine)
#   INTERRUPT_SEED=1      the random points, so a run can be replayed
#   INTERRUPT_OUT=DIR     default build/interrupt
#
# A point is one I/O system call of the step (a send to the API server, a
# write to a log or state file, an open, a rename): strace -e inject
# delivers SIGTERM at it, so the signal lands between any two requests and
# in the middle of writing SHARED_DIR, deterministically.  The points are
# drawn from the N calls the step made in a clean run, after the dynamic
# loader's (interrupting ld.so tests nothing of ours).  Per point: the exit code
# (143 expected), the time from the signal to the exit (strace's own
# timestamps), whether every SHARED_DIR file is still whole JSON, whether
# the re-run and the rest of the workflow succeeded, and what was left on
# the cluster or created twice.  Prints the table and writes
# $INTERRUPT_OUT/interrupt.md and interrupt.json; exits 1 on any failed
# point or a latency over 1 s.
set -u
: "${MTV_BIN_DIR:?run through make soak}" "${MTV_SRC_DIR:?run through make soak}"
points=${INTERRUPT_POINTS:-50}
read -r -a steps <<<"${INTERRUPT_STEPS:-create-provider prepare-vms storagemap networkmap plan migrate check-vms gather teardown}"
seed=${INTERRUPT_SEED:-1}
out=${INTERRUPT_OUT:-$MTV_SRC_DIR/build/interrupt}
here=$(cd "$(dirname "$0")" && pwd)
workflow=(create-provider prepare-vms storagemap networkmap plan migrate check-vms gather teardown)
syscalls=sendto,sendmsg,write,writev,openat,rename,renameat,renameat2

# LeakSanitizer cannot work under a tracer (it stops the process's threads
# with ptrace itself): a SANITIZE=1 build keeps ASan and UBSan here.
no_lsan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
command -v strace >/dev/null || { echo "interrupt: strace is needed" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
# shellcheck source=tests/soak/sim.bash
source "$here/sim.bash"
harness_sim_start interrupt "$out"

export KUBECONFIG="$out/sim/kubeconfig" MTV_PROVIDERS_FILE="$out/sim/providers.json"
export MTV_SOURCE_PROVIDER=vsphere-8.0.3 MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd MTV_PREPARE_VMS=false MTV_GUEST_CHECKS=false
export MTV_PROVIDER_READY_TIMEOUT=60 MTV_INVENTORY_TIMEOUT=60 MTV_PLAN_READY_TIMEOUT=60 MTV_PLAN_WAIT_TIMEOUT=120

# fresh DIR: a new SHARED_DIR and ARTIFACT_DIR for one session
fresh() {
	rm -rf "$1"
	mkdir -p "$1/shared" "$1/artifacts"
	export SHARED_DIR="$1/shared" ARTIFACT_DIR="$1/artifacts"
}

# run_step STEP LOG: one step, its stderr appended to LOG
run_step() {
	"$MTV_BIN_DIR/mtv-$1" >/dev/null 2>>"$2"
}

# traced TRACE SYSCALL K STEP: the step, with SIGTERM delivered at the K-th
# SYSCALL; its stderr (and bash's "Terminated" when the signal killed it
# before its handler was installed) go to this function's stderr.
traced() {
	ASAN_OPTIONS=$no_lsan strace -f -q -ttt -e trace="$syscalls" -e inject="$2:signal=TERM:when=$3" -o "$1" \
		"$MTV_BIN_DIR/mtv-$4" >/dev/null
}

# Calibrate: how many traced calls each step makes in a clean workflow.
fresh "$out/calibrate"
declare -A calls
for s in "${workflow[@]}"; do
	ASAN_OPTIONS=$no_lsan strace -f -q -e trace="$syscalls" -o "$out/calibrate/$s.trace" "$MTV_BIN_DIR/mtv-$s" \
		>/dev/null 2>>"$out/calibrate/log" || { echo "interrupt: clean mtv-$s failed" >&2; cat "$out/calibrate/log" >&2; exit 3; }
	"$here/interrupt-account" points "$out/calibrate/$s.trace" >"$out/calibrate/$s.points"
	calls[$s]=$(wc -l <"$out/calibrate/$s.points")
done

RANDOM=$seed
: >"$out/points.jsonl"
echo "interrupt: $points points per step: ${steps[*]}"
for s in "${steps[@]}"; do
	n=${calls[$s]}
	for p in $(seq 1 "$points"); do
		# the point: a random one of the step's own calls, as "the
		# k-th call of this syscall" (strace counts each syscall apart)
		read -r sc k < <(sed -n "$(((RANDOM * 32768 + RANDOM) % n + 1))p" "$out/calibrate/$s.points")
		dir="$out/$s/$p"
		fresh "$dir"
		log="$dir/log"
		"$here/sim-snapshot" "$out/sim" >"$dir/before.json"
		prior_ok=1
		for t in "${workflow[@]}"; do
			[ "$t" = "$s" ] && break
			run_step "$t" "$log" || { prior_ok=0; break; }
		done
		rc=-1 rerun=-1 rest=0 whole=1
		if [ "$prior_ok" = 1 ]; then
			traced "$dir/strace" "$sc" "$k" "$s" 2>>"$log"
			rc=$?
			# SHARED_DIR must hold whole files only, whatever the moment
			for f in "$SHARED_DIR"/*.json; do
				[ -e "$f" ] || continue
				python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" 2>/dev/null || whole=0
			done
			run_step "$s" "$log"
			rerun=$?
			after=0
			for t in "${workflow[@]}"; do
				if [ "$after" = 1 ]; then
					run_step "$t" "$log" || rest=$((rest + 1))
				fi
				[ "$t" = "$s" ] && after=1
			done
			# an interrupted teardown was finished by its re-run
		fi
		"$here/sim-snapshot" "$out/sim" >"$dir/after.json"
		"$here/interrupt-account" point "$s" "$p" "$sc:$k" "$n" "$prior_ok" "$rc" "$whole" "$rerun" "$rest" \
			"$dir/strace" "$dir/before.json" "$dir/after.json" >>"$out/points.jsonl"
		printf '.' >&2
	done
done
echo >&2
"$here/interrupt-account" report "$out/points.jsonl" "$out/interrupt.json" "$out/interrupt.md"
