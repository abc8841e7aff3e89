#!/bin/sh
# .ci/deb.sh BUILDDIR - the Debian package, as a distribution builds it:
# the dist tree (make distdir, so the tarball is what is packaged) built
# in-tree by dpkg-buildpackage -us -uc -b with its tests run, then
# lintian on the .deb and the .changes, which must report no error and
# no warning.  The results in BUILDDIR/deb (tests/systemd/run.sh
# installs BUILDDIR/deb/hugetext_*.deb in its rootfs).
set -eu
b=$(cd "${1:?usage: $0 BUILDDIR}" && pwd)

pkgs="dpkg-dev debhelper fakeroot lintian libcriterion-dev libelf-dev \
pkgconf btrfs-progs python3"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing="$missing $p"
done
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
if [ -n "$missing" ]; then
	echo "deb: installing:$missing"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends $missing > /dev/null
fi

out=$b/deb
rm -rf "$out"
mkdir -p "$out"
src=$out/hugetext
make -s -C "$b" distdir distdir="$src" > /dev/null
cd "$src"
t0=$(date +%s)
dpkg-buildpackage -us -uc -b > "$out/build.log" 2>&1 || {
	tail -n 200 "$out/build.log"
	for f in $(find . -name '*.log' -path '*/tests/*' 2>/dev/null); do
		grep -q '^FAIL\|^ERROR' "$f" && { echo "== $f"; tail -n 40 "$f"; }
	done
	exit 1
}
echo "deb: dpkg-buildpackage took $(($(date +%s) - t0)) s"
grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$out/build.log" || :
cd "$out"
rm -rf "$src"
ls -l ./*.deb
lintian --fail-on error,warning --info ./*.changes
echo "deb: lintian clean"
