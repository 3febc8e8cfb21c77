#!/bin/sh
# t7502-locks.sh - one writer at a time: a held lock refuses at once naming its holder, or is waited
# for with --wait; 20 pairs of concurrent writers on one folder (apply or remove against reg-import)
# and concurrent writers on one WIM in place all succeed, and every change is there afterwards;
# a WIM another program writes while wimgraft is stopped (SIGSTOP by strace) is refused unwritten.
. "$(dirname "$0")/../lib.sh"
need_cmd flock reglookup wimlib-imagex strace
have_fixtures

SRC=$FIXTURES/server2019.wim
CFG=Windows/System32/config
LOCK=Windows/Logs/wimgraft/lock

# reg_file N: a .reg setting value N of key WgLock under the SYSTEM hive.
reg_file() {
	printf 'Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\WgLock]\n"V%s"=dword:%08x\n' "$1" "$1" >"r$1.reg"
}

test_expect_success 'a held lock: refused at once naming the holder, the image unchanged' '
	cp -a "$FIXTURES/win10-applied" held && mkdir -p held/Windows/Logs/wimgraft &&
	sh -c "exec 9>>held/$LOCK; flock 9; echo \$\$ >held/$LOCK; exec sleep 60" & holder=$! &&
	while ! grep -q "^$holder\$" held/$LOCK 2>/dev/null; do sleep 0.1; done &&
	while flock -n held/$LOCK true; do sleep 0.1; done &&
	tree_sum held >before &&
	test_expect_code 1 wimgraft apply -s "$SRC" -i 4 -d held >out 2>err;
	rc=$?; test $rc = 0 && test_stderr_names err "pid $holder" &&
	test_expect_code 1 wimgraft apply --wait 1 -s "$SRC" -i 4 -d held >out 2>err &&
	test_stderr_names err "after 1 second" &&
	test_expect_code 1 wimgraft verify -d held >out 2>err && test_stderr_names err "in use" &&
	kill $holder; wait $holder;
	tree_sum held >after && diff before after &&
	wimgraft apply -s "$SRC" -i 4 -d held >out 2>err && test ! -e held/$LOCK
'

test_expect_success 'a writer waits with --wait for the holder to finish' '
	cp -a "$FIXTURES/win10-applied" waits && mkdir -p waits/Windows/Logs/wimgraft &&
	sh -c "exec 9>>waits/$LOCK; flock 9; echo \$\$ >waits/$LOCK; exec sleep 2" & holder=$! &&
	while ! grep -q "^$holder\$" waits/$LOCK 2>/dev/null; do sleep 0.1; done &&
	wimgraft apply --wait 600 -s "$SRC" -i 4 -d waits >out 2>err &&
	wait $holder && wimgraft verify -d waits >out
'

test_expect_success '20 pairs of concurrent writers on one folder: every change is there' '
	cp -a "$FIXTURES/win10-applied" img && bad=0 &&
	for i in $(seq 1 20); do
		reg_file $i &&
		if [ $((i % 2)) = 1 ]; then what=apply; else what=remove; fi &&
		if [ $what = apply ]; then
			"$WIMGRAFT" apply --wait 600 -s "$SRC" -i 4 -d img >a.out 2>&1 & a=$!
		else
			"$WIMGRAFT" remove --wait 600 -d img >a.out 2>&1 & a=$!
		fi
		"$WIMGRAFT" reg-import --wait 600 -d img r$i.reg >b.out 2>&1 & b=$!
		wait $a; ra=$?; wait $b; rb=$?
		if [ $ra != 0 ] || [ $rb != 0 ]; then
			echo "pair $i: $what $ra, reg-import $rb"; cat a.out b.out; bad=$((bad + 1))
		fi
		"$WIMGRAFT" verify -d img >v.out 2>&1; rv=$?
		if [ $what = apply ] && [ $rv != 0 ]; then echo "pair $i: apply lost"; bad=$((bad + 1)); fi
		if [ $what = remove ] && [ $rv != 3 ]; then echo "pair $i: remove lost"; bad=$((bad + 1)); fi
	done
	reglookup -H img/$CFG/SYSTEM >vals &&
	for i in $(seq 1 20); do
		grep -qi "^/ControlSet001/Services/WgLock/V$i,DWORD," vals || { echo "value V$i lost"; bad=$((bad + 1)); }
	done
	test $bad = 0 && test ! -e img/$LOCK
'

test_expect_success 'concurrent writers on one WIM in place: both changes are there' '
	cp "$FIXTURES/win10.wim" in.wim && bad=0 &&
	for i in 1 2 3 4; do
		reg_file $i &&
		if [ $((i % 2)) = 1 ]; then
			"$WIMGRAFT" apply --wait 600 -s "$SRC" -i 4 -w in.wim -t 2 >a.out 2>&1 & a=$!
		else
			"$WIMGRAFT" remove --wait 600 -w in.wim -t 2 >a.out 2>&1 & a=$!
		fi
		"$WIMGRAFT" reg-import --wait 600 -w in.wim -t 2 r$i.reg >b.out 2>&1 & b=$!
		wait $a; ra=$?; wait $b; rb=$?
		if [ $ra != 0 ] || [ $rb != 0 ]; then echo "round $i: $ra $rb"; cat a.out b.out; bad=$((bad + 1)); fi
		"$WIMGRAFT" verify -w in.wim -t 2 >v.out 2>&1; rv=$?
		if [ $((i % 2)) = 1 ] && [ $rv != 0 ]; then echo "round $i: apply lost"; bad=$((bad + 1)); fi
		if [ $((i % 2)) = 0 ] && [ $rv != 3 ]; then echo "round $i: remove lost"; bad=$((bad + 1)); fi
	done
	rm -rf x && wimlib-imagex extract in.wim 2 /Windows/System32/config/SYSTEM --dest-dir=x >/dev/null &&
	reglookup -H x/SYSTEM >vals &&
	for i in 1 2 3 4; do
		grep -qi "^/ControlSet001/Services/WgLock/V$i,DWORD," vals || { echo "value V$i lost"; bad=$((bad + 1)); }
	done
	wimlib-imagex verify in.wim >/dev/null 2>&1 &&
	test $bad = 0 && test ! -e .in.wim.wimgraft-lock
'

test_expect_success 'a WIM another program writes while wimgraft works: refused, exit 1, nothing written' '
	cp "$FIXTURES/win10.wim" in.wim && mkdir -p extra && echo x >extra/x.txt &&
	strace -f -qq -o stop.log -e trace=fsync -e inject=fsync:signal=SIGSTOP:when=1 \
		"$WIMGRAFT" apply -s "$SRC" -i 4 -w in.wim -t 2 >out 2>err & spid=$! &&
	while kill -0 $spid 2>/dev/null && ! grep -q "stopped by SIGSTOP" stop.log 2>/dev/null; do
		sleep 0.1
	done &&
	pid=$(awk "/stopped by SIGSTOP/ {print \$1; exit}" stop.log) && test -n "$pid" &&
	{
		wimlib-imagex update in.wim 1 --command="add extra/x.txt /x.txt" >/dev/null &&
		sha256sum in.wim >theirs; updated=$?
		kill -CONT "$pid"; wait $spid; rc=$?
		test $updated = 0
	} && test $rc = 1 &&
	test_stderr_names err "changed by another program" &&
	sha256sum -c --quiet theirs &&
	wimlib-imagex dir in.wim 1 | grep -qx /x.txt &&
	test ! -e .in.wim.wimgraft-lock && test ! -e .in.wim.wimgraft-record
'

test_done
