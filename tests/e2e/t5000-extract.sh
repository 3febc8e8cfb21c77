#!/bin/sh
# t5000-extract.sh - the payload folder: its files, its .reg (REGEDIT5, UTF-16LE, BOM, CRLF),
# install.cmd and description; and the folder used as a source for check, apply and verify.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex hivexregedit reglookup iconv
have_fixtures

SRC=$FIXTURES/server2019.wim

test_expect_success 'extract writes the payload folder' '
	wimgraft extract -s "$SRC" -i 4 -o pl >out 2>err &&
	test -f pl/Enable_Lbfo.reg && test -f pl/install.cmd && test -f pl/wimgraft-payload.xml &&
	test -f pl/Windows/System32/drivers/MsLbfoProvider.sys
'

test_expect_success 'payload files are byte-identical to wimlib-imagex extract' '
	(cd pl && find Windows -type f ! -name wimgraft-lbfo.cmd) | sort >list &&
	test $(wc -l <list) = 7 && test -f pl/Windows/Setup/Scripts/wimgraft-lbfo.cmd &&
	sed "s|^|/|" list >paths &&
	wimlib-imagex extract "$SRC" 4 @paths --dest-dir=ref --preserve-dir-structure >/dev/null &&
	while read -r f; do cmp "ref/$f" "pl/$f" || exit 1; done <list
'

test_expect_success 'the .reg is REGEDIT5 in UTF-16LE with a BOM and CRLF line ends' '
	head -c 2 pl/Enable_Lbfo.reg | od -An -tx1 | grep -q "ff fe" &&
	iconv -f UTF-16LE -t UTF-8 pl/Enable_Lbfo.reg >reg.utf8 &&
	head -1 reg.utf8 | grep -q "Windows Registry Editor Version 5.00" &&
	grep -q "CurrentControlSet" reg.utf8 &&
	test $(grep -c "$(printf "\r")\$" reg.utf8) = $(wc -l <reg.utf8)
'

test_expect_success 'the .reg, mapped to the control set, merges with hivexregedit into the values apply writes' '
	cp -a "$FIXTURES/win10-applied" img &&
	wimgraft apply -s "$SRC" -i 4 -d img >out 2>err &&
	cp "$FIXTURES/win10-applied/Windows/System32/config/SYSTEM" theirs.hive &&
	sed "1s/^\xef\xbb\xbf//; s/\r\$//; s/CurrentControlSet/ControlSet001/" reg.utf8 |
		awk "NR == 1 || /^\\[/ { keep = (NR == 1 || index(\$0, \"[HKEY_LOCAL_MACHINE\\\\SYSTEM\\\\\") == 1) } keep" >mapped.reg &&
	grep -q "^\\[HKEY_LOCAL_MACHINE.SYSTEM.ControlSet001.Services.MsLbfoProvider\\]" mapped.reg &&
	hivexregedit --merge --prefix "HKEY_LOCAL_MACHINE\\SYSTEM" theirs.hive mapped.reg &&
	reglookup -H -p /ControlSet001 theirs.hive 2>/dev/null | grep -i -e lbfo -e FC66A602 | cut -d, -f1-3 | LC_ALL=C sort >theirs.txt &&
	reglookup -H -p /ControlSet001 img/Windows/System32/config/SYSTEM 2>/dev/null | grep -i -e lbfo -e FC66A602 | cut -d, -f1-3 | LC_ALL=C sort >ours.txt &&
	test $(wc -l <theirs.txt) -ge 20 &&
	diff theirs.txt ours.txt
'

test_expect_success 'install.cmd copies the tree and imports the .reg, with CRLF line ends' '
	grep -q "xcopy /H /Y /E Windows" pl/install.cmd &&
	grep -q "reg import \"Enable_Lbfo.reg\"" pl/install.cmd &&
	test $(grep -c "$(printf "\r")\$" pl/install.cmd) = $(wc -l <pl/install.cmd)
'

test_expect_success 'the payload folder is a source for check' '
	wimgraft check -s pl >out 2>err &&
	grep -c " ok\$" out >n && test $(cat n) -ge 7
'

test_expect_success 'apply from the payload gives the same tree as apply from the WIM' '
	cp -a "$FIXTURES/win10-applied" img2 &&
	wimgraft apply -s pl -d img2 >out 2>err &&
	for d in img img2; do
		(cd $d && find . -type f ! -path "./Windows/Logs/wimgraft/*" -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) >$d.sum || exit 1
	done &&
	diff img.sum img2.sum
'

test_expect_success 'verify -s PAYLOAD exits 0 on the grafted folder' '
	wimgraft verify -d img -s pl >out
'

test_expect_success 'extract refuses an existing output folder and leaves it alone' '
	mkdir busy && echo keep >busy/file &&
	test_expect_code 1 wimgraft extract -s "$SRC" -i 4 -o busy 2>err &&
	test_stderr_names err "busy" &&
	test "$(cat busy/file)" = keep && test $(ls busy | wc -l) = 1
'

test_expect_success 'a tampered payload file is caught by its SHA-1' '
	cp -a pl bad && printf X | dd of=bad/Windows/System32/drivers/MsLbfoProvider.sys bs=1 seek=1000 conv=notrunc 2>/dev/null &&
	test $(stat -c %s bad/Windows/System32/drivers/MsLbfoProvider.sys) = $(stat -c %s pl/Windows/System32/drivers/MsLbfoProvider.sys) &&
	cp -a "$FIXTURES/win10-applied" img3 && tree_sum img3 >before &&
	test_expect_code 1 wimgraft apply -s bad -d img3 >out 2>err &&
	test_stderr_names err "SHA-1" &&
	tree_sum img3 >after && diff before after
'

test_done
