#!/usr/bin/env bats
# The secrets audit: every password, token and key of a run (the providers
# file, the cluster's token, kubeadmin password and client key, and each
# one's base64 form) is searched for in everything the run wrote: stdout,
# stderr at MTV_LOG_LEVEL=trace, JUnit, ARTIFACT_DIR, SHARED_DIR, mtv-run's
# output tree and the --dry-run manifests.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"
source "$MTV_SRC_DIR/tests/bats/secrets.bash"

setup() {
	e2e_setup
	export MTV_LOG_LEVEL=trace
	secrets_collect "$MTV_PROVIDERS_FILE"
	# the audit is only worth something if there are secrets of each kind
	[ "${#SECRETS[@]}" -ge 12 ] || fail "only ${#SECRETS[@]} secrets to look for"
}

# run_workflow NAME: through mtv-run, as ci-operator would, at trace level,
# with the providers file in the cluster profile.
run_workflow() {
	local profile="$BATS_TEST_TMPDIR/profile"
	mkdir -p "$profile" "$BATS_TEST_TMPDIR/out"
	cp "$MTV_PROVIDERS_FILE" "$profile/.providers.json"
	PATH="$MTV_BIN_DIR:$PATH" run --separate-stderr "$MTV_BIN_DIR/mtv-run" --repo "$MTV_SRC_DIR" \
		--out "$BATS_TEST_TMPDIR/out/run" --kubeconfig "$SIM_DIR/kubeconfig" --cluster-profile-dir "$profile" \
		--env MTV_SOURCE_PROVIDER=vsphere-8.0.3 --env MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd \
		--env MTV_PREPARE_VMS=false --env MTV_GUEST_CHECKS=false --env MTV_LOG_LEVEL=trace workflow "$1"
	echo "$output" >"$BATS_TEST_TMPDIR/out/mtv-run.stdout"
	echo "$stderr" >"$BATS_TEST_TMPDIR/out/mtv-run.stderr"
}

# The trace level was on: request bodies were logged, so the audit looked
# at the most a step ever writes.
assert_traced() {
	grep -rq ' TRACE ' "$@" || fail "no TRACE line in $*: the audit saw a quieter run than it claims"
}

@test "secrets audit: the cold workflow at trace level leaks nothing anywhere" {
	run_workflow mtv-cold-migration
	[ "$status" -eq 0 ] || fail "mtv-run exited $status: $stderr"
	assert_traced "$BATS_TEST_TMPDIR/out"
	secrets_audit "$BATS_TEST_TMPDIR/out"
	[ "$AUDIT_FILES" -ge 20 ] || fail "only $AUDIT_FILES files audited"
}

@test "secrets audit: the warm workflow at trace level leaks nothing anywhere" {
	run_workflow mtv-warm-migration
	[ "$status" -eq 0 ] || fail "mtv-run exited $status: $stderr"
	assert_traced "$BATS_TEST_TMPDIR/out"
	secrets_audit "$BATS_TEST_TMPDIR/out"
}

@test "secrets audit: every step by hand, its --dry-run manifests, gather and teardown, with a client-certificate kubeconfig" {
	local s out="$BATS_TEST_TMPDIR/out"
	mkdir -p "$out"
	export KUBECONFIG="$SIM_DIR/kubeconfig-cert"
	for s in create-provider storagemap networkmap plan migrate check-vms gather teardown; do
		case "$s" in
		create-provider | storagemap | networkmap | plan)
			for fmt in yaml json; do
				run --separate-stderr "$MTV_BIN_DIR/mtv-$s" --dry-run -o "$fmt"
				[ "$status" -eq 0 ] || fail "mtv-$s --dry-run -o $fmt exited $status: $stderr"
				[ -n "$output" ] || fail "mtv-$s --dry-run -o $fmt printed nothing"
				echo "$output" >"$out/$s.dry-run.$fmt"
				echo "$stderr" >"$out/$s.dry-run.$fmt.stderr"
			done
			;;
		esac
		run --separate-stderr "$MTV_BIN_DIR/mtv-$s"
		[ "$status" -eq 0 ] || fail "mtv-$s exited $status: $stderr"
		echo "$output" >"$out/$s.stdout"
		echo "$stderr" >"$out/$s.stderr"
	done
	# the manifests hold the provider Secret: its keys, not its values
	grep -q 'password' "$out/create-provider.dry-run.yaml" || fail "no Secret in the dry-run manifests?"
	assert_traced "$out"
	secrets_audit "$out" "$ARTIFACT_DIR" "$SHARED_DIR"
}

@test "secrets audit: refused credentials are not echoed in the errors" {
	local out="$BATS_TEST_TMPDIR/out" bad="wrong-token-$RANDOM$RANDOM"
	mkdir -p "$out"
	# a kubeconfig whose token the cluster refuses
	sed "s/^\( *token:\).*/\1 $bad/" "$SIM_DIR/kubeconfig" >"$BATS_TEST_TMPDIR/kubeconfig-bad"
	grep -q "$bad" "$BATS_TEST_TMPDIR/kubeconfig-bad"
	run --separate-stderr env KUBECONFIG="$BATS_TEST_TMPDIR/kubeconfig-bad" "$MTV_BIN_DIR/mtv-create-provider"
	[ "$status" -eq 3 ] || fail "expected exit 3 for a refused token, got $status: $stderr"
	[[ "$stderr" == *401* || "$stderr" == *nauthorized* ]] || fail "the error does not say why: $stderr"
	echo "$output$stderr" >"$out/bad-token"
	# a providers file whose vCenter password is wrong
	python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
p["vsphere-8.0.3"]["password"] = sys.argv[3]
json.dump(p, open(sys.argv[2], "w"))
' "$MTV_PROVIDERS_FILE" "$BATS_TEST_TMPDIR/providers-bad.json" "bad-vc-password-$RANDOM$RANDOM"
	MTV_PROVIDERS_FILE="$BATS_TEST_TMPDIR/providers-bad.json" MTV_PROVIDER_READY_TIMEOUT=5 \
		run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider"
	echo "$output$stderr" >"$out/bad-password"
	secrets_collect "$BATS_TEST_TMPDIR/providers-bad.json" "$BATS_TEST_TMPDIR/kubeconfig-bad"
	secret_add "the refused token" "$bad"
	assert_traced "$out"
	secrets_audit "$out" "$ARTIFACT_DIR" "$SHARED_DIR"
}
