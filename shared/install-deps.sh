#!/bin/sh
# Install the Debian packages mtv-steps builds and tests with.
# The Makefile runs this only when a header or tool it needs is missing, so a
# fresh clone builds with plain `make check`.  Safe to run again: apt-get skips
# what is already installed.
set -eu

PACKAGES="
build-essential pkg-config ca-certificates curl
libcurl4-openssl-dev libcjson-dev libyaml-dev libxml2-dev libssh2-1-dev libssl-dev libwebsockets-dev
libmicrohttpd-dev libgnutls28-dev libcmocka-dev libpcre2-dev
bats bats-assert bats-support shellcheck
openssl openssh-server openssh-client strace python3 jq
golang-go golang-github-vmware-govmomi-dev
chromium bsdutils
"
# chromium renders report.html headless in tests/bats/report.bats; bsdutils
# has script(1), the terminal tests/bats/progress-tty.bats runs mtv-migrate in.
# golang-go and govmomi build vcsim, VMware's vim25 simulator, which the
# lib/vsphere tests run against (tests/vcsim/main.go).
# The bats suites drive mtv-sim with kubectl, as a user would.  A kubectl
# that is already there (a newer upstream build, say) is kept: Debian's
# kubernetes-client would replace it with an older one.
command -v kubectl >/dev/null 2>&1 || PACKAGES="$PACKAGES kubernetes-client"
# Tools of the checks outside make check, installed only when their target
# asks: `install-deps.sh fuzz` (make fuzz: clang with libFuzzer and the
# sanitizer runtimes), `install-deps.sh valgrind` (make valgrind).
for extra in "$@"; do
	case "$extra" in
	fuzz) PACKAGES="$PACKAGES clang" ;;
	valgrind) PACKAGES="$PACKAGES valgrind" ;;
	*) echo "install-deps.sh: unknown extra \"$extra\" (fuzz, valgrind)" >&2; exit 2 ;;
	esac
done

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps.sh: need root or sudo to install: $PACKAGES" >&2
	exit 2
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086  # the list is meant to split into words
$SUDO apt-get install -y -q --no-install-recommends $PACKAGES
