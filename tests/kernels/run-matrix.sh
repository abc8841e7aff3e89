#!/bin/sh
# run-matrix.sh BUILDDIR - the kernel matrix: boot each kernel under qemu
# with an initramfs holding busybox, BUILDDIR's hugetext and
# libhugetext.so (with the shared libraries they need), and disks holding
# test programs built here; run the route checks inside the guest
# (guest-init.sh); collect its HTCELL lines from the serial console;
# print a table.  Exit status 1 if any cell failed its expectation or
# did not report, 0 otherwise.
#
# Kernels (HT_KERNELS, default "6.1 6.12 rothp"):
#   6.1    Debian's linux-image-6.1.*-cloud-amd64-unsigned
#   6.12   Debian's linux-image-6.12.*-cloud-amd64-unsigned
#   rothp  6.12 from linux-source-6.12, tinyconfig + kconfig.list, with
#          CONFIG_READ_ONLY_THP_FOR_FS (build-kernel.sh)
# Packages and the built kernel are kept in HT_KERNEL_CACHE
# (/var/cache/hugetext-kernels).  Results and console logs go to
# BUILDDIR/tests/kernels/ (table.txt, support.md, NAME.console).
# HT_QEMU_TIMEOUT: seconds per boot (600); HT_QEMU_SMP: CPUs (2).
#
# README.md's "Kernel support" table is generated from support.md: the
# run says whether the README still matches; HT_MATRIX_UPDATE_README=1
# writes it there (between the kernel-matrix markers).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=$(cd "${1:?usage: run-matrix.sh BUILDDIR}" && pwd)
cache=${HT_KERNEL_CACHE:-/var/cache/hugetext-kernels}
kernels=${HT_KERNELS:-6.1 6.12 rothp}
qtimeout=${HT_QEMU_TIMEOUT:-600}
smp=${HT_QEMU_SMP:-2}
W=$B/tests/kernels
t_start=$(date +%s)

say() {
	echo "run-matrix: $*" >&2
}

die() {
	say "$*"
	exit 2
}

for tool in qemu-system-x86_64 cpio gzip mkfs.ext4 mkfs.xfs objcopy xz \
	readelf ldd dpkg-deb apt-get timeout cc; do
	command -v "$tool" > /dev/null || die "$tool is missing"
done
busybox=/bin/busybox
[ -x "$busybox" ] && ! readelf -lW "$busybox" | grep -q INTERP ||
	die "$busybox is not the static busybox (apt-get install busybox-static)"
[ -x "$B/hugetext" ] && [ -f "$B/.libs/libhugetext.so" ] ||
	die "$B has no built hugetext (run make first)"

rm -rf "$W"
mkdir -p "$W" "$cache"

# ---------------------------------------------------------------------
# Test programs and the filesystem images that carry them.
build_programs() {
	p=$W/progs
	mkdir -p "$p"
	flags="-O2 -fPIE -pie -Wl,-z,max-page-size=0x200000 -Wl,-z,separate-code"
	sh "$top/tests/progs/gentext.sh" main 18 > "$p/main18.S"
	# shellcheck disable=SC2086
	cc $flags -o "$p/bigtext" "$top/tests/progs/bigtext.c" "$p/main18.S"
	# shellcheck disable=SC2086
	cc $flags -o "$p/textprobe" "$here/textprobe.c" "$p/main18.S"
	# static: a program calling MADV_COLLAPSE on its own text (-o)
	cc -O2 -static -Wl,-z,max-page-size=0x200000 -Wl,-z,separate-code \
		-o "$p/textprobe-static" "$here/textprobe.c" "$p/main18.S"
	rm -f "$p/main18.S"
}

# eligible_kb from the integration tests' helpers (whole 2 MiB spans of
# the executable PT_LOADs of a program loaded 2 MiB-aligned).
eligible() {
	(
		HT_BUILDDIR=$B
		. "$top/tests/integration/lib.sh"
		eligible_kb "$1"
	)
}

build_images() {
	d=$W/disk
	mkdir -p "$d"
	# separate inodes, so each check starts from its own page cache
	for n in bigtext bigtext.cold bigtext.cached; do
		cp "$W/progs/bigtext" "$d/$n"
	done
	cp "$W/progs/textprobe" "$W/progs/textprobe-static" "$d/"
	mkfs.ext4 -q -F -L htext4 -d "$d" "$W/ext4.img" 512M > /dev/null
	# mkfs.xfs refuses filesystems under 300 MB; the file is sparse.
	rm -f "$W/xfs.img"
	truncate -s 320M "$W/xfs.img"
	{
		echo /dev/null
		echo 0 0
		echo 'd--755 0 0'
		echo "bigtext ---755 0 0 $d/bigtext"
		echo "textprobe ---755 0 0 $d/textprobe"
		echo "textprobe-static ---755 0 0 $d/textprobe-static"
		echo '$'
	} > "$W/xfs.proto"
	mkfs.xfs -q -f -L htxfs -p "$W/xfs.proto" "$W/xfs.img"
}

# ---------------------------------------------------------------------
# Kernels.

# apt_private apt-get|apt-cache ARGS...: with bookworm-backports as the
# only source and a private state directory: nothing on the host changes
# (only for downloading a kernel package that the configured sources lack).
apt_private() {
	a=$cache/apt
	tool=$1
	shift
	mkdir -p "$a/lists/partial" "$a/archives/partial"
	[ -f "$a/sources.list" ] ||
		echo "deb http://deb.debian.org/debian bookworm-backports main" \
			> "$a/sources.list"
	"$tool" -o Dir::Etc::SourceList="$a/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$a/lists" \
		-o Dir::Cache::Archives="$a/archives" \
		-o Dir::Cache::pkgcache="" -o Dir::Cache::srcpkgcache="" "$@"
}

# newest PKGPATTERN: the newest package name matching the pattern that
# apt knows (configured sources first, then bookworm-backports).
search() {
	apt-cache search --names-only "$1" 2>/dev/null | awk '{print $1}' |
		sort -V | tail -n 1
}

newest() {
	n=$(search "$1")
	if [ -z "$n" ] && [ "$(id -u)" -eq 0 ]; then
		apt-get -qq update > /dev/null 2>&1 || true
		n=$(search "$1")
	fi
	if [ -z "$n" ]; then
		say "no $1 in the configured sources: trying bookworm-backports"
		apt_private apt-get -qq update > /dev/null 2>&1 || true
		n=$(apt_private apt-cache search --names-only "$1" 2>/dev/null |
			awk '{print $1}' | sort -V | tail -n 1)
		[ -z "$n" ] || echo "backports" > "$cache/.via-$n"
	fi
	echo "$n"
}

# stock_kernel PATTERN: download (once) and unpack the newest package
# matching PATTERN; sets KDIR (the unpacked tree) and KVER.
stock_kernel() {
	pkg=$(newest "$1")
	if [ -z "$pkg" ]; then
		# No package index at all (offline): use what is cached.
		KDIR=$(ls -d "$cache"/stock/*/ 2>/dev/null | grep -- "$2" |
			sort -V | tail -n 1)
		[ -n "$KDIR" ] || return 1
		KDIR=${KDIR%/}
	else
		KDIR=$cache/stock/$pkg
		if [ ! -f "$KDIR/.done" ]; then
			rm -rf "$KDIR" "$cache/dl"
			mkdir -p "$cache/dl"
			if [ -f "$cache/.via-$pkg" ]; then
				(cd "$cache/dl" && apt_private apt-get -qq download "$pkg")
			else
				(cd "$cache/dl" && apt-get -qq download "$pkg")
			fi 2> "$cache/dl/log" || {
				cat "$cache/dl/log" >&2
				return 1
			}
			mkdir -p "$KDIR"
			dpkg-deb -x "$cache"/dl/*.deb "$KDIR" || return 1
			ls "$cache"/dl/*.deb | sed 's|.*/||' > "$KDIR/.done"
			rm -rf "$cache/dl"
		fi
	fi
	KVER=$(ls "$KDIR/lib/modules" | head -n 1)
	KIMG=$KDIR/boot/vmlinuz-$KVER
	KPKG=$(cat "$KDIR/.done")
}

# modules_for KDIR KVER DEST NAME...: the modules NAME... and what they
# depend on (the "depends=" of their .modinfo), uncompressed into DEST,
# and DEST/load.list in an order that loads dependencies first.  The
# packages ship no modules.dep (depmod makes it at install time).
modules_for() {
	md=$1/lib/modules/$2
	dest=$3
	shift 3
	mkdir -p "$dest"
	: > "$dest/load.list"
	for m in "$@"; do
		module_add "$md" "$dest" "$m"
	done
}

# (recursive: "local" keeps each level's names; dash and busybox have it)
module_add() {
	local name f deps dep
	name=$(echo "$3" | tr - _)
	grep -qx "$name.ko" "$2/load.list" && return 0
	# built in: nothing to load
	grep -q "/$name.ko\$" "$1/modules.builtin" 2>/dev/null && return 0
	grep -q "/$(echo "$name" | tr _ -).ko\$" "$1/modules.builtin" \
		2>/dev/null && return 0
	f=$(find "$1/kernel" -name "$name.ko*" -o \
		-name "$(echo "$name" | tr _ -).ko*" | head -n 1)
	[ -n "$f" ] || die "module $3 not found under $1"
	case $f in
	*.ko.xz) xz -dc "$f" > "$2/$name.ko" ;;
	*.ko.gz) gzip -dc "$f" > "$2/$name.ko" ;;
	*) cp "$f" "$2/$name.ko" ;;
	esac
	deps=$(objcopy -O binary --only-section=.modinfo "$2/$name.ko" \
		/dev/stdout | tr '\0' '\n' | sed -n 's/^depends=//p' | tr , ' ')
	for dep in $deps; do
		module_add "$1" "$2" "$dep"
	done
	echo "$name.ko" >> "$2/load.list"
}

# ---------------------------------------------------------------------
# initramfs: busybox, hugetext at its build-tree path, the libraries,
# guest-init.sh as /init, the integration tests' lib.sh, modules.
copy_with_libs() {
	for f in "$@"; do
		ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }'
	done | sort -u | while read -r lib; do
		mkdir -p "$R$(dirname "$lib")"
		cp -L "$lib" "$R$lib"
		# Also where it really is: an audit module's namespace looks
		# libc's NEEDED ld-linux-x86-64.so.2 up in the search path
		# (/lib/x86_64-linux-gnu), not at PT_INTERP's /lib64.
		real=$(readlink -f "$lib")
		[ "$real" = "$lib" ] || {
			mkdir -p "$R$(dirname "$real")"
			cp -L "$lib" "$R$real"
		}
	done
}

make_initramfs() { # NAME KERNEL_LABEL MODULE_DIR|-
	R=$W/root-$1
	rm -rf "$R"
	mkdir -p "$R/bin" "$R/sbin" "$R/usr/bin" "$R/usr/sbin" "$R/proc" \
		"$R/sys" "$R/dev" "$R/tmp" "$R/mnt" "$R$B/.libs" "$R/ht"
	cp "$busybox" "$R/bin/busybox"
	cp "$B/hugetext" "$R$B/hugetext"
	cp "$B/.libs/libhugetext.so" "$R$B/.libs/libhugetext.so"
	# The launcher finds the build tree's library by the .la beside it.
	cp "$B/libhugetext.la" "$R$B/libhugetext.la"
	copy_with_libs "$B/hugetext" "$B/.libs/libhugetext.so" \
		"$W/progs/bigtext"
	cp "$here/guest-init.sh" "$R/init"
	chmod 755 "$R/init"
	cp "$top/tests/integration/lib.sh" "$R/ht/lib.sh"
	cp "$here/cells.list" "$R/ht/cells.list"
	# HT_MATRIX_EXPLORE=FILE: a script the guest runs instead of the
	# checks (for finding out what a kernel does).
	[ -z "${HT_MATRIX_EXPLORE:-}" ] || cp "$HT_MATRIX_EXPLORE" "$R/ht/explore.sh"
	[ "$3" = - ] || cp -r "$3" "$R/modules"
	{
		echo "KERNEL=$2"
		echo "HT_BUILDDIR=$B"
		echo "ELIGIBLE_KB=$(eligible "$W/progs/bigtext")"
		echo "HTSTRATEGIES='$("$B/hugetext" --help 2>&1 |
			sed -n 's/.*-s, --strategy=NAME *//p')'"
	} > "$R/ht/matrix.conf"
	(cd "$R" && find . | cpio -o -H newc --quiet) | gzip -1 > "$W/$1.cpio.gz"
	rm -rf "$R"
}

# boot NAME KERNEL_IMAGE: run the guest, console to $W/NAME.console.
boot() {
	drives="-drive file=$W/ext4.img,format=raw,if=virtio,snapshot=on"
	drives="$drives -drive file=$W/xfs.img,format=raw,if=virtio,snapshot=on"
	t0=$(date +%s)
	for try in 1 2; do
		# shellcheck disable=SC2086
		timeout -k 10 "$qtimeout" qemu-system-x86_64 -m 2048 \
			-smp "$smp" -nographic -no-reboot -kernel "$2" \
			-initrd "$W/$1.cpio.gz" \
			-append "console=ttyS0 quiet panic=-1 transparent_hugepage=madvise" \
			$drives < /dev/null > "$W/$1.console" 2>&1 || true
		# A guest kernel that panics while it boots, before any
		# check ran (seen once: an int3 in sched_clock_cpu under
		# TCG), says nothing of hugetext: boot it once more.
		grep -aq '^HTCELL ' "$W/$1.console" && break
		grep -aq 'Kernel panic' "$W/$1.console" || break
		[ "$try" -eq 1 ] && say "$1: the kernel panicked while booting, before the checks: booting again"
		cp "$W/$1.console" "$W/$1.console.$try"
	done
	echo "$(($(date +%s) - t0))" > "$W/$1.seconds"
	tr -d '\r' < "$W/$1.console" | grep -a '^HTCELL ' >> "$W/cells.txt" || true
	grep -aq '^HTDONE' "$W/$1.console" ||
		echo "HTCELL kernel=$1 fs=- check=boot result=FAIL reason=no-HTDONE-see-$1.console" >> "$W/cells.txt"
}

# ---------------------------------------------------------------------
say "building test programs and filesystem images"
build_programs
build_images
: > "$W/cells.txt"
: > "$W/kernels.txt"
for k in $kernels; do
	case $k in
	6.1)
		stock_kernel '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' 6.1.0 ||
			die "cannot get Debian's 6.1 cloud kernel"
		modules_for "$KDIR" "$KVER" "$W/mod-$k" virtio_pci virtio_blk xfs
		make_initramfs "$k" "$k" "$W/mod-$k"
		echo "$k $KVER ($KPKG)" >> "$W/kernels.txt"
		;;
	6.12)
		stock_kernel '^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$' 6.12 ||
			die "cannot get Debian's 6.12 cloud kernel"
		modules_for "$KDIR" "$KVER" "$W/mod-$k" virtio_pci virtio_blk xfs
		make_initramfs "$k" "$k" "$W/mod-$k"
		echo "$k $KVER ($KPKG)" >> "$W/kernels.txt"
		;;
	rothp)
		tb=$(date +%s)
		KIMG=$(sh "$here/build-kernel.sh" "$cache") ||
			die "building the READ_ONLY_THP_FOR_FS kernel failed"
		built=$(cat "$(dirname "$KIMG")/build-seconds")
		[ $(($(date +%s) - tb)) -gt 60 ] && fresh=", built now" || fresh=", cached"
		make_initramfs "$k" "$k" -
		echo "$k $(basename "$(dirname "$KIMG")") (make -j2 bzImage: ${built} s$fresh)" >> "$W/kernels.txt"
		;;
	*)
		die "unknown kernel $k"
		;;
	esac
	say "booting $k ($(tail -n 1 "$W/kernels.txt"))"
	boot "$k" "$KIMG"
	say "$k: $(grep -c "kernel=$k " "$W/cells.txt" || true) cells in $(cat "$W/$k.seconds") s"
done

# ---------------------------------------------------------------------
# The table.  Every expected cell must be there and PASS.
field() { # LINE KEY
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# A listed cell that did not report fails.
grep -v '^#' "$here/cells.list" | while read -r k fs check; do
	[ -n "$k" ] || continue
	case " $kernels " in *" $k "*) ;; *) continue ;; esac
	grep -q "^HTCELL kernel=$k fs=$fs check=$check " "$W/cells.txt" ||
		echo "HTCELL kernel=$k fs=$fs check=$check result=FAIL reason=did-not-report"
done >> "$W/cells.txt"

# human names of the kernels, for the README table
label() {
	case $1 in
	6.1) echo "Debian 6.1 (cloud)" ;;
	6.12) echo "Debian 6.12 (cloud)" ;;
	rothp) echo "6.12 + READ_ONLY_THP_FOR_FS" ;;
	*) echo "$1" ;;
	esac
}

mib() { # KB -> "18" or "17.5"
	awk -v k="${1:-0}" 'BEGIN { m = k / 1024; if (m == int(m)) printf "%d", m; else printf "%.1f", m }'
}

pass=0
fail=0
skip=0
while read -r line; do
	case $(field "$line" result) in
	PASS) pass=$((pass + 1)) ;;
	SKIP) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
done < "$W/cells.txt"

# The README's table: no timings, so that reruns give the same text.
{
	echo "| kernel | fs | check | route | huge in the first process | reason | result |"
	echo "|---|---|---|---|---|---|---|"
	while read -r line; do
		printf '| %s | %s | %s | %s | %s of %s MiB | %s | %s |\n' \
			"$(label "$(field "$line" kernel)")" "$(field "$line" fs)" \
			"$(field "$line" check)" "$(field "$line" route)" \
			"$(mib "$(field "$line" pmd_kb)")" \
			"$(mib "$(field "$line" eligible_kb)")" \
			"$(field "$line" reason | sed 's/^null$/-/')" \
			"$(field "$line" result)"
	done < "$W/cells.txt"
} > "$W/support.md"

readme=$top/README.md
begin='<!-- kernel-matrix:begin'
end='<!-- kernel-matrix:end -->'
readme_state="no kernel-matrix markers in README.md"
if grep -q "^$begin" "$readme" && grep -q "^$end" "$readme" &&
	[ "$kernels" = "6.1 6.12 rothp" ]; then
	sed -n "/^$begin/,/^$end/p" "$readme" | sed '1d;$d' > "$W/readme-table.md"
	if cmp -s "$W/readme-table.md" "$W/support.md"; then
		readme_state="README.md's kernel support table matches this run"
	elif [ "${HT_MATRIX_UPDATE_README:-0}" = 1 ]; then
		awk -v f="$W/support.md" -v b="$begin" -v e="$end" '
			index($0, b) == 1 { print; while ((getline l < f) > 0) print l; skip = 1; next }
			index($0, e) == 1 { skip = 0 }
			!skip' "$readme" > "$W/README.new" && cat "$W/README.new" > "$readme"
		readme_state="README.md's kernel support table updated"
	else
		readme_state="README.md's kernel support table differs from this run (see $W/support.md; HT_MATRIX_UPDATE_README=1 writes it)"
	fi
fi

{
	echo "kernels:"
	sed 's/^/  /' "$W/kernels.txt"
	echo
	printf '%-6s %-6s %-16s %-6s %-12s %-10s %-22s %s\n' kernel fs check \
		result huge/elig route reason detail
	while read -r line; do
		printf '%-6s %-6s %-16s %-6s %-12s %-10s %-22s %s\n' \
			"$(field "$line" kernel)" "$(field "$line" fs)" \
			"$(field "$line" check)" "$(field "$line" result)" \
			"$(field "$line" pmd_kb)/$(field "$line" eligible_kb)" \
			"$(field "$line" route)" "$(field "$line" reason)" \
			"$(field "$line" detail)"
	done < "$W/cells.txt"
	echo
	for k in $kernels; do
		printf '%s: boot and checks %s s\n' "$k" "$(cat "$W/$k.seconds")"
	done
	echo "matrix: $(($(date +%s) - t_start)) s in all"
	echo "$readme_state"
	if [ "$skip" -gt 0 ]; then
		echo "kernels: $pass passed, $fail failed, $skip skipped"
	else
		echo "kernels: $pass passed, $fail failed"
	fi
} | tee "$W/table.txt"
[ "$fail" -eq 0 ]
