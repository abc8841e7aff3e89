#!/bin/sh
# build.sh demo|check|sanitize - install what is missing (Debian
# packages), build hugetext out of tree in ./build, then run the demo or
# the test suite.
#
#   ./build.sh demo      run a generated 48 MiB-text program under
#                        'hugetext --verbose' and show the report
#   ./build.sh check     run the whole test suite (make check)
#   ./build.sh sanitize  the test suite built with ASan and UBSan, in
#                        ./build-san (tests/sanitize.sh)
set -eu

cd "$(dirname "$0")"
top=$(pwd)
what=${1:-}
case $what in
demo|check|sanitize) ;;
*)
	echo "usage: $0 demo|check|sanitize" >&2
	exit 2
	;;
esac

pkgs="build-essential autoconf automake libtool pkgconf libelf-dev \
libcriterion-dev"
# mkfs.btrfs, for the btrfs test (it skips without it).
[ "$what" = demo ] || pkgs="$pkgs btrfs-progs"
# The sanitizer runtimes (gcc's own; libgcc-12-dev has the link files).
[ "$what" != sanitize ] || pkgs="$pkgs libasan8 libubsan1 libgcc-12-dev"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "build.sh: installing:$missing"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends $missing >/dev/null
fi

[ -x configure ] && [ configure -nt configure.ac ] && \
	[ Makefile.in -nt Makefile.am ] || autoreconf -fi >/dev/null 2>&1
# Its own build directory, ./build-san; 2 jobs (ASan builds are heavy).
[ "$what" != sanitize ] || exec sh tests/sanitize.sh "$top/build-san"
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q
jobs=$(nproc 2>/dev/null || echo 2)
make -s -j"$jobs"
case $what in
demo)
	make -s demo
	;;
check)
	make -s -j"$jobs" check || {
		cat tests/*/*.log 2>/dev/null | tail -n 200
		exit 1
	}
	;;
esac
