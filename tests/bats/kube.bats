#!/usr/bin/env bats
# lib/kube, lib/wait, lib/kubeconfig and lib/oauth through kubeprobe against
# the fake API server: REST verbs and Status errors, watches that are cut,
# expire (410) or are refused, timeouts, signals, kubeconfig errors and
# OpenShift login.
bats_require_minimum_version 1.5.0

setup_file() {
	source "$MTV_SRC_DIR/tests/fixtures/kubeconfig/fakeapi.bash"
	fakeapi_make_certs
}

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	source "$MTV_SRC_DIR/tests/fixtures/kubeconfig/fakeapi.bash"
	fakeapi_env
	PROBE_PID=
}

teardown() {
	if [ -n "${PROBE_PID:-}" ]; then
		kill "$PROBE_PID" 2>/dev/null || true
		wait "$PROBE_PID" 2>/dev/null || true
	fi
	fakeapi_stop
}

CM='/api/v1/namespaces/ns/configmaps'
W="$CM/w"

# The state sequence a wait on the evolving object prints: step=0..N, done.
steps() {
	for i in $(seq 0 "$1"); do echo "step=$i"; done
	echo done
}

@test "kube: create, get, merge-patch, delete; 409 and 404 become readable errors" {
	fakeapi_start
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" create configmaps ns '{"metadata":{"name":"x","labels":{"app":"t"}},"data":{"a":"1"}}'
	assert_success
	assert_output x
	run --separate-stderr "$KUBEPROBE" create configmaps ns '{"metadata":{"name":"x"}}'
	assert_failure 3
	assert_equal "${stderr_lines[0]}" 'kubeprobe: ConfigMap ns/x: 409 AlreadyExists: configmaps "x" already exists'
	assert_equal "${stderr_lines[1]}" 'kubeprobe: http_status=409 reason=AlreadyExists'
	run --separate-stderr "$KUBEPROBE" patch configmaps ns x '{"data":{"b":"2"}}'
	assert_success
	run --separate-stderr "$KUBEPROBE" get configmaps ns x
	assert_success
	assert_output --partial '"data":{"a":"1","b":"2"}'
	grep -q "PATCH $CM/x auth=yes" "$REQLOG"
	run --separate-stderr "$KUBEPROBE" delete configmaps ns x
	assert_success
	run --separate-stderr "$KUBEPROBE" get configmaps ns x
	assert_failure 3
	assert_equal "${stderr_lines[0]}" 'kubeprobe: ConfigMap ns/x: 404 NotFound: configmaps "x" not found'
	assert_equal "${stderr_lines[1]}" 'kubeprobe: http_status=404 reason=NotFound'
}

@test "kube: Forklift kinds use their group path; generateName gets a name" {
	fakeapi_start
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" create plans mtv '{"apiVersion":"forklift.konveyor.io/v1beta1","kind":"Plan","metadata":{"generateName":"plan-"}}'
	assert_success
	assert_output --regexp '^plan-[0-9]{5}$'
	grep -q 'POST /apis/forklift.konveyor.io/v1beta1/namespaces/mtv/plans auth=yes' "$REQLOG"
	run --separate-stderr "$KUBEPROBE" list plans mtv
	assert_success
	assert_output --regexp '^plan-[0-9]{5}$'
}

@test "kube: the status subresource is read and patched on its own path" {
	fakeapi_start --object "/apis/forklift.konveyor.io/v1beta1/namespaces/mtv/plans/p={\"metadata\":{\"name\":\"p\"},\"spec\":{}}"
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" status-patch plans mtv p '{"status":{"phase":"Ready"}}'
	assert_success
	run --separate-stderr "$KUBEPROBE" status-get plans mtv p
	assert_success
	assert_output '{"phase":"Ready"}'
	grep -q 'PATCH /apis/forklift.konveyor.io/v1beta1/namespaces/mtv/plans/p/status auth=yes' "$REQLOG"
	grep -q 'GET /apis/forklift.konveyor.io/v1beta1/namespaces/mtv/plans/p/status auth=yes' "$REQLOG"
}

@test "kube: list follows continue tokens and returns every item" {
	fakeapi_start \
		--object "$CM/c1={\"metadata\":{\"name\":\"c1\"}}" \
		--object "$CM/c2={\"metadata\":{\"name\":\"c2\"}}" \
		--object "$CM/c3={\"metadata\":{\"name\":\"c3\"}}" \
		--object "$CM/c4={\"metadata\":{\"name\":\"c4\"}}" \
		--object "$CM/c5={\"metadata\":{\"name\":\"c5\"}}"
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" list configmaps ns "" 2
	assert_success
	assert_equal "$(echo "$output" | sort | tr '\n' ' ')" "c1 c2 c3 c4 c5 "
	[ "$(reqcount "GET $CM\\?limit=2 ")" -eq 1 ]
	[ "$(reqcount "GET $CM\\?limit=2&continue=")" -eq 2 ]
}

@test "kube: list with a label selector" {
	fakeapi_start \
		--object "$CM/c1={\"metadata\":{\"name\":\"c1\",\"labels\":{\"app\":\"mtv\"}}}" \
		--object "$CM/c2={\"metadata\":{\"name\":\"c2\"}}"
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" list configmaps ns app=mtv
	assert_success
	assert_output c1
	grep -q "GET $CM?labelSelector=app=mtv auth=yes" "$REQLOG"
}

@test "wait: a watch cut every 2 events resumes without losing or repeating one" {
	fakeapi_start --evolve "$W:7" --watch-cut 2
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" wait-done configmaps ns w 20000
	assert_success
	assert_output "$(steps 7)"
	# 4 watch connections, each resuming from the last resourceVersion seen
	[ "$(reqcount 'watch=1')" -eq 4 ]
	for rv in 2000 2002 2004 2006; do
		grep -q "watch=1.*resourceVersion=$rv&fieldSelector=metadata.name=w" "$REQLOG"
	done
	# one list only: no re-list was needed
	[ "$(grep -c "GET $CM?fieldSelector" "$REQLOG")" -eq 1 ]
}

@test "wait: several events per chunk and a bookmarked stream are parsed" {
	fakeapi_start --evolve "$W:30"
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" wait-done configmaps ns w 20000
	assert_success
	assert_output "$(steps 30)"
}

@test "wait: HTTP 410 Gone forces a re-list, then the watch continues" {
	fakeapi_start --evolve "$W:4" --gone 1
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" wait-done configmaps ns w 20000
	assert_success
	assert_line done
	assert_line step=4
	[ "$(grep -c "GET $CM?fieldSelector" "$REQLOG")" -eq 2 ]
	[ "$(reqcount 'watch=1')" -eq 2 ]
}

@test "wait: a 410 ERROR event inside the stream forces a re-list" {
	fakeapi_start --evolve "$W:4" --gone 1 --gone-mode event
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" wait-done configmaps ns w 20000
	assert_success
	assert_line done
	[ "$(grep -c "GET $CM?fieldSelector" "$REQLOG")" -eq 2 ]
}

@test "wait: a refused watch falls back to polling" {
	fakeapi_start --evolve "$W:3" --watch-refuse
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" wait-done configmaps ns w 20000
	assert_success
	assert_output "$(steps 3)"
	[ "$(reqcount 'watch=1')" -eq 1 ]
	[[ "$stderr" == *"refused (HTTP 405); polling instead"* ]]
}

@test "wait: the deadline gives exit 4 naming the object and what was awaited" {
	fakeapi_start --evolve "$W:1000" --event-delay-ms 100
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" wait-done configmaps ns w 500
	assert_failure 4
	[[ "$stderr" == "kubeprobe: timed out after 0.5s waiting for ConfigMap ns/w to reach phase Done (last: step="* ]]
}

@test "wait: SIGTERM ends a wait with exit 143" {
	fakeapi_start --evolve "$W:1000" --event-delay-ms 1000
	fakeapi_kubeconfig tok
	"$KUBEPROBE" wait-done configmaps ns w 600000 >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
	PROBE_PID=$!
	# wait until the watch is open
	for _ in $(seq 1 400); do
		grep -q 'watch=1' "$REQLOG" && break
		sleep 0.025
	done
	grep -q 'watch=1' "$REQLOG"
	kill -TERM "$PROBE_PID"
	local rc=0
	wait "$PROBE_PID" || rc=$?
	PROBE_PID=
	assert_equal "$rc" 143
	grep -q "interrupted by signal 15" "$BATS_TEST_TMPDIR/out"
}

@test "wait: wait-gone returns once the object is deleted" {
	fakeapi_start --object "$CM/g={\"metadata\":{\"name\":\"g\"}}"
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" delete configmaps ns g
	assert_success
	run --separate-stderr "$KUBEPROBE" wait-gone configmaps ns g 5000
	assert_success
	assert_output gone
}

@test "kubeconfig: bad inputs exit 2 with one line naming the file and key" {
	local k=$BATS_TEST_TMPDIR/kc
	printf 'clusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\ncontexts:\n- name: a\n  context: {cluster: c}\n- name: b\n  context: {cluster: c}\ncurrent-context: a\n' >"$k"
	export KUBECONFIG=$k

	run --separate-stderr "$KUBEPROBE" --context foo get configmaps ns x
	assert_failure 2
	assert_equal "$stderr" "kubeprobe: kubeconfig $k: context \"foo\" not found (contexts: a, b)"

	MTV_KUBE_CONTEXT=bar run --separate-stderr "$KUBEPROBE" get configmaps ns x
	assert_failure 2
	assert_equal "$stderr" "kubeprobe: kubeconfig $k: context \"bar\" not found (contexts: a, b)"

	printf 'clusters: [\n  - name: c\n' >"$k"
	run --separate-stderr "$KUBEPROBE" get configmaps ns x
	assert_failure 2
	[ "${#stderr_lines[@]}" -eq 1 ]
	assert_equal "$stderr" "kubeprobe: kubeconfig $k:2:3: did not find expected node content while parsing a flow node"

	: >"$BATS_TEST_TMPDIR/empty-token"
	printf 'clusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {tokenFile: empty-token}\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\ncurrent-context: a\n' >"$k"
	run --separate-stderr "$KUBEPROBE" get configmaps ns x
	assert_failure 2
	assert_equal "$stderr" "kubeprobe: kubeconfig $k: users[name=u].tokenFile $BATS_TEST_TMPDIR/empty-token: is empty"

	printf 'clusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1", certificate-authority: /nonexistent/ca.crt}\ncontexts:\n- name: a\n  context: {cluster: c}\ncurrent-context: a\n' >"$k"
	run --separate-stderr "$KUBEPROBE" get configmaps ns x
	assert_failure 2
	assert_equal "$stderr" "kubeprobe: kubeconfig $k: clusters[name=c].certificate-authority: /nonexistent/ca.crt No such file or directory"

	export KUBECONFIG=$BATS_TEST_TMPDIR/missing
	run --separate-stderr "$KUBEPROBE" get configmaps ns x
	assert_failure 2
	assert_equal "$stderr" "kubeprobe: kubeconfig $BATS_TEST_TMPDIR/missing: No such file or directory"
}

@test "kubeconfig: \$SHARED_DIR/kubeconfig is used when KUBECONFIG is unset" {
	fakeapi_start --object "$CM/a={\"metadata\":{\"name\":\"a\"}}"
	fakeapi_kubeconfig tok
	unset KUBECONFIG
	export SHARED_DIR=$BATS_TEST_TMPDIR/shared
	mkdir -p "$SHARED_DIR"
	mv "$BATS_TEST_TMPDIR/kubeconfig" "$SHARED_DIR/kubeconfig"
	run --separate-stderr "$KUBEPROBE" whoami
	assert_success
	assert_line "source=kubeconfig $SHARED_DIR/kubeconfig, context fake"
	assert_line "namespace=ns"
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_success
}

@test "kubeconfig: the in-cluster service account is the last resort" {
	fakeapi_start --token sa-token-xyz --object "$CM/a={\"metadata\":{\"name\":\"a\"}}"
	local sa=$BATS_TEST_TMPDIR/sa
	mkdir -p "$sa"
	echo sa-token-xyz >"$sa/token"
	cp "$BATS_FILE_TMPDIR/ca.crt" "$sa/ca.crt"
	echo in-ns >"$sa/namespace"
	export KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=$PORT MTV_SERVICEACCOUNT_DIR=$sa
	run --separate-stderr "$KUBEPROBE" whoami
	assert_success
	assert_line "namespace=in-ns"
	assert_line "source=in-cluster service account"
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_success
}

@test "kubeconfig: a rotated service-account token is re-read after a 401" {
	fakeapi_start --token new-token --object "$CM/a={\"metadata\":{\"name\":\"a\"}}"
	local sa=$BATS_TEST_TMPDIR/sa
	mkdir -p "$sa"
	echo old-token >"$sa/token"
	cp "$BATS_FILE_TMPDIR/ca.crt" "$sa/ca.crt"
	export KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=$PORT MTV_SERVICEACCOUNT_DIR=$sa
	run --separate-stderr "$KUBEPROBE" rotate-get "$sa/token" new-token configmaps ns a
	assert_success
	assert_output --partial '"name":"a"'
	[ "$(reqcount "GET $CM/a auth=yes")" -eq 2 ]
	[[ "$stderr" != *new-token* && "$stderr" != *old-token* ]]

	# without a rotation the 401 stands: exit 3
	echo old-token >"$sa/token"
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_failure 3
	[[ "$stderr" == *"401 unauthorized"* ]]
}

@test "oauth: user/password login obtains a token; the password is never printed" {
	fakeapi_start --token sha256~issued-TOKEN --oauth-user kubeadmin --oauth-pass 'pw-SEKRIT-9' \
		--object "$CM/a={\"metadata\":{\"name\":\"a\"}}"
	export MTV_CLUSTER_HOST=https://127.0.0.1:$PORT MTV_CLUSTER_USERNAME=kubeadmin \
		MTV_CLUSTER_PASSWORD=pw-SEKRIT-9 MTV_CLUSTER_CA_FILE=$BATS_FILE_TMPDIR/ca.crt
	MTV_LOG_LEVEL=trace run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_success
	assert_output --partial '"name":"a"'
	[[ "$stderr$output" != *SEKRIT* ]]
	[[ "$stderr$output" != *issued-TOKEN* ]]
	grep -q 'GET /.well-known/oauth-authorization-server auth=no' "$REQLOG"
	grep -q 'GET /oauth/authorize?response_type=token&client_id=openshift-challenging-client auth=yes' "$REQLOG"
	grep -q "GET $CM/a auth=yes" "$REQLOG"

	# insecure-skip-verify instead of a CA, host without a scheme
	unset MTV_CLUSTER_CA_FILE
	MTV_CLUSTER_HOST=127.0.0.1:$PORT MTV_INSECURE_SKIP_VERIFY=true \
		run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_success
}

@test "oauth: a CA file past 16 MiB is refused (exit 2), not read cut short" {
	fakeapi_start --token t --oauth-user kubeadmin --oauth-pass pw
	# A valid bundle followed by 17 MiB of text a PEM reader skips: cut at
	# 16 MiB it would still verify, so only a refusal shows the cap.
	big=$BATS_TEST_TMPDIR/big-ca.crt
	{ cat "$BATS_FILE_TMPDIR/ca.crt"; head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' 'x'; } >"$big"
	export MTV_CLUSTER_HOST=https://127.0.0.1:$PORT MTV_CLUSTER_USERNAME=kubeadmin \
		MTV_CLUSTER_PASSWORD=pw MTV_CLUSTER_CA_FILE=$big
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_failure 2
	assert_equal "$stderr" "kubeprobe: MTV_CLUSTER_CA_FILE $big: larger than 16 MiB"
	[ "$(reqcount "GET /")" -eq 0 ]
}

@test "oauth: a wrong password gives exit 3 and a clear message without the password" {
	fakeapi_start --token t --oauth-user kubeadmin --oauth-pass right
	export MTV_CLUSTER_HOST=https://127.0.0.1:$PORT MTV_CLUSTER_USERNAME=kubeadmin \
		MTV_CLUSTER_PASSWORD=wrong-SEKRIT MTV_CLUSTER_CA_FILE=$BATS_FILE_TMPDIR/ca.crt
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_failure 3
	assert_equal "$stderr" "kubeprobe: OpenShift login as kubeadmin at https://127.0.0.1:$PORT: 401 unauthorized: wrong MTV_CLUSTER_USERNAME or MTV_CLUSTER_PASSWORD"
	[ "$(reqcount "GET $CM")" -eq 0 ]
}
