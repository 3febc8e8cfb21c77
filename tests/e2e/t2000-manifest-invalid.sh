#!/bin/sh
# t2000-manifest-invalid.sh - every crafted bad manifest in tests/fixtures/manifests/bad is
# refused by 'check' with exit 2 and one message naming the file and the line its header declares.
. "$(dirname "$0")/../lib.sh"

BAD=$TOP/tests/fixtures/manifests/bad

test_expect_success 'there are at least 20 bad manifests, each declaring its line' '
	n=0 &&
	for f in "$BAD"/*.xml; do
		grep -q "expect-line: [0-9][0-9]*" "$f" || { echo "no expect-line in $f"; return 1; }
		n=$((n + 1))
	done &&
	test "$n" -ge 20
'

test_expect_success 'each bad manifest is described in the fixtures README' '
	for f in "$BAD"/*.xml; do
		grep -qF "| \`$(basename "$f")\` |" "$BAD/../README.md" || { echo "$f undescribed"; return 1; }
	done
'

for f in "$BAD"/*.xml; do
	name=$(basename "$f" .xml)
	line=$(sed -n 's/^ *expect-line: \([0-9][0-9]*\).*/\1/p' "$f")
	text=$(sed -n 's/^ *expect-text: \(.*\)$/\1/p' "$f")
	args=$(sed -n 's/^ *args: *\(.*\) -->$/\1/p' "$f")
	# the body reads $f, $line, $text and $args when it runs, right here
	test_expect_success "$name: exit 2, '$name.xml' line $line" '
		test -n "$line" && test -n "$text" &&
		test_expect_code 2 wimgraft check -m "$f" -s "$TRASH/no-such-source.wim" $args 2>err &&
		test_stderr_names err "'"'"'$f'"'"' line $line: " &&
		test_stderr_names err "$text" &&
		! grep -q "no-such-source" err &&
		! grep -qi "sanitizer\|runtime error" err
	'
done

test_expect_success 'the entity bomb is refused before any expansion (fast, small output)' '
	start=$(date +%s) &&
	test_expect_code 2 wimgraft check -m "$BAD/doctype-entity-bomb.xml" -s x.wim 2>err &&
	end=$(date +%s) &&
	test $((end - start)) -le 5 &&
	test $(wc -c <err) -lt 400
'

test_expect_success 'an external entity never reads the file it names' '
	mkdir -p ext && cp "$BAD/external-entity.xml" ext/m.xml &&
	echo "SECRET-CONTENT-$$" >ext/secret.txt &&
	sed -i "s|file:///etc/passwd|file://$TRASH/ext/secret.txt|" ext/m.xml &&
	test_expect_code 2 wimgraft check -m ext/m.xml -s x.wim >out 2>err &&
	! grep -q "SECRET-CONTENT" out err
'

test_expect_success 'a manifest that is not there exits 2 and names it' '
	test_expect_code 2 wimgraft check -m "$TRASH/none.xml" -s x.wim 2>err &&
	test_stderr_names err "none.xml"
'

test_expect_success 'an unknown shipped manifest name exits 2' '
	test_expect_code 2 wimgraft check -m nosuchfeature -s x.wim 2>err &&
	test_stderr_names err "nosuchfeature"
'

test_expect_success 'a shipped name cannot climb out of the manifest folder' '
	test_expect_code 2 wimgraft check -m "..\\lbfo" -s x.wim 2>err &&
	test_stderr_names err "neither a manifest file nor the name of a shipped manifest"
'

test_expect_success 'an unknown -D on the shipped manifest exits 2 and names the line' '
	test_expect_code 2 wimgraft check -s x.wim -D colour=blue 2>err &&
	test_stderr_names err "lbfo.xml'"'"' line 14: -D colour=blue" &&
	test_stderr_names err "(it has: lang, start)"
'

test_expect_success '-D lang with a path in it is refused' '
	test_expect_code 2 wimgraft check -s x.wim -D lang=../../etc 2>err &&
	test_stderr_names err "lang=../../etc"
'

test_expect_success 'a manifest over 1 MiB exits 2 and names it; exactly 1 MiB is read' '
	{ printf "<?xml version=\"1.0\"?>\n<!-- " && head -c 1048576 /dev/zero | tr "\\0" x && printf " -->\n"; } >big.xml &&
	test_expect_code 2 wimgraft check -m big.xml -s x.wim 2>err &&
	test_stderr_names err "big.xml'"'"' is too large (over 1048576 bytes)" &&
	head -c 1048576 big.xml >edge.xml &&
	test_expect_code 2 wimgraft check -m edge.xml -s x.wim 2>err &&
	! grep -q "too large" err
'

test_done
