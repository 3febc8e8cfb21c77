#!/bin/sh
# t0003-completion.sh - completion/wimgraft.bash driven through bash's own machinery (COMP_WORDS,
# COMP_CWORD, the function 'complete' registered, compgen): commands, options per command as
# --help lists them, shipped manifest names for -m, 'all' and the -w WIM's indexes for -t.
. "$(dirname "$0")/../lib.sh"
need_cmd bash wimlib-imagex
have_fixtures

COMPLETION=$TOP/completion/wimgraft.bash

# candidates WORD...: the completions bash's registered function gives for the last word,
# sorted, one a line.
candidates() {
	bash -c '
		. "$1" && shift &&
		fn=$(complete -p wimgraft | sed -n "s/.* -F \([^ ]*\) wimgraft$/\1/p") &&
		test -n "$fn" &&
		COMP_WORDS=("$@") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) &&
		COMP_LINE="$*" && COMP_POINT=${#COMP_LINE} &&
		"$fn" wimgraft "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" &&
		for c in "${COMPREPLY[@]}"; do printf "%s\n" "$c"; done | LC_ALL=C sort' sh "$COMPLETION" "$@"
}

test_expect_success 'setup: the binary on PATH as wimgraft' '
	mkdir bin && ln -s "$WIMGRAFT" bin/wimgraft
'
PATH=$TRASH/bin:$PATH
export PATH

test_expect_success 'the script registers a completion function for wimgraft' '
	bash -c ". \"$COMPLETION\" && complete -p wimgraft" | grep -q -- "-F _wimgraft wimgraft$"
'

test_expect_success 'commands: every command of --help, and nothing else' '
	candidates wimgraft "" >got &&
	wimgraft --help | sed -n "s/^  wimgraft \([a-z-]*\) .*/\1/p" | sort -u >want &&
	printf "%s\n" --help --version >>want && LC_ALL=C sort -o want want &&
	cmp got want &&
	candidates wimgraft re >got && grep "^re" want >want.re && cmp got want.re &&
	grep -qx reg-import got && grep -qx remove got
'

test_expect_success 'options per command: those --help lists for it' '
	candidates wimgraft apply --w >got && grep -qx -- --wim got &&
	wimgraft apply --help | grep -o -- "--w[a-z-]*" | LC_ALL=C sort -u >want && cmp got want &&
	candidates wimgraft info -- >got &&
	grep -qx -- --json got && grep -qx -- --no-cache got && ! grep -qx -- --wim got &&
	candidates wimgraft check -- >got && grep -qx -- --source got && ! grep -qx -- --team got &&
	for c in apply extract verify remove reg-import check info; do
		candidates wimgraft $c -- >got &&
		wimgraft $c --help | grep -o -- "--[a-z-]*" | sort -u >want &&
		LC_ALL=C sort -u -o want want && cmp got want || exit 1
	done
'

test_expect_success '-m: the shipped manifests by name' '
	candidates wimgraft apply -m "" >got && grep -qx lbfo got &&
	candidates wimgraft check --manifest lb >got && printf "lbfo\n" >want && cmp got want &&
	mkdir m && cp "$TOP/manifests/lbfo.xml" m/extra.xml && cp "$TOP/manifests/"*.xsd m/ &&
	WIMGRAFT_MANIFEST_DIR=$TRASH/m candidates wimgraft check -m "" >got && grep -qx extra got
'

test_expect_success '-t: all and the image indexes of the WIM given with -w' '
	candidates wimgraft apply -s x -w "$FIXTURES/win10.wim" -t "" >got &&
	count=$(wimlib-imagex info "$FIXTURES/win10.wim" | sed -n "s/^Image Count: *//p") &&
	{ echo all; seq 1 "$count"; } | LC_ALL=C sort >want && cmp got want &&
	candidates wimgraft verify --wim="$FIXTURES/server2019.wim" --target-image "" >got &&
	printf "1\n2\n3\n4\nall\n" >want && cmp got want &&
	candidates wimgraft apply -t "" >got && printf "all\n" >want && cmp got want
'

test_expect_success '-i: the indexes of the -s source; an ISO is never copied out for it' '
	candidates wimgraft check -s "$FIXTURES/server2022.wim" -i "" >got &&
	printf "1\n" >want && cmp got want &&
	cp "$FIXTURES/server2019.wim" notwim.iso && printf "xxxxx" | dd of=notwim.iso conv=notrunc 2>/dev/null &&
	candidates wimgraft check -s notwim.iso -i "" >got && test ! -s got
'

test_expect_success '-w and -d: WIM files and folders' '
	mkdir -p d/sub && touch a.wim b.ESD c.txt d/x.swm &&
	candidates wimgraft apply -w "" >got &&
	grep -qx a.wim got && grep -qx b.ESD got && ! grep -qx c.txt got && grep -qx d got &&
	candidates wimgraft apply -d d/ >got && printf "d/sub\n" >want && cmp got want
'

test_done
