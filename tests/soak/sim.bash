# Shared by soak.sh and interrupt.sh: one mtv-sim for the whole harness.
#
#   harness_sim_start NAME OUT [mtv-sim flags...]
#       start mtv-sim on the default world (--speed 0, the real CRDs when
#       ../shared has them) with its state in OUT/sim and its log in
#       OUT/sim.log; stop it when the script exits; exit 3 naming NAME when
#       it does not come up.

harness_sim_start() {
	local name=$1 out=$2 crd=() pid
	shift 2
	[ -d "${MTV_SHARED_REF:-}/forklift-crds" ] && crd=(--crd-dir "$MTV_SHARED_REF/forklift-crds")
	"$MTV_BIN_DIR/mtv-sim" --world "$MTV_SRC_DIR/tests/fixtures/worlds/default.json" --state-dir "$out/sim" \
		--port 0 --speed 0 "$@" "${crd[@]}" >"$out/sim.log" 2>&1 &
	pid=$!
	# shellcheck disable=SC2064  # the pid is meant to be expanded now
	trap "kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null" EXIT
	for _ in $(seq 1 200); do
		[ -s "$out/sim/port" ] && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$out/sim.log" >&2; exit 3; }
		sleep 0.05
	done
	echo "$name: mtv-sim did not start" >&2
	exit 3
}
