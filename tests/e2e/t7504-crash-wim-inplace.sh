#!/bin/sh
# t7504-crash-wim-inplace.sh - apply -w and remove -w in place killed with SIGKILL (strace fault
# injection) at the N-th write, pwrite64, fsync, ftruncate, rename, unlink...: after recover the
# WIM is byte-identical to what it was, or holds the complete new image (wimgraft verify and
# wimlib-imagex verify and optimize accept it); nothing is left beside it.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/crash-lib.sh"
need_cmd strace wimlib-imagex sha256sum
have_fixtures

SRC=$FIXTURES/server2019.wim
SYSCALLS="write pwrite64 fsync ftruncate renameat rename unlinkat unlink linkat"
# the first write of the in-place commit: the recovery record
MARK="wimgraft-wim-record 1"

# Path, attributes and hash of every entry of an image; the log and undo record (time-stamped)
# by name only.
listing() {
	wimlib-imagex dir "$1" "$2" --detailed |
		awk -F' = ' '/^Full Path/{p=$2} /^Attributes/{a=$2}
			/^Hash/{h=$2; if (p ~ /wimgraft\/(wimgraft\.log|.*\.undo\.json)"$/) h="-"; print p, a, h}' |
		LC_ALL=C sort
}

# Nothing of a run left beside the WIM: no lock, record or temporary WIM.
no_litter() {
	left=$(ls -A | grep -E "^\.$1\.wimgraft-|^$1[A-Za-z0-9]{9}\$") || return 0
	echo "left beside $1: $left"
	return 1
}

# sweep WHAT START EXPECT CMD...: kill CMD (working on in.wim, a copy of START) at every kill
# point; after recover in.wim must be START byte for byte, or have image 2 listed as in EXPECT.
sweep() {
	what=$1 start=$2 expect=$3
	shift 3
	fails=0 tried=0 back=0 forward=0
	cp "$start" in.wim &&
	traced_calls "$(echo $SYSCALLS | tr " " ,)" "$@" || return 1
	for sc in $SYSCALLS; do
		n=$(grep -c "^[0-9]* *$sc(" calls.log)
		test "$n" -gt 0 || continue
		for k in $(window_points $sc "$MARK"); do
			cp "$start" in.wim &&
			killed_at $sc $k "$@"
			tried=$((tried + 1))
			if ! wimgraft recover -w in.wim >rec.out 2>&1; then
				echo "$what: $sc #$k of $n: recover failed"; cat rec.out
				fails=$((fails + 1)); continue
			fi
			if ! no_litter in.wim || ! wimlib-imagex verify in.wim >v.out 2>&1 ||
			   ! { cp in.wim opt.wim && wimlib-imagex optimize opt.wim >v.out 2>&1; }; then
				echo "$what: $sc #$k of $n: litter, or wimlib-imagex refuses the WIM"
				cat v.out; fails=$((fails + 1)); continue
			fi
			if cmp -s in.wim "$start"; then
				back=$((back + 1))
			elif listing in.wim 2 >now && cmp -s now "$expect" &&
			     test "$(listing in.wim 1 | sha256sum)" = "$(listing "$start" 1 | sha256sum)"; then
				forward=$((forward + 1))
			else
				echo "$what: $sc #$k of $n: neither the original nor the complete result"
				diff "$expect" now | head -n 10; fails=$((fails + 1))
			fi
		done
	done
	echo "$what: $tried kill points: $back byte-identical, $forward complete, $fails bad"
	test $fails = 0 && test $back -gt 0 && test $forward -gt 0
}

test_expect_success 'setup: a client WIM; image 2 before apply, after it, and after remove' '
	cp "$FIXTURES/win10.wim" orig.wim && listing orig.wim 2 >before &&
	cp orig.wim done.wim && wimgraft apply -s "$SRC" -i 4 -w done.wim -t 2 >out 2>&1 &&
	listing done.wim 2 >after && ! cmp -s before after &&
	cp done.wim removed.wim && wimgraft remove -w removed.wim -t 2 >out 2>&1 &&
	listing removed.wim 2 >removed && ! cmp -s after removed &&
	no_litter done.wim && no_litter removed.wim
'

test_expect_success 'apply -w in place killed at any point: recover gives the original or the result' '
	sweep apply orig.wim after "$WIMGRAFT" apply -s "$SRC" -i 4 -w in.wim -t 2
'

test_expect_success 'remove -w in place killed at any point: recover gives the applied WIM or the result' '
	sweep remove done.wim removed "$WIMGRAFT" remove -w in.wim -t 2
'

test_expect_success 'a WIM with an integrity table: killed before its header, after it' '
	cp orig.wim integ.wim && wimlib-imagex optimize --check integ.wim >/dev/null 2>&1 &&
	wimlib-imagex info integ.wim | grep -q "Integrity info" &&
	cp integ.wim in.wim && traced_calls pwrite64,fsync "$WIMGRAFT" apply -s "$SRC" -i 4 -w in.wim -t 2 &&
	header=$(grep -c "^[0-9]* *pwrite64(" calls.log) &&
	synced=$(awk "/pwrite64\\(.*, 208, 0\\)/ {h = 1} /fsync\\(/ {n++; if (h) {print n; exit}}" calls.log) &&
	cp integ.wim in.wim && killed_at pwrite64 $header "$WIMGRAFT" apply -s "$SRC" -i 4 -w in.wim -t 2;
	wimgraft recover -w in.wim >out 2>err && test_stderr_names err "rolled back" &&
	cmp in.wim integ.wim && no_litter in.wim &&
	killed_at fsync $synced "$WIMGRAFT" apply -s "$SRC" -i 4 -w in.wim -t 2;
	wimgraft recover -w in.wim >out 2>err && test_stderr_names err "completed" &&
	wimlib-imagex verify in.wim >out 2>&1 && ! grep -q "does not contain integrity" out &&
	listing in.wim 2 >now && cmp now after && no_litter in.wim
'

test_expect_success 'after a kill mid-write: verify says so (exit 3) and changes nothing; apply recovers first' '
	cp orig.wim in.wim && traced_calls pwrite64 "$WIMGRAFT" apply -s "$SRC" -i 4 -w in.wim -t 2 &&
	k=$(awk -v mark="$MARK" "\$0 ~ mark {print n + 3; exit} /pwrite64\\(/ {n++}" calls.log) &&
	cp orig.wim in.wim && killed_at pwrite64 $k "$WIMGRAFT" apply -s "$SRC" -i 4 -w in.wim -t 2;
	test -f .in.wim.wimgraft-record && ! cmp -s in.wim orig.wim &&
	sha256sum in.wim >killed &&
	test_expect_code 3 wimgraft verify -w in.wim -t 2 >out 2>err &&
	test_stderr_names err "unfinished" && test_stderr_names err "wimgraft recover -w" &&
	sha256sum -c --quiet killed && test -f .in.wim.wimgraft-record &&
	wimgraft apply -s "$SRC" -i 4 -w in.wim -t 2 >out 2>err &&
	test_stderr_names err "rolled back" &&
	listing in.wim 2 >now && cmp now after && no_litter in.wim &&
	wimgraft verify -w in.wim -t 2 >out
'

test_expect_success 'a damaged record is refused, naming its line; the WIM is left alone' '
	cp orig.wim in.wim &&
	printf "wimgraft-wim-record 1 77\nwim 5 1 1\nrange 0 999 0000000000000000000000000000000000000000\ndata\n" \
		>.in.wim.wimgraft-record &&
	test_expect_code 1 wimgraft recover -w in.wim >out 2>err &&
	test_stderr_names err "line 3" &&
	cmp in.wim orig.wim && test -f .in.wim.wimgraft-record && rm .in.wim.wimgraft-record
'

test_expect_success 'a write that fails midway (no space): exit 1 and the WIM byte-identical' '
	cp orig.wim in.wim && traced_calls write "$WIMGRAFT" apply -s "$SRC" -i 4 -w in.wim -t 2 &&
	n=$(grep -c "^[0-9]* *write(" calls.log) &&
	cp orig.wim in.wim &&
	strace -f -qq -o /dev/null -e trace=write -e inject=write:error=ENOSPC:when=$((n - 5)) \
		"$WIMGRAFT" apply -s "$SRC" -i 4 -w in.wim -t 2 >out 2>err;
	test $? = 1 &&
	cmp in.wim orig.wim && no_litter in.wim
'

test_expect_success 'apply -o killed at any point: the output is complete or absent, nothing else left' '
	fails=0 &&
	traced_calls "linkat,rename,renameat,fsync" "$WIMGRAFT" apply -s "$SRC" -i 4 -w orig.wim -t 2 -o new.wim &&
	rm -f new.wim &&
	for sc in linkat rename renameat fsync; do
		n=$(grep -c "^[0-9]* *$sc(" calls.log)
		for k in $(kill_points $sc $n); do
			rm -f new.wim && cp done.wim old.wim &&
			killed_at $sc $k "$WIMGRAFT" apply -s "$SRC" -i 4 -w orig.wim -t 2 -o new.wim
			killed_at $sc $k "$WIMGRAFT" apply -s "$SRC" -i 4 -w orig.wim -t 2 -o old.wim
			if ! wimgraft apply -s "$SRC" -i 4 -w orig.wim -t 2 -o old.wim >out 2>&1 ||
			   ! wimgraft verify -w old.wim -t 2 >out 2>&1 ||
			   { test -e new.wim && ! wimlib-imagex verify new.wim >out 2>&1; }; then
				echo "$sc #$k of $n: the next run failed or new.wim is damaged"
				cat out; fails=$((fails + 1))
			elif left=$(ls -A | grep -E "wimgraft-[0-9]+[.]new|[.]wim[.]tmp"); then
				echo "$sc #$k of $n: left $left"; fails=$((fails + 1))
			fi
		done
	done
	test $fails = 0 && cmp orig.wim "$FIXTURES/win10.wim"
'

test_done
