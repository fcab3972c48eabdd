#!/usr/bin/env bats
# mtv-sim: command line, bad input, SIGTERM, faults.

bats_require_minimum_version 1.5.0

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	SIM="$MTV_BIN_DIR/mtv-sim"
}

teardown() {
	if [ -n "${BG_PID:-}" ]; then
		kill -TERM "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
}

# A one-VM world; CAP, NET, TYPE and EXTRA (more VM fields) vary it.
small_world() {
	local cap=${CAP:-20} net=${NET:-"\"net-1\""} type=${TYPE:-vsphere} extra=${EXTRA:-}
	cat >"$BATS_TEST_TMPDIR/world.json" <<-JSON
	{
	  "cluster": { "nodes": [ { "name": "worker-0" } ], "storageClasses": [ { "name": "sc" } ] },
	  "providers": [ {
	    "name": "vs", "type": "$type", "url": "https://vc.example/sdk", "user": "u", "password": "p",
	    "networks": [ { "id": "net-1", "name": "VM Network" } ],
	    "storages": [ { "id": "ds-1", "name": "ds" } ],
	    "vms": [ {
	      "id": "vm-1", "name": "one", "power": "on", "cpuSockets": 1, "cpuCores": 1, "memoryMB": 1024,
	      "disks": [ { "storage": "ds-1", "file": "[ds] one/one.vmdk", "capacityGiB": $cap } ],
	      "nics": [ { "mac": "00:50:56:00:00:01", "network": $net } ] $extra
	    } ]
	  } ]
	}
	JSON
}

@test "missing --state-dir is a usage error (exit 2)" {
	run -2 "$SIM" --world "$MTV_SRC_DIR/tests/fixtures/worlds/default.json"
	assert_output --partial -- '--state-dir is required'
}

@test "a world file with a syntax error names line and column, exit 2" {
	printf '{\n  "cluster": {,\n}\n' >"$BATS_TEST_TMPDIR/world.json"
	run -2 "$SIM" --world "$BATS_TEST_TMPDIR/world.json" --state-dir "$BATS_TEST_TMPDIR/st"
	assert_output --regexp 'world.json.*2:'
	[ ! -e "$BATS_TEST_TMPDIR/st/port" ]
}

@test "a bad world value names its JSON path, exit 2" {
	small_world
	run -0 "$SIM" json providers[0].vms[0].name <"$BATS_TEST_TMPDIR/world.json"
	CAP='"big"' small_world
	run -2 "$SIM" --world "$BATS_TEST_TMPDIR/world.json" --state-dir "$BATS_TEST_TMPDIR/st"
	assert_output --partial 'providers[0].vms[0].disks[0].capacityGiB: expected'
	NET='"nowhere"' small_world
	run -2 "$SIM" --world "$BATS_TEST_TMPDIR/world.json" --state-dir "$BATS_TEST_TMPDIR/st"
	assert_output --partial 'providers[0].vms[0].nics[0].network: no network with id "nowhere"'
	TYPE=hyperv2 small_world
	run -2 "$SIM" --world "$BATS_TEST_TMPDIR/world.json" --state-dir "$BATS_TEST_TMPDIR/st"
	assert_output --partial 'providers[0].type: "hyperv2" is not one of'
	EXTRA=', "fail": {"step": "Nope"}' small_world
	run -2 "$SIM" --world "$BATS_TEST_TMPDIR/world.json" --state-dir "$BATS_TEST_TMPDIR/st"
	assert_output --partial 'providers[0].vms[0].fail.step: "Nope" is not a pipeline step name'
	[ ! -e "$BATS_TEST_TMPDIR/st/port" ]
}

@test "a small valid world starts" {
	small_world
	"$SIM" --world "$BATS_TEST_TMPDIR/world.json" --state-dir "$BATS_TEST_TMPDIR/st" --port 0 \
		>"$BATS_TEST_TMPDIR/log" 2>&1 3>&- &
	BG_PID=$!
	sim_until test -s "$BATS_TEST_TMPDIR/st/port"
	# the url's path on the provider's own TLS endpoint (tests/bats/tls.bats)
	run sim_json '[*].api_url' <"$BATS_TEST_TMPDIR/st/providers.json"
	assert_output --regexp '^https://127\.0\.0\.1:[0-9]+/sdk$'
	run env KUBECONFIG="$BATS_TEST_TMPDIR/st/kubeconfig" kubectl get nodes -o name
	assert_output node/worker-0
}

@test "bad --faults and --speed values are usage errors" {
	run -2 "$SIM" --state-dir "$BATS_TEST_TMPDIR/st" --faults 500=2
	assert_output --partial 'a rate must be between 0 and 1'
	run -2 "$SIM" --state-dir "$BATS_TEST_TMPDIR/st" --faults bogus=1
	assert_output --partial 'unknown key "bogus"'
	run -2 "$SIM" --state-dir "$BATS_TEST_TMPDIR/st" --speed fast
	assert_output --partial -- '--speed'
}

@test "SIGTERM stops the sim cleanly and removes the port file" {
	"$SIM" --world "$MTV_SRC_DIR/tests/fixtures/worlds/default.json" --state-dir "$BATS_TEST_TMPDIR/st" \
		--port 0 >"$BATS_TEST_TMPDIR/log" 2>&1 3>&- &
	BG_PID=$!
	sim_until test -s "$BATS_TEST_TMPDIR/st/port"
	[ "$(cat "$BATS_TEST_TMPDIR/st/pid")" = "$BG_PID" ]
	KUBECONFIG="$BATS_TEST_TMPDIR/st/kubeconfig" kubectl get ns default
	# an open watch must not keep the sim alive
	KUBECONFIG="$BATS_TEST_TMPDIR/st/kubeconfig" timeout 60 kubectl get cm -A --watch >/dev/null 2>&1 3>&- &
	local wpid=$!
	sim_until grep -q 'watch=1' "$BATS_TEST_TMPDIR/st/requests.log"
	kill -TERM "$BG_PID"
	local rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=
	[ "$rc" -eq 0 ] || fail "mtv-sim exited $rc after SIGTERM"
	[ ! -e "$BATS_TEST_TMPDIR/st/port" ]
	kill "$wpid" 2>/dev/null || true
	wait "$wpid" 2>/dev/null || true
	run grep -c 'got SIGTERM, stopping' "$BATS_TEST_TMPDIR/log"
	assert_output 1
}

@test "--faults 503=1 answers every API request 503 but /sim/stats still counts them" {
	"$SIM" --state-dir "$BATS_TEST_TMPDIR/st" --world "$MTV_SRC_DIR/tests/fixtures/worlds/default.json" \
		--port 0 --faults 503=1 --seed 7 >"$BATS_TEST_TMPDIR/log" 2>&1 3>&- &
	BG_PID=$!
	sim_until test -s "$BATS_TEST_TMPDIR/st/port"
	SIM_DIR="$BATS_TEST_TMPDIR/st"
	SIM_URL="https://127.0.0.1:$(cat "$SIM_DIR/port")"
	run sim_curl /api/v1/namespaces
	assert_output --partial '"code":503'
	run sim_curl /api/v1/namespaces
	assert_output --partial '"reason":"ServiceUnavailable"'
	run sim_curl /sim/stats
	assert_output --partial '"fault":{"503":2}'
}

@test "--faults 429 sends Retry-After; latency and rates draw from the seed" {
	"$SIM" --state-dir "$BATS_TEST_TMPDIR/st" --world "$MTV_SRC_DIR/tests/fixtures/worlds/default.json" \
		--port 0 --faults 429=0.5,latency=1 --seed 3 >"$BATS_TEST_TMPDIR/log" 2>&1 3>&- &
	BG_PID=$!
	sim_until test -s "$BATS_TEST_TMPDIR/st/port"
	SIM_DIR="$BATS_TEST_TMPDIR/st"
	SIM_URL="https://127.0.0.1:$(cat "$SIM_DIR/port")"
	local codes="" i
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		codes+="$(sim_curl /api/v1/namespaces/default -o /dev/null -w '%{http_code} ')"
	done
	[[ "$codes" == *429* ]] || fail "no 429 in: $codes"
	[[ "$codes" == *200* ]] || fail "no 200 in: $codes"
	run sim_curl /api/v1/namespaces/default -D - -o /dev/null
	if [[ "$output" == *" 429"* ]]; then assert_output --partial 'Retry-After: 1'; fi
}

@test "--faults drop=1 cuts responses mid-body" {
	"$SIM" --state-dir "$BATS_TEST_TMPDIR/st" --world "$MTV_SRC_DIR/tests/fixtures/worlds/default.json" \
		--port 0 --faults drop=1 >"$BATS_TEST_TMPDIR/log" 2>&1 3>&- &
	BG_PID=$!
	sim_until test -s "$BATS_TEST_TMPDIR/st/port"
	SIM_DIR="$BATS_TEST_TMPDIR/st"
	SIM_URL="https://127.0.0.1:$(cat "$SIM_DIR/port")"
	run sim_curl /api/v1/namespaces
	assert_failure
}

@test "--faults watchcut=N ends watch streams after N events" {
	"$SIM" --state-dir "$BATS_TEST_TMPDIR/st" --world "$MTV_SRC_DIR/tests/fixtures/worlds/default.json" \
		--port 0 --faults watchcut=2 >"$BATS_TEST_TMPDIR/log" 2>&1 3>&- &
	BG_PID=$!
	sim_until test -s "$BATS_TEST_TMPDIR/st/port"
	SIM_DIR="$BATS_TEST_TMPDIR/st"
	SIM_URL="https://127.0.0.1:$(cat "$SIM_DIR/port")"
	# five pods exist; the stream must stop after two events, long before its timeout
	run sim_curl "/api/v1/namespaces/openshift-mtv/pods?watch=1&timeoutSeconds=600"
	assert_success
	run grep -c '"type":"ADDED"' <<<"$output"
	assert_output 2
}
