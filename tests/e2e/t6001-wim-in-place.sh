#!/bin/sh
# t6001-wim-in-place.sh - apply -w without -o: the WIM updated in place (LZX with an integrity table,
# and a solid ESD), other images untouched, a second apply a no-op, and runs killed with SIGKILL.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex reglookup sha256sum timeout
have_fixtures

SRC=$FIXTURES/server2019.wim

listing() {
	wimlib-imagex dir "$1" "$2" --detailed |
		awk -F' = ' '/^Full Path/{p=$2} /^Attributes/{a=$2} /^Hash/{print p, a, $2}' |
		LC_ALL=C sort
}

test_expect_success 'setup: a client WIM with an integrity table, and its listings' '
	cp "$FIXTURES/win10.wim" in.wim &&
	wimlib-imagex optimize in.wim --check >/dev/null 2>&1 &&
	wimlib-imagex info in.wim | grep -q "^Attributes:.*Integrity info" &&
	cp in.wim orig.wim &&
	for i in 1 2 3; do listing in.wim $i >before.$i || return 1; done
'

test_expect_success 'apply -t NAME updates that image in place; the others stay as they were' '
	wimgraft apply -s "$SRC" -i 4 -w in.wim -t "windows 10 pro" >plan 2>err &&
	grep -q "^grafting into .in.wim. image 2 (Windows 10 Pro):" plan &&
	wimlib-imagex verify in.wim >/dev/null 2>&1 &&
	wimlib-imagex info in.wim >info &&
	grep -q "^Attributes:.*Integrity info" info &&
	grep -q "^Boot Index: *2$" info &&
	grep -q "^Compression: *LZX$" info &&
	listing in.wim 1 | cmp - before.1 &&
	listing in.wim 3 | cmp - before.3 &&
	listing in.wim 2 >after.2 &&
	LC_ALL=C comm -23 before.2 after.2 >gone &&
	test $(wc -l <gone) = 2 && grep -q "^\"/Windows/System32/config/SYSTEM\" " gone &&
	grep -q "^\"/Windows/System32/config/DRIVERS\" " gone &&
	listing in.wim 2 | grep -q "^\"/Windows/System32/drivers/MsLbfoProvider.sys\" " &&
	wimgraft verify -w in.wim -t 2 -s "$SRC" -i 4 >v 2>&1 &&
	test_expect_code 3 wimgraft verify -w in.wim -t 1 >v 2>&1
'

test_expect_success 'the hive wimlib-imagex extracts from the updated image holds the service key' '
	wimlib-imagex extract in.wim 2 /Windows/System32/config/SYSTEM --dest-dir=h --no-acls >/dev/null 2>&1 &&
	reglookup -H -p /ControlSet001/services/MsLbfoProvider h/SYSTEM >svc &&
	grep -qixF "/ControlSet001/services/MsLbfoProvider/Group,SZ,NDIS," svc
'

test_expect_success 'a second apply in place changes no byte of the WIM' '
	sha256sum <in.wim >in.sum &&
	wimgraft apply -s "$SRC" -i 4 -w in.wim -t 2 >plan2 2>&1 &&
	sha256sum <in.wim | cmp - in.sum
'

test_expect_success 'remove in place restores the image; -t all then grafts all three in one write' '
	wimgraft remove -w in.wim -t 2 >rm.out 2>&1 &&
	wimlib-imagex verify in.wim >/dev/null 2>&1 &&
	listing in.wim 2 | grep -v -e "^\"/Windows/Logs/wimgraft" -e "^\"/Windows/System32/config/SYSTEM\" " \
		-e "^\"/Windows/System32/config/DRIVERS\" " >r.2 &&
	grep -v -e "^\"/Windows/System32/config/SYSTEM\" " -e "^\"/Windows/System32/config/DRIVERS\" " before.2 | cmp - r.2 &&
	test_expect_code 3 wimgraft verify -w in.wim -t 2 >v 2>&1 &&
	wimgraft apply -s "$SRC" -i 4 -w in.wim -t all >plan3 2>&1 &&
	wimlib-imagex verify in.wim >/dev/null 2>&1 &&
	wimgraft verify -w in.wim -t all >v 2>&1
'

test_expect_success 'a solid ESD client image is updated in place and stays solid LZMS' '
	wimlib-imagex export orig.wim all client.esd --solid >/dev/null 2>&1 &&
	wimlib-imagex info client.esd | grep -q "^Compression: *LZMS$" &&
	wimgraft apply -s "$SRC" -i 4 -w client.esd -t 3 >plan 2>&1 &&
	wimlib-imagex verify client.esd >/dev/null 2>&1 &&
	wimlib-imagex info client.esd >info &&
	grep -q "^Compression: *LZMS$" info &&
	grep -q "^Image Count: *3$" info &&
	wimgraft verify -w client.esd -t 3 >v 2>&1
'

# Kill the run at several points: the WIM must verify and hold either the old or the new content,
# and the next run removes the temporary folders the killed ones left.
test_expect_success 'runs killed with SIGKILL leave a WIM that verifies and is old or new' '
	old=0 new=0 left=0 &&
	mkdir tmp &&
	for d in 0.05 0.1 0.2 0.4 0.6 0.8 0.9 1.0 1.1 1.2 1.4 1.7 2.0 3.0; do
		cp orig.wim k.wim &&
		{ TMPDIR=$PWD/tmp timeout -s KILL $d "$WIMGRAFT" apply -q -s "$SRC" -i 4 -w k.wim -t all \
			>/dev/null 2>&1; true; } &&
		wimlib-imagex verify k.wim >/dev/null 2>&1 || { echo "$d: verify failed"; return 1; }
		if ls tmp | grep -q "^wimgraft-wim\."; then left=$((left + 1)); fi
		if "$WIMGRAFT" verify -q -w k.wim -t all >/dev/null 2>&1; then
			new=$((new + 1))
		else
			for i in 1 2 3; do
				listing k.wim $i | cmp -s - before.$i || { echo "$d: image $i neither old nor new"; return 1; }
			done
			old=$((old + 1))
		fi
		echo "killed after ${d}s: $old old, $new new"
	done &&
	test $old -ge 1 && echo "$left killed runs left a session folder" &&
	for d in tmp/wimgraft-wim.*; do
		if [ -f "$d/lock" ]; then echo "$d"; fi
	done >locked.before &&
	TMPDIR=$PWD/tmp "$WIMGRAFT" apply -q -s "$SRC" -i 4 -w k.wim -t all &&
	wimlib-imagex verify k.wim >/dev/null 2>&1 &&
	"$WIMGRAFT" verify -q -w k.wim -t all &&
	ls -d tmp/wimgraft-wim.* 2>/dev/null >after || true &&
	echo "left before the last run (with a lock):" && cat locked.before &&
	echo "left after it:" && cat after &&
	! grep -F -x -f locked.before after
'

test_done
