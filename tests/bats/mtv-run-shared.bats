#!/usr/bin/env bats
# mtv-run: SHARED_DIR, a private copy per step written back like the
# test's Secret.
bats_require_minimum_version 1.5.0

setup() {
	load ../fixtures/registry/helpers
}

@test "mtv-run: SHARED_DIR files propagate, deletions propagate, subdirectories are dropped" {
	run_config_test shared
	assert_success
	run cat "$(step_dir shared consume)/artifacts/seen"
	assert_output "$(printf 'one\ntwo')"
	run cat "$(step_dir shared consume)/artifacts/one"
	assert_output "one"
	run cat "$(step_dir shared publish)/build-log.txt"
	assert_output --partial 'skipped directory "subdir" when creating secret from directory'
	# consume deleted two and added three; readonly (no_kubeconfig) wrote
	# and deleted, but its changes were discarded
	run cat "$(step_dir shared check)/artifacts/seen"
	assert_output "$(printf 'one\nthree')"
}

@test "mtv-run: each test run starts with an empty SHARED_DIR" {
	run_config_test shared
	assert_success
	run_config_test shared
	assert_success
	run cat "$(step_dir shared consume)/artifacts/seen"
	assert_output "$(printf 'one\ntwo')"
}

@test "mtv-run: SHARED_DIR over 1 MiB as a Secret fails the step and keeps the old contents" {
	# 800 KiB raw is over 1 MiB once base64-encoded, as a Secret measures it
	run_config_test shared-size
	assert_failure 1
	assert_output --partial 'Secret "shared-size" is invalid: data: Too long: must have at most 1048576 bytes'
	run cat "$(step_dir shared-size big)/finished.json"
	assert_output --partial '"FAILURE"'
	run cat "$(step_dir shared-size big)/build-log.txt"
	assert_output --partial "must have at most 1048576 bytes"
	run cat "$(step_dir shared-size check)/artifacts/seen"
	assert_output "kept"
}

@test "mtv-run: SHARED_DIR under the limit is written back" {
	run_config_test shared-size --env SIZE_KIB=700
	assert_success
	run cat "$(step_dir shared-size check)/artifacts/seen"
	assert_output "$(printf 'big\nkept\nlost')"
}

@test "mtv-run: a kubeconfig published in SHARED_DIR becomes later steps' KUBECONFIG" {
	KUBECONFIG= run_config_test kubeconfig
	assert_success
	run cat "$(step_dir kubeconfig install)/artifacts/kubeconfig"
	assert_output "before: unset"
	run cat "$(step_dir kubeconfig use)/artifacts/kubeconfig"
	assert_output "apiVersion: v1"
}

@test "mtv-run: each step edits a private copy of KUBECONFIG; --kubeconfig's file is never modified" {
	printf 'apiVersion: v1\nkind: Config\n' >"$BATS_TEST_TMPDIR/kubeconfig"
	cp "$BATS_TEST_TMPDIR/kubeconfig" "$BATS_TEST_TMPDIR/kubeconfig.orig"
	run_config_test kubeconfig-edit --kubeconfig "$BATS_TEST_TMPDIR/kubeconfig"
	assert_success
	run cmp "$BATS_TEST_TMPDIR/kubeconfig" "$BATS_TEST_TMPDIR/kubeconfig.orig"
	assert_success
	run cat "$(step_dir kubeconfig-edit edit)/artifacts/path"
	refute_output "$BATS_TEST_TMPDIR/kubeconfig"
	# the next step starts from the user's file, not from the edit
	run cat "$(step_dir kubeconfig-edit see)/artifacts/kubeconfig"
	assert_output "$(printf 'apiVersion: v1\nkind: Config')"
	# the given kubeconfig still wins over SHARED_DIR's, also unedited
	run cat "$(step_dir kubeconfig-edit after)/artifacts/kubeconfig"
	assert_output "$(printf 'apiVersion: v1\nkind: Config')"
}

@test "mtv-run: edits to a KUBECONFIG taken from SHARED_DIR are not propagated either" {
	KUBECONFIG= run_config_test kubeconfig-edit
	assert_success
	run cat "$(step_dir kubeconfig-edit after)/artifacts/kubeconfig"
	assert_output "apiVersion: v1"
	run cat "$(step_dir kubeconfig-edit last)/artifacts/kubeconfig"
	assert_output "apiVersion: v1"
	run cat "$OUTDIR/shared/kubeconfig"
	assert_output "apiVersion: v1"
}
