# Sourced by the bench harnesses (run.sh and the standalone ones): one
# mtv-sim at a time on a random port, the real Forklift CRDs when
# ../shared has them.  Needs $bin, $src and a die function.
#   bench_sim_start STATE_DIR WORLD [MTV-SIM ARGS...]
#	start it (log: STATE_DIR.log) and wait until it publishes its port;
#	dies, quoting the log, when it does not come up.  Sets SIM_PID.
#   bench_sim_stop
#	stop the one started (nothing when none is running).
SIM_PID=''
bench_crd=()
if [ -d "${MTV_SHARED_REF:-$src/../shared}/forklift-crds" ]; then
	bench_crd=(--crd-dir "${MTV_SHARED_REF:-$src/../shared}/forklift-crds")
fi

bench_sim_start() {
	local d=$1 world=$2
	shift 2
	bench_sim_stop
	"$bin/mtv-sim" --world "$world" --state-dir "$d" --port 0 "${bench_crd[@]}" "$@" >"$d.log" 2>&1 3>&- &
	SIM_PID=$!
	for _ in $(seq 1 400); do
		[ -s "$d/port" ] && return 0
		kill -0 "$SIM_PID" 2>/dev/null || break
		sleep 0.025
	done
	die "mtv-sim did not start: $(tail -5 "$d.log")"
}

bench_sim_stop() {
	[ -n "$SIM_PID" ] || return 0
	kill -TERM "$SIM_PID" 2>/dev/null || true
	wait "$SIM_PID" 2>/dev/null || true
	SIM_PID=
}
