#!/bin/sh
# t3002 - reg-import refuses dirty hives (exit 4) unless --force, refuses damaged
# ones (exit 1), and leaves every refused file byte-identical.
. "$(dirname "$0")/../lib.sh"
need_cmd reglookup sha256sum

REG=$SEED_REG
CFG=Windows/System32/config

# image folder $1 holding the hive fixture $2 as SYSTEM
mkimg() {
	mkdir -p "$1/$CFG" && unxz_fixture "$2" "$1/$CFG/SYSTEM"
}

test_expect_success 'a dirty hive (SYSTEM_2) is refused with exit 4 and left as it was' '
	mkimg d2 SYSTEM_2.xz &&
	sha256sum d2/$CFG/SYSTEM >before &&
	test_expect_code 4 wimgraft reg-import -d d2 "$REG" >out 2>err &&
	grep "dirty" err && grep -F ".LOG1/.LOG2" err && grep -F -- "--force" err &&
	test_stderr_names err "d2/$CFG/SYSTEM" &&
	test ! -s out &&
	sha256sum -c before &&
	ls -a d2/$CFG >files && test $(wc -l <files) = 3
'

test_expect_success 'the dry run of a dirty hive is refused the same way' '
	test_expect_code 4 wimgraft reg-import -n -d d2 "$REG" 2>err &&
	grep dirty err &&
	sha256sum -c before
'

test_expect_success 'a dirty hive with its .LOG1/.LOG2 beside (SYSTEM_B) is refused, logs untouched' '
	mkimg db SYSTEM_B.xz &&
	unxz_fixture SYSTEM_B.LOG1.xz db/$CFG/SYSTEM.LOG1 &&
	unxz_fixture SYSTEM_B.LOG2.xz db/$CFG/SYSTEM.LOG2 &&
	sha256sum db/$CFG/SYSTEM db/$CFG/SYSTEM.LOG1 db/$CFG/SYSTEM.LOG2 >beforeb &&
	test_expect_code 4 wimgraft reg-import -d db "$REG" 2>err &&
	grep "sequence numbers 0x656 and 0x655 differ" err &&
	sha256sum -c beforeb
'

test_expect_success '--force edits a dirty hive, with a loud warning' '
	wimgraft reg-import --force -d d2 "$REG" >out 2>err &&
	grep "^warning: .*DIRTY.*--force.*LOST" err &&
	! sha256sum -c before 2>/dev/null &&
	reglookup -H -p /ControlSet001/services/MsLbfoProvider/Start d2/$CFG/SYSTEM | grep -F DWORD,0x00000003 &&
	wimgraft reg-import --force -d db "$REG" >out 2>err &&
	grep "^warning: .*DIRTY" err &&
	cur=$(reglookup -H -p /Select/Current db/$CFG/SYSTEM | cut -d, -f3) &&
	n=$(printf "%03d" "$cur") &&
	reglookup -H -p /ControlSet$n/services/MsLbfoProvider/Start db/$CFG/SYSTEM | grep -F DWORD,0x00000003
'

test_expect_success 'a damaged hive is refused with exit 1, also with --force, byte-identical' '
	mkimg bad corrupted_system_hive.xz &&
	sha256sum bad/$CFG/SYSTEM >beforec &&
	test_expect_code 1 wimgraft reg-import -d bad "$REG" 2>err &&
	grep "damaged" err && test_stderr_names err "bad/$CFG/SYSTEM" &&
	test_expect_code 1 wimgraft reg-import --force -d bad "$REG" 2>err &&
	grep "damaged" err &&
	sha256sum -c beforec &&
	ls -a bad/$CFG >files && test $(wc -l <files) = 3
'

test_expect_success 'a hive with a bad base block checksum or no regf signature is damaged' '
	mkimg ck SYSTEM.xz &&
	printf "\001" | dd of=ck/$CFG/SYSTEM bs=1 seek=48 conv=notrunc 2>/dev/null &&
	sha256sum ck/$CFG/SYSTEM >beforeck &&
	test_expect_code 1 wimgraft reg-import -d ck "$REG" 2>err &&
	grep "checksum" err &&
	sha256sum -c beforeck &&
	mkdir -p nh/$CFG && head -c 8192 /dev/zero >nh/$CFG/SYSTEM &&
	test_expect_code 1 wimgraft reg-import -d nh "$REG" 2>err &&
	grep "not a registry hive" err
'

test_expect_success 'a hive that is a symbolic link is refused and its target untouched' '
	mkimg real SYSTEM.xz &&
	mkdir -p sl/$CFG &&
	ln -s "$TRASH/real/$CFG/SYSTEM" sl/$CFG/SYSTEM &&
	sha256sum real/$CFG/SYSTEM >befores &&
	test_expect_code 1 wimgraft reg-import -d sl "$REG" 2>err &&
	grep "no regular file Windows/System32/config/SYSTEM" err &&
	sha256sum -c befores &&
	cp real/$CFG/SYSTEM sl/$CFG/SYSTEM.real && rm sl/$CFG/SYSTEM && mv sl/$CFG/SYSTEM.real sl/$CFG/SYSTEM &&
	ln -s "$TRASH/real/$CFG/SYSTEM" sl/$CFG/SOFTWARE &&
	printf "REGEDIT4\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\n\"v\"=dword:1\n" >soft.reg &&
	test_expect_code 1 wimgraft reg-import -d sl soft.reg 2>err &&
	grep "SOFTWARE. is a symbolic link" err &&
	sha256sum -c befores
'

# keys.reg N FIRST: N subkeys key<FIRST..> of Services\WgMany, one value each (CurrentControlSet)
many_keys() {
	awk -v n="$1" -v f="$2" 'BEGIN {
		printf "Windows Registry Editor Version 5.00\r\n"
		for (i = f; i < f + n; i++)
			printf "\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\WgMany\\key%05d]\r\n\"n\"=dword:%08x\r\n", i, i
	}'
}

test_expect_success 'more than 512 new subkeys under one key are refused up front, naming the file and the key' '
	mkimg many SYSTEM.xz &&
	sha256sum many/$CFG/SYSTEM >beforem &&
	many_keys 20000 0 >k20000.reg &&
	test_expect_code 1 wimgraft reg-import -d many k20000.reg >out 2>err &&
	test $(grep -c "^error:" err) = 1 &&
	grep "^error: .k20000.reg. line [0-9]*: 20000 new subkeys under .SYSTEM.ControlSet001.Services.WgMany. are too many: at most 512" err &&
	test ! -s out &&
	sha256sum -c beforem &&
	ls -a many/$CFG >files && test $(wc -l <files) = 3
'

test_expect_success 'exactly 512 new subkeys are written; reglookup lists them all' '
	many_keys 512 0 >k512.reg &&
	wimgraft reg-import -q -d many k512.reg >out 2>err &&
	reglookup -H -p /ControlSet001/services/WgMany many/$CFG/SYSTEM >list &&
	test $(grep -c "^/ControlSet001/services/WgMany/key[0-9]*/n,DWORD," list) = 512
'

test_expect_success 'subkeys that exist already do not count: 512 more (1,024 named) are written' '
	cat k512.reg >k1024.reg && many_keys 512 512 | tail -n +2 >>k1024.reg &&
	wimgraft reg-import -q -d many k1024.reg >out 2>err &&
	reglookup -H -p /ControlSet001/services/WgMany many/$CFG/SYSTEM >list &&
	test $(grep -c "^/ControlSet001/services/WgMany/key[0-9]*/n,DWORD," list) = 1024 &&
	many_keys 513 1024 >k513.reg &&
	sha256sum many/$CFG/SYSTEM >beforem2 &&
	test_expect_code 1 wimgraft reg-import -d many k513.reg 2>err &&
	grep "513 new subkeys under" err &&
	sha256sum -c beforem2
'

test_done
