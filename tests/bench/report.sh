#!/bin/bash
# tests/bench/report.sh [N]: report.html of one Plan with N VMs (default 1000;
# 1 in 200 failed at DiskTransferV2v), rendered by lib/report alone (no
# cluster: the renderer's own cost).  Prints one JSON object: the page's
# and the saved model's bytes, and the render's wall time (median of 5, ms).
set -euo pipefail

src=${MTV_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
prog=${MTV_TEST_BIN_DIR:-$src/build/tests}/progs/report_render
n=${1:-1000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$n" >"$tmp/plans.json" <<'PY'
import json, sys
n = int(sys.argv[1])
steps = ["Initialize", "PreflightInspection", "DiskAllocation", "DiskTransferV2v", "ImageConversion",
         "VirtualMachineCreation"]
def ts(s):
    return "2026-01-01T%02d:%02d:%02dZ" % (s // 3600, s // 60 % 60, s % 60)
vms = []
for i in range(n):
    t, pipe, failed = i, [], i % 200 == 7
    for s in steps:
        d = 10 + i % 97
        st = {"name": s, "phase": "Completed", "started": ts(t), "completed": ts(t + d),
              "progress": {"completed": 100, "total": 100}}
        t += d
        pipe.append(st)
        if failed and s == "DiskTransferV2v":
            st["error"] = {"phase": "CopyDisksVirtV2V", "reasons": ["disk copy exploded"]}
            break
    vms.append({"id": "vm-%d" % i, "name": "vm-%04d" % i, "phase": "Completed", "started": ts(i),
                "completed": ts(t), "pipeline": pipe})
print(json.dumps([{"metadata": {"name": "bench", "namespace": "ns"},
                   "spec": {"provider": {"source": {"name": "s"}, "destination": {"name": "d"}}},
                   "status": {"conditions": [{"type": "Failed", "status": "True"}],
                              "migration": {"vms": vms}}}]))
PY
times=()
for _ in 1 2 3 4 5; do
	t0=$(date +%s%N)
	"$prog" "$tmp/plans.json" >"$tmp/report.html"
	t1=$(date +%s%N)
	times+=($(((t1 - t0) / 1000000)))
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
"$prog" --model "$tmp/plans.json" >"$tmp/model.json"
printf '{"report_vms": %d, "report_bytes": %d, "model_bytes": %d, "render_ms": %d, "render_ms_min": %d, "render_ms_max": %d}\n' \
	"$n" "$(stat -c %s "$tmp/report.html")" "$(stat -c %s "$tmp/model.json")" "$median" \
	"$(printf '%s\n' "${times[@]}" | sort -n | head -1)" "$(printf '%s\n' "${times[@]}" | sort -n | tail -1)"
