#!/bin/bash
# make valgrind's end-to-end half: one cold workflow against mtv-sim with
# every step binary (create-provider, storagemap, networkmap, plan, migrate,
# check-vms, gather, teardown) run under valgrind.  A definite or indirect
# leak, or any memory error, is exit 99 from valgrind and fails the run;
# so does a step that does not exit 0.  mtv-sim itself runs plainly: it is
# the test double, not the product.
#
# Expects the Makefile's environment (MTV_BIN_DIR, MTV_SRC_DIR,
# MTV_SHARED_REF).  Work files go to $VALGRIND_DIR (default a temp dir,
# removed on success; kept, with each step's valgrind log, on failure).
set -u

: "${MTV_BIN_DIR:?run through make valgrind}"
steps=(create-provider storagemap networkmap plan migrate check-vms gather teardown)
tmp=${VALGRIND_DIR:-$(mktemp -d)}
mkdir -p "$tmp"
sim_pid=

cleanup() {
	if [ -n "$sim_pid" ]; then
		kill -TERM "$sim_pid" 2>/dev/null
		wait "$sim_pid" 2>/dev/null
	fi
}
trap cleanup EXIT

sim_dir=$tmp/sim
crds=()
[ -d "${MTV_SHARED_REF:-}/forklift-crds" ] && crds=(--crd-dir "$MTV_SHARED_REF/forklift-crds")
"$MTV_BIN_DIR/mtv-sim" --world "$MTV_SRC_DIR/tests/fixtures/worlds/default.json" --state-dir "$sim_dir" \
	--port 0 --speed 0 "${crds[@]}" >"$tmp/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 200); do
	[ -s "$sim_dir/port" ] && break
	kill -0 "$sim_pid" 2>/dev/null || break
	sleep 0.05
done
if [ ! -s "$sim_dir/port" ]; then
	echo "valgrind e2e: mtv-sim did not start:" >&2
	cat "$tmp/sim.log" >&2
	exit 1
fi

# The step environment of tests/bats/e2e-helper.bash, with waits long
# enough for steps that run ten times slower under valgrind.
export KUBECONFIG=$sim_dir/kubeconfig
export SHARED_DIR=$tmp/shared ARTIFACT_DIR=$tmp/artifacts
mkdir -p "$SHARED_DIR" "$ARTIFACT_DIR"
export MTV_PROVIDERS_FILE=$sim_dir/providers.json MTV_SOURCE_PROVIDER=vsphere-8.0.3
unset MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY MTV_INVENTORY_INSECURE_SKIP_VERIFY
export MTV_STORAGE_CLASS=ocs-storagecluster-ceph-rbd MTV_PREPARE_VMS=false MTV_GUEST_CHECKS=false
export MTV_PROVIDER_READY_TIMEOUT=300 MTV_INVENTORY_TIMEOUT=300 MTV_MAP_READY_TIMEOUT=300
export MTV_PLAN_READY_TIMEOUT=300 MTV_PLAN_WAIT_TIMEOUT=600 MTV_PREFLIGHT_TIMEOUT=300

failed=0
for s in "${steps[@]}"; do
	log=$tmp/valgrind-$s.log
	start=$SECONDS
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		--trace-children=no --log-file="$log" "$MTV_BIN_DIR/mtv-$s" >"$tmp/$s.out" 2>"$tmp/$s.err"
	rc=$?
	echo "# valgrind mtv-$s: exit $rc, $((SECONDS - start))s"
	if [ "$rc" -ne 0 ] || [ -s "$log" ]; then
		echo "valgrind e2e: mtv-$s exited $rc (99: valgrind found leaks or errors)" >&2
		cat "$log" >&2
		tail -20 "$tmp/$s.err" >&2
		failed=1
		break
	fi
done
if [ "$failed" -ne 0 ]; then
	echo "valgrind e2e: logs kept in $tmp" >&2
	exit 1
fi
echo "valgrind: no leaks or errors in ${#steps[@]} step binaries over one cold workflow against mtv-sim"
[ -n "${VALGRIND_DIR:-}" ] || rm -rf "$tmp"
