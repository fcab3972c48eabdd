#!/usr/bin/env bats
# lib/http against a local HTTPS server: TLS verification, client
# certificates, bearer tokens, retries and what is never retried, redaction.
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
}

teardown() {
	fakeapi_stop
}

OBJ='/api/v1/namespaces/ns/configmaps/a={"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"ns"},"data":{"k":"v"}}'

@test "http: the server certificate verifies against the kubeconfig CA" {
	fakeapi_start --object "$OBJ"
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_success
	assert_output --partial '"name":"a"'
}

@test "http: a server certificate from another CA is rejected, exit 3, not retried" {
	fakeapi_start --object "$OBJ"
	fakeapi_kubeconfig tok otherca
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_failure 3
	assert_output ""
	[[ "$stderr" == *"ConfigMap ns/a: GET https://127.0.0.1:$PORT/api/v1/namespaces/ns/configmaps/a"* ]]
	[[ "$stderr" == *"certificate"* ]]
	[[ "$stderr" == *"(after 1 attempt)"* ]]
	[ "$(reqcount .)" -eq 0 ]
}

@test "http: client certificate authentication" {
	fakeapi_start --client-ca "$BATS_FILE_TMPDIR/clientca.crt" --object "$OBJ"
	fakeapi_kubeconfig "" ca with-cert
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_success
	assert_output --partial '"name":"a"'

	# the same server without a client certificate: 401, exit 3
	fakeapi_kubeconfig tok ca
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_failure 3
	[[ "$stderr" == *"ConfigMap ns/a: 401 unauthorized"* ]]
}

@test "http: bearer token accepted; a wrong one gives exit 3 without printing it" {
	fakeapi_start --token good-token-123 --object "$OBJ"
	fakeapi_kubeconfig good-token-123
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_success
	grep -q 'GET /api/v1/namespaces/ns/configmaps/a auth=yes' "$REQLOG"

	fakeapi_kubeconfig wrong-token-456
	MTV_LOG_LEVEL=trace run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_failure 3
	[[ "$stderr" == *"ConfigMap ns/a: 401 unauthorized: the API server rejected the credentials"* ]]
	[[ "$stderr" != *wrong-token-456* ]]
	[[ "$output" != *wrong-token-456* ]]
	# a 401 is not retried
	[ "$(reqcount 'GET /api/v1/namespaces/ns/configmaps/a')" -eq 2 ]
}

@test "http: 503 is retried until it succeeds" {
	fakeapi_start --fail-503 2 --object "$OBJ"
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_success
	assert_output --partial '"name":"a"'
	[ "$(reqcount 'GET /api/v1/namespaces/ns/configmaps/a')" -eq 3 ]
	[[ "$stderr" == *"HTTP 503, retrying in"* ]]
}

@test "http: 503 that never ends gives up after MTV_HTTP_RETRIES attempts, exit 3" {
	fakeapi_start --fail-503 100 --object "$OBJ"
	fakeapi_kubeconfig tok
	MTV_HTTP_RETRIES=3 run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_failure 3
	[[ "$stderr" == *"ConfigMap ns/a: 503 ServiceUnavailable"* ]]
	[ "$(reqcount 'GET /api/v1/namespaces/ns/configmaps/a')" -eq 3 ]
}

@test "http: 429 is retried after the Retry-After the server asked for" {
	fakeapi_start --fail-429 1 --object "$OBJ"
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" create configmaps ns '{"metadata":{"name":"b"}}'
	assert_success
	assert_output b
	# even a POST: a 429 means the server did nothing
	[ "$(reqcount 'POST /api/v1/namespaces/ns/configmaps')" -eq 2 ]
	[[ "$stderr" == *"HTTP 429, retrying in 1000 ms"* ]]
}

@test "http: a generateName POST whose connection dropped is not repeated; the error says so" {
	fakeapi_start --drop-post 1
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" create configmaps ns '{"metadata":{"generateName":"b-"}}'
	assert_failure 3
	[[ "$stderr" == *"may or may not have been applied, re-read before retrying"* ]]
	[[ "$stderr" == *"reason=Ambiguous"* ]]
	[ "$(reqcount 'POST ')" -eq 1 ]
}

@test "http: a named POST whose connection dropped is sent again (a repeat can only be a 409)" {
	fakeapi_start --drop-post 1
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" create configmaps ns '{"metadata":{"name":"b"}}'
	assert_success
	assert_output b
	[ "$(reqcount 'POST ')" -eq 2 ]
}

@test "http: a 500 is retried for GET, a named POST and a merge patch, not for a generateName POST" {
	fakeapi_start --fail-500 1 --object "$OBJ"
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_success
	[ "$(reqcount 'GET ')" -eq 2 ]

	fakeapi_stop
	: >"$REQLOG"
	fakeapi_start --fail-500 1 --object "$OBJ"
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" patch configmaps ns a '{"data":{"z":"1"}}'
	assert_success
	[ "$(reqcount 'PATCH ')" -eq 2 ]

	fakeapi_stop
	: >"$REQLOG"
	fakeapi_start --fail-500 1
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" create configmaps ns '{"metadata":{"name":"b"}}'
	assert_success
	[ "$(reqcount 'POST ')" -eq 2 ]

	fakeapi_stop
	: >"$REQLOG"
	fakeapi_start --fail-500 1
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" create configmaps ns '{"metadata":{"generateName":"b-"}}'
	assert_failure 3
	[[ "$stderr" == *"ConfigMap ns/b-*: 500 InternalError"*"; the request may or may not have been applied, re-read before retrying"* ]]
	[[ "$stderr" == *"http_status=500 reason=Ambiguous"* ]]
	[ "$(reqcount 'POST ')" -eq 1 ]
}

@test "http: a 504 is retried for GET; on a generateName POST it is reported as ambiguous" {
	fakeapi_start --fail-504 1 --object "$OBJ"
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_success
	[ "$(reqcount 'GET ')" -eq 2 ]

	fakeapi_stop
	: >"$REQLOG"
	fakeapi_start --fail-504 1
	fakeapi_kubeconfig tok
	run --separate-stderr "$KUBEPROBE" create configmaps ns '{"metadata":{"generateName":"b-"}}'
	assert_failure 3
	[[ "$stderr" == *"ConfigMap ns/b-*: 504 Timeout: "*"; the request may or may not have been applied, re-read before retrying"* ]]
	[[ "$stderr" == *"http_status=504 reason=Ambiguous"* ]]
	[ "$(reqcount 'POST ')" -eq 1 ]
}

@test "http: an unreachable server fails with exit 3 after the retries" {
	fakeapi_start
	fakeapi_kubeconfig tok
	fakeapi_stop
	MTV_HTTP_RETRIES=2 run --separate-stderr "$KUBEPROBE" get configmaps ns a
	assert_failure 3
	[[ "$stderr" == *"Couldn't connect to server"* ]]
	[[ "$stderr" == *"(after 2 attempts)"* ]]
}

@test "http: trace logs never show the token or Secret data" {
	fakeapi_start --token tok-SEKRIT-1
	fakeapi_kubeconfig tok-SEKRIT-1
	MTV_LOG_LEVEL=trace run --separate-stderr "$KUBEPROBE" create secrets ns \
		'{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"password":"aHVudGVyMg=="},"stringData":{"token":"plainSEKRIT"}}'
	assert_success
	assert_output s
	[[ "$stderr" == *"POST https://127.0.0.1:$PORT/api/v1/namespaces/ns/secrets -> 201"* ]]
	[[ "$stderr" != *SEKRIT* ]]
	[[ "$stderr" != *aHVudGVyMg==* ]]

	MTV_LOG_LEVEL=trace run --separate-stderr "$KUBEPROBE" get secrets ns s
	assert_success
	[[ "$stderr" == *"GET https://127.0.0.1:$PORT/api/v1/namespaces/ns/secrets/s -> 200"* ]]
	[[ "$stderr" != *SEKRIT* ]]
	[[ "$stderr" != *aHVudGVyMg==* ]]
}
