#!/bin/sh
# run.sh - run the unit tests and the end-to-end tests, twice: with the plain
# build and with the AddressSanitizer + UBSan build. Its last line is "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
sh samples/mkimages.sh --test build/fixtures || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
skipped=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

count_tap() {
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	passed=$((passed + p))
	failed=$((failed + f))
}

run_pass() {
	label=$1 build=$2 bin=$3
	echo "== $label"
	for t in "$build"/unit/test_*; do
		[ -x "$t" ] || continue
		CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$out" 2>&1
		rc=$?
		count_tap
		if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out"; then
			failed=$((failed + 1))
			echo "not ok - $(basename "$t") exited with $rc"
		fi
		grep -E '^(not ok|#)' "$out" | head -40
		echo "$(basename "$t"): $(grep -c '^ok ' "$out") passed"
	done
	for s in tests/e2e/t*.sh; do
		t0=$(date +%s)
		WIMGRAFT_BIN=$bin sh "$s" >"$out" 2>&1
		rc=$?
		echo "$(basename "$s" .sh): $(($(date +%s) - t0))s"
		count_tap
		s_skip=$(grep -c '^skip ' "$out")
		skipped=$((skipped + s_skip))
		grep -E '^(not ok|#|skip)' "$out" | head -60
		if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out"; then
			failed=$((failed + 1))
			echo "not ok - $s exited with $rc"
			tail -20 "$out"
		fi
	done
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_pass "plain build" build "$TOP/wimgraft"
run_pass "AddressSanitizer + UBSan build" build/asan "$TOP/build/asan/wimgraft"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
