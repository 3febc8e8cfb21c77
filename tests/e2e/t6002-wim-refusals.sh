#!/bin/sh
# t6002-wim-refusals.sh - bad -w targets are refused with one message and the WIM's bytes unchanged:
# not a WIM, a wrong or missing -t, an image without a SYSTEM hive, a read-only file, a split WIM.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex sha256sum
have_fixtures

SRC=$FIXTURES/server2019.wim

# apply must exit with $1 and leave the file $2 byte-identical; the rest is apply's arguments.
refused() {
	code=$1 file=$2
	shift 2
	sha256sum <"$file" >sum.before &&
	test_expect_code "$code" wimgraft apply -s "$SRC" -i 4 "$@" >out 2>err &&
	sha256sum <"$file" | cmp - sum.before
}

test_expect_success 'setup' '
	cp "$FIXTURES/win10.wim" in.wim
'

test_expect_success 'not a WIM: exit 1, one message naming the file, nothing written' '
	printf "this is not a WIM file\n" >text.wim &&
	refused 1 text.wim -w text.wim -t 1 &&
	test_stderr_names err "text.wim" &&
	test $(grep -c "^error:" err) = 1 &&
	mkdir folder.wim &&
	test_expect_code 1 wimgraft apply -s "$SRC" -i 4 -w folder.wim -t 1 >out 2>err &&
	test_stderr_names err "folder.wim" &&
	test "$(ls folder.wim)" = ""
'

test_expect_success 'a wrong -t: exit 1 and the WIM unchanged' '
	refused 1 in.wim -w in.wim -t 4 &&
	test_stderr_names err "no image 4" &&
	refused 1 in.wim -w in.wim -t "Windows 10 Enterprise" &&
	test_stderr_names err "Windows 10 Enterprise" &&
	refused 1 in.wim -w in.wim -t 0
'

test_expect_success 'no -t on a WIM of three images: a usage error saying how to choose' '
	refused 2 in.wim -w in.wim &&
	test_stderr_names err "holds 3 images; choose one with -t INDEX, -t NAME or -t all"
'

test_expect_success 'an image without a SYSTEM hive: exit 1 naming the image, nothing written' '
	mkdir -p tree/Windows/System32/config &&
	printf "x" >tree/Windows/System32/kernel32.dll &&
	wimlib-imagex capture tree nohive.wim "Not Windows" >/dev/null 2>&1 &&
	refused 1 nohive.wim -w nohive.wim &&
	test_stderr_names err "image 1 (Not Windows)" &&
	test_stderr_names err "Windows/System32/config/SYSTEM" &&
	cp in.wim mixed.wim &&
	wimlib-imagex append tree mixed.wim "Not Windows" >/dev/null 2>&1 &&
	refused 1 mixed.wim -w mixed.wim -t all &&
	test_stderr_names err "image 4 (Not Windows)" &&
	wimlib-imagex dir mixed.wim 1 >names &&
	! grep -qi lbfo names
'

test_expect_success 'a read-only WIM: exit 1 naming it; -o still reads it' '
	cp in.wim ro.wim && chmod 0444 ro.wim &&
	refused 1 ro.wim -w ro.wim -t 2 &&
	test_stderr_names err "ro.wim" &&
	test_stderr_names err "read-only" &&
	wimgraft apply -s "$SRC" -i 4 -w ro.wim -t 2 -o rw.wim >out 2>err &&
	wimlib-imagex verify rw.wim >/dev/null 2>&1 &&
	wimgraft verify -w rw.wim -t 2 >v 2>&1
'

test_expect_success 'a WIM marked read-only in its header: exit 1' '
	cp in.wim hdr.wim &&
	wimlib-imagex optimize hdr.wim >/dev/null 2>&1 &&
	python3 -c "
import sys
f = open(\"hdr.wim\", \"r+b\"); f.seek(16); v = int.from_bytes(f.read(4), \"little\")
f.seek(16); f.write((v | 0x4).to_bytes(4, \"little\")); f.close()" &&
	wimlib-imagex info hdr.wim >info 2>&1 && grep -qi "readonly" info &&
	refused 1 hdr.wim -w hdr.wim -t 2 &&
	test_stderr_names err "hdr.wim"
'

test_expect_success 'a split WIM without -o is refused naming -o; with -o it becomes one WIM' '
	wimlib-imagex split in.wim part.swm 1 >/dev/null 2>&1 &&
	test -f part2.swm &&
	sha256sum <part2.swm >p2.sum &&
	refused 1 part.swm -w part.swm -t 2 &&
	test_stderr_names err "-o" &&
	sha256sum <part2.swm | cmp - p2.sum &&
	wimgraft apply -s "$SRC" -i 4 -w part.swm -t all -o joined.wim >out 2>err &&
	wimlib-imagex verify joined.wim >/dev/null 2>&1 &&
	wimlib-imagex info joined.wim >info &&
	grep -q "^Part Number: *1/1$" info &&
	grep -q "^Image Count: *3$" info &&
	wimgraft verify -w joined.wim -t all >v 2>&1
'

test_expect_success '-o in a folder that does not exist: exit 1, nothing created' '
	refused 1 in.wim -w in.wim -t 2 -o no/such/dir/out.wim &&
	test_stderr_names err "no/such/dir" &&
	! test -e no
'

test_done
