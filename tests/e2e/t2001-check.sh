#!/bin/sh
# t2001-check.sh - 'wimgraft check' on the fixture images: what resolves, what is missing or
# ambiguous, and paths, sizes and SHA-1s cross-checked with wimlib-imagex (dir, extract) + sha1sum.
. "$(dirname "$0")/../lib.sh"

need_cmd wimlib-imagex jq sha1sum xmllint && have_fixtures
GOOD=$TOP/tests/fixtures/manifests/good
S19=$FIXTURES/server2019.wim
S22=$FIXTURES/server2022.wim

# The bytes PRODUCT.md gives for the Server 2022 package's Version value.
VERSION_20348=ffff09000000000074e9364d25e3ce11bfc108002be1031800808ca3c594c60101007c4f00000a000000000000000000

# cross_check JSON WIM INDEX: every resolved file of the report is listed by 'wimlib-imagex dir'
# under its stored spelling, and extracting it with wimlib-imagex gives the same size and SHA-1.
cross_check() {
	jq -r '.files[] | select(.status == "ok") | [.path, .size, .sha1] | @tsv' "$1" >files.tsv &&
	test -s files.tsv &&
	wimlib-imagex dir "$2" "$3" >dir.txt &&
	rm -rf x && mkdir x &&
	while IFS="$(printf '\t')" read -r path size sha; do
		grep -qxF "/$path" dir.txt || { echo "'$path' not in wimlib-imagex dir"; return 1; }
		wimlib-imagex extract "$2" "$3" "/$path" --dest-dir=x --no-acls >/dev/null 2>&1 ||
			{ echo "cannot extract '$path'"; return 1; }
		f="x/${path##*/}"
		test "$(stat -c %s "$f")" = "$size" || { echo "size of '$path'"; return 1; }
		test "$(sha1sum <"$f" | cut -c1-40)" = "$sha" || { echo "sha1 of '$path'"; return 1; }
		rm -f "$f"
	done <files.tsv
}

test_expect_success 'the shipped manifest and the good fixtures validate with xmllint against the schema' '
	xmllint --noout --schema "$TOP/manifests/wimgraft-manifest.xsd" \
		"$TOP/manifests/lbfo.xml" "$GOOD/ambiguous.xml" "$GOOD/features.xml"
'

test_expect_success 'Server 2019 image 4 resolves every entry of lbfo (exit 0, table)' '
	wimgraft check -s "$S19" -i 4 >out 2>err &&
	test_stderr_names err "image 4" &&
	head -n 1 out | grep -q "^ENTRY  *PATH IN IMAGE  *SIZE  *SHA-1  *STATUS" &&
	test $(grep -c " ok\$" out) = 7 &&
	grep -q "Windows/System32/drivers/MsLbfoProvider.sys .* ok\$" out &&
	grep -q "mslbfoprovider.inf_amd64_9afb7ecb68781bac/mslbfoprovider.inf" out
'

test_expect_success 'Server 2019 image 4: paths, sizes and SHA-1s agree with wimlib-imagex' '
	wimgraft check -s "$S19" -i 4 --json >r.json &&
	test "$(jq -r .complete r.json)" = true &&
	test "$(jq ".files | length" r.json)" = 7 &&
	cross_check r.json "$S19" 4
'

test_expect_success 'image 2 spells the driver in lower case and still resolves, with its own spelling' '
	wimgraft check -s "$S19" -i 2 --json >r.json &&
	jq -r ".files[] | select(.entry == \"sys\") | .path" r.json >p &&
	echo Windows/System32/drivers/mslbfoprovider.sys | cmp - p &&
	cross_check r.json "$S19" 2
'

test_expect_success 'a Core image lacks the driver: exit 1, the missing path named' '
	test_expect_code 1 wimgraft check -s "$S19" -i 1 >out 2>err &&
	test_stderr_names err "'"'"'Windows/System32/drivers/MsLbfoProvider.sys'"'"' not found in image 1" &&
	test_stderr_names err "does not meet the manifest'"'"'s source requirements" &&
	grep -q "Windows/System32/drivers/MsLbfoProvider.sys .* missing\$" out
'

test_expect_success 'a Core image in JSON: complete false, every entry missing, no registry' '
	test_expect_code 1 wimgraft check -s "$S19" -i 3 --json >r.json 2>err &&
	test "$(jq -r .complete r.json)" = false &&
	test "$(jq "[.files[] | select(.status == \"missing\")] | length" r.json)" = 5 &&
	test "$(jq ".registry | length" r.json)" = 0
'

test_expect_success 'an image given by name' '
	wimgraft check -s "$S19" -i "Windows Server 2019 SERVERDATACENTER" --json >r.json &&
	test "$(jq .image.index r.json)" = 4 &&
	test "$(jq -r .image.selected r.json)" = given
'

test_expect_success 'without -i the first Server image holding every file is chosen, and said so' '
	wimgraft check -s "$S19" --json >r.json 2>err &&
	test "$(jq .image.index r.json)" = 2 &&
	test "$(jq -r .image.selected r.json)" = auto &&
	test_stderr_names err "chose image 2"
'

test_expect_success 'Server 2022 with -D lang=ja-JP resolves with its own driver-store folder' '
	wimgraft check -s "$S22" -D lang=ja-JP --json >r.json 2>err &&
	test "$(jq -r .complete r.json)" = true &&
	test "$(jq -r .values.package r.json)" = mslbfoprovider.inf_amd64_f9d27a6b05ef21aa &&
	jq -r ".files[] | select(.entry == \"repo-inf\") | .path" r.json |
		grep -qx "Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_f9d27a6b05ef21aa/mslbfoprovider.inf" &&
	jq -r ".files[] | select(.entry == \"mui\") | .path" r.json |
		grep -qx "Windows/System32/drivers/ja-JP/MsLbfoProvider.sys.mui" &&
	cross_check r.json "$S22" 1
'

test_expect_success 'Server 2022: the DRIVERS hive values are derived from its INF' '
	wimgraft check -s "$S22" --json >r.json &&
	test "$(jq -r .values.lang r.json)" = ja-JP &&
	key="HKEY_LOCAL_MACHINE\\\\DRIVERS\\\\DriverDatabase\\\\DriverPackages\\\\mslbfoprovider.inf_amd64_f9d27a6b05ef21aa" &&
	jq -r ".registry[] | select(.name == \"Version\") | .data" r.json >v &&
	echo $VERSION_20348 | cmp - v &&
	jq -r ".registry[] | select(.name == \"Version\") | .key" r.json | grep -qx "$key" &&
	test "$(jq -r ".registry[] | select(.name == \"Version\") | .optional_hive" r.json)" = true &&
	wimlib-imagex extract "$S22" 1 "/Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_f9d27a6b05ef21aa/mslbfoprovider.inf" --dest-dir=. --no-acls >/dev/null &&
	size=$(stat -c %s mslbfoprovider.inf) &&
	want=$(printf "%016x" "$size" | sed "s/\(..\)/\1 /g" | awk "{for(i=NF;i>0;i--) printf \"%s\", \$i}") &&
	test "$(jq -r ".registry[] | select(.name == \"FileSize\") | .data" r.json)" = "$want" &&
	jq -r ".registry[] | select(.name == \"Provider\") | .data" r.json | grep -qx "4d006900630072006f0073006f00660074000000"
'

test_expect_success 'Server 2022 with -D lang=en-US: the language files are missing, exit 1' '
	test_expect_code 1 wimgraft check -s "$S22" -i 1 -D lang=en-US >out 2>err &&
	test_stderr_names err "Windows/System32/drivers/en-US/MsLbfoProvider.sys.mui" &&
	test_stderr_names err "Windows/System32/DriverStore/en-US/MsLbfoProvider.inf_loc"
'

test_expect_success '-D start=3 writes the seed Start value; the default is 1 (system start)' '
	wimgraft check -s "$S19" -i 4 --json >r1.json &&
	wimgraft check -s "$S19" -i 4 -D start=3 --json >r3.json &&
	test "$(jq -r ".registry[] | select(.name == \"Start\") | .data" r1.json)" = 01000000 &&
	test "$(jq -r ".registry[] | select(.name == \"Start\") | .data" r3.json)" = 03000000
'

test_expect_success 'ESD and split-WIM sources give the same result as the WIM' '
	wimgraft check -s "$S19" -i 4 --json >wim.json &&
	wimgraft check -s "$FIXTURES/server2019.esd" -i 4 --json >esd.json &&
	wimgraft check -s "$FIXTURES/server2019.swm" -i 4 --json >swm.json &&
	for f in wim esd swm; do jq -S "del(.source)" $f.json >$f.norm || return 1; done &&
	test "$(jq ".files | length" esd.json)" = 7 &&
	cmp wim.norm esd.norm &&
	cmp wim.norm swm.norm
'

test_expect_success 'a payload folder written by extract resolves to the same files' '
	wimgraft check -s "$S19" -i 4 --json >wim.json &&
	wimgraft extract -s "$S19" -i 4 -o payload >/dev/null 2>&1 &&
	wimgraft check -s payload --json >pl.json &&
	jq -c "[.files[] | [.entry, .path, .size, .sha1, .status]]" wim.json >a &&
	jq -c "[.files[] | [.entry, .path, .size, .sha1, .status]]" pl.json >b &&
	cmp a b
'

test_expect_success 'a glob answered by two files is ambiguous: exit 1, both candidates listed' '
	test_expect_code 1 wimgraft check -m "$GOOD/ambiguous.xml" -s "$S19" -i 4 >out 2>err &&
	grep -q " ambiguous\$" out &&
	test $(grep -c "candidate: .*Server-Features-Package01[67]~" out) = 2 &&
	test_stderr_names err "matches 2 files in image 4" &&
	test_expect_code 1 wimgraft check -m "$GOOD/ambiguous.xml" -s "$S19" -i 4 --json >r.json 2>/dev/null &&
	test "$(jq -r ".files[] | select(.entry == \"cat\") | .status" r.json)" = ambiguous &&
	test "$(jq ".files[] | select(.entry == \"cat\") | .candidates | length" r.json)" = 2
'

test_expect_success 'format features: folder destination, optional entry, match=all, import, derived values' '
	wimgraft check -m "$GOOD/features.xml" -s "$S19" -i 4 --json >r.json 2>err &&
	test "$(jq -r .complete r.json)" = true &&
	test "$(jq -r ".files[] | select(.entry == \"absent\") | .status" r.json)" = optional-missing &&
	test_stderr_names err "NoSuchDriver.sys" &&
	jq -r ".files[] | select(.entry == \"repo-inf\") | .destination" r.json |
		grep -qx "Payload/mslbfoprovider.inf_amd64_9afb7ecb68781bac/mslbfoprovider.inf" &&
	jq -r ".files[] | select(.entry == \"mui\") | .destination" r.json | grep -qx "Payload/en-US/lbfo.mui" &&
	wimlib-imagex dir "$S19" 4 --path="/Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}" |
		grep -c "\.cat\$" >ncat &&
	test "$(jq "[.files[] | select(.entry == \"cats\")] | length" r.json)" = "$(cat ncat)" &&
	jq -r ".registry[] | select(.name == \"Imported\") | .data" r.json | grep -qx 2a000000 &&
	jq -r ".registry[] | select(.name == \"List\") | .key" r.json |
		grep -qx "HKEY_LOCAL_MACHINE\\\\SOFTWARE\\\\Wimgraft\\\\mslbfoprovider.inf_amd64_9afb7ecb68781bac" &&
	jq -r ".first_boot[0]" r.json | grep -qx "echo mslbfoprovider.inf_amd64_9afb7ecb68781bac \$HOME" &&
	cross_check r.json "$S19" 4
'

test_expect_success 'no image meets the source requirements: exit 1, each image given its reason' '
	test_expect_code 1 wimgraft check -m "$GOOD/features.xml" -s "$FIXTURES/win10.wim" >out 2>err &&
	test_stderr_names err "image 1 (" &&
	test_stderr_names err "installation type '"'"'Client'"'"' is not '"'"'Server'"'"'"
'

test_expect_success 'a missing image index exits 1' '
	test_expect_code 1 wimgraft check -s "$S19" -i 9 2>err
'

test_expect_success 'check without -s is a usage error' '
	test_expect_code 2 wimgraft check 2>err &&
	test_stderr_names err "-s SOURCE"
'

test_done
