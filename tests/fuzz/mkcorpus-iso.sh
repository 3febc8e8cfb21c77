#!/bin/sh
# mkcorpus-iso.sh - seeds for fuzz_iso, built with genisoimage rather than stored: small UDF
# images (no padding, cut after their last file) holding install.wim, split parts, an ESD.
# usage: sh tests/fuzz/mkcorpus-iso.sh DIR
set -eu
out=$1
command -v genisoimage >/dev/null || { echo "genisoimage is not installed (make deps)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/wg-isoseed.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
seed() {
	name=$1
	shift
	mkdir -p "$work/$name/sources"
	for f in "$@"; do
		printf 'MSWIM\000\000\000%s' "$f" >"$work/$name/sources/$f"
	done
	genisoimage -quiet -udf -no-pad -V "SEED_$name" -o "$work/$name.iso" "$work/$name"
	# keep the first 256 sectors (anchor at 256) and the descriptors and files after it
	head -c $((280 * 2048)) "$work/$name.iso" >"$out/$name.iso"
}
seed wim install.wim setup.exe
seed swm install.swm install2.swm install3.swm
seed esd install.esd boot.wim
seed upper INSTALL.WIM
