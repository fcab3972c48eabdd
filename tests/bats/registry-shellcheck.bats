#!/usr/bin/env bats
# Every commands script of the step registry, and of the export that goes to
# openshift/release, passes shellcheck.  ci-operator runs a script as
# `bash -c "#!/bin/bash\nset -eu\n<commands>"`, hence --shell=bash for the
# fixtures that carry no shebang.
bats_require_minimum_version 1.5.0

setup() {
	load ../fixtures/registry/helpers
}

@test "shellcheck: every commands script of steps/ passes" {
	local scripts=("$MTV_SRC_DIR"/steps/*/*-commands*)
	[ "${#scripts[@]}" -ge 8 ]
	run shellcheck --shell=bash "${scripts[@]}"
	assert_success
}

@test "shellcheck: the exported registry's commands scripts pass" {
	run "$MTV_RUN" --repo "$MTV_SRC_DIR" export "$BATS_TEST_TMPDIR/export"
	assert_success
	mapfile -t scripts < <(find "$BATS_TEST_TMPDIR/export" -name '*-commands*' -type f)
	[ "${#scripts[@]}" -ge 8 ]
	run shellcheck --shell=bash "${scripts[@]}"
	assert_success
}

@test "shellcheck: the test fixtures' commands scripts pass" {
	mapfile -t scripts < <(find "$FIX" -name '*-commands*' -type f)
	run shellcheck --shell=bash "${scripts[@]}"
	assert_success
}

@test "shellcheck: a script it rejects fails the check (the test can fail)" {
	printf 'echo $UNQUOTED_VAR\n' >"$BATS_TEST_TMPDIR/bad-commands.sh"
	run shellcheck --shell=bash "$BATS_TEST_TMPDIR/bad-commands.sh"
	assert_failure
	assert_output --partial "SC2086"
}
