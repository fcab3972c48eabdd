#!/bin/bash
# Run the unit tests (cmocka, TAP output) and the bats files, and print one
# summary line "check: N passed, N failed, N skipped".  Exit 1 if anything
# failed.  Arguments narrow the run to the given .bats files or unit binaries.
#
# Expects the environment the Makefile exports (MTV_BIN_DIR, MTV_TEST_BIN_DIR,
# MTV_SRC_DIR, MTV_SHARED_REF).
set -u

: "${MTV_TEST_BIN_DIR:?run through make check}"
export CMOCKA_MESSAGE_OUTPUT=TAP

units=()
bats_files=()
if [ $# -gt 0 ]; then
	for a in "$@"; do
		case "$a" in
		*.bats) bats_files+=("$a") ;;
		*) units+=("$MTV_TEST_BIN_DIR/unit/$(basename "$a" .c)") ;;
		esac
	done
else
	shopt -s nullglob
	units=("$MTV_TEST_BIN_DIR"/unit/test_*)
	bats_files=("$MTV_SRC_DIR"/tests/bats/*.bats)
fi

passed=0 failed=0 skipped=0 broken=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Count TAP lines from one producer; a producer that exits non-zero while
# reporting no failure (crash, sanitizer abort) counts as one failure.
count_tap() {
	local name=$1 rc=$2
	local p f s
	p=$(grep -cE '^ok [0-9]+' "$log" | head -1)
	s=$(grep -cE '^ok [0-9]+.*# (skip|SKIP)' "$log" | head -1)
	f=$(grep -cE '^not ok [0-9]+' "$log" | head -1)
	p=$((p - s))
	passed=$((passed + p)) skipped=$((skipped + s)) failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# $name exited $rc without reporting a failed test" >&2
		broken=$((broken + 1))
	fi
}

for u in "${units[@]}"; do
	echo "# unit: $(basename "$u")"
	"$u" >"$log" 2>&1
	rc=$?
	cat "$log"
	count_tap "$(basename "$u")" "$rc"
done

if [ ${#bats_files[@]} -gt 0 ]; then
	echo "# bats: ${#bats_files[@]} file(s)"
	bats --tap "${bats_files[@]}" >"$log" 2>&1
	rc=$?
	cat "$log"
	count_tap bats "$rc"
fi

failed=$((failed + broken))
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
