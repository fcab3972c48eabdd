#!/usr/bin/env bats
# mtv-run: resolution and parameter precedence (test > workflow > outer
# chain > inner chain > step default), with ci-operator's error messages.
bats_require_minimum_version 1.5.0

setup() {
	load ../fixtures/registry/helpers
}

@test "mtv-run: parameters resolve test > workflow > outer chain > inner chain > step" {
	run mtv_run workflow param --env E=test
	assert_success
	run cat "$(step_dir param param-show)/artifacts/params"
	assert_output "A=step B=inner C=outer D=workflow E=test"
}

@test "mtv-run: without test env the workflow's value wins" {
	run mtv_run workflow param
	assert_success
	run cat "$(step_dir param param-show)/artifacts/params"
	assert_output "A=step B=inner C=outer D=workflow E=workflow"
}

@test "mtv-run: a chain run alone: outer chain over inner chain over step" {
	run mtv_run chain param-outer
	assert_success
	run cat "$(step_dir param-outer param-show)/artifacts/params"
	assert_output "A=step B=inner C=outer D=outer E=step"
}

@test "mtv-run: the outermost record naming a parameter wins even without a default (then the step default)" {
	# ci-tools stack.resolve returns the first record's Default, nil
	# included: the inner chain's B=inner is not consulted.
	r=$(copy_registry)
	printf '  - name: B\n' >>"$r/param/outer/param-outer-chain.yaml"
	run "$MTV_RUN" --registry "$r" --out "$OUTDIR" chain param-outer
	assert_success
	run cat "$(step_dir param-outer param-show)/artifacts/params"
	assert_output "A=step B=step C=outer D=outer E=step"
}

@test "mtv-run: values reach only the steps that declare them" {
	run mtv_run workflow param --env E=test
	assert_success
	run cat "$(step_dir param env-probe)/artifacts/probe"
	assert_output "D=unset"
	run grep -c '^E=' "$(step_dir param env-probe)/artifacts/env"
	assert_output 0
}

@test "mtv-run: resolve prints the flattened literal steps with resolved parameters" {
	run mtv_run resolve workflow param --env D=mine
	assert_success
	assert_line 'pre: []'
	assert_line 'test:'
	assert_line '- as: "param-show"'
	assert_line 'post:'
	assert_line '- as: "env-probe"'
	run --separate-stderr mtv_run resolve workflow param --env D=mine
	# the YAML of the stdout is exactly the resolved values in order
	run grep -A1 'name: "D"' <<<"$output"
	assert_line '    default: "mine"'
	[ ! -e "$OUTDIR" ]
}

@test "mtv-run: an unresolved parameter is an error naming the stack; nothing runs" {
	run mtv_run step param-required
	assert_failure 2
	assert_output --partial "test/param-required: step/param-required: unresolved parameter: NEEDED"
	[ ! -e "$OUTDIR/artifacts" ]
	# and a value from the test resolves it; default "" is a value
	run mtv_run step param-required --env NEEDED=yes
	assert_success
	run cat "$(step_dir param-required param-required)/artifacts/params"
	assert_output "NEEDED=yes EMPTY_OK=[]"
}

@test "mtv-run: a test parameter no step declares is an error with ci-operator's wording" {
	run mtv_run workflow param --env NOPE=1
	assert_failure 2
	assert_output --partial 'test/param: workflow/param: parameter "NOPE" is overridden in [test/param] but not declared in any step'
	[ ! -e "$OUTDIR/artifacts" ]
	run mtv_run chain param-outer --env NOPE=1
	assert_failure 2
	assert_output --partial 'test/param-outer: parameter "NOPE" is overridden in [test/param-outer] but not declared in any step'
}

@test "mtv-run: parameters of workflow phases the test replaced are not unused" {
	run_config_test replaces-phase
	assert_success
	[ -f "$(step_dir replaces-phase instead)/artifacts/ran" ]
	[ ! -e "$(step_dir replaces-phase param-show)" ]
	[ -f "$(step_dir replaces-phase env-probe)/artifacts/probe" ]
}

@test "mtv-run: unknown workflow, chain and step names are errors" {
	run mtv_run workflow nope
	assert_failure 2
	assert_output --partial "test/nope: no workflow named nope"
	run mtv_run chain nope
	assert_failure 2
	assert_output --partial "test/nope: unknown step chain: nope"
	run mtv_run step nope
	assert_failure 2
	assert_output --partial "test/nope: invalid step reference: nope"
}

@test "mtv-run: duplicate step names in a phase are an error" {
	run_config_test duplicate
	assert_failure 2
	assert_output --partial "test/duplicate: duplicate name: e2e"
}

@test "mtv-run: a configuration's test env wins over the workflow; --env wins over both" {
	run_config_test config-env
	assert_success
	run cat "$(step_dir config-env param-show)/artifacts/params"
	assert_output "A=step B=inner C=outer D=workflow E=from-config"
	run_config_test config-env --env E=cli --env D=cli
	assert_success
	run cat "$(step_dir config-env param-show)/artifacts/params"
	assert_output "A=step B=inner C=outer D=cli E=cli"
}

@test "mtv-run: --env reaches the literal steps of a configuration's workflow" {
	run_config_test all-pass --env E2E_EXIT=5
	assert_failure 1
	run cat "$(step_dir all-pass e2e)/finished.json"
	assert_output --partial '"exit_code":	5'
}
