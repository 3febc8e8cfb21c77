#!/bin/sh
# t7501-crash-remove.sh - remove -d killed with SIGKILL (strace fault injection) at the N-th
# renameat, linkat, unlinkat, fsync, mkdirat and write: the next remove finishes the job and the
# image is exactly as before apply, the replaced driver restored; no temporary file is left.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/crash-lib.sh"
need_cmd strace reglookup sha256sum
have_fixtures

SRC=$FIXTURES/server2019.wim
DRV=Windows/System32/drivers/MsLbfoProvider.sys

test_expect_success 'setup: an applied image that replaced a driver, and the state remove gives' '
	cp -a "$FIXTURES/win10-applied" orig &&
	printf "an older driver" >orig/$DRV &&
	cp -a orig applied && wimgraft apply -s "$SRC" -i 4 -d applied >out 2>&1 &&
	image_state applied >applied.state &&
	cp -a applied removed && wimgraft remove -d removed >out 2>&1 &&
	image_state removed >removed.state &&
	cmp removed/$DRV orig/$DRV
'

test_expect_success 'a kill at any point: the next remove restores every original' '
	fails=0 tried=0 &&
	for sc in $CRASH_SYSCALLS; do
		rm -rf img && cp -a applied img &&
		n=$(count_calls $sc "$WIMGRAFT" remove -d img) || n=0
		test "$n" -gt 0 || continue
		for k in $(kill_points $sc $n); do
			rm -rf img && cp -a applied img &&
			killed_at $sc $k "$WIMGRAFT" remove -d img
			tried=$((tried + 1))
			if ! wimgraft remove -d img >rm.out 2>&1; then
				echo "$sc #$k of $n: the next remove failed"; cat rm.out; fails=$((fails + 1)); continue
			fi
			image_state img >now
			if ! cmp -s now removed.state || ! cmp -s img/$DRV orig/$DRV; then
				echo "$sc #$k of $n: not as before apply"
				diff removed.state now | head -n 20; fails=$((fails + 1))
			fi
		done
	done
	echo "$tried kill points, $fails bad" &&
	test $fails = 0 && test $tried -gt 0
'

test_expect_success 'a kill mid-remove, then recover: the image is applied as before, and verifies' '
	rm -rf img && cp -a applied img &&
	killed_at renameat 2 "$WIMGRAFT" remove -d img;
	test -f img/Windows/Logs/wimgraft/journal &&
	wimgraft recover -d img >out 2>err &&
	test_stderr_names err "rolled back" &&
	image_state img >now && cmp now applied.state &&
	wimgraft verify -d img >out
'

test_done
