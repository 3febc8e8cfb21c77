#!/bin/sh
# t4050-undo-hostile.sh - the undo record is input, not truth: an edited or damaged record
# (a hive named as an added file, '..', absolute paths, symbolic links, nulls, wrong types)
# is refused by remove, verify and apply with exit 1 naming the record and the field, and
# neither the image nor anything beside it changes (sha256sum of both trees).
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex jq sha256sum
have_fixtures

SRC=$FIXTURES/server2019.wim
REC=Windows/Logs/wimgraft/lbfo.undo.json
ZERO=0000000000000000000000000000000000000000

test_expect_success 'setup: LBFO applied to a folder, and a folder beside it' '
	cp -a "$FIXTURES/win10-applied" img &&
	wimgraft apply -q -s "$SRC" -i 4 -d img &&
	jq -e ".files | length > 3" img/$REC >/dev/null &&
	mkdir outside && echo "not the image" >outside/keep.txt
'

# hostile NAME FIELD JQ-FILTER [COMMAND]: edit the record with jq in a copy of the image; the
# command (default: remove) exits 1 naming the record and FIELD; nothing changes.
hostile() {
	rm -rf "$1" && cp -a img "$1" &&
	jq "$3" img/$REC >"$1/$REC" &&
	tree_sum "$1" >"$1.before" && tree_sum outside >"$1.outside" &&
	test_expect_code 1 wimgraft ${4:-remove} -d "$1" >out 2>err &&
	test_stderr_names err "lbfo.undo.json" && test_stderr_names err "'$2'" &&
	test $(grep -c "^error:" err) -le 2 &&
	tree_sum "$1" >"$1.after" && cmp "$1.before" "$1.after" &&
	tree_sum outside >"$1.outside2" && cmp "$1.outside" "$1.outside2"
}

test_expect_success 'a hive named as an added file is refused; SOFTWARE stays' '
	n=$(jq ".files | length" img/$REC) &&
	hostile sw "files[$n].path" ".files += [{path: \"Windows/System32/config/SOFTWARE\", action: \"added\", size: 1, sha1: \"$ZERO\"}]" &&
	test_stderr_names err "hive" && test -f sw/Windows/System32/config/SOFTWARE
'

test_expect_success 'a hive in another case, or its log, is refused too' '
	hostile sw2 "files[0].path" ".files[0].path = \"windows/system32/CONFIG/system\"" &&
	hostile sw3 "files[0].path" ".files[0].path = \"Windows/System32/config/SAM.LOG1\""
'

test_expect_success "'..' in a file path, a backup path or a created folder is refused" '
	hostile dd1 "files[0].path" ".files[0].path = \"../outside/keep.txt\"" &&
	hostile dd2 "files[0].path" ".files[0].path = \"Windows/../../outside/keep.txt\"" &&
	hostile dd3 "created_dirs[0]" ".created_dirs = [\"Windows/..\"] + .created_dirs"
'

test_expect_success 'absolute paths are refused' '
	abs=$(cd outside && pwd) &&
	hostile ab1 "files[1].path" ".files[1].path = \"$abs/keep.txt\"" &&
	hostile ab2 "created_dirs[0]" ".created_dirs = [\"$abs\"]"
'

test_expect_success 'a backup outside the feature'\''s backup folder is refused' '
	hostile bk "files[0].backup" ".files[0] += {action: \"replaced\", backup: \"Windows/System32/big.dat\", old_size: 1, old_sha1: \"$ZERO\"}"
'

test_expect_success 'symbolic links on a recorded path are refused before anything changes' '
	rm -rf ln && cp -a img ln && ln -s "$(cd outside && pwd)" ln/Windows/out &&
	jq ".created_dirs += [\"Windows/out/sub\", \"Windows/out\"]" img/$REC >ln/$REC &&
	mkdir outside/sub &&
	tree_sum ln >ln.before && tree_sum outside >ln.outside &&
	test_expect_code 1 wimgraft remove -d ln 2>err &&
	test_stderr_names err "lbfo.undo.json" && test_stderr_names err "created_dirs[" &&
	tree_sum ln >ln.after && cmp ln.before ln.after &&
	tree_sum outside >ln.outside2 && cmp ln.outside ln.outside2 &&
	test -d outside/sub && rmdir outside/sub
'

test_expect_success 'a symbolic link as a recorded file is refused' '
	rm -rf ln2 && cp -a img ln2 &&
	f=$(jq -r ".files[0].path" img/$REC) &&
	rm ln2/$f && ln -s "$(cd outside && pwd)/keep.txt" ln2/$f &&
	cp img/$REC ln2/$REC &&
	tree_sum ln2 >ln2.before &&
	test_expect_code 1 wimgraft remove -d ln2 2>err &&
	test_stderr_names err "files[0]" &&
	tree_sum ln2 >ln2.after && cmp ln2.before ln2.after && test -f outside/keep.txt
'

test_expect_success 'a null among the first-boot commands: exit 1 from remove, verify and apply' '
	hostile n1 "first_boot.commands[0]" ".first_boot.commands = [null]" &&
	hostile n2 "first_boot.commands[1]" ".first_boot.commands = [\"echo\", null]" verify &&
	rm -rf n3 && cp -a img n3 && jq ".first_boot.commands = [null]" img/$REC >n3/$REC &&
	tree_sum n3 >n3.before &&
	test_expect_code 1 wimgraft apply -s "$SRC" -i 4 -d n3 2>err &&
	test_stderr_names err "first_boot.commands[0]" &&
	tree_sum n3 >n3.after && cmp n3.before n3.after
'

test_expect_success 'nulls and wrong types where values belong are refused' '
	hostile t1 "files[0].path" ".files[0].path = null" &&
	hostile t2 "files" ".files = {}" &&
	hostile t3 "files[2].size" ".files[2].size = \"12\"" &&
	hostile t4 "format" ".format = \"1\"" &&
	hostile t5 "files[0].action" ".files[0].action = \"deleted\"" &&
	hostile t6 "files[0].sha1" ".files[0].sha1 = 42" &&
	hostile t7 "created_dirs[0]" ".created_dirs = [7]" &&
	hostile t8 "first_boot" ".first_boot = []" &&
	hostile t9 "feature" ".feature = \"../x\"" &&
	hostile t10 "files[1].size" ".files[1].size = -5" &&
	hostile t11 "files[3].path" ".files[3].path = \"Windows/a\\u0000b\"" &&
	hostile t12 "files[1].path" ".files[1].path = .files[0].path"
'

test_expect_success 'a record that is not JSON, or has text after it, is refused' '
	rm -rf j && cp -a img j && printf "{\"format\": 1, " >j/$REC &&
	tree_sum j >j.before &&
	test_expect_code 1 wimgraft remove -d j 2>err && test_stderr_names err "not valid JSON" &&
	cat img/$REC >j/$REC && echo "{}" >>j/$REC &&
	test_expect_code 1 wimgraft remove -d j 2>err && test_stderr_names err "after the end" &&
	printf "{\"format\": 1, " >j/$REC && tree_sum j >j.after && cmp j.before j.after
'

test_expect_success 'the untouched record still removes everything' '
	wimgraft remove -q -d img &&
	test ! -e img/$REC && test ! -e img/Windows/System32/drivers/MsLbfoProvider.sys
'

test_done
