#!/bin/bash
# make demo: a cold migration, end to end, against mtv-sim.
#
# Starts mtv-sim with the default world on a random port, runs the
# mtv-cold-migration workflow through mtv-run exactly as ci-operator would
# (the providers file arrives as a credential in CLUSTER_PROFILE_DIR), prints
# a summary and stops the sim.  Usage: tools/demo.sh BIN_DIR [OUT_DIR]
set -euo pipefail

bin=$(cd "$1" && pwd)
out=${2:-.mtv/demo}
speed=${MTV_DEMO_SPEED:-240}
src=$(cd "$(dirname "$0")/.." && pwd)

rm -rf "$out"
mkdir -p "$out/sim" "$out/profile"
out=$(cd "$out" && pwd)

crd_args=()
[ -d "$src/../shared/forklift-crds" ] && crd_args=(--crd-dir "$src/../shared/forklift-crds")
"$bin/mtv-sim" --world "$src/tests/fixtures/worlds/default.json" --state-dir "$out/sim" \
	--port 0 --speed "$speed" "${crd_args[@]}" >"$out/sim.log" 2>&1 &
sim=$!
trap 'kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	[ -s "$out/sim/port" ] && break
	kill -0 "$sim" 2>/dev/null || { echo "demo: mtv-sim did not start:" >&2; cat "$out/sim.log" >&2; exit 3; }
	sleep 0.1
done
[ -s "$out/sim/port" ] || { echo "demo: mtv-sim did not publish its port" >&2; exit 3; }
cp "$out/sim/providers.json" "$out/profile/.providers.json"

echo "mtv-sim on https://127.0.0.1:$(cat "$out/sim/port") (speed ${speed}x, world tests/fixtures/worlds/default.json)"
echo "running workflow mtv-cold-migration: scenario test_sanity_cold_mtv_migration, vSphere source"
echo

rc=0
PATH="$bin:$PATH" "$bin/mtv-run" --repo "$src" --out "$out/run" \
	--kubeconfig "$out/sim/kubeconfig" --cluster-profile-dir "$out/profile" \
	--env MTV_SOURCE_PROVIDER=vsphere-8.0.3 \
	--env MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd-virtualization \
	--env MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY=true \
	workflow mtv-cold-migration || rc=$?

echo
echo "summary:"
printf '  %-22s %-8s %s\n' STEP RESULT SECONDS
for f in "$out"/run/artifacts/mtv-cold-migration/*/finished.json; do
	[ -f "$f" ] || continue
	step=$(basename "$(dirname "$f")")
	result=$(sed -n 's/.*"result": *"\([A-Z]*\)".*/\1/p' "$f")
	started=$(stat -c %Y "$(dirname "$f")/build-log.txt")
	finished=$(stat -c %Y "$f")
	printf '  %-22s %-8s %s\n' "$step" "$result" "$((finished - started))"
done
echo
echo "artifacts: $out/run/artifacts (junit_operator.xml, one directory per step)"
[ -f "$out/run/shared/mtv-migration.json" ] && echo "migration: $(sed -n 's/.*"result": *"\([A-Za-z]*\)".*/\1/p' "$out/run/shared/mtv-migration.json" | head -1)"
exit "$rc"
