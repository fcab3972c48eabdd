# A stand-in for a migrated guest: a real OpenSSH sshd (Debian
# openssh-server) on 127.0.0.1, one per directory, for the lib/ssh tests and
# for mtv-sim's port-forward bridge (tests/sim reads DIR/port).
#
#   guest_start DIR    make DIR (host key, client key DIR/id_ed25519,
#                      authorized_keys, bin/, home/, sshd_config), start
#                      sshd -D, write DIR/pid, then DIR/port once it accepts
#   guest_stop DIR     kill it (and the sessions it forked) and wait
#   guest_fake DIR NAME SCRIPT
#                      DIR/bin/NAME runs SCRIPT (a shell script body), so a
#                      test fakes `ip`, `hostname`, `powershell` in the guest
#
# Every session runs DIR/session (ForceCommand): cd DIR/home, DIR/bin first
# on PATH, then sh -c "$SSH_ORIGINAL_COMMAND".  The login user is whoever
# runs the tests (`id -un`, root in CI).  Key login succeeds; password login
# is offered and refused for real (no PAM: sshd checks /etc/shadow, and the
# tests never set a password there).
#
# GUEST_SSHD_CONFIG, when set, goes at the top of sshd_config, where it
# wins over our defaults (e.g. "PasswordAuthentication no" for a guest that
# accepts only keys).
# sshd reports nothing about a port it picked itself, so we pick a free one
# (bind 0 in python3) and retry when another process takes it first.

GUEST_SSHD=${GUEST_SSHD:-/usr/sbin/sshd}

# A free loopback port: bound and released, so a race is possible and
# guest_start retries.
_guest_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_guest_setup() {
	local dir=$1
	mkdir -p "$dir/bin" "$dir/home"
	[ -f "$dir/ssh_host_ed25519_key" ] ||
		ssh-keygen -q -t ed25519 -N '' -C guest-host -f "$dir/ssh_host_ed25519_key" || return 1
	[ -f "$dir/id_ed25519" ] ||
		ssh-keygen -q -t ed25519 -N '' -C guest-client -f "$dir/id_ed25519" || return 1
	chmod 0600 "$dir/id_ed25519" "$dir/ssh_host_ed25519_key"
	cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
	# The wrapper every session runs: sshd gives it the client's command in
	# SSH_ORIGINAL_COMMAND.  exec, so the command's parent is the session's
	# sshd (a test kills it to drop the connection).  Its pid goes into
	# session.pids: without a pty sshd leaves a command running when the
	# client goes away, and guest_stop must still find it.
	cat >"$dir/session" <<EOF
#!/bin/sh
cd '$dir/home' || exit 125
PATH='$dir/bin':\$PATH
export PATH
echo \$\$ >>'$dir/session.pids'
exec sh -c "\$SSH_ORIGINAL_COMMAND"
EOF
	chmod 0755 "$dir/session"
}

_guest_config() {
	local dir=$1 port=$2
	# SHLVL=1: bash, the tests' user's shell that sshd runs the wrapper
	# with, reads ~/.bashrc when started by sshd at shell level 1, and the
	# test user's rc files (pyenv init, ...) have no business in a guest.
	# sshd keeps the first value it reads for an option: the caller's go first.
	if [ -n "${GUEST_SSHD_CONFIG:-}" ]; then
		printf '%s\n' "$GUEST_SSHD_CONFIG" >"$dir/sshd_config"
	else
		: >"$dir/sshd_config"
	fi
	cat >>"$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1:$port
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
ForceCommand $dir/session
UsePAM no
StrictModes no
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitEmptyPasswords no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
UseDNS no
MaxStartups 100
LoginGraceTime 60
LogLevel VERBOSE
SetEnv SHLVL=1
Subsystem sftp internal-sftp
EOF
}

# Is something accepting on 127.0.0.1:$1?
_guest_accepts() {
	python3 -c 'import socket, sys
s = socket.socket()
s.settimeout(1)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

guest_start() {
	local dir=$1 port pid try i
	[ -n "$dir" ] || { echo "guest_start: no directory" >&2; return 2; }
	mkdir -p "$dir" && dir=$(cd "$dir" && pwd) || return 1
	rm -f "$dir/port" "$dir/pid"
	_guest_setup "$dir" || return 1
	# As root, sshd wants its privilege separation directory.
	if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
		mkdir -p /run/sshd && chmod 0755 /run/sshd
	fi
	for try in 1 2 3 4 5; do
		port=$(_guest_free_port) || return 1
		_guest_config "$dir" "$port"
		# sshd refuses to run by a relative path; -e logs to stderr, which
		# goes to sshd.log (LogLevel VERBOSE: each auth attempt is there).
		"$GUEST_SSHD" -D -e -f "$dir/sshd_config" >>"$dir/sshd.log" 2>&1 </dev/null 3>&- &
		pid=$!
		for i in $(seq 1 100); do
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if _guest_accepts "$port"; then
				echo "$pid" >"$dir/pid"
				echo "$port" >"$dir/port.tmp" && mv "$dir/port.tmp" "$dir/port"
				return 0
			fi
			sleep 0.05
		done
		# It died (the port was taken between our bind and its own) or never
		# listened: stop it and try another port.
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		echo "guest_start: sshd on port $port did not come up (try $try), see $dir/sshd.log" >&2
	done
	return 1
}

# The pids of the sessions sshd forked, recursively (a session sshd calls
# setsid, so the process group does not reach them).
_guest_descendants() {
	local p c
	for p in "$@"; do
		for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do
			echo "$c"
			_guest_descendants "$c"
		done
	done
}

guest_stop() {
	local dir=$1 pid p i
	local -a kids
	[ -f "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	rm -f "$dir/port"
	mapfile -t kids < <(_guest_descendants "$pid")
	# Commands whose session ended without them (now children of init):
	# only pids still running our wrapper's `sh -c`, not a reused pid.
	if [ -f "$dir/session.pids" ]; then
		while read -r p; do
			case "$(ps -o args= -p "$p" 2>/dev/null)" in
			"sh -c "*) kids+=("$p") && mapfile -t -O "${#kids[@]}" kids < <(_guest_descendants "$p") ;;
			esac
		done < <(sort -u "$dir/session.pids")
		rm -f "$dir/session.pids"
	fi
	kill "$pid" "${kids[@]}" 2>/dev/null
	# Our own child when started from this shell, else poll until it is gone.
	wait "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
	rm -f "$dir/pid"
	return 0
}

guest_fake() {
	local dir=$1 name=$2 script=$3
	mkdir -p "$dir/bin"
	printf '#!/bin/sh\n%s\n' "$script" >"$dir/bin/$name"
	chmod 0755 "$dir/bin/$name"
}
