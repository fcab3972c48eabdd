#!/usr/bin/env bats
# report.html of a warm migration against mtv-sim (the default world): the
# precopies the Plan's status lists are drawn as repeated segments.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup() {
	e2e_setup
	export MTV_SCENARIO=test_mtv_migration_warm_2disks2nics
}

@test "report: a warm migration's precopies are segments of its timeline, as many as the Plan lists" {
	run_steps create-provider storagemap networkmap plan migrate
	ns=$(state_field mtv-session.json targetNamespace)
	precopies=$(kc get plans -n "$ns" -o json | python3 -c '
import json, sys
vm = json.load(sys.stdin)["items"][0]["status"]["migration"]["vms"][0]
print(len(vm["warm"]["precopies"]))')
	[ "$precopies" -ge 1 ]
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	page="$ARTIFACT_DIR/report.html"
	grep -q '<th>type</th><td>warm</td>' "$page"
	[ "$(grep -o '<rect class="pre"' "$page" | wc -l)" -eq "$precopies" ]
	grep -q "<title>precopy $precopies: " "$page"
	run_steps teardown
}
