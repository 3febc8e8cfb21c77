#!/bin/sh
# mkimages.sh - build small Windows images of the real shape with wimlib-imagex, so that
# wimgraft can be tried and tested without a Windows ISO. Nothing here is Microsoft's data:
# the LBFO files hold placeholder contents at their real paths (the driver a tiny PE32+ image made
# by mkpe.c); the signing catalogs have the real structure but are signed by a test PKI made here
# by mkcat.c (OUTDIR/pki: trust it with WIMGRAFT_TEST_TRUSTED_CA=OUTDIR/pki/root.pem, for tests
# only); the hives are made here, except that the test images' SYSTEM hive is the real one of
# tests/fixtures/hives/SYSTEM.xz.
#
# usage: mkimages.sh [--demo|--test] OUTDIR
#   --demo  server2019.wim, win10.wim and win10-applied/ (default)
#   --test  also server2019.esd (solid LZMS), server2019.swm + parts (split), server2022.wim
#           (update level 20348.558) and server2022-3932.wim (20348.3932), with decoy catalogs
#
# Images are cached: OUTDIR/.stamp records what built them; a second run with the same inputs
# does nothing.
set -eu

mode=demo
case "${1:-}" in
--demo) mode=demo; shift ;;
--test) mode=test; shift ;;
esac
[ $# -eq 1 ] || { echo "usage: mkimages.sh [--demo|--test] OUTDIR" >&2; exit 2; }
out=$1
here=$(cd "$(dirname "$0")" && pwd)
hive_xz=$here/../tests/fixtures/hives/SYSTEM.xz
[ "$mode" = demo ] || [ -r "$hive_xz" ] || { echo "error: cannot read '$hive_xz'" >&2; exit 1; }
for tool in wimlib-imagex hivexregedit cc pkg-config iconv; do
	command -v $tool >/dev/null || { echo "error: $tool is not installed (make deps)" >&2; exit 1; }
done

stamp="$mode $(cat "$0" "$here/mkhive.c" "$here/mkpe.c" "$here/mkcat.c" "$here/../tests/unit/minhive.h" | sha1sum | cut -c1-40)"
[ "$mode" = demo ] || stamp="$stamp $(sha1sum <"$hive_xz" | cut -c1-40)"
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
	exit 0
fi

mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9
# Another run may have built it while this one waited.
[ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] && exit 0

echo "building $mode images in $out ..." >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/wg-images.XXXXXX")
trap 'rm -rf "$work"' EXIT
rm -rf "$out.new"
mkdir -p "$out.new"
W="wimlib-imagex"
CATROOT='Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}'
PKEY='31bf3856ad364e35'

# Deterministic filler: "bytes NAME SIZE" writes SIZE bytes derived from NAME (compressible, like binaries).
bytes() {
	seed=$(printf '%s' "$1" | sha1sum | cut -c1-16)
	awk -v seed="$seed" -v n="$2" 'BEGIN {
		s = 0; for (i = 1; i <= length(seed); i++) s = (s * 16 + index("0123456789abcdef", substr(seed, i, 1)) - 1) % 2147483647;
		for (len = 0; len < n; len += length(line)) { s = (s * 48271) % 2147483647; line = sprintf("%08x MZ%d PE\n", s, s % 97); printf "%s", line } }' |
		head -c "$2"
}

# A few hundred ordinary files, shared by every image of one product.
common_tree() {
	root=$1 tag=$2 count=$3
	mkdir -p "$root/Windows/System32/drivers/en-US" "$root/Windows/System32/config" \
		"$root/Windows/INF" "$root/Windows/System32/DriverStore/FileRepository" \
		"$root/Windows/System32/DriverStore/en-US" "$root/$CATROOT" "$root/Program Files/Common Files" \
		"$root/Windows/Logs" "$root/Windows/Setup/Scripts"
	i=0
	while [ $i -lt "$count" ]; do
		case $((i % 6)) in
		0) f="Windows/System32/lib$i.dll" ;;
		1) f="Windows/System32/drivers/drv$i.sys" ;;
		2) f="Windows/INF/net$i.inf" ;;
		3) f="Windows/System32/DriverStore/FileRepository/net$i.inf_amd64_$(printf '%016x' $((i * 7919)))/net$i.inf" ;;
		4) f="$CATROOT/Package_$i~$PKEY~amd64~~10.0.$tag.1.cat" ;;
		5) f="Program Files/Common Files/tool$i.exe" ;;
		esac
		mkdir -p "$root/$(dirname "$f")"
		bytes "$tag/$f" $((512 + (i * 997) % 12000)) >"$root/$f"
		i=$((i + 1))
	done
	bytes "$tag/random" 1500000 >"$root/Windows/System32/big.dat"
}

# The LBFO files at their real paths. lbfo_tree ROOT BUILD SPBUILD HASH LANG SYSNAME INFNAME
lbfo_tree() {
	root=$1 build=$2 sp=$3 hash=$4 lang=$5 sysname=$6 infname=$7
	repo="Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_$hash"
	mkdir -p "$root/Windows/INF" "$root/Windows/System32/drivers/$lang" \
		"$root/Windows/System32/DriverStore/$lang" "$root/$repo" "$root/$CATROOT"
	# Shaped like the real INF, section by section (our own words and values): UTF-16LE with a
	# BOM and CRLF line ends, %strings%, a %% escape, a continued line; no CopyFiles, no AddService.
	cat >"$work/$infname.txt" <<INF
;
; $infname - Load Balancing/Failover Provider (a test INF of the real file's shape)
;

[version]
Signature   = "\$Windows NT\$"
Class       = NetService
ClassGUID   = {4D36E974-E325-11CE-BFC1-08002BE10318}
Provider    = %Msft%
DriverVer   = 06/21/2006,10.0.$build.1
PnpLockdown = 1

[Manufacturer]
%Msft% = MSFT,NTamd64

[MSFT.NTamd64]
%lbfo_Desc% = Install, ms_lbfo   ; the id netcfg -i takes

[Install]
AddReg           = Inst_Ndi
Characteristics  = 0x40000 ; NCF_LW_FILTER
NetCfgInstanceId = "{fc66a602-b769-4666-a540-ca3df0e7df2c}"

[Inst_Ndi]
HKR, Ndi,            Service,          0,          %lbfo_Service%
HKR, Ndi,            CoServices,       0x00010000, %lbfo_Service%
HKR, Ndi,            HelpText,         0,          "@%%SystemRoot%%\System32\drivers\MsLbfoProvider.sys,-500"
HKR, Ndi,            FilterClass,      0,          %lbfo_FilterClass%
HKR, Ndi,            FilterType,       0x00010001, 0x00000002  ; modifying filter
HKR, Ndi,            FilterRunType,    0x00010001, 0x00000001  ; mandatory
HKR, Ndi\Interfaces, UpperRange,       0,          "noupper"
HKR, Ndi\Interfaces, LowerRange,       0,          "nolower"
HKR, Ndi\Interfaces, FilterMediaTypes, 0,          \\
     %lbfo_FilterClass%

[Strings]
Msft              = "Microsoft"
lbfo_Desc         = "Microsoft Load Balancing/Failover Provider"
lbfo_Service      = "MsLbfoProvider"
lbfo_FilterClass  = "ms_implatform"
INF
	{ printf '\377\376'; sed 's/$/\r/' "$work/$infname.txt" | iconv -f UTF-8 -t UTF-16LE; } \
		>"$root/Windows/INF/$infname"
	cp "$root/Windows/INF/$infname" "$root/$repo/mslbfoprovider.inf"
	"$work/mkpe" pe32+ "$root/Windows/System32/drivers/$sysname" "MsLbfoProvider 10.0.$build.1"
	bytes "mui/$build/$lang" 5120 >"$root/Windows/System32/drivers/$lang/$sysname.mui"
	bytes "loc/$build/$lang" 2048 >"$root/Windows/System32/DriverStore/$lang/MsLbfoProvider.inf_loc"
}

# Authenticode hash of a PE32+ image made by mkpe (no certificate table): the whole file but its
# CheckSum (4 bytes at 0xd8) and its Certificate Table entry (8 bytes at 0x128).
pe_hash() {
	{ head -c $((0xd8)) "$1"; tail -c +$((0xdc + 1)) "$1" | head -c $((0x128 - 0xdc))
	  tail -c +$((0x130 + 1)) "$1"; } | "${2}sum" | cut -c1-$3
}
flat_hash() {
	"${2}sum" <"$1" | cut -c1-$3
}

# The two catalogs that sign the LBFO files, like the real ones: the driver by its Authenticode
# hash (SHA-1 and SHA-256 tags), the INF by its flat hash, each among other members.
# lbfo_cats ROOT SYSNAME FEATURES-CAT DRIVERS-CAT SIGNER THISUPDATE
lbfo_cats() {
	sys=$1/Windows/System32/drivers/$2 inf=$1/Windows/INF/mslbfoprovider.inf
	"$work/mkcat" sign "$work/pki" "$5" "$1/$CATROOT/$3" -t "$6" \
		"$(pe_hash "$sys" sha1 40)" "$(pe_hash "$sys" sha256 64)" \
		"$(printf %s "$3" | sha1sum | cut -c1-40)" "$(printf %s "$3" | sha256sum | cut -c1-64)"
	"$work/mkcat" sign "$work/pki" "$5" "$1/$CATROOT/$4" -t "$6" \
		"$(flat_hash "$inf" sha1 40)" "$(flat_hash "$inf" sha256 64)" \
		"$(printf %s "$4" | sha256sum | cut -c1-64)"
}

# Decoys beside them: random bytes under a catalog's name; a valid catalog of other hashes; one
# listing the driver with a flipped byte in its CTL; one signed by a chain that is not trusted.
decoy_cats() {
	sys=$1/Windows/System32/drivers/$2 b=$3
	bytes "decoy/$b" 9000 >"$1/$CATROOT/Microsoft-Windows-Server-Features-Package017~$PKEY~amd64~~10.0.$b.1.cat"
	"$work/mkcat" sign "$work/pki" signer "$1/$CATROOT/Microsoft-Windows-Server-Features-Package014~$PKEY~amd64~~10.0.$b.558.cat" \
		"$(printf other | sha256sum | cut -c1-64)"
	"$work/mkcat" sign "$work/pki" signer "$1/$CATROOT/Microsoft-Windows-Server-Features-Package099~$PKEY~amd64~~10.0.$b.9999.cat" \
		-t 301231000000Z -f "$(pe_hash "$sys" sha1 40)" "$(pe_hash "$sys" sha256 64)"
	"$work/mkcat" sign "$work/pki" rogue-signer "$1/$CATROOT/Microsoft-Windows-Server-Features-Package098~$PKEY~amd64~~10.0.$b.9998.cat" \
		-t 301231000000Z "$(pe_hash "$sys" sha1 40)" "$(pe_hash "$sys" sha256 64)"
}

# props WIM INDEX EDITION INSTALLTYPE BUILD SPBUILD LANG PRODUCTTYPE
props() {
	$W info "$1" "$2" \
		--image-property WINDOWS/ARCH=9 \
		--image-property WINDOWS/PRODUCTTYPE="$8" \
		--image-property WINDOWS/EDITIONID="$3" \
		--image-property WINDOWS/INSTALLATIONTYPE="$4" \
		--image-property WINDOWS/LANGUAGES/LANGUAGE="$7" \
		--image-property WINDOWS/LANGUAGES/DEFAULT="$7" \
		--image-property WINDOWS/VERSION/MAJOR=10 \
		--image-property WINDOWS/VERSION/MINOR=0 \
		--image-property WINDOWS/VERSION/BUILD="$5" \
		--image-property WINDOWS/VERSION/SPBUILD="$6" \
		--image-property WINDOWS/VERSION/SPLEVEL=0 \
		--image-property FLAGS="$3" >/dev/null
}

add_image() {
	wim=$1 tree=$2 name=$3 desc=$4
	if [ -f "$wim" ]; then
		$W append "$tree" "$wim" "$name" "$desc" --no-acls >/dev/null
	else
		$W capture "$tree" "$wim" "$name" "$desc" --compress=LZX --no-acls >/dev/null
	fi
}

# The generators: a tiny PE image, and test catalogs with the test PKI that signs them.
cc -O2 -o "$work/mkpe" "$here/mkpe.c"
cc -O2 -D_GNU_SOURCE -o "$work/mkcat" "$here/mkcat.c" $(pkg-config --libs libcrypto)
mkdir -p "$work/pki"
"$work/mkcat" pki "$work/pki"
cp -R "$work/pki" "$out.new/pki"

# --- Windows Server 2019: Standard Core, Standard, Datacenter Core, Datacenter -------------
s19=$work/s19
common_tree "$s19/core" 17763 300
cp -a "$s19/core" "$s19/std"
lbfo_tree "$s19/std" 17763 1 9afb7ecb68781bac en-US mslbfoprovider.sys mslbfoprovider.inf
cp -a "$s19/core" "$s19/dc"
lbfo_tree "$s19/dc" 17763 1 9afb7ecb68781bac en-US MsLbfoProvider.sys mslbfoprovider.inf
for img in std dc; do
	sysname=mslbfoprovider.sys
	[ $img = dc ] && sysname=MsLbfoProvider.sys
	lbfo_cats "$s19/$img" $sysname "Microsoft-Windows-Server-Features-Package017~$PKEY~amd64~~10.0.17763.1.cat" \
		"Microsoft-Windows-ServerCore-Drivers-net-Package~$PKEY~amd64~~10.0.17763.1.cat" signer 180915000000Z
	bytes "cat3/17763" 3000 >"$s19/$img/$CATROOT/Microsoft-Windows-Server-Features-Package016~$PKEY~amd64~~10.0.17763.1.cat"
done
wim=$out.new/server2019.wim
add_image "$wim" "$s19/core" "Windows Server 2019 SERVERSTANDARDCORE" "Windows Server 2019 SERVERSTANDARDCORE"
add_image "$wim" "$s19/std" "Windows Server 2019 SERVERSTANDARD" "Windows Server 2019 SERVERSTANDARD"
add_image "$wim" "$s19/core" "Windows Server 2019 SERVERDATACENTERCORE" "Windows Server 2019 SERVERDATACENTERCORE"
add_image "$wim" "$s19/dc" "Windows Server 2019 SERVERDATACENTER" "Windows Server 2019 SERVERDATACENTER"
props "$wim" 1 ServerStandard "Server Core" 17763 1 en-US ServerNT
props "$wim" 2 ServerStandard Server 17763 1 en-US ServerNT
props "$wim" 3 ServerDatacenter "Server Core" 17763 1 en-US ServerNT
props "$wim" 4 ServerDatacenter Server 17763 1 en-US ServerNT
rm -rf "$s19"

# A hive holding what a .reg says: an empty hive (hivex cannot make one) filled by hivexregedit.
# mkhive_from ROOTKEY FILE  (the .reg text on stdin)
mkhive_from() {
	"$work/mkhive" "$2"
	cat >"$work/hive.reg"
	hivexregedit --merge --prefix "$1" "$2" "$work/hive.reg"
}

# --- Windows 10 22H2 client: Home, Pro, Education ----------------------------------------
# Each image holds a SYSTEM hive (the test images: the real one), a small SOFTWARE hive that says
# which Windows it is, and a DRIVERS hive with the driver store's empty index.
cc -O2 -o "$work/mkhive" "$here/mkhive.c"
w10=$work/w10
common_tree "$w10/base" 19045 240
cfg=Windows/System32/config
if [ "$mode" = test ]; then
	xz -dc "$hive_xz" >"$w10/base/$cfg/SYSTEM"
else
	# The keys a client's SYSTEM hive holds where the LBFO registration goes: the control set
	# that Select names, the network class with one component (TCP/IP), and the services.
	S='HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001'
	N="$S\\Control\\Network\\{4d36e974-e325-11ce-bfc1-08002be10318}"
	mkhive_from 'HKEY_LOCAL_MACHINE\SYSTEM' "$w10/base/$cfg/SYSTEM" <<REG
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]
"Current"=dword:00000001
"Default"=dword:00000001
"Failed"=dword:00000000
"LastKnownGood"=dword:00000001

[$S]

[$S\\Control]

[$S\\Control\\ComputerName]

[$S\\Control\\ComputerName\\ComputerName]
"ComputerName"="DESKTOP-WG"

[$S\\Control\\Network]

[$N]
"Class"="NetService"

[$N\\{9A8A2F68-C5E5-4C5B-A8C6-2C8C0E9B3A47}]
"ComponentId"="ms_tcpip"
"Characteristics"=dword:000000a0

[$S\\Services]

[$S\\Services\\EventLog]

[$S\\Services\\EventLog\\System]
"MaxSize"=dword:01400000

[$S\\Services\\NDIS]
"Start"=dword:00000000
"Type"=dword:00000001

[$S\\Services\\Tcpip]

[$S\\Services\\Tcpip\\Parameters]
"Hostname"="DESKTOP-WG"
REG
fi
D='HKEY_LOCAL_MACHINE\DRIVERS\DriverDatabase'
mkhive_from 'HKEY_LOCAL_MACHINE\DRIVERS' "$w10/base/$cfg/DRIVERS" <<REG
Windows Registry Editor Version 5.00

[$D]
"Architecture"=dword:00000009

[$D\\DriverInfFiles]

[$D\\DriverPackages]

[$D\\DeviceIds]
REG
wim=$out.new/win10.wim
for ed in Home:Core Pro:Professional Education:Education; do
	name=${ed%%:*} id=${ed#*:}
	rm -rf "$w10/img" && cp -a "$w10/base" "$w10/img"
	bytes "edition/$name" 4096 >"$w10/img/Windows/System32/edition-$name.xml"
	V='HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
	mkhive_from 'HKEY_LOCAL_MACHINE\SOFTWARE' "$w10/img/$cfg/SOFTWARE" <<REG
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft]

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT]

[$V]
"ProductName"="Windows 10 $name"
"EditionID"="$id"
"InstallationType"="Client"
"CurrentBuild"="19045"
"CurrentBuildNumber"="19045"
"UBR"=dword:00000b95
"CurrentMajorVersionNumber"=dword:0000000a
"CurrentMinorVersionNumber"=dword:00000000
REG
	add_image "$wim" "$w10/img" "Windows 10 $name" "Windows 10 $name"
done
props "$wim" 1 Core Client 19045 2965 en-US WinNT
props "$wim" 2 Professional Client 19045 2965 en-US WinNT
props "$wim" 3 Education Client 19045 2965 en-US WinNT
$W info "$wim" --boot 2 >/dev/null
rm -rf "$w10"
$W apply "$wim" 2 "$out.new/win10-applied" >/dev/null

if [ "$mode" = test ]; then
	$W export "$out.new/server2019.wim" all "$out.new/server2019.esd" --solid >/dev/null
	$W split "$out.new/server2019.wim" "$out.new/server2019.swm" 1 >/dev/null

	# --- Windows Server 2022 Datacenter, Japanese, update levels 20348.558 and .3932 -------
	# .558: the feature catalog signed by a certificate that expired on 2022-09-01 (as the real
	# one's did), the INF in the merged drivers catalog of .587. .3932: Package016 and the merged
	# catalog of .3932, with the older Package015 of .558 left beside them. Decoys in both.
	s22=$work/s22
	common_tree "$s22/dc" 20348 200
	lbfo_tree "$s22/dc" 20348 587 f9d27a6b05ef21aa ja-JP MsLbfoProvider.sys mslbfoprovider.inf
	decoy_cats "$s22/dc" MsLbfoProvider.sys 20348
	lbfo_cats "$s22/dc" MsLbfoProvider.sys "Microsoft-Windows-Server-Features-Package015~$PKEY~amd64~~10.0.20348.558.cat" \
		"Microsoft-Windows-ServerCore-Drivers-merged-Package~$PKEY~amd64~~10.0.20348.587.cat" old-signer 220301000000Z
	wim=$out.new/server2022.wim
	add_image "$wim" "$s22/dc" "Windows Server 2022 SERVERDATACENTER" "Windows Server 2022 SERVERDATACENTER"
	props "$wim" 1 ServerDatacenter Server 20348 558 ja-JP ServerNT
	rm "$s22/dc/$CATROOT/Microsoft-Windows-ServerCore-Drivers-merged-Package~$PKEY~amd64~~10.0.20348.587.cat"
	lbfo_cats "$s22/dc" MsLbfoProvider.sys "Microsoft-Windows-Server-Features-Package016~$PKEY~amd64~~10.0.20348.3932.cat" \
		"Microsoft-Windows-ServerCore-Drivers-merged-Package~$PKEY~amd64~~10.0.20348.3932.cat" signer 250702143459Z
	wim=$out.new/server2022-3932.wim
	add_image "$wim" "$s22/dc" "Windows Server 2022 SERVERDATACENTER" "Windows Server 2022 SERVERDATACENTER"
	props "$wim" 1 ServerDatacenter Server 20348 3932 ja-JP ServerNT
	rm -rf "$s22"
fi

echo "$stamp" >"$out.new/.stamp"
rm -rf "$out"
mv "$out.new" "$out"
echo "images ready in $out" >&2
