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

# traced_calls SYSCALLS CMD...: run CMD once under strace, logging the SYSCALLS (a comma list)
# it makes into calls.log, for window_points.
traced_calls() {
	sc=$1
	shift
	strace -f -qq -o calls.log -e trace="$sc" "$@" >/dev/null 2>&1
}

# window_points SYSCALL MARK: the values of N to try for SYSCALL from calls.log, where MARK (an
# extended regex) is the first call of the part that writes the target. In a sampled run: one
# call before it, then every call from it on, or the first, middle and last of more than 8. With WG_CRASH_ALL every call, but
# a run of more than 60 calls (the chunks of one file) every k-th of its middle, so that ~60 remain.
window_points() {
	awk -v sc="$1" -v mark="$2" -v all="$WG_CRASH_ALL" '
		$0 ~ mark && !w { w = n + 1 }
		$2 ~ "^" sc "\\(" || $0 ~ "^[0-9]+ +" sc "\\(" { n++ }
		END {
			if (!n) exit
			if (!w) w = n + 1
			if (all != "") {
				k = n > 60 ? int(n / 40) : 1
				for (i = 1; i <= n; i++)
					if (i <= 10 || i > n - 10 || i == w || i == w + 1 || (i - 11) % k == 0)
						print i
				exit
			}
			if (w > 1) print (w > 3 ? int(w / 2) : 1)
			for (i = w; i <= n; i++)
				if (n - w < 8 || i == w || i == int((w + n) / 2) || i == n)
					print i
		}' calls.log | sort -n | uniq
}
