# mount.sh - helpers for the end-to-end tests that mount images for real (wimlib-imagex
# mountrw, ntfs-3g), sourced after lib.sh. Every mount below the script's trash folder is
# unmounted when the script ends, whatever happened; FUSE missing skips the script.
#
#   need_fuse                  (skip the script, saying why, when FUSE mounts cannot be made)
#   unmount_all                (unmount everything below $TRASH, innermost first)

# Mount points below $TRASH, innermost first, read from /proc/self/mountinfo.
mounts_below_trash() {
	awk -v t="$TRASH" '{ if ($5 == t || index($5, t "/") == 1) print $5 }' /proc/self/mountinfo |
		sort -r
}

unmount_all() {
	for m in $(mounts_below_trash); do
		fusermount -u "$m" 2>/dev/null || umount "$m" 2>/dev/null ||
			{ sleep 1; fusermount -u "$m" 2>/dev/null; } || umount -l "$m" 2>/dev/null ||
			echo "warning: could not unmount '$m'" >&2
	done
}

trap 'unmount_all; chmod -R u+w "$TRASH" 2>/dev/null; rm -rf "$TRASH"' EXIT
trap 'exit 130' INT TERM

# Unmount one mount point (a wimfs one without committing).
unmount_one() {
	fusermount -u "$1" 2>/dev/null || umount "$1"
}

need_fuse() {
	if [ ! -c /dev/fuse ]; then
		test_skip_script "FUSE is missing here (/dev/fuse does not exist)"
		return 1
	fi
	if ! command -v fusermount >/dev/null 2>&1 && ! command -v fusermount3 >/dev/null 2>&1; then
		test_skip_script "FUSE is missing here ('fusermount' is not installed)"
		return 1
	fi
	# A trial mount: containers often have /dev/fuse but may not mount.
	probe="$TRASH/.fuse-probe"
	mkdir -p "$probe/src/d" "$probe/m" && echo x >"$probe/src/d/f" &&
		wimlib-imagex capture "$probe/src" "$probe/p.wim" >/dev/null 2>&1 || {
		test_skip_script "cannot make a probe WIM for the FUSE check"
		return 1
	}
	if ! wimlib-imagex mount "$probe/p.wim" 1 "$probe/m" >"$probe/err" 2>&1; then
		test_skip_script "FUSE mounts are not permitted here: $(head -n 1 "$probe/err")"
		return 1
	fi
	wimlib-imagex unmount "$probe/m" >/dev/null 2>&1 || unmount_one "$probe/m"
	rm -rf "$probe"
}
