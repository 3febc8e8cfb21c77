#!/bin/sh
# t0001-install.sh - 'make install' lays out the binary, the shipped manifests with their schema,
# and a man page that renders; the installed binary finds its manifests.
. "$(dirname "$0")/../lib.sh"
need_cmd make man

test_expect_success 'make install into a staging root' '
	make -s -C "$TOP" install DESTDIR="$TRASH/root" PREFIX=/usr >out 2>&1 &&
	test -x root/usr/bin/wimgraft &&
	test -f root/usr/share/wimgraft/manifests/lbfo.xml &&
	test -f root/usr/share/wimgraft/manifests/wimgraft-manifest.xsd &&
	test -f root/usr/share/wimgraft/manifests/wimgraft-team.xsd &&
	test -f root/usr/share/man/man1/wimgraft.1 &&
	test -f root/usr/share/wimgraft/json/apply.schema.json &&
	test -f root/usr/share/bash-completion/completions/wimgraft
'

test_expect_success 'the man page renders and names every command' '
	MANWIDTH=100 man -l root/usr/share/man/man1/wimgraft.1 >page 2>/dev/null &&
	for c in info check extract apply verify remove reg-import; do
		grep -q "wimgraft $c" page || exit 1
	done
'

test_expect_success 'the installed binary runs' '
	root/usr/bin/wimgraft --version | grep -q "^wimgraft "
'

test_expect_success 'the installed binary finds its shipped manifest under any prefix' '
	env -u WIMGRAFT_MANIFEST_DIR root/usr/bin/wimgraft check -s "$FIXTURES/server2019.wim" -i 4 >out 2>err
'

test_expect_success 'make uninstall removes what install laid out' '
	make -s -C "$TOP" uninstall DESTDIR="$TRASH/root" PREFIX=/usr >out 2>&1 &&
	test ! -e root/usr/bin/wimgraft && test ! -e root/usr/share/wimgraft
'

test_done
