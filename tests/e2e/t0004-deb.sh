#!/bin/sh
# t0004-deb.sh - 'make deb': the package's Depends cover every library the binary links (read
# with objdump and dpkg -S), lintian finds no error or warning, and the binary unpacked with
# 'dpkg -x' into a scratch root runs with its installed manifests, schemas and completion.
. "$(dirname "$0")/../lib.sh"
need_cmd dpkg-deb dpkg-shlibdeps objdump
have_fixtures
case "$WIMGRAFT" in
*/asan/*) test_skip_script "the package is built and checked once, in the plain pass" ;;
esac

S19=$FIXTURES/server2019.wim

# The package owning a library file (as dpkg -S knows it, with or without the /usr merge).
pkg_of() {
	for p in "$1" "$(readlink -f "$1")" "/usr$1" "${1#/usr}"; do
		owner=$(dpkg -S "$p" 2>/dev/null | head -n 1 | cut -d: -f1)
		[ -n "$owner" ] && { echo "$owner"; return 0; }
	done
	return 1
}

test_expect_success 'make deb builds wimgraft_<version>_amd64.deb' '
	make -s -C "$TOP" deb >out 2>err &&
	deb=$TOP/$(tail -n 1 out) &&
	version=$("$WIMGRAFT" --version | sed -n "s/^wimgraft \([^ ]*\) .*/\1/p") &&
	test "$(basename "$deb")" = "wimgraft_${version}_amd64.deb" &&
	cp "$deb" pkg.deb &&
	dpkg-deb -I pkg.deb >info &&
	grep -q "^ Package: wimgraft$" info &&
	grep -q "^ Version: $version$" info &&
	grep -q "^ Architecture: amd64$" info
'

test_expect_success 'Depends names the package of every library the binary links' '
	dpkg-deb -f pkg.deb Depends | tr "," "\n" | sed "s/^ *//; s/ .*//" >depends &&
	dpkg -x pkg.deb root &&
	objdump -p root/usr/bin/wimgraft | sed -n "s/^ *NEEDED *//p" >needed &&
	test $(wc -l <needed) -ge 6 &&
	while read lib; do
		path=$(ldconfig -p | sed -n "s/^[[:space:]]*$lib (libc6,x86-64) => //p" | head -n 1) &&
		test -n "$path" &&
		pkg=$(pkg_of "$path") && test -n "$pkg" &&
		grep -qx "$pkg" depends || { echo "$lib ($pkg) is not in Depends" >&2; exit 1; }
	done <needed &&
	grep -qx libudfread0 depends && grep -qx libwim15 depends && grep -qx libhivex0 depends
'

test_expect_success 'the package holds the binary, manifests, schemas, man page, completion, copyright, changelog' '
	dpkg-deb -c pkg.deb | sed "s/.* \.\//\//" >files &&
	for f in /usr/bin/wimgraft /usr/share/wimgraft/manifests/lbfo.xml \
		/usr/share/wimgraft/manifests/wimgraft-manifest.xsd \
		/usr/share/wimgraft/json/apply.schema.json /usr/share/man/man1/wimgraft.1.gz \
		/usr/share/bash-completion/completions/wimgraft /usr/share/doc/wimgraft/copyright \
		/usr/share/doc/wimgraft/changelog.gz; do
		grep -qx "$f" files || { echo "missing $f" >&2; exit 1; }
	done &&
	zcat root/usr/share/doc/wimgraft/changelog.gz | head -n 1 | grep -q "^wimgraft (" &&
	MANWIDTH=100 man -l root/usr/share/man/man1/wimgraft.1.gz 2>/dev/null | grep -q "wimgraft apply"
'

test_expect_success 'lintian finds no error and no warning' '
	command -v lintian >/dev/null || { echo "lintian is not installed" >&2; exit 1; }
	test -s pkg.deb &&
	{ lintian --pedantic pkg.deb >lint 2>lint.err; test $? -le 1; } &&
	! grep -E "^(E|W):" lint
'

test_expect_success 'the unpacked binary finds its installed manifests and checks a source' '
	env -u WIMGRAFT_MANIFEST_DIR root/usr/bin/wimgraft check --json -s "$S19" -i 4 >check.json 2>err &&
	manifest=$(jq -r .manifest.path check.json) &&
	test "$(readlink -f "$manifest")" = "$(readlink -f root/usr/share/wimgraft/manifests/lbfo.xml)" &&
	"$JSON_PYTHON" "$TOP/tests/json-validate" --schemas root/usr/share/wimgraft/json check.json
'

test_expect_success 'the unpacked binary applies and verifies the feature' '
	cp -a "$FIXTURES/win10-applied" img &&
	env -u WIMGRAFT_MANIFEST_DIR root/usr/bin/wimgraft apply -s "$S19" -i 4 -d img >out 2>err &&
	env -u WIMGRAFT_MANIFEST_DIR root/usr/bin/wimgraft verify -d img >out 2>err &&
	check_seed_values img/Windows/System32/config/SYSTEM
'

test_expect_success 'the installed completion completes the installed manifests' '
	bash -c ". root/usr/share/bash-completion/completions/wimgraft &&
		COMP_WORDS=(\"$TRASH/root/usr/bin/wimgraft\" apply -m l) && COMP_CWORD=3 &&
		unset WIMGRAFT_MANIFEST_DIR && _wimgraft && echo \"\${COMPREPLY[*]}\"" >got &&
	grep -qw lbfo got
'

test_done
