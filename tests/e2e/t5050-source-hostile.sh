#!/bin/sh
# t5050-source-hostile.sh - sources that apply must refuse are refused the same way by check
# and extract: a payload folder whose driver (or a folder above it) is a symbolic link, is
# missing or has the wrong size; and an INF whose Provider line is too long for a registry value.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex sha256sum
have_fixtures

SRC=$FIXTURES/server2019.wim
SYS=Windows/System32/drivers/MsLbfoProvider.sys
REPO=Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_9afb7ecb68781bac

test_expect_success 'setup: a payload folder and a target' '
	wimgraft extract -q -s "$SRC" -i 4 -o pl &&
	cp -a "$FIXTURES/win10-applied" img && tree_sum img >img.sum
'

# same_refusal DIR MESSAGE: check, extract and apply all exit 1 with the same first line.
same_refusal() {
	test_expect_code 1 wimgraft check -s "$1" 2>check.err &&
	test_expect_code 1 wimgraft extract -s "$1" -o "$1.out" 2>extract.err &&
	test_expect_code 1 wimgraft apply -s "$1" -d img 2>apply.err &&
	test_stderr_names check.err "$2" &&
	head -1 check.err >c1 && head -1 extract.err >e1 && head -1 apply.err >a1 &&
	cmp c1 e1 && cmp c1 a1 &&
	test ! -e "$1.out" && tree_sum img >img.after && cmp img.sum img.after
}

test_expect_success 'a driver that is a symbolic link: check refuses it as apply does' '
	cp -a pl ln && mv ln/$SYS real.sys && ln -s "$PWD/real.sys" ln/$SYS &&
	same_refusal ln "'\''$SYS'\'' in payload folder '\''ln'\'' is a symbolic link"
'

test_expect_success 'a folder above the driver that is a symbolic link is refused too' '
	cp -a pl lnd && mv lnd/Windows/System32/drivers realdrivers &&
	ln -s "$PWD/realdrivers" lnd/Windows/System32/drivers &&
	same_refusal lnd "is a symbolic link"
'

test_expect_success 'a missing or truncated driver is refused by check as well' '
	cp -a pl miss && rm miss/$SYS &&
	same_refusal miss "'\''$SYS'\'' in payload folder '\''miss'\'' is missing" &&
	cp -a pl short && truncate -s 100 short/$SYS &&
	same_refusal short "is 100 bytes; wimgraft-payload.xml says"
'

test_expect_success 'an INF with a 3 MB Provider line: refused at check and extract, naming it' '
	wimlib-imagex extract "$SRC" 4 /$REPO/mslbfoprovider.inf --dest-dir=. >/dev/null &&
	iconv -f UTF-16 -t UTF-8 mslbfoprovider.inf >inf.utf8 && grep -qi "^provider" inf.utf8 &&
	head -c 3000000 /dev/zero | tr "\0" P >pp &&
	{ grep -vi "^provider" inf.utf8 | sed -n "1,/^\[version\]/Ip" &&
	  printf "Provider = \"" && cat pp && printf "\"\r\n" &&
	  grep -vi "^provider" inf.utf8 | sed "1,/^\[version\]/Id"; } >big.inf &&
	test $(wc -c <big.inf) -gt 3000000 &&
	cp "$SRC" big.wim &&
	printf "add big.inf /Windows/INF/mslbfoprovider.inf\nadd big.inf /$REPO/mslbfoprovider.inf\n" |
		wimlib-imagex update big.wim 4 >/dev/null &&
	# The changed INF is in no catalog: a manifest that does not ask for signatures reaches
	# the Provider value (with lbfo.xml the signing check refuses it first).
	sed "s/ *signed=\"[a-z]*\"//" "$TOP/manifests/lbfo.xml" >nosign.xml &&
	test_expect_code 1 wimgraft check -m ./nosign.xml -s big.wim -i 4 2>check.err &&
	test_expect_code 1 wimgraft extract -m ./nosign.xml -s big.wim -i 4 -o bigpl 2>extract.err &&
	test_stderr_names check.err "Provider is 6000002 bytes as registry data" &&
	cmp check.err extract.err && test ! -e bigpl &&
	test_expect_code 1 wimgraft apply -m ./nosign.xml -s big.wim -i 4 -d img 2>apply.err &&
	test_stderr_names apply.err "mslbfoprovider.inf" &&
	test_expect_code 1 wimgraft check -s big.wim -i 4 2>signed.err &&
	test_stderr_names signed.err "is listed by no valid signing catalog" &&
	tree_sum img >img.after && cmp img.sum img.after
'

test_done
