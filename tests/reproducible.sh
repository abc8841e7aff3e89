#!/bin/sh
# tests/reproducible.sh [SCRATCH] - two builds of the same source in two
# different directories, each installed with make install DESTDIR=...,
# must install the same files byte for byte, and none may name a build
# or source directory.  The flags are a distribution's (dpkg's style:
# -g with -ffile-prefix-map, so debug information names no directory).
# Then one build is configured again with another prefix: what has the
# old paths compiled in must be rebuilt.  Not part of make check (two
# whole builds); .ci/run runs it.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$src/configure" ] || { echo "reproducible: run autoreconf -fi first" >&2; exit 1; }
s=${1:-}
if [ -z "$s" ]; then
	s=$(mktemp -d "${TMPDIR:-/tmp}/hugetext-repro.XXXXXX")
	trap 'rm -rf "$s"' EXIT
fi
fail() { echo "reproducible: FAIL: $*" >&2; exit 1; }

# Build N in $s/buildN-<name> (different names, different lengths).
build() {
	d=$s/$1
	mkdir -p "$d"
	(cd "$d" && "$src/configure" -q --prefix=/usr --sysconfdir=/etc \
		CFLAGS="-g -O2 -ffile-prefix-map=$d=. -ffile-prefix-map=$src=." \
		> configure.log 2>&1 && make -s -j2 > make.log 2>&1 &&
		make -s install DESTDIR="$d/dest" > install.log 2>&1) ||
		fail "build in $d: $(tail -n 5 "$d"/*.log)"
}
t0=$(date +%s)
build a
build bb-other-place
a=$s/a/dest b=$s/bb-other-place/dest
(cd "$a" && find . ! -type d | LC_ALL=C sort) > "$s/a.list"
(cd "$b" && find . ! -type d | LC_ALL=C sort) > "$s/b.list"
cmp -s "$s/a.list" "$s/b.list" ||
	fail "different files installed: $(diff "$s/a.list" "$s/b.list")"
n=0
while read -r f; do
	cmp -s "$a/$f" "$b/$f" || fail "$f differs between the two builds"
	for dir in "$src" "$s/a" "$s/bb-other-place"; do
		! grep -qaF "$dir" "$a/$f" || fail "$f names $dir"
	done
	n=$((n + 1))
done < "$s/a.list"
echo "reproducible: $n installed files identical, no build path in any"

# Another prefix: the launcher's library path and the units follow.
cd "$s/a"
"$src/configure" -q --prefix=/opt/ht \
	CFLAGS="-g -O2 -ffile-prefix-map=$s/a=. -ffile-prefix-map=$src=." \
	> configure.log 2>&1 || fail "configure --prefix=/opt/ht"
make -s -j2 > make.log 2>&1 || fail "rebuild: $(tail -n 5 make.log)"
grep -qaF /opt/ht/lib/hugetext hugetext ||
	fail "hugetext not rebuilt for --prefix=/opt/ht"
! grep -qaF /usr/lib/hugetext hugetext ||
	fail "hugetext still names /usr/lib/hugetext"
grep -qF 'ExecStart=/opt/ht/bin/hugetext' units/hugetext.service ||
	fail "units not remade for --prefix=/opt/ht"
echo "reproducible: another prefix rebuilds the launcher and the units" \
	"($(($(date +%s) - t0)) s)"
