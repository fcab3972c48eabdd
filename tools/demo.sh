#!/bin/bash
# make demo: a cold migration, end to end, against mtv-sim.
#
# Starts mtv-sim on a random port, runs the mtv-cold-migration workflow
# through mtv-run exactly as ci-operator would (the providers file arrives as
# a credential in CLUSTER_PROFILE_DIR), prints a summary and stops the sim.
# When vcsim is built ($MTV_VCSIM, make's build/vcsim/vcsim) the source is
# VMware's simulator, seeded from tests/fixtures/worlds/vcsim.json and
# collected by the sim over vim25; otherwise the default world's simulated
# vSphere.  It says which.  Usage: tools/demo.sh BIN_DIR [OUT_DIR]
set -euo pipefail

bin=$(cd "$1" && pwd)
out=${2:-.mtv/demo}
speed=${MTV_DEMO_SPEED:-20}
src=$(cd "$(dirname "$0")/.." && pwd)

rm -rf "$out"
mkdir -p "$out/sim" "$out/profile"
out=$(cd "$out" && pwd)

crd_args=()
[ -d "$src/../shared/forklift-crds" ] && crd_args=(--crd-dir "$src/../shared/forklift-crds")
vcsim_pid=
# The demo's VMs (simulated, or vcsim's) have no guest OS to log into: no
# sshd answers behind their port-forward, so check-vms' SSH checks are off
# here (tests/bats/e2e-guest.bats runs them against real sshd guests).
prepare_env=(--env MTV_GUEST_CHECKS=false)
if [ -x "${MTV_VCSIM:-}" ]; then
	world=tests/fixtures/worlds/vcsim.json
	provider=vsphere-vcsim
	source "$src/tests/vcsim/vcsim.bash"
	export MTV_BIN_DIR="$bin" MTV_SHARED_REF="$src/../shared" VCSIM_SIM_BASE="$out"
	trap 'vcsim_sim_stop' EXIT
	if ! vcsim_sim_start "$src/$world" --speed "$speed" >"$out/start.log" 2>&1; then
		echo "demo: vcsim or mtv-sim did not start:" >&2
		cat "$out/start.log" >&2
		exit 3
	fi
	sim=$SIM_PID
	vcsim_pid=$VCSIM_PID
	source_desc="vCenter simulated by vcsim (govmomi) at $VCSIM_URL, seeded from $world"
else
	world=tests/fixtures/worlds/default.json
	provider=vsphere-8.0.3
	echo "demo: vcsim is not built ($(cat "${MTV_VCSIM:-vcsim}.unavailable" 2>/dev/null || echo "run make vcsim")): using the default world's simulated vSphere"
	"$bin/mtv-sim" --world "$src/$world" --state-dir "$out/sim" \
		--port 0 --speed "$speed" "${crd_args[@]}" >"$out/sim.log" 2>&1 &
	sim=$!
	trap 'kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true' EXIT
	for _ in $(seq 100); do
		[ -s "$out/sim/port" ] && break
		kill -0 "$sim" 2>/dev/null || { echo "demo: mtv-sim did not start:" >&2; cat "$out/sim.log" >&2; exit 3; }
		sleep 0.1
	done
	[ -s "$out/sim/port" ] || { echo "demo: mtv-sim did not publish its port" >&2; exit 3; }
	source_desc="vSphere simulated by mtv-sim ($world)"
	# the simulated vSphere speaks no vim25: mtv-prepare-vms leaves its VMs
	# as they are (against vcsim it clones them)
	prepare_env+=(--env MTV_PREPARE_VMS=false)
fi
cp "$out/sim/providers.json" "$out/profile/.providers.json"

echo "mtv-sim on https://127.0.0.1:$(cat "$out/sim/port") (speed ${speed}x, world $world)"
echo "source: $source_desc"
echo "running workflow mtv-cold-migration: scenario test_sanity_cold_mtv_migration, source provider $provider"
echo

# mtv-run keeps each step's output in its build-log.txt, as ci-operator
# does; follow those logs so the migration's progress shows as it happens.
follow_logs() {
	local seen=" " f
	while :; do
		for f in "$out"/run/artifacts/mtv-cold-migration/*/build-log.txt; do
			[ -f "$f" ] || continue
			case "$seen" in *" $f "*) continue ;; esac
			seen="$seen$f "
			tail -n +1 -F "$f" 2>/dev/null | sed -u 's/^/      | /' &
		done
		sleep 0.2
	done
}
follow_logs 2>/dev/null &
follower=$!
disown "$follower"
trap 'pkill -P "$follower" 2>/dev/null || true; kill "$follower" "$sim" $vcsim_pid 2>/dev/null || true; wait "$sim" $vcsim_pid 2>/dev/null || true' EXIT

rc=0
PATH="$bin:$PATH" "$bin/mtv-run" --repo "$src" --out "$out/run" \
	--kubeconfig "$out/sim/kubeconfig" --cluster-profile-dir "$out/profile" \
	--env MTV_SOURCE_PROVIDER="$provider" \
	--env MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd-virtualization "${prepare_env[@]}" \
	workflow mtv-cold-migration || rc=$?

sleep 0.5	# let the log follower print the last lines
pkill -P "$follower" 2>/dev/null || true
kill "$follower" 2>/dev/null || true
wait "$follower" 2>/dev/null || true

echo
echo "summary (from $out/run/artifacts/junit_operator.xml):"
printf '  %-26s %-8s %8s\n' STEP RESULT SECONDS
for step in create-provider prepare-vms storagemap networkmap plan migrate check-vms gather teardown; do
	line=$(grep -o "<testcase name=\"Run multi-stage test mtv-cold-migration - mtv-cold-migration-mtv-$step container test\" classname=\"step graph\" time=\"[0-9.]*\"/\?>" \
		"$out/run/artifacts/junit_operator.xml" || true)
	if [ -z "$line" ]; then
		printf '  %-26s %-8s %8s\n' "mtv-$step" "not run" "-"
		continue
	fi
	secs=$(echo "$line" | sed 's/.*time="\([0-9.]*\)".*/\1/')
	case "$line" in */\>) result=passed ;; *) result=FAILED ;; esac
	printf '  %-26s %-8s %8s\n' "mtv-$step" "$result" "$secs"
done
echo
if [ -f "$out/run/shared/mtv-migration.json" ]; then
	echo "migration result: $(sed -n 's/.*"result":[[:space:]]*"\([A-Za-z]*\)".*/\1/p' "$out/run/shared/mtv-migration.json" | head -1)"
fi
echo "artifacts: $out/run/artifacts (junit_operator.xml; per step build-log.txt, finished.json, artifacts/)"
# the last report written: teardown's (with its leftovers), else gather's
report=$(find "$out/run/artifacts" -name report.html -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -1 | cut -d' ' -f2-)
echo "report: ${report:-none was written}"
exit "$rc"
