#!/bin/bash
# make soak: run the cold and warm workflows through mtv-run, N times,
# against one mtv-sim that injects API faults, and account for every run.
#
#   SOAK_RUNS=100       runs in all, the workflows taking turns
#   SOAK_WORKFLOWS="mtv-cold-migration mtv-warm-migration"
#   SOAK_FAULTS=...     mtv-sim --faults (default below: the "default rates")
#   SOAK_SEED=1         mtv-sim --seed, so a soak can be replayed
#   SOAK_OUT=DIR        where each run's mtv-run tree and the report go
#                       (default build/soak)
#
# After each run it asks the sim (over /sim/, which faults never touch)
# what is left with the run's session label, in its namespace, or with its
# Plan's label, and which objects were created more than once.  A failed
# run is classified by the exit code of the step that failed first: 3 is
# the cluster's fault surfaced after retries, as the step contract says;
# anything else is ours (a product bug).  Prints the table and writes it to
# $SOAK_OUT/soak.md, with every run in $SOAK_OUT/soak.json, and searches
# every file the runs wrote for the secrets of the run (secrets.bash).
# Exits 1 when anything leaked, was duplicated, failed for a reason that is
# ours, or a secret was found.
set -u
: "${MTV_BIN_DIR:?run through make soak}" "${MTV_SRC_DIR:?run through make soak}"
runs=${SOAK_RUNS:-100}
read -r -a workflows <<<"${SOAK_WORKFLOWS:-mtv-cold-migration mtv-warm-migration}"
faults=${SOAK_FAULTS:-500=0.02,503=0.02,429=0.02,drop=0.02,watchcut=4,latency=2}
seed=${SOAK_SEED:-1}
out=${SOAK_OUT:-$MTV_SRC_DIR/build/soak}
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$out"
mkdir -p "$out/runs" "$out/profile"
# shellcheck source=tests/soak/sim.bash
source "$here/sim.bash"
harness_sim_start soak "$out" --seed "$seed" --faults "$faults"
cp "$out/sim/providers.json" "$out/profile/.providers.json"

echo "soak: $runs runs of ${workflows[*]}, faults $faults, seed $seed"
for i in $(seq 1 "$runs"); do
	wf=${workflows[$(((i - 1) % ${#workflows[@]}))]}
	dir="$out/runs/$i"
	"$here/sim-snapshot" "$out/sim" >"$out/runs/$i.before.json"
	start=$(date +%s.%N)
	PATH="$MTV_BIN_DIR:$PATH" "$MTV_BIN_DIR/mtv-run" --repo "$MTV_SRC_DIR" --out "$dir" \
		--kubeconfig "$out/sim/kubeconfig" --cluster-profile-dir "$out/profile" \
		--env MTV_SOURCE_PROVIDER=vsphere-8.0.3 --env MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd \
		--env MTV_PREPARE_VMS=false --env MTV_GUEST_CHECKS=false workflow "$wf" \
		>"$dir.stdout" 2>"$dir.stderr"
	rc=$?
	end=$(date +%s.%N)
	"$here/sim-snapshot" "$out/sim" >"$out/runs/$i.after.json"
	"$here/soak-account" run "$i" "$wf" "$rc" "$start" "$end" "$dir" \
		"$out/runs/$i.before.json" "$out/runs/$i.after.json" >>"$out/soak.jsonl"
	printf '.' >&2
done
echo >&2
"$here/sim-snapshot" "$out/sim" >"$out/final.json"
"$here/soak-account" report "$out/soak.jsonl" "$out/soak.json" "$out/soak.md" "$faults" "$seed" "$out/final.json"
rc=$?
# and no secret in anything the runs wrote (tests/bats/secrets.bash)
export SIM_DIR="$out/sim"
# shellcheck source=tests/bats/secrets.bash
source "$MTV_SRC_DIR/tests/bats/secrets.bash"
secrets_collect "$out/sim/providers.json"
secrets_audit "$out/runs" || rc=1
exit $rc
