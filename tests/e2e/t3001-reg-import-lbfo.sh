#!/bin/sh
# t3001 - reg-import applies the seed's Enable_Lbfo.reg to a real SYSTEM hive exactly
# as hivexregedit --merge does (compared with reglookup), in UTF-8 and UTF-16LE form
# (the UTF-16LE result must be byte-identical to the UTF-8 one, already compared).
. "$(dirname "$0")/../lib.sh"
need_cmd reglookup hivexregedit hivexsh iconv sha256sum

REG=$SEED_REG
CFG=Windows/System32/config

# every key and value of a hive, without timestamps (reglookup: PATH,TYPE,VALUE)
dump() {
	reglookup -H "$1" 2>/dev/null | cut -d, -f1-3
}

test_expect_success 'setup: an image folder and a reference copy of the real hive' '
	mkdir -p img/$CFG ref &&
	unxz_fixture SYSTEM.xz img/$CFG/SYSTEM &&
	cp img/$CFG/SYSTEM ref/SYSTEM &&
	cp img/$CFG/SYSTEM orig.SYSTEM &&
	dump orig.SYSTEM >orig.txt &&
	test $(wc -l <orig.txt) -gt 100000
'

test_expect_success 'reference: hivexregedit --merge with CurrentControlSet mapped by hand' '
	cur=$(reglookup -H -p /Select/Current -t DWORD ref/SYSTEM | cut -d, -f3) &&
	n=$(printf "%03d" "$cur") &&
	test "$n" = 001 &&
	sed -e "s/CurrentControlSet/ControlSet$n/" -e "s/^\xc2\xa0\$//" "$REG" >ref/lbfo.reg &&
	! grep -q CurrentControlSet ref/lbfo.reg &&
	hivexregedit --merge --prefix "HKEY_LOCAL_MACHINE\\SYSTEM" ref/SYSTEM ref/lbfo.reg &&
	dump ref/SYSTEM >ref.txt &&
	! cmp -s orig.txt ref.txt
'

test_expect_success '--dry-run lists every change and changes no byte' '
	sha256sum img/$CFG/SYSTEM >before &&
	wimgraft reg-import -n -d img "$REG" >out 2>err &&
	sha256sum -c before &&
	grep -F "SYSTEM\\ControlSet001\\services\\MsLbfoProvider: key created" out &&
	grep -F "\"Start\" REG_DWORD 0x3 (new)" out &&
	grep -F "\"ImagePath\" REG_EXPAND_SZ \"System32\\drivers\\MsLbfoProvider.sys\" (new)" out &&
	test $(grep -c "(new)" out) = 21 &&
	grep "nothing was written" err &&
	ls -a img/$CFG >files && test $(wc -l <files) = 3
'

test_expect_success 'reg-import gives the same hive as hivexregedit, read by reglookup' '
	wimgraft reg-import -d img "$REG" >out &&
	dump img/$CFG/SYSTEM >ours.txt &&
	diff ref.txt ours.txt &&
	grep -Fx "/ControlSet001/services/MsLbfoProvider/Start,DWORD,0x00000003" ours.txt &&
	grep -Fx "/ControlSet001/services/MsLbfoProvider/ImagePath,EXPAND_SZ,System32\\drivers\\MsLbfoProvider.sys" ours.txt &&
	grep -Fx "/ControlSet001/services/eventlog/System/MsLbfoProvider/ProviderGuid,EXPAND_SZ,{387ed463-8b1b-42c9-9ef0-803fdfd5d94e}" ours.txt &&
	grep -Fx "/ControlSet001/Control/Network/{4d36e974-e325-11ce-bfc1-08002be10318}/{FC66A602-B769-4666-A540-CA3DF0E7DF2C}/Ndi/TimeStamp,BINARY,%DD%07%0C%00%04%00%05%00%00%00%00%00%00%00%00%00" ours.txt &&
	test -z "$(reglookup -H -p /ControlSet002/services/MsLbfoProvider img/$CFG/SYSTEM 2>/dev/null)" &&
	ls -a img/$CFG >files && test $(wc -l <files) = 3
'

test_expect_success 'only the new keys and values were added (nothing else moved)' '
	diff orig.txt ours.txt >d || true &&
	! grep "^<" d &&
	test $(grep -c "^>" d) = 27
'

test_expect_success 'the written hive is clean and keeps its mode' '
	od -An -tu4 -j4 -N8 img/$CFG/SYSTEM >seq && set -- $(cat seq) && test "$1" = "$2" &&
	test "$(stat -c %a img/$CFG/SYSTEM)" = "$(stat -c %a orig.SYSTEM)"
'

test_expect_success 'a second import changes nothing and does not rewrite the hive' '
	sha256sum img/$CFG/SYSTEM >before &&
	wimgraft reg-import -d img "$REG" >out 2>err &&
	sha256sum -c before &&
	! grep -v "(unchanged)" out &&
	grep "0 changes made" err
'

test_expect_success 'the UTF-16LE, BOM, CRLF form of the file gives the same hive' '
	mkdir -p img16/$CFG &&
	cp orig.SYSTEM img16/$CFG/SYSTEM &&
	{ printf "\377\376" && sed "s/\$/\r/" "$REG" | iconv -f UTF-8 -t UTF-16LE; } >lbfo16.reg &&
	test "$(head -c 4 lbfo16.reg | od -An -tx1 | tr -d " ")" = fffe5700 &&
	test "$(od -An -tx1 lbfo16.reg | tr -d " \n" | grep -o 0d000a00 | wc -l)" = "$(wc -l <"$REG")" &&
	wimgraft reg-import -d img16 lbfo16.reg >out16 &&
	cmp img/$CFG/SYSTEM img16/$CFG/SYSTEM &&
	reglookup -H -p /ControlSet001/services/MsLbfoProvider/Start img16/$CFG/SYSTEM | grep -F DWORD,0x00000003
'

test_expect_success 'folder names are matched case-insensitively' '
	mkdir -p lc/windows/system32 &&
	cp -r img16/$CFG lc/windows/system32/CONFIG &&
	cp orig.SYSTEM lc/windows/system32/CONFIG/SYSTEM &&
	wimgraft reg-import -d lc "$REG" >out &&
	cmp img/$CFG/SYSTEM lc/windows/system32/CONFIG/SYSTEM
'

test_expect_success 'CurrentControlSet follows Select\\Current (2 -> ControlSet002)' '
	mkdir -p cs2/$CFG &&
	cp orig.SYSTEM cs2/$CFG/SYSTEM &&
	printf "cd \\\\Select\nsetval 4\nCurrent\ndword:0x2\nDefault\ndword:0x1\nFailed\ndword:0x0\nLastKnownGood\ndword:0x2\ncommit\n" >set2 &&
	hivexsh -w cs2/$CFG/SYSTEM <set2 &&
	test "$(reglookup -H -p /Select/Current cs2/$CFG/SYSTEM | cut -d, -f3)" = 0x00000002 &&
	wimgraft reg-import -d cs2 "$REG" >out &&
	grep -F "SYSTEM\\ControlSet002\\services\\MsLbfoProvider: key created" out &&
	reglookup -H -p /ControlSet002/services/MsLbfoProvider/Start cs2/$CFG/SYSTEM | grep -F DWORD,0x00000003 &&
	test -z "$(reglookup -H -p /ControlSet001/services/MsLbfoProvider cs2/$CFG/SYSTEM 2>/dev/null)"
'

test_expect_success 'a Select\\Current naming a missing control set is an error, not a guess' '
	mkdir -p cs9/$CFG &&
	cp orig.SYSTEM cs9/$CFG/SYSTEM &&
	printf "cd \\\\Select\nsetval 1\nCurrent\ndword:0x9\ncommit\n" >set9 &&
	hivexsh -w cs9/$CFG/SYSTEM <set9 &&
	sha256sum cs9/$CFG/SYSTEM >before &&
	test_expect_code 1 wimgraft reg-import -d cs9 "$REG" 2>err &&
	grep "Select.Current. is 9 but the hive has no key .ControlSet009." err &&
	sha256sum -c before
'

test_expect_success 'a hive without Select is an error too' '
	mkdir -p nosel/$CFG &&
	cp orig.SYSTEM nosel/$CFG/SYSTEM &&
	printf "cd \\\\Select\ndel\ncommit\n" >delsel &&
	hivexsh -w nosel/$CFG/SYSTEM <delsel &&
	sha256sum nosel/$CFG/SYSTEM >before &&
	test_expect_code 1 wimgraft reg-import -d nosel "$REG" 2>err &&
	grep "has no .Select.Current. value" err &&
	sha256sum -c before
'

test_expect_success '--json prints one document with every change' '
	mkdir -p js/$CFG &&
	cp orig.SYSTEM js/$CFG/SYSTEM &&
	wimgraft reg-import --json -n -d js "$REG" >out.json &&
	jq -e ".command == \"reg-import\" and .dry_run == true and .ok == true" out.json &&
	jq -e ".targets[0].changed == 27 and (.targets[0].changes | length) == 27" out.json &&
	jq -e ".targets[0].changes[] | select(.value == \"Start\") | .new.data == \"03000000\" and .old == null" out.json &&
	jq -e ".targets[0].hives_to_write == [\"SYSTEM\"]" out.json &&
	cmp js/$CFG/SYSTEM orig.SYSTEM
'

test_done
