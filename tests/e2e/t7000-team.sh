#!/bin/sh
# t7000-team.sh - apply --team: every bad team file refused with exit 2 naming its line and no
# change; the team script written, verified, replaced and removed in a folder and in every image
# of a WIM, the result compared with the original by sha256sum and hivexregedit --export.
. "$(dirname "$0")/../lib.sh"
need_cmd wimlib-imagex hivexregedit jq
have_fixtures

SRC=$FIXTURES/server2019.wim
BAD=$TOP/tests/fixtures/team/bad
TEAM=$TOP/samples/team.xml
PS1=Windows/Setup/Scripts/wimgraft-teams.ps1
CFG=Windows/System32/config

# A folder's files (hives and wimgraft's log folder aside) by sha256, and its hives as exported.
snapshot() {
	(cd "$1" && find . -path ./Windows/Logs/wimgraft -prune -o \( -type f -o -type d \) ! -path "./$CFG/*" -printf '%y %m %p\n' | LC_ALL=C sort &&
		find . -path ./Windows/Logs/wimgraft -prune -o -type f ! -path "./$CFG/*" -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) >"$2" &&
	for h in SYSTEM SOFTWARE DRIVERS; do
		hivexregedit --export "$1/$CFG/$h" '\' >>"$2" || return 1
	done
}

test_expect_success 'setup: an image folder and a client WIM, with their snapshots' '
	cp -a "$FIXTURES/win10-applied" orig && snapshot orig orig.snap &&
	grep -q "^f .*/Windows/System32/" orig.snap && grep -q "^.\\\\ControlSet001\]" orig.snap &&
	(cd orig && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) >orig.all &&
	cp "$FIXTURES/win10.wim" orig.wim && sha256sum orig.wim >wim.sum
'

for f in "$BAD"/*.xml; do
	name=$(basename "$f" .xml)
	line=$(sed -n 's/^ *expect-line: \([0-9][0-9]*\).*/\1/p' "$f")
	text=$(sed -n 's/^ *expect-text: \(.*\) -->$/\1/p' "$f")
	test_expect_success "$name: exit 2, line $line, folder and WIM untouched" '
		test -n "$line" && test -n "$text" &&
		test_expect_code 2 wimgraft apply --team "$f" -s "$SRC" -i 4 -d orig >out 2>err &&
		test_stderr_names err "'"'"'$f'"'"' line $line: " &&
		test_stderr_names err "$text" &&
		test_expect_code 2 wimgraft apply --team "$f" -s "$SRC" -i 4 -w orig.wim -t all >out 2>err &&
		test_stderr_names err "line $line: " &&
		test_expect_code 2 wimgraft verify --team "$f" -d orig >out 2>err &&
		! grep -qi "sanitizer\|runtime error" err
	'
done

test_expect_success 'after every bad team file, the folder and the WIM are byte-identical' '
	(cd orig && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | cmp - orig.all &&
	sha256sum -c --quiet wim.sum &&
	test ! -e orig/Windows/Logs/wimgraft
'

test_expect_success 'a missing team file exits 2 and names it' '
	test_expect_code 2 wimgraft apply --team nosuch.xml -s "$SRC" -i 4 -d orig >out 2>err &&
	test_stderr_names err "nosuch.xml"
'

test_expect_success '--team is refused by the commands it does not apply to' '
	test_expect_code 2 wimgraft remove --team "$TEAM" -d orig 2>err &&
	test_stderr_names err "--team" &&
	test_expect_code 2 wimgraft check --team "$TEAM" -s "$SRC" 2>err
'

test_expect_success '--dry-run with --team plans the script and writes nothing' '
	cp -a orig dry &&
	wimgraft apply --dry-run --json --team "$TEAM" -s "$SRC" -i 4 -d dry >plan.json 2>err &&
	jq -e ".targets[0].files[] | select(.path == \"$PS1\") | .state == \"new\"" plan.json &&
	jq -e ".targets[0].team_file == \"$TEAM\"" plan.json &&
	grep -q "team '"'"'Team1'"'"': SwitchIndependent, Dynamic, 2 to 4 members by 2 rules, one standby, 1 VLAN" err &&
	wimgraft extract --dry-run --team "$TEAM" -s "$SRC" -i 4 -o never >out 2>err &&
	grep -q "$PS1" out && test ! -e never &&
	test_expect_code 2 wimgraft extract --team "$BAD/vlan-zero.xml" -s "$SRC" -i 4 -o never 2>err &&
	test ! -e never &&
	test ! -e dry/$PS1 && test ! -e dry/Windows/Logs/wimgraft
'

test_expect_success 'apply --team writes the script the team file gives, in the undo record' '
	cp -a orig d &&
	wimgraft apply --team "$TEAM" -s "$SRC" -i 4 -d d >out 2>err &&
	grep -q "new .*$PS1" out &&
	test -f d/$PS1 &&
	head -c 3 d/$PS1 | od -An -tx1 | grep -q "ef bb bf" &&
	grep -q "^        Name = '"'"'Team1'"'"'" d/$PS1 &&
	jq -e ".files[] | select(.path == \"$PS1\") | .action == \"added\"" d/Windows/Logs/wimgraft/lbfo.undo.json &&
	wimgraft verify -d d >out &&
	wimgraft verify --team "$TEAM" -d d >out &&
	sha256sum d/$PS1 >team1.sum
'

test_expect_success 'extract --team gives the same script, and the team file, in the payload folder' '
	wimgraft extract --team "$TEAM" -s "$SRC" -i 4 -o payload >out 2>err &&
	cmp payload/$PS1 d/$PS1 &&
	cmp payload/wimgraft-team.xml "$TEAM" &&
	wimgraft check -s payload >out 2>err
'

test_expect_success 'a second apply with the same team changes nothing; without --team the script stays' '
	snapshot d d.snap1 && ! cmp -s orig.snap d.snap1 &&
	sha256sum d/Windows/Logs/wimgraft/lbfo.undo.json >rec.sum &&
	wimgraft apply --team "$TEAM" -s "$SRC" -i 4 -d d >out 2>err &&
	grep -q "nothing to do" out &&
	wimgraft apply -s "$SRC" -i 4 -d d >out 2>err &&
	snapshot d d.snap2 && cmp d.snap1 d.snap2 && sha256sum -c --quiet rec.sum team1.sum
'

test_expect_success 'another team file replaces the script; verify tells the two apart' '
	sed "s/Team1/Backbone/g" "$TEAM" >other.xml &&
	test_expect_code 3 wimgraft verify --team other.xml -d d >out 2>err &&
	grep -q "wimgraft-teams.ps1" out &&
	wimgraft apply --team other.xml -s "$SRC" -i 4 -d d >out 2>err &&
	grep -q "replaces .*$PS1" out &&
	grep -q "Backbone" d/$PS1 &&
	wimgraft verify --team other.xml -d d >out &&
	test_expect_code 3 wimgraft verify --team "$TEAM" -d d >out 2>err
'

test_expect_success 'remove takes the script out: the folder is as it was, hives included' '
	wimgraft remove --dry-run -d d >out 2>err &&
	grep -q "delete .*$PS1" out && test -f d/$PS1 &&
	wimgraft remove -d d >out 2>err &&
	test ! -e d/$PS1 &&
	snapshot d d.snap && cmp orig.snap d.snap
'

test_expect_success 'a script that was there before is backed up, replaced, and restored by remove' '
	cp -a orig own && mkdir -p own/Windows/Setup/Scripts &&
	printf "Write-Host mine\r\n" >own/$PS1 && snapshot own own.snap &&
	wimgraft apply --team "$TEAM" -s "$SRC" -i 4 -d own >out 2>err &&
	grep -q "replaces .*$PS1" out &&
	wimgraft apply --team other.xml -s "$SRC" -i 4 -d own >out 2>err &&
	wimgraft remove -d own >out 2>err &&
	test "$(cat own/$PS1)" = "$(printf "Write-Host mine\r\n")" &&
	snapshot own own.snap2 && cmp own.snap own.snap2
'

# The image as files: applied with wimlib-imagex, then snapshot.
wim_snapshot() {
	rm -rf "ws.$2" && mkdir "ws.$2" &&
	wimlib-imagex apply "$1" "$2" "ws.$2" >/dev/null 2>&1 &&
	test -f "ws.$2/$CFG/SYSTEM" && snapshot "ws.$2" "$3"
}

test_expect_success 'apply --team -t all writes the script into every image; verify --team agrees' '
	cp orig.wim w.wim &&
	n=$(wimlib-imagex info w.wim | sed -n "s/^Image Count: *//p") && test "$n" -ge 2 &&
	for i in $(seq 1 $n); do wim_snapshot w.wim $i w.orig.$i || return 1; done &&
	wimgraft apply --team "$TEAM" -s "$SRC" -i 4 -w w.wim -t all >out 2>err &&
	wimlib-imagex verify w.wim >/dev/null 2>&1 &&
	for i in $(seq 1 $n); do
		rm -rf x && wimlib-imagex extract w.wim $i /$PS1 --dest-dir=x --no-acls >/dev/null 2>&1 &&
		sha256sum x/wimgraft-teams.ps1 | cut -d" " -f1 | grep -qx "$(cut -d" " -f1 team1.sum)" || return 1
	done &&
	wimgraft verify --team "$TEAM" -w w.wim -t all >out &&
	wim_snapshot w.wim 1 w.applied.1 && ! cmp -s w.orig.1 w.applied.1 &&
	test_expect_code 3 wimgraft verify --team other.xml -w w.wim -t all >out 2>err
'

test_expect_success 'in a WIM too, another team replaces it and remove restores every image' '
	wimgraft apply --team other.xml -s "$SRC" -i 4 -w w.wim -t all >out 2>err &&
	wimgraft verify --team other.xml -w w.wim -t all >out &&
	wimgraft remove -w w.wim -t all >out 2>err &&
	wimlib-imagex verify w.wim >/dev/null 2>&1 &&
	for i in $(seq 1 $n); do
		wim_snapshot w.wim $i w.after.$i && cmp w.orig.$i w.after.$i || return 1
	done
'

test_done
