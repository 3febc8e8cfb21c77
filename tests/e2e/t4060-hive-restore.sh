#!/bin/sh
# t4060-hive-restore.sh - apply keeps the original of each hive it changes, and remove puts it
# back when the hive is as apply left it: ten apply/remove cycles leave the hives of a folder
# and of a WIM image byte-identical (cmp); a hive changed in between (or an original tampered
# with) is undone key by key instead, compared with reglookup; a record that names a hive's
# original anywhere else is refused before any change.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex reglookup jq cmp
have_fixtures

SRC=$FIXTURES/server2019.wim
CFG=Windows/System32/config
KEPT=Windows/Logs/wimgraft/backup/lbfo/hives
REC=Windows/Logs/wimgraft/lbfo.undo.json

# same_hives DIR: SYSTEM, DRIVERS and SOFTWARE of DIR are the original's, byte for byte
same_hives() {
	for h in SYSTEM DRIVERS SOFTWARE; do
		cmp "orig/$CFG/$h" "$1/$CFG/$h" || return 1
	done
}

# listing HIVE: reglookup's listing of a hive (paths, types, data and key times)
listing() {
	reglookup -H "$1" | LC_ALL=C sort
}

test_expect_success 'setup' '
	cp -a "$FIXTURES/win10-applied" orig &&
	listing orig/$CFG/SYSTEM >orig.SYSTEM.list &&
	test -s orig.SYSTEM.list
'

test_expect_success 'apply keeps the original SYSTEM and DRIVERS and records them as apply left them' '
	cp -a orig one &&
	wimgraft apply -q -s "$SRC" -i 4 -d one >out 2>err &&
	cmp orig/$CFG/SYSTEM one/$KEPT/SYSTEM && cmp orig/$CFG/DRIVERS one/$KEPT/DRIVERS &&
	test ! -e one/$KEPT/SOFTWARE &&
	jq -r ".hives[] | [.name, .backup, .old_size, .old_sha1, .size, .sha1] | @tsv" one/$REC >hives &&
	test $(wc -l <hives) = 2 &&
	for h in SYSTEM DRIVERS; do
		line=$(grep "^$h	" hives) &&
		test "$(echo "$line" | cut -f2)" = "$KEPT/$h" &&
		test "$(echo "$line" | cut -f3)" = "$(stat -c %s orig/$CFG/$h)" &&
		test "$(echo "$line" | cut -f4)" = "$(sha1sum <orig/$CFG/$h | cut -d" " -f1)" &&
		test "$(echo "$line" | cut -f5)" = "$(stat -c %s one/$CFG/$h)" &&
		test "$(echo "$line" | cut -f6)" = "$(sha1sum <one/$CFG/$h | cut -d" " -f1)" || return 1
	done
'

test_expect_success 'remove --dry-run says the hives are put back and changes nothing' '
	tree_sum one >before.sum &&
	wimgraft remove -n -d one >plan 2>err &&
	grep "^  hive  restore   $CFG/SYSTEM$" plan &&
	grep "^  hive  restore   $CFG/DRIVERS$" plan &&
	! grep "^  reg .*SYSTEM" plan &&
	tree_sum one >after.sum && cmp before.sum after.sum
'

test_expect_success 'ten apply/remove cycles in a folder leave every hive byte-identical' '
	cp -a orig cyc &&
	i=0 &&
	while [ $i -lt 10 ]; do
		wimgraft apply -q -s "$SRC" -i 4 -d cyc >out 2>err &&
		! cmp -s orig/$CFG/SYSTEM cyc/$CFG/SYSTEM &&
		wimgraft remove -v -d cyc >out 2>err &&
		grep "SYSTEM is as apply left it" err &&
		same_hives cyc &&
		test ! -e cyc/Windows/Logs/wimgraft/backup || return 1
		i=$((i + 1))
	done
'

test_expect_success 'ten apply/remove cycles in a WIM image leave its hives byte-identical' '
	wimlib-imagex export "$FIXTURES/win10.wim" 2 w.wim >/dev/null &&
	wimlib-imagex extract w.wim 1 /$CFG/SYSTEM /$CFG/DRIVERS /$CFG/SOFTWARE --dest-dir=w0 >/dev/null &&
	i=0 &&
	while [ $i -lt 10 ]; do
		wimgraft apply -q -s "$SRC" -i 4 -w w.wim -t 1 >out 2>err &&
		wimlib-imagex dir w.wim 1 --path=/$KEPT >kept && grep -x "/$KEPT/SYSTEM" kept &&
		wimgraft remove -v -w w.wim -t 1 >out 2>err &&
		grep "SYSTEM is as apply left it" err || return 1
		i=$((i + 1))
	done &&
	rm -rf w1 &&
	wimlib-imagex extract w.wim 1 /$CFG/SYSTEM /$CFG/DRIVERS /$CFG/SOFTWARE --dest-dir=w1 >/dev/null &&
	for h in SYSTEM DRIVERS SOFTWARE; do cmp w0/$h w1/$h || return 1; done &&
	wimlib-imagex dir w.wim 1 --path=/Windows/Logs >logs && ! grep backup logs
'

test_expect_success 'a second apply that changes SYSTEM again keeps the first original' '
	cp -a orig two &&
	wimgraft apply -q -s "$SRC" -i 4 -d two >out 2>err &&
	cp two/$CFG/SYSTEM first.SYSTEM &&
	wimgraft apply -q -s "$SRC" -i 4 -D start=3 -d two >out 2>err &&
	! cmp -s first.SYSTEM two/$CFG/SYSTEM &&
	cmp orig/$CFG/SYSTEM two/$KEPT/SYSTEM &&
	test "$(jq -r ".hives[] | select(.name == \"SYSTEM\") | .sha1" two/$REC)" = \
		"$(sha1sum <two/$CFG/SYSTEM | cut -d" " -f1)" &&
	wimgraft remove -q -d two >out 2>err &&
	same_hives two
'

# The changes made by hand between apply and remove, as Windows or a user would
printf "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\\\SYSTEM\\\\Setup]\r\n\"WgTouched\"=dword:00000001\r\n" >"$TRASH/touch.reg"
printf "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\\\SYSTEM\\\\Setup]\r\n\"WgTouched\"=-\r\n" >"$TRASH/untouch.reg"

test_expect_success 'a SYSTEM changed since apply is undone key by key, said with -v; DRIVERS is put back whole' '
	cp -a orig chg &&
	wimgraft apply -q -s "$SRC" -i 4 -d chg >out 2>err &&
	wimgraft reg-import -q -d chg "$TRASH/touch.reg" >out 2>err &&
	wimgraft reg-import -q -d chg "$TRASH/untouch.reg" >out 2>err &&
	wimgraft remove -v -d chg >out 2>err &&
	grep "SYSTEM is not as apply left it (Windows has run, or it was edited since): its changes are undone key by key" err &&
	grep "DRIVERS is as apply left it" err &&
	grep "^  reg .*MsLbfoProvider" out &&
	cmp orig/$CFG/DRIVERS chg/$CFG/DRIVERS &&
	! cmp -s orig/$CFG/SYSTEM chg/$CFG/SYSTEM &&
	listing chg/$CFG/SYSTEM >chg.list &&
	diff orig.SYSTEM.list chg.list &&
	! grep -i "mslbfoprovider" chg.list &&
	test ! -e chg/Windows/Logs/wimgraft/backup
'

test_expect_success 'what was changed in between is kept by the key-level undo' '
	cp -a orig keep &&
	wimgraft apply -q -s "$SRC" -i 4 -d keep >out 2>err &&
	wimgraft reg-import -q -d keep "$TRASH/touch.reg" >out 2>err &&
	wimgraft remove -q -d keep >out 2>err &&
	listing keep/$CFG/SYSTEM >keep.list &&
	{ diff orig.SYSTEM.list keep.list >d; test $? = 1; } &&
	test $(grep -c "^[<>]" d) = 1 && grep "^> /Setup/WgTouched,DWORD,0x00000001," d
'

test_expect_success 'an original that differs from the one apply kept is not put back' '
	cp -a orig bad &&
	wimgraft apply -q -s "$SRC" -i 4 -d bad >out 2>err &&
	printf x >>bad/$KEPT/SYSTEM &&
	wimgraft remove -v -d bad >out 2>err &&
	grep "SYSTEM has no intact original in the backup folder: its changes are undone key by key" err &&
	listing bad/$CFG/SYSTEM >bad.list && diff orig.SYSTEM.list bad.list &&
	cmp orig/$CFG/DRIVERS bad/$CFG/DRIVERS &&
	test ! -e bad/$KEPT/SYSTEM
'

test_expect_success 'a record that keeps a hive anywhere else is refused before any change' '
	cp -a orig hostile &&
	wimgraft apply -q -s "$SRC" -i 4 -d hostile >out 2>err &&
	for edit in ".hives[0].backup = \"$CFG/SOFTWARE\"" ".hives[0].name = \"SOFTWARE\"" \
		    ".hives[0].backup = \"Windows/Logs/wimgraft/backup/lbfo/hives/../../../../../System32/config/SAM\"" \
		    ".hives += [.hives[0]]" ".hives[0].sha1 = 7"; do
		cp hostile/$REC rec.json &&
		jq "$edit" rec.json >hostile/$REC &&
		tree_sum hostile >before.sum &&
		test_expect_code 1 wimgraft remove -d hostile >out 2>err &&
		grep "^error: undo record .* is invalid: .hives\[[0-9]\]" err &&
		tree_sum hostile >after.sum && cmp before.sum after.sum &&
		cp rec.json hostile/$REC || return 1
	done &&
	wimgraft remove -q -d hostile >out 2>err &&
	same_hives hostile
'

test_done
