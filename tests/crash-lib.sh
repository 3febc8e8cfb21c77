# crash-lib.sh - sourced by the kill-point sweeps (t7500, t7501): an image's state as tools we
# did not write see it, and the list of kill points strace fault injection can hit.
# WG_CRASH_ALL=1 (make check-crash) tries every point; otherwise WG_CRASH_SAMPLE points per system call.

CFG=Windows/System32/config
LOGF=Windows/Logs/wimgraft/wimgraft.log

# Every entry (type and path, hidden ones included), the SHA-256 of every file but the hives,
# the log and the undo record (time-stamped), and each hive as reglookup lists it (no times).
image_state() {
	(cd "$1" && find . -printf '%y %p\n' | LC_ALL=C sort) &&
	(cd "$1" && find . -type f ! -path "./$CFG/*" ! -path "./$LOGF" ! -name '*.undo.json' -print0 |
		LC_ALL=C sort -z | xargs -0 -r sha256sum) &&
	for h in SYSTEM SOFTWARE DRIVERS; do
		echo "== $h" && hive_listing "$1/$CFG/$h" || return 1
	done
}

# A hive as reglookup lists it, without key times; cached by the file's SHA-256 (a hive put
# back byte-identical is not listed again: reglookup takes seconds on a real SYSTEM hive).
hive_listing() {
	mkdir -p hive-cache &&
	sum=$(sha256sum <"$1" | cut -d" " -f1) &&
	if [ ! -f "hive-cache/$sum" ]; then
		reglookup -H "$1" 2>/dev/null | cut -d, -f1-3 | LC_ALL=C sort >"hive-cache/$sum.new" &&
		mv "hive-cache/$sum.new" "hive-cache/$sum"
	fi &&
	cat "hive-cache/$sum"
}

# kill_points SYSCALL COUNT: the values of N to try (all, or an even sample and the last).
kill_points() {
	if [ -n "$WG_CRASH_ALL" ] || [ "$2" -le "${WG_CRASH_SAMPLE:-2}" ]; then
		seq 1 "$2"
	else
		k=${WG_CRASH_SAMPLE:-2}
		i=1
		{ while [ $i -le $k ]; do
			echo $(( ($2 * i + k) / (k + 1) ))
			i=$((i + 1))
		done; echo "$2"; } | uniq
	fi
}

# count_calls SYSCALL CMD...: how many times CMD makes SYSCALL (from an strace log).
count_calls() {
	sc=$1
	shift
	strace -f -qq -o calls.log -e trace="$sc" "$@" >/dev/null 2>&1 || return 1
	grep -c "^[0-9]* *$sc(" calls.log
}

# killed_at SYSCALL N CMD...: run CMD with SIGKILL injected at the N-th call of SYSCALL.
killed_at() {
	sc=$1 n=$2
	shift 2
	strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc":signal=SIGKILL:when="$n" "$@" \
		>/dev/null 2>&1
}

# The system calls that change files: each is a kill point.
CRASH_SYSCALLS="renameat renameat2 rename linkat unlinkat unlink fsync mkdirat mkdir write"
