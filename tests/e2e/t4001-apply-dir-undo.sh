#!/bin/sh
# t4001-apply-dir-undo.sh - what remove must undo in an image folder after real-life histories:
# folders in another case, a driver already there, drift between two applies, a second source,
# a lost backup, a full disk mid-commit; each compared with the untouched original using
# hivexregedit --export and sha256sum, and the --json documents read with jq.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex hivexregedit jq
have_fixtures

SRC=$FIXTURES/server2019.wim
SRC22=$FIXTURES/server2022.wim
HIVE=Windows/System32/config/SYSTEM

# Every file but the hives and wimgraft's own log, and every hive as hivexregedit exports it.
CFG=Windows/System32/config
same_as_orig() {
	(cd "$1" && find . -path ./Windows/Logs/wimgraft -prune -o \( -type f -o -type d \) ! -path "./$CFG/*" -printf '%y %p\n' | LC_ALL=C sort) >"$1.list" &&
	(cd orig && find . -path ./Windows/Logs/wimgraft -prune -o \( -type f -o -type d \) ! -path "./$CFG/*" -printf '%y %p\n' | LC_ALL=C sort) >orig.list &&
	diff orig.list "$1.list" &&
	(cd orig && find . -type f ! -path "./$CFG/*" ! -path "./Windows/Logs/wimgraft/*" -print0 | xargs -0 sha256sum) >orig.sums &&
	(cd "$1" && sha256sum -c --quiet ../orig.sums) &&
	for h in SYSTEM SOFTWARE DRIVERS; do
		hivexregedit --export "$1/$CFG/$h" '\' >"$1.$h.reg" &&
		diff "orig.$h.reg" "$1.$h.reg" >/dev/null || { echo "hive $h differs"; return 1; }
	done
}

test_expect_success 'setup' '
	cp -a "$FIXTURES/win10-applied" orig &&
	for h in SYSTEM SOFTWARE DRIVERS; do
		hivexregedit --export orig/$CFG/$h "\\" >orig.$h.reg || return 1
	done
'

test_expect_success 'folders in another case are reused, and remove leaves the tree as it was' '
	cp -a orig lc && mv lc/Windows lc/windows && mv lc/windows/System32 lc/windows/system32 &&
	mv lc/windows/system32/drivers lc/windows/system32/DRIVERS &&
	cp -a lc lc.orig &&
	wimgraft apply -s "$SRC" -i 4 -d lc >out 2>err &&
	test $(ls lc | grep -ic "^windows$") = 1 && test $(ls lc/windows | grep -ic "^system32$") = 1 &&
	test $(ls lc/windows/system32 | grep -ic "^drivers$") = 1 &&
	test -f lc/windows/system32/DRIVERS/MsLbfoProvider.sys &&
	wimgraft verify -d lc >out &&
	wimgraft remove -d lc >out 2>err &&
	test ! -e lc/windows/system32/DRIVERS/MsLbfoProvider.sys &&
	(cd lc.orig && find . | LC_ALL=C sort) >a && (cd lc && find . ! -path "./windows/Logs/wimgraft*" | LC_ALL=C sort) >b &&
	diff a b
'

test_expect_success 'a driver already there is backed up, replaced, and restored byte-identical' '
	cp -a orig rep && printf "an older driver" >rep/Windows/System32/drivers/MsLbfoProvider.sys &&
	sha256sum rep/Windows/System32/drivers/MsLbfoProvider.sys >old.sum &&
	wimgraft apply --json -s "$SRC" -i 4 -d rep >plan.json 2>err &&
	jq -e ".ok and (.targets[0].files[] | select(.path | endswith(\"MsLbfoProvider.sys\")) | .state == \"replaces\")" plan.json &&
	! sha256sum -c --quiet old.sum 2>/dev/null &&
	wimgraft remove -d rep >out 2>err &&
	sha256sum -c --quiet old.sum &&
	test ! -e rep/Windows/Logs/wimgraft/backup
'

test_expect_success 'drift, a second apply, then remove: the original state comes back' '
	cp -a orig drift &&
	wimgraft apply -s "$SRC" -i 4 -d drift >out 2>err &&
	rm drift/Windows/System32/drivers/MsLbfoProvider.sys &&
	printf "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\\\SYSTEM\\\\ControlSet001\\\\services\\\\MsLbfoProvider]\n\"Start\"=dword:00000002\n\"Group\"=-\n" >drift.reg &&
	hivexregedit --merge --prefix "HKEY_LOCAL_MACHINE\\SYSTEM" drift/$HIVE drift.reg &&
	test_expect_code 3 wimgraft verify -d drift >out 2>err &&
	grep -q "MsLbfoProvider.sys: missing" out &&
	wimgraft apply -s "$SRC" -i 4 -d drift >out 2>err &&
	wimgraft verify -d drift >out &&
	wimgraft remove -d drift >out 2>err &&
	same_as_orig drift
'

test_expect_success 'a second source (another build and language), then remove: both undone' '
	cp -a orig two &&
	wimgraft apply -s "$SRC" -i 4 -d two >out 2>err &&
	wimgraft apply -s "$SRC22" -D lang=ja-JP -d two >out 2>err &&
	test -d two/Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_f9d27a6b05ef21aa &&
	test -d two/Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_9afb7ecb68781bac &&
	wimgraft remove -d two >out 2>err &&
	same_as_orig two
'

test_expect_success 'a lost backup: remove refuses before changing anything, naming it' '
	cp -a orig lost && printf "an older driver" >lost/Windows/System32/drivers/MsLbfoProvider.sys &&
	wimgraft apply -s "$SRC" -i 4 -d lost >out 2>err &&
	rm lost/Windows/Logs/wimgraft/backup/lbfo/Windows/System32/drivers/MsLbfoProvider.sys &&
	tree_sum lost >before &&
	test_expect_code 1 wimgraft remove -d lost >out 2>err &&
	test_stderr_names err "MsLbfoProvider.sys" && test $(wc -l <err) = 1 &&
	tree_sum lost >after && diff before after
'

test_expect_success 'a changed first-boot block is found by verify' '
	cp -a orig fb && wimgraft apply -s "$SRC" -i 4 -d fb >out 2>err &&
	sed -i "s/^call .*wimgraft-lbfo.cmd.*/rem tampered\r/" fb/Windows/Setup/Scripts/SetupComplete.cmd &&
	test_expect_code 3 wimgraft verify -d fb >out 2>err &&
	grep -q "block differs" out &&
	test_expect_code 3 wimgraft verify -d fb -s "$SRC" -i 4 >out 2>err
'

test_expect_success 'a SOFTWARE hive that says Server: refused with exit 4, unchanged; --force goes on' '
	cp -a orig srv && cp orig/$HIVE srv/Windows/System32/config/SOFTWARE &&
	printf "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\\\SOFTWARE\\\\Microsoft]\n\n[HKEY_LOCAL_MACHINE\\\\SOFTWARE\\\\Microsoft\\\\Windows NT]\n\n[HKEY_LOCAL_MACHINE\\\\SOFTWARE\\\\Microsoft\\\\Windows NT\\\\CurrentVersion]\n\"CurrentBuildNumber\"=\"17763\"\n\"InstallationType\"=\"Server\"\n\"EditionID\"=\"ServerDatacenter\"\n" >srv.reg &&
	hivexregedit --merge --prefix "HKEY_LOCAL_MACHINE\\SOFTWARE" srv/Windows/System32/config/SOFTWARE srv.reg &&
	tree_sum srv >before &&
	test_expect_code 4 wimgraft apply -s "$SRC" -i 4 -d srv >out 2>err &&
	test_stderr_names err "Server" &&
	tree_sum srv >after && diff before after &&
	wimgraft apply --force -s "$SRC" -i 4 -d srv >out 2>err &&
	wimgraft verify -d srv >out
'

test_expect_success 'verify and remove --json are one document each' '
	cp -a orig js && wimgraft apply -q -s "$SRC" -i 4 -d js &&
	wimgraft verify --json -d js >v.json && jq -e ".ok and .targets[0].ok" v.json &&
	wimgraft remove --json -d js >r.json 2>err && jq -e ".ok and (.targets[0].files | length) == 8" r.json &&
	test_expect_code 3 wimgraft verify --json -d js >v3.json 2>err &&
	jq -e "(.ok | not) and .exit_status == 3" v3.json
'

test_expect_success 'a disk that fills while the hive is written: rolled back, exit 1' '
	mkdir -p full.mnt && mount -t tmpfs -o size=40m tmpfs full.mnt &&
	cp -a orig/. full.mnt/ &&
	avail=$(df -k --output=avail full.mnt | tail -1) &&
	dd if=/dev/zero of=full.mnt/filler bs=1k count=$((avail - 2048)) 2>/dev/null &&
	tree_sum full.mnt >before &&
	test_expect_code 1 wimgraft apply -s "$SRC" -i 4 -d full.mnt >out 2>err;
	rc=$?; tree_sum full.mnt >after; umount full.mnt;
	test $rc = 0 && grep -q "rolled back" err && test_stderr_names err "No space left" &&
	diff before after
'

test_done
