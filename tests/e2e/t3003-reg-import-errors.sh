#!/bin/sh
# t3003 - reg-import: malformed files named with their line, all-or-nothing across
# files and hives, deletions, value size limit, usage errors.
. "$(dirname "$0")/../lib.sh"
need_cmd reglookup sha256sum

F=$TOP/tests/fixtures/reg
CFG=Windows/System32/config

test_expect_success 'setup: an image folder with the real SYSTEM hive' '
	mkdir -p img/$CFG &&
	unxz_fixture SYSTEM.xz img/$CFG/SYSTEM &&
	sha256sum img/$CFG/SYSTEM >orig
'

# bad_file LINE MESSAGE: importing $F/FILE fails with exit 1, naming the file and line
bad_file() {
	test_expect_code 1 wimgraft reg-import -d img "$F/$1" 2>err &&
	test_stderr_names err "$F/$1' line $2: $3" &&
	test $(grep -c "^error:" err) = 1 &&
	sha256sum -c orig
}

test_expect_success 'malformed files are refused with their file and line' '
	bad_file bad_dword.reg 4 "expected 1 to 8 hex digits after '"'"'dword:'"'"'" &&
	bad_file value_before_key.reg 3 "value outside of a key" &&
	bad_file no_header.reg 1 "expected the header" &&
	bad_file bad_hex_continuation.reg 6 "unexpected '"'"'zz'"'"' in hex data" &&
	bad_file single_backslash.reg 4 "unknown escape"
'

test_expect_success 'a bad file among several: nothing from any of them is applied' '
	test_expect_code 1 wimgraft reg-import -d img "$F/wgtest.reg" "$F/bad_dword.reg" "$SEED_REG" 2>err &&
	test_stderr_names err "bad_dword.reg'"'"' line 4" &&
	sha256sum -c orig
'

test_expect_success 'every bad file is named, not just the first' '
	test_expect_code 1 wimgraft reg-import -d img "$F/no_header.reg" "$F/wgtest.reg" "$F/bad_dword.reg" 2>err &&
	test_stderr_names err "no_header.reg'"'"' line 1" &&
	test_stderr_names err "bad_dword.reg'"'"' line 4" &&
	sha256sum -c orig
'

test_expect_success 'a key no offline hive holds is refused by name; nothing applied' '
	test_expect_code 1 wimgraft reg-import -d img "$F/hkcu.reg" 2>err &&
	test_stderr_names err "HKEY_CURRENT_USER\\Software\\WgTest" &&
	test_stderr_names err "hkcu.reg'"'"' line 6" &&
	sha256sum -c orig
'

test_expect_success 'a change to a hive the image lacks is refused by name; SYSTEM unchanged' '
	test_expect_code 1 wimgraft reg-import -d img "$F/system_and_software.reg" 2>err &&
	test_stderr_names err "system_and_software.reg'"'"' line 6: the image has no SOFTWARE hive" &&
	sha256sum -c orig
'

test_expect_success 'changes to two hives are written to both' '
	mkdir -p two/$CFG &&
	cp img/$CFG/SYSTEM two/$CFG/SYSTEM &&
	cp img/$CFG/SYSTEM two/$CFG/SOFTWARE &&
	wimgraft reg-import -d two "$F/system_and_software.reg" >out &&
	reglookup -H -p /ControlSet001/services/WgTest/Start two/$CFG/SYSTEM | grep -F DWORD,0x00000003 &&
	reglookup -H -p /WgTest/x two/$CFG/SOFTWARE | grep -F DWORD,0x00000001 &&
	test -z "$(reglookup -H -p /WgTest two/$CFG/SYSTEM 2>/dev/null)" &&
	ls -a two/$CFG >files && test $(wc -l <files) = 4
'

test_expect_success 'new keys, subkeys and every value type land as written' '
	wimgraft reg-import -d img "$F/wgtest.reg" >out &&
	grep -F "services\\WgTest\\Sub: key created" out &&
	grep -F "services\\WgTest\\Sub\\Deeper: key created" out &&
	reglookup -H -p /ControlSet001/services/WgTest img/$CFG/SYSTEM | cut -d, -f1-3 >got &&
	grep -Fx "/ControlSet001/services/WgTest/Start,DWORD,0x00000002" got &&
	grep -Fx "/ControlSet001/services/WgTest/Gone,SZ,to be deleted" got &&
	grep -Fx "/ControlSet001/services/WgTest/,SZ,default" got &&
	grep -Fx "/ControlSet001/services/WgTest/Sub/Deeper/Multi,MULTI_SZ,a|b" got &&
	grep -Fx "/ControlSet001/services/WgTest/Sub/Deeper/Q,QWORD,0x0000000000000001" got
'

test_expect_success 'deleting values, the default value and a subtree; stored spelling kept' '
	wimgraft reg-import -d img "$F/wgtest_delete.reg" >out &&
	grep -F "\"Gone\" deleted (was REG_SZ \"to be deleted\")" out &&
	grep -F "\"Start\" REG_DWORD 0x4 (replaces REG_DWORD 0x2)" out &&
	grep -F "services\\NoSuchKey: key absent (unchanged)" out &&
	reglookup -H -p /ControlSet001/services/WgTest img/$CFG/SYSTEM | cut -d, -f1-3 >got &&
	cat >want <<-\EOF &&
	/ControlSet001/services/WgTest,KEY,
	/ControlSet001/services/WgTest/Start,DWORD,0x00000004
	/ControlSet001/services/WgTest/Type,DWORD,0x00000001
	EOF
	diff want got
'

test_expect_success 'a value over 16344 bytes is refused; 16344 bytes are fine' '
	sha256sum img/$CFG/SYSTEM >now &&
	for n in 16345 16344; do
		{ printf "REGEDIT4\n[HKEY_LOCAL_MACHINE\\\\SYSTEM\\\\WgBig]\n\"b\"=hex:" &&
		  awk -v n=$n "BEGIN { for (i = 1; i < n; i++) printf \"00,\"; print \"00\" }"; } >big$n.reg || return 1
	done &&
	test_expect_code 1 wimgraft reg-import -d img big16345.reg 2>err &&
	grep "16345 bytes of data, more than the 16344" err &&
	sha256sum -c now &&
	wimgraft reg-import -d img big16344.reg >out &&
	reglookup -H -p /WgBig/b img/$CFG/SYSTEM | grep -F "/WgBig/b,BINARY,"
'

test_expect_success 'usage errors exit with 2' '
	test_expect_code 2 wimgraft reg-import "$F/wgtest.reg" 2>err && grep -- "-d DIR" err &&
	test_expect_code 2 wimgraft reg-import -d img 2>err && grep "at least one" err &&
	test_expect_code 2 wimgraft reg-import -d img -w x.wim "$F/wgtest.reg" 2>err && grep "one target" err &&
	test_expect_code 2 wimgraft reg-import -d img -t 1 "$F/wgtest.reg" 2>err &&
	test_expect_code 2 wimgraft reg-import --bogus -d img "$F/wgtest.reg" 2>err
'

test_expect_success 'a missing .reg file or a folder without a Windows image fails with 1' '
	test_expect_code 1 wimgraft reg-import -d img nosuch.reg 2>err &&
	test_stderr_names err "cannot open '"'"'nosuch.reg'"'"'" &&
	mkdir empty &&
	test_expect_code 1 wimgraft reg-import -d empty "$F/wgtest.reg" 2>err &&
	grep "Windows image" err
'

test_done
