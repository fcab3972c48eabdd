#!/usr/bin/env bats
# The mtv-cold-migration workflow through mtv-run against mtv-sim, as
# ci-operator would run it, and what it leaves behind.
bats_require_minimum_version 1.5.0

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start_checked --speed 0
}

teardown_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_stop
}

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	SIM_DIR="$BATS_FILE_TMPDIR/sim"
	PROFILE="$BATS_TEST_TMPDIR/profile"
	mkdir -p "$PROFILE"
	cp "$SIM_DIR/providers.json" "$PROFILE/.providers.json"
}

# The sim's vSphere provider here is simulated (no vcsim behind it), so it
# speaks no vim25: mtv-prepare-vms runs but is told to leave the VMs alone.
run_workflow() {
	PATH="$MTV_BIN_DIR:$PATH" run --separate-stderr "$MTV_BIN_DIR/mtv-run" --repo "$MTV_SRC_DIR" \
		--out "$BATS_TEST_TMPDIR/out" --kubeconfig "$SIM_DIR/kubeconfig" --cluster-profile-dir "$PROFILE" \
		--env MTV_SOURCE_PROVIDER=vsphere-8.0.3 --env MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd \
		--env MTV_PREPARE_VMS=false --env MTV_GUEST_CHECKS=false "$@" workflow mtv-cold-migration
}

@test "workflow: mtv-cold-migration passes, reports every step, and leaves nothing behind" {
	run_workflow
	[ "$status" -eq 0 ] || fail "mtv-run exited $status: $stderr"
	junit="$BATS_TEST_TMPDIR/out/artifacts/junit_operator.xml"
	for step in create-provider prepare-vms storagemap networkmap plan migrate check-vms gather teardown; do
		grep -q "<testcase name=\"Run multi-stage test mtv-cold-migration - mtv-cold-migration-mtv-$step container test\" classname=\"step graph\" time=\"[0-9.]*\"/>" "$junit" ||
			fail "no passing test case for mtv-$step in junit_operator.xml"
	done
	for phase in pre test post; do
		grep -q "Run multi-stage test $phase phase" "$junit" || fail "no $phase phase case"
	done
	# Every step wrote its own JUnit into its ARTIFACT_DIR.
	[ -f "$BATS_TEST_TMPDIR/out/artifacts/mtv-cold-migration/mtv-check-vms/artifacts/junit_mtv_check_vms.xml" ]
	# Teardown removed the session's namespace and everything in it.
	id=$(sed -n 's/.*"id":[[:space:]]*"\(auto-[a-z0-9]*\)".*/\1/p' "$BATS_TEST_TMPDIR/out/shared/mtv-session.json")
	[ -n "$id" ]
	run kubectl --kubeconfig "$SIM_DIR/kubeconfig" get namespace "$id"
	assert_failure
	run kubectl --kubeconfig "$SIM_DIR/kubeconfig" get providers,plans,migrations,storagemaps,networkmaps -A \
		-l "mtv-steps/session=$id" -o name
	assert_success
	assert_output ""
	# The credentials mounted in CLUSTER_PROFILE_DIR never reach a log or artifact.
	for s in sim-vsphere-password sim-guest-linux "$(cat "$SIM_DIR/token")"; do
		! grep -rqF -- "$s" "$BATS_TEST_TMPDIR/out/artifacts" || fail "secret found in artifacts"
	done
}

@test "workflow: every Forklift object validated against the real CRDs" {
	[ -d "${MTV_SHARED_REF:-}/forklift-crds" ] ||
		skip "no Forklift CRDs at \$MTV_SHARED_REF/forklift-crds (${MTV_SHARED_REF:-unset})"
	run_workflow
	[ "$status" -eq 0 ] || fail "mtv-run exited $status: $stderr"
	# The sim answers 422 to a create or update the schema rejects (the
	# steps would have failed), and logs any object it wrote itself that
	# does not validate.
	! grep -q "fails its CRD schema" "$BATS_FILE_TMPDIR/sim.log" || fail "$(grep 'fails its CRD schema' "$BATS_FILE_TMPDIR/sim.log")"
	! grep -E ' 422$' "$SIM_DIR/requests.log" || fail "a request was rejected as invalid"
	grep -qE '^[^ ]+ POST /apis/forklift.konveyor.io/v1beta1/namespaces/[^ ]+/plans 201$' "$SIM_DIR/requests.log"
}

@test "workflow: .providers.json from the refs' credentials mount wins over the cluster profile's" {
	creds="$BATS_TEST_TMPDIR/creds"
	mkdir -p "$creds"
	mv "$PROFILE/.providers.json" "$creds/.providers.json"
	# a profile whose providers file lacks the provider: read, it fails the run
	echo '{"other-provider": {"type": "ova"}}' >"$PROFILE/.providers.json"
	run_workflow --credentials "test-credentials/mtv-providers=$creds"
	[ "$status" -eq 0 ] || fail "mtv-run exited $status: $stderr"
	log="$BATS_TEST_TMPDIR/out/artifacts/mtv-cold-migration/mtv-create-provider/build-log.txt"
	grep -q "$creds/.providers.json" "$log" || fail "create-provider did not name the credentials file: $(cat "$log")"
	# the mount's values are censored like the profile's
	! grep -rqF -- sim-vsphere-password "$BATS_TEST_TMPDIR/out/artifacts" || fail "secret found in artifacts"
	# without the mapping the step falls back to the cluster profile
	run_workflow
	assert_equal "$status" 1
	grep -q 'other-provider' "$BATS_TEST_TMPDIR/out/artifacts/mtv-cold-migration/mtv-create-provider/build-log.txt"
}

@test "workflow: a missing required parameter is the loader's error, exit 2, nothing run" {
	PATH="$MTV_BIN_DIR:$PATH" run --separate-stderr "$MTV_BIN_DIR/mtv-run" --repo "$MTV_SRC_DIR" \
		--out "$BATS_TEST_TMPDIR/out" --kubeconfig "$SIM_DIR/kubeconfig" workflow mtv-cold-migration
	assert_failure 2
	[[ "$stderr" == *"unresolved parameter: MTV_SOURCE_PROVIDER"* ]]
	[ ! -d "$BATS_TEST_TMPDIR/out/artifacts/mtv-cold-migration/mtv-create-provider" ]
}
