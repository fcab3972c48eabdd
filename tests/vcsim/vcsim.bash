# vcsim for bats tests: start VMware's simulator (built by `make` into
# $MTV_VCSIM from tests/vcsim/main.go) on a random port, stop it in teardown.
#
#   vcsim_start [-tls] [VCSIM_OPTION...]
#                    sets VCSIM_URL, VCSIM_USER, VCSIM_PASSWORD, VCSIM_PID; skips
#                    the test (with the reason) only when vcsim could not be built.
#                    Plain http by default; -tls serves https and sets VCSIM_CA
#                    to the server's certificate (PEM file).  Other options go
#                    to vcsim as they are (-datastores 2, -method-delay CloneVM_Task=3000).
#   vcsim_stop       kills the simulator this test started

vcsim_start() {
	if [ ! -x "${MTV_VCSIM:-}" ]; then
		skip "vcsim not built: $(cat "$MTV_VCSIM.unavailable" 2>/dev/null || echo "run make")"
	fi
	VCSIM_USER=mtv-admin
	VCSIM_PASSWORD="Vc-$RANDOM-s3cret-$RANDOM"
	local url_file="$BATS_TEST_TMPDIR/vcsim.url"
	local -a opts=()
	rm -f "$url_file"
	VCSIM_CA=
	if [ "${1:-}" = -tls ]; then
		shift
		VCSIM_CA="$BATS_TEST_TMPDIR/vcsim-ca.pem"
		rm -f "$VCSIM_CA"
		opts=(-tls -cert-file "$VCSIM_CA")
	fi
	VCSIM_PASSWORD="$VCSIM_PASSWORD" "$MTV_VCSIM" -l 127.0.0.1:0 -url-file "$url_file" \
		-username "$VCSIM_USER" "${opts[@]}" "$@" >"$BATS_TEST_TMPDIR/vcsim.log" 2>&1 3>&- &
	VCSIM_PID=$!
	local i
	for ((i = 0; i < 200; i++)); do
		[ -s "$url_file" ] && break
		kill -0 "$VCSIM_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -s "$url_file" ]; then
		cat "$BATS_TEST_TMPDIR/vcsim.log" >&2
		echo "vcsim did not start" >&2
		return 1
	fi
	VCSIM_URL=$(cat "$url_file")
	export VCSIM_URL VCSIM_USER VCSIM_PASSWORD VCSIM_PID VCSIM_CA
}

vcsim_stop() {
	if [ -n "${VCSIM_PID:-}" ]; then
		kill "$VCSIM_PID" 2>/dev/null || true
		wait "$VCSIM_PID" 2>/dev/null || true
		VCSIM_PID=
	fi
}
