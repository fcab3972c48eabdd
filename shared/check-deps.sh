#!/bin/sh
# Exit 0 when every header and tool the build and tests need is present;
# otherwise name what is missing on stderr and exit 1.
#   check-deps.sh [all]    the product, mtv-sim and the tests (the default)
#   check-deps.sh product  only the step binaries and mtv-run (what the
#                          Containerfile's build stage has)
# Go and govmomi (for vcsim) are not required here: build/vcsim's make rule
# installs them itself, and without them only the vcsim tests skip.
cc=${CC:-cc}
mode=${1:-all}
case "$mode" in
all|product) ;;
*) echo "check-deps: unknown mode \"$mode\" (all, product)" >&2; exit 2 ;;
esac
missing=""

has_header() {	# has_header NAME [CFLAGS]: the lines to #include, "\n"-separated
	# the format is the point: "\n" in NAME must become new lines; CFLAGS
	# are words
	# shellcheck disable=SC2059,SC2086
	printf "#include <$1>\n" | "$cc" $2 -E -x c - >/dev/null 2>&1
}
for h in curl/curl.h cjson/cJSON.h yaml.h libssh2.h openssl/ssl.h libwebsockets.h; do
	has_header "$h" || missing="$missing $h"
done
has_header 'stdint.h>\n#define PCRE2_CODE_UNIT_WIDTH 8\n#include <pcre2.h' || missing="$missing pcre2.h"
# libxml2 keeps its headers in a subdirectory the compiler is told about.
has_header libxml/parser.h "$(pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)" ||
	missing="$missing libxml/parser.h"

if [ "$mode" = all ]; then
	# mtv-sim's server, its client certificates, the unit tests, the bats suites
	for h in microhttpd.h gnutls/gnutls.h; do
		has_header "$h" || missing="$missing $h"
	done
	has_header 'stdarg.h>\n#include <stddef.h>\n#include <setjmp.h>\n#include <cmocka.h' ||
		missing="$missing cmocka.h"
	# chromium: report.html in a browser; script: a terminal for mtv-migrate
	for t in bats openssl curl jq kubectl shellcheck strace python3 chromium script; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	for d in /usr/lib/bats/bats-support /usr/lib/bats/bats-assert; do
		[ -d "$d" ] || missing="$missing $d"
	done
	# the SSH guests of tests/sshd/guest.bash (openssh-server, -client)
	[ -x /usr/sbin/sshd ] || missing="$missing /usr/sbin/sshd"
	command -v ssh-keygen >/dev/null 2>&1 || missing="$missing ssh-keygen"
fi
[ -z "$missing" ] && exit 0
echo "check-deps: missing:$missing" >&2
exit 1
