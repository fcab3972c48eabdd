#!/usr/bin/env bats
# The setup chain with its source side, end to end against mtv-sim backed by
# a live vcsim (world tests/fixtures/worlds/vcsim.json): mtv-prepare-vms
# clones the scenario's VM in vcsim, the sim's inventory collects the clone,
# and the maps, plan, migration and checks all work on the clone.  One vcsim
# and one sim (--speed 0) for the file.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	source "$MTV_SRC_DIR/tests/vcsim/vcsim.bash"
	vcsim_sim_start "$MTV_SRC_DIR/tests/fixtures/worlds/vcsim.json" --speed 0
}

teardown_file() {
	source "$MTV_SRC_DIR/tests/vcsim/vcsim.bash"
	vcsim_sim_stop
}

setup() {
	e2e_setup vsphere-vcsim
	# this world's vSphere provider is vcsim: it speaks vim25
	export MTV_PREPARE_VMS=true
	source "$MTV_SRC_DIR/tests/vcsim/vcsim.bash"
	vcsim_sim_attach
	[ -n "$CA_FILE" ] || export MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY=true
	PROBE="$MTV_TEST_BIN_DIR/progs/vsphereprobe"
}

probe() {
	VSPHERE_CA_FILE="$CA_FILE" VSPHERE_PASSWORD="$VCSIM_PASSWORD" "$PROBE" "$VCSIM_URL" "$VCSIM_USER" "$@"
}

@test "e2e-vcsim: cold: prepare-vms clones, the inventory lists the clone, the migration and checks use it" {
	run_steps create-provider
	session=$(state_field mtv-session.json id)
	clone="$session-mtv-tests-rhel8"
	run --separate-stderr "$MTV_BIN_DIR/mtv-prepare-vms"
	[ "$status" -eq 0 ] || fail "mtv-prepare-vms exited $status: $stderr"
	assert_output "source-vm/$clone"
	[[ "$stderr" == *"waiting up to 60s for the inventory to list 1 VM"* ]] || fail "$stderr"
	grep -q "vSphere calls: " <<<"$stderr"
	echo "# $(grep -o 'vSphere calls: .*' <<<"$stderr")" >&3
	run probe find "$clone"
	assert_success
	assert_line "  session=$session"
	ref=$(sed -n "s/^vm=$clone ref=\\([^ ]*\\) .*/\\1/p" <<<"$output")
	[[ "$ref" =~ ^vm-[0-9]+$ ]]
	run_steps storagemap networkmap plan migrate
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	check_status=$status check_stderr=$stderr
	assert_equal "$(state_field mtv-migration.json result)" Succeeded
	# the Plan names the clone, by its inventory id (vcsim's moref)
	ns=$(state_field mtv-session.json targetNamespace)
	run kc get plans -n "$ns" -o jsonpath='{.items[0].spec.vms[0].id} {.items[0].spec.vms[0].name}'
	assert_success
	[[ "$output" == "$ref"* ]] || fail "plan VM: $output (clone $ref)"
	run kc get virtualmachines -n "$ns" -l "vmID=$ref" -o name
	assert_success
	[ -n "$output" ]
	# the source VM itself was not migrated
	src=$(probe find mtv-tests-rhel8 | sed -n 's/^vm=mtv-tests-rhel8 ref=\([^ ]*\) .*/\1/p')
	run kc get virtualmachines -n "$ns" -l "vmID=$src" -o name
	assert_output ""
	# gather keeps a copy of the facts; teardown removes the clone from vcsim
	run_steps gather teardown
	run python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["vms"][0]["name"])' \
		"$ARTIFACT_DIR/state/mtv-source-vms.json"
	assert_output "$clone"
	run probe find "$clone"
	assert_output --partial "not found: $clone"
	run probe find mtv-tests-rhel8
	assert_success
	! grep -rqF -- "$VCSIM_PASSWORD" "$ARTIFACT_DIR" "$SHARED_DIR" || fail "password in artifacts or state"
	# the checks of the clone against the facts prepare-vms recorded (post
	# steps ran first, as in the workflow)
	[ "$check_status" -eq 0 ] || fail "mtv-check-vms exited $check_status: $check_stderr"
	run grep -c '<failure' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	assert_output 0
}

@test "e2e-vcsim: warm: the clone has changed block tracking and is powered on; the warm migration of the clone succeeds" {
	export MTV_SCENARIO=test_sanity_warm_mtv_migration
	run_steps create-provider prepare-vms
	session=$(state_field mtv-session.json id)
	clone="$session-mtv-tests-rhel8"
	run probe find "$clone"
	assert_success
	assert_line "  cbt=true"
	assert_line --regexp " power=poweredOn$"
	run python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["vms"][0]; print(v["name"], v["cbt"], v["power_state"])' \
		"$SHARED_DIR/mtv-source-vms.json"
	assert_output "$clone True poweredOn"
	run_steps storagemap networkmap plan migrate
	assert_equal "$(state_field mtv-migration.json result)" Succeeded
	run_steps teardown
	run probe find "$clone"
	assert_output --partial "not found: $clone"
}

@test "e2e-vcsim: every tier0 workflow through mtv-run, clones included, passes; no clone is left in vcsim" {
	local profile="$BATS_TEST_TMPDIR/profile" wf sc tls=()
	mkdir -p "$profile"
	cp "$SIM_DIR/providers.json" "$profile/.providers.json"
	[ -n "$CA_FILE" ] || tls=(--env MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY=true)
	# vcsim copies no extraConfig on CloneVM_Task, so the seeded VMs' guest
	# tools (seed.go's SET.guest.toolsRunningStatus) do not carry over to
	# the clones, and the sim's destination VM reports no guest agent for
	# them; a real clone boots the source's VMware Tools.  Until the sim
	# models that, the catalog's guest_agent keys are dropped here.
	catalog="$BATS_TEST_TMPDIR/tests_params.json"
	sed -E 's/,[[:space:]]*"guest_agent":[[:space:]]*(true|false)//g' "$MTV_SRC_DIR/shared/tests_params.json" >"$catalog"
	! grep -q guest_agent "$catalog" || fail "guest_agent left in $catalog"
	before=$(probe list | grep -c '^vm=')
	local failed=()
	for pair in mtv-cold-migration:test_sanity_cold_mtv_migration mtv-warm-migration:test_sanity_warm_mtv_migration \
		mtv-warm-migration:test_mtv_migration_warm_2disks2nics mtv-comprehensive-migration:test_cold_migration_comprehensive \
		mtv-comprehensive-migration:test_warm_migration_comprehensive mtv-hook-migration:test_post_hook_retain_failed_vm; do
		wf=${pair%%:*} sc=${pair#*:}
		PATH="$MTV_BIN_DIR:$PATH" run --separate-stderr "$MTV_BIN_DIR/mtv-run" --repo "$MTV_SRC_DIR" \
			--out "$BATS_TEST_TMPDIR/$sc" --kubeconfig "$SIM_DIR/kubeconfig" --cluster-profile-dir "$profile" \
			--env MTV_SOURCE_PROVIDER=vsphere-vcsim --env MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd \
			--env MTV_SCENARIO="$sc" --env MTV_TESTS_PARAMS="$catalog" --env MTV_GUEST_AGENT_TIMEOUT=30 \
			--env MTV_GUEST_CHECKS=false \
			"${tls[@]}" workflow "$wf"
		if [ "$status" -ne 0 ]; then
			failed+=("$sc")
			echo "# $sc: $(grep -h ERROR "$BATS_TEST_TMPDIR/$sc"/artifacts/"$wf"/*/build-log.txt | cut -c1-300)" >&3
			continue
		fi
		# prepare-vms cloned the scenario's VM for the session
		session=$(sed -n 's/.*"id":[[:space:]]*"\(auto-[a-z0-9]*\)".*/\1/p' "$BATS_TEST_TMPDIR/$sc/shared/mtv-session.json")
		grep -q "source-vm/$session-" "$BATS_TEST_TMPDIR/$sc/artifacts/$wf/mtv-prepare-vms/build-log.txt" ||
			fail "$sc: prepare-vms made no clone"
	done
	[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
	# teardown of each workflow destroyed its clones
	assert_equal "$(probe list | grep -c '^vm=')" "$before"
	! probe list | grep -q '^vm=auto-' || fail "clones left: $(probe list | grep '^vm=auto-')"
}
