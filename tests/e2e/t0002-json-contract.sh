#!/bin/sh
# t0002-json-contract.sh - the --json contract: a draft 2020-12 schema for every command that
# takes --json, each document naming its schema and format, a validator (python3-jsonschema)
# that refuses documents breaking it, and the suite's wrapper failing a test on such a document.
. "$(dirname "$0")/../lib.sh"
need_cmd jq
have_fixtures

V="$JSON_PYTHON $TOP/tests/json-validate"
S19=$FIXTURES/server2019.wim

test_expect_success 'the schemas are valid draft 2020-12 schemas with the ids documents name' '
	$V --check &&
	ls "$TOP"/doc/json/*.schema.json >list &&
	test $(wc -l <list) -ge 8
'

test_expect_success 'every command that takes --json has a schema' '
	"$WIMGRAFT" --help | sed -n "s/^  wimgraft \([a-z-]*\) .*/\1/p" | sort -u >commands &&
	test $(wc -l <commands) -ge 7 &&
	while read c; do
		"$WIMGRAFT" $c --help | grep -q -- "--json" || continue
		test -f "$TOP/doc/json/$c.schema.json" || { echo "no doc/json/$c.schema.json" >&2; exit 1; }
	done <commands
'

test_expect_success 'documents name their schema and format' '
	wimgraft info --json "$S19" >info.json &&
	test "$(jq -r .schema info.json)" = urn:wimgraft:json:info &&
	test "$(jq -r .format info.json)" = 1 &&
	wimgraft check --json -s "$S19" -i 4 >check.json &&
	test "$(jq -r .schema check.json)" = urn:wimgraft:json:check &&
	cp -a "$FIXTURES/win10-applied" img &&
	wimgraft apply --json -n -s "$S19" -i 4 -d img >apply.json 2>/dev/null &&
	test "$(jq -r ".schema, .format, .command" apply.json | tr "\n" " ")" = "urn:wimgraft:json:apply 1 apply " &&
	test_expect_code 3 wimgraft verify --json -d img >verify.json &&
	jq -e ".schema == \"urn:wimgraft:json:verify\" and .ok == false and .exit_status == 3" verify.json
'

# refused DOC FILTER WHAT: the validator refuses the document changed by a jq filter, naming WHAT.
refused() {
	jq "$2" "$1" >bad.json &&
	test_expect_code 1 $V bad.json 2>why &&
	grep -q -- "$3" why || { cat why >&2; return 1; }
}

test_expect_success 'the validator refuses documents that break the contract' '
	$V info.json check.json apply.json verify.json &&
	refused info.json "del(.images[0].index)" "index" &&
	refused info.json ".images[0].total_bytes = \"12\"" "total_bytes" &&
	refused info.json ".format = 2" "format" &&
	refused info.json "del(.schema)" "names no wimgraft schema" &&
	refused info.json ".schema = \"urn:wimgraft:json:nosuch\"" "no nosuch.schema.json" &&
	refused check.json ".files[0].sha1 = \"XYZ\"" "files/0/sha1" &&
	refused check.json ".files[0].status = \"found\"" "files/0/status" &&
	refused check.json "del(.files[0].path)" "path" &&
	refused apply.json ".exit_status = 3" "exit_status" &&
	refused apply.json ".ok = false" "error" &&
	refused apply.json ".targets[0].files[0].state = \"replaces\"" "old_sha1" &&
	refused apply.json "del(.targets[0].changes)" "changes" &&
	refused verify.json ".targets[0].differences = []" "differences" &&
	printf "not json" >bad.json && test_expect_code 1 $V bad.json 2>why &&
	grep -q "not one JSON document" why
'

test_expect_success 'fields added to a document keep it valid' '
	jq ".new_field = 1 | .targets[0].another = {\"x\": true} | .targets[0].files[0].extra = \"y\"" \
		apply.json >more.json &&
	$V more.json
'

test_expect_success 'the suite fails a test whose --json document breaks its schema' '
	printf "#!/bin/sh\necho \"{\\\"schema\\\": \\\"urn:wimgraft:json:info\\\", \\\"format\\\": 1}\"\n" >fake &&
	chmod +x fake &&
	WIMGRAFT=$TRASH/fake &&
	wimgraft info --json x >out &&
	! json_check_kept >problems 2>&1 &&
	grep -q "wimgraft info --json x" problems &&
	grep -q "required property" problems
'

test_expect_success 'make install lays the schemas out beside the manifests' '
	make -s -C "$TOP" install DESTDIR="$TRASH/root" PREFIX=/usr >out 2>&1 &&
	for f in "$TOP"/doc/json/*.schema.json; do
		cmp "$f" "root/usr/share/wimgraft/json/$(basename "$f")" || exit 1
	done &&
	$V --schemas root/usr/share/wimgraft/json info.json
'

test_done
