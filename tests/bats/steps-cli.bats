#!/usr/bin/env bats
# The step binaries without a cluster: --help and the registry agree, docs
# are current, and bad input fails with exit 2 before anything is written.
bats_require_minimum_version 1.5.0

STEPS="create-provider storagemap networkmap plan migrate check-vms gather teardown"

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	cd "$BATS_TEST_TMPDIR"
	export SHARED_DIR="$BATS_TEST_TMPDIR/shared" ARTIFACT_DIR="$BATS_TEST_TMPDIR/artifacts"
	mkdir -p "$SHARED_DIR" "$ARTIFACT_DIR"
	# A cluster nobody listens on: a step that gets that far fails with 3.
	cat >"$BATS_TEST_TMPDIR/kubeconfig" <<-EOF
	apiVersion: v1
	kind: Config
	clusters: [{name: c, cluster: {server: "https://127.0.0.1:9", insecure-skip-tls-verify: true}}]
	users: [{name: u, user: {token: not-a-real-token}}]
	contexts: [{name: x, context: {cluster: c, user: u}}]
	current-context: x
	EOF
	export KUBECONFIG="$BATS_TEST_TMPDIR/kubeconfig" MTV_HTTP_RETRIES=1 MTV_HTTP_CONNECT_TIMEOUT=2
}

# The env names a ref declares, sorted.
ref_env() {
	sed -n 's/^  - name: \(MTV_[A-Z0-9_]*\)$/\1/p' "$MTV_SRC_DIR/steps/$1/mtv-$1-ref.yaml" | sort -u
}

@test "steps: --help lists exactly the MTV_ parameters the ref declares (plus MTV_LOG_LEVEL)" {
	for s in $STEPS; do
		run "$MTV_BIN_DIR/mtv-$s" --help
		assert_success
		help_env=$( (echo "$output" | sed -n 's/^      \(MTV_[A-Z0-9_]*\).*/\1/p'; echo MTV_LOG_LEVEL) | sort -u)
		assert_equal "$s: $help_env" "$s: $(ref_env "$s")"
	done
}

@test "steps: every README is the generated one (make docs)" {
	for s in $STEPS; do
		run "$MTV_BIN_DIR/mtv-$s" --help
		assert_success
		# An empty --help would be contained in any README.
		[[ "$output" == *"MTV_"* ]] || fail "mtv-$s --help lists no parameter: '$output'"
		readme=$(cat "$MTV_SRC_DIR/steps/$s/README.md")
		[[ "$readme" == *"$output"* ]] || fail "steps/$s/README.md is out of date: run make docs"
	done
}

@test "steps: an unknown option is exit 2 and names it" {
	run --separate-stderr "$MTV_BIN_DIR/mtv-plan" --colour=red
	assert_failure 2
	[[ "$stderr" == *"unknown or incomplete option '--colour=red'"* ]]
}

@test "create-provider: a missing providers file is exit 2, nothing written" {
	run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider" --source-provider=vsphere
	assert_failure 2
	[[ "$stderr" == *"providers file: ./.providers.json: No such file or directory"* ]]
	assert_equal "$(ls "$SHARED_DIR")" ""
}

@test "create-provider: invalid JSON names file, line and column; exit 2" {
	printf '{\n  "vsphere": {"type": "vsphere", # pragma: allowlist secret\n}}\n' >.providers.json
	run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider" --source-provider=vsphere
	assert_failure 2
	[[ "$stderr" == *"./.providers.json:2:"*": invalid JSON"* ]]
	assert_equal "$(ls "$SHARED_DIR")" ""
}

@test "create-provider: an unknown MTV_SOURCE_PROVIDER lists the keys, never a password" {
	printf '{"vsphere-8": {"type": "vsphere", "fqdn": "h", "api_url": "/sdk", "username": "u", "password": "pw-123456"},\n "ova": {"type": "ova", "api_url": "nfs:/x"}}\n' >.providers.json
	MTV_SOURCE_PROVIDER=vsphere-7 run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider"
	assert_failure 2
	[[ "$stderr" == *'no provider "vsphere-7" (MTV_SOURCE_PROVIDER); keys: vsphere-8, ova'* ]]
	[[ "$stderr$output" != *pw-123456* ]]
	assert_equal "$(ls "$SHARED_DIR")" ""
}

@test "create-provider: MTV_SOURCE_PROVIDER is required" {
	run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider"
	assert_failure 2
	[[ "$stderr" == *"MTV_SOURCE_PROVIDER (--source-provider) is required"* ]]
}

@test "create-provider: an unreachable cluster is exit 3 and leaves SHARED_DIR empty" {
	printf '{"v": {"type": "vsphere", "fqdn": "h", "api_url": "/sdk", "username": "u", "password": "pw-123456"}}\n' >.providers.json
	MTV_PREFLIGHT_TIMEOUT=1 run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider" --source-provider=v
	assert_failure 3
	[[ "$stderr" == *"127.0.0.1:9"* ]]
	[[ "$stderr$output" != *pw-123456* && "$stderr" != *not-a-real-token* ]]
	assert_equal "$(ls "$SHARED_DIR")" ""
	# JUnit is written whatever happened.
	[ -f "$ARTIFACT_DIR/junit_mtv_create_provider.xml" ]
}

@test "create-provider: --dry-run prints the objects and writes nothing" {
	printf '{"v": {"type": "vsphere", "version": "8.0.3", "fqdn": "vc", "api_url": "/sdk", "username": "u", "password": "pw-123456", "vddk_init_image": "quay.io/x/vddk:8"}}\n' >.providers.json
	run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider" --source-provider=v --dry-run -o yaml
	assert_success
	[[ "$output" == *"kind: Provider"* && "$output" == *"vddkInitImage: quay.io/x/vddk:8"* ]]
	[[ "$output" == *"url: https://vc/sdk"* && "$output" == *"-source-vsphere-8-0-3"* ]]
	[[ "$output" == *"pod-security.kubernetes.io/enforce: restricted"* ]]
	[[ "$output" != *pw-123456* ]] || fail "the dry run printed the password in clear"
	assert_equal "$(ls "$SHARED_DIR")" ""
}

@test "storagemap: without a session it is exit 2 naming mtv-session.json" {
	run --separate-stderr "$MTV_BIN_DIR/mtv-storagemap" --storage-class=fast
	assert_failure 2
	[[ "$stderr" == *"$SHARED_DIR/mtv-session.json: no session; run mtv-create-provider first"* ]]
}

@test "storagemap: MTV_STORAGE_CLASS is required" {
	run --separate-stderr "$MTV_BIN_DIR/mtv-storagemap"
	assert_failure 2
	[[ "$stderr" == *"MTV_STORAGE_CLASS (--storage-class) is required"* ]]
}

@test "steps: a corrupt SHARED_DIR file is exit 2 naming the file" {
	printf '{"id": "auto-ab12", ' >"$SHARED_DIR/mtv-session.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-networkmap"
	assert_failure 2
	[[ "$stderr" == *"corrupt state file"*"mtv-session.json:1:"* ]]
}

@test "steps: an unknown scenario is exit 2" {
	printf '{"id":"auto-ab12","targetNamespace":"auto-ab12","baseName":"auto-ab12-source-vsphere","mtvNamespace":"openshift-mtv","sourceType":"vsphere"}' >"$SHARED_DIR/mtv-session.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-networkmap" --scenario=test_nope
	assert_failure 2
	[[ "$stderr" == *'no scenario "test_nope" (MTV_SCENARIO)'* ]]
}

@test "steps: a scenario catalog with a wrong type is exit 2 naming the key" {
	printf '{"id":"auto-ab12","targetNamespace":"auto-ab12","baseName":"auto-ab12-source-vsphere","mtvNamespace":"openshift-mtv","sourceType":"vsphere"}' >"$SHARED_DIR/mtv-session.json"
	printf '{"mine": {"virtual_machines": [{"name": "a"}], "warm_migration": "no"}}' >catalog.json
	run --separate-stderr "$MTV_BIN_DIR/mtv-networkmap" --tests-params=catalog.json --scenario=mine
	assert_failure 2
	[[ "$stderr" == *"catalog.json: mine.warm_migration: expected boolean, got string"* ]]
}

@test "migrate: without mtv-plan.json it is exit 2 naming the step to run" {
	printf '{"id":"auto-ab12","targetNamespace":"auto-ab12","baseName":"auto-ab12-source-vsphere","mtvNamespace":"openshift-mtv","sourceType":"vsphere"}' >"$SHARED_DIR/mtv-session.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	assert_failure 2
	[[ "$stderr" == *"mtv-plan.json: missing; run mtv-plan first"* ]]
}
