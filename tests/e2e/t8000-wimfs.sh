#!/bin/sh
# t8000-wimfs.sh - apply, verify, remove and reg-import on a wimlib-imagex mountrw mount of
# the Windows 10 fixture, with and without --unix-data; the committed WIM checked with
# wimlib-imagex verify, reglookup, hivexregedit and wimgraft verify -w.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mount.sh"
need_cmd wimlib-imagex reglookup hivexregedit jq
have_fixtures
[ -n "$skip_all" ] || need_fuse

SRC=$FIXTURES/server2019.wim
CFG=Windows/System32/config
DRV=Windows/System32/drivers/MsLbfoProvider.sys

# The files of image 2 of a WIM (wimgraft's own log folder left out), sorted.
wim_list() {
	wimlib-imagex dir "$1" 2 | grep -v "^/Windows/Logs/wimgraft" | LC_ALL=C sort
}

# Every hive of image 2 of a WIM as hivexregedit exports it, into DIR/NAME.reg.
wim_hives() {
	mkdir -p "$2" &&
	wimlib-imagex extract "$1" 2 /$CFG/SYSTEM /$CFG/SOFTWARE /$CFG/DRIVERS --dest-dir="$2" \
		--no-acls >/dev/null &&
	for h in SYSTEM SOFTWARE DRIVERS; do
		hivexregedit --export "$2/$h" '\' >"$2/$h.reg" || return 1
	done
}

test_expect_success 'setup: the client WIM, its hives, and the payload as wimlib extracts it' '
	cp "$FIXTURES/win10.wim" in.wim &&
	wim_list in.wim >orig.list &&
	wim_hives in.wim orig &&
	wimlib-imagex extract "$SRC" 4 /Windows/INF/mslbfoprovider.inf /$DRV --dest-dir=ref \
		--preserve-dir-structure >/dev/null &&
	mkdir m
'

test_expect_success 'apply -d on a mountrw mount works, and names the file system with -v and --json' '
	wimlib-imagex mountrw in.wim 2 m &&
	wimgraft apply -v --json -s "$SRC" -i 4 -d m >out.json 2>err &&
	grep -F "is on fuse.wimfs" err &&
	test "$(jq -r ".targets[0].filesystem.kind" out.json)" = wimfs &&
	test "$(jq -r ".targets[0].filesystem.type" out.json)" = fuse.wimfs &&
	test "$(jq -r .ok out.json)" = true &&
	cmp ref/$DRV m/$DRV &&
	cmp ref/Windows/INF/mslbfoprovider.inf m/Windows/INF/mslbfoprovider.inf
'

test_expect_success 'verify -d accepts the mount; a second apply changes nothing; no temporary file is left' '
	wimgraft verify -d m &&
	wimgraft apply -s "$SRC" -i 4 -d m >out &&
	grep -F "nothing to do" out &&
	test -z "$(find m -name "*.wimgraft-*")"
'

test_expect_success 'unmount --commit gives a WIM that wimlib-imagex verify and wimgraft verify -w accept' '
	wimlib-imagex unmount m --commit >/dev/null &&
	wimlib-imagex verify in.wim >/dev/null &&
	wimgraft verify -w in.wim -t 2 &&
	wimlib-imagex extract in.wim 2 /$CFG/SYSTEM --dest-dir=applied --no-acls >/dev/null &&
	check_seed_values applied/SYSTEM &&
	wimlib-imagex extract in.wim 2 /$DRV --dest-dir=x --no-acls >/dev/null &&
	cmp ref/$DRV x/MsLbfoProvider.sys
'

test_expect_success 'remove -d on a mount reverses it: after commit, the same files and hives as before' '
	wimlib-imagex mountrw in.wim 2 m &&
	wimgraft remove -d m >out &&
	test_expect_code 3 wimgraft verify -d m &&
	wimlib-imagex unmount m --commit >/dev/null &&
	wimlib-imagex verify in.wim >/dev/null &&
	test_expect_code 3 wimgraft verify -w in.wim -t 2 &&
	wim_list in.wim >after.list &&
	diff orig.list after.list &&
	wim_hives in.wim after &&
	for h in SYSTEM SOFTWARE DRIVERS; do
		diff orig/$h.reg after/$h.reg >/dev/null || { echo "hive $h differs"; return 1; }
	done
'

test_expect_success 'a --unix-data mount: the new files get their mode, and the commit verifies' '
	cp "$FIXTURES/win10.wim" u.wim && mkdir -p u &&
	wimlib-imagex mountrw u.wim 2 u --unix-data &&
	wimgraft apply -s "$SRC" -i 4 -d u &&
	test "$(stat -c %a u/$DRV)" = 644 &&
	wimgraft verify -d u &&
	wimlib-imagex unmount u --commit >/dev/null &&
	wimlib-imagex verify u.wim >/dev/null &&
	wimgraft verify -w u.wim -t 2 &&
	wimlib-imagex mountrw u.wim 2 u --unix-data &&
	wimgraft remove -d u &&
	wimlib-imagex unmount u --commit >/dev/null &&
	test_expect_code 3 wimgraft verify -w u.wim -t 2
'

test_expect_success 'reg-import -d on a mount: the values are in the committed hive' '
	cp "$FIXTURES/win10.wim" r.wim && mkdir -p r &&
	wimlib-imagex mountrw r.wim 2 r &&
	wimgraft reg-import --json -d r "$TOP/samples/Enable_Lbfo.reg" >out.json &&
	test "$(jq -r ".targets[0].filesystem.kind" out.json)" = wimfs &&
	wimlib-imagex unmount r --commit >/dev/null &&
	wimlib-imagex extract r.wim 2 /$CFG/SYSTEM --dest-dir=r.out --no-acls >/dev/null &&
	check_seed_values r.out/SYSTEM
'

test_expect_success 'a read-only mount is refused before any write, and the WIM is unchanged' '
	cp "$FIXTURES/win10.wim" ro.wim && mkdir -p ro && sha256sum ro.wim >ro.sum &&
	wimlib-imagex mount ro.wim 2 ro &&
	test_expect_code 1 wimgraft apply -s "$SRC" -i 4 -d ro 2>err &&
	grep -F "Read-only file system" err &&
	test ! -e ro/$DRV &&
	wimlib-imagex unmount ro >/dev/null &&
	sha256sum -c --quiet ro.sum
'

test_expect_success 'no mount is left behind by the tests' '
	test -z "$(awk -v t="$TRASH/" "index(\$5, t) == 1" /proc/self/mountinfo)"
'

test_done
