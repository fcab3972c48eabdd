#!/usr/bin/env bats
# The Containerfile, checked without a container engine: its run stage
# installs the Debian package of every shared library the built product
# binaries need (their DT_NEEDED entries, resolved to files and to packages
# with dpkg -S), its build stage the -dev package of every header
# `check-deps.sh product` needs, it builds the product and not mtv-sim, and
# it runs as a non-root user.  With a reachable podman or docker the image is
# built and run as well.
bats_require_minimum_version 1.5.0

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	CF="$MTV_SRC_DIR/Containerfile"
}

# The packages one stage's `apt-get install` lines name: stage 1 = build,
# 2 = run (counted by FROM lines).  Backslash continuations are joined.
stage_packages() {
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$CF" |
		awk -v want="$1" '/^FROM /{n++} n==want && /apt-get install/' |
		tr ' ' '\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' |
		grep -vxE 'apt-get|install|update|rm|DEBIAN_FRONTEND=noninteractive|&&' | sort -u
}

# The package that ships a file, without the architecture.
package_of() {
	dpkg -S "$1" 2>/dev/null | head -1 | cut -d: -f1
}

product_binaries() {
	local b
	for b in "$MTV_BIN_DIR"/mtv-*; do
		[ "$(basename "$b")" = mtv-sim ] && continue
		echo "$b"
	done
}

@test "containerfile: the run stage installs the package of every library the product links" {
	run stage_packages 2
	assert_success
	local run_pkgs=$output
	[[ "$run_pkgs" == *ca-certificates* ]]
	local seen="" missing=() b lib path pkg
	while read -r b; do
		while read -r lib; do
			# make check SANITIZE=1 checks its own sanitized build, which
			# links the sanitizer runtimes; the image's build never does
			case $lib in libasan.so.* | libubsan.so.*) continue ;; esac
			# the file the dynamic linker would load, as ldd resolves it
			path=$(ldd "$b" | awk -v l="$lib" '$1 == l { print $3 }')
			[ -n "$path" ] || { missing+=("$b: $lib not found by ldd"); continue; }
			pkg=$(package_of "$(readlink -f "$path")")
			[ -n "$pkg" ] || pkg=$(package_of "$path")
			[ -n "$pkg" ] || { missing+=("$b: $lib ($path) belongs to no package"); continue; }
			# libc6 is in every Debian base image
			[ "$pkg" = libc6 ] && continue
			grep -qx "$pkg" <<<"$run_pkgs" || missing+=("$(basename "$b"): $lib is in $pkg, which the run stage does not install")
			seen+="$pkg"$'\n'
		done < <(readelf -d "$b" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	done < <(product_binaries)
	[ "${#missing[@]}" -eq 0 ] || { printf '%s\n' "${missing[@]}"; false; }
	# the libraries every step uses were among those checked
	for pkg in libcurl4 libcjson1 libyaml-0-2 libssl3 libpcre2-8-0; do
		grep -qx "$pkg" <<<"$seen" || { echo "no binary links $pkg?"; false; }
	done
}

@test "containerfile: the build stage installs the -dev package of every header the product needs" {
	run stage_packages 1
	assert_success
	local build_pkgs=$output missing=() h path pkg
	[[ "$build_pkgs" == *build-essential* ]]
	for h in curl/curl.h cjson/cJSON.h yaml.h libssh2.h libwebsockets.h openssl/ssl.h pcre2.h libxml/parser.h; do
		path=$(printf '#define PCRE2_CODE_UNIT_WIDTH 8\n#include <%s>\n' "$h" |
			cc -I/usr/include/libxml2 -M -x c - | tr ' \\' '\n\n' | grep -m1 "/$h\$")
		[ -n "$path" ] || { missing+=("$h: not found by cc"); continue; }
		pkg=$(package_of "$path")
		grep -qx "$pkg" <<<"$build_pkgs" || missing+=("$h is in $pkg, which the build stage does not install")
	done
	[ "${#missing[@]}" -eq 0 ] || { printf '%s\n' "${missing[@]}"; false; }
}

@test "containerfile: the build stage's packages are enough for make product" {
	# what `make DEPS=product product` checks before compiling
	run "$MTV_SRC_DIR/shared/check-deps.sh" product
	assert_success
	run make -C "$MTV_SRC_DIR" -n DEPS=product install PREFIX=/usr/local DESTDIR=/out
	assert_success
	# the product binaries are installed; the simulator is not
	assert_output --regexp 'install -m 0755 .*bin/mtv-plan'
	assert_output --regexp 'install -m 0755 .*bin/mtv-run'
	refute_output --partial 'mtv-sim'
	run grep -E '^RUN make .*DEPS=product product' "$CF"
	assert_success
}

@test "containerfile: runs as a non-root user in group 0 with a writable home, and is labelled" {
	run grep -E '^USER ' "$CF"
	assert_success
	refute_output --regexp '^USER (0|root)$'
	run grep -E -- '--uid [0-9]+ --gid 0 ' "$CF"
	assert_success
	run grep -E '^WORKDIR /home/mtv$' "$CF"
	assert_success
	run grep -E 'org.opencontainers.image.title="mtv-steps"' "$CF"
	assert_success
	# every step the label names exists as a ref
	local s
	for s in $(sed -n 's/.*description="MTV (Forklift) migration steps for ci-operator: \([^"]*\), and mtv-run".*/\1/p' "$CF" | tr -d ','); do
		[ -f "$MTV_SRC_DIR/steps/$s/mtv-$s-ref.yaml" ] || { echo "label names $s, which is no step"; false; }
	done
}

@test "containerfile: the sample ci-operator config builds mtv-steps and its tests resolve" {
	local cfg="$MTV_SRC_DIR/examples/ci-operator/kubev2v-mtv-steps-main.yaml"
	run grep -A2 '^images:' "$cfg"
	assert_output --partial 'dockerfile_path: Containerfile'
	assert_output --partial 'to: mtv-steps'
	local tests
	# the installer test needs the upstream components, below
	tests=$(sed -n 's/^- as: //p' "$cfg" | grep -v -- '-ipi$')
	[ -n "$tests" ]
	for t in $tests; do
		run --separate-stderr "$MTV_BIN_DIR/mtv-run" --repo "$MTV_SRC_DIR" resolve --config "$cfg" --test "$t"
		assert_success
		# every step runs from the image the config builds
		run grep -E '^  from: ' <<<"$output"
		assert_success
		refute_output --regexp 'from: "[^m]|from: "m[^t]'
		[ "$(grep -c 'from: "mtv-steps"' <<<"$output")" -ge 8 ]
	done
}

@test "containerfile: the sample's installer test resolves against the export beside the upstream installer components" {
	local cfg="$MTV_SRC_DIR/examples/ci-operator/kubev2v-mtv-steps-main.yaml" reg="$BATS_TEST_TMPDIR/step-registry"
	# openshift/release's ci-operator/step-registry: mtv/ from our export,
	# ipi/ and install-operators/ beside it
	run "$MTV_BIN_DIR/mtv-run" --repo "$MTV_SRC_DIR" export "$reg"
	assert_success
	cp -r "$MTV_SRC_DIR/tests/fixtures/registry/upstream/." "$reg/"
	rm "$reg/README.md"
	run --separate-stderr "$MTV_BIN_DIR/mtv-run" --registry "$reg" resolve --config "$cfg" --test mtv-cold-vsphere-ipi
	assert_success
	# the phases in order: install, MTV, our setup | our test | ours, then the destroy
	local order
	order=$(sed -n 's/^- as: "\(.*\)"$/\1/p; s/^\(pre\|test\|post\):.*/\1:/p' <<<"$output" | tr '\n' ' ')
	assert_equal "$order" "pre: ipi-conf-vsphere ipi-install-install install-operators mtv-create-provider mtv-prepare-vms mtv-storagemap mtv-networkmap test: mtv-plan mtv-migrate mtv-check-vms post: mtv-gather mtv-teardown ipi-deprovision-deprovision "
	# the test's env reaches the steps that declare it
	[[ "$output" == *'- name: "MTV_STORAGE_CLASS"'$'\n''    default: "thin-csi"'* ]]
	[[ "$output" == *'- name: "OPERATORS"'* ]]
}

@test "containerfile: make image builds and runs the image where an engine is reachable" {
	local engine
	engine=$(command -v podman || command -v docker || true)
	if [ -z "$engine" ] || ! "$engine" info >/dev/null 2>&1; then
		# the Makefile says so instead of failing obscurely
		run make -C "$MTV_SRC_DIR" image
		assert_failure
		assert_output --regexp 'make image: (neither podman nor docker is installed|.* cannot reach a container engine); nothing built'
		skip "no reachable container engine on this machine"
	fi
	run make -C "$MTV_SRC_DIR" image IMAGE=mtv-steps-test
	assert_success
	run "$engine" run --rm mtv-steps-test mtv-plan --help
	assert_success
	assert_output --partial 'usage: mtv-plan'
	"$engine" rmi mtv-steps-test >/dev/null 2>&1 || true
}
