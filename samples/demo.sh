#!/bin/sh
# demo.sh - build the demo images and run wimgraft's main job on them, end to end.
set -eu
cd "$(dirname "$0")/.."
out=build/demo
sh samples/mkimages.sh --demo "$out"
run() {
	echo "\$ $*"
	"$@"
}
echo
run ./wimgraft info "$out/server2019.wim"
echo
run ./wimgraft info "$out/win10.wim"
if ./wimgraft check --help >/dev/null 2>&1 && [ -f manifests/lbfo.xml ]; then
	echo
	run ./wimgraft check -s "$out/server2019.wim"
fi
