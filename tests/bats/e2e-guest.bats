#!/usr/bin/env bats
# check-vms inside the guests, end to end: mtv-sim (world
# tests/fixtures/worlds/guests.json) bridges each running VMI's port-forward
# to a real sshd on loopback (tests/sshd/guest.bash) whose `ip`, `hostname`,
# `cat /etc/os-release` and `powershell` are fakes printing what a RHEL 9 or
# a Windows Server 2022 guest prints.  The steps up to migrate run once; each
# test runs check-vms (and gather) on a copy of that state.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"
source "$MTV_SRC_DIR/tests/bats/guest-fakes.bash"

GUEST_LABELS="rhel9 win2022 win2022-bad password-only"

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	source "$MTV_SRC_DIR/tests/sshd/guest.bash"
	SIM_WORLD="$MTV_SRC_DIR/tests/fixtures/worlds/guests.json" sim_start_checked --speed 0
	local g="$SIM_DIR/guests" l
	# One client key for every guest, so one MTV_SSH_KEY_FILE logs into all
	# (guest_start keeps a DIR/id_ed25519 that is already there).
	mkdir -p "$g"
	ssh-keygen -q -t ed25519 -N '' -C e2e-guest -f "$BATS_FILE_TMPDIR/id_ed25519"
	for l in $GUEST_LABELS; do
		mkdir -p "$g/$l"
		cp "$BATS_FILE_TMPDIR/id_ed25519" "$BATS_FILE_TMPDIR/id_ed25519.pub" "$g/$l/"
		guest_start "$g/$l"
	done
	# A guest that takes no key (sshd reads authorized_keys at each login):
	# only the password would do, and sshd without PAM refuses it.
	: >"$g/password-only/authorized_keys"
	linux_guest "$g/rhel9" mtv-guest-rhel9 00:50:56:c0:00:01 10.10.1.31
	linux_guest "$g/password-only" mtv-guest-badcreds 00:50:56:c0:04:01 10.10.1.44
	windows_guest "$g/win2022" mtv-guest-win2022-ip \
		'{"adapters":[{"Name":"Ethernet0","MacAddress":"00-50-56-C0-01-01","InterfaceIndex":6},{"Name":"Ethernet1","MacAddress":"00-50-56-C0-01-02","InterfaceIndex":7}],"addresses":[{"IPAddress":"10.10.1.41","PrefixLength":24,"InterfaceIndex":6,"InterfaceAlias":"Ethernet0"},{"IPAddress":"10.20.2.41","PrefixLength":24,"InterfaceIndex":7,"InterfaceAlias":"Ethernet1"},{"IPAddress":"127.0.0.1","PrefixLength":8,"InterfaceIndex":1,"InterfaceAlias":"Loopback Pseudo-Interface 1"}]}'
	# the twin lost its second static address: Windows gave the NIC an APIPA one
	windows_guest "$g/win2022-bad" mtv-guest-win2022-ip-bad \
		'{"adapters":{"value":[{"Name":"Ethernet0","MacAddress":"00-50-56-C0-02-01","InterfaceIndex":6},{"Name":"Ethernet1","MacAddress":"00-50-56-C0-02-02","InterfaceIndex":7}],"Count":2},"addresses":[{"IPAddress":"10.10.1.42","PrefixLength":24,"InterfaceIndex":6,"InterfaceAlias":"Ethernet0"},{"IPAddress":"169.254.7.9","PrefixLength":16,"InterfaceIndex":7,"InterfaceAlias":"Ethernet1"}]}'
	# The guests' login user is whoever runs the tests.
	sed "s/\"guest_vm_\(linux\|win\)_user\":[[:space:]]*\"[^\"]*\"/\"guest_vm_\1_user\": \"$(id -un)\"/" \
		"$SIM_DIR/providers.json" >"$BATS_FILE_TMPDIR/providers.json"
	grep -q "\"guest_vm_win_user\": \"$(id -un)\"" "$BATS_FILE_TMPDIR/providers.json"

	# The steps up to the migration, once per scenario.
	local sc
	export BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR/build"
	E2E_PROVIDERS_FILE="$BATS_FILE_TMPDIR/providers.json" e2e_setup vsphere-guests
	export MTV_TESTS_PARAMS="$MTV_SRC_DIR/tests/fixtures/scenarios/guests.json"
	for sc in test_guest_checks test_guest_linux; do
		export MTV_SCENARIO=$sc SHARED_DIR="$BATS_FILE_TMPDIR/migrated-$sc"
		mkdir -p "$SHARED_DIR"
		run_steps create-provider storagemap networkmap plan migrate
	done
}

teardown_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	source "$MTV_SRC_DIR/tests/sshd/guest.bash"
	local l
	for l in $GUEST_LABELS; do
		guest_stop "$BATS_FILE_TMPDIR/sim/guests/$l"
	done
	sim_stop
}

# use_scenario SC: this test's SHARED_DIR is a copy of SC's migrated state.
use_scenario() {
	export MTV_SCENARIO=$1
	cp -a "$BATS_FILE_TMPDIR/migrated-$1/." "$SHARED_DIR/"
}

setup() {
	SWAPPED=()
	E2E_PROVIDERS_FILE="$BATS_FILE_TMPDIR/providers.json" e2e_setup vsphere-guests
	export MTV_TESTS_PARAMS="$MTV_SRC_DIR/tests/fixtures/scenarios/guests.json"
	export MTV_GUEST_CHECKS=true MTV_SSH_RETRIES=2 MTV_SSH_RETRY_DELAY=0
	export MTV_SSH_KEY_FILE="$BATS_FILE_TMPDIR/id_ed25519"
	JUNIT="$ARTIFACT_DIR/junit_mtv_check_vms.xml"
}

# junit_case NAME: "passed", "failed MESSAGE" or "skipped MESSAGE" of the
# check-vms case NAME ("missing" when there is none).
junit_case() {
	python3 - "$JUNIT" "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
for tc in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    if tc.get("name") != sys.argv[2]:
        continue
    f, s = tc.find("failure"), tc.find("skipped")
    if f is not None:
        print("failed", f.get("message", ""))
    elif s is not None:
        print("skipped", s.get("message", ""))
    else:
        print("passed")
    break
else:
    print("missing")
EOF
}

assert_case() {	# assert_case NAME EXPECTED (the start of junit_case's line)
	local got
	got=$(junit_case "$1")
	[[ "$got" == "$2"* ]] || fail "case '$1': expected '$2...', got '$got'"
}

@test "guest: Linux passes login, hostname, OS, NICs; Windows keeps its static IPs; the twin and the refused login fail; the VM that is off is skipped" {
	use_scenario test_guest_checks
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 1
	# through KubeVirt's port-forward subresource of each running VMI
	grep -q "/virtualmachineinstances/mtv-guest-rhel9/portforward/22/tcp" "$SIM_DIR/requests.log" ||
		fail "no port-forward request: $(grep portforward "$SIM_DIR/requests.log" | head -3)"
	! grep -q "/virtualmachineinstances/mtv-guest-off/portforward" "$SIM_DIR/requests.log"
	local v
	for v in "ssh login" "guest hostname" "guest os" "guest NICs"; do
		assert_case "mtv-guest-rhel9: $v" passed
		assert_case "mtv-guest-win2022-ip: $v" passed
		assert_case "mtv-guest-win2022-ip-bad: $v" passed
	done
	assert_case "mtv-guest-rhel9: guest static IPs" "skipped the source VM has no static (manual) IP address"
	assert_case "mtv-guest-win2022-ip: guest static IPs" passed
	local twin="VM mtv-guest-win2022-ip-bad: interface Ethernet1 (00:50:56:c0:02:02): expected 10.20.2.42/24; the guest has 169.254.7.9/16"
	assert_case "mtv-guest-win2022-ip-bad: guest static IPs" "failed $twin"
	[[ "$stderr" == *"$twin"* ]] || fail "the failure is not in the log: $stderr"
	# Key auth is refused by that guest: the password of .providers.json is
	# not used with a key, and the failure is final (one attempt)
	assert_case "mtv-guest-badcreds: ssh login" "failed ssh login: authentication failed for $(id -un)"
	assert_case "mtv-guest-badcreds: guest hostname" "skipped no SSH session"
	assert_case "mtv-guest-off: ssh login" "skipped the VM is not expected to run"
	assert_case "mtv-guest-off: guest NICs" "skipped the VM is not expected to run"
	# no marker case without MTV_GUEST_MARKER
	assert_case "mtv-guest-rhel9: guest marker" missing
	# The OS fact and the host key, as the guest's sshd has them
	[[ "$(junit_case "mtv-guest-rhel9: guest os")" == passed ]]
	grep -q 'Red Hat Enterprise Linux 9.4 (Plow) (ID=rhel VERSION_ID=9.4)' "$JUNIT"
	grep -q 'Microsoft Windows Server 2022 Standard' "$JUNIT"
	fp=$(ssh-keygen -lf "$SIM_DIR/guests/rhel9/ssh_host_ed25519_key.pub" | awk '{print $2}')
	[ -n "$fp" ]
	grep -qF "ssh-ed25519 $fp" "$ARTIFACT_DIR/guest/mtv-guest-rhel9/host-key" ||
		fail "host key $(cat "$ARTIFACT_DIR/guest/mtv-guest-rhel9/host-key"), expected $fp"
	# What each guest answered, for gather: failed only where a case failed
	python3 - "$SHARED_DIR/mtv-guest-checks.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
vms = {v["name"]: v for v in doc["vms"]}
assert set(vms) == {"mtv-guest-rhel9", "mtv-guest-win2022-ip", "mtv-guest-win2022-ip-bad", "mtv-guest-badcreds"}, vms.keys()
assert not vms["mtv-guest-rhel9"]["failed"] and not vms["mtv-guest-win2022-ip"]["failed"]
assert vms["mtv-guest-win2022-ip-bad"]["failed"] and vms["mtv-guest-badcreds"]["failed"]
cmds = vms["mtv-guest-rhel9"]["commands"]
assert [c["command"] for c in cmds] == ["hostname", "cat /etc/os-release", "ip -j addr"], cmds
assert cmds[0]["stdout"] == "mtv-guest-rhel9\n" and cmds[0]["exitStatus"] == 0
assert vms["mtv-guest-rhel9"]["hostKey"].startswith("ssh-ed25519 SHA256:")
assert "169.254.7.9" in vms["mtv-guest-win2022-ip-bad"]["commands"][2]["stdout"]
EOF

	# gather writes the outputs of the VMs that failed, and only of those
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	local d="$ARTIFACT_DIR/guest/mtv-guest-win2022-ip-bad"
	[ -f "$d/1-hostname.txt" ] || fail "no $d/1-hostname.txt: $(ls -R "$ARTIFACT_DIR/guest")"
	grep -q '^mtv-guest-win2022-ip-bad$' "$d/1-hostname.txt"
	ls "$d"/3-powershell-*.txt >/dev/null
	grep -q '169.254.7.9' "$d"/3-powershell-*.txt
	grep -q '^# exit status 0' "$d"/3-powershell-*.txt
	[ -f "$ARTIFACT_DIR/guest/mtv-guest-badcreds/error.txt" ]
	[ ! -e "$ARTIFACT_DIR/guest/mtv-guest-rhel9/1-hostname.txt" ]
	[[ "$output" == *"guest/mtv-guest-win2022-ip-bad/1-hostname.txt"* ]]
}

@test "guest: a refused password fails with the user named, and the password is nowhere" {
	use_scenario test_guest_linux
	unset MTV_SSH_KEY_FILE
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 1
	assert_case "mtv-guest-rhel9: ssh login" "failed ssh login: authentication failed for $(id -un)"
	[[ "$stderr" == *"ssh login: authentication failed for $(id -un)"* ]]
	# final at once: no retry of a refused login
	[[ "$stderr" != *"trying again"* ]] || fail "a refused login was retried: $stderr"
	echo "$output" >"$BATS_TEST_TMPDIR/stdout"
	echo "$stderr" >"$BATS_TEST_TMPDIR/stderr"
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	echo "$output" >>"$BATS_TEST_TMPDIR/stdout"
	echo "$stderr" >>"$BATS_TEST_TMPDIR/stderr"
	local s
	for s in sim-guests-linux-secret sim-guests-win-secret sim-guests-vsphere-password; do
		grep -q "$s" "$MTV_PROVIDERS_FILE" || fail "$s is not in the providers file: this test checks nothing"
		! grep -rqF -- "$s" "$BATS_TEST_TMPDIR/stdout" "$BATS_TEST_TMPDIR/stderr" "$ARTIFACT_DIR" "$SHARED_DIR" ||
			fail "$s found in: $(grep -rlF -- "$s" "$BATS_TEST_TMPDIR/stdout" "$BATS_TEST_TMPDIR/stderr" "$ARTIFACT_DIR" "$SHARED_DIR")"
	done
}

@test "guest: at trace level no secret (passwords, token, the SSH key) reaches any output, artifact or state" {
	source "$MTV_SRC_DIR/tests/bats/secrets.bash"
	local out="$BATS_TEST_TMPDIR/out"
	mkdir -p "$out"
	use_scenario test_guest_checks
	# the key logs into every guest but one, which refuses with the password
	MTV_LOG_LEVEL=trace run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 1
	echo "$output" >"$out/check-vms.stdout"
	echo "$stderr" >"$out/check-vms.stderr"
	MTV_LOG_LEVEL=trace run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	echo "$output" >"$out/gather.stdout"
	echo "$stderr" >"$out/gather.stderr"
	grep -q ' TRACE ' "$out/check-vms.stderr" || fail "no TRACE line: the audit saw a quieter run"
	secrets_collect "$MTV_PROVIDERS_FILE" "$MTV_SSH_KEY_FILE"
	secrets_audit "$out" "$ARTIFACT_DIR" "$SHARED_DIR"
}

@test "guest: a guest not up yet is retried until it answers" {
	use_scenario test_guest_linux
	local port="$SIM_DIR/guests/rhel9/port"
	mv "$port" "$port.hidden"
	export MTV_SSH_RETRIES=60 MTV_SSH_RETRY_DELAY=1
	"$MTV_BIN_DIR/mtv-check-vms" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	local pid=$! i
	# the first attempt found nothing listening; then the guest "boots"
	for i in $(seq 600); do
		grep -q "trying again" "$BATS_TEST_TMPDIR/err" && break
		sleep 0.1
	done
	mv "$port.hidden" "$port"
	wait "$pid" || fail "check-vms exited $?: $(cat "$BATS_TEST_TMPDIR/err")"
	grep -q "trying again in 1 s (attempt 2 of 60)" "$BATS_TEST_TMPDIR/err"
	assert_case "mtv-guest-rhel9: ssh login" passed
	grep -q 'logged in on attempt' "$BATS_TEST_TMPDIR/err"
}

@test "guest: a guest that never answers fails after MTV_SSH_RETRIES attempts" {
	use_scenario test_guest_linux
	local port="$SIM_DIR/guests/rhel9/port"
	mv "$port" "$port.hidden"
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	mv "$port.hidden" "$port"
	assert_failure 1
	assert_case "mtv-guest-rhel9: ssh login" "failed after 2 attempts: "
	assert_case "mtv-guest-rhel9: guest os" "skipped no SSH session"
}

# fake_swap LABEL CMD SCRIPT: replace a fake command of a guest for one
# test (teardown puts it back).
fake_swap() {
	local f="$SIM_DIR/guests/$1/bin/$2"
	cp "$f" "$BATS_TEST_TMPDIR/$1-$2.orig"
	printf '%s\n' "$3" >"$f"
	SWAPPED+=("$1/$2")
}

teardown() {
	local s
	for s in "${SWAPPED[@]}"; do
		cp "$BATS_TEST_TMPDIR/${s%%/*}-${s#*/}.orig" "$SIM_DIR/guests/${s%%/*}/bin/${s#*/}"
	done
	rm -f "$SIM_DIR/guests/rhel9/home/dropped"
}

# drop_ip ONCE: the rhel9 guest's `ip` kills the sshd serving its session
# (only the first time when ONCE is "once"): the connection drops under
# the command, as a broken tunnel does; otherwise it is the usual fake.
drop_ip() {
	local real="$BATS_TEST_TMPDIR/ip.real" cond='true'
	cp "$SIM_DIR/guests/rhel9/bin/ip" "$real"
	[ "$1" = once ] && cond='[ ! -e dropped ]'
	fake_swap rhel9 ip "#!/bin/sh
if $cond; then
	: >dropped
	p=\$PPID
	while [ \"\$p\" -gt 1 ]; do
		case \"\$(cat /proc/\$p/comm)\" in sshd*) kill -9 \"\$p\"; sleep 5; exit 1 ;; esac
		p=\$(cut -d' ' -f4 /proc/\$p/stat)
	done
fi
exec $real \"\$@\""
}

@test "guest: a connection that drops under a command is reopened once and the command run again" {
	use_scenario test_guest_linux
	drop_ip once
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_success
	[[ "$stderr" == *"reconnecting to run it again"* ]] || fail "no reconnect: $stderr"
	assert_case "mtv-guest-rhel9: guest NICs" passed
}

@test "guest: a connection that keeps dropping fails the case clearly" {
	use_scenario test_guest_linux
	drop_ip always
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 1
	assert_case "mtv-guest-rhel9: guest hostname" passed
	# the tunnel's own reason, then what ssh saw, for both tries
	assert_case "mtv-guest-rhel9: guest NICs" "failed VM mtv-guest-rhel9: the tunnel dropped ("
	local got
	got=$(junit_case "mtv-guest-rhel9: guest NICs")
	[[ "$got" == *"connection closed while running ip -j addr; again after reconnecting: "*"connection closed while running ip -j addr" ]] ||
		fail "$got"
}

@test "guest: a guest that prints megabytes is capped, in the state file too" {
	use_scenario test_guest_linux
	fake_swap rhel9 hostname '#!/bin/sh
head -c 3000000 /dev/zero | tr "\0" x'
	run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 1
	assert_case "mtv-guest-rhel9: guest hostname" "failed VM mtv-guest-rhel9: expected hostname mtv-guest-rhel9 (the source guest's), the guest says xxxx"
	# the other commands ran on after it
	assert_case "mtv-guest-rhel9: guest NICs" passed
	[ "$(stat -c %s "$SHARED_DIR/mtv-guest-checks.json")" -lt 100000 ]
	python3 - "$SHARED_DIR/mtv-guest-checks.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["vms"][0]["commands"][0]
assert c["command"] == "hostname" and c["truncated"] is True, c["truncated"]
assert 0 < len(c["stdout"]) <= 16384, len(c["stdout"])
EOF
}

@test "guest: SIGTERM during the wait between attempts exits 143 at once, keeping what was seen" {
	use_scenario test_guest_linux
	local port="$SIM_DIR/guests/rhel9/port"
	mv "$port" "$port.hidden"
	MTV_SSH_RETRIES=60 MTV_SSH_RETRY_DELAY=600 "$MTV_BIN_DIR/mtv-check-vms" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	local pid=$! i rc=0
	for i in $(seq 600); do
		grep -q "trying again in 600 s" "$BATS_TEST_TMPDIR/err" && break
		sleep 0.1
	done
	mv "$port.hidden" "$port"
	grep -q "trying again in 600 s" "$BATS_TEST_TMPDIR/err" || fail "no retry wait: $(cat "$BATS_TEST_TMPDIR/err")"
	kill -TERM "$pid"
	start=$(date +%s%N)
	wait "$pid" || rc=$?
	elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
	assert_equal "$rc" 143
	[ "$elapsed_ms" -lt 5000 ] || fail "took ${elapsed_ms}ms to stop"
	grep -q '"name":[[:space:]]*"mtv-guest-rhel9"' "$SHARED_DIR/mtv-guest-checks.json"
	[ -s "$ARTIFACT_DIR/junit_mtv_check_vms.xml" ]
}

@test "guest: skipped with the reason when off, without credentials, or MTV_GUEST_CHECKS=false" {
	use_scenario test_guest_linux
	MTV_GUEST_CHECKS=false run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_success
	assert_case "mtv-guest-rhel9: ssh login" "skipped MTV_GUEST_CHECKS=false"
	assert_case "mtv-guest-rhel9: guest NICs" "skipped MTV_GUEST_CHECKS=false"
	[ ! -e "$SHARED_DIR/mtv-guest-checks.json" ]
	# a providers file without guest credentials, and no key
	grep -v '"guest_vm_' "$MTV_PROVIDERS_FILE" >"$BATS_TEST_TMPDIR/providers.json"
	unset MTV_SSH_KEY_FILE
	MTV_PROVIDERS_FILE="$BATS_TEST_TMPDIR/providers.json" run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_success
	assert_case "mtv-guest-rhel9: ssh login" \
		"skipped no guest credentials for Linux: no guest_vm_linux_user/guest_vm_linux_password in .providers.json, and MTV_SSH_KEY_FILE is unset"
}

@test "guest: bad guest parameters are exit 2 before anything is looked at" {
	use_scenario test_guest_linux
	local pf0
	pf0=$(grep -c /portforward/ "$SIM_DIR/requests.log" || true)
	MTV_SSH_TUNNEL=carrier-pigeon run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 2
	[[ "$stderr" == *"MTV_SSH_TUNNEL: expected native or virtctl, got 'carrier-pigeon'"* ]]
	PATH=/usr/bin:/bin MTV_SSH_TUNNEL=virtctl run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 2
	[[ "$stderr" == *"MTV_SSH_TUNNEL=virtctl: virtctl is not on PATH"* ]]
	MTV_SSH_RETRIES=0 run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 2
	[[ "$stderr" == *"MTV_SSH_RETRIES"* ]]
	MTV_SSH_KEY_FILE=/nonexistent/key run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_failure 2
	[[ "$stderr" == *"MTV_SSH_KEY_FILE /nonexistent/key: No such file or directory"* ]]
	# no guest was tried
	assert_equal "$(grep -c /portforward/ "$SIM_DIR/requests.log" || true)" "$pf0"
	[ ! -e "$SHARED_DIR/mtv-guest-checks.json" ]
}

@test "guest: the marker is skipped with the reason when prepare-vms recorded none, else read back" {
	use_scenario test_guest_linux
	MTV_GUEST_MARKER=1 run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_success
	assert_case "mtv-guest-rhel9: ssh login" passed
	assert_case "mtv-guest-rhel9: guest marker" "skipped mtv-prepare-vms recorded no marker for this VM"
	# What prepare-vms would record (it does not write markers yet): the
	# marker read back from the guest, then a guest whose marker changed
	local session provider
	session=$(state_field mtv-session.json id)
	provider=$(state_field mtv-providers.json name)
	write_marker() {
		printf '{"provider": "%s", "type": "vsphere", "session": "%s", "vms": [{"source": "mtv-guest-rhel9",
		 "name": "mtv-guest-rhel9", "cloned": false, "guestMarker": {"path": "mtv-marker.txt", "content": "%s"}}]}\n' \
			"$provider" "$session" "$1" >"$SHARED_DIR/mtv-source-vms.json"
	}
	echo "run-42" >"$SIM_DIR/guests/rhel9/home/mtv-marker.txt"
	write_marker run-42
	MTV_GUEST_MARKER=1 run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	assert_case "mtv-guest-rhel9: guest marker" passed
	write_marker run-43
	MTV_GUEST_MARKER=1 run --separate-stderr "$MTV_BIN_DIR/mtv-check-vms"
	rm -f "$SIM_DIR/guests/rhel9/home/mtv-marker.txt"
	assert_failure 1
	assert_case "mtv-guest-rhel9: guest marker" "failed VM mtv-guest-rhel9: marker mtv-marker.txt: expected run-43, the guest has run-42"
}

@test "guest: a corrupt mtv-guest-checks.json is a warning for gather naming it, not a failure" {
	use_scenario test_guest_linux
	printf '{"vms": [{"name": 7}]}' >"$SHARED_DIR/mtv-guest-checks.json"
	run --separate-stderr "$MTV_BIN_DIR/mtv-gather"
	assert_success
	[[ "$stderr" == *"mtv-guest-checks.json: vms[0].name: expected string, got number"* ]] || fail "$stderr"
}
