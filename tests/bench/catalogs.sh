#!/bin/sh
# catalogs.sh - the benchmark of choosing signing catalogs (make bench): 'wimgraft check' on a
# Server-shaped source image whose CatRoot folder holds 3,000 catalogs (about 300 MB), side by
# side with 'wimlib-imagex extract' of the same catalogs in the same run; prints the ratio
# (target: at most 1.5x) and wimgraft's peak RSS (target: under 300 MB).
#
# Environment: BENCH_CATALOGS=3000 (how many), BENCH_CATALOG_MEMBERS=750 (members of each, about
# 100 KB), BENCH_RUNS=3 (median), WIMGRAFT_BIN. The image is generated once and cached under
# build/bench/catalogs/ (its generator inputs are its cache key).
set -eu
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd)
WG=${WIMGRAFT_BIN:-$TOP/wimgraft}
case $WG in /*) ;; *) WG=$TOP/$WG ;; esac
N=${BENCH_CATALOGS:-3000}
MEMBERS=${BENCH_CATALOG_MEMBERS:-750}
RUNS=${BENCH_RUNS:-3}
OUT=$TOP/build/bench/catalogs
CATROOT='Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}'
P=31bf3856ad364e35
say() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }
case $N$MEMBERS$RUNS in *[!0-9]*) die "BENCH_CATALOGS, BENCH_CATALOG_MEMBERS and BENCH_RUNS are numbers" ;; esac
[ -x "$WG" ] || die "cannot run '$WG' (make)"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is missing (make deps)"

key="$N $MEMBERS $(cat "$0" samples/mkcat.c samples/mkpe.c | sha1sum | cut -c1-40)"
wim=$OUT/source.wim
if [ "$(cat "$OUT/.stamp" 2>/dev/null)" != "$key" ]; then
	say "generating a source image with $N catalogs of $MEMBERS members (once) ..."
	rm -rf "$OUT" && mkdir -p "$OUT/tree/$CATROOT" "$OUT/tree/Windows/INF" \
		"$OUT/tree/Windows/System32/drivers/en-US" "$OUT/tree/Windows/System32/DriverStore/en-US" \
		"$OUT/tree/Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_f9d27a6b05ef21aa"
	cc -O2 -o "$OUT/mkpe" samples/mkpe.c
	cc -O2 -D_GNU_SOURCE -o "$OUT/mkcat" samples/mkcat.c $(pkg-config --libs libcrypto)
	mkdir "$OUT/pki" && "$OUT/mkcat" pki "$OUT/pki"
	t=$OUT/tree
	"$OUT/mkpe" pe32+ "$t/Windows/System32/drivers/MsLbfoProvider.sys" "bench driver"
	# The smallest INF of the real one's shape that 'check' accepts (the component, its Ndi keys).
	printf '%s\r\n' '[Version]' 'Signature="$Windows NT$"' 'Class=NetService' \
		'ClassGUID={4D36E974-E325-11CE-BFC1-08002BE10318}' 'Provider=%Msft%' 'DriverVer=06/21/2006,10.0.20348.1' \
		'[Manufacturer]' '%Msft%=MSFT,NTamd64' '[MSFT.NTamd64]' '%Desc%=Install,ms_lbfo' \
		'[Install]' 'AddReg=Ndi' 'Characteristics=0x40000' 'NetCfgInstanceId="{fc66a602-b769-4666-a540-ca3df0e7df2c}"' \
		'[Ndi]' 'HKR,Ndi,Service,0,"MsLbfoProvider"' 'HKR,Ndi,FilterClass,0,"ms_implatform"' \
		'HKR,Ndi,FilterType,0x00010001,2' 'HKR,Ndi\Interfaces,UpperRange,0,"noupper"' \
		'HKR,Ndi\Interfaces,LowerRange,0,"nolower"' 'HKR,Ndi\Interfaces,FilterMediaTypes,0,"ms_implatform"' \
		'[Strings]' 'Msft="Microsoft"' 'Desc="Microsoft Load Balancing/Failover Provider"' \
		>"$t/Windows/INF/mslbfoprovider.inf"
	cp "$t/Windows/INF/mslbfoprovider.inf" "$t/Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_f9d27a6b05ef21aa/"
	echo mui >"$t/Windows/System32/drivers/en-US/MsLbfoProvider.sys.mui"
	echo loc >"$t/Windows/System32/DriverStore/en-US/MsLbfoProvider.inf_loc"
	# The two that sign the feature, by the Authenticode hash osslsigncode computes and the flat hash.
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$OUT/k.pem" -out "$OUT/c.pem" -days 1 -subj /CN=t >/dev/null 2>&1
	osslsigncode sign -certs "$OUT/c.pem" -key "$OUT/k.pem" -h sha256 -in "$t/Windows/System32/drivers/MsLbfoProvider.sys" -out "$OUT/signed.sys" >/dev/null
	sys256=$(osslsigncode verify -in "$OUT/signed.sys" 2>/dev/null | sed -n 's/^Current message digest *: *\([0-9A-F]*\).*/\1/p' | tr A-F a-f)
	inf256=$(sha256sum <"$t/Windows/INF/mslbfoprovider.inf" | cut -c1-64)
	half=$((N / 2))
	i=0
	while [ $i -lt "$N" ]; do
		name="Microsoft-Windows-Package$i~$P~amd64~~10.0.20348.$((i % 4000)).cat"
		extra=
		[ $i = $half ] && extra=$sys256
		[ $i = $((half + 1)) ] && extra=$inf256
		"$OUT/mkcat" sign "$OUT/pki" signer "$t/$CATROOT/$name" -n "$MEMBERS" $extra
		i=$((i + 1))
	done
	wimlib-imagex capture "$t" "$wim" "Windows Server 2022 SERVERDATACENTER" --compress=LZX --no-acls >/dev/null
	wimlib-imagex info "$wim" 1 --image-property WINDOWS/ARCH=9 --image-property WINDOWS/INSTALLATIONTYPE=Server \
		--image-property WINDOWS/VERSION/BUILD=20348 --image-property WINDOWS/LANGUAGES/DEFAULT=en-US \
		--image-property WINDOWS/LANGUAGES/LANGUAGE=en-US >/dev/null
	rm -rf "$t"
	echo "$key" >"$OUT/.stamp"
fi
export WIMGRAFT_TEST_TRUSTED_CA="$OUT/pki/root.pem"
export WIMGRAFT_MANIFEST_DIR="${WIMGRAFT_MANIFEST_DIR:-$TOP/manifests}"
size=$(du -m "$wim" | cut -f1)
work=$(mktemp -d "${TMPDIR:-/tmp}/wg-bench-cat.XXXXXX")
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
: >"$work/w" && : >"$work/x" && : >"$work/rss" && : >"$work/wc" && : >"$work/xc"
r=0
while [ $r -lt "$RUNS" ]; do
	rm -rf "$work/x-out"
	/usr/bin/time -f "%e %U %S" -o "$work/t" wimlib-imagex extract "$wim" 1 "/$CATROOT/*.cat" \
		--dest-dir="$work/x-out" --no-acls >/dev/null
	cut -d' ' -f1 "$work/t" >>"$work/x"
	awk '{ print $2 + $3 }' "$work/t" >>"$work/xc"
	rm -rf "$work/x-out"
	/usr/bin/time -f "%e %M %U %S" -o "$work/t" "$WG" check -q -s "$wim" -i 1 --json >"$work/check.json"
	cut -d' ' -f1 "$work/t" >>"$work/w"
	cut -d' ' -f2 "$work/t" >>"$work/rss"
	awk '{ print $3 + $4 }' "$work/t" >>"$work/wc"
	r=$((r + 1))
done
jq -e '.complete == true and ([.files[] | select(.catalog)] | length) == 2' "$work/check.json" >/dev/null ||
	die "wimgraft did not choose the two signing catalogs"
x=$(median <"$work/x") w=$(median <"$work/w") xc=$(median <"$work/xc") wc=$(median <"$work/wc")
rss=$(sort -g "$work/rss" | tail -1)
ratio=$(awk -v a="$w" -v b="$x" 'BEGIN { printf "%.2f", a / b }')
cratio=$(awk -v a="$wc" -v b="$xc" 'BEGIN { printf "%.2f", a / b }')
printf '%-58s %8s %8s %8s\n' "choosing catalogs: $N catalogs, ${size} MB WIM (median of $RUNS)" "wall s" "CPU s" "peak MB"
printf '%-58s %8s %8s %8s\n' "  wimlib-imagex extract of the same catalogs" "$x" "$xc" "-"
printf '%-58s %8s %8s %8d\n' "  wimgraft check (reads and verifies every catalog)" "$w" "$wc" $((rss / 1024))
printf '%-58s %8s %8s   (target <= 1.50 wall, < 300 MB)\n' "  ratio wimgraft / extract" "$ratio" "$cratio"
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
