#!/bin/sh
# t8001-ntfs3g.sh - apply -d on an NTFS volume mounted with ntfs-3g: the grafted files and the
# folders they need carry the source's security descriptor, attributes and times; files made
# from nothing inherit as ntfs-3g's own "inherit" option makes them; a replaced original keeps
# its metadata in the backup and gets it back on remove. Read with getfattr and wimlib-imagex.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mount.sh"
need_cmd wimlib-imagex getfattr setfattr mkntfs ntfs-3g jq python3 reglookup
have_fixtures
[ -n "$skip_all" ] || need_fuse

DRV=Windows/System32/drivers/MsLbfoProvider.sys
INF=Windows/INF/mslbfoprovider.inf
PKG=Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_9afb7ecb68781bac
LOGS=Windows/Logs/wimgraft

# An NTFS volume file holding image $2 of WIM $1 (wimlib's NTFS-3G apply mode).
ntfs_volume() {
	truncate -s 64M "$3" && mkntfs -q -F -f "$3" >/dev/null 2>&1 &&
	wimlib-imagex apply "$1" "$2" "$3" >/dev/null
}

# One NTFS-3G attribute of a file, in hex (the times: creation, write and access, not the MFT change).
xa() {
	v=$(getfattr --only-values -n "system.ntfs_$1" "$2" | od -An -v -tx1 | tr -d " \n") &&
	case $1 in times) printf '%s\n' "$v" | cut -c1-48 ;; *) printf '%s\n' "$v" ;; esac
}

# A file's attributes as a number, without the sparse flag (a rewritten hive is written whole).
attrib_unsparse() {
	v=$(getfattr --only-values -n system.ntfs_attrib "$1" | od -An -tx4 | tr -d " \n") &&
	echo $((0x$v & ~0x200))
}

# All three, one per line.
meta() {
	xa acl "$1" && xa attrib "$1" && xa times "$1"
}

test_expect_success 'setup: a source captured from NTFS, whose driver and package folder have their own descriptors' '
	ntfs_volume "$FIXTURES/server2019.wim" 4 s.img && mkdir s &&
	ntfs-3g -o permissions s.img s &&
	before=$(xa acl s/$DRV) &&
	chmod 750 s/$DRV && chmod 700 s/$PKG &&
	setfattr -n system.ntfs_attrib -v 0x24000000 s/$DRV &&
	test "$(xa acl s/$DRV)" != "$before" &&
	umount s &&
	wimlib-imagex capture s.img src.wim "Server" >/dev/null &&
	wimlib-imagex capture s.img src.esd "Server" --solid >/dev/null &&
	ntfs-3g -o ro s.img s &&
	meta s/$DRV >src.drv && meta s/$PKG >src.pkg && meta s/$PKG/mslbfoprovider.inf >src.inf &&
	test "$(sed -n 2p src.drv)" = 24000000
'

test_expect_success 'setup: the Windows 10 image on an NTFS volume with an INF of its own at the payload path' '
	ntfs_volume "$FIXTURES/win10.wim" 2 t.img && mkdir t && ntfs-3g t.img t &&
	echo "an older INF" >t/$INF &&
	setfattr -n system.ntfs_attrib -v 0x21000000 t/$INF &&
	setfattr -n system.ntfs_times -v 0x0080f1a3c594c6010080f1a3c594c6010080f1a3c594c601 t/$INF &&
	meta t/$INF >orig.inf &&
	setfattr -n system.ntfs_acl -v 0x$(sed -n 1p src.drv) t/Windows/System32/config/SYSTEM &&
	setfattr -n system.ntfs_attrib -v 0x26000000 t/Windows/System32/config/SYSTEM &&
	xa acl t/Windows/System32/config/SYSTEM >orig.hive &&
	attrib_unsparse t/Windows/System32/config/SYSTEM >>orig.hive
'

test_expect_success 'apply -d says NTFS-3G with -v and --json' '
	wimgraft apply -v --json -s src.wim -d t >out.json 2>err &&
	test "$(jq -r ".targets[0].filesystem.kind" out.json)" = ntfs-3g &&
	grep -F "NTFS-3G" err &&
	wimgraft verify -d t
'

test_expect_success 'the driver carries the source file'"'"'s descriptor, attributes and times' '
	meta t/$DRV >got.drv &&
	diff src.drv got.drv
'

test_expect_success 'the folder the graft made carries the source folder'"'"'s; the file in it its source'"'"'s' '
	meta t/$PKG >got.pkg && diff src.pkg got.pkg &&
	meta t/$PKG/mslbfoprovider.inf >got.inf && diff src.inf got.inf
'

test_expect_success 'the rewritten SYSTEM hive keeps its own descriptor and attributes (not its sparse flag)' '
	xa acl t/Windows/System32/config/SYSTEM >got.hive &&
	attrib_unsparse t/Windows/System32/config/SYSTEM >>got.hive && test "$(tail -n 1 got.hive)" = 38 &&
	diff orig.hive got.hive &&
	check_seed_values t/Windows/System32/config/SYSTEM
'

test_expect_success 'the replaced INF took the source'"'"'s metadata; its backup keeps the original'"'"'s' '
	xa acl t/$INF >got && xa acl s/$INF >want && diff want got &&
	b=$(find t/$LOGS/backup -iname mslbfoprovider.inf) && test -n "$b" &&
	meta "$b" >backup.inf && diff orig.inf backup.inf
'

test_expect_success 'files and folders made from nothing get what NTFS makes them inherit from their folder' '
	python3 "$TOP/tests/sdcheck.py" inherit file "$(xa acl t/Windows/Logs/wimgraft)" "$(xa acl t/$LOGS/lbfo.undo.json)" &&
	python3 "$TOP/tests/sdcheck.py" inherit dir "$(xa acl t/Windows/Logs)" "$(xa acl t/$LOGS)" &&
	python3 "$TOP/tests/sdcheck.py" inherit file "$(xa acl t/$LOGS)" "$(xa acl t/$LOGS/wimgraft.log)"
'

test_expect_success 'a WIM captured from the volume holds the source'"'"'s descriptor for the driver' '
	umount t &&
	wimlib-imagex capture t.img out.wim "Windows 10 Pro" >/dev/null &&
	wimgraft verify -w out.wim &&
	wimlib-imagex dir src.wim 1 --detailed --path=/$DRV | grep -E "^(Security Descriptor|Attributes)" >want &&
	wimlib-imagex dir out.wim 1 --detailed --path=/$DRV | grep -E "^(Security Descriptor|Attributes)" >got &&
	diff want got &&
	ntfs-3g t.img t
'

test_expect_success 'remove -d gives the INF back with its own descriptor, attributes and times' '
	wimgraft remove -d t &&
	test ! -e t/$DRV && test ! -e t/$PKG &&
	meta t/$INF >back.inf && diff orig.inf back.inf &&
	test "$(cat t/$INF)" = "an older INF"
'

test_expect_success 'an ESD source and a split WIM source give the same metadata' '
	ntfs_volume "$FIXTURES/win10.wim" 2 e.img && mkdir e && ntfs-3g e.img e &&
	wimgraft apply -q -s src.esd -d e &&
	meta e/$DRV >esd.drv && diff src.drv esd.drv &&
	meta e/$PKG >esd.pkg && diff src.pkg esd.pkg &&
	wimgraft remove -q -d e && test ! -e e/$DRV &&
	wimlib-imagex split src.wim src.swm 1 >/dev/null && test -f src2.swm &&
	wimgraft apply -q -s src.swm -d e &&
	meta e/$DRV >swm.drv && diff src.drv swm.drv &&
	meta e/$PKG >swm.pkg && diff src.pkg swm.pkg
'

test_expect_success 'no mount is left behind' '
	umount s && umount t && umount e &&
	test -z "$(awk -v t="$TRASH/" "index(\$5, t) == 1" /proc/self/mountinfo)"
'

test_done
