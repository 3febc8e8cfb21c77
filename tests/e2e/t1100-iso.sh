#!/bin/sh
# t1100-iso.sh - Server ISOs as sources: ISOs built here with 'genisoimage -udf' from the fixture
# WIMs (install.wim hidden from the ISO 9660 tree, split parts, an ESD) are listed, checked,
# extracted and applied as their WIMs are; the install image is cached once; bad ISOs refused.
. "$(dirname "$0")/../lib.sh"
need_cmd genisoimage isoinfo wimlib-imagex jq reglookup
have_fixtures

export XDG_CACHE_HOME="$TRASH/cache"
CACHE=$XDG_CACHE_HOME/wimgraft
S19=$FIXTURES/server2019.wim

# mkiso ISO FOLDER [genisoimage options...]: a UDF + ISO 9660 image as Microsoft's media are.
mkiso() {
	iso=$1 dir=$2
	shift 2
	genisoimage -quiet -udf -iso-level 3 -V SSS_X64FREV_EN-US_DV9 "$@" -o "$iso" "$dir"
}

# info --json without the source's name.
info_norm() {
	wimgraft info --json "$1" 2>/dev/null | jq -S "del(.source)"
}

test_expect_success 'setup: ISOs with install.wim hidden from ISO 9660, split parts, an ESD' '
	mkdir -p m-wim/sources m-wim/boot m-swm/sources m-esd/sources m-none/sources &&
	echo "boot files" >m-wim/boot/bootfix.bin &&
	cp "$S19" m-wim/sources/install.wim &&
	cp "$FIXTURES/server2019.swm" m-swm/sources/install.swm &&
	cp "$FIXTURES/server20192.swm" m-swm/sources/install2.swm &&
	cp "$FIXTURES/server2019.esd" m-esd/sources/install.esd &&
	echo "setup" >m-none/sources/setup.exe &&
	mkiso wim.iso m-wim -hide install.wim &&
	mkiso swm.iso m-swm &&
	mkiso esd.iso m-esd &&
	mkiso none.iso m-none &&
	isoinfo -f -i wim.iso >iso9660.txt &&
	grep -qi "^/SOURCES$" iso9660.txt &&
	! grep -qi install iso9660.txt &&
	isoinfo -f -i swm.iso | grep -qi "INSTALL2.SWM"
'

test_expect_success 'info on the ISOs lists the images of the install image inside' '
	info_norm "$S19" >wim.json &&
	info_norm wim.iso >iso.json && cmp wim.json iso.json &&
	info_norm "$FIXTURES/server2019.swm" >swm.json &&
	info_norm swm.iso >swm-iso.json && cmp swm.json swm-iso.json &&
	info_norm "$FIXTURES/server2019.esd" >esd.json &&
	info_norm esd.iso >esd-iso.json && cmp esd.json esd-iso.json &&
	test "$(jq .image_count iso.json)" = 4 &&
	wimgraft info wim.iso >table 2>err &&
	grep -q "^4  *Windows Server 2019 SERVERDATACENTER" table
'

test_expect_success 'wimgraft says which install image it found' '
	rm -rf "$CACHE" &&
	wimgraft info wim.iso >/dev/null 2>err &&
	test_stderr_names err "using sources/install.wim from its UDF file system" &&
	wimgraft info swm.iso >/dev/null 2>err &&
	test_stderr_names err "using the split image sources/install.swm + 1 more part" &&
	wimgraft info esd.iso >/dev/null 2>err &&
	test_stderr_names err "using sources/install.esd"
'

test_expect_success 'the cached copy is the install image itself; the second run reuses it' '
	rm -rf "$CACHE" &&
	wimgraft info -v wim.iso >/dev/null 2>err1 &&
	grep -q "copying .sources/install.wim. into the cache" err1 &&
	test $(ls "$CACHE" | wc -l) = 1 &&
	entry=$(ls -d "$CACHE"/SSS_X64FREV_EN-US_DV9-*) &&
	cmp "$S19" "$entry/install.wim" &&
	before=$(stat -c "%i %Y" "$entry/install.wim") &&
	wimgraft info -v wim.iso >/dev/null 2>err2 &&
	test_stderr_names err2 "reusing the copy of '\''sources/install.wim'\'' cached in '\''$entry'\''" &&
	! grep -q copying err2 &&
	test "$(stat -c "%i %Y" "$entry/install.wim")" = "$before" &&
	wimgraft info -v swm.iso >/dev/null 2>err3 &&
	entry=$(grep -l . "$CACHE"/*/install2.swm | xargs dirname) &&
	cmp "$FIXTURES/server2019.swm" "$entry/install.swm" &&
	cmp "$FIXTURES/server20192.swm" "$entry/install2.swm"
'

test_expect_success 'a changed ISO (new mtime) gets a new cache entry' '
	rm -rf "$CACHE" &&
	cp wim.iso again.iso &&
	wimgraft info wim.iso >/dev/null 2>&1 &&
	touch -d "2020-01-01" again.iso &&
	wimgraft info -v again.iso >/dev/null 2>err &&
	grep -q "copying" err &&
	test $(ls "$CACHE" | wc -l) = 2
'

test_expect_success '--no-cache copies to a temporary folder and leaves nothing behind' '
	rm -rf "$CACHE" && mkdir tmp &&
	TMPDIR=$TRASH/tmp wimgraft info --no-cache -v wim.iso >out 2>err &&
	grep -q "Windows Server 2019 SERVERDATACENTER" out &&
	grep -q "temporary folder" err &&
	! test -e "$CACHE" &&
	test -z "$(ls tmp)"
'

test_expect_success 'the cache is size-bounded: least recently used entries go first' '
	rm -rf "$CACHE" &&
	wsize=$(stat -c %s "$S19") && esize=$(stat -c %s "$FIXTURES/server2019.esd") &&
	wimgraft info esd.iso >/dev/null 2>&1 &&
	wimgraft info wim.iso >/dev/null 2>&1 &&
	test $(ls "$CACHE" | wc -l) = 2 &&
	touch -d "2001-01-01" "$CACHE"/*/install.esd "$CACHE"/* &&
	wimgraft info esd.iso >/dev/null 2>&1 &&
	WIMGRAFT_CACHE_SIZE=$((wsize + esize + 1)) wimgraft info -v swm.iso >/dev/null 2>err &&
	grep -q "least recently used" err &&
	test $(ls "$CACHE" | wc -l) = 2 &&
	ls "$CACHE"/*/install.esd && ls "$CACHE"/*/install2.swm &&
	! ls "$CACHE"/*/install.wim 2>/dev/null
'

test_expect_success 'an install image over the bound is copied to a temporary folder, not cached' '
	rm -rf "$CACHE" &&
	WIMGRAFT_CACHE_SIZE=1K wimgraft info wim.iso >out 2>err &&
	grep -q SERVERDATACENTER out &&
	test_stderr_names err "larger than the cache" &&
	test -z "$(ls "$CACHE" 2>/dev/null)"
'

test_expect_success 'two runs copying the same ISO at once both succeed; one entry is kept' '
	rm -rf "$CACHE" &&
	{ wimgraft info wim.iso >o1 2>e1; echo $? >rc1; } &
	{ wimgraft info wim.iso >o2 2>e2; echo $? >rc2; } &
	wait &&
	test "$(cat rc1) $(cat rc2)" = "0 0" &&
	cmp o1 o2 && grep -q SERVERDATACENTER o1 &&
	test $(ls "$CACHE" | wc -l) = 1 &&
	cmp "$S19" "$CACHE"/*/install.wim
'

test_expect_success 'a folder a killed copy left in the cache is removed by the next copy' '
	rm -rf "$CACHE" && mkdir -p "$CACHE/tmp.AbC123" &&
	echo partial >"$CACHE/tmp.AbC123/install.wim" &&
	wimgraft info wim.iso >/dev/null 2>&1 &&
	! test -e "$CACHE/tmp.AbC123" &&
	test $(ls "$CACHE" | wc -l) = 1
'

test_expect_success 'on a terminal the copy shows its progress' '
	command -v script >/dev/null || { echo "script(1) missing" >&2; return 1; } &&
	rm -rf "$CACHE" &&
	script -qec "\"$WIMGRAFT\" info wim.iso" /dev/null >tty.out &&
	grep -q "copying .sources/install.wim. out of .wim.iso.: 100%" tty.out &&
	script -qec "\"$WIMGRAFT\" info --no-progress --no-cache wim.iso" /dev/null >tty2.out &&
	! grep -q "copying" tty2.out
'

test_expect_success 'check -s ISO resolves what check -s install.wim resolves' '
	wimgraft check -s "$S19" --json >a.json &&
	wimgraft check -s wim.iso --json >b.json 2>err &&
	test "$(jq -r .source b.json)" = wim.iso &&
	jq -S "del(.source)" a.json >a.norm && jq -S "del(.source)" b.json >b.norm &&
	cmp a.norm b.norm &&
	wimgraft check -s swm.iso -i 4 --json | jq -S "del(.source)" >c.norm &&
	wimgraft check -s "$S19" -i 4 --json | jq -S "del(.source)" >d.norm &&
	cmp c.norm d.norm
'

test_expect_success 'extract -s ISO writes the payload extract -s install.wim writes' '
	wimgraft extract -s "$S19" -i 4 -o p-wim >/dev/null 2>&1 &&
	wimgraft extract -s esd.iso -i 4 -o p-iso >/dev/null 2>&1 &&
	(cd p-wim && find Windows -type f | LC_ALL=C sort | xargs sha256sum) >a &&
	(cd p-iso && find Windows -type f | LC_ALL=C sort | xargs sha256sum) >b &&
	cmp a b && cmp p-wim/Enable_Lbfo.reg p-iso/Enable_Lbfo.reg
'

test_expect_success 'apply -s SERVER.iso grafts exactly what apply -s install.wim grafts' '
	cp -a "$FIXTURES/win10-applied" img-wim &&
	cp -a "$FIXTURES/win10-applied" img-iso &&
	wimgraft apply -s "$S19" -i 4 -d img-wim >/dev/null 2>&1 &&
	wimgraft apply -s wim.iso -i 4 -d img-iso >/dev/null 2>err &&
	for h in SYSTEM DRIVERS; do
		reglookup -H "img-wim/Windows/System32/config/$h" >w.$h &&
		reglookup -H "img-iso/Windows/System32/config/$h" >i.$h &&
		cmp w.$h i.$h || return 1
	done &&
	(cd img-wim && find . -type f ! -path "./Windows/System32/config/*" ! -path "./Windows/Logs/wimgraft/*" |
		LC_ALL=C sort | tr "\\n" "\\0" | xargs -0 sha256sum) >w.sum &&
	(cd img-iso && find . -type f ! -path "./Windows/System32/config/*" ! -path "./Windows/Logs/wimgraft/*" |
		LC_ALL=C sort | tr "\\n" "\\0" | xargs -0 sha256sum) >i.sum &&
	cmp w.sum i.sum &&
	grep -q MsLbfoProvider.sys w.sum &&
	check_seed_values img-iso/Windows/System32/config/SYSTEM
'

test_expect_success 'verify -s ISO and apply -w with an ISO source' '
	wimgraft verify -d img-iso -s wim.iso -i 4 >/dev/null 2>&1 &&
	wimgraft apply -s wim.iso -i 4 -w "$FIXTURES/win10.wim" -t 2 -o pro.wim >/dev/null 2>&1 &&
	wimlib-imagex dir pro.wim 2 | grep -qi "/Windows/System32/drivers/MsLbfoProvider.sys$"
'

test_expect_success 'an ISO is recognised by its content, whatever its name; a WIM named .iso is a WIM' '
	cp wim.iso media.img &&
	wimgraft info media.img >out 2>err &&
	test_stderr_names err "'\''media.img'\'': using sources/install.wim" &&
	cp "$S19" install.iso &&
	wimgraft info install.iso >out 2>err &&
	grep -q SERVERDATACENTER out && ! grep -q UDF err
'

test_expect_success 'names inside the ISO are matched ignoring case' '
	mkdir -p m-upper/SOURCES && cp "$S19" m-upper/SOURCES/INSTALL.WIM &&
	mkiso upper.iso m-upper &&
	wimgraft info upper.iso >out 2>err &&
	test_stderr_names err "using SOURCES/INSTALL.WIM" &&
	grep -q SERVERDATACENTER out
'

test_expect_success 'an ISO without an install image: one line, exit 1, target untouched' '
	cp -a "$FIXTURES/win10-applied" untouched && tree_sum untouched >before &&
	test_expect_code 1 wimgraft apply -s none.iso -d untouched >out 2>err &&
	test $(wc -l <err) = 1 &&
	test_stderr_names err "'\''none.iso'\'' is not a Windows installation image" &&
	tree_sum untouched >after && cmp before after
'

test_expect_success 'an ISO 9660 image without UDF: one line, exit 1' '
	genisoimage -quiet -o plain.iso m-wim &&
	test_expect_code 1 wimgraft info plain.iso >out 2>err &&
	test $(wc -l <err) = 1 &&
	test_stderr_names err "without a UDF file system"
'

test_expect_success 'a truncated ISO: one line, exit 1, nothing cached' '
	rm -rf "$CACHE" &&
	head -c 200000 wim.iso >head.iso &&
	test_expect_code 1 wimgraft info head.iso >out 2>err &&
	test $(wc -l <err) = 1 &&
	test_stderr_names err "head.iso" &&
	size=$(stat -c %s wim.iso) &&
	head -c $((size / 2)) wim.iso >half.iso &&
	test_expect_code 1 wimgraft check -s half.iso >out 2>err &&
	test $(wc -l <err) = 2 &&
	test_stderr_names err "'\''half.iso'\'': cannot read '\''sources/install.wim'\''" &&
	test -z "$(ls "$CACHE" 2>/dev/null)"
'

test_expect_success 'a damaged install image inside: names the ISO and the file, exit 1' '
	mkdir -p m-bad/sources && head -c 300000 "$S19" >m-bad/sources/install.wim &&
	mkiso bad.iso m-bad &&
	test_expect_code 1 wimgraft info bad.iso >out 2>err &&
	test_stderr_names err "'\''bad.iso:sources/install.wim'\'' is not a valid WIM file"
'

test_expect_success 'split parts without the first one: one line, exit 1' '
	mkdir -p m-part/sources && cp "$FIXTURES/server20192.swm" m-part/sources/install2.swm &&
	mkiso part.iso m-part &&
	test_expect_code 1 wimgraft info part.iso >out 2>err &&
	test $(wc -l <err) = 1 &&
	test_stderr_names err "lacks part 1"
'

test_done
