#!/bin/sh
# t6003-wim-metadata.sh - what -w keeps of the hive it rewrites: on a client WIM whose files carry
# security descriptors (applied to an NTFS volume image and captured again with wimlib-imagex),
# the SYSTEM hive keeps its own; on a WIM without them, none is invented.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex reglookup
have_fixtures
MKNTFS=$(command -v mkntfs || ls /usr/sbin/mkntfs /sbin/mkntfs 2>/dev/null | head -n 1)
[ -n "$MKNTFS" ] || test_skip_script "'mkntfs' is not installed"

SRC=$FIXTURES/server2019.wim
HIVE=/Windows/System32/config/SYSTEM

# One field of one entry of image 1, as wimlib-imagex dir --detailed prints it.
field() {
	wimlib-imagex dir "$1" 1 --detailed --path="$2" |
		awk -F' = ' -v f="$3" '$1 ~ "^"f" *$" {print $2; exit}'
}

test_expect_success 'setup: the client image captured from an NTFS volume, with security descriptors' '
	truncate -s 128M vol.img &&
	"$MKNTFS" -F -f -q vol.img >/dev/null 2>&1 &&
	wimlib-imagex apply "$FIXTURES/win10.wim" 2 vol.img >/dev/null 2>&1 &&
	wimlib-imagex capture vol.img sd.wim "Windows 10 Pro" >/dev/null 2>&1 &&
	rm vol.img &&
	field sd.wim $HIVE "Security Descriptor" >sd.before &&
	test $(wc -c <sd.before) -gt 40 &&
	field sd.wim $HIVE "Creation Time" >ctime.before
'

test_expect_success 'apply -w -o: the rewritten hive keeps its security descriptor and creation time' '
	wimgraft apply -s "$SRC" -i 4 -w sd.wim -o out.wim >plan 2>err &&
	grep "^  file  new " plan | awk "{print \$3}" >payload &&
	test $(wc -l <payload) -ge 7 &&
	wimlib-imagex verify out.wim >/dev/null 2>&1 &&
	field out.wim $HIVE "Security Descriptor" | cmp - sd.before &&
	field out.wim $HIVE "Creation Time" | cmp - ctime.before &&
	! field out.wim $HIVE "Last Write Time" | cmp -s - ctime.before &&
	! wimlib-imagex dir out.wim 1 | grep -q wimgraft-stage &&
	wimlib-imagex extract out.wim 1 $HIVE --dest-dir=h --no-acls >/dev/null 2>&1 &&
	reglookup -H -p /ControlSet001/services/MsLbfoProvider h/SYSTEM | grep -qi "/Group,SZ,NDIS,"
'

test_expect_success 'every other file keeps its security descriptor, attributes and hash' '
	for w in sd.wim out.wim; do
		wimlib-imagex dir $w 1 --detailed |
			awk -F" = " "/^Full Path/{p=\$2; sd=\"-\"} /^Attributes/{a=\$2}
				/^Security Descriptor/{sd=\$2} /^Hash/{print p, a, sd, \$2}" |
			grep -v -F -f payload | grep -v -e "/mslbfoprovider.inf_amd64_[0-9a-f]*\"" \
				-e "config/SYSTEM\"" -e "config/DRIVERS\"" -e "/Windows/Logs/wimgraft" \
				-e "/Windows/Setup/Scripts/SetupComplete.cmd\"" | LC_ALL=C sort >$w.list || return 1
	done &&
	test $(wc -l <sd.wim.list) -gt 200 &&
	cmp sd.wim.list out.wim.list
'

test_expect_success 'in place and then remove: the hive still has its own security descriptor' '
	cp sd.wim inplace.wim &&
	wimgraft apply -s "$SRC" -i 4 -w inplace.wim >out 2>err &&
	field inplace.wim $HIVE "Security Descriptor" | cmp - sd.before &&
	wimgraft remove -w inplace.wim >out 2>err &&
	wimlib-imagex verify inplace.wim >/dev/null 2>&1 &&
	field inplace.wim $HIVE "Security Descriptor" | cmp - sd.before &&
	test_expect_code 3 wimgraft verify -w inplace.wim >out 2>err
'

test_expect_success 'a hive stored without a security descriptor does not get one' '
	wimgraft apply -s "$SRC" -i 4 -w "$FIXTURES/win10.wim" -t 1 -o plain.wim >out 2>err &&
	test -z "$(field plain.wim $HIVE "Security Descriptor")" &&
	test -z "$(field plain.wim /Windows/System32/drivers/MsLbfoProvider.sys "Security Descriptor")"
'

test_done
