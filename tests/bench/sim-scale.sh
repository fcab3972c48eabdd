#!/bin/bash
# tests/bench/sim-scale.sh [N...]: the cost of one mtv-sim request as the
# store grows (issue 17).  For each N (default "1 1000") a fresh bin/mtv-sim
# (--speed 0, random port) is filled with N "migrated VMs" in namespace
# bench, each a VirtualMachine, a DataVolume owned by it and a PVC owned by
# the DataVolume (ownerReferences as CDI and Forklift set them), the
# objects a real migration leaves behind.  Then, RUNS times (BENCH_SIM_RUNS,
# default 7):
#   delete  DELETE of one VirtualMachine while the sim holds N of them (a
#           probe VM with its DataVolume and PVC, created just before; the
#           sim collects the dependents in the same request)
#   list    GET of the VirtualMachines with labelSelector=vmID=<one VM>
# timed by curl as time_total - time_appconnect (the server's own
# time plus a loopback round trip, no TLS handshake).  Prints one JSON
# object: {"runs":R,"sizes":{"1":{"objects":..,"delete_ms":{median,min,max},
# "list_ms":{...}},"1000":{...}},"delete_ratio":<median at max N / at min N>}.
# Needs curl and jq.  Environment: MTV_BIN_DIR (default <src>/bin).
set -euo pipefail

src=${MTV_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${MTV_BIN_DIR:-$src/bin}
runs=${BENCH_SIM_RUNS:-7}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 1000)

for c in curl jq; do
	command -v $c >/dev/null || { echo "sim-scale: $c not on PATH" >&2; exit 3; }
done
[ -x "$bin/mtv-sim" ] || { echo "sim-scale: $bin/mtv-sim missing; run make first" >&2; exit 3; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mtv-sim-scale.XXXXXX")
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
	echo "sim-scale: $*" >&2
	exit 1
}

sim_start() {
	local d=$work/sim
	rm -rf "$d"
	mkdir -p "$d"
	bench_sim_start "$d/state" "$src/tests/fixtures/worlds/default.json" --speed 0
	base=https://127.0.0.1:$(cat "$d/state/port")
	# the token stays in files under $work (0700), never on a command line
	printf 'header = "Authorization: Bearer %s"\ncacert = "%s"\n' \
		"$(cat "$d/state/token")" "$d/state/ca.crt" >"$work/auth.cfg"
}

api() { # METHOD PATH [BODY]: one request, the body on stdout
	local args=(-sS --fail -K "$work/auth.cfg" -X "$1")
	[ $# -lt 3 ] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
	curl "${args[@]}" "$base$2"
}

vm_path=/apis/kubevirt.io/v1/namespaces/bench/virtualmachines
dv_path=/apis/cdi.kubevirt.io/v1beta1/namespaces/bench/datavolumes
pvc_path=/api/v1/namespaces/bench/persistentvolumeclaims

vm_body() {
	printf '{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"%s","labels":{"app":"bench","vmID":"%s"}},"spec":{"runStrategy":"Halted","template":{"spec":{}}}}' "$1" "$1"
}

owner() { # KIND APIVERSION NAME UID
	printf '"ownerReferences":[{"apiVersion":"%s","kind":"%s","name":"%s","uid":"%s","controller":true,"blockOwnerDeletion":true}]' "$2" "$1" "$3" "$4"
}

dv_body() { # NAME VMNAME VMUID
	printf '{"apiVersion":"cdi.kubevirt.io/v1beta1","kind":"DataVolume","metadata":{"name":"%s","labels":{"app":"bench","vmID":"%s"},%s},"spec":{"storage":{"resources":{"requests":{"storage":"10Gi"}}}}}' \
		"$1" "$2" "$(owner VirtualMachine kubevirt.io/v1 "$2" "$3")"
}

pvc_body() { # NAME VMNAME DVNAME DVUID
	printf '{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"%s","labels":{"app":"bench","vmID":"%s"},%s},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"10Gi"}}}}' \
		"$1" "$2" "$(owner DataVolume cdi.kubevirt.io/v1beta1 "$3" "$4")"
}

# bulk PATH: POST every body of stdin (one a line) over one connection;
# prints "name uid" per created object.
bulk() {
	local cfg=$work/bulk.cfg line sep=''
	: >"$cfg"
	while IFS= read -r line; do
		line=${line//\\/\\\\}
		{
			printf '%s' "$sep"
			cat "$work/auth.cfg"
			printf 'url = "%s%s"\nrequest = "POST"\nheader = "Content-Type: application/json"\ndata-binary = "%s"\nsilent\nshow-error\nfail\n' \
				"$base" "$1" "${line//\"/\\\"}"
		} >>"$cfg"
		sep=$'next\n'
	done
	curl -K "$cfg" | jq -r '.metadata.name + " " + .metadata.uid'
}

# populate N: N-1 migrated VMs (the probe of each run is the N-th)
populate() {
	local n=$1 i
	api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench"}}' >/dev/null
	[ "$n" -gt 1 ] || return 0
	for ((i = 1; i < n; i++)); do vm_body "$(printf 'bench-vm-%04d' "$i")"; echo; done |
		bulk "$vm_path" >"$work/vms"
	while read -r name uid; do dv_body "$name-disk-0" "$name" "$uid"; echo; done <"$work/vms" |
		bulk "$dv_path" >"$work/dvs"
	while read -r name uid; do pvc_body "$name" "${name%-disk-0}" "$name" "$uid"; echo; done <"$work/dvs" |
		bulk "$pvc_path" >/dev/null
}

# server time of one request, ms
timed() { # METHOD PATH
	curl -sS --fail -K "$work/auth.cfg" -X "$1" -o /dev/null \
		-w '%{time_appconnect} %{time_total}\n' "$base$2" |
		awk '{ printf "%.3f\n", ($2 - $1) * 1000 }'
}

stats() { # values on stdin -> {"median":..,"min":..,"max":..}
	sort -n | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "{\"median\":%.3f,\"min\":%.3f,\"max\":%.3f}", m, v[1], v[NR] }'
}

json_sizes=''
first_del='' last_del=''
for n in "${sizes[@]}"; do
	echo "sim-scale: N=$n" >&2
	sim_start
	populate "$n"
	: >"$work/del" ; : >"$work/list"
	for ((r = 1; r <= runs; r++)); do
		p=probe-$r
		uid=$(api POST "$vm_path" "$(vm_body "$p")" | jq -r .metadata.uid)
		uid=$(api POST "$dv_path" "$(dv_body "$p-disk-0" "$p" "$uid")" | jq -r .metadata.uid)
		api POST "$pvc_path" "$(pvc_body "$p" "$p" "$p-disk-0" "$uid")" >/dev/null
		objects=$(api GET /sim/objects | jq length)
		timed GET "$vm_path?labelSelector=vmID%3D$p" >>"$work/list"
		timed DELETE "$vm_path/$p" >>"$work/del"
		# the dependents went with it (a benchmark of a broken GC is no benchmark)
		left=$(api GET "$pvc_path?labelSelector=vmID%3D$p" | jq '.items | length')
		[ "$left" = 0 ] || die "N=$n: the PVC of $p outlived its VM"
	done
	bench_sim_stop
	d=$(stats <"$work/del") l=$(stats <"$work/list")
	med=$(jq -n "$d.median")
	[ -n "$first_del" ] || first_del=$med
	last_del=$med
	json_sizes+="${json_sizes:+,}\"$n\":{\"objects\":$objects,\"delete_ms\":$d,\"list_ms\":$l}"
done
ratio=$(awk -v a="$first_del" -v b="$last_del" 'BEGIN { printf "%.2f", (a > 0) ? b / a : 0 }')
printf '{"runs":%d,"sizes":{%s},"delete_ratio":%s}\n' "$runs" "$json_sizes" "$ratio"
