#!/bin/sh
# t1000-info.sh - 'wimgraft info' agrees with 'wimlib-imagex info' on every fixture image,
# and refuses files that are not WIMs, truncated WIMs and incomplete split WIMs.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex
have_fixtures

# Compare one field of our JSON with wimlib-imagex's text for every image of a WIM.
compare_with_wimlib() {
	wim=$1
	wimgraft info --json "$wim" >ours.json &&
	count=$(wimlib-imagex info "$wim" | sed -n 's/^Image Count: *//p') &&
	test "$count" -ge 1 &&
	test "$(jq_count ours.json)" = "$count" &&
	i=1 &&
	while [ $i -le "$count" ]; do
		wimlib-imagex info "$wim" $i >theirs.txt &&
		field() { sed -n "s/^$1: *//p" theirs.txt | sed 's/ *$//'; } &&
		test "$(ours $i name)" = "$(field Name)" &&
		test "$(ours $i edition)" = "$(field 'Edition ID')" &&
		test "$(ours $i installation_type)" = "$(field 'Installation Type')" &&
		test "$(ours $i file_count)" = "$(field 'File Count')" &&
		test "$(ours $i total_bytes)" = "$(field 'Total Bytes')" &&
		test "$(ours $i version)" = "$(field 'Major Version').$(field 'Minor Version').$(field Build).$(field 'Service Pack Build')" &&
		test "$(ours $i languages)" = "$(field Languages)" &&
		case "$(field Architecture)" in
		x86_64) test "$(ours $i architecture)" = amd64 ;;
		*) false ;;
		esac || return 1
		i=$((i + 1))
	done
}

# Tiny JSON readers that do not use our code: python's json module.
jq_count() {
	python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["images"]))' "$1"
}
ours() {
	python3 -c 'import json,sys
v = json.load(open("ours.json"))["images"][int(sys.argv[1]) - 1][sys.argv[2]]
print(" ".join(v) if isinstance(v, list) else v)' "$1" "$2"
}

need_cmd python3

for w in server2019.wim server2019.esd server2019.swm server2022.wim win10.wim; do
	test_expect_success "info on $w agrees with wimlib-imagex info" "
		compare_with_wimlib '$FIXTURES/$w'
	"
done

test_expect_success 'the table has one row per image' '
	wimgraft info "$FIXTURES/server2019.wim" >out &&
	test $(wc -l <out) = 5 &&
	grep -q "^4  *Windows Server 2019 SERVERDATACENTER  *ServerDatacenter  *Server  *amd64  *10.0.17763.1  *en-US" out
'

test_expect_success 'a file that is not a WIM: one line naming it, exit 1' '
	printf "hello" >notawim.wim &&
	test_expect_code 1 wimgraft info notawim.wim 2>err &&
	test $(wc -l <err) = 1 &&
	test_stderr_names err "notawim.wim" &&
	test_stderr_names err "not a valid WIM"
'

test_expect_success 'a truncated WIM: one line naming it, exit 1' '
	head -c 400000 "$FIXTURES/server2019.wim" >trunc.wim &&
	test_expect_code 1 wimgraft info trunc.wim 2>err &&
	test $(wc -l <err) = 1 &&
	test_stderr_names err "trunc.wim"
'

test_expect_success 'a split WIM with a missing part: names the part, exit 1' '
	mkdir split && cp "$FIXTURES/server2019.swm" split/ &&
	test_expect_code 1 wimgraft info split/server2019.swm 2>err &&
	test $(wc -l <err) = 1 &&
	test_stderr_names err "missing part 2 of 2"
'

test_expect_success 'a later split part alone is refused' '
	test_expect_code 1 wimgraft info "$FIXTURES/server20192.swm" 2>err &&
	test_stderr_names err "give the first part"
'

test_expect_success 'a missing file: exit 1 naming it' '
	test_expect_code 1 wimgraft info nosuch.wim 2>err &&
	test_stderr_names err "nosuch.wim"
'

test_expect_success 'info without SOURCE is a usage error' '
	test_expect_code 2 wimgraft info 2>err
'

test_done
