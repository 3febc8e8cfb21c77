#!/bin/sh
# mkdeb.sh - build wimgraft_<version>_<arch>.deb with dpkg-deb, without debhelper: the binary
# built for /usr, the shipped manifests and schemas, the JSON schemas, the man page, the bash
# completion, a copyright file and a changelog; Depends computed by dpkg-shlibdeps.
# usage: sh packaging/mkdeb.sh VERSION BUILD OUTDIR   (BUILD: the build folder of a PREFIX=/usr
# build, as 'make deb' makes it)
set -eu
version=$1 build=$2 outdir=$3
top=$(cd "$(dirname "$0")/.." && pwd)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
maintainer="wimgraft maintainers <maintainers@users.noreply.r-seed-8252eace.example>"
# reproducible: every date and mtime from the last commit (or now, outside git)
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

work=$(mktemp -d "${TMPDIR:-/tmp}/wimgraft-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
umask 022

make -s -C "$top" install DESTDIR="$root" PREFIX=/usr BUILD="$build" >/dev/null
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/wimgraft"
gzip -9n "$root/usr/share/man/man1/wimgraft.1"

doc=$root/usr/share/doc/wimgraft
mkdir -p "$doc"
cp "$top/packaging/copyright" "$doc/copyright"
date=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
{
	printf 'wimgraft (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Release %s, built from commit %s.\n' "$version" \
		"$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	printf '    See /usr/share/doc/wimgraft/README.md.gz for what it does.\n\n'
	printf ' -- %s  %s\n' "$maintainer" "$date"
} | gzip -9n >"$doc/changelog.gz"
gzip -9n <"$top/README.md" >"$doc/README.md.gz"

# Depends from the libraries the binary links, as dpkg-shlibdeps finds them
mkdir -p "$work/src/debian"
printf 'Source: wimgraft\n\nPackage: wimgraft\nArchitecture: %s\n' "$arch" >"$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O -e"$root/usr/bin/wimgraft" 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "error: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

mkdir -p "$root/DEBIAN"
size=$(du -k -s --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: wimgraft
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Recommends: ntfs-3g
Section: admin
Priority: optional
Description: graft Windows Server features into Windows client images, offline
 wimgraft takes the files and registry settings of a Windows Server feature
 (first of all LBFO NIC teaming, MsLbfoProvider) from a Server ISO,
 install.wim, ESD or split WIM, and writes them into a Windows 10/11 image:
 an applied or mounted image folder, or a client install.wim serviced in
 place without applying it. It edits the offline registry hives with hivex,
 validates its XML manifests against their schema, writes atomically, keeps
 an undo record, and describes everything it does in JSON for pipelines.
CONTROL
(cd "$root" && find usr -type f | LC_ALL=C sort | xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 755 {} +
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$outdir"
deb=$outdir/wimgraft_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
