#!/bin/sh
# t6200-target-requirements.sh - a target that does not meet the manifest's target requirements
# is refused with exit 4 and left untouched, unless --force; a source image that does not meet the
# source requirements is passed over (and refused when named).
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex sha256sum
have_fixtures

SRC=$FIXTURES/server2019.wim

test_expect_success 'setup: a client WIM whose image 1 says it is a server' '
	cp "$FIXTURES/win10.wim" srv.wim &&
	wimlib-imagex info srv.wim 1 --image-property WINDOWS/INSTALLATIONTYPE=Server >/dev/null &&
	sha256sum srv.wim >srv.sum
'

test_expect_success 'apply refuses it with exit 4, naming the reason; the WIM is untouched' '
	test_expect_code 4 wimgraft apply -s "$SRC" -i 4 -w srv.wim -t 1 >out 2>err &&
	test_stderr_names err "target requirements" &&
	test_stderr_names err "Server" &&
	sha256sum -c --quiet srv.sum
'

test_expect_success '-t all refuses before writing any image' '
	test_expect_code 4 wimgraft apply -s "$SRC" -i 4 -w srv.wim -t all >out 2>err &&
	sha256sum -c --quiet srv.sum
'

test_expect_success '--force grafts it anyway, saying so' '
	wimgraft apply --force -s "$SRC" -i 4 -w srv.wim -t 1 -o forced.wim >out 2>err &&
	test_stderr_names err "--force" &&
	wimgraft verify -w forced.wim -t 1 >out
'

test_expect_success 'an old build (10.0.9600) is refused too' '
	cp "$FIXTURES/win10.wim" old.wim &&
	wimlib-imagex info old.wim 2 --image-property WINDOWS/VERSION/BUILD=9600 >/dev/null &&
	test_expect_code 4 wimgraft apply -s "$SRC" -i 4 -w old.wim -t 2 >out 2>err &&
	test_stderr_names err "9600"
'

test_expect_success 'a Core source image named with -i is refused; automatic selection skips it' '
	cp -a "$FIXTURES/win10-applied" img &&
	test_expect_code 1 wimgraft apply -s "$SRC" -i 3 -d img >out 2>err &&
	test_stderr_names err "Server Core" &&
	wimgraft apply -n -s "$SRC" -d img >out 2>err &&
	test_stderr_names err "image 2"
'

test_done
