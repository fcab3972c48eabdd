#!/bin/bash
# make valgrind's lib/ssh half: tests/progs/ssh-run under valgrind against a
# real sshd (tests/sshd/guest.bash): a key login with commands and the
# output cap, over TCP and over a bridged socketpair, a refused password, a
# timeout, a connection dropped mid-command.  A definite or indirect leak,
# or any memory error, is exit 99 and fails the run; so does an exit status
# other than the one expected.
#
# Expects the Makefile's environment (MTV_TEST_BIN_DIR, MTV_SRC_DIR).
set -u

: "${MTV_TEST_BIN_DIR:?run through make valgrind}"
source "$MTV_SRC_DIR/tests/sshd/guest.bash"
tmp=$(mktemp -d)
trap 'guest_stop "$tmp/guest"; rm -rf "$tmp"' EXIT
guest_start "$tmp/guest" || { echo "valgrind ssh: the guest sshd did not start" >&2; exit 1; }
port=$(cat "$tmp/guest/port")
key=$tmp/guest/id_ed25519
run=$MTV_TEST_BIN_DIR/progs/ssh-run
failed=0

# check WANT_STATUS ARGS...: ssh-run ARGS under valgrind must exit WANT_STATUS.
check() {
	local want=$1 rc
	shift
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		"$run" "$@" >/dev/null 2>"$tmp/log"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "valgrind ssh: ssh-run $* exited $rc, not $want:" >&2
		cat "$tmp/log" >&2
		failed=1
	fi
}

check 4 --key "$key" --cap 65536 "$port" "$(id -un)" 'echo test' 'head -c 5000000 /dev/zero' 'cat; echo e >&2; exit 4'
check 0 --pair --key "$key" --cap 65536 "$port" "$(id -un)" 'head -c 5000000 /dev/zero'
SSH_RUN_PASSWORD=not-the-password check 1 "$port" "$(id -un)" true
check 3 --key "$key" --timeout 3000 "$port" "$(id -un)" 'sleep 10'
# shellcheck disable=SC2016 # $PPID is the guest's, expanded there
check 3 --key "$key" "$port" "$(id -un)" 'kill -9 $PPID; sleep 3'
[ "$failed" -eq 0 ] && echo "valgrind: no leaks or errors in lib/ssh (ssh-run, 5 runs)"
exit "$failed"
