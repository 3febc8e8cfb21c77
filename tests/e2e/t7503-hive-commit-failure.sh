#!/bin/sh
# t7503-hive-commit-failure.sh - a commit that fails after a hive was replaced: the DRIVERS hive made
# immutable (chattr +i), then every rename from then on failing too (strace error injection);
# apply exits 1 with the image byte-identical, or exits 5 and recover brings it back.
. "$(dirname "$0")/../lib.sh"
need_cmd strace chattr lsattr sha256sum
have_fixtures
mkdir -p "$TRASH/attr" && : >"$TRASH/attr/f" && chattr +i "$TRASH/attr/f" 2>/dev/null &&
	chattr -i "$TRASH/attr/f" ||
	test_skip_script "the file system of $TRASH keeps no immutable flag (chattr +i)"

SRC=$FIXTURES/server2019.wim
CFG=Windows/System32/config

test_expect_success 'setup: an image whose driver apply replaces' '
	cp -a "$FIXTURES/win10-applied" orig &&
	printf "an older driver" >orig/Windows/System32/drivers/MsLbfoProvider.sys &&
	tree_sum orig >before
'

test_expect_success 'DRIVERS immutable: exit 1, SYSTEM put back, the image byte-identical' '
	cp -a orig imm && chattr +i imm/$CFG/DRIVERS &&
	test_expect_code 1 wimgraft apply -s "$SRC" -i 4 -d imm >out 2>err;
	rc=$?; chattr -i imm/$CFG/DRIVERS; test $rc = 0 &&
	test_stderr_names err "DRIVERS" && grep -q "rolled back" err &&
	tree_sum imm >after && diff before after &&
	wimgraft remove -d imm >out 2>err && grep -q "not applied" err
'

test_expect_success 'reg-import into two hives, the second immutable: exit 1, both as they were' '
	cp -a orig ri && chattr +i ri/$CFG/DRIVERS &&
	printf "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\\\SYSTEM\\\\ControlSet001\\\\Services\\\\WgTest]\n\"A\"=dword:00000001\n\n[HKEY_LOCAL_MACHINE\\\\DRIVERS\\\\WgTest]\n\"B\"=dword:00000002\n" >two.reg &&
	test_expect_code 1 wimgraft reg-import -d ri two.reg >out 2>err;
	rc=$?; chattr -i ri/$CFG/DRIVERS; test $rc = 0 &&
	tree_sum ri >after && diff before after
'

# The last rename to DRIVERS is the hive's (the first, the original kept in the backup folder).
test_expect_success 'the roll back fails too: exit 5, the journal kept, recover finishes' '
	cp -a orig count &&
	strace -f -qq -o calls.log -e trace=renameat "$WIMGRAFT" apply -s "$SRC" -i 4 -d count >/dev/null 2>&1 &&
	k=$(grep "renameat(" calls.log | grep -n "\"DRIVERS\")" | tail -n 1 | cut -d: -f1) &&
	test -n "$k" &&
	cp -a orig p5 &&
	test_expect_code 5 strace -f -qq -o /dev/null -e trace=renameat \
		-e inject=renameat:error=EIO:when=$k+ "$WIMGRAFT" apply -s "$SRC" -i 4 -d p5 >out 2>err &&
	test_stderr_names err "wimgraft recover" &&
	test -f p5/Windows/Logs/wimgraft/journal &&
	test_expect_code 3 wimgraft verify -d p5 >out 2>err &&
	wimgraft recover -d p5 >out 2>err && test_stderr_names err "rolled back" &&
	tree_sum p5 >after && diff before after
'

test_done
