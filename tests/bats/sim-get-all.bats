#!/usr/bin/env bats
# `kubectl get all` against mtv-sim: discovery puts in the "all" category
# exactly the types a real OpenShift + KubeVirt + CDI cluster does (pods,
# services, deployments, jobs, routes, virtualmachines,
# virtualmachineinstances, datavolumes), and no Forklift kind.  A fresh
# discovery cache per test: a cached discovery of another sim that once had
# this port must not decide.
bats_require_minimum_version 1.5.0

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start --speed 0
}

teardown_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_stop
}

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_attach
}

@test "kubectl get all in openshift-mtv lists the forklift pods, services, deployments and routes" {
	run --separate-stderr kubectl get all -n openshift-mtv -o name --cache-dir "$BATS_TEST_TMPDIR/kube-cache"
	[ "$status" -eq 0 ] || fail "kubectl get all exited $status: $stderr"
	assert_output --partial pod/forklift-controller-
	assert_output --partial deployment.apps/forklift-controller
	assert_output --partial route.route.openshift.io/forklift-inventory
	refute_output --partial forkliftcontroller
	refute_output --partial provider.forklift
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "kubectl get all in the source VM namespace lists the KubeVirt VM" {
	run --separate-stderr kubectl get all -n mtv-source-vms -o name --cache-dir "$BATS_TEST_TMPDIR/kube-cache"
	[ "$status" -eq 0 ] || fail "kubectl get all exited $status: $stderr"
	assert_output --partial virtualmachine.kubevirt.io/mtv-ocp-rhel9
	refute_output --partial persistentvolumeclaim
}

@test "discovery: categories [all] on exactly the types a real cluster puts there" {
	run --separate-stderr kubectl api-resources --categories=all -o name --cached=false
	assert_success
	run sort <<<"$output"
	assert_output "$(printf '%s\n' datavolumes.cdi.kubevirt.io deployments.apps jobs.batch pods routes.route.openshift.io \
		services virtualmachineinstances.kubevirt.io virtualmachines.kubevirt.io | sort)"
}
