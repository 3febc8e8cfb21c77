#!/bin/sh
# demo.sh - build the demo images and run wimgraft's main job on them, end to end:
# graft LBFO into the demo Windows 10 folder and into every image of the demo WIM, and verify.
set -eu
cd "$(dirname "$0")/.."
out=build/demo
sh samples/mkimages.sh --demo "$out"
export WIMGRAFT_MANIFEST_DIR="$PWD/manifests"
# The demo images' catalogs are signed by a test PKI made with them (samples/mkcat.c): trust it.
export WIMGRAFT_TEST_TRUSTED_CA="$out/pki/root.pem"
run() {
	echo
	echo "\$ $*"
	"$@"
}
rm -rf "$out/run"
mkdir -p "$out/run"
cp -a "$out/win10-applied" "$out/run/win10-folder"

run ./wimgraft info "$out/server2019.wim"
run ./wimgraft check -s "$out/server2019.wim"
run ./wimgraft apply -s "$out/server2019.wim" -d "$out/run/win10-folder"
run ./wimgraft verify -d "$out/run/win10-folder"
run ./wimgraft apply -q -s "$out/server2019.wim" -w "$out/win10.wim" -t all -o "$out/run/win10-lbfo.wim"
run ./wimgraft verify -w "$out/run/win10-lbfo.wim" -t all
echo
echo "\$ wimlib-imagex verify $out/run/win10-lbfo.wim"
wimlib-imagex verify "$out/run/win10-lbfo.wim" 2>&1 | tr '\r' '\n' | grep -v '^Verifying' | grep .
run ./wimgraft extract -s "$out/server2019.wim" -o "$out/run/payload"
run ls "$out/run/payload"
echo
echo "demo done: LBFO grafted into $out/run/win10-folder and $out/run/win10-lbfo.wim"
