#!/bin/sh
# deps.sh - install the Debian packages that building and testing wimgraft need,
# when they are missing (apt-get as root, sudo otherwise).
set -e

packages="gcc make pkg-config clang libclang-rt-14-dev
libwim-dev wimtools ntfs-3g ntfs-3g-dev libfuse-dev fuse3
libhivex-dev libhivex-bin libwin-hivex-perl
libxml2-dev libxml2-utils libjson-c-dev libssl-dev libcmocka-dev jq man-db
reglookup libregf-utils 7zip xz-utils attr valgrind python3 time
osslsigncode openssl libudfread-dev genisoimage python3-jsonschema strace e2fsprogs"

missing=
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "installing:$missing"
if [ "$(id -u)" = 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1; then
	sudo=sudo
else
	echo "error: missing packages:$missing (run as root or install sudo)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
