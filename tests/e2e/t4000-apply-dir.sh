#!/bin/sh
# t4000-apply-dir.sh - apply, verify and remove on a folder applied from the Windows 10 fixture,
# with the Server 2019 fixture as source; results read with wimlib-imagex, reglookup, hivexregedit.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex reglookup hivexregedit
have_fixtures

SRC=$FIXTURES/server2019.wim
SEED=$SEED_REG

# reglookup's view of one key: "path,type,value" lines, sorted.
reg_dump() {
	reglookup -H -p "$2" "$1" | LC_ALL=C sort
}

test_expect_success 'setup: an image folder and the source payload as wimlib extracts it' '
	cp -a "$FIXTURES/win10-applied" img &&
	cp -a img orig &&
	wimlib-imagex extract "$SRC" 4 /Windows/INF/mslbfoprovider.inf \
		/Windows/System32/drivers/MsLbfoProvider.sys \
		"/Windows/System32/drivers/en-US/MsLbfoProvider.sys.mui" \
		"/Windows/System32/DriverStore/en-US/MsLbfoProvider.inf_loc" \
		--dest-dir=ref --preserve-dir-structure >/dev/null &&
	test -f ref/Windows/System32/drivers/MsLbfoProvider.sys
'

test_expect_success 'apply -d grafts the payload byte-identical to wimlib-imagex extract' '
	wimgraft apply -s "$SRC" -i 4 -d img >out 2>err &&
	cmp ref/Windows/INF/mslbfoprovider.inf img/Windows/INF/mslbfoprovider.inf &&
	cmp ref/Windows/System32/drivers/MsLbfoProvider.sys img/Windows/System32/drivers/MsLbfoProvider.sys &&
	cmp ref/Windows/System32/drivers/en-US/MsLbfoProvider.sys.mui img/Windows/System32/drivers/en-US/MsLbfoProvider.sys.mui &&
	cmp ref/Windows/System32/DriverStore/en-US/MsLbfoProvider.inf_loc img/Windows/System32/DriverStore/en-US/MsLbfoProvider.inf_loc &&
	ls img/Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_9afb7ecb68781bac/mslbfoprovider.inf &&
	test $(ls "img/Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}" | grep -c "10.0.17763.1.cat") -ge 2
'

test_expect_success 'no second System32 or Windows folder was created beside the existing ones' '
	test $(ls img | grep -ic "^windows$") = 1 &&
	test $(ls img/Windows | grep -ic "^system32$") = 1 &&
	test $(ls img/Windows/System32 | grep -ic "^drivers$") = 1
'

test_expect_success 'reglookup shows every seed value under the current control set' '
	check_seed_values img/Windows/System32/config/SYSTEM
'

test_expect_success 'reglookup shows the driver package registered in the DRIVERS hive, values derived from the INF' '
	D=img/Windows/System32/config/DRIVERS &&
	reglookup -H "$D" >drv &&
	P=/DriverDatabase/DriverPackages/mslbfoprovider.inf_amd64_9afb7ecb68781bac &&
	grep -qxF "/DriverDatabase/DriverInfFiles/mslbfoprovider.inf/Active,SZ,mslbfoprovider.inf_amd64_9afb7ecb68781bac," drv &&
	grep -qxF "$P/Provider,SZ,Microsoft," drv &&
	grep -qxF "$P/SignerScore,DWORD,0x0D000003," drv &&
	size=$(stat -c %s ref/Windows/INF/mslbfoprovider.inf) &&
	grep -qxF "$P/FileSize,QWORD,$(printf 0x%016X $size)," drv &&
	grep -qxF "/DriverDatabase/DeviceIds/ms_lbfo/mslbfoprovider.inf,BINARY,%01%FF%00%00," drv &&
	hivexregedit --export "$D" "\\DriverDatabase\\DriverPackages" >drv.reg &&
	tr -d "\\r\\n " <drv.reg | grep -qi "\"Version\"=hex(3):ff,ff,09,00,00,00,00,00,74,e9,36,4d,25,e3,ce,11,bf,c1,08,00,2b,e1,03,18,00,80,8c,a3,c5,94,c6,01,01,00,63,45,00,00,0a,00,00,00,00,00,00,00,00,00"
'

test_expect_success 'the default start value starts the driver at boot (not 3)' '
	H=img/Windows/System32/config/SYSTEM &&
	reglookup -H -p "/ControlSet001" "$H" | grep -i "/services/MsLbfoProvider/Start," >start &&
	! grep -q "0x00000003" start && grep -q "DWORD" start
'

test_expect_success 'the first-boot script is called from one marked block of SetupComplete.cmd' '
	S=img/Windows/Setup/Scripts/SetupComplete.cmd &&
	test $(grep -c "^call \"%SystemRoot%.Setup.Scripts.wimgraft-lbfo.cmd\"" $S) = 1 &&
	grep -q "^rem >>> wimgraft lbfo: begin" $S && grep -q "^rem <<< wimgraft lbfo: end" $S &&
	test $(grep -c "^netcfg.exe -v -l .*mslbfoprovider.inf.* -c s -i ms_lbfo " img/Windows/Setup/Scripts/wimgraft-lbfo.cmd) = 1
'

test_expect_success 'an existing SetupComplete.cmd keeps its content, gets one block, and loses only it on remove' '
	cp -a orig sc && mkdir -p sc/Windows/Setup/Scripts &&
	printf "@echo off\r\nnet user demo /active:yes\r\n" >sc/Windows/Setup/Scripts/SetupComplete.cmd &&
	cp sc/Windows/Setup/Scripts/SetupComplete.cmd sc.orig &&
	wimgraft apply -s "$SRC" -i 4 -d sc >out 2>err &&
	wimgraft apply -s "$SRC" -i 4 -d sc >out 2>err &&
	test $(grep -c "wimgraft-lbfo.cmd" sc/Windows/Setup/Scripts/SetupComplete.cmd) = 1 &&
	grep -q "net user demo" sc/Windows/Setup/Scripts/SetupComplete.cmd &&
	wimgraft remove -d sc >out 2>err &&
	cmp sc.orig sc/Windows/Setup/Scripts/SetupComplete.cmd
'

test_expect_success 'verify exits 0, with and without the source' '
	wimgraft verify -d img >out &&
	wimgraft verify -d img -s "$SRC" -i 4 >out
'

test_expect_success 'a second apply changes no byte of the tree' '
	tree_sum img >before &&
	wimgraft apply -s "$SRC" -i 4 -d img >out 2>err &&
	grep -q "nothing to do" out &&
	tree_sum img >after &&
	diff before after
'

test_expect_success 'dry-run shows the plan and changes nothing' '
	cp -a orig dry && tree_sum dry >before &&
	wimgraft apply -n -s "$SRC" -i 4 -d dry >out &&
	grep -q "file  new" out && grep -q "(new)" out &&
	tree_sum dry >after && diff before after
'

test_expect_success 'with -D start=3 the SYSTEM values are hivexregedit --merge of the seed plus the INF Ndi values' '
	cp -a orig s3 && cp orig/Windows/System32/config/SYSTEM theirs.hive &&
	wimgraft apply -s "$SRC" -i 4 -d s3 -D start=3 >out 2>err &&
	tr -d "\302\240" <"$SEED" | sed "s/CurrentControlSet/ControlSet001/" >seed.reg &&
	hivexregedit --merge --prefix "HKEY_LOCAL_MACHINE\\SYSTEM" theirs.hive seed.reg &&
	N="/ControlSet001/Control/Network/{4d36e974-e325-11ce-bfc1-08002be10318}/{FC66A602-B769-4666-A540-CA3DF0E7DF2C}" &&
	for k in /ControlSet001/Services/MsLbfoProvider "$N" /ControlSet001/Services/EventLog/System/MsLbfoProvider; do
		reg_dump theirs.hive "$k" | cut -d, -f1-3 >theirs.txt &&
		reg_dump s3/Windows/System32/config/SYSTEM "$k" | cut -d, -f1-3 >ours.txt &&
		test -s theirs.txt &&
		diff theirs.txt ours.txt >d.txt; grep "^[<>]" d.txt >changes.txt;
		! grep -q "^<" changes.txt || return 1
		grep "^>" changes.txt | sed "s/^> //" >>added.txt
	done &&
	printf "%s\n" "$N/Ndi/CoServices,MULTI_SZ,MsLbfoProvider" "$N/Ndi/FilterClass,SZ,ms_implatform" \
		"$N/Ndi/FilterRunType,DWORD,0x00000001" "$N/Ndi/FilterType,DWORD,0x00000002" >want.txt &&
	LC_ALL=C sort added.txt | diff want.txt -
'

test_expect_success 'remove restores every touched value and deletes the added files; verify then exits 3' '
	wimgraft remove -d img >out 2>err &&
	test ! -e img/Windows/System32/drivers/MsLbfoProvider.sys &&
	test ! -e img/Windows/INF/mslbfoprovider.inf &&
	test ! -e img/Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_9afb7ecb68781bac &&
	test ! -e img/Windows/Setup/Scripts/SetupComplete.cmd &&
	for k in /ControlSet001/Services /ControlSet001/Control/Network /Select; do
		reg_dump orig/Windows/System32/config/SYSTEM "$k" | cut -d, -f1-3 >a &&
		reg_dump img/Windows/System32/config/SYSTEM "$k" | cut -d, -f1-3 >b &&
		diff a b || return 1
	done &&
	test_expect_code 3 wimgraft verify -d img >out 2>err
'

test_expect_success 'after remove, every original file is as it was; every hive exports as before' '
	(cd orig && find . -type f ! -path "./Windows/System32/config/*" -print0 | xargs -0 sha256sum) >sums &&
	(cd img && sha256sum -c --quiet ../sums) &&
	for h in SYSTEM SOFTWARE DRIVERS; do
		hivexregedit --export orig/Windows/System32/config/$h "\\" >a.reg &&
		hivexregedit --export img/Windows/System32/config/$h "\\" >b.reg &&
		cmp a.reg b.reg || return 1
	done
'

test_expect_success 'a dirty hive is refused with exit 4 and the folder stays byte-identical' '
	cp -a orig dirty &&
	unxz_fixture SYSTEM_2.xz dirty/Windows/System32/config/SYSTEM &&
	tree_sum dirty >before &&
	test_expect_code 4 wimgraft apply -s "$SRC" -i 4 -d dirty >out 2>err &&
	test_stderr_names err "SYSTEM" &&
	tree_sum dirty >after && diff before after
'

test_expect_success 'a symlinked System32/drivers pointing outside: refused, nothing written outside' '
	cp -a orig sl && mkdir outside &&
	mv sl/Windows/System32/drivers sl/drivers.real &&
	ln -s "$PWD/outside" sl/Windows/System32/drivers &&
	tree_sum sl >before &&
	test_expect_code 1 wimgraft apply -s "$SRC" -i 4 -d sl >out 2>err &&
	test_stderr_names err "symbolic link" &&
	test -z "$(ls -A outside)" &&
	tree_sum sl >after && diff before after
'

test_expect_success 'a source image lacking a required file: exit 1, folder unchanged' '
	cp -a orig core && tree_sum core >before &&
	test_expect_code 1 wimgraft apply --force -s "$SRC" -i 1 -d core >out 2>err &&
	test_stderr_names err "MsLbfoProvider.sys" &&
	tree_sum core >after && diff before after
'

test_expect_success 'a folder that is not a Windows image is refused' '
	mkdir notimg &&
	test_expect_code 1 wimgraft apply -s "$SRC" -i 4 -d notimg 2>err &&
	test_stderr_names err "does not look like a Windows image"
'

test_expect_success 'a read-only target: exit 1, nothing half-written' '
	cp -a orig ro && tree_sum ro >before &&
	if mount -t tmpfs -o size=64m tmpfs ro.mnt 2>/dev/null || { mkdir -p ro.mnt && mount -t tmpfs -o size=64m tmpfs ro.mnt 2>/dev/null; }; then
		cp -a ro/. ro.mnt/ && mount -o remount,ro ro.mnt &&
		test_expect_code 1 wimgraft apply -s "$SRC" -i 4 -d ro.mnt >out 2>err;
		rc=$?; umount ro.mnt; test $rc = 0
	else
		chmod -R a-w ro && test_expect_code 1 wimgraft apply -s "$SRC" -i 4 -d ro >out 2>err;
		rc=$?; chmod -R u+w ro; test $rc = 0 && tree_sum ro >after && diff before after
	fi
'

test_expect_success 'a full target: exit 1, rolled back, nothing half-written' '
	mkdir -p full.mnt && mount -t tmpfs -o size=20m tmpfs full.mnt &&
	cp -a orig/. full.mnt/ &&
	avail=$(df -k --output=avail full.mnt | tail -1) &&
	dd if=/dev/zero of=full.mnt/filler bs=1k count=$((avail - 40)) 2>/dev/null &&
	tree_sum full.mnt >before &&
	test_expect_code 1 wimgraft apply -s "$SRC" -i 4 -d full.mnt >out 2>err;
	rc=$?; tree_sum full.mnt >after; umount full.mnt;
	test $rc = 0 && test_stderr_names err "No space left" && diff before after
'

test_done
