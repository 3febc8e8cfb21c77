#!/bin/sh
# t5001-install-cmd.sh - the payload folder's install.cmd, read as text (no Windows here): the
# administrator check comes first, every step is logged and its errorlevel stops the script, the
# DRIVERS hive is loaded for its own .reg when Windows has not loaded it, and unloaded again.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex iconv
have_fixtures

SRC=$FIXTURES/server2019.wim

# The lines of install.cmd that run a step: each must be followed by its status and its check.
steps_checked() {
	awk '
	/>>"%WG_LOG%" 2>&1$/ && !/^>>/ { cmd = NR; want = 1; next }
	want == 1 { if ($0 != "set \"WG_RC=%ERRORLEVEL%\"") { print "no status after line " cmd; bad = 1 } want = 2; next }
	want == 2 { if ($0 !~ /^>>"%WG_LOG%" echo\(%DATE% %TIME% exit %WG_RC%: /) { print "no log after line " cmd; bad = 1 } want = 3; next }
	want == 3 { if ($0 !~ /^if not "%WG_RC%"=="0" set "WG_FAILED=/) { print "no check after line " cmd; bad = 1 } want = 4; next }
	want == 4 { if ($0 != "if defined WG_FAILED goto wg_failed") { print "no stop after line " cmd; bad = 1 } want = 0; n++ }
	END { if (bad || n < 6) { print n " steps"; exit 1 } }' "$1"
}

test_expect_success 'extract writes install.cmd, the .reg and the DRIVERS .reg' '
	wimgraft extract -s "$SRC" -i 4 -o pl >out 2>err &&
	test -f pl/install.cmd && test -f pl/Enable_Lbfo.reg && test -f pl/Enable_Lbfo_DRIVERS.reg &&
	test -f pl/Windows/Setup/Scripts/wimgraft-lbfo.cmd &&
	tr -d "\\r" <pl/install.cmd >install.txt &&
	test $(grep -c "$(printf "\r")\$" pl/install.cmd) = $(wc -l <pl/install.cmd)
'

test_expect_success 'the DRIVERS values are in their own .reg, and only there' '
	iconv -f UTF-16LE -t UTF-8 pl/Enable_Lbfo.reg | tr -d "\\r" >main.reg &&
	iconv -f UTF-16LE -t UTF-8 pl/Enable_Lbfo_DRIVERS.reg | tr -d "\\r" >drv.reg &&
	! grep -q "^\\[HKEY_LOCAL_MACHINE.DRIVERS" main.reg &&
	grep -q "^\\[HKEY_LOCAL_MACHINE.SYSTEM.CurrentControlSet.Control.Network" main.reg &&
	grep -q "\"CoServices\"=hex(7):" main.reg &&
	! grep "^\\[" drv.reg | grep -qv "^\\[HKEY_LOCAL_MACHINE.DRIVERS" &&
	grep -q "^\\[HKEY_LOCAL_MACHINE.DRIVERS.DriverDatabase.DriverPackages.mslbfoprovider.inf_amd64_9afb7ecb68781bac\\]" drv.reg
'

test_expect_success 'administrator rights are checked before anything else' '
	sed -n "2,20p" install.txt | grep -n "" >head.txt &&
	first_net=$(grep -m1 "net session" head.txt | cut -d: -f1) &&
	first_step=$(grep -n ">>\"%WG_LOG%\" 2>&1\$" install.txt | head -1 | cut -d: -f1) &&
	test -n "$first_net" && test "$first_net" -lt "$first_step" &&
	grep -qx "if not errorlevel 1 goto wg_admin" install.txt &&
	grep -q "^echo error: install.cmd needs administrator rights" install.txt
'

test_expect_success 'every step is logged, its status kept, and the first failure stops the script' '
	steps_checked install.txt &&
	grep -qx "set \"WG_LOG=%SystemRoot%\\\\Logs\\\\wimgraft\\\\install-lbfo.log\"" install.txt &&
	grep -qx ":wg_failed" install.txt &&
	grep -q "^echo error: install.cmd stopped: could not %WG_FAILED%" install.txt &&
	tail -1 install.txt | grep -qx "endlocal & exit /b 1"
'

test_expect_success 'the steps, in order: copy, import, load DRIVERS unless loaded, import, unload, first boot' '
	grep -n ">>\"%WG_LOG%\" 2>&1\$" install.txt | grep -v "^[0-9]*:>>" | cut -d: -f2- >steps &&
	sed -n 1p steps | grep -qx "xcopy /H /Y /E Windows \"%SystemRoot%\\\\\" >>\"%WG_LOG%\" 2>&1" &&
	sed -n 2p steps | grep -qx "reg import \"Enable_Lbfo.reg\" >>\"%WG_LOG%\" 2>&1" &&
	sed -n 3p steps | grep -qx "reg load HKLM\\\\DRIVERS \"%SystemRoot%\\\\System32\\\\config\\\\DRIVERS\" >>\"%WG_LOG%\" 2>&1" &&
	sed -n 4p steps | grep -qx "reg import \"Enable_Lbfo_DRIVERS.reg\" >>\"%WG_LOG%\" 2>&1" &&
	sed -n 5p steps | grep -qx "reg unload HKLM\\\\DRIVERS >>\"%WG_LOG%\" 2>&1" &&
	sed -n 6p steps | grep -qx "call \"%SystemRoot%\\\\Setup\\\\Scripts\\\\wimgraft-lbfo.cmd\" >>\"%WG_LOG%\" 2>&1" &&
	test $(wc -l <steps) = 6 &&
	grep -qx "reg query HKLM\\\\DRIVERS >nul 2>&1" install.txt &&
	grep -qx "if not errorlevel 1 goto wg_drivers_loaded" install.txt &&
	grep -qx "if defined WG_UNLOAD reg unload HKLM\\\\DRIVERS >nul 2>&1" install.txt
'

test_expect_success 'the payload folder is still a source, its script the same bytes apply writes' '
	cp -a "$FIXTURES/win10-applied" img &&
	wimgraft apply -s pl -d img >out 2>err &&
	cmp pl/Windows/Setup/Scripts/wimgraft-lbfo.cmd img/Windows/Setup/Scripts/wimgraft-lbfo.cmd &&
	wimgraft verify -d img >v 2>&1
'

test_done
