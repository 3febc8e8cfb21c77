#!/bin/sh
# t8002-crash-mounts.sh - the kill-point sweep of apply (strace fault injection, SIGKILL at the
# N-th renameat, unlinkat, fsync, mkdirat, write...) once on a wimlib-imagex mountrw mount and
# once on an ntfs-3g mount: recover brings back exactly the original or finds the result complete.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/crash-lib.sh"
. "$TOP/tests/mount.sh"
need_cmd strace reglookup sha256sum wimlib-imagex mkntfs ntfs-3g
have_fixtures
[ -n "$skip_all" ] || need_fuse

SRC=$FIXTURES/server2019.wim
DRV=Windows/System32/drivers/MsLbfoProvider.sys
# Each kill point mounts afresh: one point per system call unless asked for more.
WG_CRASH_SAMPLE=${WG_CRASH_SAMPLE:-1}

# sweep MOUNT UNMOUNT: every kill point of apply on the image MOUNT (a command mounting a fresh
# copy on m/) gives, after recover, the state in ./before or the one in ./after.
sweep() {
	fails=0 tried=0 back=0 forward=0
	$1 && strace -f -qq -o calls.log -e trace="$(echo $CRASH_SYSCALLS | tr " " ,)" \
		"$WIMGRAFT" apply -s "$SRC" -i 4 -d m >/dev/null 2>&1
	$2 m || return 1
	for sc in $CRASH_SYSCALLS; do
		n=$(grep -c "^[0-9]* *$sc(" calls.log)
		test "$n" -gt 0 || continue
		for k in $(kill_points $sc $n); do
			$1 || return 1
			killed_at $sc $k "$WIMGRAFT" apply -s "$SRC" -i 4 -d m
			tried=$((tried + 1))
			if ! wimgraft recover -d m >rec.out 2>&1; then
				echo "$sc #$k of $n: recover failed"; cat rec.out; fails=$((fails + 1))
			else
				image_state m >now
				if cmp -s now before; then
					back=$((back + 1))
				elif cmp -s now after && wimgraft verify -d m >/dev/null 2>&1; then
					forward=$((forward + 1))
				else
					echo "$sc #$k of $n: neither the original nor the result"
					diff before now | head -n 20; fails=$((fails + 1))
				fi
			fi
			$2 m || return 1
		done
	done
	echo "$tried kill points: $back rolled back, $forward complete, $fails bad" &&
	test $fails = 0 && test $back -gt 0 && test $forward -gt 0
}

# wimfs: the WIM is never committed, so each mount starts from the same image.
wimfs_mount() {
	wimlib-imagex mountrw w.wim 1 m
}
wimfs_unmount() {
	wimlib-imagex unmount "$1" >/dev/null 2>&1 || unmount_one "$1"
}

# NTFS-3G: a fresh copy of the volume for each run.
ntfs_mount() {
	cp --sparse=always v.img run.img && ntfs-3g run.img m
}
ntfs_unmount() {
	unmount_one "$1"
}

test_expect_success 'setup: a client WIM with an older driver, and an NTFS volume holding it' '
	mkdir -p tree m && wimlib-imagex apply "$FIXTURES/win10.wim" 2 tree >/dev/null &&
	printf "an older driver" >tree/$DRV &&
	wimlib-imagex capture tree w.wim "Windows 10 Pro" >/dev/null &&
	truncate -s 64M v.img && mkntfs -q -F -f v.img >/dev/null 2>&1 &&
	wimlib-imagex apply w.wim 1 v.img >/dev/null
'

test_expect_success 'wimfs: a kill at any point of apply, then recover: the original or the result' '
	wimfs_mount && image_state m >before && wimfs_unmount m &&
	wimfs_mount && wimgraft apply -s "$SRC" -i 4 -d m >out 2>&1 && image_state m >after &&
	wimfs_unmount m && ! cmp -s before after &&
	sweep wimfs_mount wimfs_unmount
'

test_expect_success 'NTFS-3G: a kill at any point of apply, then recover: the original or the result' '
	ntfs_mount && image_state m >before && ntfs_unmount m &&
	ntfs_mount && wimgraft apply -s "$SRC" -i 4 -d m >out 2>&1 && image_state m >after &&
	ntfs_unmount m && ! cmp -s before after &&
	sweep ntfs_mount ntfs_unmount
'

test_expect_success 'no mount is left behind' '
	test -z "$(awk -v t="$TRASH/" "index(\$5, t) == 1" /proc/self/mountinfo)"
'

test_done
