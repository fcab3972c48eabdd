#!/usr/bin/env bats
# mtv-gather's pod logs at scale: which pods, how many requests, the tail and
# byte cap, failures as warnings, SIGTERM mid-fetch; and the sim's pod log
# endpoint it relies on (tailLines, limitBytes, container, previous).
#
# The world: 10 VMs (tests/bench/gen-world.sh) at --speed 1000; VMs 1-4 stay
# in DiskTransferV2v for ever (their conversion pods up: unfinished), 5-6
# fail there (the controller deletes a failed VM's pod, as Forklift does),
# 7-10 succeed (their pods kept, Succeeded).

bats_require_minimum_version 1.5.0

setup_file() {
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	local w=$BATS_FILE_TMPDIR/world.json c=$BATS_FILE_TMPDIR/catalog.json i
	"$MTV_SRC_DIR/tests/bench/gen-world.sh" 10 "$w" "$c"
	for i in 1 2 3 4; do
		sed -i "s/\"name\": \"bench-vm-000$i\", \"power\": \"off\",/& \"stepSeconds\": {\"DiskTransferV2v\": 1000000000},/" "$w"
	done
	for i in 5 6; do
		sed -i "s/\"name\": \"bench-vm-000$i\", \"power\": \"off\",/& \"fail\": {\"step\": \"DiskTransferV2v\", \"message\": \"disk copy exploded\"},/" "$w"
	done
	SIM_WORLD=$w sim_start --speed 1000
	steps_env "$BATS_FILE_TMPDIR/shared"
	local s
	for s in create-provider storagemap networkmap plan; do
		"$MTV_BIN_DIR/mtv-$s" >>"$BATS_FILE_TMPDIR/steps.log" 2>&1
	done
	# It would wait for ever: VMs 1-4 never finish.
	run -4 env MTV_PLAN_WAIT_TIMEOUT=1 "$MTV_BIN_DIR/mtv-migrate"
	TNS=$(jq -r .targetNamespace "$SHARED_DIR/mtv-session.json")
	PLAN=$(jq -r .name "$SHARED_DIR/mtv-plan.json")
	# Until 4 VMs succeeded and 2 failed, the other 4 copying.
	sim_until bash -c "[ \"\$(kubectl get plan '$PLAN' -n '$TNS' -o json |
		jq '[.status.migration.vms[] | select(.completed)] | length')\" = 6 ]"
	[ "$(kubectl get pods -n "$TNS" -l forklift.app=virt-v2v --no-headers | wc -l)" = 8 ]
}

teardown_file() {
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_stop
}

steps_env() {
	export KUBECONFIG=$SIM_DIR/kubeconfig SHARED_DIR=$1 MTV_PROVIDERS_FILE=$SIM_DIR/providers.json
	export MTV_SOURCE_PROVIDER=vsphere-8.0.3 MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd MTV_GUEST_CHECKS=false
	export MTV_TESTS_PARAMS=$BATS_FILE_TMPDIR/catalog.json MTV_SCENARIO=bench_scale
	export ARTIFACT_DIR=$BATS_FILE_TMPDIR/steps-artifacts MTV_MUST_GATHER=false
	mkdir -p "$1"
}

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_attach
	steps_env "$BATS_TEST_TMPDIR/shared"
	cp "$BATS_FILE_TMPDIR"/shared/*.json "$SHARED_DIR/"
	export ARTIFACT_DIR=$BATS_TEST_TMPDIR/artifacts MTV_HTTP_RETRY_BASE_MS=10 MTV_HTTP_RETRIES=2
	TNS=$(jq -r .targetNamespace "$SHARED_DIR/mtv-session.json")
	PLAN=$(jq -r .name "$SHARED_DIR/mtv-plan.json")
}

# The SIGTERM test's own sim, whatever happened to the test.
slow_stop() {
	[ -n "${SLOW_PID:-}" ] || return 0
	kill -CONT "$SLOW_PID" 2>/dev/null || true
	kill -TERM "$SLOW_PID" 2>/dev/null || true
	wait "$SLOW_PID" 2>/dev/null || true
	SLOW_PID=
}

teardown() {
	slow_stop
}

# log_requests: the pod log GETs of the target namespace in the sim's request log so far
log_requests() {
	grep -c " GET /api/v1/namespaces/$TNS/pods/[^ /]*/log " "$SIM_DIR/requests.log" || true
}

# the VM ids of the plan whose result is $1 (Succeeded, or anything else: "unfinished")
vm_ids() {
	kubectl get plan "$PLAN" -n "$TNS" -o json | jq -r --arg r "$1" '.status.migration.vms[] |
		((.conditions // []) | map(select(.status == "True") | .type)) as $c |
		select(if $r == "Succeeded" then ($c | index("Succeeded")) else ($c | index("Succeeded") | not) end) | .id' | sort
}

# the VM ids of the pods whose logs were written
logged_vms() {
	local d
	for d in "$ARTIFACT_DIR/logs/$TNS"/*/; do
		kubectl get pod -n "$TNS" "$(basename "$d")" -o jsonpath='{.metadata.labels.vmID}{"\n"}'
	done | sort
}

@test "by default only the pods of VMs that failed or did not finish, one request each" {
	local before after
	before=$(log_requests)
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	after=$(log_requests)
	# 4 VMs unfinished with a pod, 2 failed (pods deleted), 4 succeeded.
	assert_equal "$((after - before))" 4
	run logged_vms
	assert_output "$(vm_ids unfinished | head -4)"
	[ "$(vm_ids Succeeded | wc -l)" = 4 ]
	run grep -c '(not fetched: the VM succeeded)$' "$ARTIFACT_DIR/pods.txt"
	assert_output 4
	[[ "$stderr" == *"fetching 4 pod logs, 8 at a time"* ]] || fail "stderr: $stderr"
	# The pipeline table has the plan's ten VMs.
	run grep -c "^$PLAN " "$ARTIFACT_DIR/pipeline.txt"
	assert_output 10
}

@test "MTV_GATHER_ALL_LOGS=true: every pod's log" {
	local before after
	before=$(log_requests)
	MTV_GATHER_ALL_LOGS=true run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	after=$(log_requests)
	assert_equal "$((after - before))" 8
	run logged_vms
	assert_output "$( (vm_ids unfinished | head -4; vm_ids Succeeded) | sort)"
	run grep -c 'not fetched' "$ARTIFACT_DIR/pods.txt"
	assert_output 0
	run cat "$ARTIFACT_DIR/logs/$TNS"/*/virt-v2v.log
	assert_output --partial 'Copying disk 1/1'
}

@test "the same files whatever MTV_GATHER_PARALLEL; a bad value is exit 2" {
	local p
	for p in 1 3 64; do
		ARTIFACT_DIR=$BATS_TEST_TMPDIR/p$p MTV_GATHER_ALL_LOGS=true MTV_GATHER_PARALLEL=$p \
			run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
		assert_success
		[[ "$stderr" == *"fetching 8 pod logs, $p at a time"* ]] || fail "stderr: $stderr"
	done
	# pods.txt keeps the pods' order, not the order the answers came in.
	diff "$BATS_TEST_TMPDIR/p1/pods.txt" "$BATS_TEST_TMPDIR/p3/pods.txt"
	diff "$BATS_TEST_TMPDIR/p1/pods.txt" "$BATS_TEST_TMPDIR/p64/pods.txt"
	diff -r "$BATS_TEST_TMPDIR/p1/logs" "$BATS_TEST_TMPDIR/p64/logs"
	for p in 0 65 many; do
		MTV_GATHER_PARALLEL=$p run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
		assert_failure 2
		[[ "$stderr" == *"MTV_GATHER_PARALLEL"* ]] || fail "stderr: $stderr"
	done
	MTV_GATHER_LOG_BYTES=0 run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_failure 2
}

@test "each log is the tail (MTV_GATHER_LOG_LINES) capped at MTV_GATHER_LOG_BYTES" {
	local f full
	MTV_GATHER_LOG_LINES=2 run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	for f in "$ARTIFACT_DIR/logs/$TNS"/*/virt-v2v.log; do
		full=$(sim_curl "/api/v1/namespaces/$TNS/pods/$(basename "$(dirname "$f")")/log")
		[ "$(wc -l <"$f")" = 2 ]
		assert_equal "$(cat "$f")" "$(printf '%s\n' "$full" | tail -n 2)"
	done
	rm -rf "$ARTIFACT_DIR"
	MTV_GATHER_LOG_LINES=2 MTV_GATHER_LOG_BYTES=20 run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	for f in "$ARTIFACT_DIR/logs/$TNS"/*/virt-v2v.log; do
		full=$(sim_curl "/api/v1/namespaces/$TNS/pods/$(basename "$(dirname "$f")")/log")
		[ "$(wc -c <"$f")" = 20 ]
		assert_equal "$(cat "$f")" "$(printf '%s\n' "$full" | tail -n 2 | head -c 20)"
	done
}

@test "a log that cannot be read is a warning: the others are written, exit 0" {
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: v1
	kind: Pod
	metadata: {name: on-a-lost-node, namespace: $TNS}
	spec: {nodeName: ghost-worker, containers: [{name: c1, image: x}]}
	EOF
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	kubectl delete pod on-a-lost-node -n "$TNS" --wait >/dev/null
	assert_success
	[[ "$stderr" == *"WARN mtv-gather: log of Pod $TNS/on-a-lost-node container c1: 404 NotFound: nodes \"ghost-worker\" not found"* ]] ||
		fail "stderr: $stderr"
	run grep -c "on-a-lost-node .*(no log: error)$" "$ARTIFACT_DIR/pods.txt"
	assert_output 1
	[ ! -e "$ARTIFACT_DIR/logs/$TNS/on-a-lost-node" ]
	[ "$(find "$ARTIFACT_DIR/logs/$TNS" -name virt-v2v.log | wc -l)" = 4 ]
	grep -q 'testcase name="pod logs"' "$ARTIFACT_DIR/junit_mtv_gather.xml"
}

@test "several plans: each Plan and Migration collected, a gone plan's VMs from mtv-migration.json" {
	jq --arg p "$PLAN" '.plans = [{name: $p, uid: .uid}, {name: "gone-plan", uid: "0000"}]' \
		"$SHARED_DIR/mtv-plan.json" >"$SHARED_DIR/p" && mv "$SHARED_DIR/p" "$SHARED_DIR/mtv-plan.json"
	jq -n --arg p "$PLAN" --arg ns "$TNS" '{name: "m1", namespace: $ns, plan: $p, result: "Failed",
		migrations: [{name: "m-gone", plan: "gone-plan", result: "Failed"}],
		vms: [{id: "vm-9", name: "lost-vm", plan: "gone-plan", phase: "CopyDisks", result: "Failed",
		       failedStep: "DiskTransfer", error: "it broke"}]}' >"$SHARED_DIR/mtv-migration.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	run cat "$ARTIFACT_DIR/pipeline.txt"
	assert_line --regexp '^gone-plan +lost-vm +CopyDisks +Failed +DiskTransfer +\(Plan not found\) +it broke$'
	run grep -c "^$PLAN " "$ARTIFACT_DIR/pipeline.txt"
	assert_output 10
	[[ "$stderr" == *"Plan $TNS/gone-plan: not found"* ]] || fail "stderr: $stderr"
	[[ "$stderr" == *"Migration $TNS/m-gone: not found"* ]] || fail "stderr: $stderr"
}

@test "the sim's pod log: tailLines, limitBytes, container, previous as the apiserver checks them" {
	local pod
	pod=$(kubectl get pods -n "$TNS" -l forklift.app=virt-v2v -o jsonpath='{.items[0].metadata.name}')
	run sim_curl "/api/v1/namespaces/$TNS/pods/$pod/log?tailLines=1"
	assert_output '[ 120.5] Finishing off'
	run sim_curl "/api/v1/namespaces/$TNS/pods/$pod/log?tailLines=0"
	assert_output ''
	run sim_curl "/api/v1/namespaces/$TNS/pods/$pod/log?container=virt-v2v&tailLines=1&limitBytes=4"
	assert_output '[ 12'
	run sim_curl "/api/v1/namespaces/$TNS/pods/$pod/log?tailLines=-1" -w ' %{http_code}'
	assert_output --partial "\"message\":\"PodLogOptions \\\"$pod\\\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0\""
	assert_output --regexp '"reason":"Invalid".* 422$'
	run sim_curl "/api/v1/namespaces/$TNS/pods/$pod/log?limitBytes=0" -w ' %{http_code}'
	assert_output --partial 'limitBytes: Invalid value: 0: must be greater than 0'
	assert_output --regexp ' 422$'
	run sim_curl "/api/v1/namespaces/$TNS/pods/$pod/log?tailLines=ten" -w ' %{http_code}'
	assert_output --regexp '"reason":"BadRequest".* 400$'
	run sim_curl "/api/v1/namespaces/$TNS/pods/$pod/log?container=nope" -w ' %{http_code}'
	assert_output --partial "container nope is not valid for pod $pod"
	assert_output --regexp ' 400$'
	run sim_curl "/api/v1/namespaces/$TNS/pods/$pod/log?previous=true" -w ' %{http_code}'
	assert_output --partial "previous terminated container \\\"virt-v2v\\\" in pod \\\"$pod\\\" not found"
	assert_output --regexp ' 400$'
	run sim_curl "/api/v1/namespaces/$TNS/pods/$pod/log?previous=maybe" -w ' %{http_code}'
	assert_output --regexp ' 400$'
	kubectl create -f - >/dev/null <<-EOF
	apiVersion: v1
	kind: Pod
	metadata: {name: two-containers, namespace: $TNS}
	spec: {initContainers: [{name: i1, image: x}], containers: [{name: c1, image: x}, {name: c2, image: x}]}
	EOF
	run sim_curl "/api/v1/namespaces/$TNS/pods/two-containers/log" -w ' %{http_code}'
	kubectl delete pod two-containers -n "$TNS" --wait >/dev/null
	assert_output --partial 'a container name must be specified for pod two-containers, choose one of: [c1 c2] or one of the init containers: [i1]'
	assert_output --regexp ' 400$'
}

@test "SIGTERM while the logs are being fetched: exit 143, no file half-written" {
	# A sim of its own that answers slowly, holding pods whose logs gather
	# fetches one at a time, so the signal comes mid-fetch: the sim is
	# stopped (SIGSTOP) once the first log request was answered.
	local d=$BATS_TEST_TMPDIR/slow gpid i rc=0
	"$MTV_BIN_DIR/mtv-sim" --world "$MTV_SRC_DIR/tests/fixtures/worlds/default.json" --state-dir "$d" \
		--port 0 --speed 0 --faults latency=20 >"$BATS_TEST_TMPDIR/slow.log" 2>&1 3>&- &
	SLOW_PID=$!
	sim_until test -s "$d/port"
	export KUBECONFIG=$d/kubeconfig
	{
		printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: slow-ns}\n'
		for i in $(seq 1 20); do
			printf -- '---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%02d, namespace: slow-ns}\n' "$i"
			printf 'spec: {containers: [{name: c, image: x}]}\n'
		done
	} | kubectl create -f - >/dev/null
	printf '{"id": "slow", "targetNamespace": "slow-ns", "baseName": "slow-source-vsphere", "mtvNamespace": "openshift-mtv", "sourceType": "vsphere"}\n' \
		>"$SHARED_DIR/mtv-session.json"
	rm -f "$SHARED_DIR"/mtv-{plan,migration,resources}.json
	MTV_GATHER_PARALLEL=1 "$MTV_BIN_DIR/mtv-gather" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	gpid=$!
	sim_until grep -q ' GET /api/v1/namespaces/slow-ns/pods/[^ /]*/log ' "$d/requests.log"
	kill -STOP "$SLOW_PID"
	kill -TERM "$gpid"
	wait "$gpid" || rc=$?
	slow_stop
	assert_equal "$rc" 143
	# Every log written is whole (the sim's logs are empty here: 0 bytes),
	# nothing is left half-written (no temporary files), pods.txt never
	# came, and not every log was fetched.
	run find "$ARTIFACT_DIR" -name '*.tmp*' -o -name '.*'
	assert_output ''
	[ ! -e "$ARTIFACT_DIR/pods.txt" ]
	[ "$(find "$ARTIFACT_DIR/logs/slow-ns" -name c.log 2>/dev/null | wc -l)" -lt 20 ]
}
