# lib.sh - helpers for wimgraft's end-to-end tests, sourced by tests/e2e/t*.sh.
#
#   test_expect_success 'title' 'commands chained with &&'
#   test_expect_code N cmd args...   (asserts the exit status of cmd is N)
#   test_skip_script 'why'            (skip the rest of the script)
#   need_cmd TOOL...                  (skip the script when a verifier tool is missing)
#   wimgraft ARGS...                  (the binary under test; a --json document it prints is
#                                      validated against its schema, tests/json-validate)
#   test_done                         (prints the script's counts; last line of every script)
#
# Each test runs in a subshell inside $TRASH, a folder of its own that is removed at the end.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
TESTDATA=$TOP/tests/fixtures
SEED_REG=$TESTDATA/reg/Enable_Lbfo.reg
FIXTURES=${WG_FIXTURES:-$TOP/build/fixtures}
WIMGRAFT=${WIMGRAFT_BIN:-$TOP/wimgraft}
export WIMGRAFT_MANIFEST_DIR="$TOP/manifests"
# The test images' catalogs are signed by a test PKI (samples/mkcat.c): trust its root, tests only.
export WIMGRAFT_TEST_TRUSTED_CA="$FIXTURES/pki/root.pem"
case "$WIMGRAFT" in /*) ;; *) WIMGRAFT=$TOP/$WIMGRAFT ;; esac
SCRIPT=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/wg-$SCRIPT.XXXXXX")
trap 'chmod -R u+w "$TRASH" 2>/dev/null; rm -rf "$TRASH"' EXIT
export XDG_CACHE_HOME="$TRASH/.cache"   # ISO sources are cached here, never in the user's cache
test_count=0
test_failed=0
test_skipped=0
skip_all=

# Every --json document a test makes is kept and, once the test has run, checked against the
# schema it names (tests/json-validate, doc/json/); a mismatch fails the test, whatever the
# test did with the exit status.
JSON_PYTHON=python3
[ -x /usr/bin/python3 ] && JSON_PYTHON=/usr/bin/python3
wimgraft() {
	case " $* " in
	*" --json "*) ;;
	*) "$WIMGRAFT" "$@"; return ;;
	esac
	mkdir -p "$TRASH/.json"
	_wg_doc=$(mktemp "$TRASH/.json/doc.XXXXXX")
	"$WIMGRAFT" "$@" >"$_wg_doc"
	_wg_rc=$?
	cat "$_wg_doc"
	if [ -s "$_wg_doc" ]; then
		echo "$_wg_doc: wimgraft $*" >>"$TRASH/.json/commands"
	else
		rm -f "$_wg_doc"
	fi
	return $_wg_rc
}

# Validate the documents the last test kept; print the problems and the commands on failure.
json_check_kept() {
	[ -d "$TRASH/.json" ] || return 0
	set -- "$TRASH"/.json/doc.*
	_wg_ok=0
	if [ -e "$1" ] && ! "$JSON_PYTHON" "$TOP/tests/json-validate" "$@" 2>"$TRASH/.json/problems"; then
		cat "$TRASH/.json/problems" "$TRASH/.json/commands"
		_wg_ok=1
	fi
	rm -rf "$TRASH/.json"
	return $_wg_ok
}

say() {
	printf '%s\n' "$*"
}

test_skip_script() {
	skip_all=$1
}

need_cmd() {
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			test_skip_script "'$t' is not installed"
			return 1
		fi
	done
}

test_expect_success() {
	test_count=$((test_count + 1))
	if [ -n "$skip_all" ]; then
		test_skipped=$((test_skipped + 1))
		say "skip $test_count - $1 ($skip_all)"
		return 0
	fi
	log="$TRASH/.test-$test_count.log"
	if (cd "$TRASH" && eval "$2") >"$log" 2>&1 && json_check_kept >>"$log" 2>&1; then
		say "ok $test_count - $1"
	else
		json_check_kept >>"$log" 2>&1
		test_failed=$((test_failed + 1))
		say "not ok $test_count - $1"
		sed 's/^/#   /' "$log" | tail -n 40
	fi
}

# test_expect_code N cmd args...: run cmd; succeed only when its exit status is N.
test_expect_code() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "test_expect_code: '$*' exited with $got, expected $want" >&2
		return 1
	fi
	return 0
}

# One line of stderr, naming what it must name.
test_stderr_names() {
	grep -q -F -- "$2" "$1" || {
		echo "stderr does not name '$2':" >&2
		cat "$1" >&2
		return 1
	}
}

# Decompress one of the real hives of tests/fixtures/hives: unxz_fixture SYSTEM.xz DEST
unxz_fixture() {
	xz -dc "$TESTDATA/hives/$1" >"$2"
}

# A listing of every file below a folder with its SHA-256, mode and size (symlinks by target).
tree_sum() {
	(cd "$1" && find . -mindepth 1 \( -type f -o -type l -o -type d \) -printf '%y %m %s %p -> %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

# Every value of the seed's Enable_Lbfo.reg under the current control set of a SYSTEM hive file,
# read with reglookup (leaves its listing in ./all).
check_seed_values() {
	cs=$(reglookup -H -p /Select/Current "$1" | cut -d, -f3) &&
	cs=$(printf "ControlSet%03d" $((cs))) &&
	reglookup -H -p "/$cs" "$1" 2>/dev/null >all &&
	svc="/$cs/services/MsLbfoProvider" &&
	grep -qixF "$svc/Group,SZ,NDIS," all &&
	grep -qixF "$svc/ErrorControl,DWORD,0x00000001," all &&
	grep -qixF "$svc/Type,DWORD,0x00000001," all &&
	grep -qixF "$svc/ImagePath,EXPAND_SZ,System32\\drivers\\MsLbfoProvider.sys," all &&
	grep -qixF "$svc/Description,SZ,@%25SystemRoot%25\\System32\\drivers\\MsLbfoProvider.sys%2C-501," all &&
	grep -qixF "$svc/DisplayName,SZ,@%25SystemRoot%25\\System32\\drivers\\MsLbfoProvider.sys%2C-501," all &&
	grep -qiF "$svc/Start,DWORD," all &&
	grep -qiF "$svc/Parameters,KEY,," all &&
	net="/$cs/Control/Network/{4d36e974-e325-11ce-bfc1-08002be10318}/{FC66A602-B769-4666-A540-CA3DF0E7DF2C}" &&
	grep -qixF "$net/ComponentId,SZ,ms_lbfo," all &&
	grep -qixF "$net/Characteristics,DWORD,0x00040000," all &&
	grep -qixF "$net/InstallTimeStamp,BINARY,%DD%07%0C%00%04%00%05%00%00%00%00%00%00%00%00%00," all &&
	grep -qixF "$net/InfPath,SZ,MsLbfoProvider.inf," all &&
	grep -qixF "$net/InfSection,SZ,Install," all &&
	grep -qixF "$net/Description,SZ,@%25SystemRoot%25\\System32\\drivers\\MsLbfoProvider.sys%2C-501," all &&
	grep -qixF "$net/LocDescription,SZ,@%25SystemRoot%25\\System32\\drivers\\MsLbfoProvider.sys%2C-501," all &&
	grep -qixF "$net/Ndi/TimeStamp,BINARY,%DD%07%0C%00%04%00%05%00%00%00%00%00%00%00%00%00," all &&
	grep -qixF "$net/Ndi/HelpText,SZ,@%25SystemRoot%25\\System32\\drivers\\MsLbfoProvider.sys%2C-500," all &&
	grep -qixF "$net/Ndi/Service,SZ,MsLbfoProvider," all &&
	grep -qixF "$net/Ndi/Interfaces/LowerRange,SZ,nolower," all &&
	grep -qixF "$net/Ndi/Interfaces/UpperRange,SZ,noupper," all &&
	grep -qixF "$net/Ndi/Interfaces/FilterMediaTypes,SZ,ms_implatform," all &&
	grep -qixF "/$cs/services/eventlog/System/MsLbfoProvider/ProviderGuid,EXPAND_SZ,{387ed463-8b1b-42c9-9ef0-803fdfd5d94e}," all
}

have_fixtures() {
	[ -f "$FIXTURES/.stamp" ] || test_skip_script "fixture images missing in $FIXTURES (run 'make fixtures')"
}

test_done() {
	passed=$((test_count - test_failed - test_skipped))
	say "# $SCRIPT: $passed passed, $test_failed failed, $test_skipped skipped"
	[ "$test_failed" = 0 ]
}

# LeakSanitizer stops the world with ptrace, which a process strace already traces cannot do:
# under strace the sanitizer build runs without leak checking (the untraced runs keep it).
strace() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" command strace "$@"
}
