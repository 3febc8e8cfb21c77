#!/bin/sh
# t7500-crash-apply.sh - apply -d killed with SIGKILL (strace fault injection) at the N-th renameat,
# linkat, unlinkat, fsync, mkdirat and write, on an image whose driver apply replaces: the next
# run brings back exactly the original, or finds the complete result; no temporary file is left.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/crash-lib.sh"
need_cmd strace reglookup sha256sum
have_fixtures

SRC=$FIXTURES/server2019.wim
DRV=Windows/System32/drivers/MsLbfoProvider.sys

test_expect_success 'setup: an image with an older driver; its state before and after apply' '
	cp -a "$FIXTURES/win10-applied" orig &&
	printf "an older driver" >orig/$DRV &&
	image_state orig >before &&
	cp -a orig done && wimgraft apply -s "$SRC" -i 4 -d done >out 2>&1 &&
	image_state done >after &&
	! cmp -s before after &&
	test ! -e done/Windows/Logs/wimgraft/journal && test ! -e done/Windows/Logs/wimgraft/lock
'

test_expect_success 'a kill at any point: recover rolls it back, or finds the result complete' '
	fails=0 tried=0 back=0 forward=0 &&
	for sc in $CRASH_SYSCALLS; do
		rm -rf img && cp -a orig img &&
		n=$(count_calls $sc "$WIMGRAFT" apply -s "$SRC" -i 4 -d img) || n=0
		test "$n" -gt 0 || continue
		for k in $(kill_points $sc $n); do
			rm -rf img && cp -a orig img &&
			killed_at $sc $k "$WIMGRAFT" apply -s "$SRC" -i 4 -d img
			tried=$((tried + 1))
			if ! wimgraft recover -d img >rec.out 2>&1; then
				echo "$sc #$k of $n: recover failed"; cat rec.out; fails=$((fails + 1)); continue
			fi
			image_state img >now
			if cmp -s now before; then
				back=$((back + 1))
			elif cmp -s now after && wimgraft verify -d img >/dev/null 2>&1; then
				forward=$((forward + 1))
			else
				echo "$sc #$k of $n: neither the original nor the result"
				diff before now | head -n 20; fails=$((fails + 1))
			fi
		done
	done
	echo "$tried kill points: $back rolled back, $forward complete, $fails bad" &&
	test $fails = 0 && test $back -gt 0 && test $forward -gt 0
'

test_expect_success 'after a kill mid-commit: verify says so (exit 3), apply rolls back and applies' '
	rm -rf img && cp -a orig img &&
	killed_at renameat 3 "$WIMGRAFT" apply -s "$SRC" -i 4 -d img;
	test -f img/Windows/Logs/wimgraft/journal &&
	test_expect_code 3 wimgraft verify -d img >out 2>err &&
	test_stderr_names err "unfinished" && test_stderr_names err "wimgraft recover -d" &&
	test -f img/Windows/Logs/wimgraft/journal &&
	wimgraft apply -s "$SRC" -i 4 -d img >out 2>err &&
	test_stderr_names err "rolled back" &&
	image_state img >now && cmp now after &&
	wimgraft verify -d img >out
'

test_expect_success 'a damaged journal is refused, naming its line; the image is left alone' '
	rm -rf img && cp -a orig img &&
	mkdir -p img/Windows/Logs/wimgraft &&
	printf "wimgraft-journal 1 77 apply\nwrite 0 ../../etc/passwd - - - -\n" >img/Windows/Logs/wimgraft/journal &&
	test_expect_code 1 wimgraft recover -d img >out 2>err &&
	test_stderr_names err "line 2" &&
	test -f img/Windows/Logs/wimgraft/journal && cmp img/$DRV orig/$DRV
'

test_done
