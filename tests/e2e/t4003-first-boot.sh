#!/bin/sh
# t4003-first-boot.sh - the first-boot script and what calls it: SetupComplete.cmd's block,
# the answer file's specialize pass (new, and a site's own file kept: xmllint --c14n before and
# after), or nothing (--first-boot none); verify checks script and caller, remove restores bytes.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex xmllint jq perl hivexregedit
have_fixtures

SRC=$FIXTURES/server2019.wim
FBS=Windows/Setup/Scripts/wimgraft-lbfo.cmd
UA=Windows/Panther/unattend.xml
CMD='cmd.exe /c "%SystemRoot%\Setup\Scripts\wimgraft-lbfo.cmd"'
XP="/*[local-name()='unattend']/*[local-name()='settings'][@pass='specialize']/*[local-name()='component'][@name='Microsoft-Windows-Deployment']/*[local-name()='RunSynchronous']/*[local-name()='RunSynchronousCommand']"

# Every file below a folder (but wimgraft's own logs) with its SHA-256; the hives as
# hivexregedit exports them (remove rewrites their files).
files_of() {
	(cd "$1" && find . -path ./Windows/Logs/wimgraft -prune -o -print | LC_ALL=C sort &&
		find . -path ./Windows/Logs/wimgraft -prune -o -path ./Windows/System32/config -prune \
			-o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) &&
	for h in SYSTEM SOFTWARE DRIVERS; do
		hivexregedit --export "$1/Windows/System32/config/$h" "\\" || return 1
	done
}

test_expect_success 'setup' '
	cp -a "$FIXTURES/win10-applied" orig &&
	files_of orig >orig.files
'

test_expect_success 'default route: the script, and SetupComplete.cmd calls it' '
	cp -a orig sc &&
	wimgraft apply -s "$SRC" -i 4 -d sc >out 2>err &&
	test -f sc/$FBS &&
	grep -qxF "call \"%SystemRoot%\\Setup\\Scripts\\wimgraft-lbfo.cmd\"$(printf "\r")" sc/Windows/Setup/Scripts/SetupComplete.cmd &&
	! grep -q "netcfg" sc/Windows/Setup/Scripts/SetupComplete.cmd &&
	grep -qF "netcfg.exe -v -l \"%SystemRoot%\\INF\\mslbfoprovider.inf\" -c s -i ms_lbfo >>\"%WG_LOG%\" 2>&1" sc/$FBS &&
	grep -qF "sc.exe query MsLbfoProvider" sc/$FBS &&
	grep -q "lbfo: ready" sc/$FBS &&
	grep -q "  file  new       $FBS" out &&
	test ! -e sc/$UA &&
	wimgraft verify -d sc >v 2>&1
'

test_expect_success 'verify notices a changed script and a removed call' '
	cp -a sc sc2 &&
	printf "rem changed\r\n" >>sc2/$FBS &&
	test_expect_code 3 wimgraft verify -d sc2 >v 2>&1 &&
	grep -q "file $FBS: SHA-1" v &&
	cp -a sc sc3 &&
	sed -i "/wimgraft-lbfo.cmd/d" sc3/Windows/Setup/Scripts/SetupComplete.cmd &&
	test_expect_code 3 wimgraft verify -d sc3 >v 2>&1 &&
	grep -q "SetupComplete.cmd" v
'

test_expect_success 'remove takes script and call out: the tree is as it was' '
	wimgraft remove -d sc >out 2>err &&
	files_of sc >sc.files &&
	diff orig.files sc.files
'

test_expect_success '--first-boot unattend without an answer file: a new, valid one' '
	cp -a orig ua &&
	wimgraft apply -s "$SRC" -i 4 -d ua --first-boot unattend >out 2>err &&
	xmllint --noout ua/$UA &&
	test "$(xmllint --xpath "namespace-uri(/*)" ua/$UA)" = "urn:schemas-microsoft-com:unattend" &&
	test "$(xmllint --xpath "string($XP/*[local-name()=\"Path\"])" ua/$UA)" = "$CMD" &&
	test "$(xmllint --xpath "string($XP/*[local-name()=\"Order\"])" ua/$UA)" = 1 &&
	test "$(xmllint --xpath "string($XP/@*[local-name()=\"action\"])" ua/$UA)" = add &&
	! grep -q "wimgraft-lbfo" ua/Windows/Setup/Scripts/SetupComplete.cmd 2>/dev/null &&
	grep -q "  answer changes  $UA" out &&
	wimgraft verify -d ua >v 2>&1 &&
	wimgraft verify -d ua -s "$SRC" -i 4 --first-boot unattend >v 2>&1 &&
	wimgraft verify -d ua -s "$SRC" -i 4 >v 2>&1 &&
	test_expect_code 3 wimgraft verify -d ua -s "$SRC" -i 4 --first-boot setupcomplete >v 2>&1 &&
	grep -q "SetupComplete.cmd" v
'

test_expect_success 'verify notices the command gone from the answer file' '
	cp -a ua ua2 &&
	sed -i "s/wimgraft-lbfo.cmd/other.cmd/" ua2/$UA &&
	test_expect_code 3 wimgraft verify -d ua2 >v 2>&1 &&
	grep -q "answer file $UA: the specialize pass does not run" v
'

test_expect_success 'a second apply changes nothing; remove deletes the file it created' '
	wimgraft apply -s "$SRC" -i 4 -d ua --first-boot unattend >out 2>err &&
	grep -q "nothing to do" out &&
	wimgraft remove -d ua >out 2>err &&
	test ! -e ua/$UA &&
	files_of ua >ua.files &&
	diff orig.files ua.files
'

cat >"$TRASH/site.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<!-- the site's answer file -->
<unattend xmlns="urn:schemas-microsoft-com:unattend" xmlns:wcm="http://schemas.microsoft.com/WMIConfig/2002/State">
    <settings pass="specialize">
        <component name="Microsoft-Windows-Deployment" processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS">
            <RunSynchronous>
                <RunSynchronousCommand wcm:action="add">
                    <Order>1</Order>
                    <Path>cmd /c echo "site" &gt; %TEMP%\site.txt</Path>
                </RunSynchronousCommand>
                <RunSynchronousCommand wcm:action="add">
                    <Order>5</Order>
                    <Path>reg add HKLM\Software\Site /v X /d 1 /f</Path>
                </RunSynchronousCommand>
            </RunSynchronous>
        </component>
        <component name="Microsoft-Windows-Shell-Setup" processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS">
            <ComputerName>*</ComputerName>
        </component>
    </settings>
    <settings pass="oobeSystem">
        <component name="Microsoft-Windows-International-Core" processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS">
            <UILanguage>en-US</UILanguage>
        </component>
    </settings>
</unattend>
EOF

test_expect_success '--first-boot unattend with the site answer file: the next Order, the rest unchanged' '
	cp -a orig site &&
	mkdir -p site/Windows/Panther &&
	cp site.xml site/$UA &&
	wimgraft apply -s "$SRC" -i 4 -d site --first-boot unattend >out 2>err &&
	xmllint --noout site/$UA &&
	test "$(xmllint --xpath "count($XP)" site/$UA)" = 3 &&
	test "$(xmllint --xpath "string($XP[3]/*[local-name()=\"Order\"])" site/$UA)" = 6 &&
	test "$(xmllint --xpath "string($XP[3]/*[local-name()=\"Path\"])" site/$UA)" = "$CMD" &&
	test "$(xmllint --xpath "string($XP[1]/*[local-name()=\"Order\"])" site/$UA)" = 1 &&
	test "$(xmllint --xpath "string($XP[2]/*[local-name()=\"Order\"])" site/$UA)" = 5 &&
	xmllint --c14n site.xml >before.c14n &&
	xmllint --c14n site/$UA >after.c14n &&
	perl -0pe "s{\\s*<RunSynchronousCommand[^>]*>(?:(?!</RunSynchronousCommand>).)*?wimgraft-lbfo\\.cmd.*?</RunSynchronousCommand>}{}s" after.c14n >after.less &&
	! grep -q wimgraft after.less &&
	diff before.c14n after.less
'

test_expect_success 'remove restores the site answer file byte for byte' '
	wimgraft remove -d site >out 2>err &&
	cmp site.xml site/$UA
'

test_expect_success 'an answer file changed after apply: remove takes out only the command' '
	cp -a orig site2 &&
	mkdir -p site2/Windows/Panther &&
	cp site.xml site2/$UA &&
	wimgraft apply -s "$SRC" -i 4 -d site2 --first-boot unattend >out 2>err &&
	sed -i "s|<ComputerName>\\*</ComputerName>|<ComputerName>HOST1</ComputerName>|" site2/$UA &&
	wimgraft remove -d site2 >out 2>err &&
	grep -q "changed since apply" err &&
	! grep -q wimgraft-lbfo site2/$UA &&
	grep -q "HOST1" site2/$UA &&
	xmllint --noout site2/$UA
'

test_expect_success 'an answer file that is not one is refused, and nothing changes' '
	cp -a orig bad &&
	mkdir -p bad/Windows/Panther &&
	printf "<unattend><settings/></unattend>\n" >bad/$UA &&
	files_of bad >bad.before &&
	test_expect_code 1 wimgraft apply -s "$SRC" -i 4 -d bad --first-boot unattend >out 2>err &&
	test_stderr_names err "is not an answer file" &&
	files_of bad >bad.after &&
	diff bad.before bad.after
'

test_expect_success '--first-boot none: only the script; -v and --json give the command to add' '
	cp -a orig none &&
	wimgraft apply -s "$SRC" -i 4 -d none --first-boot none -v >out 2>err &&
	test -f none/$FBS &&
	test ! -e none/$UA &&
	! grep -q "wimgraft-lbfo" none/Windows/Setup/Scripts/SetupComplete.cmd 2>/dev/null &&
	grep -qF "$CMD" err &&
	wimgraft verify -d none -s "$SRC" -i 4 >v 2>&1 &&
	wimgraft verify -d none >v 2>&1 &&
	wimgraft apply -s "$SRC" -i 4 -d orig --first-boot none -n --json >plan.json 2>err &&
	test "$(jq -r ".targets[0].first_boot.command" plan.json)" = "$CMD" &&
	test "$(jq -r ".targets[0].first_boot.route" plan.json)" = none &&
	test "$(jq -r ".targets[0].first_boot.script" plan.json)" = "$FBS"
'

test_expect_success 'a WIM image: the answer file and the script go in, remove takes them out' '
	cp "$FIXTURES/win10.wim" w.wim &&
	wimgraft apply -s "$SRC" -i 4 -w w.wim -t 1 --first-boot unattend >out 2>err &&
	wimlib-imagex extract w.wim 1 /$UA /$FBS --dest-dir=x --no-acls >/dev/null &&
	xmllint --noout x/unattend.xml &&
	test "$(xmllint --xpath "string($XP/*[local-name()=\"Path\"])" x/unattend.xml)" = "$CMD" &&
	grep -q "lbfo: ready" x/wimgraft-lbfo.cmd &&
	wimgraft verify -w w.wim -t 1 >v 2>&1 &&
	wimgraft remove -w w.wim -t 1 >out 2>err &&
	wimlib-imagex dir w.wim 1 >names &&
	! grep -qi "panther/unattend.xml\|wimgraft-lbfo.cmd" names
'

test_expect_success 'a bad --first-boot value is a usage error' '
	test_expect_code 2 wimgraft apply -s "$SRC" -i 4 -d orig --first-boot later >out 2>err &&
	test_stderr_names err "expected setupcomplete, unattend or none"
'

test_done
