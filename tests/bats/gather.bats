#!/usr/bin/env bats
# mtv-gather against mtv-sim: what it writes, that no secret value reaches
# ARTIFACT_DIR, and that it never fails the job for want of a cluster or state.

bats_require_minimum_version 1.5.0

PASSWORD="Hunter2-S3cret-Pass"
TOKEN="tok0123456789abcdefghijklmnopqrstuvwxyzQ"
PROVIDER_PASSWORD="ProvFile-Pa55word"

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
	SIM_DIR="$BATS_FILE_TMPDIR/sim"
	export KUBECONFIG="$SIM_DIR/kubeconfig"
	export SHARED_DIR="$BATS_TEST_TMPDIR/shared" ARTIFACT_DIR="$BATS_TEST_TMPDIR/artifacts"
	mkdir -p "$SHARED_DIR"
	export MTV_HTTP_RETRY_BASE_MS=10 MTV_HTTP_RETRIES=2
	SESSION="auto-ga$BATS_TEST_NUMBER"
	NS="$SESSION"
	printf '{"vsphere": {"type": "vsphere", "password": "%s", "username": "admin"}}\n' "$PROVIDER_PASSWORD" \
		>"$BATS_TEST_TMPDIR/providers.json"
	export MTV_PROVIDERS_FILE="$BATS_TEST_TMPDIR/providers.json"
}

# A session as the other steps leave it: namespace, Secret, Plan with a
# failed VM, Migration, a conversion pod, events; ledger and state files.
make_session() {
	local L="{app.kubernetes.io/managed-by: mtv-steps, mtv-steps/session: $SESSION}"
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: v1
	kind: Namespace
	metadata: {name: $NS, labels: $L}
	---
	apiVersion: v1
	kind: Secret
	metadata: {name: src-secret, namespace: $NS, labels: $L}
	stringData: {user: administrator, password: "$PASSWORD", token: "$TOKEN", url: "https://vc.example/sdk"}
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Plan
	metadata:
	  name: plan1
	  namespace: $NS
	  labels: $L
	  annotations: {note: "provider password is $PROVIDER_PASSWORD"}
	spec:
	  provider: {source: {name: src, namespace: $NS}, destination: {name: dst, namespace: $NS}}
	  map: {network: {name: nmap, namespace: $NS}, storage: {name: smap, namespace: $NS}}
	  targetNamespace: $NS
	  vms: [{id: vm-1, name: vm1}, {id: vm-2, name: vm2}]
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Migration
	metadata: {name: plan1-mig, namespace: $NS, labels: $L}
	spec: {plan: {name: plan1, namespace: $NS}}
	EOF
	local uid
	uid=$(kubectl get plans.forklift.konveyor.io plan1 -n "$NS" -o jsonpath='{.metadata.uid}')
	kubectl -n "$NS" patch plans.forklift.konveyor.io plan1 --subresource=status --type merge -p '{"status": {"migration": {"started": "2026-01-01T10:00:00Z", "vms": [
		{"id": "vm-1", "name": "vm1", "phase": "CopyDisks", "started": "2026-01-01T10:00:01Z",
		 "error": {"phase": "CopyDisks", "reasons": ["login failed: password='"$PASSWORD"'"]},
		 "conditions": [{"type": "Failed", "status": "True"}],
		 "pipeline": [{"name": "Initialize", "phase": "Completed", "progress": {"completed": 1, "total": 1}},
		              {"name": "DiskTransfer", "phase": "Running", "progress": {"completed": 512, "total": 2048},
		               "error": {"phase": "Running", "reasons": ["importer pod crashed"]}}]},
		{"id": "vm-2", "name": "vm2", "phase": "Completed", "completed": "2026-01-01T10:05:00Z",
		 "conditions": [{"type": "Succeeded", "status": "True"}],
		 "pipeline": [{"name": "DiskTransfer", "phase": "Completed", "progress": {"completed": 100, "total": 100}}]}]}}}' >/dev/null
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: v1
	kind: Pod
	metadata: {name: plan1-vm-1-conv, namespace: $NS, labels: {plan: "$uid", vmID: vm-1, forklift.app: virt-v2v}}
	spec:
	  containers:
	  - name: virt-v2v
	    image: quay.io/kubev2v/forklift-virt-v2v
	    env: [{name: V2V_PASSWORD, value: "$PASSWORD"}, {name: V2V_vmName, value: vm1}]
	---
	apiVersion: v1
	kind: Event
	metadata: {name: ev-late, namespace: $NS}
	involvedObject: {kind: Pod, name: plan1-vm-1-conv, namespace: $NS}
	reason: BackOff
	type: Warning
	message: "second event, retrying with token $TOKEN"
	lastTimestamp: "2026-01-01T10:02:00Z"
	---
	apiVersion: v1
	kind: Event
	metadata: {name: ev-early, namespace: $NS}
	involvedObject: {kind: Plan, name: plan1, namespace: $NS}
	reason: Started
	type: Normal
	message: "first event"
	lastTimestamp: "2026-01-01T10:00:00Z"
	EOF
	cat >"$SHARED_DIR/mtv-session.json" <<-EOF
	{"id": "$SESSION", "targetNamespace": "$NS", "baseName": "$SESSION-source-vsphere", "mtvNamespace": "openshift-mtv", "sourceType": "vsphere"}
	EOF
	cat >"$SHARED_DIR/mtv-resources.json" <<-EOF
	{"Namespace": [{"name": "$NS", "apiVersion": "v1", "step": "mtv-create-provider"}],
	 "Secret": [{"name": "src-secret", "namespace": "$NS", "apiVersion": "v1", "step": "mtv-create-provider"}],
	 "Plan": [{"name": "plan1", "namespace": "$NS", "apiVersion": "forklift.konveyor.io/v1beta1", "step": "mtv-plan"}]}
	EOF
	printf '{"name": "plan1", "namespace": "%s", "uid": "%s", "vmNamespace": "%s", "vms": []}\n' "$NS" "$uid" "$NS" \
		>"$SHARED_DIR/mtv-plan.json"
	printf '{"name": "plan1-mig", "namespace": "%s", "plan": "plan1", "result": "Failed"}\n' "$NS" \
		>"$SHARED_DIR/mtv-migration.json"
}

no_secret_in() {
	local v
	for v in "$PASSWORD" "$TOKEN" "$PROVIDER_PASSWORD" "$(printf %s "$PASSWORD" | base64)" \
		"$(cat "$SIM_DIR/token")"; do
		run grep -rF -- "$v" "$@"
		assert_failure 1
	done
}

@test "gather writes the ledger, object dumps, pipeline table, events and pod logs" {
	make_session
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather" -o name
	assert_success
	assert_line resources.json
	run jq -r '.Plan[0].name' "$ARTIFACT_DIR/resources.json"
	assert_output plan1
	grep -q '^  name: plan1$' "$ARTIFACT_DIR/objects/plans.yaml"
	grep -q '^  name: plan1-mig$' "$ARTIFACT_DIR/objects/migrations.yaml"
	grep -q '^  name: plan1-vm-1-conv$' "$ARTIFACT_DIR/objects/pods.yaml"
	# A Secret keeps its keys, never its values.
	grep -q '^  password: <redacted>$' "$ARTIFACT_DIR/objects/secrets.yaml"
	grep -q '^  user: <redacted>$' "$ARTIFACT_DIR/objects/secrets.yaml"
	[ -s "$ARTIFACT_DIR/state/mtv-plan.json" ]
	# Pipeline table: one row per VM with the failed step, its error and progress.
	run cat "$ARTIFACT_DIR/pipeline.txt"
	assert_line --index 0 --regexp '^PLAN +VM +PHASE +RESULT +FAILED STEP +DISK PROGRESS +ERROR$'
	assert_line --regexp '^plan1 +vm1 +CopyDisks +Failed +DiskTransfer +512/2048 \(25%\) +importer pod crashed$'
	assert_line --regexp '^plan1 +vm2 +Completed +Succeeded +- +100/100 \(100%\) +-$'
	# Events in time order, whatever order the API returned them in.
	run grep -n -e 'first event' -e 'second event' "$ARTIFACT_DIR/events.txt"
	assert_line --index 0 --partial 'first event'
	assert_line --index 1 --partial 'second event'
	# Logs of the plan's pods, and the controller lines naming the plan.
	[ -f "$ARTIFACT_DIR/logs/$NS/plan1-vm-1-conv/virt-v2v.log" ]
	run grep -l 'mentioning: plan1' "$ARTIFACT_DIR"/logs/openshift-mtv/forklift-controller-*/*.matching.log
	assert_success
	grep -q 'testcase name="pipeline table"' "$ARTIFACT_DIR/junit_mtv_gather.xml"
}

@test "after a real migration in the sim: pipeline Succeeded, the virt-v2v stage, pod and controller logs" {
	sim_vsphere_setup "$NS"
	sim_plan "$NS" plan1 "$NS-target" '[{name: mtv-tests-rhel8}]'
	kubectl wait --for=condition=Ready plan/plan1 -n "$NS" --timeout=30s >/dev/null
	sim_migrate "$NS" plan1 plan1-run
	kubectl wait --for=condition=Succeeded plan/plan1 -n "$NS" --timeout=60s >/dev/null
	printf '{"Plan": [{"name": "plan1", "namespace": "%s", "apiVersion": "forklift.konveyor.io/v1beta1"}], "Provider": [{"name": "vs", "namespace": "%s", "apiVersion": "forklift.konveyor.io/v1beta1"}]}\n' \
		"$NS" "$NS" >"$SHARED_DIR/mtv-resources.json"
	printf '{"name": "plan1", "namespace": "%s", "vms": []}\n' "$NS" >"$SHARED_DIR/mtv-plan.json"
	printf '{"name": "plan1-run", "namespace": "%s", "plan": "plan1", "result": "Succeeded"}\n' "$NS" \
		>"$SHARED_DIR/mtv-migration.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	run cat "$ARTIFACT_DIR/pipeline.txt"
	assert_line --regexp '^plan1 +mtv-tests-rhel8 +Completed +Succeeded +- +[0-9]+/[0-9]+ \(100%\) +-$'
	# Destination objects of the plan, found by its label in a namespace we do not own.
	grep -q '^  name: mtv-tests-rhel8$' "$ARTIFACT_DIR/objects/virtualmachines.yaml"
	grep -q "^  namespace: $NS-target\$" "$ARTIFACT_DIR/objects/persistentvolumeclaims.yaml"
	grep -q '^  name: plan1-run$' "$ARTIFACT_DIR/objects/migrations.yaml"
	# The VM succeeded: its conversion pod is listed, its log not fetched ...
	run cat "$ARTIFACT_DIR/pods.txt"
	assert_line --regexp "^plan1 +$NS-target +plan1-vm-[^ ]+ +Succeeded +vm-[0-9]+ +virt-v2v +\(not fetched: the VM succeeded\)\$"
	[ ! -e "$ARTIFACT_DIR/logs/$NS-target" ]
	# ... unless asked for every log.
	rm -rf "$ARTIFACT_DIR"
	MTV_GATHER_ALL_LOGS=true run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	run cat "$ARTIFACT_DIR/pods.txt"
	assert_line --regexp "^plan1 +$NS-target +plan1-vm-[^ ]+ +Succeeded +vm-[0-9]+ +virt-v2v +Finishing off\$"
	run cat "$ARTIFACT_DIR"/logs/"$NS-target"/plan1-vm-*/virt-v2v.log
	assert_output --partial "Copying disk 1/1"
	run cat "$ARTIFACT_DIR"/logs/openshift-mtv/forklift-controller-*/*.matching.log
	assert_line --index 0 --partial "mentioning: plan1"
}

@test "no secret value anywhere in ARTIFACT_DIR, stdout or stderr" {
	make_session
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather" -o name
	assert_success
	no_secret_in "$ARTIFACT_DIR"
	printf '%s\n%s\n' "$output" "$stderr" >"$BATS_TEST_TMPDIR/streams"
	no_secret_in "$BATS_TEST_TMPDIR/streams"
	# ... yet the places they were scrubbed from are still there to read.
	grep -q 'login failed: password=<redacted>' "$ARTIFACT_DIR/objects/plans.yaml"
	grep -q 'retrying with token <redacted>' "$ARTIFACT_DIR/events.txt"
	grep -q 'provider password is <redacted>' "$ARTIFACT_DIR/objects/plans.yaml"
	run grep -c 'https://vc.example/sdk' "$ARTIFACT_DIR/objects/secrets.yaml"
	assert_output 0
	run grep -A1 'name: V2V_PASSWORD' "$ARTIFACT_DIR/objects/pods.yaml"
	assert_output --partial '<redacted>'
}

@test "an empty SHARED_DIR still exits 0 and writes what it can" {
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	run jq -c . "$ARTIFACT_DIR/resources.json"
	assert_output '{}'
	run cat "$ARTIFACT_DIR/pipeline.txt"
	assert_output --partial "nothing was migrated"
	[ -f "$ARTIFACT_DIR/events.txt" ]
	[ -s "$ARTIFACT_DIR/junit_mtv_gather.xml" ]
}

@test "an unreachable cluster is a warning: exit 0 with resources.json written" {
	make_session
	KUBECONFIG="$BATS_TEST_TMPDIR/missing-kubeconfig" run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	[[ "$stderr" == *"WARN mtv-gather: no cluster to gather from"* ]] || fail "stderr: $stderr"
	run jq -r '.Secret[0].name' "$ARTIFACT_DIR/resources.json"
	assert_output src-secret
	[ -s "$ARTIFACT_DIR/state/mtv-session.json" ]
}

@test "an ARTIFACT_DIR it cannot write to at all exits 3" {
	# Root can write anywhere; a directory where the file must go cannot be replaced.
	mkdir -p "$ARTIFACT_DIR/resources.json/occupied"
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_failure 3
	[[ "$stderr" == *"resources.json"* ]] || fail "stderr: $stderr"
}

@test "MTV_GATHER_LOG_LINES must be a positive number (exit 2)" {
	MTV_GATHER_LOG_LINES=many run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_failure 2
	[[ "$stderr" == *"MTV_GATHER_LOG_LINES"* ]] || fail "stderr: $stderr"
}

# A stand-in for oc: records its arguments and writes what a must-gather
# might, secrets included.
fake_oc() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/oc" <<-EOF
	#!/bin/bash
	printf '%s\n' "\$@" >"$BATS_TEST_TMPDIR/oc.args"
	for a in "\$@"; do
		case \$a in --dest-dir=*) d=\${a#--dest-dir=} ;; esac
	done
	mkdir -p "\$d/quay-io-forklift/namespaces"
	echo "secret data: password=$PASSWORD" >"\$d/quay-io-forklift/namespaces/secrets.txt"
	printf 'bin\0ary $PASSWORD' >"\$d/quay-io-forklift/dump.bin"
	echo "must-gather done, token $TOKEN"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/oc"
}

@test "with oc on PATH: a targeted must-gather with the CSV's image, its output scrubbed" {
	make_session
	fake_oc
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	run cat "$BATS_TEST_TMPDIR/oc.args"
	assert_line --index 0 adm
	assert_line --index 1 must-gather
	assert_line --index 2 --regexp '^--image=.*must-gather'
	assert_line --index 3 "--dest-dir=$ARTIFACT_DIR/must-gather"
	assert_line --index 4 -- --
	assert_line --index 5 "NS=$NS"
	assert_line --index 6 PLAN=plan1
	assert_line --index 7 /usr/bin/targeted
	grep -q 'password=<redacted>' "$ARTIFACT_DIR/must-gather/quay-io-forklift/namespaces/secrets.txt"
	grep -q 'must-gather done' "$ARTIFACT_DIR/must-gather.log"
	[ ! -e "$ARTIFACT_DIR/must-gather/quay-io-forklift/dump.bin" ]
	no_secret_in "$ARTIFACT_DIR"
}

@test "MTV_MUST_GATHER=false never runs oc; a bad value is exit 2" {
	fake_oc
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" MTV_MUST_GATHER=false run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	[ ! -e "$BATS_TEST_TMPDIR/oc.args" ]
	MTV_MUST_GATHER=sometimes run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_failure 2
	[[ "$stderr" == *"MTV_MUST_GATHER: expected auto, true or false"* ]] || fail "stderr: $stderr"
}

@test "--help and the registry ref declare the same MTV_ parameters; the README is current" {
	run "$MTV_BIN_DIR/mtv-gather" --help
	local help_env ref_env
	help_env=$( (echo "$output" | sed -n 's/^      \(MTV_[A-Z0-9_]*\).*/\1/p'; echo MTV_LOG_LEVEL) | sort -u)
	ref_env=$(sed -n 's/^  - name: \(MTV_[A-Z0-9_]*\)$/\1/p' "$MTV_SRC_DIR/steps/gather/mtv-gather-ref.yaml" | sort -u)
	assert_equal "$help_env" "$ref_env"
	[[ "$(cat "$MTV_SRC_DIR/steps/gather/README.md")" == *"$output"* ]] || fail "steps/gather/README.md is out of date"
}
