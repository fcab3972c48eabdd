#!/usr/bin/env bats
# Warm migration against mtv-sim (validating against the real CRDs, as a
# cluster does): the precopy interval, cutover, precopies reported, the
# ForkliftController restored by teardown; warm refused for sources without
# warm support, bad intervals and vSphere sources without a VDDK image.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup() {
	e2e_setup
	export MTV_SCENARIO=test_mtv_migration_warm_2disks2nics
}

@test "warm: precopy interval set, cutover scheduled, precopies reported, interval restored" {
	before=$(kc get forkliftcontroller forklift-controller -n openshift-mtv -o jsonpath='{.spec.controller_precopy_interval}')
	run_steps create-provider storagemap networkmap plan
	run kc get forkliftcontroller forklift-controller -n openshift-mtv -o jsonpath='{.spec.controller_precopy_interval}'
	assert_output 2
	grep -q '"path":[[:space:]]*"spec.controller_precopy_interval"' "$SHARED_DIR/mtv-edits.json"
	ns=$(state_field mtv-session.json targetNamespace)
	run kc get plans -n "$ns" -o jsonpath='{.items[0].spec.warm}'
	assert_output true

	start=$(date -u +%s)
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	[ "$status" -eq 0 ] || fail "mtv-migrate exited $status: $stderr"
	[[ "$stderr" == *"warm migration: cutover at "* ]]
	[[ "$stderr" == *"precopy 1 done"* ]]
	# The cutover is MTV_MINS_BEFORE_CUTOVER (5) minutes after creation.
	cutover=$(kc get migrations -n "$ns" -o jsonpath='{.items[0].spec.cutover}')
	[[ "$cutover" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] || fail "cutover '$cutover'"
	delta=$(( $(date -u -d "$cutover" +%s) - start ))
	[ "$delta" -ge 295 ] && [ "$delta" -le 310 ] || fail "cutover $delta s after the start"

	# Two NICs: the second lands on the NAD mtv-networkmap created.
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	[ "$status" -eq 0 ] || fail "mtv-check-vms exited $status: $stderr"
	grep -q 'name="mtv-rhel8-warm-2disks2nics: disk count"' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	run grep -c 'name="mtv-rhel8-warm-2disks2nics: nic ' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	assert_output 2

	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	[ "$status" -eq 0 ] || fail "mtv-teardown exited $status: $stderr"
	run kc get forkliftcontroller forklift-controller -n openshift-mtv -o jsonpath='{.spec.controller_precopy_interval}'
	assert_output "$before"
	grep -q 'name="cluster-wide edits restored"' "$ARTIFACT_DIR/junit_mtv_teardown.xml"
}

@test "warm: refused for an OVA source before anything is created" {
	export MTV_SOURCE_PROVIDER=$(sed -n 's/^[[:space:]]*"\([^"]*\)":[[:space:]]*{$/\1/p' "$MTV_PROVIDERS_FILE" | grep -i ova | head -1)
	[ -n "$MTV_SOURCE_PROVIDER" ] || fail "no ova provider in the sim's providers.json"
	namespaces=$(kc get namespaces -o name | sort)
	run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider"
	assert_failure 2
	[[ "$stderr" == *"scenario test_mtv_migration_warm_2disks2nics is warm, but a ova source does not support warm migration"* ]]
	assert_equal "$(ls "$SHARED_DIR")" ""
	assert_equal "$(kc get namespaces -o name | sort)" "$namespaces"
}

@test "warm: the precopy interval is patched as the integer the CRD declares" {
	crds_or_skip
	run_steps create-provider storagemap networkmap plan
	# kubectl prints the stored JSON: a string would be quoted.
	run kc get forkliftcontroller forklift-controller -n openshift-mtv -o json
	echo "$output" | grep -Eq '^ *"controller_precopy_interval": 2,?$' ||
		fail "controller_precopy_interval is not the integer 2: $(echo "$output" | grep precopy)"
	run_steps teardown
}

@test "warm: an MTV_SNAPSHOTS_INTERVAL that is not a positive int32 of minutes is bad input" {
	run_steps create-provider storagemap networkmap
	ns=$(state_field mtv-session.json targetNamespace)
	[ -n "$ns" ] || fail "no targetNamespace in mtv-session.json"
	before=$(kc get forkliftcontroller forklift-controller -n openshift-mtv -o jsonpath='{.spec.controller_precopy_interval}')
	for v in abc 0 -3 2.5 2147483648 ''; do
		MTV_SNAPSHOTS_INTERVAL=$v run --separate-stderr "$MTV_BIN_DIR/mtv-plan"
		[ "$status" -eq 2 ] || fail "MTV_SNAPSHOTS_INTERVAL='$v': exit $status: $stderr"
		[[ "$stderr" == *"MTV_SNAPSHOTS_INTERVAL: expected a positive number of minutes, got '$v'"* ]] ||
			fail "MTV_SNAPSHOTS_INTERVAL='$v': $stderr"
	done
	assert_equal "$(kc get plans -n "$ns" -o name)" ""
	assert_equal "$(kc get forkliftcontroller forklift-controller -n openshift-mtv -o jsonpath='{.spec.controller_precopy_interval}')" "$before"
	[ ! -e "$SHARED_DIR/mtv-edits.json" ] && [ ! -e "$SHARED_DIR/mtv-plan.json" ]
	run_steps teardown
}

@test "warm: a vSphere source without a VDDK image stops before the Plan, naming vddk_init_image" {
	sed 's/"vddk_init_image":[[:space:]]*"[^"]*"/"vddk_init_image": ""/' "$SIM_DIR/providers.json" >"$BATS_TEST_TMPDIR/providers.json"
	export MTV_PROVIDERS_FILE="$BATS_TEST_TMPDIR/providers.json"
	run_steps create-provider storagemap networkmap
	ns=$(state_field mtv-session.json targetNamespace)
	[ -n "$ns" ] || fail "no targetNamespace in mtv-session.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-plan"
	assert_failure 2
	[[ "$stderr" == *'needs a VDDK image: set "vddk_init_image" of "vsphere-8.0.3" in the providers file'* ]] || fail "$stderr"
	[[ "$stderr" == *"spec.vddk_image of ForkliftController openshift-mtv/forklift-controller"* ]] || fail "$stderr"
	assert_equal "$(kc get plans -n "$ns" -o name)" ""
	[ ! -e "$SHARED_DIR/mtv-edits.json" ]

	# A global image in the ForkliftController is enough, as for Forklift.
	kc patch forkliftcontroller forklift-controller -n openshift-mtv --type merge -p '{"spec":{"vddk_image":"quay.io/mtv-sim/vddk:global"}}'
	MTV_PLAN_READY_TIMEOUT=30 run --separate-stderr "$MTV_BIN_DIR/mtv-plan"
	kc patch forkliftcontroller forklift-controller -n openshift-mtv --type merge -p '{"spec":{"vddk_image":null}}'
	[ "$status" -eq 0 ] || fail "mtv-plan with a global VDDK image exited $status: $stderr"
	run_steps teardown
}
