# vcsim for bats tests: start VMware's simulator (built by `make` into
# $MTV_VCSIM from tests/vcsim/main.go) on a random port, stop it in teardown.
#
#   vcsim_start [-tls] [VCSIM_OPTION...]
#                    sets VCSIM_URL, VCSIM_USER, VCSIM_PASSWORD, VCSIM_PID; skips
#                    the test (with the reason) only when vcsim could not be built.
#                    Plain http by default; -tls serves https and sets VCSIM_CA
#                    to the server's certificate (PEM file).  Other options go
#                    to vcsim as they are (-datastores 2, -cut-answer METHOD,
#                    -cut-request METHOD, -method-delay CloneVM_Task=3000: see
#                    tests/vcsim/main.go).
#   vcsim_stop       kills the simulator this test started
#   vcsim_sim_start WORLD [MTV-SIM FLAGS...]
#                    vcsim seeded from WORLD's "backend": "vcsim" provider, then
#                    mtv-sim on WORLD collecting from it (details below, before
#                    the function); e.g. in setup_file:
#                      vcsim_sim_start "$MTV_SRC_DIR/tests/fixtures/worlds/vcsim.json" --speed 0
#                    and e2e_setup "$VCSIM_SIM_PROVIDER" in setup()
#   vcsim_sim_stop   stops both (in teardown_file)

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

# ---- vcsim behind mtv-sim ----
#
#   vcsim_sim_start WORLD [MTV-SIM FLAGS...]
#       starts vcsim seeded from WORLD's vcsim-backed provider (-world/-provider:
#       its datastores, networks and VMs; vcsim's user and password are the
#       provider's; -tls with its certificate in caFile when the world names
#       one, else plain http), then mtv-sim on WORLD
#       (--port 0, --crd-dir $MTV_SHARED_REF/forklift-crds when present, then
#       FLAGS) whose collector reads vcsim's URL (and certificate) from the
#       files the world names (urlFile, caFile, relative to the sim's state
#       dir).  Works in setup_file (state under $BATS_FILE_TMPDIR/sim, so
#       e2e_setup/sim_attach find it), in a test ($BATS_TEST_TMPDIR/sim), or
#       outside bats with VCSIM_SIM_BASE=DIR.  Exports KUBECONFIG, SIM_DIR,
#       SIM_URL, SIM_PID, VCSIM_PID, VCSIM_URL, VCSIM_USER, VCSIM_PASSWORD,
#       VCSIM_CA_FILE (empty without TLS), VCSIM_SIM_PROVIDER (the provider's
#       name, for MTV_SOURCE_PROVIDER) and VCSIM_SIM_PROVIDERS_FILE (the sim's
#       providers.json).  Skips the test when vcsim is not built (in bats).
#   vcsim_sim_stop
#       stops that mtv-sim and that vcsim (the pids it started, from
#       $base/sim.pid and $base/vcsim.pid), waiting until both are gone.

vcsim_sim_base() {
	echo "${VCSIM_SIM_BASE:-${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}}"
}

vcsim_sim_start() {
	local world=$1 base json i name="" url_file ca_file tls=()
	shift
	if [ ! -x "${MTV_VCSIM:-}" ]; then
		local why
		why="vcsim not built: $(cat "$MTV_VCSIM.unavailable" 2>/dev/null || echo "run make")"
		if declare -F skip >/dev/null; then skip "$why"; fi
		echo "$why" >&2
		return 1
	fi
	base=$(vcsim_sim_base)
	_vcsim_world_json() { "$MTV_BIN_DIR/mtv-sim" json "$@" <"$world" 2>/dev/null; }
	for ((i = 0; i < 16; i++)); do
		_vcsim_world_json "providers[$i].name" >/dev/null || break
		if [ "$(_vcsim_world_json "providers[$i].backend")" = vcsim ]; then
			name=$(_vcsim_world_json "providers[$i].name")
			break
		fi
	done
	if [ -z "$name" ]; then
		echo "vcsim_sim_start: $world has no provider with \"backend\": \"vcsim\"" >&2
		return 2
	fi
	VCSIM_USER=$(_vcsim_world_json "providers[$i].user")
	VCSIM_PASSWORD=$(_vcsim_world_json "providers[$i].password")
	url_file=$(_vcsim_world_json "providers[$i].urlFile")
	ca_file=$(_vcsim_world_json "providers[$i].caFile" || true)
	SIM_DIR="$base/sim"
	rm -rf "$SIM_DIR"
	mkdir -p "$SIM_DIR"
	[ "${url_file#/}" = "$url_file" ] && url_file="$SIM_DIR/$url_file"
	if [ -n "$ca_file" ]; then
		[ "${ca_file#/}" = "$ca_file" ] && ca_file="$SIM_DIR/$ca_file"
		tls=(-tls -cert-file "$ca_file")
	else
		ca_file=""
	fi
	VCSIM_PASSWORD="$VCSIM_PASSWORD" "$MTV_VCSIM" -l 127.0.0.1:0 -url-file "$url_file" -username "$VCSIM_USER" \
		"${tls[@]}" -world "$world" -provider "$name" >"$base/vcsim.log" 2>&1 3>&- &
	VCSIM_PID=$!
	echo "$VCSIM_PID" >"$base/vcsim.pid"
	for ((i = 0; i < 400; i++)); do
		[ -s "$url_file" ] && break
		kill -0 "$VCSIM_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -s "$url_file" ]; then
		cat "$base/vcsim.log" >&2
		echo "vcsim did not start" >&2
		return 1
	fi
	VCSIM_URL=$(cat "$url_file")
	local crd=()
	[ -d "${MTV_SHARED_REF:-}/forklift-crds" ] && crd=(--crd-dir "$MTV_SHARED_REF/forklift-crds")
	"$MTV_BIN_DIR/mtv-sim" --world "$world" --state-dir "$SIM_DIR" --port 0 "${crd[@]}" "$@" \
		>"$base/sim.log" 2>&1 3>&- &
	SIM_PID=$!
	echo "$SIM_PID" >"$base/sim.pid"
	for ((i = 0; i < 400; i++)); do
		[ -s "$SIM_DIR/port" ] && break
		kill -0 "$SIM_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -s "$SIM_DIR/port" ]; then
		cat "$base/sim.log" >&2
		echo "mtv-sim did not start" >&2
		return 1
	fi
	export KUBECONFIG="$SIM_DIR/kubeconfig"
	SIM_URL="https://127.0.0.1:$(cat "$SIM_DIR/port")"
	VCSIM_CA_FILE=$ca_file
	VCSIM_SIM_PROVIDER=$name
	VCSIM_SIM_PROVIDERS_FILE="$SIM_DIR/providers.json"
	export SIM_DIR SIM_URL SIM_PID VCSIM_PID VCSIM_URL VCSIM_USER VCSIM_PASSWORD VCSIM_CA_FILE \
		VCSIM_SIM_PROVIDER VCSIM_SIM_PROVIDERS_FILE
}

# vcsim_sim_attach: in a test of a file whose setup_file ran vcsim_sim_start
# on the vcsim world, VCSIM_URL, VCSIM_USER, VCSIM_PASSWORD (that world's
# vcsim provider) and CA_FILE (vcsim's certificate, "" without TLS).
vcsim_sim_attach() {
	VCSIM_URL=$(cat "$SIM_DIR/vcsim.url")
	VCSIM_USER=administrator@vsphere.local
	VCSIM_PASSWORD=sim-vcsim-password
	CA_FILE="$SIM_DIR/vcsim.crt"
	[ -s "$CA_FILE" ] || CA_FILE=""
}

vcsim_sim_stop() {
	local base f pid i
	base=$(vcsim_sim_base)
	for f in sim.pid vcsim.pid; do
		pid=$(cat "$base/$f" 2>/dev/null) || continue
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		for ((i = 0; i < 200; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		rm -f "$base/$f"
	done
}
