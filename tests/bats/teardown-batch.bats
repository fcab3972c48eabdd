#!/usr/bin/env bats
# mtv-teardown against mtv-sim: the destination objects selected by label
# (plan=<uid>, mtv-steps/session=<id>) go a kind at a time, by one list, one
# deletecollection, a list of what is left and a watch while anything is, so
# the number of API requests does not depend on the number of VMs.  The objects are made with kubectl and the
# ledger and state files are written by hand.

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
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_attach
	export MTV_HTTP_RETRY_BASE_MS=10
	use_session "auto-tb$BATS_TEST_NUMBER"
}

# use_session ID: a fresh SHARED_DIR/ARTIFACT_DIR for session ID, namespace ID
use_session() {
	SESSION=$1 NS=$1
	export SHARED_DIR="$BATS_TEST_TMPDIR/$1/shared" ARTIFACT_DIR="$BATS_TEST_TMPDIR/$1/artifacts"
	mkdir -p "$SHARED_DIR" "$ARTIFACT_DIR"
	printf '{"id": "%s", "targetNamespace": "%s", "baseName": "%s-source-vsphere", "mtvNamespace": "openshift-mtv", "sourceType": "vsphere"}\n' \
		"$SESSION" "$NS" "$SESSION" >"$SHARED_DIR/mtv-session.json"
}

labels() {
	printf '{"app.kubernetes.io/managed-by": "mtv-steps", "mtv-steps/session": "%s"}' "$SESSION"
}

# session_plan: the session's namespace (not in the ledger: a test may keep
# things in it) with a Plan targeting it, in the ledger; PLAN_UID its uid
session_plan() {
	kubectl create ns "$NS" >/dev/null
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Plan
	metadata: {name: plan1, namespace: $NS, labels: $(labels)}
	spec: {targetNamespace: $NS, vms: [{id: vm-1}]}
	EOF
	PLAN_UID=$(kubectl get plans.forklift.konveyor.io plan1 -n "$NS" -o jsonpath='{.metadata.uid}')
	printf '{"Plan": [{"name": "plan1", "namespace": "%s", "apiVersion": "forklift.konveyor.io/v1beta1", "step": "plan"}]}\n' \
		"$NS" >"$SHARED_DIR/mtv-resources.json"
}

# dest_objects UID N [FIRST]: what Forklift makes for N VMs of plan UID in
# $NS: a VirtualMachine, a DataVolume and a PVC each; and a pod labelled
# with the session (one labelled with the plan would race with the sim's
# archive, which deletes those as Forklift does)
dest_objects() {
	local uid=$1 n=$2 i
	for ((i = ${3:-1}; i < ${3:-1} + n; i++)); do
		cat <<-EOF
		---
		apiVersion: kubevirt.io/v1
		kind: VirtualMachine
		metadata: {name: vm$i, namespace: $NS, labels: {plan: "$uid", vmID: vm-$i}}
		spec: {runStrategy: Halted, template: {spec: {domain: {devices: {}}}}}
		---
		apiVersion: cdi.kubevirt.io/v1beta1
		kind: DataVolume
		metadata: {name: vm$i-dv, namespace: $NS, labels: {plan: "$uid", vmID: vm-$i}}
		spec: {source: {blank: {}}, storage: {resources: {requests: {storage: 1Gi}}}}
		---
		apiVersion: v1
		kind: PersistentVolumeClaim
		metadata: {name: vm$i-pvc, namespace: $NS, labels: {plan: "$uid", vmID: vm-$i}}
		spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
		---
		apiVersion: v1
		kind: Pod
		metadata: {name: vm$i-conv, namespace: $NS, labels: {mtv-steps/session: "$SESSION", vmID: vm-$i}}
		spec: {containers: [{name: c, image: quay.io/kubev2v/virt-v2v}]}
		EOF
	done | kubectl create -f - >/dev/null
}

teardown() {
	if [ -n "${CUT_SIM_PID:-}" ]; then
		kill "$CUT_SIM_PID" 2>/dev/null || true
		wait "$CUT_SIM_PID" 2>/dev/null || true
	fi
}

stats() { sim_curl /sim/stats; }

# left_in_ns: the VMs, DVs, PVCs and pods still in $NS
left_in_ns() { kubectl get vm,dv,pvc,pods -n "$NS" -o name; }

@test "N VMs go with the same number of requests as one: a deletecollection and a list (a watch while they linger) per kind" {
	local n counts=() dc=()
	for n in 1 12; do
		use_session "auto-tb${BATS_TEST_NUMBER}n$n"
		session_plan
		dest_objects "$PLAN_UID" "$n"
		local before after
		before=$(stats)
		run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
		after=$(stats)
		assert_success
		assert_output --partial "VirtualMachine $NS/vm$n deleted"
		assert_output --partial "Pod $NS/vm$n-conv deleted"
		refute_output --partial LEFTOVERS
		run left_in_ns
		assert_output ""
		counts+=($(($(jq .total <<<"$after") - $(jq .total <<<"$before"))))
		# one deletecollection per kind that held something, and no DELETE
		# of a VM, DataVolume, PVC or pod one by one
		dc+=("$(jq -n -r --argjson a "$after" --argjson b "$before" '
			[("virtualmachines", "datavolumes", "persistentvolumeclaims", "pods") as $k
			 | "\($k)=\(($a.requests.deletecollection[$k] // 0) - ($b.requests.deletecollection[$k] // 0))/\(($a.requests.delete[$k] // 0) - ($b.requests.delete[$k] // 0))"]
			| join(" ")')")
		kubectl delete ns "$NS" >/dev/null
	done
	[ "${counts[0]}" -gt 0 ] || fail "no requests counted"
	assert_equal "${counts[1]}" "${counts[0]}"
	assert_equal "${dc[0]}" "virtualmachines=1/0 datavolumes=1/0 persistentvolumeclaims=1/0 pods=1/0"
	assert_equal "${dc[1]}" "${dc[0]}"
}

@test "an object under our plan's label that another session labelled is left alone; the rest goes" {
	session_plan
	dest_objects "$PLAN_UID" 3
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: kubevirt.io/v1
	kind: VirtualMachine
	metadata: {name: theirs, namespace: $NS, labels: {plan: "$PLAN_UID", mtv-steps/session: auto-other}}
	spec: {runStrategy: Halted, template: {spec: {domain: {devices: {}}}}}
	EOF
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown" -o json
	assert_success
	[[ "$stderr" == *"VirtualMachine $NS/theirs: belongs to another session; not deleting it"* ]] || fail "stderr: $stderr"
	run jq -r '[.objects[] | select(.kind == "VirtualMachine") | "\(.name) \(.result)"] | sort | .[]' <<<"$output"
	assert_output "$(printf '%s\n' 'theirs skipped' 'vm1 deleted' 'vm2 deleted' 'vm3 deleted')"
	run kubectl get vm -n "$NS" -o name
	assert_output "virtualmachine.kubevirt.io/theirs"
	grep -q "<testcase name=\"VirtualMachine $NS/theirs\"" "$ARTIFACT_DIR/junit_mtv_teardown.xml"
	grep -q '<skipped message="belongs to another session"' "$ARTIFACT_DIR/junit_mtv_teardown.xml"
	kubectl delete ns "$NS" >/dev/null
}

@test "RBAC allowing delete but not deletecollection: each object is deleted by itself, nothing is left" {
	session_plan
	dest_objects "$PLAN_UID" 3
	kubectl create serviceaccount cleaner -n "$NS" >/dev/null
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: rbac.authorization.k8s.io/v1
	kind: ClusterRole
	metadata: {name: $NS-no-deletecollection}
	rules:
	- {apiGroups: ["*"], resources: ["*"], verbs: [get, list, watch, create, update, patch, delete]}
	---
	apiVersion: rbac.authorization.k8s.io/v1
	kind: ClusterRoleBinding
	metadata: {name: $NS-no-deletecollection}
	roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: $NS-no-deletecollection}
	subjects: [{kind: ServiceAccount, name: cleaner, namespace: $NS}]
	EOF
	local tok
	tok=$(kubectl create token cleaner -n "$NS")
	sed "s/^\(\s*token:\).*/\1 $tok/" "$SIM_DIR/kubeconfig" >"$BATS_TEST_TMPDIR/kc-sa"
	# the fallback is taken because deletecollection is forbidden, not by chance
	run curl -sS -o /dev/null -w '%{http_code}' --cacert "$SIM_DIR/ca.crt" -H "Authorization: Bearer $tok" \
		-X DELETE "$SIM_URL/apis/kubevirt.io/v1/namespaces/$NS/virtualmachines?labelSelector=plan%3D$PLAN_UID"
	assert_output 403
	KUBECONFIG="$BATS_TEST_TMPDIR/kc-sa" run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	[[ "$stderr" == *"403 forbidden"*"one by one"* ]] || fail "stderr: $stderr"
	assert_output --partial "VirtualMachine $NS/vm1 deleted"
	assert_output --partial "PersistentVolumeClaim $NS/vm3-pvc deleted"
	refute_output --partial LEFTOVERS
	run left_in_ns
	assert_output ""
	kubectl delete clusterrolebinding "$NS-no-deletecollection" >/dev/null
	kubectl delete clusterrole "$NS-no-deletecollection" >/dev/null
	kubectl delete ns "$NS" >/dev/null
}

@test "a swept object held by a finalizer is a leftover with its finalizer; a re-run after release converges" {
	session_plan
	dest_objects "$PLAN_UID" 2
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: kubevirt.io/v1
	kind: VirtualMachine
	metadata: {name: held, namespace: $NS, labels: {plan: "$PLAN_UID"}, finalizers: [example.com/hold]}
	spec: {runStrategy: Halted, template: {spec: {domain: {devices: {}}}}}
	EOF
	MTV_TEARDOWN_TIMEOUT=1 run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_failure 1
	assert_output --partial "VirtualMachine $NS/vm2 deleted"
	assert_output --partial "LEFTOVERS (1):"
	assert_line --regexp "^VirtualMachine +$NS +held +finalizer example.com/hold \(still there after [0-9]+s\)$"
	grep -q '<failure message="finalizer example.com/hold' "$ARTIFACT_DIR/junit_mtv_teardown.xml"
	run left_in_ns
	assert_output "virtualmachine.kubevirt.io/held"
	kubectl -n "$NS" patch vm held --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	run left_in_ns
	assert_output ""
	kubectl delete ns "$NS" >/dev/null
}

@test "every plan of mtv-plan.json is swept by its uid, even once its Plan object is gone" {
	kubectl create ns "$NS" >/dev/null
	echo '{}' >"$SHARED_DIR/mtv-resources.json"
	dest_objects 11111111-aaaa-4000-8000-000000000001 2 1
	dest_objects 11111111-aaaa-4000-8000-000000000002 2 3
	# another plan's objects in the same namespace stay (but for the pod,
	# which carries our session's label)
	dest_objects 11111111-aaaa-4000-8000-0000000000ff 1 9
	cat >"$SHARED_DIR/mtv-plan.json" <<-EOF
	{"name": "p1", "namespace": "$NS", "uid": "11111111-aaaa-4000-8000-000000000001", "vmNamespace": "$NS", "vms": [],
	 "plans": [{"name": "p1", "uid": "11111111-aaaa-4000-8000-000000000001"},
	           {"name": "p2", "uid": "11111111-aaaa-4000-8000-000000000002"}]}
	EOF
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	assert_output --partial "VirtualMachine $NS/vm1 deleted"
	assert_output --partial "VirtualMachine $NS/vm4 deleted"
	run left_in_ns
	assert_output "$(printf '%s\n' virtualmachine.kubevirt.io/vm9 datavolume.cdi.kubevirt.io/vm9-dv persistentvolumeclaim/vm9-pvc)"
	kubectl delete ns "$NS" >/dev/null
}

@test "watch streams cut every 2 events: the batch's watch resumes from its last resourceVersion, nothing is left" {
	local dir="$BATS_TEST_TMPDIR/cut-sim" i
	"$MTV_BIN_DIR/mtv-sim" --world "$MTV_SRC_DIR/tests/fixtures/worlds/default.json" \
		--state-dir "$dir" --port 0 --speed 0 --faults watchcut=2 >"$BATS_TEST_TMPDIR/cut-sim.log" 2>&1 3>&- &
	CUT_SIM_PID=$!
	for i in $(seq 1 200); do
		[ -s "$dir/port" ] && break
		sleep 0.05
	done
	[ -s "$dir/port" ] || fail "sim did not start: $(cat "$BATS_TEST_TMPDIR/cut-sim.log")"
	export KUBECONFIG="$dir/kubeconfig"
	session_plan
	dest_objects "$PLAN_UID" 8
	# Held by a finalizer, the VMs outlive the deletecollection, so the
	# batch must watch them go: released one by one while it waits, each
	# release is an event, and every second event cuts the stream.
	for i in $(seq 1 8); do
		kubectl -n "$NS" patch vm "vm$i" --type merge -p '{"metadata":{"finalizers":["example.com/hold"]}}' >/dev/null
	done
	MTV_TEARDOWN_TIMEOUT=60 "$MTV_BIN_DIR/mtv-teardown" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	local td=$! held
	for i in $(seq 1 300); do
		held=$(kubectl -n "$NS" get vm -o jsonpath='{range .items[*]}{.metadata.deletionTimestamp}{"\n"}{end}' | grep -c .)
		[ "$held" -eq 8 ] && break
		sleep 0.1
	done
	[ "$held" -eq 8 ] || { kill "$td"; fail "the VMs were not all being deleted: $held of 8"; }
	for i in $(seq 1 8); do
		kubectl -n "$NS" patch vm "vm$i" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null
	done
	local rc=0
	wait "$td" || rc=$?
	[ "$rc" -eq 0 ] || fail "mtv-teardown exited $rc: $(cat "$BATS_TEST_TMPDIR/err")"
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output --partial "VirtualMachine $NS/vm8 deleted"
	refute_output --partial LEFTOVERS
	run left_in_ns
	assert_output ""
	# the streams were cut indeed: the VMs' one watch took several streams
	local watches
	watches=$(curl -sS --cacert "$dir/ca.crt" -H "Authorization: Bearer $(cat "$dir/token")" \
		"https://127.0.0.1:$(cat "$dir/port")/sim/stats" | jq '.requests.watch.virtualmachines')
	[ "$watches" -ge 3 ] || fail "only $watches VM watch streams"
}

@test "a ledger entry under our session's label but without managed-by is left alone, the rest of the selection goes" {
	session_plan
	dest_objects "$PLAN_UID" 1
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: kubevirt.io/v1
	kind: VirtualMachine
	metadata: {name: foreign, namespace: $NS, labels: {mtv-steps/session: "$SESSION"}}
	spec: {runStrategy: Halted, template: {spec: {domain: {devices: {}}}}}
	---
	apiVersion: kubevirt.io/v1
	kind: VirtualMachine
	metadata: {name: ours, namespace: $NS, labels: $(labels)}
	spec: {runStrategy: Halted, template: {spec: {domain: {devices: {}}}}}
	EOF
	jq --arg ns "$NS" '. + {"VirtualMachine": [{"name": "foreign", "namespace": $ns, "apiVersion": "kubevirt.io/v1"},
		{"name": "ours", "namespace": $ns, "apiVersion": "kubevirt.io/v1"}]}' \
		"$SHARED_DIR/mtv-resources.json" >"$BATS_TEST_TMPDIR/l.json"
	mv "$BATS_TEST_TMPDIR/l.json" "$SHARED_DIR/mtv-resources.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	[[ "$stderr" == *"VirtualMachine $NS/foreign: not created by mtv-steps"* ]] || fail "stderr: $stderr"
	assert_output --partial "VirtualMachine $NS/ours deleted"
	assert_output --partial "VirtualMachine $NS/vm1 deleted"
	run kubectl get vm -n "$NS" -o name
	assert_output "virtualmachine.kubevirt.io/foreign"
	kubectl delete ns "$NS" >/dev/null
}
