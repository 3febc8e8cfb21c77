#!/bin/sh
# run.sh - run every libFuzzer target in BINDIR (fuzz_*) for SECONDS each, each on
# a temporary copy of its seed corpus tests/fuzz/corpus/<name>/ (plus the seeds
# tests/fuzz/mkcorpus-<name>.sh builds, if there is one); fails on any finding.
# usage: sh tests/fuzz/run.sh BINDIR SECONDS
cd "$(dirname "$0")/../.." || exit 1
bindir=${1:-build/fuzz/fuzz}
seconds=${2:-30}
work=$(mktemp -d "${TMPDIR:-/tmp}/wg-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

found=0
failed=0
for bin in "$bindir"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	short=${name#fuzz_}
	corpus="$work/$short"
	mkdir -p "$corpus" "$work/artifacts-$short"
	if [ -d "tests/fuzz/corpus/$short" ]; then
		cp -R "tests/fuzz/corpus/$short/." "$corpus/"
		chmod -R u+w "$corpus"
	fi
	if [ -f "tests/fuzz/mkcorpus-$short.sh" ]; then
		sh "tests/fuzz/mkcorpus-$short.sh" "$corpus" || { failed=$((failed + 1)); continue; }
	fi
	found=$((found + 1))
	echo "== $name: ${seconds}s on a copy of tests/fuzz/corpus/$short"
	if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/artifacts-$short/" "$corpus" >"$work/$short.log" 2>&1; then
		tail -n 12 "$work/$short.log" | grep -E '^(stat::number_of_executed_units|Done)' || true
		echo "ok - $name"
	else
		failed=$((failed + 1))
		echo "not ok - $name"
		grep -E -A 30 'ERROR|==[0-9]+==|deadly signal|Test unit written' "$work/$short.log" | head -n 60
		for a in "$work/artifacts-$short"/*; do
			[ -f "$a" ] || continue
			keep="${TMPDIR:-/tmp}/wg-fuzz-$name-$(basename "$a")"
			cp "$a" "$keep" && echo "# reproducer kept at $keep"
		done
	fi
done
if [ "$found" = 0 ]; then
	echo "no fuzz targets in $bindir (build them with 'make BUILD=build/fuzz SAN=fuzz CC=clang fuzz-build')"
	exit 1
fi
echo "$found fuzz targets, $failed with findings"
[ "$failed" = 0 ]
