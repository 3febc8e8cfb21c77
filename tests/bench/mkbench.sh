#!/bin/sh
# mkbench.sh - generate, once, the Windows 10 client WIM the benchmarks service: 3 images
# (Home, Pro, Education) of the real shape, LZX, about 2:1; cached under build/bench/.
#
# usage: mkbench.sh SIZE      SIZE: quick (50 MiB), 1 (1 GiB) or 4 (4 GiB) of file data per image
# Prints the WIM's path on stdout; progress and figures go to stderr. The WIM is rebuilt only
# when GEN_VERSION or the size's parameters change (see build/bench/v*/client-SIZE.stamp);
# build/bench/v*/client-SIZE.info records its size, file count, compression ratio and build time.
set -eu

# Bump when the generated content or shape changes, so cached WIMs are rebuilt.
GEN_VERSION=1

cd "$(dirname "$0")/../.."
TOP=$(pwd)
size=${1:-}
case $size in
quick) bytes=52428800 nfiles=1500 ;;
1) bytes=1073741824 nfiles=25000 ;;
4) bytes=4294967296 nfiles=60000 ;;
*) echo "usage: mkbench.sh quick|1|4" >&2; exit 2 ;;
esac
seed=19045
hive_xz=$TOP/tests/fixtures/hives/SYSTEM.xz
[ -r "$hive_xz" ] || { echo "error: cannot read '$hive_xz'" >&2; exit 1; }
command -v wimlib-imagex >/dev/null || { echo "error: wimlib-imagex is not installed (make deps)" >&2; exit 1; }

dir=$TOP/build/bench/v$GEN_VERSION
wim=$dir/client-$size.wim
stamp="v$GEN_VERSION bytes=$bytes files=$nfiles seed=$seed hive=$(sha1sum <"$hive_xz" | cut -c1-12)"
if [ -f "$wim" ] && [ "$(cat "$dir/client-$size.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$wim"
	exit 0
fi

mkdir -p "$dir"
exec 9>"$dir/client-$size.lock"
flock 9
if [ -f "$wim" ] && [ "$(cat "$dir/client-$size.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$wim"
	exit 0
fi

gen=$TOP/build/bench/mktree
if [ ! -x "$gen" ] || [ -n "$(find tests/bench/mktree.c -newer "$gen")" ]; then
	${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$gen" tests/bench/mktree.c -lm
fi

tree=$dir/tree-$size.tmp
rm -rf "$tree" "$wim.tmp"
trap 'rm -rf "$tree" "$wim.tmp"' EXIT
start=$(date +%s)
echo "mkbench: generating $nfiles files, $((bytes / 1048576)) MiB in $tree ..." >&2
"$gen" tree "$tree" "$bytes" "$nfiles" "$seed" >"$dir/client-$size.tree"
mkdir -p "$tree/Windows/System32/config"
xz -dc "$hive_xz" >"$tree/Windows/System32/config/SYSTEM"

W=wimlib-imagex
# Every edition carries its own licence tokens and a few files of its own.
edition_paths() {
	skus=Windows/System32/spp/tokens/skus/$1
	echo "$skus/$1-OEM-DM-ul-oob-rtm.xrm-ms $skus/$1-Retail-ul-phn-rtm.xrm-ms"
	echo "$skus/$1-Volume-GVLK-ul-rtm.xrm-ms $skus/pkeyconfig-$1.xrm-ms"
	case $1 in
	Core) echo "Windows/System32/CoreHomeUpsell.dll Windows/System32/en-US/CoreHomeUpsell.dll.mui" ;;
	Professional) echo "Windows/System32/gpedit.msc Windows/System32/vmms.exe Windows/System32/bdeunlock.exe" ;;
	Education) echo "Windows/System32/gpedit.msc Windows/System32/EduPrintProv.exe Windows/System32/SetupEdu.dll" ;;
	esac
}

n=0
prev=
for ed in Home:Core Pro:Professional Education:Education; do
	name=${ed%%:*} id=${ed#*:}
	n=$((n + 1))
	for f in $prev; do rm -f "$tree/$f"; done
	rm -rf "$tree/Windows/System32/spp/tokens/skus"
	prev=$(edition_paths "$id")
	# shellcheck disable=SC2086
	"$gen" files "$tree" "$(printf '%s' "$id" | cksum | cut -d' ' -f1)" 40000 $prev
	echo "mkbench: capturing image $n, Windows 10 $name (LZX) ..." >&2
	if [ $n = 1 ]; then
		$W capture "$tree" "$wim.tmp" "Windows 10 $name" "Windows 10 $name" \
			--compress=LZX --no-acls >/dev/null
	else
		$W append "$tree" "$wim.tmp" "Windows 10 $name" "Windows 10 $name" \
			--no-acls --update-of=1 >/dev/null
	fi
	$W info "$wim.tmp" $n \
		--image-property WINDOWS/ARCH=9 \
		--image-property WINDOWS/PRODUCTTYPE=WinNT \
		--image-property WINDOWS/EDITIONID="$id" \
		--image-property WINDOWS/INSTALLATIONTYPE=Client \
		--image-property WINDOWS/LANGUAGES/LANGUAGE=en-US \
		--image-property WINDOWS/LANGUAGES/DEFAULT=en-US \
		--image-property WINDOWS/VERSION/MAJOR=10 \
		--image-property WINDOWS/VERSION/MINOR=0 \
		--image-property WINDOWS/VERSION/BUILD=19045 \
		--image-property WINDOWS/VERSION/SPBUILD=2965 \
		--image-property WINDOWS/VERSION/SPLEVEL=0 \
		--image-property FLAGS="$id" \
		--image-property DISPLAYNAME="Windows 10 $name" \
		--image-property DISPLAYDESCRIPTION="Windows 10 $name" >/dev/null
done
rm -rf "$tree"
mv "$wim.tmp" "$wim"
secs=$(($(date +%s) - start))

# Figures: unique file data against its compressed size, from the blob table.
$W info "$wim" --blobs | awk -v wim="$wim" -v secs="$secs" -v tree="$(cat "$dir/client-$size.tree")" '
	/^Uncompressed size/ { u = $4 }
	/^Compressed size/ { c = $4 }
	/^Flags/ { if ($0 !~ /METADATA/) { U += u; C += c; n++ } }
	END {
		cmd = "stat -c %s \"" wim "\""; cmd | getline sz; close(cmd)
		printf "wim %.1f MiB, %d unique blobs, file data %.1f MiB -> %.1f MiB (ratio %.2f:1), tree: %s, built in %d s\n",
			sz / 1048576, n, U / 1048576, C / 1048576, U / C, tree, secs
	}' >"$dir/client-$size.info"
$W info "$wim" | awk '/^Index:/ { i = $2 } /^File Count:/ { f[i] = $3 } /^Total Bytes:/ { b[i] = $3 }
	END { s = ""; for (k = 1; k <= i; k++) s = s sprintf("%s image %d: %d files, %.1f MiB", k > 1 ? ";" : "", k, f[k], b[k] / 1048576); print s }' \
	>>"$dir/client-$size.info"
echo "$stamp" >"$dir/client-$size.stamp"
sed 's/^/mkbench: /' "$dir/client-$size.info" >&2
echo "$wim"
