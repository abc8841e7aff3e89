#!/bin/sh
# build-kernel.sh CACHEDIR - build (once) a small Linux 6.12 with
# CONFIG_READ_ONLY_THP_FOR_FS from Debian's linux-source-6.12, and print
# the path of its bzImage on stdout.
#
# The kernel is `make tinyconfig` plus the options in kconfig.list; the
# result is kept in CACHEDIR/ro-thp-<source version>-<hash of the options,
# the recipe below and the compiler version>/, so reruns reuse it.  The
# build tree is removed afterwards; build-seconds in the same directory
# records how long `make -j2 bzImage` took.  One build at a time: a
# second caller waits for the first (flock) and then finds its kernel.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${1:?usage: build-kernel.sh CACHEDIR}
tarball=/usr/src/linux-source-6.12.tar.xz
jobs=${HT_KERNEL_JOBS:-2}

[ -f "$tarball" ] || {
	echo "build-kernel.sh: $tarball missing (apt-get install linux-source-6.12)" >&2
	exit 1
}
# Change this when the steps below change what gets built.
recipe="tinyconfig, kconfig.list twice through olddefconfig, bzImage"
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
key=$({ cat "$here/kconfig.list"; echo "$recipe"; cc -dumpfullversion; } |
	sha256sum | cut -c1-12)
out=$cache/ro-thp-$ver-$key

mkdir -p "$cache"
exec 9> "$cache/build.lock"
flock 9
if [ -f "$out/bzImage" ]; then
	echo "$out/bzImage"
	exit 0
fi
work=$cache/build-$ver-$key
rm -rf "$work"
mkdir -p "$work"
# the unpacked tree is 1.5 GB: never left behind (the log is)
trap 'rm -rf "$work"' EXIT
log=$work.log
echo "build-kernel.sh: building Linux $ver (tinyconfig + kconfig.list) in $work" >&2
t0=$(date +%s)
tar -xJf "$tarball" -C "$work"
src=$work/linux-source-6.12
{
	make -C "$src" ARCH=x86_64 tinyconfig
	# Every option of kconfig.list, then let Kconfig fill in the rest;
	# a second pass catches options whose dependencies came on late.
	for pass in 1 2; do
		grep -v '^#' "$here/kconfig.list" | while read -r opt val; do
			[ -n "$opt" ] || continue
			case $val in
			y) "$src/scripts/config" --file "$src/.config" -e "$opt" ;;
			n) "$src/scripts/config" --file "$src/.config" -d "$opt" ;;
			*) "$src/scripts/config" --file "$src/.config" --set-val "$opt" "$val" ;;
			esac
		done
		make -C "$src" ARCH=x86_64 olddefconfig
	done
} > "$log" 2>&1 || {
	tail -n 30 "$log" >&2
	exit 1
}

# Refuse a kernel that silently lost an option (a dependency missing).
missing=
while read -r opt val; do
	case $opt in '' | \#*) continue ;; esac
	want="CONFIG_$opt=$val"
	[ "$val" = n ] && want="# CONFIG_$opt is not set"
	grep -qx "$want" "$src/.config" || missing="$missing $opt"
done < "$here/kconfig.list"
if [ -n "$missing" ]; then
	echo "build-kernel.sh: options not taken by Kconfig:$missing" >&2
	exit 1
fi

t1=$(date +%s)
nice make -C "$src" ARCH=x86_64 -j"$jobs" bzImage >> "$log" 2>&1 || {
	tail -n 40 "$log" >&2
	exit 1
}
t2=$(date +%s)
mkdir -p "$out.tmp"
cp "$src/arch/x86/boot/bzImage" "$out.tmp/bzImage"
cp "$src/.config" "$out.tmp/config"
echo "$((t2 - t1))" > "$out.tmp/build-seconds"
echo "$((t1 - t0))" > "$out.tmp/prepare-seconds"
rm -rf "$out"
mv "$out.tmp" "$out"
rm -f "$log"
echo "build-kernel.sh: built in $((t2 - t1)) s (+ $((t1 - t0)) s unpack and config)" >&2
echo "$out/bzImage"
