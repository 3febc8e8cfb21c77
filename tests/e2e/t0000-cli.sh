#!/bin/sh
# t0000-cli.sh - the command line itself: --help matches the README's synopsis, --version names
# the libraries, usage errors exit 2.
. "$(dirname "$0")/../lib.sh"

test_expect_success '--help shows the synopsis of the README' '
	awk "/^<!-- synopsis/{f=1;next} f&&/^\`\`\`\$/{if(++n==2)exit;next} f&&n==1" "$TOP/README.md" >readme.txt &&
	test $(wc -l <readme.txt) -ge 7 &&
	wimgraft --help >help.txt &&
	sed -n "s/^  \(wimgraft .*\)/\1/p" help.txt >synopsis.txt &&
	diff -u readme.txt synopsis.txt
'

test_expect_success 'each command has --help with its own synopsis line' '
	for c in info check extract apply verify remove reg-import; do
		wimgraft $c --help >out &&
		grep -F "$(grep "^wimgraft $c " readme.txt)" out || return 1
	done
'

test_expect_success '--version names wimlib, hivex and libxml2 versions' '
	wimgraft --version >out &&
	grep -q "^wimgraft [0-9]" out &&
	grep -q "wimlib $(pkg-config --modversion wimlib | cut -d. -f1-2)" out &&
	grep -q "hivex $(pkg-config --modversion hivex)" out &&
	grep -q "libxml2 $(pkg-config --modversion libxml-2.0)" out
'

test_expect_success 'an unknown command exits 2' '
	test_expect_code 2 wimgraft frobnicate 2>err &&
	test_stderr_names err "frobnicate"
'

test_expect_success 'no command at all exits 2' '
	test_expect_code 2 wimgraft 2>err
'

test_expect_success 'an option a command does not take exits 2' '
	test_expect_code 2 wimgraft info -d /tmp x.wim 2>err &&
	test_stderr_names err "--image-dir"
'

test_expect_success 'an unknown option exits 2' '
	test_expect_code 2 wimgraft check --frob 2>err
'

test_expect_success 'a -D without = exits 2' '
	test_expect_code 2 wimgraft check -s x.wim -D lang 2>err &&
	test_stderr_names err "NAME=VALUE"
'

test_done
