#!/usr/bin/env bats
# report.html in a browser: gather's and teardown's page of a failed
# (DiskTransferV2v) and of a passed migration against mtv-sim (world
# tests/fixtures/worlds/e2e-failures.json), rendered by headless Chromium to
# PNG, its structure checked in the DOM Chromium built, and audited for
# secrets.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	SIM_WORLD="$MTV_SRC_DIR/tests/fixtures/worlds/e2e-failures.json" sim_start_checked --speed 0
}

setup() {
	e2e_setup vsphere-failures
	export MTV_TESTS_PARAMS="$MTV_SRC_DIR/tests/fixtures/scenarios/failures.json"
	CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
	# ci-operator's layout: artifacts/<test>/<step>/artifacts/
	GATHER="$BATS_TEST_TMPDIR/a/mtv-gather/artifacts" TEARDOWN="$BATS_TEST_TMPDIR/a/mtv-teardown/artifacts"
}

# migrate_and_report SCENARIO: the whole chain; gather and teardown each in
# their own ARTIFACT_DIR (as in ci-operator, where only SHARED_DIR is shared).
migrate_and_report() {
	export MTV_SCENARIO=$1
	run_steps create-provider storagemap networkmap plan
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	ARTIFACT_DIR="$GATHER" run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	[ "$status" -eq 0 ] || fail "mtv-gather exited $status: $stderr"
	[[ "$stderr" == *"report: $GATHER/report.html"* ]]
	ARTIFACT_DIR="$TEARDOWN" run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	[ "$status" -eq 0 ] || fail "mtv-teardown exited $status: $stderr"
	[ -s "$SHARED_DIR/mtv-report.json" ]
	[ -s "$SHARED_DIR/mtv-teardown-leftovers.json" ]
	[ -s "$TEARDOWN/report.html" ]
}

# browse PAGE: $dom (the DOM as Chromium built it) and a PNG screenshot
# checked to be a PNG of some size.
browse() {
	local page=$1 png="$BATS_TEST_TMPDIR/$(basename "$(dirname "$(dirname "$1")")").png"
	[ -n "$CHROMIUM" ] || skip "chromium is not installed (shared/install-deps.sh installs the Debian package)"
	dom=$(timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$BATS_TEST_TMPDIR/chrome" \
		--dump-dom "file://$page" 2>/dev/null)
	[[ "$dom" == *"</html>"* ]] || fail "chromium --dump-dom gave no document for $page"
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$BATS_TEST_TMPDIR/chrome" \
		--screenshot="$png" --window-size=1280,2000 "file://$page" >/dev/null 2>&1 || true
	[ -f "$png" ] || fail "no screenshot of $page"
	[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$png is not a PNG"
	# a blank 1280x2000 page compresses to a few KiB; text, tables and bars do not
	[ "$(stat -c %s "$png")" -gt 30000 ] || fail "$png is only $(stat -c %s "$png") bytes: an empty page?"
}

audit() {
	source "$MTV_SRC_DIR/tests/bats/secrets.bash"
	secrets_collect "$MTV_PROVIDERS_FILE"
	secrets_audit "$GATHER/report.html" "$TEARDOWN/report.html" \
		"$SHARED_DIR/mtv-report.json" "$SHARED_DIR/mtv-check-results.json"
}

@test "report: a migration failing at DiskTransferV2v shows the failed step red with its error, in the browser" {
	migrate_and_report test_fail_disk_transfer
	browse "$GATHER/report.html"
	# the failed step's bar and its row in the step table
	[[ "$dom" == *'class="step failed" data-step="DiskTransferV2v"'* ]]
	[ "$(grep -o 'class="step failed"' <<<"$dom" | wc -l)" -eq 3 ]
	[[ "$dom" == *"disk copy exploded: nbdkit connection reset"* ]]
	[[ "$dom" == *'<span class="badge bad">Failed</span>'* ]]
	[[ "$dom" == *'<svg class="timeline"'* ]]
	# check-vms skipped every VM: the checks table says so
	[[ "$dom" == *'id="checks-table"'* ]]
	[[ "$dom" == *'<tr class="check skip"><td>mtv-fail-disk</td><td>checks</td><td>skip</td>'* ]]
	# gather ran before teardown: no leftovers known yet
	[[ "$dom" != *'id="leftovers-table"'* ]]
	[[ "$dom" == *"Teardown had not run"* ]]
	# the links point at files gather wrote
	href=$(grep -o '<a href="[^"]*pipeline.txt">' <<<"$dom" | head -1 | sed 's/<a href="\([^"]*\)">/\1/')
	[ -f "$GATHER/$href" ]
	# teardown's page: the same, and its leftovers table
	browse "$TEARDOWN/report.html"
	[[ "$dom" == *'class="step failed" data-step="DiskTransferV2v"'* ]]
	[[ "$dom" == *'id="leftovers-table"'* ]]
	[[ "$dom" == *"none: teardown deleted everything"* ]]
	# its links reach gather's files from teardown's artifacts
	href=$(grep -o '<a href="[^"]*pipeline.txt">' <<<"$dom" | head -1 | sed 's/<a href="\([^"]*\)">/\1/')
	[[ "$href" == ../../mtv-gather/artifacts/* ]]
	[ -f "$TEARDOWN/$href" ]
	audit
}

@test "report: a passed migration whose destination differs shows every failed check with both values" {
	migrate_and_report test_destination_differs
	browse "$TEARDOWN/report.html"
	[[ "$dom" != *'class="step failed"'* ]]
	[[ "$dom" == *'class="step Completed" data-step="DiskTransferV2v"'* ]]
	[[ "$dom" == *'id="checks-table"'* ]]
	[[ "$dom" == *'<tr class="check fail"><td>mtv-differ</td><td>memory MiB</td><td>fail</td><td>4096</td><td>1024</td>'* ]]
	[[ "$dom" == *'<tr class="check fail"><td>mtv-differ</td><td>cpu cores</td><td>fail</td><td>2</td><td>8</td>'* ]]
	[[ "$dom" == *'<tr class="check pass"><td>mtv-differ</td><td>disk count</td><td>pass</td>'* ]]
	[[ "$dom" == *'<span class="badge ok">Succeeded</span>'* ]]
	[[ "$dom" == *'id="leftovers-table"'* ]]
	audit
}

@test "report: teardown's leftovers reach its page" {
	# a leftover teardown could not delete, as mtv-teardown-leftovers.json has it
	migrate_and_report test_destination_differs
	python3 - "$SHARED_DIR/mtv-teardown-leftovers.json" <<-'EOF'
	import json, sys
	json.dump({"objects": [{"kind": "PersistentVolumeClaim", "namespace": "ns-x", "name": "<pvc-1>",
	                        "result": "leftover", "why": "still there after 60s"}], "leftovers": 1},
	          open(sys.argv[1], "w"))
	EOF
	# gather run again after teardown reads them
	ARTIFACT_DIR="$BATS_TEST_TMPDIR/again" run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	grep -q '<tr class="leftover"><td>PersistentVolumeClaim</td><td>ns-x</td><td>&lt;pvc-1&gt;</td>' \
		"$BATS_TEST_TMPDIR/again/report.html"
}

@test "report: corrupt state files for the report are warnings naming them; the page is still written" {
	export MTV_SCENARIO=test_destination_differs
	run_steps create-provider storagemap networkmap plan migrate
	printf '{"vms": [{"vm": 7}]}' >"$SHARED_DIR/mtv-check-results.json"
	ARTIFACT_DIR="$GATHER" run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	[[ "$stderr" == *"mtv-check-results.json: vms[0].vm: expected string, got number"* ]] || fail "$stderr"
	grep -q 'No check results' "$GATHER/report.html"
	grep -q 'data-step="DiskTransferV2v"' "$GATHER/report.html"
	printf '{"plans": "no"}' >"$SHARED_DIR/mtv-report.json"
	ARTIFACT_DIR="$TEARDOWN" run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	assert_success
	[[ "$stderr" == *"mtv-report.json: plans: expected array, got string"* ]] || fail "$stderr"
	grep -q 'id="leftovers-table"' "$TEARDOWN/report.html"
}
