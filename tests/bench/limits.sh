#!/bin/sh
# limits.sh - resource bounds under hostile-sized inputs (part of make bench): bulk registry
# writes (10,000 values in one key; 128 to 512 subkeys under one parent, and 20,000 refused
# up front), the hive growth of ten
# apply/remove cycles, and extract/apply of a source whose driver is 5 GiB. Prints figures
# beside the targets; nothing here is a timed assertion.
#
# Environment: WIMGRAFT_BIN (default ./wimgraft), BENCH_BIG_GIB (size of the big driver; 5),
# BENCH_LIMITS="bulk cycles stream" (which parts to run).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd)
WG=${WIMGRAFT_BIN:-$TOP/wimgraft}
case $WG in /*) ;; *) WG=$TOP/$WG ;; esac
BIG=${BENCH_BIG_GIB:-5}
PARTS=${BENCH_LIMITS:-bulk cycles stream}
OUT=$TOP/build/bench/limits
work=$OUT/work
FIX=$TOP/build/fixtures
CFG=Windows/System32/config
export WIMGRAFT_MANIFEST_DIR=$TOP/manifests
# The test images' catalogs are signed by the test PKI samples/mkimages.sh makes: trust its root.
export WIMGRAFT_TEST_TRUSTED_CA=$FIX/pki/root.pem

die() { echo "limits: error: $*" >&2; exit 1; }
say() { echo "limits: $*" >&2; }
[ -x "$WG" ] || die "cannot run '$WG' (make)"
/usr/bin/time -f %M -o /dev/null true 2>/dev/null || die "GNU time (/usr/bin/time) is missing (make deps)"
sh samples/mkimages.sh --test "$FIX" || die "cannot build the test images"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# measure LABEL CMD...: run once; print wall seconds and peak RSS in MB; the status is kept.
measure() {
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	# GNU time puts "Command exited with non-zero status N" first when it did
	read -r secs kb <<EOF || { secs=?; kb=0; }
$(tail -n 1 "$work/time")
EOF
	printf '%-58s %7s s %7s MB  exit %s\n' "$label" "$secs" "$((kb / 1024))" "$rc"
	[ "$rc" = 0 ] || sed 's/^/    /' "$work/err" | head -3
}

size_of() { stat -c %s "$1"; }

# An image folder holding the real SYSTEM hive of tests/fixtures/hives (11.2 MiB).
fresh_image() {
	rm -rf "$1" && mkdir -p "$1/$CFG" &&
	xz -dc tests/fixtures/hives/SYSTEM.xz >"$1/$CFG/SYSTEM"
}

# keys_reg N: a .reg with N subkeys (one value each) under Services\WgBench
keys_reg() {
	printf 'Windows Registry Editor Version 5.00\r\n\r\n[%s]\r\n' "$K"
	awk -v k="$K" -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "\r\n[%s\\key%05d]\r\n\"n\"=dword:%08x\r\n", k, i, i }'
}

# import WHAT LABEL: reg-import $work/WHAT.reg into a fresh copy of SYSTEM; time, RSS, growth
import() {
	fresh_image "$work/$1"
	before=$(size_of "$work/$1/$CFG/SYSTEM")
	measure "$2" "$WG" reg-import -q -d "$work/$1" "$work/$1.reg"
	after=$(size_of "$work/$1/$CFG/SYSTEM")
	n=$(reglookup -H -p /ControlSet001/services/WgBench "$work/$1/$CFG/SYSTEM" 2>/dev/null | wc -l)
	printf '    SYSTEM %d -> %d bytes: growth %d KiB; reglookup lists %d entries under WgBench\n' \
		"$before" "$after" "$(((after - before) / 1024))" "$n"
	rm -rf "$work/$1"
}

bulk() {
	echo "== bulk registry writes (reg-import -d into the real SYSTEM hive; target: under 2 s and 2 MiB)"
	K='HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\WgBench'
	{ printf 'Windows Registry Editor Version 5.00\r\n\r\n[%s]\r\n' "$K"
	  awk 'BEGIN { for (i = 0; i < 10000; i++) printf "\"value%05d\"=dword:%08x\r\n", i, i }'; } >"$work/values.reg"
	import values "10,000 values in one key"
	# hivex copies the subkey list per key added: the curve up to the limit wimgraft sets (512)
	for n in 128 256 512; do
		keys_reg $n >"$work/keys$n.reg"
		import keys$n "$n subkeys (one value each) under one parent"
	done
	keys_reg 20000 >"$work/keys20000.reg"
	import keys20000 "20,000 subkeys under one parent (refused: over 512)"
}

cycles() {
	echo "== ten apply/remove cycles on a Windows 10 folder (real SYSTEM hive)"
	rm -rf "$work/cyc" && cp -a "$FIX/win10-applied" "$work/cyc"
	for h in SYSTEM DRIVERS SOFTWARE; do
		eval "orig_$h=\$(size_of \"\$work/cyc/\$CFG/\$h\")"
	done
	i=0
	while [ $i -lt 10 ]; do
		"$WG" apply -q -s "$FIX/server2019.wim" -i 4 -d "$work/cyc" || die "apply failed in cycle $i"
		"$WG" remove -q -d "$work/cyc" || die "remove failed in cycle $i"
		i=$((i + 1))
	done
	for h in SYSTEM DRIVERS SOFTWARE; do
		eval "o=\$orig_$h"
		n=$(size_of "$work/cyc/$CFG/$h")
		same=differs
		cmp -s "$FIX/win10-applied/$CFG/$h" "$work/cyc/$CFG/$h" && same=byte-identical
		printf '    %-8s %9d -> %9d bytes: %+d pages of 4 KiB, %s\n' "$h" "$o" "$n" \
			"$(((n - o) / 4096))" "$same"
	done
	rm -rf "$work/cyc"
}

stream() {
	echo "== a source whose driver is $BIG GiB (sparse, compressible): peak RSS"
	big=$OUT/big-$BIG.wim
	if [ ! -f "$big" ] || [ "$FIX/server2019.wim" -nt "$big" ]; then
		say "building $big (once; wimlib reads and compresses $BIG GiB) ..."
		rm -f "$big" "$work/big.sys"
		cp "$FIX/server2019.wim" "$big.tmp" && truncate -s "${BIG}G" "$work/big.sys" &&
		echo "add '$work/big.sys' /Windows/System32/drivers/MsLbfoProvider.sys" |
			wimlib-imagex update "$big.tmp" 4 >/dev/null && mv "$big.tmp" "$big" ||
			die "cannot build $big"
		rm -f "$work/big.sys"
	fi
	measure "extract -o DIR ($BIG GiB driver)" "$WG" extract -q -s "$big" -i 4 -o "$work/pl"
	rm -rf "$work/pl"
	rm -rf "$work/img" && cp -a "$FIX/win10-applied" "$work/img"
	measure "apply -d DIR ($BIG GiB driver)" "$WG" apply -q -s "$big" -i 4 -d "$work/img"
	rm -rf "$work/img"
	echo "    target: peak RSS under 300 MB"
}

echo "wimgraft limits: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $("$WG" --version 2>/dev/null | head -1)"
for p in $PARTS; do
	case $p in bulk | cycles | stream) $p ;; *) die "BENCH_LIMITS takes bulk, cycles, stream; not '$p'" ;; esac
done
