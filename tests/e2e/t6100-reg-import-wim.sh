#!/bin/sh
# t6100-reg-import-wim.sh - reg-import into the hives of WIM images, read back with
# wimlib-imagex extract and reglookup; the input WIM is never touched with -o.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex reglookup sha256sum
have_fixtures

SEED=$SEED_REG

start_of() {
	wimlib-imagex extract "$1" "$2" /Windows/System32/config/SYSTEM --dest-dir="x$2" --no-acls >/dev/null &&
	reglookup -H -p /ControlSet001 "x$2/SYSTEM" 2>/dev/null | grep -i "/services/MsLbfoProvider/Start,"
}

test_expect_success 'reg-import -w -t 2 -o writes the seed values into image 2 only' '
	cp "$FIXTURES/win10.wim" in.wim && sha256sum in.wim >in.sum &&
	wimgraft reg-import -w in.wim -t 2 -o out.wim "$SEED" >out 2>err &&
	sha256sum -c --quiet in.sum &&
	wimlib-imagex verify out.wim >/dev/null 2>&1 &&
	start_of out.wim 2 | grep -q "DWORD,0x00000003," &&
	! start_of out.wim 1
'

test_expect_success 'reg-import -t all in place reaches every image' '
	cp "$FIXTURES/win10.wim" all.wim &&
	wimgraft reg-import -w all.wim -t all "$SEED" >out 2>err &&
	wimlib-imagex verify all.wim >/dev/null 2>&1 &&
	for i in 1 2 3; do start_of all.wim $i | grep -q "0x00000003" || exit 1; done
'

test_expect_success 'a second import changes no byte of the WIM' '
	sha256sum all.wim >all.sum &&
	wimgraft reg-import -w all.wim -t all "$SEED" >out 2>err &&
	sha256sum -c --quiet all.sum
'

test_expect_success 'a WIM with several images needs -t; the WIM is untouched' '
	cp "$FIXTURES/win10.wim" t.wim && sha256sum t.wim >t.sum &&
	test_expect_code 2 wimgraft reg-import -w t.wim "$SEED" 2>err &&
	test_stderr_names err "-t" &&
	sha256sum -c --quiet t.sum
'

test_done
