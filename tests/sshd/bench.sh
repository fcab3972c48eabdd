#!/bin/bash
# The cost of lib/ssh over loopback against a real sshd: a key login plus
# the three small commands check-vms runs per guest (hostname, ip -j addr,
# os-release), a login plus one `true`, and OpenSSH's own `ssh ... true` for
# comparison; each N times (default 20), printed as milliseconds per run.
#
#   tests/sshd/bench.sh [N]    (after make build/tests/progs/ssh-run)
set -u
n=${1:-20}
src=$(cd "$(dirname "$0")/../.." && pwd)
run=${MTV_TEST_BIN_DIR:-$src/build/tests}/progs/ssh-run
source "$src/tests/sshd/guest.bash"
tmp=$(mktemp -d)
trap 'guest_stop "$tmp/guest"; rm -rf "$tmp"' EXIT
guest_start "$tmp/guest" || exit 1
port=$(cat "$tmp/guest/port")
key=$tmp/guest/id_ed25519
me=$(id -un)

per_run() {	# per_run LABEL CMD...: CMD n times, ms per run
	local label=$1 s e i
	shift
	s=$(date +%s%N)
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null || { echo "bench: $label failed" >&2; return 1; }
	done
	e=$(date +%s%N)
	printf '%-40s %6d ms\n' "$label" $(((e - s) / n / 1000000))
}

per_run "lib/ssh: key login + 3 commands" \
	"$run" --key "$key" "$port" "$me" hostname 'ip -j addr' 'cat /etc/os-release'
per_run "lib/ssh: key login + true" "$run" --key "$key" "$port" "$me" true
per_run "OpenSSH ssh: key login + true" ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o LogLevel=ERROR -o BatchMode=yes -i "$key" -p "$port" "$me@127.0.0.1" true
echo "($n runs each, load average $(cut -d' ' -f1-3 /proc/loadavg))"
