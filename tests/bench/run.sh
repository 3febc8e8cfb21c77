#!/bin/sh
# run.sh - the benchmarks of servicing a client WIM (make bench): wimgraft apply -w against the
# mount/commit route and against plain wimlib, at about 1 GiB and 4 GiB; prints one table.
#
# Environment: BENCH_SIZES="1 4" (GiB of file data per image; "quick" is 50 MiB),
# BENCH_QUICK=1 (the same as BENCH_SIZES=quick: a smoke run of the scripts), BENCH_RUNS=3
# (runs per variant; the median is shown), BENCH_VARIANTS="a ai b c c1 c2" (which rows; b, the
# mount/commit route, takes most of the time), WIMGRAFT_BIN (the binary; default ./wimgraft).
# The client WIMs are generated once and cached by tests/bench/mkbench.sh under build/bench/.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd)
WG=${WIMGRAFT_BIN:-$TOP/wimgraft}
case $WG in /*) ;; *) WG=$TOP/$WG ;; esac
RUNS=${BENCH_RUNS:-3}
if [ "${BENCH_QUICK:-0}" = 1 ]; then SIZES=quick; else SIZES=${BENCH_SIZES:-1 4}; fi
W=wimlib-imagex
CATROOT='Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}'
TESTDATA=$TOP/tests/fixtures
OUT=$TOP/build/bench
work=$OUT/work
log=$OUT/last-run.log
results=$OUT/last-run.results
rss_file=$work/rss

die() { echo "bench: error: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

VARIANTS=${BENCH_VARIANTS:-a ai b c c1 c2}
for v in $VARIANTS; do
	case $v in a | ai | b | c | c1 | c2) ;; *) die "BENCH_VARIANTS takes a ai b c c1 c2, not '$v'" ;; esac
done
case $RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive number, not '$RUNS'" ;; esac
for s in $SIZES; do
	case $s in quick | 1 | 4) ;; *) die "BENCH_SIZES takes 1, 4 or quick, not '$s'" ;; esac
done
command -v $W >/dev/null || die "wimlib-imagex is not installed (make deps)"
[ -x "$WG" ] || die "cannot run '$WG' (make)"
TIME=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
	TIME=/usr/bin/time
else
	say "GNU time (/usr/bin/time) is missing: peak RSS is not measured (make deps)"
fi

mkdir -p "$OUT"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
: >"$log"
: >"$results"
# A copy, so that a rebuild during the run does not change or remove the binary measured.
cp "$WG" "$work/wimgraft" || die "cannot copy '$WG'"
WG_SHOWN=$WG
WG=$work/wimgraft
# The copy finds the shipped manifests where the original would.
WIMGRAFT_MANIFEST_DIR=${WIMGRAFT_MANIFEST_DIR:-$(dirname "$WG_SHOWN")/manifests}
[ -d "$WIMGRAFT_MANIFEST_DIR" ] || WIMGRAFT_MANIFEST_DIR=$TOP/manifests
export WIMGRAFT_MANIFEST_DIR

# ---- helpers ---------------------------------------------------------------------------

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }

# One step of a variant: its output goes to the log, its peak RSS (KiB) to $rss_file.
run_cmd() {
	echo "+ $*" >>"$log"
	if [ -n "$TIME" ]; then
		"$TIME" -f "rss %M wall %e $(basename "$1") ${2:-}" -a -o "$rss_file" "$@" >>"$log" 2>&1
	else
		"$@" >>"$log" 2>&1
	fi
}

median() {
	tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 }
		END { if (NR == 0) exit; if (NR % 2) printf "%.2f", v[(NR + 1) / 2];
		      else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure SIZE KEY: runs prep_KEY (not timed), step_KEY (timed, less $excluded) and
# clean_KEY, RUNS times; appends "SIZE KEY MEDIAN_S PEAK_KIB STATUS NOTE" to $results.
measure() {
	size=$1 key=$2
	times=
	: >"$rss_file"
	status=ok note=
	i=0
	while [ $i -lt "$RUNS" ]; do
		i=$((i + 1))
		"prep_$key"
		excluded=0
		mark=$(wc -l <"$log")
		t0=$(now)
		if ! "step_$key"; then
			t1=$(now)
			note=$(tail -n +"$((mark + 1))" "$log" | grep -v '^+ ' | grep -m1 -i 'error\|fail' ||
				tail -n +"$((mark + 1))" "$log" | grep -v '^+ ' | head -1)
			status=n/a
			say "$(label "$size") ($key) failed: ${note:-exit status non-zero}"
			"clean_$key"
			break
		fi
		t1=$(now)
		if [ $i = 1 ] && ! check_out "$("out_$key")"; then
			status=wrong note="the output lacks the payload"
			say "$(label "$size") ($key): $note"
			"clean_$key"
			break
		fi
		t=$(sub "$(sub "$t1" "$t0")" "$excluded")
		times="$times $t"
		say "$(label "$size") ($key) run $i/$RUNS: $t s"
		"clean_$key"
	done
	med=$(echo "$times" | median)
	min=$(echo "$times" | tr ' ' '\n' | grep . | sort -g | head -1)
	# Where the time of a many-step variant goes: mean seconds per run of each kind of step.
	awk -v runs="$(echo "$times" | wc -w)" '$1 == "rss" && $3 == "wall" && NF >= 5 {
			k = $5 " " $6; if (!(k in t)) o[n++] = k; t[k] += $4 }
		END { if (runs < 1) exit; for (i = 0; i < n; i++) printf "%s%s %.1f s", i ? ", " : "", o[i], t[o[i]] / runs }' \
		"$rss_file" >"$work/steps-$size-$key"
	peak=$(awk '$1 == "rss" && $2 > m { m = $2 } END { print m + 0 }' "$rss_file")
	[ -n "$TIME" ] || peak=0
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$key" "${med:-0}" "$peak" "$status" "${min:-0}" "$note" >>"$results"
}

# check_out WIM: every image of the written WIM holds the driver (not timed; first run only).
check_out() {
	[ "$($W info "$1" 2>/dev/null | awk '/^Image Count:/ { print $3 }')" = "$nimg" ] || return 1
	n=0
	while [ $n -lt "$nimg" ]; do
		n=$((n + 1))
		WIMLIB_IMAGEX_IGNORE_CASE=1 $W dir "$1" $n --path=/Windows/System32/drivers 2>/dev/null |
			grep -qi '/mslbfoprovider\.sys$' || return 1
	done
}

label() {
	case $1 in quick) echo "50 MiB" ;; *) echo "$1 GiB" ;; esac
}

# ---- the variants ----------------------------------------------------------------------
# $client: the cached client WIM; $nimg: its image count; $copy, $new, $dir: scratch paths.

# (a) wimgraft apply -w -t all -o NEW.wim
prep_a() { rm -f "$new"; }
step_a() { run_cmd "$WG" apply -s "$SERVER" -i 4 -w "$client" -t all -o "$new"; }
out_a() { echo "$new"; }
clean_a() { rm -f "$new"; }

# (a') wimgraft apply -w -t all, in place on a copy (the copy is not timed)
prep_ai() { cp "$client" "$copy"; }
step_ai() { run_cmd "$WG" apply -s "$SERVER" -i 4 -w "$copy" -t all; }
out_ai() { echo "$copy"; }
clean_ai() { rm -f "$copy"; }

# (b) mount/commit: apply each image to a folder, graft it, capture (image 1) or append.
prep_b() { rm -rf "$dir" "$new"; }
step_b() {
	n=0
	for name in $names; do
		n=$((n + 1))
		run_cmd $W apply "$client" $n "$dir" || return 1
		run_cmd "$WG" apply -s "$SERVER" -i 4 -d "$dir" || return 1
		if [ $n = 1 ]; then
			run_cmd $W capture "$dir" "$new" "$(echo "$name" | tr _ ' ')" --compress=LZX || return 1
		else
			run_cmd $W append "$dir" "$new" "$(echo "$name" | tr _ ' ')" || return 1
		fi
		r0=$(now)
		rm -rf "$dir"
		excluded=$(add "$excluded" "$(sub "$(now)" "$r0")")
	done
}
out_b() { echo "$new"; }
clean_b() { rm -rf "$dir" "$new"; }

# (c) wimlib-imagex update, once per image, in place on a copy
prep_c() { cp "$client" "$copy"; }
step_c() {
	n=0
	while [ $n -lt "$nimg" ]; do
		n=$((n + 1))
		run_cmd $W update "$copy" $n <"$work/update.cmds" || return 1
	done
}
out_c() { echo "$copy"; }
clean_c() { rm -f "$copy"; }

# (c1) plain wimlib: update every image, one wimlib_overwrite, in place on a copy
prep_c1() { cp "$client" "$copy"; }
# shellcheck disable=SC2046
step_c1() { run_cmd "$floor" "$copy" $(cat "$work/pairs"); }
out_c1() { echo "$copy"; }
clean_c1() { rm -f "$copy"; }

# (c2) plain wimlib: update every image, wimlib_write to a new file
prep_c2() { rm -f "$new"; }
# shellcheck disable=SC2046
step_c2() { run_cmd "$floor" "$client" -o "$new" $(cat "$work/pairs"); }
out_c2() { echo "$new"; }
clean_c2() { rm -f "$new"; }

# ---- inputs ----------------------------------------------------------------------------

# The Server 2019 source: the test images (samples/mkimages.sh, cached as `make fixtures` does).
[ -f samples/mkimages.sh ] || die "samples/mkimages.sh is missing: it builds the Server 2019 source"
sh samples/mkimages.sh --test build/fixtures || die "cannot build the test images (samples/mkimages.sh)"
SERVER=$TOP/build/fixtures/server2019.wim
export WIMGRAFT_TEST_TRUSTED_CA="$TOP/build/fixtures/pki/root.pem"
[ -f "$SERVER" ] || die "'$SERVER' was not built"

floor=$OUT/floor
if [ ! -x "$floor" ] || [ -n "$(find tests/bench/floor.c -newer "$floor")" ]; then
	${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$floor" tests/bench/floor.c -lwim ||
		die "cannot build tests/bench/floor.c"
fi

# The payload, once: the manifest's files out of Server image 4 (by wimlib-imagex, not by
# wimgraft), plus the SYSTEM hive with Enable_Lbfo.reg merged by hivexregedit.
payload=$work/payload
mkdir -p "$payload"
WIMLIB_IMAGEX_IGNORE_CASE=1 $W extract "$SERVER" 4 --preserve-dir-structure --dest-dir="$payload" \
	/Windows/INF/mslbfoprovider.inf \
	/Windows/System32/drivers/MsLbfoProvider.sys \
	/Windows/System32/drivers/en-US/MsLbfoProvider.sys.mui \
	/Windows/System32/DriverStore/en-US/MsLbfoProvider.inf_loc \
	'/Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_*' \
	"/$CATROOT/Microsoft-Windows-Server-Features-Package017~*.cat" \
	"/$CATROOT/Microsoft-Windows-ServerCore-Drivers-net-Package~*.cat" >>"$log" 2>&1 ||
	die "cannot extract the payload from '$SERVER' image 4 (see $log)"
mkdir -p "$payload/Windows/System32/config"
xz -dc "$TESTDATA/hives/SYSTEM.xz" >"$payload/Windows/System32/config/SYSTEM" ||
	die "cannot read '$TESTDATA/hives/SYSTEM.xz'"
sed -e 's/\xc2\xa0//g' -e 's/CurrentControlSet/ControlSet001/g' \
	"$TESTDATA/reg/Enable_Lbfo.reg" >"$work/lbfo.reg"
hivexregedit --merge --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' \
	"$payload/Windows/System32/config/SYSTEM" "$work/lbfo.reg" >>"$log" 2>&1 ||
	die "cannot merge Enable_Lbfo.reg into the SYSTEM hive (hivexregedit)"
(cd "$payload" && find . -type f | sed 's|^\./||' | sort) >"$work/payload.list"
grep -q ' ' "$work/payload.list" && die "a payload path holds a space"
nfiles=$(wc -l <"$work/payload.list")
[ "$nfiles" -ge 8 ] || die "the payload has $nfiles files, expected 7 and the hive (see $log)"
: >"$work/update.cmds"
: >"$work/pairs"
while read -r f; do
	echo "add '$payload/$f' '/$f'" >>"$work/update.cmds"
	echo "$payload/$f /$f" >>"$work/pairs"
done <"$work/payload.list"
payload_kib=$(du -sk "$payload" | cut -f1)

# wimgraft must graft the fixture before anything is timed (the test signing root is trusted).
rm -rf "$work/probe"
cp -a build/fixtures/win10-applied "$work/probe"
"$WG" apply -s "$SERVER" -i 4 -d "$work/probe" >"$work/probe.out" 2>&1 ||
	die "wimgraft apply -d fails on the fixture: $(grep -m1 error: "$work/probe.out")"
rm -rf "$work/probe"

load0=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- run -------------------------------------------------------------------------------

for size in $SIZES; do
	client=$(sh tests/bench/mkbench.sh "$size") || die "cannot generate the client WIM ($size)"
	echo "$size ${client%.wim}.info" >>"$work/clients"
	nimg=$($W info "$client" | awk '/^Image Count:/ { print $3 }')
	names=$($W info "$client" | sed -n 's/^Name: *//p' | tr ' ' _)
	copy=$work/copy.wim new=$work/new.wim dir=$work/applied
	say "$(label "$size"): $client"
	for key in $VARIANTS; do
		measure "$size" "$key"
	done
done

# ---- report ----------------------------------------------------------------------------

infofile() { awk -v s="$1" '$1 == s { print $2 }' "$work/clients"; }
ram=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -1)
echo
echo "wimgraft benchmarks - $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $ram RAM; $(uname -sr); $($W --version | head -1)"
echo "         load average at start: $load0 (other processes share the machine: compare min and median)"
echo "         build/ on $(df -PT "$OUT" | awk 'NR == 2 { print $2 }'); warm page cache; median of $RUNS runs; peak RSS = max over runs and steps"
echo "binary:  $WG_SHOWN ($("$WG" --version 2>/dev/null | head -1))"
echo "source:  $SERVER image 4; payload $nfiles files, $payload_kib KiB (incl. the SYSTEM hive)"
for size in $SIZES; do
	info=$(infofile "$size")
	echo "client $(label "$size"): $(head -1 "$info" 2>/dev/null)"
done
echo
printf '%-7s %-4s %-58s %9s %7s %9s\n' size var variant "median s" "min s" "peak RSS"
desc() {
	case $1 in
	a) echo "wimgraft apply -w -t all -o NEW.wim" ;;
	ai) echo "wimgraft apply -w -t all (in place)" ;;
	b) echo "mount/commit: apply + graft -d + capture/append, x$nimg" ;;
	c) echo "wimlib-imagex update, x$nimg (in place)" ;;
	c1) echo "wimlib API: update all, one overwrite (in place)" ;;
	c2) echo "wimlib API: update all, write NEW.wim" ;;
	esac
}
tag() {
	case $1 in a) echo "(a)" ;; ai) echo "(a')" ;; b) echo "(b)" ;; c) echo "(c)" ;;
	c1) echo "(c1)" ;; c2) echo "(c2)" ;; esac
}
while IFS="$(printf '\t')" read -r size key med peak status min note; do
	if [ "$status" = wrong ]; then
		t=wrong m=wrong mn=wrong
	elif [ "$status" = ok ]; then
		t=$med mn=$(printf '%.2f' "$min")
		if [ "$peak" -gt 0 ]; then m=$(awk -v k="$peak" 'BEGIN { printf "%.0f MB", k * 1024 / 1e6 }'); else m=-; fi
	else
		t=n/a m=n/a mn=n/a
	fi
	printf '%-7s %-4s %-58s %9s %7s %9s\n' "$(label "$size")" "$(tag "$key")" "$(desc "$key")" "$t" "$mn" "$m"
	[ -z "$note" ] || printf '%-7s %-4s   %s\n' "" "" "$status: $note" >>"$work/notes"
done <"$results"
if [ -s "$work/notes" ]; then
	echo "why not measured:"
	cat "$work/notes"
fi
echo
echo "where the time goes (mean per run):"
for size in $SIZES; do
	for key in b c; do
		[ -s "$work/steps-$size-$key" ] &&
			printf '  %-7s %-4s %s\n' "$(label "$size")" "$(tag "$key")" "$(cat "$work/steps-$size-$key")"
	done
done

# get SIZE KEY FIELD(3 median, 4 peak): empty when the variant did not run.
get() { awk -F '\t' -v s="$1" -v k="$2" -v f="$3" '$1 == s && $2 == k && $5 == "ok" { print $f }' "$results"; }
ratio() {
	[ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'
}
x() { if [ -n "$1" ]; then echo "${1}x"; else echo n/a; fi; }
verdict() { # verdict VALUE OP LIMIT
	[ -n "$1" ] || { echo "n/a"; return; }
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { ok = op == "<=" ? v <= l : op == "<" ? v < l : v >= l;
		print ok ? "met" : "NOT MET" }'
}
echo
echo "ratios and targets:"
for size in $SIZES; do
	a=$(get "$size" a 3) ai=$(get "$size" ai 3) b=$(get "$size" b 3)
	c=$(get "$size" c 3) c1=$(get "$size" c1 3) c2=$(get "$size" c2 3)
	l=$(label "$size")
	r=$(ratio "$a" "$b") s=$(ratio "$b" "$a") sx=$(x "$(ratio "$b" "$a")")
	if [ "$size" = 4 ]; then v=$(verdict "$s" ">=" 50); else v="(the target is at 4 GiB)"; fi
	printf '  %-7s a/b   = %-8s (a is %-8s faster than b)       target: b/a >= 50 at 4 GiB: %s\n' "$l" "${r:-n/a}" "$sx" "$v"
	r=$(ratio "$ai" "$b") sx=$(x "$(ratio "$b" "$ai")")
	printf "  %-7s a'/b  = %-8s (a' is %-7s faster than b)       (for information)\n" "$l" "${r:-n/a}" "$sx"
	r=$(ratio "$a" "$c2")
	printf '  %-7s a/c2  = %-8s (-o NEW.wim vs wimlib_write)         target <= 1.5: %s\n' "$l" "${r:-n/a}" "$(verdict "$r" "<=" 1.5)"
	r=$(ratio "$ai" "$c")
	printf "  %-7s a'/c  = %-8s (in place vs wimlib-imagex update)   target <= 1.5: %s\n" "$l" "${r:-n/a}" "$(verdict "$r" "<=" 1.5)"
	r=$(ratio "$ai" "$c1")
	printf "  %-7s a'/c1 = %-8s (in place vs one wimlib_overwrite)   (for information)\n" "$l" "${r:-n/a}"
	pa=$(get "$size" a 4) pai=$(get "$size" ai 4)
	p=$(printf '%s\n%s\n' "$pa" "$pai" | grep . | sort -n | tail -1)
	if [ -n "$p" ] && [ -n "$TIME" ]; then
		mb=$(awk -v k="$p" 'BEGIN { printf "%.0f", k * 1024 / 1e6 }')
		printf "  %-7s peak RSS of (a), (a') = %s MB                  target < 300 MB: %s\n" "$l" "$mb" "$(verdict "$mb" "<" 300)"
	else
		printf "  %-7s peak RSS of (a), (a') = n/a                    target < 300 MB: n/a\n" "$l"
	fi
done
case " $SIZES " in *" 1 "*) has1=1 ;; *) has1=0 ;; esac
case " $SIZES " in *" 4 "*) has4=1 ;; *) has4=0 ;; esac
case $has1$has4 in
11)
	a1=$(get 1 ai 3) a4=$(get 4 ai 3)
	d1=$(awk '{ for (i = 1; i < NF; i++) if ($i == "data") { print $(i + 1); exit } }' "$(infofile 1)")
	d4=$(awk '{ for (i = 1; i < NF; i++) if ($i == "data") { print $(i + 1); exit } }' "$(infofile 4)")
	g=$(ratio "$a4" "$a1") dg=$(ratio "$d4" "$d1")
	half=$(awk -v d="${dg:-4}" 'BEGIN { printf "%.2f", d / 2 }')
	printf "  growth  (a') 4 GiB / 1 GiB = %s for %s the data        target: far less (<= %sx, half the data growth): %s\n" \
		"$(x "$g")" "$(x "$dg")" "$half" "$(verdict "$g" "<=" "$half")"
	f1=$(sed -n 's/.*image 1: \([0-9]*\) files.*/\1/p' "$(infofile 1)")
	f4=$(sed -n 's/.*image 1: \([0-9]*\) files.*/\1/p' "$(infofile 4)")
	gc=$(ratio "$(get 4 c 3)" "$(get 1 c 3)") gc1=$(ratio "$(get 4 c1 3)" "$(get 1 c1 3)")
	printf "          for comparison: the floor grows %s (c), %s (c1); files per image grow %s\n" \
		"$(x "$gc")" "$(x "$gc1")" "$(x "$(ratio "$f4" "$f1")")"
	;;
*) echo "  growth  of (a') with image size: needs both sizes (BENCH_SIZES=\"1 4\")" ;;
esac
echo
echo "log: $log"
