#!/bin/sh
# Exit 0 when every header and tool the build and tests need is present;
# otherwise name what is missing on stderr and exit 1.
# Go and govmomi (for vcsim) are not required here: build/vcsim's make rule
# installs them itself, and without them only the vcsim tests skip.
cc=${CC:-cc}
missing=""
for h in curl/curl.h cjson/cJSON.h yaml.h libssh2.h openssl/ssl.h microhttpd.h gnutls/gnutls.h \
	 'stdint.h>\n#define PCRE2_CODE_UNIT_WIDTH 8\n#include <pcre2.h' \
	 'stdarg.h>\n#include <stddef.h>\n#include <setjmp.h>\n#include <cmocka.h'; do
	printf "#include <$h>\n" | "$cc" -E -x c - >/dev/null 2>&1 || missing="$missing ${h##*<}"
done
# libxml2 keeps its headers in a subdirectory the compiler is told about.
printf '#include <libxml/parser.h>\n' | "$cc" $(pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2) \
	-E -x c - >/dev/null 2>&1 || missing="$missing libxml/parser.h"
for t in bats openssl curl kubectl shellcheck; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
for d in /usr/lib/bats/bats-support /usr/lib/bats/bats-assert; do
	[ -d "$d" ] || missing="$missing $d"
done
[ -z "$missing" ] && exit 0
echo "check-deps: missing:$missing" >&2
exit 1
