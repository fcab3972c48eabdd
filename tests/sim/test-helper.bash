# Shared by tests/bats/sim-*.bats: start and stop one mtv-sim per file.
#
#   sim_start [mtv-sim flags...]   start with --port 0 in $BATS_FILE_TMPDIR/sim
#                                  (world: $SIM_WORLD, else the default world),
#                                  wait for the port file, export KUBECONFIG
#   sim_start_checked [flags...]   the same, validating Forklift objects against
#                                  the real CRDs when $MTV_SHARED_REF has them
#   sim_attach                     in setup(): point the test at the file's sim
#   sim_stop                       SIGTERM it and reap it
#   sim_curl PATH [curl args...]   authenticated curl against the sim

SIM_DIR=
SIM_PID=

sim_start() {
	SIM_DIR="$BATS_FILE_TMPDIR/sim"
	rm -rf "$SIM_DIR"
	"$MTV_BIN_DIR/mtv-sim" --world "${SIM_WORLD:-$MTV_SRC_DIR/tests/fixtures/worlds/default.json}" \
		--state-dir "$SIM_DIR" --port 0 "$@" >"$BATS_FILE_TMPDIR/sim.log" 2>&1 3>&- &
	SIM_PID=$!
	echo "$SIM_PID" >"$BATS_FILE_TMPDIR/sim.pid"
	local i
	for i in $(seq 1 200); do
		[ -s "$SIM_DIR/port" ] && break
		if ! kill -0 "$SIM_PID" 2>/dev/null; then
			cat "$BATS_FILE_TMPDIR/sim.log" >&2
			return 1
		fi
		sleep 0.05
	done
	[ -s "$SIM_DIR/port" ] || { cat "$BATS_FILE_TMPDIR/sim.log" >&2; return 1; }
	export KUBECONFIG="$SIM_DIR/kubeconfig"
	SIM_URL="https://127.0.0.1:$(cat "$SIM_DIR/port")"
	export SIM_URL SIM_DIR
}

sim_start_checked() {
	if [ -d "${MTV_SHARED_REF:-}/forklift-crds" ]; then
		sim_start "$@" --crd-dir "$MTV_SHARED_REF/forklift-crds"
	else
		sim_start "$@"
	fi
}

sim_attach() {
	SIM_DIR="$BATS_FILE_TMPDIR/sim"
	SIM_URL="https://127.0.0.1:$(cat "$SIM_DIR/port")"
	export KUBECONFIG="$SIM_DIR/kubeconfig" SIM_URL SIM_DIR
}

sim_stop() {
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/sim.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$BATS_FILE_TMPDIR/sim.pid"
}

sim_curl() {
	local path=$1
	shift
	curl -sS --cacert "$SIM_DIR/ca.crt" -H "Authorization: Bearer $(cat "$SIM_DIR/token")" "$@" "$SIM_URL$path"
}

# Poll a command until it succeeds; the cap only keeps a broken sim from
# hanging the suite.
sim_until() {
	local i
	for i in $(seq 1 600); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	"$@"
}

crds_or_skip() {
	[ -d "${MTV_SHARED_REF:-}/forklift-crds" ] ||
		skip "no Forklift CRDs at \$MTV_SHARED_REF/forklift-crds (${MTV_SHARED_REF:-unset})"
}

# sim_vsphere_setup NS: namespace, Secret, vSphere Provider "vs", StorageMap "sm"
# and NetworkMap "nm" for the default world's vSphere provider.
sim_vsphere_setup() {
	local ns=$1
	kubectl apply -f - >/dev/null <<-YAML
	apiVersion: v1
	kind: Namespace
	metadata: {name: $ns}
	---
	apiVersion: v1
	kind: Secret
	metadata: {name: vs-secret, namespace: $ns}
	stringData: {user: administrator@vsphere.local, password: sim-vsphere-password, insecureSkipVerify: "true"}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: vs, namespace: $ns}
	spec:
	  type: vsphere
	  url: "https://vcenter.sim.example/sdk"
	  secret: {name: vs-secret, namespace: $ns}
	  settings: {vddkInitImage: quay.io/mtv-sim/vddk:8.0.3}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: StorageMap
	metadata: {name: sm, namespace: $ns}
	spec:
	  provider: {source: {name: vs, namespace: $ns}, destination: {name: host, namespace: openshift-mtv}}
	  map:
	  - {source: {id: datastore-2001}, destination: {storageClass: ocs-storagecluster-ceph-rbd}}
	  - {source: {name: mtv-vmfs-ds}, destination: {storageClass: ocs-storagecluster-ceph-rbd-virtualization}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: NetworkMap
	metadata: {name: nm, namespace: $ns}
	spec:
	  provider: {source: {name: vs, namespace: $ns}, destination: {name: host, namespace: openshift-mtv}}
	  map:
	  - {source: {id: network-1001}, destination: {type: pod}}
	  - {source: {id: dvportgroup-1002}, destination: {type: multus, namespace: default, name: mtv-bridge}}
	YAML
	kubectl wait --for=condition=Ready provider/vs storagemap/sm networkmap/nm -n "$ns" --timeout=30s >/dev/null
}

# sim_plan NS NAME TARGETNS VM-YAML-LIST [EXTRA-SPEC-YAML]: a Plan on "vs" with the maps above.
sim_plan() {
	local ns=$1 name=$2 tns=$3 vms=$4 extra=${5:-}
	kubectl apply -f - >/dev/null <<-YAML
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Plan
	metadata: {name: $name, namespace: $ns}
	spec:
	  targetNamespace: $tns
	  provider: {source: {name: vs, namespace: $ns}, destination: {name: host, namespace: openshift-mtv}}
	  map: {network: {name: nm, namespace: $ns}, storage: {name: sm, namespace: $ns}}
	  vms: $vms
	  $extra
	YAML
}

sim_migrate() {
	local ns=$1 plan=$2 name=${3:-$2-m}
	kubectl apply -f - >/dev/null <<-YAML
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Migration
	metadata: {name: $name, namespace: $ns}
	spec: {plan: {name: $plan, namespace: $ns}}
	YAML
}

# sim_json EXPR...: the values EXPR selects in the JSON on stdin (mtv-sim json)
sim_json() {
	"$MTV_BIN_DIR/mtv-sim" json "$@"
}

# sim_stop_checked: SIGTERM the file's sim, wait until it is gone, and fail
# when its log shows a crash or a sanitizer report (leaks included).
sim_stop_checked() {
	local pid i
	pid=$(cat "$BATS_FILE_TMPDIR/sim.pid")
	kill -TERM "$pid"
	for i in $(seq 1 600); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	! kill -0 "$pid" 2>/dev/null || { echo "mtv-sim did not stop on SIGTERM" >&2; return 1; }
	rm -f "$BATS_FILE_TMPDIR/sim.pid"
	if grep -E 'Sanitizer|runtime error|Segmentation|Aborted' "$BATS_FILE_TMPDIR/sim.log" >&2; then
		return 1
	fi
	grep -q 'got SIGTERM, stopping' "$BATS_FILE_TMPDIR/sim.log"
}
