#!/bin/bash
# baseline.sh kubectl|curl SIMDIR NS WORKDIR
#
# The API work of the cold sanity workflow done the way a user would do it by
# hand, against the mtv-sim in SIMDIR, in namespace NS:
#   1. Namespace, Secret, source vSphere Provider, destination OpenShift
#      Provider; wait until both are Ready
#   2. StorageMap and NetworkMap (datastore-2001 -> ocs-storagecluster-ceph-rbd,
#      network-1001 -> pod); wait until Ready
#   3. Plan for vm-4001 (mtv-tests-rhel8); wait until Ready
#   4. Migration; wait until the Plan is Succeeded
#   5. read the destination VMs, VMIs, DataVolumes and PVCs as JSON
#   6. delete the namespace and wait until it is gone
# kubectl: `kubectl create -f`, `kubectl wait --for=condition=...`,
# `kubectl get -o json`, `kubectl delete namespace` (its discovery cache in
# WORKDIR/kube-cache, kept between runs as a user's would be).
# curl: one POST per object, then a loop of GETs every 50 ms until the
# condition shows (grep on the JSON, as a shell user would).
#
# Wait latency: BENCH_PROBE (bench_probe) watches the Plan; the moment the
# wait for Succeeded returns is compared with the moment the Plan became
# Succeeded, and the difference (ms) is written to WORKDIR/latency_ms.
set -euo pipefail

mode=$1 simdir=$2 ns=$3 work=$4
bin=${MTV_BIN_DIR:?}
probe=${BENCH_PROBE:?}
port=$(cat "$simdir/port")
url="https://127.0.0.1:$port"
token=$(cat "$simdir/token")
timeout=120
pjson() { "$bin/mtv-sim" json "$@" <"$simdir/providers.json"; }
user=$(pjson '["vsphere-8.0.3"].username')
password=$(pjson '["vsphere-8.0.3"].password')
# The provider's CA, fetched before any timing as a user would have it at
# hand: the Secret carries it and the connection test verifies the endpoint,
# the same work the steps' default path makes the cluster do.
fqdn=$(pjson '["vsphere-8.0.3"].fqdn')
cacert=$(openssl s_client -connect "$fqdn" -showcerts </dev/null 2>/dev/null |
	sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' | awk '{printf "%s\\n", $0}')
[ -n "$cacert" ] || { echo "baseline: no certificate from $fqdn" >&2; exit 3; }
fk=forklift.konveyor.io/v1beta1
mkdir -p "$work/objs"

# ---- the objects, as JSON (both kubectl and the API take it) ----
obj() { printf '%s\n' "$2" >"$work/objs/$1.json"; }
ref() { printf '{"name": "%s", "namespace": "%s"}' "$1" "$ns"; }
pair="\"provider\": {\"source\": $(ref src), \"destination\": $(ref dst)}"
obj namespace "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"$ns\"}}"
obj secret "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"src\", \"namespace\": \"$ns\"},
 \"stringData\": {\"user\": \"$user\", \"password\": \"$password\", \"cacert\": \"$cacert\"}}"
obj src "{\"apiVersion\": \"$fk\", \"kind\": \"Provider\", \"metadata\": {\"name\": \"src\", \"namespace\": \"$ns\"},
 \"spec\": {\"type\": \"vsphere\", \"url\": \"https://vcenter.sim.example/sdk\", \"secret\": $(ref src)}}"
obj dst "{\"apiVersion\": \"$fk\", \"kind\": \"Provider\", \"metadata\": {\"name\": \"dst\", \"namespace\": \"$ns\"},
 \"spec\": {\"type\": \"openshift\", \"url\": \"\", \"secret\": {}}}"
obj sm "{\"apiVersion\": \"$fk\", \"kind\": \"StorageMap\", \"metadata\": {\"name\": \"sm\", \"namespace\": \"$ns\"},
 \"spec\": {$pair, \"map\": [{\"source\": {\"id\": \"datastore-2001\"}, \"destination\": {\"storageClass\": \"ocs-storagecluster-ceph-rbd\"}}]}}"
obj nm "{\"apiVersion\": \"$fk\", \"kind\": \"NetworkMap\", \"metadata\": {\"name\": \"nm\", \"namespace\": \"$ns\"},
 \"spec\": {$pair, \"map\": [{\"source\": {\"id\": \"network-1001\"}, \"destination\": {\"type\": \"pod\"}}]}}"
obj plan "{\"apiVersion\": \"$fk\", \"kind\": \"Plan\", \"metadata\": {\"name\": \"plan\", \"namespace\": \"$ns\"},
 \"spec\": {$pair, \"targetNamespace\": \"$ns\", \"map\": {\"storage\": $(ref sm), \"network\": $(ref nm)},
  \"warm\": false, \"vms\": [{\"id\": \"vm-4001\"}]}}"
obj migration "{\"apiVersion\": \"$fk\", \"kind\": \"Migration\", \"metadata\": {\"name\": \"plan-m\", \"namespace\": \"$ns\"},
 \"spec\": {\"plan\": $(ref plan)}}"

# ---- plan watch for the wait latency ----
watcher=
start_watcher() {
	rm -f "$work/watch.ready" "$work/succeeded_ns"
	"$probe" watch-plan "$simdir" "$ns" "$work/watch.ready" >"$work/succeeded_ns" 2>"$work/watch.err" 3>&- &
	watcher=$!
	for _ in $(seq 1 1000); do
		[ -e "$work/watch.ready" ] && return 0
		kill -0 "$watcher" 2>/dev/null || break
		sleep 0.01
	done
	echo "baseline: the Plan watch did not start: $(cat "$work/watch.err")" >&2
	return 3
}
trap '[ -z "$watcher" ] || kill "$watcher" 2>/dev/null || true' EXIT

# latency EXIT_NS: the wait returned at EXIT_NS (CLOCK_REALTIME ns)
latency() {
	wait "$watcher"
	watcher=
	awk -v a="$1" -v b="$(cat "$work/succeeded_ns")" 'BEGIN { printf "%.3f\n", (a - b) / 1e6 }' >"$work/latency_ms"
}

# ---- kubectl ----
kc() { kubectl --kubeconfig "$simdir/kubeconfig" --cache-dir "$work/../kube-cache" "$@"; }
run_kubectl() {
	local o=$work/objs
	kc create -f "$o/namespace.json" -f "$o/secret.json" -f "$o/src.json" -f "$o/dst.json" >/dev/null
	kc wait -n "$ns" --for=condition=Ready provider/src provider/dst --timeout=${timeout}s >/dev/null
	kc create -f "$o/sm.json" -f "$o/nm.json" >/dev/null
	kc wait -n "$ns" --for=condition=Ready storagemap/sm networkmap/nm --timeout=${timeout}s >/dev/null
	kc create -f "$o/plan.json" >/dev/null
	kc wait -n "$ns" --for=condition=Ready plan/plan --timeout=${timeout}s >/dev/null
	start_watcher
	kc create -f "$o/migration.json" >/dev/null
	rm -f "$work/wait.rec"
	"$probe" run "$work/wait.rec" -- kubectl --kubeconfig "$simdir/kubeconfig" --cache-dir "$work/../kube-cache" \
		wait -n "$ns" --for=condition=Succeeded plan/plan --timeout=${timeout}s >/dev/null
	latency "$(sed -n 's/.*exit_ns=\([0-9]*\).*/\1/p' "$work/wait.rec")"
	kc get -n "$ns" virtualmachines,virtualmachineinstances,datavolumes,persistentvolumeclaims -o json >"$work/dest.json"
	kc delete namespace "$ns" --wait=true --timeout=${timeout}s >/dev/null
}

# ---- curl ----
api() {
	curl -sS --fail-with-body --cacert "$simdir/ca.crt" -H "Authorization: Bearer $token" "$@"
}
post() {	# post PATH FILE
	api -X POST -H 'Content-Type: application/json' --data-binary "@$2" "$url$1" >/dev/null
}
# until_cond PATH TYPE: GET PATH every 50 ms until condition TYPE is True
until_cond() {
	for _ in $(seq 1 $((timeout * 20))); do
		if api "$url$1" | grep -q "\"type\":[[:space:]]*\"$2\",[[:space:]]*\"status\":[[:space:]]*\"True\""; then
			return 0
		fi
		sleep 0.05
	done
	echo "baseline curl: $1 never got condition $2" >&2
	return 4
}
run_curl() {
	local o=$work/objs f=/apis/$fk/namespaces/$ns gone=
	post /api/v1/namespaces "$o/namespace.json"
	post "/api/v1/namespaces/$ns/secrets" "$o/secret.json"
	post "$f/providers" "$o/src.json"
	post "$f/providers" "$o/dst.json"
	until_cond "$f/providers/src" Ready
	until_cond "$f/providers/dst" Ready
	post "$f/storagemaps" "$o/sm.json"
	post "$f/networkmaps" "$o/nm.json"
	until_cond "$f/storagemaps/sm" Ready
	until_cond "$f/networkmaps/nm" Ready
	post "$f/plans" "$o/plan.json"
	until_cond "$f/plans/plan" Ready
	start_watcher
	post "$f/migrations" "$o/migration.json"
	until_cond "$f/plans/plan" Succeeded
	local done_us=${EPOCHREALTIME/./}
	latency "${done_us}000"
	for r in /apis/kubevirt.io/v1/namespaces/$ns/virtualmachines \
		/apis/kubevirt.io/v1/namespaces/$ns/virtualmachineinstances \
		/apis/cdi.kubevirt.io/v1beta1/namespaces/$ns/datavolumes \
		/api/v1/namespaces/$ns/persistentvolumeclaims; do
		api "$url$r" >>"$work/dest.json"
	done
	api -X DELETE "$url/api/v1/namespaces/$ns" >/dev/null
	for _ in $(seq 1 $((timeout * 20))); do
		if [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$simdir/ca.crt" \
			-H "Authorization: Bearer $token" "$url/api/v1/namespaces/$ns")" = 404 ]; then
			gone=1
			break
		fi
		sleep 0.05
	done
	[ -n "$gone" ] || { echo "baseline curl: namespace $ns was never deleted" >&2; return 4; }
}

case $mode in
kubectl) run_kubectl ;;
curl) run_curl ;;
*) echo "usage: baseline.sh kubectl|curl SIMDIR NS WORKDIR" >&2; exit 2 ;;
esac
