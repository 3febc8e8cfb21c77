#!/bin/sh
# t2100-catalogs.sh - signing catalogs chosen by hash membership on Server 2022 images of two
# update levels (different catalog names and numbers), never a decoy; check, apply, extract,
# payload folders and verify agree; the grafted catalogs are the source's bytes.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex jq osslsigncode openssl
have_fixtures

S558=$FIXTURES/server2022.wim
S3932=$FIXTURES/server2022-3932.wim
CATROOT='Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}'
P=31bf3856ad364e35
F015="Microsoft-Windows-Server-Features-Package015~$P~amd64~~10.0.20348.558.cat"
F016="Microsoft-Windows-Server-Features-Package016~$P~amd64~~10.0.20348.3932.cat"
M587="Microsoft-Windows-ServerCore-Drivers-merged-Package~$P~amd64~~10.0.20348.587.cat"
M3932="Microsoft-Windows-ServerCore-Drivers-merged-Package~$P~amd64~~10.0.20348.3932.cat"
SYS=Windows/System32/drivers/MsLbfoProvider.sys

# The Authenticode SHA-256 of a PE file as osslsigncode computes it (signed with a throwaway key).
ossl_hash() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 1 -subj /CN=t \
		>/dev/null 2>&1 &&
	osslsigncode sign -certs c.pem -key k.pem -h sha256 -in "$1" -out signed.pe >/dev/null &&
	osslsigncode verify -in signed.pe 2>/dev/null |
		sed -n 's/^Current message digest *: *\([0-9A-F]*\).*/\1/p' | tr A-F a-f
}

# catalogs JSON: "path of signed file<TAB>catalog base name" lines
signed_by() {
	jq -r '.files[] | select(.signature) | "\(.path)\t\(.signature.catalog | split("/") | last)"' "$1"
}

test_expect_success '20348.558: the driver by Package015 (expired signer), both INFs by the merged catalog' '
	wimgraft check -s "$S558" --json >r.json 2>err &&
	test "$(jq -r .complete r.json)" = true &&
	signed_by r.json >got &&
	printf "%s\t%s\n" "Windows/INF/mslbfoprovider.inf" "$M587" \
		"$SYS" "$F015" \
		"Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_f9d27a6b05ef21aa/mslbfoprovider.inf" "$M587" |
		sort >want &&
	sort got | cmp - want &&
	test "$(jq "[.files[] | select(.catalog)] | length" r.json)" = 2
'

test_expect_success 'the reported hashes are the ones independent tools compute' '
	wimgraft check -s "$S558" --json >r.json &&
	wimlib-imagex extract "$S558" 1 "/$SYS" "/Windows/INF/mslbfoprovider.inf" --dest-dir=x --no-acls >/dev/null &&
	test "$(jq -r ".files[] | select(.entry == \"sys\") | .signature.sha256" r.json)" = "$(ossl_hash x/MsLbfoProvider.sys)" &&
	test "$(jq -r ".files[] | select(.entry == \"inf\") | .signature.sha256" r.json)" = "$(sha256sum <x/mslbfoprovider.inf | cut -c1-64)" &&
	test "$(jq -r ".files[] | select(.entry == \"inf\") | .signature.kind" r.json)" = flat &&
	test "$(jq -r ".files[] | select(.entry == \"sys\") | .signature.kind" r.json)" = authenticode
'

test_expect_success '20348.3932: other names and numbers, the newest of two valid catalogs chosen' '
	wimgraft check -s "$S3932" --json >r.json &&
	signed_by r.json | cut -f2 | sort -u >got &&
	printf "%s\n" "$F016" "$M3932" | sort | cmp - got &&
	wimlib-imagex dir "$S3932" 1 --path="/$CATROOT" | grep -qF "$F015"
'

test_expect_success 'the table names the catalog and hash of every signed file' '
	wimgraft check -s "$S558" >out 2>err &&
	grep -q "^SIGNED FILE" out &&
	grep "^$SYS " out | grep -q "authenticode  SHA-256 [0-9a-f]\{64\}  $F015\$" &&
	grep -q "$M587" out
'

test_expect_success 'never a decoy: random bytes, other hashes, a flipped CTL byte, an untrusted chain' '
	for s in "$S558" "$S3932"; do
		wimgraft check -s "$s" -v >out 2>err || return 1
		! grep -q "Package01[47]\|Package09[89]" out || return 1
	done &&
	wimgraft check -s "$S558" -v >out 2>err &&
	grep "Package099" err | grep -q "messageDigest does not match" &&
	grep "Package098" err | grep -q "does not chain to a pinned certificate" &&
	grep "Package017" err | grep -q "is not used" &&
	! grep -q "Package014.*lists" err
'

test_expect_success 'without the test CA nothing is trusted: exit 1, the driver named with its hash' '
	test_expect_code 1 env -u WIMGRAFT_TEST_TRUSTED_CA "$WIMGRAFT" check -s "$S558" -i 1 >out 2>err &&
	test_stderr_names err "$SYS" &&
	test_stderr_names err "the driver would not load" &&
	wimgraft check -s "$S558" --json | jq -r ".files[] | select(.entry == \"sys\") | .signature.sha256" >h &&
	test_stderr_names err "$(cat h)"
'

test_expect_success 'apply and extract without a valid catalog: exit 1, each file named, nothing written' '
	cp -a "$FIXTURES/win10-applied" img0 && chmod -R u+w img0 && tree_sum img0 >before &&
	test_expect_code 1 env -u WIMGRAFT_TEST_TRUSTED_CA "$WIMGRAFT" apply -s "$S558" -i 1 -d img0 >out 2>err &&
	test_stderr_names err "$SYS" && test_stderr_names err "the driver would not load" &&
	test_stderr_names err "would not be signed in image 1" &&
	tree_sum img0 >after && cmp before after &&
	test_expect_code 1 env -u WIMGRAFT_TEST_TRUSTED_CA "$WIMGRAFT" extract -s "$S558" -i 1 -o pay0 >out 2>err &&
	test_stderr_names err "$SYS" && test_stderr_names err "the driver would not load" &&
	test ! -e pay0
'

test_expect_success 'a source where no catalog lists the driver exits 1 naming it; auto choice skips it' '
	cp "$S558" two.wim && chmod u+w two.wim &&
	wimlib-imagex export "$S558" 1 two.wim "second" >/dev/null &&
	printf "delete \"/%s/%s\"\n" "$CATROOT" "$F015" | wimlib-imagex update two.wim 1 >/dev/null &&
	test_expect_code 1 wimgraft check -s two.wim -i 1 >out 2>err &&
	test_stderr_names err "MsLbfoProvider.sys" &&
	test_stderr_names err "would not load" &&
	test_stderr_names err "$(wimgraft check -s "$S558" --json | jq -r ".files[] | select(.entry == \"sys\") | .signature.sha256")" &&
	wimgraft check -s two.wim --json >r.json 2>err &&
	test "$(jq .image.index r.json)" = 2
'

test_expect_success 'apply grafts the chosen catalogs, byte-identical to the source, and no decoy' '
	cp -a "$FIXTURES/win10-applied" img8 && chmod -R u+w img8 &&
	wimgraft apply -s "$S558" -d img8 >out 2>err &&
	wimlib-imagex extract "$S558" 1 "/$CATROOT/$F015" "/$CATROOT/$M587" --dest-dir=src8 --no-acls >/dev/null &&
	cmp "src8/$F015" "img8/$CATROOT/$F015" &&
	cmp "src8/$M587" "img8/$CATROOT/$M587" &&
	! ls "img8/$CATROOT" | grep -q "Package01[47]\|Package09[89]" &&
	wimgraft verify -s "$S558" -d img8 >out 2>err
'

test_expect_success 'verify: a target whose catalog no longer lists the driver exits 3' '
	cp -a "$FIXTURES/win10-applied" img9 && chmod -R u+w img9 &&
	wimgraft apply -s "$S558" -d img9 >/dev/null 2>&1 &&
	wimlib-imagex extract "$S558" 1 "/$CATROOT/Microsoft-Windows-Server-Features-Package099~$P~amd64~~10.0.20348.9999.cat" \
		--dest-dir=src9 --no-acls >/dev/null &&
	cp src9/*Package099* "img9/$CATROOT/$F015" &&
	test_expect_code 3 wimgraft verify -s "$S558" -d img9 >out 2>err &&
	grep -q "file $SYS would not load: no catalog in the image lists its hash" out &&
	! grep -q "mslbfoprovider.inf would not load" out
'

test_expect_success 'a catalog the target already holds byte-identical is not copied' '
	cp -a "$FIXTURES/win10-applied" img10 && chmod -R u+w img10 &&
	wimlib-imagex extract "$S558" 1 "/$CATROOT/$F015" --dest-dir="img10/$CATROOT" --no-acls >/dev/null &&
	wimgraft apply -s "$S558" -d img10 --json >r.json 2>err &&
	jq -r ".. | objects | select(.path? and (.path | test(\"Package015\"))) | .state? // empty" r.json >st &&
	grep -qx unchanged st &&
	wimgraft remove -d img10 >/dev/null 2>&1 &&
	test -f "img10/$CATROOT/$F015" &&
	! test -f "img10/$CATROOT/$M587"
'

test_expect_success 'extract records file, catalog and hash; the payload as a source chooses the same' '
	wimgraft extract -s "$S3932" -o pl11 >/dev/null 2>&1 &&
	xmllint --xpath "string(//file[@path=\"$SYS\"]/@catalog)" pl11/wimgraft-payload.xml >c &&
	test "$(cat c)" = "$CATROOT/$F016" &&
	xmllint --xpath "string(//file[@path=\"$SYS\"]/@signed-sha256)" pl11/wimgraft-payload.xml >h &&
	wimgraft check -s "$S3932" --json >w.json &&
	test "$(cat h)" = "$(jq -r ".files[] | select(.entry == \"sys\") | .signature.sha256" w.json)" &&
	cmp "pl11/$CATROOT/$F016" "$(wimlib-imagex extract "$S3932" 1 "/$CATROOT/$F016" --dest-dir=src11 --no-acls >/dev/null && echo "src11/$F016")" &&
	wimgraft check -s pl11 --json >p.json &&
	signed_by w.json | sort >a && signed_by p.json | sort >b && cmp a b
'

test_expect_success 'a payload folder whose catalog was damaged is refused' '
	wimgraft extract -s "$S558" -o pl12 >/dev/null 2>&1 &&
	printf "\377" | dd of="pl12/$CATROOT/$F015" bs=1 seek=200 conv=notrunc 2>/dev/null &&
	test_expect_code 1 wimgraft check -s pl12 >out 2>err
'

test_expect_success 'apply -w grafts the same catalogs into a WIM image' '
	wimgraft apply -q -s "$S3932" -w "$FIXTURES/win10.wim" -t 2 -o new.wim 2>err &&
	mkdir got13 want13 &&
	wimlib-imagex extract new.wim 2 "/$CATROOT/$F016" "/$CATROOT/$M3932" --dest-dir=got13 --no-acls >/dev/null &&
	wimlib-imagex extract "$S3932" 1 "/$CATROOT/$F016" "/$CATROOT/$M3932" --dest-dir=want13 --no-acls >/dev/null &&
	cmp "got13/$F016" "want13/$F016" && cmp "got13/$M3932" "want13/$M3932" &&
	wimgraft verify -s "$S3932" -w new.wim -t 2 >out 2>err
'

test_done
