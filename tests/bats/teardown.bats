#!/usr/bin/env bats
# mtv-teardown against mtv-sim: ordered deletion from the ledger, leftovers,
# skip, replay, sweep, interrupt.  Objects are made with kubectl and the
# ledger is written by hand, so these tests need no other step.

bats_require_minimum_version 1.5.0

setup_file() {
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start --speed 0
}

teardown_file() {
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_stop
}

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	SIM_DIR="$BATS_FILE_TMPDIR/sim"
	export KUBECONFIG="$SIM_DIR/kubeconfig"
	export SHARED_DIR="$BATS_TEST_TMPDIR/shared" ARTIFACT_DIR="$BATS_TEST_TMPDIR/artifacts"
	mkdir -p "$SHARED_DIR" "$ARTIFACT_DIR"
	export MTV_HTTP_RETRY_BASE_MS=10
	# One session and namespace per test, so tests cannot see each other.
	SESSION="auto-td$BATS_TEST_NUMBER"
	NS="$SESSION"
	BG_PID=
}

teardown() {
	local p
	for p in "$BG_PID" "${SLOW_SIM_PID:-}"; do
		[ -n "$p" ] || continue
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# A second sim running in real time (--speed 1), so a migration is still
# running when teardown looks; KUBECONFIG then points at it.
slow_sim_start() {
	local dir="$BATS_TEST_TMPDIR/slow-sim" i
	"$MTV_BIN_DIR/mtv-sim" --world "$MTV_SRC_DIR/tests/fixtures/worlds/default.json" \
		--state-dir "$dir" --port 0 --speed 1 >"$BATS_TEST_TMPDIR/slow-sim.log" 2>&1 3>&- &
	SLOW_SIM_PID=$!
	for i in $(seq 1 200); do
		[ -s "$dir/port" ] && break
		sleep 0.05
	done
	[ -s "$dir/port" ] || fail "slow sim did not start: $(cat "$BATS_TEST_TMPDIR/slow-sim.log")"
	export KUBECONFIG="$dir/kubeconfig"
}

labels() {
	printf '{"app.kubernetes.io/managed-by": "mtv-steps", "mtv-steps/session": "%s"}' "$SESSION"
}

# mk KIND NAME [extra YAML lines for the top level]: create NAME in $NS with our labels.
mk() {
	local kind=$1 name=$2 api
	shift 2
	case $kind in
	Namespace | Secret | ConfigMap | Pod | PersistentVolumeClaim) api=v1 ;;
	NetworkAttachmentDefinition) api=k8s.cni.cncf.io/v1 ;;
	VirtualMachine) api=kubevirt.io/v1 ;;
	DataVolume) api=cdi.kubevirt.io/v1beta1 ;;
	*) api=forklift.konveyor.io/v1beta1 ;;
	esac
	{
		echo "apiVersion: $api"
		echo "kind: $kind"
		echo "metadata:"
		echo "  name: $name"
		[ "$kind" = Namespace ] || echo "  namespace: $NS"
		echo "  labels: $(labels)"
		local l
		for l in "$@"; do echo "$l"; done
	} | kubectl create -f - >/dev/null
}

# ledger KIND:NAME ...: write $SHARED_DIR/mtv-resources.json (Namespace entries cluster-scoped).
ledger() {
	local e kind name api first=1
	declare -A seen=()
	{
		echo "{"
		for e in "$@"; do
			kind=${e%%:*}
			[ -n "${seen[$kind]:-}" ] && continue
			seen[$kind]=1
			[ $first = 1 ] || echo ","
			first=0
			echo "\"$kind\": ["
			local f n=0
			for f in "$@"; do
				[ "${f%%:*}" = "$kind" ] || continue
				name=${f#*:}
				case $kind in
				Namespace | Secret | ConfigMap | Pod | PersistentVolumeClaim) api=v1 ;;
				NetworkAttachmentDefinition) api=k8s.cni.cncf.io/v1 ;;
				VirtualMachine) api=kubevirt.io/v1 ;;
				*) api=forklift.konveyor.io/v1beta1 ;;
				esac
				[ $n = 0 ] || echo ","
				n=$((n + 1))
				if [ "$kind" = Namespace ]; then
					echo "{\"name\": \"$name\", \"apiVersion\": \"$api\", \"step\": \"test\"}"
				else
					echo "{\"name\": \"$name\", \"namespace\": \"$NS\", \"apiVersion\": \"$api\", \"step\": \"test\"}"
				fi
			done
			echo "]"
		done
		echo "}"
	} >"$SHARED_DIR/mtv-resources.json"
}

session_file() {
	printf '{"id": "%s", "targetNamespace": "%s", "baseName": "%s-source-vsphere", "mtvNamespace": "openshift-mtv", "sourceType": "vsphere"}\n' \
		"$SESSION" "$NS" "$SESSION" >"$SHARED_DIR/mtv-session.json"
}

gone() {
	run kubectl get "$@"
	assert_failure
	assert_output --partial NotFound
}

# Line number of the first stdout line matching $2 in $1.
line_of() {
	grep -n -- "$2" <<<"$1" | head -1 | cut -d: -f1
}

provider_spec=('spec: {type: openshift, url: ""}')
map_spec=('spec: {provider: {source: {name: src, namespace: x}, destination: {name: dst, namespace: x}}, map: []}')

@test "deletes every ledger object in the safe order, waits until gone, exits 0" {
	mk Namespace "$NS"
	mk Secret src-secret 'stringData: {password: s3cret-value}'
	mk Provider src "${provider_spec[@]}"
	mk Provider dst "${provider_spec[@]}"
	mk StorageMap smap "${map_spec[@]}"
	mk NetworkMap nmap "${map_spec[@]}"
	mk NetworkAttachmentDefinition nad1 'spec: {config: "{}"}'
	mk Plan plan1 "spec: {targetNamespace: $NS, vms: [{id: vm-1, name: vm1}]}"
	mk Migration plan1-mig "spec: {plan: {name: plan1, namespace: $NS}}"
	mk Hook hook1 'spec: {image: quay.io/kubev2v/hook-runner}'
	# Ledger order is creation order, which is not the safe deletion order.
	ledger Namespace:"$NS" Secret:src-secret Provider:src Provider:dst StorageMap:smap NetworkMap:nmap \
		NetworkAttachmentDefinition:nad1 Plan:plan1 Migration:plan1-mig Hook:hook1

	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	local m p pr s nad sm nm h n
	m=$(line_of "$output" "Migration $NS/plan1-mig deleted")
	p=$(line_of "$output" "Plan $NS/plan1 deleted")
	pr=$(line_of "$output" "Provider $NS/src deleted")
	s=$(line_of "$output" "Secret $NS/src-secret deleted")
	nad=$(line_of "$output" "NetworkAttachmentDefinition $NS/nad1 deleted")
	sm=$(line_of "$output" "StorageMap $NS/smap deleted")
	nm=$(line_of "$output" "NetworkMap $NS/nmap deleted")
	h=$(line_of "$output" "Hook $NS/hook1 deleted")
	n=$(line_of "$output" "Namespace $NS deleted")
	[ -n "$m" ] && [ -n "$n" ] || fail "missing lines in: $output"
	[ "$m" -lt "$p" ] && [ "$p" -lt "$pr" ] && [ "$pr" -lt "$s" ] && [ "$s" -lt "$nad" ] &&
		[ "$nad" -lt "$sm" ] && [ "$sm" -lt "$nm" ] && [ "$nm" -lt "$h" ] && [ "$h" -lt "$n" ] ||
		fail "wrong order: $output"
	gone ns "$NS"
	gone plans.forklift.konveyor.io plan1 -n "$NS"
	gone providers.forklift.konveyor.io src -n "$NS"
	# Nothing carrying the session label is left anywhere.
	run kubectl get namespaces -l "mtv-steps/session=$SESSION" -o name
	assert_output ""
	local kind
	for kind in secrets plans.forklift.konveyor.io migrations.forklift.konveyor.io \
		providers.forklift.konveyor.io storagemaps.forklift.konveyor.io networkmaps.forklift.konveyor.io \
		hooks.forklift.konveyor.io network-attachment-definitions virtualmachines datavolumes pods \
		persistentvolumeclaims; do
		run kubectl get "$kind" -A -l "mtv-steps/session=$SESSION" -o name
		assert_success
		assert_output ""
	done
	# The ledger is kept beside the results, and the JUnit has a case per kind.
	run jq -r '.Plan[0].name' "$ARTIFACT_DIR/resources.json"
	assert_output plan1
	run grep -c '<testcase name="delete ' "$ARTIFACT_DIR/junit_mtv_teardown.xml"
	assert_output 9
	run grep -c '<failure' "$ARTIFACT_DIR/junit_mtv_teardown.xml"
	assert_output 0
}

@test "objects already gone (a crash between ledger write and create) count as deleted" {
	ledger Namespace:"$NS" Plan:never-created Secret:never-created
	# A kind lib/kube does not know is found by its apiVersion.
	jq --arg ns "$NS" '. + {"Conversion": [{"name": "c1", "namespace": $ns, "apiVersion": "forklift.konveyor.io/v1beta1"}]}' \
		"$SHARED_DIR/mtv-resources.json" >"$BATS_TEST_TMPDIR/l.json"
	mv "$BATS_TEST_TMPDIR/l.json" "$SHARED_DIR/mtv-resources.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	assert_output --partial "Plan $NS/never-created already gone"
	assert_output --partial "Conversion $NS/c1 already gone"
	assert_output --partial "Namespace $NS already gone"
	refute_output --partial LEFTOVERS
	# -o json: one document with every object's fate.
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown" -o json
	assert_success
	run jq -r '.leftovers, ([.objects[] | select(.result == "gone")] | length), .objects[0].kind' <<<"$output"
	assert_output "$(printf '0\n4\nPlan')"
}

@test "an object whose finalizer never clears is a leftover: table, JUnit failure, exit 1" {
	mk Namespace "$NS"
	kubectl -n "$NS" create -f - >/dev/null <<-EOF
	apiVersion: v1
	kind: ConfigMap
	metadata: {name: held, namespace: $NS, labels: $(labels), finalizers: [example.com/hold]}
	EOF
	mk Secret fine 'stringData: {a: b}'
	ledger Namespace:"$NS" ConfigMap:held Secret:fine
	MTV_TEARDOWN_TIMEOUT=1 run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_failure 1
	assert_output --partial "Secret $NS/fine deleted"
	assert_output --partial "LEFTOVERS (2):"
	assert_line --regexp "^KIND +NAMESPACE +NAME +WHY$"
	assert_line --regexp "^ConfigMap +$NS +held +finalizer example.com/hold "
	# The namespace cannot finish while it still holds the ConfigMap.
	assert_line --regexp "^Namespace +- +$NS +finalizer kubernetes "
	[[ "$stderr" == *"2 objects are still there after teardown"* ]] || fail "stderr: $stderr"
	run grep -c '<failure message="finalizer example.com/hold' "$ARTIFACT_DIR/junit_mtv_teardown.xml"
	assert_output 1
	# Once the finalizer is released, a re-run converges.
	kubectl -n "$NS" patch configmap held --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	gone ns "$NS"
}

@test "MTV_SKIP_TEARDOWN keeps everything and writes the ledger; --resources replays it without SHARED_DIR" {
	mk Namespace "$NS"
	mk Plan plan1 "spec: {targetNamespace: $NS, vms: []}"
	mk Secret s1 'stringData: {a: b}'
	ledger Namespace:"$NS" Plan:plan1 Secret:s1
	MTV_SKIP_TEARDOWN=true run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	run kubectl get plans.forklift.konveyor.io plan1 -n "$NS" -o name
	assert_success
	run jq -S . "$ARTIFACT_DIR/resources.json"
	assert_output "$(jq -S . "$SHARED_DIR/mtv-resources.json")"
	grep -q '<skipped message="MTV_SKIP_TEARDOWN=true"' "$ARTIFACT_DIR/junit_mtv_teardown.xml"

	cp "$ARTIFACT_DIR/resources.json" "$BATS_TEST_TMPDIR/replay.json"
	rm -rf "$SHARED_DIR"
	mkdir "$BATS_TEST_TMPDIR/cwd"
	cd "$BATS_TEST_TMPDIR/cwd"
	SHARED_DIR= ARTIFACT_DIR= run --separate-stderr "$MTV_BIN_DIR/mtv-teardown" --resources "$BATS_TEST_TMPDIR/replay.json"
	assert_success
	assert_output --partial "Plan $NS/plan1 deleted"
	assert_output --partial "Namespace $NS deleted"
	gone ns "$NS"
}

@test "--resources: a missing or invalid file is bad input (exit 2) and nothing is deleted" {
	mk Namespace "$NS"
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown" --resources "$BATS_TEST_TMPDIR/nope.json"
	assert_failure 2
	[[ "$stderr" == *"nope.json"* ]] || fail "stderr: $stderr"
	printf '{"Namespace": [{"name": "%s"}],\n  oops}\n' "$NS" >"$BATS_TEST_TMPDIR/bad.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown" --resources "$BATS_TEST_TMPDIR/bad.json"
	assert_failure 2
	[[ "$stderr" == *"bad.json:2:"* ]] || fail "stderr: $stderr"
	printf '{"Namespace": {"name": "%s"}}\n' "$NS" >"$BATS_TEST_TMPDIR/shape.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown" --resources "$BATS_TEST_TMPDIR/shape.json"
	assert_failure 2
	[[ "$stderr" == *'"Namespace": expected array'* ]] || fail "stderr: $stderr"
	run kubectl get ns "$NS" -o name
	assert_success
	kubectl delete ns "$NS" >/dev/null
}

@test "a ledger entry naming an object someone else owns is left alone" {
	kubectl create ns "$NS" >/dev/null
	kubectl -n "$NS" create configmap theirs --from-literal=a=b >/dev/null
	ledger ConfigMap:theirs
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	[[ "$stderr" == *"ConfigMap $NS/theirs: not created by mtv-steps"* ]] || fail "stderr: $stderr"
	run kubectl -n "$NS" get configmap theirs -o name
	assert_success
	kubectl delete ns "$NS" >/dev/null
}

@test "destination objects labelled with the plan or the session are swept although not in the ledger" {
	session_file
	mk Namespace "$NS"
	mk Plan plan1 "spec: {targetNamespace: $NS-dest, vms: [{id: vm-1}]}"
	local uid
	uid=$(kubectl get plans.forklift.konveyor.io plan1 -n "$NS" -o jsonpath='{.metadata.uid}')
	kubectl create ns "$NS-dest" >/dev/null
	kubectl -n "$NS-dest" create -f - >/dev/null <<-EOF
	apiVersion: kubevirt.io/v1
	kind: VirtualMachine
	metadata: {name: vm1, namespace: $NS-dest, labels: {plan: "$uid", vmID: vm-1}}
	spec: {runStrategy: Halted, template: {spec: {domain: {devices: {}}}}}
	---
	apiVersion: v1
	kind: PersistentVolumeClaim
	metadata: {name: vm1-disk, namespace: $NS-dest, labels: {plan: "$uid"}}
	spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
	---
	apiVersion: v1
	kind: PersistentVolume
	metadata: {name: pv-$NS}
	spec:
	  capacity: {storage: 1Gi}
	  accessModes: [ReadWriteOnce]
	  persistentVolumeReclaimPolicy: Retain
	  hostPath: {path: /var/tmp/$NS}
	  claimRef: {namespace: $NS-dest, name: vm1-disk}
	---
	apiVersion: v1
	kind: PersistentVolumeClaim
	metadata: {name: unrelated, namespace: $NS-dest}
	spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
	EOF
	mk DataVolume dv-session 'spec: {source: {blank: {}}, storage: {resources: {requests: {storage: 1Gi}}}}'
	ledger Plan:plan1
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	assert_output --partial "VirtualMachine $NS-dest/vm1 deleted"
	assert_output --partial "PersistentVolumeClaim $NS-dest/vm1-disk deleted"
	assert_output --partial "DataVolume $NS/dv-session deleted"
	assert_output --partial "PersistentVolume pv-$NS deleted"
	gone vm vm1 -n "$NS-dest"
	run kubectl -n "$NS-dest" get pvc unrelated -o name
	assert_success
	kubectl delete ns "$NS" "$NS-dest" >/dev/null
}

# The session objects the steps would create, labelled as they label them,
# on the default world's vSphere provider; destination in $2.
session_objects() {
	local tns=$1
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: v1
	kind: Namespace
	metadata: {name: $NS, labels: $(labels)}
	---
	apiVersion: v1
	kind: Secret
	metadata: {name: vs-secret, namespace: $NS, labels: $(labels)}
	stringData: {user: administrator@vsphere.local, password: sim-vsphere-password, insecureSkipVerify: "true"}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: vs, namespace: $NS, labels: $(labels)}
	spec: {type: vsphere, url: "https://vcenter.sim.example/sdk", secret: {name: vs-secret, namespace: $NS}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: StorageMap
	metadata: {name: sm, namespace: $NS, labels: $(labels)}
	spec:
	  provider: {source: {name: vs, namespace: $NS}, destination: {name: host, namespace: openshift-mtv}}
	  map:
	  - {source: {id: datastore-2001}, destination: {storageClass: ocs-storagecluster-ceph-rbd}}
	  - {source: {name: mtv-vmfs-ds}, destination: {storageClass: ocs-storagecluster-ceph-rbd-virtualization}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: NetworkMap
	metadata: {name: nm, namespace: $NS, labels: $(labels)}
	spec:
	  provider: {source: {name: vs, namespace: $NS}, destination: {name: host, namespace: openshift-mtv}}
	  map:
	  - {source: {id: network-1001}, destination: {type: pod}}
	  - {source: {id: dvportgroup-1002}, destination: {type: multus, namespace: default, name: mtv-bridge}}
	EOF
	kubectl wait --for=condition=Ready provider/vs storagemap/sm networkmap/nm -n "$NS" --timeout=30s >/dev/null
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Plan
	metadata: {name: plan1, namespace: $NS, labels: $(labels)}
	spec:
	  targetNamespace: $tns
	  provider: {source: {name: vs, namespace: $NS}, destination: {name: host, namespace: openshift-mtv}}
	  map: {network: {name: nm, namespace: $NS}, storage: {name: sm, namespace: $NS}}
	  vms: [{name: mtv-tests-rhel8}]
	EOF
	kubectl wait --for=condition=Ready plan/plan1 -n "$NS" --timeout=30s >/dev/null
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Migration
	metadata: {name: plan1-run, namespace: $NS, labels: $(labels)}
	spec: {plan: {name: plan1, namespace: $NS}}
	EOF
	ledger Namespace:"$NS" Secret:vs-secret Provider:vs StorageMap:sm NetworkMap:nm Plan:plan1 Migration:plan1-run
}

@test "after a migration: the plan is archived, its destination objects are swept, nothing is left" {
	# A destination namespace the session did not create: only what the
	# plan made in it may go.
	kubectl create ns "$NS-target" >/dev/null
	kubectl -n "$NS-target" create configmap bystander --from-literal=a=b >/dev/null
	session_objects "$NS-target"
	kubectl wait --for=condition=Succeeded plan/plan1 -n "$NS" --timeout=60s >/dev/null
	run kubectl get vm,pvc,pods -n "$NS-target" -o name
	assert_output --partial virtualmachine.kubevirt.io/
	assert_output --partial persistentvolumeclaim/
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	[[ "$stderr" == *"archiving Plan $NS/plan1"* ]] || fail "stderr: $stderr"
	grep -q '<testcase name="archive Plan"' "$ARTIFACT_DIR/junit_mtv_teardown.xml"
	assert_output --partial "VirtualMachine $NS-target/"
	refute_output --partial LEFTOVERS
	run kubectl get vm,dv,pvc,pods -n "$NS-target" -o name
	assert_output ""
	run kubectl -n "$NS-target" get configmap bystander -o name
	assert_success
	gone ns "$NS"
	kubectl delete ns "$NS-target" >/dev/null
}

@test "an interrupted migration still running is canceled with the plan's VMs, then everything is removed" {
	slow_sim_start
	session_objects "$NS"
	kubectl wait --for=condition=Running migration/plan1-run -n "$NS" --timeout=60s >/dev/null
	MTV_TEARDOWN_TIMEOUT=60 run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	[[ "$stderr" == *"Migration $NS/plan1-run is still running: canceling its 1 VMs"* ]] || fail "stderr: $stderr"
	[[ "$stderr" == *"Migration $NS/plan1-run canceled"* ]] || fail "stderr: $stderr"
	grep -q '<testcase name="cancel running Migration"' "$ARTIFACT_DIR/junit_mtv_teardown.xml"
	refute_output --partial LEFTOVERS
	gone ns "$NS"
	run kubectl get vm,pods -A -l "plan" -o name
	assert_output ""
}

@test "MTV_TEARDOWN_MIGRATED_VMS_ONLY removes what the migration made and keeps the session" {
	session_objects "$NS"
	kubectl wait --for=condition=Succeeded plan/plan1 -n "$NS" --timeout=60s >/dev/null
	MTV_TEARDOWN_MIGRATED_VMS_ONLY=true run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	assert_output --partial "VirtualMachine $NS/mtv-tests-rhel8 deleted"
	refute_output --partial "Plan $NS/plan1"
	run kubectl get vm,pvc,dv -n "$NS" -o name
	assert_output ""
	run kubectl get plans.forklift.konveyor.io/plan1 providers.forklift.konveyor.io/vs secret/vs-secret -n "$NS" -o name
	assert_success
	# The full teardown still finds the rest.
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	gone ns "$NS"
}

@test "a generateName prefix in the ledger deletes the objects made from it; unknown kinds go by apiVersion" {
	mk Namespace "$NS"
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Migration
	metadata: {generateName: plan1-, namespace: $NS, labels: $(labels)}
	spec: {plan: {name: plan1, namespace: $NS}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Migration
	metadata: {name: other-mig, namespace: $NS, labels: $(labels)}
	spec: {plan: {name: other, namespace: $NS}}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: OVAProviderServer
	metadata: {name: ova1, namespace: $NS, labels: $(labels)}
	spec: {}
	EOF
	local generated
	generated=$(kubectl -n "$NS" get migrations.forklift.konveyor.io -o name | grep /plan1-)
	ledger Migration:plan1-
	jq --arg ns "$NS" '. + {"OVAProviderServer": [{"name": "ova1", "namespace": $ns, "apiVersion": "forklift.konveyor.io/v1beta1"}]}' \
		"$SHARED_DIR/mtv-resources.json" >"$BATS_TEST_TMPDIR/l.json"
	mv "$BATS_TEST_TMPDIR/l.json" "$SHARED_DIR/mtv-resources.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	assert_output --partial "Migration $NS/${generated#*/} deleted"
	assert_output --partial "OVAProviderServer $NS/ova1 deleted"
	gone -n "$NS" "$generated"
	run kubectl -n "$NS" get migrations.forklift.konveyor.io other-mig -o name
	assert_success
	kubectl delete ns "$NS" >/dev/null
}

@test "--dry-run prints the deletion order and deletes nothing" {
	mk Namespace "$NS"
	mk Secret s1 'stringData: {a: b}'
	ledger Namespace:"$NS" Secret:s1 Migration:m1
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown" --dry-run
	assert_success
	assert_line --index 0 "Migration $NS/m1 would be deleted"
	assert_line --index 1 "Secret $NS/s1 would be deleted"
	assert_line --index 2 "Namespace $NS would be deleted"
	run kubectl get secret s1 -n "$NS" -o name
	assert_success
	kubectl delete ns "$NS" >/dev/null
}

@test "SIGTERM while waiting for a stuck object exits 143 and leaves SHARED_DIR intact" {
	mk Namespace "$NS"
	kubectl -n "$NS" create -f - >/dev/null <<-EOF
	apiVersion: v1
	kind: ConfigMap
	metadata: {name: held, namespace: $NS, labels: $(labels), finalizers: [example.com/hold]}
	EOF
	ledger Namespace:"$NS" ConfigMap:held
	cp "$SHARED_DIR/mtv-resources.json" "$BATS_TEST_TMPDIR/before.json"
	MTV_TEARDOWN_TIMEOUT=600 "$MTV_BIN_DIR/mtv-teardown" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	BG_PID=$!
	sim_until_log() { grep -q "deleting ConfigMap $NS/held" "$BATS_TEST_TMPDIR/err"; }
	local i
	for i in $(seq 1 400); do sim_until_log && break; sleep 0.05; done
	sim_until_log || fail "teardown never started waiting: $(cat "$BATS_TEST_TMPDIR/err")"
	kill -TERM "$BG_PID"
	local rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=
	[ "$rc" = 143 ] || fail "exit $rc, stderr: $(cat "$BATS_TEST_TMPDIR/err")"
	cmp "$SHARED_DIR/mtv-resources.json" "$BATS_TEST_TMPDIR/before.json"
	[ -s "$ARTIFACT_DIR/junit_mtv_teardown.xml" ]
	kubectl -n "$NS" patch configmap held --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null
	kubectl delete ns "$NS" >/dev/null
}

@test "--help lists the parameters with their defaults" {
	run "$MTV_BIN_DIR/mtv-teardown" --help
	assert_success
	assert_output --partial "MTV_TEARDOWN_TIMEOUT"
	assert_output --partial "[default: 300]"
	assert_output --partial "MTV_SKIP_TEARDOWN"
	assert_output --partial "--resources=VALUE"
}

@test "--help and the registry ref declare the same MTV_ parameters; the README is current" {
	run "$MTV_BIN_DIR/mtv-teardown" --help
	local help_env ref_env
	help_env=$( (echo "$output" | sed -n 's/^      \(MTV_[A-Z0-9_]*\).*/\1/p'; echo MTV_LOG_LEVEL) | sort -u)
	ref_env=$(sed -n 's/^  - name: \(MTV_[A-Z0-9_]*\)$/\1/p' "$MTV_SRC_DIR/steps/teardown/mtv-teardown-ref.yaml" | sort -u)
	assert_equal "$help_env" "$ref_env"
	[[ "$(cat "$MTV_SRC_DIR/steps/teardown/README.md")" == *"$output"* ]] || fail "steps/teardown/README.md is out of date"
}
