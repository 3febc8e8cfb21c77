#!/bin/sh
# t9000-valgrind.sh - the main paths (info, check, apply, verify, remove, extract, reg-import)
# run under valgrind with no definite leak and no memory error. Skipped for the ASan build.
. "$(dirname "$0")/../lib.sh"
need_cmd valgrind
have_fixtures
case "$WIMGRAFT" in */asan/*) test_skip_script "the ASan build checks this itself" ;; esac

SRC=$FIXTURES/server2019.wim
vg() {
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
		"$WIMGRAFT" "$@"
}

test_expect_success 'info' 'vg info "$SRC" >out'
test_expect_success 'check' 'vg check -s "$SRC" -i 4 >out 2>err'
test_expect_success 'apply -d' '
	cp -a "$FIXTURES/win10-applied" img &&
	vg apply -s "$SRC" -i 4 -d img >out 2>err
'
test_expect_success 'verify -d' 'vg verify -d img >out 2>err'
test_expect_success 'remove -d' 'vg remove -d img >out 2>err'
test_expect_success 'extract' 'vg extract -s "$SRC" -i 4 -o pl >out 2>err'
test_expect_success 'reg-import' '
	cp -a "$FIXTURES/win10-applied" img2 &&
	vg reg-import -d img2 "$SEED_REG" >out 2>err
'
test_expect_success 'apply -w' '
	vg apply -s "$SRC" -i 4 -w "$FIXTURES/win10.wim" -t all -o out.wim >out 2>err
'
test_expect_success 'an error path: a damaged WIM' '
	head -c 300000 "$SRC" >bad.wim &&
	test_expect_code 1 vg apply -s bad.wim -d img >out 2>err
'

test_expect_success 'error paths: a dirty hive, a missing feature, a lost backup' '
	cp -a "$FIXTURES/win10-applied" dirty &&
	unxz_fixture SYSTEM_2.xz dirty/Windows/System32/config/SYSTEM &&
	test_expect_code 4 vg apply -s "$SRC" -i 4 -d dirty >out 2>err &&
	test_expect_code 3 vg verify -d img >out 2>err &&
	cp -a "$FIXTURES/win10-applied" lost && printf old >lost/Windows/System32/drivers/MsLbfoProvider.sys &&
	vg apply -s "$SRC" -i 4 -d lost >out 2>err &&
	rm lost/Windows/Logs/wimgraft/backup/lbfo/Windows/System32/drivers/MsLbfoProvider.sys &&
	test_expect_code 1 vg remove -d lost >out 2>err
'

test_done
