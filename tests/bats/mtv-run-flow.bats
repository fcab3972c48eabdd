#!/usr/bin/env bats
# mtv-run: the multi-stage flow (pre, test, post), best_effort,
# optional_on_success, the command prefix, the step environment and
# junit_operator.xml.
bats_require_minimum_version 1.5.0

setup() {
	load ../fixtures/registry/helpers
}

@test "mtv-run: a workflow whose steps all pass exits 0 with per-step artifacts" {
	run_config_test all-pass
	assert_success
	assert_output --partial "Running step all-pass-setup."
	assert_output --partial "Step all-pass-setup succeeded after"
	assert_output --partial "Step all-pass-gather succeeded after"
	for s in setup e2e gather; do
		[ -f "$(step_dir all-pass $s)/build-log.txt" ]
		[ -d "$(step_dir all-pass $s)/artifacts" ]
		run grep -c '"result":.*"SUCCESS"' "$(step_dir all-pass $s)/finished.json"
		assert_output 1
	done
	run cat "$(step_dir all-pass e2e)/build-log.txt"
	assert_output "from setup"
}

@test "mtv-run: a pre failure stops pre, skips test and still runs post; exit 1" {
	run_config_test pre-fails
	assert_failure 1
	assert_output --partial "Step pre-fails-setup failed after"
	[ ! -e "$(step_dir pre-fails setup-more)" ]
	[ ! -e "$(step_dir pre-fails e2e)" ]
	[ -f "$(step_dir pre-fails gather)/artifacts/ran" ]
	run cat "$(step_dir pre-fails setup)/finished.json"
	assert_output --partial '"FAILURE"'
	assert_output --partial '"exit_code":	3'
}

@test "mtv-run: a test failure stops the test phase; post runs" {
	run_config_test test-fails
	assert_failure 1
	[ ! -e "$(step_dir test-fails e2e-more)" ]
	[ -f "$(step_dir test-fails gather)/artifacts/ran" ]
}

@test "mtv-run: a failing post step does not stop later post steps" {
	run_config_test post-fails
	assert_failure 1
	assert_output --partial "Step post-fails-gather failed after"
	[ -f "$(step_dir post-fails teardown)/artifacts/ran" ]
	# and the same test passes when the post step does
	run_config_test post-fails --env GATHER_EXIT=0
	assert_success
}

@test "mtv-run: best_effort failures are ignored with allow_best_effort_post_steps" {
	run_config_test best-effort
	assert_success
	assert_output --partial "Pod best-effort-upload is running in best-effort mode, ignoring the failure..."
	[ -f "$(step_dir best-effort teardown)/artifacts/ran" ]
	# the container case still records the failure; the post phase passes
	run junit
	assert_output --partial '<testcase name="Run multi-stage test best-effort - best-effort-upload container test"'
	assert_output --partial 'upload failed, but it is best effort'
	refute_output --regexp 'post phase"[^>]*>[^<]*<failure'
}

@test "mtv-run: best_effort without allow_best_effort_post_steps fails the test" {
	run_config_test best-effort-not-allowed
	assert_failure 1
	refute_output --partial "best-effort mode"
}

@test "mtv-run: optional_on_success steps are skipped when everything passed" {
	run_config_test optional
	assert_success
	assert_output --partial "Skipping optional step optional-must-gather"
	[ ! -e "$(step_dir optional must-gather)" ]
	[ -f "$(step_dir optional teardown)/artifacts/ran" ]
	run junit
	refute_output --partial "optional-must-gather"
}

@test "mtv-run: optional_on_success steps run after a failure" {
	run_config_test optional --env E2E_EXIT=1
	assert_failure 1
	[ -f "$(step_dir optional must-gather)/artifacts/ran" ]
}

@test "mtv-run: optional_on_success steps run without allow_skip_on_success" {
	run_config_test optional-not-allowed
	assert_success
	[ -f "$(step_dir optional-not-allowed must-gather)/artifacts/ran" ]
}

@test "mtv-run: optional_on_success outside post is refused before anything runs" {
	run_config_test optional-in-pre
	assert_failure 2
	assert_output --partial 'test/optional-in-pre: step/early: `optional_on_success` is only allowed for Post steps'
	[ ! -e "$OUTDIR/artifacts" ]
}

@test "mtv-run: the post phase case aggregates its step errors as utilerrors.NewAggregate does" {
	run_config_test post-both-fail
	assert_failure 1
	run junit
	assert_output --partial '<failure message="">[&quot;post-both-fail&quot; pod &quot;post-both-fail-gather&quot; failed'
	assert_output --partial 'Container test exited with code 1, reason Error'
	assert_output --partial 'gather failed&#10;---, &quot;post-both-fail&quot; pod &quot;post-both-fail-teardown&quot; failed'
	assert_output --partial 'teardown failed&#10;---]</failure>'
}

@test "mtv-run: junit_operator.xml has ci-operator's suite, case names and failure texts" {
	run_config_test pre-fails
	assert_failure 1
	run junit
	assert_output --partial '<testsuite name="step graph" tests="4" failures="2"'
	assert_output --partial '<testcase name="Run multi-stage test pre phase"'
	assert_output --partial '<testcase name="Run multi-stage test post phase"'
	assert_output --partial '<system-out>The collected steps of multi-stage phase post.</system-out>'
	assert_output --partial '<testcase name="Run multi-stage test pre-fails - pre-fails-setup container test"'
	assert_output --partial '<testcase name="Run multi-stage test pre-fails - pre-fails-gather container test"'
	# the step's failure text is its log tail; the phase's names the pod
	assert_output --partial '<failure message="">setup is failing on purpose'
	# the phase case holds the aggregated step errors, without the test-level
	# "<T> pre steps failed:" prefix (ci-tools multi_stage/run.go, runSteps)
	assert_output --partial '<failure message="">&quot;pre-fails&quot; pod &quot;pre-fails-setup&quot; failed'
	refute_output --partial 'pre steps failed'
	assert_output --partial 'Container test exited with code 3, reason Error'
	# skipped phases and steps have no case
	refute_output --partial 'test phase'
	refute_output --partial 'pre-fails-setup-more'
	refute_output --partial 'pre-fails-e2e'
	# cases are sorted by name
	run grep -o 'testcase name="[^"]*"' "$OUTDIR/artifacts/junit_operator.xml"
	sorted=$(printf '%s\n' "$output" | LC_ALL=C sort)
	assert_equal "$output" "$sorted"
}

@test "mtv-run: junit_operator.xml of a passing run has no failures" {
	run_config_test all-pass
	assert_success
	run junit
	assert_output --partial 'tests="6" failures="0"'
	refute_output --partial '<failure'
}

@test "mtv-run: commands run with set -eu; run_as_script runs the script as written" {
	run_config_test commands
	assert_failure 1
	[ ! -e "$(step_dir commands nounset)/artifacts/reached" ]
	run cat "$(step_dir commands nounset)/build-log.txt"
	assert_output --partial "NOT_SET_ANYWHERE: unbound variable"
	[ ! -e "$(step_dir commands errexit)/artifacts/reached" ]
	run cat "$(step_dir commands script)/artifacts/reached"
	assert_output "unset"
}

@test "mtv-run: steps get ci-operator's environment and only their parameters" {
	mkdir -p "$BATS_TEST_TMPDIR/profile"
	echo "apiVersion: v1" >"$BATS_TEST_TMPDIR/kubeconfig"
	KUBECONFIG="$BATS_TEST_TMPDIR/kubeconfig" run_config_test environment \
		--cluster-profile-dir "$BATS_TEST_TMPDIR/profile" --job-name periodic-mtv --namespace ci-op-test
	assert_success
	run cat "$(step_dir environment dump)/artifacts/env"
	assert_line "OPENSHIFT_CI=true"
	assert_line "JOB_NAME=periodic-mtv"
	assert_line "JOB_NAME_SAFE=environment"
	assert_line "NAMESPACE=ci-op-test"
	assert_line --regexp '^BUILD_ID=[0-9]+$'
	assert_line "ARTIFACT_DIR=$(cd "$OUTDIR" && pwd -P)/artifacts/environment/dump/artifacts"
	assert_line --regexp '^SHARED_DIR=/.+'
	# a private copy of it (entrypoint-wrapper's manage-kubeconfig mode)
	assert_line --regexp "^KUBECONFIG=/.+/tmp/kubeconfig-dump-"
	refute_line "KUBECONFIG=$BATS_TEST_TMPDIR/kubeconfig"
	assert_line "CLUSTER_PROFILE_DIR=$BATS_TEST_TMPDIR/profile"
	# no_kubeconfig: no KUBECONFIG for that step
	run cat "$(step_dir environment nokube)/artifacts/env"
	assert_line "OPENSHIFT_CI=true"
	refute_line --partial "KUBECONFIG="
}

@test "mtv-run: --name sets the test name; JOB_NAME_SAFE turns _ into -" {
	run mtv_run --name my_test chain param-outer
	assert_success
	[ -f "$OUTDIR/artifacts/my_test/param-show/build-log.txt" ]
	run junit
	assert_output --partial 'Run multi-stage test my_test - my_test-param-show container test'
	run mtv_run --name my_test step env-probe
	assert_success
	run cat "$OUTDIR/artifacts/my_test/env-probe/artifacts/env"
	assert_line "JOB_NAME_SAFE=my-test"
}

@test "mtv-run: values of the cluster profile's files are censored from logs, artifacts and JUnit" {
	mkdir -p "$BATS_TEST_TMPDIR/profile"
	echo "tok-s3cr3t-1234" >"$BATS_TEST_TMPDIR/profile/token"
	run_config_test censor --cluster-profile-dir "$BATS_TEST_TMPDIR/profile"
	assert_failure 1
	run grep -r "tok-s3cr3t-1234" "$OUTDIR"
	assert_failure
	run cat "$(step_dir censor leak)/build-log.txt"
	assert_output "token is CENSORED"
	run cat "$(step_dir censor leak)/artifacts/leaked.txt"
	assert_output "CENSORED"
	run junit
	assert_output --partial "token is CENSORED"
}

@test "mtv-run: --credentials puts a step's CI secret where its parameters point, and censors its files" {
	mkdir -p "$BATS_TEST_TMPDIR/secret"
	echo "pw-s3cr3t-5678" >"$BATS_TEST_TMPDIR/secret/.password"
	# without a local directory for it the step says where it looked
	run_config_test credentials
	assert_failure 1
	run cat "$(step_dir credentials use-secret)/build-log.txt"
	assert_line "dir: /var/run/fixture-secret/"
	run_config_test credentials --credentials "test-credentials/fixture-secret=$BATS_TEST_TMPDIR/secret"
	assert_success
	run cat "$(step_dir credentials use-secret)/build-log.txt"
	assert_line "dir: $BATS_TEST_TMPDIR/secret/"
	# a dot file is a Secret key like any other: its value is censored
	assert_line "value: CENSORED"
	run grep -r "pw-s3cr3t-5678" "$OUTDIR"
	assert_failure
	# resolve shows the mount
	run mtv_run resolve --config "$CONFIG" --test credentials
	assert_success
	assert_output --partial $'  credentials:\n  - namespace: "test-credentials"\n    name: "fixture-secret"\n    mount_path: "/var/run/fixture-secret"'
	# a malformed option is bad usage
	run mtv_run --config "$CONFIG" --test credentials --credentials "fixture-secret=/tmp"
	assert_failure 2
	assert_output --partial "--credentials fixture-secret=/tmp: expected NAMESPACE/NAME=DIR"
}
