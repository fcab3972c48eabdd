#!/usr/bin/env bats
# The guest tunnel, both sides: lib/portforward (native libwebsockets client
# and the virtctl mode) through tests/progs/pf-cat, against mtv-sim's
# port-forward subresource (tests/sim/portforward.c) bridging to loopback
# "guests" (a TCP echo server stands in for sshd here).

bats_require_minimum_version 1.5.0

PF_FIX="$MTV_SRC_DIR/tests/fixtures/portforward"

setup_file() {
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	SIM_WORLD="$MTV_SRC_DIR/tests/fixtures/worlds/portforward.json" sim_start_checked --speed 0
	# the echo guest, under the label the test VMIs and the world's sshGuest use
	python3 "$PF_FIX/echo-guest.py" "$SIM_DIR/guests/echo" >"$BATS_FILE_TMPDIR/echo.log" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/echo.pid"
	python3 "$PF_FIX/echo-guest.py" "$SIM_DIR/guests/rhel8" >"$BATS_FILE_TMPDIR/rhel8.log" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/rhel8.pid"
	sim_until test -s "$SIM_DIR/guests/echo/port"
	sim_until test -s "$SIM_DIR/guests/rhel8/port"
	kubectl create namespace pf >/dev/null
	vmi_make g1 echo Running
	vmi_make nolabel "" Running
	vmi_make starting echo Scheduling
	# a label whose port file names a port nobody listens on
	mkdir -p "$SIM_DIR/guests/closed"
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' \
		>"$SIM_DIR/guests/closed/port"
	vmi_make closed closed Running
}

teardown_file() {
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	local f
	for f in echo rhel8; do
		[ -s "$BATS_FILE_TMPDIR/$f.pid" ] || continue
		kill "$(cat "$BATS_FILE_TMPDIR/$f.pid")" 2>/dev/null || true
		wait "$(cat "$BATS_FILE_TMPDIR/$f.pid")" 2>/dev/null || true
	done
	sim_stop
}

# vmi_make NAME LABEL PHASE: a VMI in namespace pf leading to guest LABEL
# ("" for none); a Running one has an interface, as KubeVirt reports it.
vmi_make() {
	local name=$1 label=$2 phase=$3 ann="" st
	[ -z "$label" ] || ann="annotations: {mtv-sim/ssh-guest: $label}"
	kubectl apply -f - >/dev/null <<-YAML
	apiVersion: kubevirt.io/v1
	kind: VirtualMachineInstance
	metadata: {name: $name, namespace: pf, $ann}
	spec: {domain: {devices: {}}}
	YAML
	if [ "$phase" = Running ]; then
		st='{"status":{"phase":"Running","interfaces":[{"name":"net-0","ipAddress":"10.0.2.2"}]}}'
	else
		st="{\"status\":{\"phase\":\"$phase\"}}"
	fi
	kubectl patch vmi "$name" -n pf --subresource=status --type=merge -p "$st" >/dev/null
}

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_attach
	PFCAT="$MTV_TEST_BIN_DIR/progs/pf-cat"
	unset MTV_SSH_TUNNEL
}

@test "portforward: a round trip through the WebSocket to the guest, logged and counted by the sim" {
	run --separate-stderr "$PFCAT" --expect 6 pf g1 22 <<<"hello"
	assert_success
	assert_output "hello"
	[[ "$stderr" == *"tunnel sent 6 received 6"* ]] || fail "counts: $stderr"
	run grep -c "GET /apis/subresources.kubevirt.io/v1/namespaces/pf/virtualmachineinstances/g1/portforward/22/tcp 101" \
		"$SIM_DIR/requests.log"
	assert_output --regexp '^[1-9]'
	run sim_curl /sim/stats
	assert_output --partial '"virtualmachineinstances/portforward":'
}

@test "portforward: megabytes both ways arrive intact (fragmented server messages, backpressure)" {
	local f="$BATS_TEST_TMPDIR/data"
	head -c 3000000 /dev/urandom >"$f"
	run --separate-stderr bash -c '"$1" --expect 3000000 pf g1 22 <"$2" | sha256sum' _ "$PFCAT" "$f"
	assert_success
	assert_output "$(sha256sum <"$f")"
	[[ "$stderr" == *"tunnel sent 3000000 received 3000000"* ]] || fail "counts: $stderr"
}

@test "portforward: a missing VMI is the API server's 404 Status" {
	run --separate-stderr "$PFCAT" pf nope 22 </dev/null
	assert_equal "$status" 3
	assert_equal "$stderr" 'pf-cat: portforward: 404 virtualmachineinstance.kubevirt.io "nope" not found'
}

@test "portforward: a bad token is 401, a service account without RBAC 403, with a Role it works" {
	sed 's/^\(\s*token:\).*/\1 not-a-token/' "$SIM_DIR/kubeconfig" >"$BATS_TEST_TMPDIR/kc-bad"
	run --separate-stderr env KUBECONFIG="$BATS_TEST_TMPDIR/kc-bad" "$PFCAT" pf g1 22 </dev/null
	assert_equal "$status" 3
	assert_equal "$stderr" "pf-cat: portforward: 401 Unauthorized"

	kubectl create serviceaccount tunnel -n pf >/dev/null
	local tok
	tok=$(kubectl create token tunnel -n pf)
	sed "s/^\(\s*token:\).*/\1 $tok/" "$SIM_DIR/kubeconfig" >"$BATS_TEST_TMPDIR/kc-sa"
	run --separate-stderr env KUBECONFIG="$BATS_TEST_TMPDIR/kc-sa" "$PFCAT" pf g1 22 </dev/null
	assert_equal "$status" 3
	assert_equal "$stderr" 'pf-cat: portforward: 403 virtualmachineinstances.subresources.kubevirt.io "g1" is forbidden: User "system:serviceaccount:pf:tunnel" cannot get resource "virtualmachineinstances/portforward" in API group "subresources.kubevirt.io" in the namespace "pf"'

	kubectl apply -f - >/dev/null <<-'YAML'
	apiVersion: rbac.authorization.k8s.io/v1
	kind: Role
	metadata: {name: tunnel, namespace: pf}
	rules:
	- {apiGroups: [subresources.kubevirt.io], resources: [virtualmachineinstances/portforward], verbs: [get]}
	---
	apiVersion: rbac.authorization.k8s.io/v1
	kind: RoleBinding
	metadata: {name: tunnel, namespace: pf}
	roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: tunnel}
	subjects: [{kind: ServiceAccount, name: tunnel, namespace: pf}]
	YAML
	run --separate-stderr env KUBECONFIG="$BATS_TEST_TMPDIR/kc-sa" "$PFCAT" --expect 3 pf g1 22 <<<"sa"
	assert_success
	assert_output "sa"
}

@test "portforward: a VMI that is not running has no interface: virt-api's 400" {
	run --separate-stderr "$PFCAT" pf starting 22 </dev/null
	assert_equal "$status" 3
	assert_equal "$stderr" "pf-cat: portforward: 400 no network interfaces are present"
}

@test "portforward: nothing listening in the guest: the upgrade succeeds and the stream ends at once" {
	local vmi
	for vmi in closed nolabel; do
		run --separate-stderr "$PFCAT" pf "$vmi" 22 </dev/null
		assert_success
		assert_output ""
		[[ "$stderr" == *"tunnel up"* ]] || fail "$vmi: $stderr"
		[[ "$stderr" == *"EOF: pf/$vmi:22: the server closed the stream"* ]] || fail "$vmi: $stderr"
	done
}

@test "portforward: a client-certificate kubeconfig (no token) works" {
	run --separate-stderr env KUBECONFIG="$SIM_DIR/kubeconfig-cert" "$PFCAT" --expect 5 pf g1 22 <<<"cert"
	assert_success
	assert_output "cert"
}

@test "portforward: the token never reaches the log, even at trace" {
	run --separate-stderr env MTV_LOG_LEVEL=trace "$PFCAT" --expect 3 pf g1 22 <<<"tr"
	assert_success
	[[ "$stderr" == *"portforward: wss://127.0.0.1:"* ]] || fail "no debug line: $stderr"
	[[ "$stderr" != *"$(cat "$SIM_DIR/token")"* ]] || fail "the token is in the log"
	# a refused upgrade asks once more for the Status: still no token
	run --separate-stderr env MTV_LOG_LEVEL=trace "$PFCAT" pf nope 22 </dev/null
	[[ "$stderr" != *"$(cat "$SIM_DIR/token")"* ]] || fail "the token is in the log"
}

@test "portforward: SIGTERM mid-stream ends pf-cat with 143" {
	local out="$BATS_TEST_TMPDIR/err" pid rc=0
	# stdin at EOF and no --expect: it waits for the guest, which never closes
	"$PFCAT" pf g1 22 </dev/null >/dev/null 2>"$out" 3>&- &
	pid=$!
	sim_until grep -q "tunnel up" "$out"
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	assert_equal "$rc" 143
}

@test "portforward: a server that never answers the TLS handshake: SIGTERM ends the open with 143; a closed port is 3" {
	local dir="$BATS_TEST_TMPDIR" pid lpid rc=0 port
	# accepts, then says nothing
	python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(4)
open(sys.argv[1],"w").write(str(s.getsockname()[1]))
c=s.accept(); time.sleep(60)' "$dir/mute.port" 3>&- &
	lpid=$!
	sim_until test -s "$dir/mute.port"
	sed "s#server: .*#server: https://127.0.0.1:$(cat "$dir/mute.port")#" "$SIM_DIR/kubeconfig" >"$dir/kc-mute"
	KUBECONFIG="$dir/kc-mute" MTV_LOG_LEVEL=debug "$PFCAT" pf g1 22 </dev/null >/dev/null 2>"$dir/err" 3>&- &
	pid=$!
	sim_until grep -q "portforward: wss://" "$dir/err"
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	kill "$lpid" 2>/dev/null || true
	wait "$lpid" 2>/dev/null || true
	assert_equal "$rc" 143
	run grep -c "pf-cat: portforward: pf/g1:22: interrupted" "$dir/err"
	assert_output 1
	# nothing listens at all
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	sed "s#server: .*#server: https://127.0.0.1:$port#" "$SIM_DIR/kubeconfig" >"$dir/kc-closed"
	run --separate-stderr env KUBECONFIG="$dir/kc-closed" "$PFCAT" pf g1 22 </dev/null
	assert_equal "$status" 3
	[[ "$stderr" == "pf-cat: portforward: pf/g1:22: "* ]] || fail "$stderr"
}

@test "portforward: the sim's handshake: the subprotocol is required, the accept key is RFC 6455's" {
	local hdrs=(-H "Connection: Upgrade" -H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13"
		-H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")
	local path=/apis/subresources.kubevirt.io/v1/namespaces/pf/virtualmachineinstances/g1/portforward/22
	run sim_curl "$path" --http1.1 "${hdrs[@]}"
	assert_output --partial '"code":400'
	assert_output --partial 'plain.kubevirt.io'
	run sim_curl "$path" --http1.1 "${hdrs[@]}" -H "Sec-WebSocket-Protocol: plain.kubevirt.io" \
		-D - -o /dev/null --max-time 2
	assert_output --partial "101"
	assert_output --partial "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
	assert_output --partial "Sec-WebSocket-Protocol: plain.kubevirt.io"
	# a plain GET (no upgrade) gets gorilla's refusal, after virt-api's checks
	run sim_curl "$path"
	assert_output --partial "'upgrade' token not found"
}

@test "portforward: virtctl mode runs virtctl with a private kubeconfig, never the token on its command line" {
	local log="$BATS_TEST_TMPDIR/virtctl.json" tok
	tok=$(cat "$SIM_DIR/token")
	run --separate-stderr env PATH="$PF_FIX:$PATH" MTV_SSH_TUNNEL=virtctl FAKE_VIRTCTL_LOG="$log" \
		FAKE_VIRTCTL_TARGET="$(cat "$SIM_DIR/guests/echo/port")" FAKE_VIRTCTL_TOKEN="$tok" \
		"$PFCAT" --expect 8 pf g1 22 <<<"virtctl"
	assert_success
	assert_output "virtctl"
	run jq -c .argv "$log"
	refute_output --partial "$tok"
	run jq -r '.argv[1:8] | join(" ")' "$log"
	assert_output --regexp '^port-forward vm/g1 [0-9]+:22 --namespace pf --address 127.0.0.1$'
	run jq -r '"\(.mode) \(.token_in_kubeconfig)"' "$log"
	assert_output "0o600 true"
	# removed on close
	run jq -r .kubeconfig "$log"
	[ ! -e "$output" ] || fail "$output is still there"
}

@test "portforward: virtctl mode picks another port when virtctl's was taken, and reports virtctl's own error" {
	local log="$BATS_TEST_TMPDIR/virtctl.json" tmp="$BATS_TEST_TMPDIR/tmp"
	mkdir "$tmp"
	run --separate-stderr env PATH="$PF_FIX:$PATH" MTV_SSH_TUNNEL=virtctl FAKE_VIRTCTL_LOG="$log" TMPDIR="$tmp" \
		FAKE_VIRTCTL_TARGET="$(cat "$SIM_DIR/guests/echo/port")" FAKE_VIRTCTL_BUSY="$BATS_TEST_TMPDIR/busy" \
		"$PFCAT" --expect 6 pf g1 22 <<<"again"
	assert_success
	assert_output "again"
	[ -e "$BATS_TEST_TMPDIR/busy" ] || fail "the first virtctl did not run"
	run --separate-stderr env PATH="$PF_FIX:$PATH" MTV_SSH_TUNNEL=virtctl TMPDIR="$tmp" \
		FAKE_VIRTCTL_FAIL='error: virtualmachineinstance.kubevirt.io "g1" not found' "$PFCAT" pf g1 22 </dev/null
	assert_equal "$status" 3
	assert_equal "$stderr" 'pf-cat: portforward: pf/g1:22: virtctl exited 1: error: virtualmachineinstance.kubevirt.io "g1" not found'
	# no private kubeconfig left behind
	run ls -A "$tmp"
	assert_success
	assert_output ""
}

@test "portforward: virtctl mode without virtctl on PATH, and a bad MTV_SSH_TUNNEL, are usage errors" {
	run --separate-stderr env PATH=/usr/bin:/bin MTV_SSH_TUNNEL=virtctl "$PFCAT" pf g1 22 </dev/null
	assert_equal "$status" 2
	assert_equal "$stderr" "pf-cat: portforward: MTV_SSH_TUNNEL=virtctl but virtctl is not on PATH"
	run --separate-stderr env MTV_SSH_TUNNEL=ssh "$PFCAT" pf g1 22 </dev/null
	assert_equal "$status" 2
	[[ "$stderr" == *"MTV_SSH_TUNNEL"* ]] || fail "$stderr"
	sed 's#server: https#server: http#' "$SIM_DIR/kubeconfig" >"$BATS_TEST_TMPDIR/kc-http"
	run --separate-stderr env KUBECONFIG="$BATS_TEST_TMPDIR/kc-http" "$PFCAT" pf g1 22 </dev/null
	assert_equal "$status" 2
	assert_equal "$stderr" "pf-cat: portforward: server \"http://127.0.0.1:$(cat "$SIM_DIR/port")\" is not an https:// URL"
}

@test "portforward: a server URL with a path keeps it in front of the subresource's" {
	sed 's#server: \(https://[^ ]*\)#server: \1/front#' "$SIM_DIR/kubeconfig" >"$BATS_TEST_TMPDIR/kc-front"
	run --separate-stderr env KUBECONFIG="$BATS_TEST_TMPDIR/kc-front" "$PFCAT" pf g1 22 </dev/null
	assert_equal "$status" 3
	assert_equal "$stderr" "pf-cat: portforward: 404 the server could not find the requested resource"
	# the upgrade and the Status fetch after it, both under /front
	run grep -c "GET /front/apis/subresources.kubevirt.io/v1/namespaces/pf/virtualmachineinstances/g1/portforward/22/tcp 404" \
		"$SIM_DIR/requests.log"
	assert_output 2
}

@test "portforward: a migrated VM whose world VM has sshGuest leads to that guest" {
	sim_vsphere_setup pfm
	sim_plan pfm p pfm-target '[{name: mtv-tests-rhel8}]'
	kubectl wait --for=condition=Ready plan/p -n pfm --timeout=20s
	sim_migrate pfm p
	kubectl wait --for=condition=Succeeded plan/p -n pfm --timeout=60s
	run kubectl get vmi mtv-tests-rhel8 -n pfm-target -o jsonpath='{.metadata.annotations.mtv-sim/ssh-guest}'
	assert_output "rhel8"
	run --separate-stderr "$PFCAT" --expect 9 pfm-target mtv-tests-rhel8 22 <<<"migrated"
	assert_success
	assert_output "migrated"
}

@test "portforward: the world's sshGuest must be a string naming a directory" {
	local w="$BATS_TEST_TMPDIR/w.json"
	jq '.providers[0].vms[0].sshGuest = 7' "$MTV_SRC_DIR/tests/fixtures/worlds/portforward.json" >"$w"
	run "$MTV_BIN_DIR/mtv-sim" --world "$w" --state-dir "$BATS_TEST_TMPDIR/s" --port 0
	assert_equal "$status" 2
	assert_output --partial "providers[0].vms[0].sshGuest: expected string"
	jq '.providers[0].vms[0].sshGuest = "../x"' "$MTV_SRC_DIR/tests/fixtures/worlds/portforward.json" >"$w"
	run "$MTV_BIN_DIR/mtv-sim" --world "$w" --state-dir "$BATS_TEST_TMPDIR/s" --port 0
	assert_equal "$status" 2
	assert_output --partial "sshGuest: must be a file name"
}

@test "portforward: pf-cat's round trip is clean under valgrind" {
	command -v valgrind >/dev/null || skip "no valgrind"
	[[ "$MTV_TEST_BIN_DIR" != */san/* ]] || skip "a sanitizer build does not run under valgrind"
	run --separate-stderr valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 "$PFCAT" --expect 6 pf g1 22 <<<"vgrnd"
	assert_success
	assert_output "vgrnd"
}

# ws_echo_start: the fast WebSocket echo server with its own self-signed
# certificate; kubeconfigs trusting it (kc-ws), skipping verification
# (kc-ws-insecure) and trusting the sim's CA instead (kc-ws-wrong-ca).
ws_echo_start() {
	local d="$BATS_TEST_TMPDIR" port
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ws.key" -out "$d/ws.crt" \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 1 2>/dev/null
	python3 "$PF_FIX/ws-echo-server.py" "$d/ws.crt" "$d/ws.key" "$d/ws.port" 3>&- &
	echo $! >"$d/ws.pid"
	sim_until test -s "$d/ws.port"
	port=$(cat "$d/ws.port")
	ws_kubeconfig "$d/kc-ws" "$port" "certificate-authority-data: $(base64 -w0 "$d/ws.crt")"
	ws_kubeconfig "$d/kc-ws-insecure" "$port" "insecure-skip-tls-verify: true"
	ws_kubeconfig "$d/kc-ws-wrong-ca" "$port" "certificate-authority-data: $(base64 -w0 "$SIM_DIR/ca.crt")"
	# the right CA, but the certificate names 127.0.0.1 only
	ws_kubeconfig "$d/kc-ws-name" "$port" "certificate-authority-data: $(base64 -w0 "$d/ws.crt")"
	sed -i 's#https://127.0.0.1:#https://localhost:#' "$d/kc-ws-name"
}

ws_kubeconfig() {
	cat >"$1" <<-EOF
	apiVersion: v1
	kind: Config
	clusters: [{name: ws, cluster: {server: "https://127.0.0.1:$2", $3}}]
	users: [{name: u, user: {token: ws-token}}]
	contexts: [{name: ws, context: {cluster: ws, user: u}}]
	current-context: ws
	EOF
}

ws_echo_stop() {
	kill "$(cat "$BATS_TEST_TMPDIR/ws.pid")" 2>/dev/null || true
	wait "$(cat "$BATS_TEST_TMPDIR/ws.pid")" 2>/dev/null || true
}

@test "portforward: against a fast server 30 MB each way with a slow reader arrive intact (backpressure both ways)" {
	ws_echo_start
	local f="$BATS_TEST_TMPDIR/data"
	head -c 30000000 /dev/urandom >"$f"
	# the reader stalls at first, so the bridge must hold the WebSocket
	# back; timeout turns a stuck tunnel into a failure
	KUBECONFIG="$BATS_TEST_TMPDIR/kc-ws" run --separate-stderr bash -c \
		'timeout 120 "$1" --expect 30000000 pf x 22 <"$2" | { sleep 1; sha256sum; }' _ "$PFCAT" "$f"
	ws_echo_stop
	assert_success
	assert_output "$(sha256sum <"$f")"
	[[ "$stderr" == *"tunnel sent 30000000 received 30000000"* ]] || fail "counts: $stderr"
}

@test "portforward: TLS: the kubeconfig's CA is checked, insecure-skip-tls-verify skips it" {
	ws_echo_start
	local port
	port=$(cat "$BATS_TEST_TMPDIR/ws.port")
	KUBECONFIG="$BATS_TEST_TMPDIR/kc-ws-wrong-ca" run --separate-stderr "$PFCAT" pf x 22 </dev/null
	local wrong=$status wrong_err=$stderr
	KUBECONFIG="$BATS_TEST_TMPDIR/kc-ws-name" run --separate-stderr "$PFCAT" pf x 22 </dev/null
	local name=$status name_err=$stderr
	KUBECONFIG="$BATS_TEST_TMPDIR/kc-ws-insecure" run --separate-stderr "$PFCAT" --expect 4 pf x 22 <<<"ins"
	ws_echo_stop
	assert_success
	assert_output "ins"
	assert_equal "$wrong" 3
	assert_equal "$wrong_err" "pf-cat: portforward: pf/x:22: 127.0.0.1:$port: the server's certificate: self-signed certificate"
	assert_equal "$name" 3
	assert_equal "$name_err" "pf-cat: portforward: pf/x:22: localhost:$port: the server's certificate: hostname mismatch"
}

@test "portforward: after all of the above the sim stops cleanly on SIGTERM (no sanitizer report)" {
	run sim_stop_checked
	assert_success
}
