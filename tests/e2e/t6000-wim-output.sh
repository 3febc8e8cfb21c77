#!/bin/sh
# t6000-wim-output.sh - apply -w -t all -o NEW.wim on the Windows 10 fixture WIM: the new WIM checked
# with wimlib-imagex, 7zz and reglookup; the input untouched; verify, remove and a second apply.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex reglookup 7zz sha256sum
have_fixtures

SRC=$FIXTURES/server2019.wim

# "path attributes hash" of every entry of one image, sorted (wimlib-imagex's view).
listing() {
	wimlib-imagex dir "$1" "$2" --detailed |
		awk -F' = ' '/^Full Path/{p=$2} /^Attributes/{a=$2} /^Hash/{print p, a, $2}' |
		LC_ALL=C sort
}

test_expect_success 'setup: a copy of the client WIM, its checksum and listings' '
	cp "$FIXTURES/win10.wim" in.wim &&
	sha256sum <in.wim >in.sum &&
	for i in 1 2 3; do listing in.wim $i >before.$i || return 1; done &&
	test $(wc -l <before.2) -gt 200
'

test_expect_success 'apply -w -t all -o writes a new WIM and leaves the input byte-identical' '
	mkdir out &&
	wimgraft apply -s "$SRC" -i 4 -w in.wim -t all -o out/new.wim >plan 2>err &&
	sha256sum <in.wim | cmp - in.sum &&
	test "$(ls out)" = new.wim &&
	grep "^  file  new " plan | awk "{print \$3}" | sort -u >payload &&
	grep -vx "Windows/Setup/Scripts/wimgraft-lbfo.cmd" payload >from-source &&
	test $(wc -l <payload) -ge 7 &&
	test $(grep -c "^grafting into .in.wim. image [123] " plan) = 3 &&
	! grep -q "writing .out/new.wim" err
'

test_expect_success 'wimlib-imagex verify accepts the new WIM, which keeps images, names, compression and boot index' '
	wimlib-imagex verify out/new.wim >/dev/null 2>&1 &&
	wimlib-imagex info out/new.wim >info &&
	grep -q "^Image Count: *3$" info &&
	grep -q "^Compression: *LZX$" info &&
	grep -q "^Chunk Size: *32768 bytes$" info &&
	grep -q "^Boot Index: *2$" info &&
	grep -q "^Name: *Windows 10 Home$" info &&
	grep -q "^Name: *Windows 10 Pro$" info &&
	grep -q "^Edition ID: *Professional$" info &&
	grep -q "^Name: *Windows 10 Education$" info
'

test_expect_success 'every image: the SYSTEM hive wimlib-imagex extracts holds every seed value' '
	for i in 1 2 3; do
		rm -rf h && wimlib-imagex extract out/new.wim $i /Windows/System32/config/SYSTEM \
			--dest-dir=h --no-acls >/dev/null 2>&1 &&
		check_seed_values h/SYSTEM || { echo "image $i"; return 1; }
	done
'

test_expect_success 'every image: every payload file is byte-identical to the source (wimlib-imagex and 7zz)' '
	while read -r p; do
		rm -rf s && WIMLIB_IMAGEX_IGNORE_CASE=1 wimlib-imagex extract "$SRC" 4 "/$p" \
			--dest-dir=s --no-acls >/dev/null 2>&1 &&
		f=$(ls s) && test -f "s/$f" || { echo "source $p"; return 1; }
		for i in 1 2 3; do
			rm -rf x y &&
			wimlib-imagex extract out/new.wim $i "/$p" --dest-dir=x --no-acls >/dev/null 2>&1 &&
			cmp "s/$f" "x/$(basename "$p")" &&
			7zz l -slt out/new.wim "$i/$p" >l7 &&
			grep -qxF "Path = $i/$p" l7 &&
			grep -qxF "Size = $(stat -c %s "s/$f")" l7 &&
			7zz e -oy out/new.wim "$i/$p" >/dev/null &&
			cmp "s/$f" "y/$(basename "$p")" || { echo "image $i: $p"; return 1; }
		done
	done <from-source
'

test_expect_success 'every other file keeps its hash and attributes; only the SYSTEM and DRIVERS hives changed among the old ones' '
	for i in 1 2 3; do
		listing out/new.wim $i >after.$i &&
		LC_ALL=C comm -23 before.$i after.$i >gone &&
		test $(wc -l <gone) = 2 &&
		grep -q "^\"/Windows/System32/config/SYSTEM\" " gone &&
		grep -q "^\"/Windows/System32/config/DRIVERS\" " gone &&
		LC_ALL=C comm -13 before.$i after.$i | sed "s/^\"\\([^\"]*\\)\".*/\\1/" >added &&
		while read -r a; do
			case "$a" in
			/Windows/System32/config/SYSTEM|/Windows/System32/config/DRIVERS) ;;
			/Windows/Setup/Scripts/SetupComplete.cmd) ;;
			/Windows/Logs/wimgraft|/Windows/Logs/wimgraft/*) ;;
			*) grep -qx "${a#/}" payload || grep -q "^${a#/}/" payload ||
				{ echo "image $i: unexpected $a"; return 1; } ;;
			esac
		done <added || return 1
	done
'

test_expect_success 'no second Windows, System32 or drivers folder was created' '
	wimlib-imagex dir out/new.wim 2 >names &&
	test $(grep -ic "^/windows$" names) = 1 &&
	test $(grep -ic "^/windows/system32$" names) = 1 &&
	test $(grep -ic "^/windows/system32/drivers$" names) = 1
'

test_expect_success 'verify -w exits 0 on the new WIM (with and without the source) and 3 on the input' '
	wimgraft verify -w out/new.wim -t all >v 2>&1 &&
	wimgraft verify -w out/new.wim -t all -s "$SRC" -i 4 >v 2>&1 &&
	test_expect_code 3 wimgraft verify -w in.wim -t 2 >v 2>&1
'

test_expect_success 'a second apply in place changes no byte of the WIM' '
	cp out/new.wim again.wim &&
	sha256sum <again.wim >again.sum &&
	wimgraft apply -s "$SRC" -i 4 -w again.wim -t all >plan2 2>err2 &&
	sha256sum <again.wim | cmp - again.sum &&
	test $(grep -c "nothing to do" plan2) = 3
'

test_expect_success 'remove -w -o restores every file and every registry value of every image' '
	wimgraft remove -w out/new.wim -t all -o removed.wim >rm.out 2>&1 &&
	wimlib-imagex verify removed.wim >/dev/null 2>&1 &&
	for i in 1 2 3; do
		listing removed.wim $i | grep -v -e "^\"/Windows/Logs/wimgraft" \
			-e "^\"/Windows/System32/config/SYSTEM\" " -e "^\"/Windows/System32/config/DRIVERS\" " >r.$i &&
		grep -v -e "^\"/Windows/System32/config/SYSTEM\" " -e "^\"/Windows/System32/config/DRIVERS\" " before.$i >b.$i &&
		cmp b.$i r.$i &&
		for hive in SYSTEM DRIVERS; do
			rm -rf h0 h1 &&
			wimlib-imagex extract in.wim $i /Windows/System32/config/$hive --dest-dir=h0 --no-acls >/dev/null 2>&1 &&
			wimlib-imagex extract removed.wim $i /Windows/System32/config/$hive --dest-dir=h1 --no-acls >/dev/null 2>&1 &&
			reglookup -H h0/$hive | cut -d, -f1-3 >d0 &&
			reglookup -H h1/$hive | cut -d, -f1-3 >d1 &&
			test $(wc -l <d0) -gt 5 &&
			cmp d0 d1 || { echo "image $i $hive"; return 1; }
		done || return 1
	done &&
	test_expect_code 3 wimgraft verify -w removed.wim -t all >v 2>&1
'

test_expect_success 'runs killed with SIGKILL leave no partial WIM: no output, or a complete one' '
	mkdir killed &&
	for d in 0.1 0.4 0.7 0.9 1.0 1.1 1.2 1.4 1.7 2.5; do
		rm -f killed/* &&
		{ timeout -s KILL $d "$WIMGRAFT" apply -q -s "$SRC" -i 4 -w in.wim -t all -o killed/new.wim \
			>/dev/null 2>&1; true; } &&
		sha256sum <in.wim | cmp - in.sum || return 1
		case "$(ls killed)" in
		"") ;;
		new.wim) wimlib-imagex verify killed/new.wim >/dev/null 2>&1 &&
			"$WIMGRAFT" verify -q -w killed/new.wim -t all || { echo "$d: bad output"; return 1; } ;;
		*) echo "$d: left $(ls killed)"; return 1 ;;
		esac
	done
'

test_expect_success 'with a terminal, progress of the write is shown on stderr' '
	script -qec "$WIMGRAFT apply -s \"$SRC\" -i 4 -w in.wim -t 1 -o tty.wim" /dev/null >typescript &&
	grep -q "writing .tty.wim.: 100%" typescript &&
	wimlib-imagex verify tty.wim >/dev/null 2>&1
'

test_done
