# Shared by tests/bats/e2e-*.bats: the environment every step run against
# the file's mtv-sim needs, and small helpers.  Source it at the top of the
# .bats file: it also defines the hooks most files share (their own sim at
# --speed 0 against the real CRDs, world $SIM_WORLD, and e2e_setup before
# each test); a file that needs more defines the hook again after the
# source line, and its setup() calls e2e_setup itself.

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start_checked --speed 0
}

teardown_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_stop
}

setup() {
	e2e_setup
}

# e2e_setup [PROVIDER]: a fresh SHARED_DIR and ARTIFACT_DIR per test, the
# sim's kubeconfig and providers file, and bounded waits so a broken sim
# fails a test instead of hanging the suite.
e2e_setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_attach
	export SHARED_DIR="$BATS_TEST_TMPDIR/shared" ARTIFACT_DIR="$BATS_TEST_TMPDIR/artifacts"
	mkdir -p "$SHARED_DIR" "$ARTIFACT_DIR"
	export MTV_PROVIDERS_FILE="${E2E_PROVIDERS_FILE:-$SIM_DIR/providers.json}"
	export MTV_SOURCE_PROVIDER="${1:-vsphere-8.0.3}"
	# Defaults for TLS: create-provider fetches the source's CA from the
	# sim's endpoint (providers.json fqdn) and the sim verifies it, and the
	# inventory Route is verified against the ingress CA.  Tests of the
	# insecure path set MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY themselves.
	unset MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY MTV_INVENTORY_INSECURE_SKIP_VERIFY
	export MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd
	# The sim's simulated worlds (no "backend": "vcsim") have vSphere
	# providers that speak no vim25: mtv-prepare-vms (in mtv-setup) must
	# leave their VMs as the inventory lists them.  Suites against vcsim
	# set it back to true.
	export MTV_PREPARE_VMS=false
	# Their running VMs have no guest behind them (no sshGuest in the
	# world): check-vms' SSH checks are for tests/bats/e2e-guest.bats,
	# which starts real sshd guests.
	export MTV_GUEST_CHECKS=false
	export MTV_PROVIDER_READY_TIMEOUT=60 MTV_INVENTORY_TIMEOUT=60 MTV_INVENTORY_WAIT_TIMEOUT=60 MTV_MAP_READY_TIMEOUT=60
	export MTV_PLAN_READY_TIMEOUT=60 MTV_PLAN_WAIT_TIMEOUT=120 MTV_PREFLIGHT_TIMEOUT=30
}

kc() {
	kubectl --kubeconfig "$SIM_DIR/kubeconfig" "$@"
}

# run_steps STEP...: each must exit 0 (its stderr in the failure message).
run_steps() {
	local s
	for s in "$@"; do
		run --separate-stderr "$MTV_BIN_DIR/mtv-$s"
		[ "$status" -eq 0 ] || fail "mtv-$s exited $status: $stderr"
	done
}

# state_field FILE KEY: a top-level string of a SHARED_DIR state file.
state_field() {
	sed -n "s/.*\"$2\":[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" "$SHARED_DIR/$1" | head -1
}
