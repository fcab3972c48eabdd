#!/usr/bin/env bats
# -o json and -o yaml are one output path (step_print): whatever a step
# prints, both formats carry the same fields.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

# The dotted key paths of a document on stdin, sorted (mappings only: cJSON
# indents JSON with a tab a level, yamlout YAML with two spaces).
json_paths() {
	awk 'match($0, /^\t*"[^"]+":/) {
		d = 0; while (substr($0, d + 1, 1) == "\t") d++
		k = substr($0, d + 2); sub(/":.*/, "", k); p[d] = k
		s = p[1]; for (i = 2; i <= d; i++) s = s "." p[i]; print s
	}' | sort
}
yaml_paths() {
	awk '/^---/ { next } match($0, /^ *"?[A-Za-z0-9_.\/-]+"?:( |$)/) {
		d = 0; while (substr($0, d + 1, 1) == " ") d++
		d = d / 2 + 1
		k = substr($0, (d - 1) * 2 + 1); sub(/:( .*)?$/, "", k); gsub(/"/, "", k); p[d] = k
		s = p[1]; for (i = 2; i <= d; i++) s = s "." p[i]; print s
	}' | sort
}

# run_fmt FORMAT STEP: the step's stdout with -o FORMAT (must exit 0).
run_fmt() {
	run --separate-stderr "$MTV_BIN_DIR/mtv-$2" -o "$1"
	[ "$status" -eq 0 ] || fail "mtv-$2 -o $1 exited $status: $stderr"
	[ -n "$output" ] || fail "mtv-$2 -o $1 printed nothing"
}

# fresh_session: a new SHARED_DIR, so the next create-provider starts over.
fresh_session() {
	export SHARED_DIR="$BATS_TEST_TMPDIR/shared-$1"
	mkdir -p "$SHARED_DIR"
}

@test "create-provider and gather: -o json and -o yaml carry the same fields" {
	local j y
	fresh_session json
	run_fmt json create-provider
	j=$(json_paths <<<"$output")
	run_fmt json gather
	jg=$(json_paths <<<"$output")
	run_steps teardown

	fresh_session yaml
	run_fmt yaml create-provider
	y=$(yaml_paths <<<"$output")
	run_fmt yaml gather
	yg=$(yaml_paths <<<"$output")
	run_steps teardown

	[[ "$j" == *session* ]] || fail "no session in -o json: $j"
	[ "$(wc -l <<<"$j")" -ge 11 ] || fail "too few fields in -o json: $j"
	assert_equal "$y" "$j"
	[[ "$jg" == *artifactDir*files*warnings* ]] || fail "gather -o json fields: $jg"
	assert_equal "$yg" "$jg"
}
