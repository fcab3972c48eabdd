#!/usr/bin/env bats
# mtv-run --stream: each step's output on mtv-run's stdout while the step
# runs, a line at a time prefixed with the step's name, censored like its
# build-log.txt (which stays as without --stream).
bats_require_minimum_version 1.5.0

setup() {
	load ../fixtures/registry/helpers
	mkdir -p "$BATS_TEST_TMPDIR/profile"
	echo "tok-s3cr3t-1234" >"$BATS_TEST_TMPDIR/profile/token"
	GO="$BATS_TEST_TMPDIR/go"
	cat >"$BATS_TEST_TMPDIR/config.yaml" <<-EOF
	zz_generated_metadata:
	  org: mtv
	  repo: fixtures
	  branch: main
	resources:
	  '*':
	    requests:
	      cpu: 10m
	tests:
	- as: streamed
	  steps:
	    test:
	    - as: first
	      from: src
	      resources:
	        requests:
	          cpu: 10m
	      commands: |
	        echo "waiting for go"
	        for i in \$(seq 1 300); do [ -e "$GO" ] && break; sleep 0.1; done
	        [ -e "$GO" ] || { echo "go never came"; exit 1; }
	        echo "token is \$(cat "\$CLUSTER_PROFILE_DIR/token")" >&2
	        printf 'no newline at the end'
	    - as: second
	      from: src
	      resources:
	        requests:
	          cpu: 10m
	      commands: echo "from second"
	EOF
}

@test "mtv-run --stream: a step's lines appear while it runs, prefixed and censored" {
	"$MTV_RUN" --registry "$REG" --out "$OUTDIR" --config "$BATS_TEST_TMPDIR/config.yaml" --test streamed \
		--cluster-profile-dir "$BATS_TEST_TMPDIR/profile" --stream >"$BATS_TEST_TMPDIR/stdout" 2>"$BATS_TEST_TMPDIR/stderr" &
	pid=$!
	# the step waits for go until its first line was seen: no streaming, no go
	for i in $(seq 1 300); do
		grep -q '^\[first\] waiting for go$' "$BATS_TEST_TMPDIR/stdout" && break
		sleep 0.1
	done
	grep -q '^\[first\] waiting for go$' "$BATS_TEST_TMPDIR/stdout" || {
		kill "$pid"
		fail "the first line of the running step was not streamed: $(cat "$BATS_TEST_TMPDIR/stdout")"
	}
	touch "$GO"
	wait "$pid"
	run cat "$BATS_TEST_TMPDIR/stdout"
	assert_line "[first] waiting for go"
	assert_line "[first] token is CENSORED"
	assert_line "[first] no newline at the end"
	assert_line "[second] from second"
	refute_output --partial "tok-s3cr3t-1234"
	# the log is what it is without --stream
	run cat "$(step_dir streamed first)/build-log.txt"
	assert_line "token is CENSORED"
	run grep -r "tok-s3cr3t-1234" "$OUTDIR" "$BATS_TEST_TMPDIR/stderr"
	assert_failure
}

@test "mtv-run: without --stream no step output on stdout" {
	touch "$GO"
	run --separate-stderr "$MTV_RUN" --registry "$REG" --out "$OUTDIR" --config "$BATS_TEST_TMPDIR/config.yaml" \
		--test streamed --cluster-profile-dir "$BATS_TEST_TMPDIR/profile"
	assert_success
	refute_output --partial "[first]"
	refute_output --partial "waiting for go"
	run cat "$(step_dir streamed second)/build-log.txt"
	assert_output "from second"
}
