#!/bin/busybox sh
# guest-init.sh - /init of the kernel matrix's initramfs (run-matrix.sh).
#
# Runs the checks that cells.list names for this kernel.  Each check
# runs a test program from a disk (ext4 on vda, xfs on vdb) or a tmpfs,
# plainly and under hugetext, and judges from the program's own smaps
# (FilePmdMapped, ShmemPmdMapped, copied by the program itself with -s)
# and hugetext's JSON report.  One line per cell on the console:
#
#   HTCELL kernel=K fs=F check=C result=PASS|FAIL|SKIP pmd_kb=N
#          eligible_kb=N route=R reason=W detail=A,B,...
#
# then HTDONE, and a reboot (qemu runs with -no-reboot, so it exits).
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2> /dev/null

. /ht/matrix.conf
export HT_BUILDDIR
. /ht/lib.sh
set +eu
HT=$HT_BUILDDIR/hugetext
THP=/sys/kernel/mm/transparent_hugepage
T=/tmp/ht
mkdir -p "$T"

log() {
	echo "HTLOG $*"
}

finish() {
	echo "HTDONE kernel=$KERNEL"
	sync
	reboot -f
	echo b > /proc/sysrq-trigger
	sleep 10
}

# ms since boot, from /proc/uptime
now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

[ -f /modules/load.list ] && while read -r m; do
	insmod "/modules/$m" || log "insmod $m failed"
done < /modules/load.list

i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
mkdir -p /mnt/ext4 /mnt/xfs /mnt/tmpfs
mount -t ext4 /dev/vda /mnt/ext4 || log "cannot mount ext4"
if grep -qw xfs /proc/filesystems; then
	mount -t xfs /dev/vdb /mnt/xfs || log "cannot mount xfs"
fi
kh=$THP/khugepaged
log "uname=$(uname -r) cpus=$(nproc) thp=$(cat $THP/enabled | tr ' ' ,)" \
	"shmem_enabled=$(cat $THP/shmem_enabled 2> /dev/null | tr ' ' ,)" \
	"scan_sleep_millisecs=$(cat $kh/scan_sleep_millisecs)" \
	"pages_to_scan=$(cat $kh/pages_to_scan)" \
	"alloc_sleep_millisecs=$(cat $kh/alloc_sleep_millisecs)" \
	"max_ptes_none=$(cat $kh/max_ptes_none)"

# ---------------------------------------------------------------------
# Helpers.  A check sets PMD (kB PMD-mapped in the hugetext run), ROUTE,
# REASON, DETAIL, and calls emit once.
emit() {
	echo "HTCELL kernel=$KERNEL fs=$FS check=$CHECK result=$1" \
		"pmd_kb=${PMD:-0} eligible_kb=$ELIGIBLE_KB route=${ROUTE:--}" \
		"reason=${REASON:--} detail=$(echo "${DETAIL:--}" |
			sed 's/^ *//; s/  */,/g')"
}

note() {
	DETAIL="$DETAIL $*"
}

# seg_of REPORT PATH: ROUTE and REASON of PATH's (first) text segment.
seg_of() {
	line=$(json_objects "$1" | grep -F "{\"path\":\"$2\"" | tail -n 1)
	seg=${line#*\"segments\":\[}
	ROUTE=$(json_field "$seg" route)
	REASON=$(json_field "$seg" reason)
	[ -n "$ROUTE" ] || ROUTE=none
	[ -n "$REASON" ] || REASON=none
}

# huge_enough KB: at least 99% of what is eligible.
huge_enough() {
	[ "$ELIGIBLE_KB" -gt 0 ] && [ $(($1 * 100)) -ge $((ELIGIBLE_KB * 99)) ]
}

# plain P: run P plainly (status 3); sets PLAIN_KB, PLAIN_OK.
plain() {
	"$1" -x 3 -s "$T/plain.smaps" > "$T/plain.out" 2>&1
	PLAIN_OK=$?
	PLAIN_KB=$(pmd_kb "$T/plain.smaps" "$1")
}

# under P [hugetext options]: run P under hugetext -v with a report;
# sets ST (0 when status and output are P's own), PMD, ROUTE, REASON.
under() {
	p=$1
	shift
	rm -f "$T/r.json"
	t0=$(now_ms)
	"$HT" -v -r "$T/r.json" "$@" "$p" -x 3 -s "$T/ht.smaps" \
		> "$T/ht.out" 2> "$T/ht.err"
	st=$?
	MS=$(($(now_ms) - t0))
	ST=0
	[ "$st" -eq 3 ] || { ST=1; note "status=$st"; }
	cmp -s "$T/plain.out" "$T/ht.out" || { ST=1; note output-differs; }
	PMD=$(pmd_kb "$T/ht.smaps" "$p")
	seg_of "$T/r.json" "$p"
	sed "s/^/HTLOG $KERNEL $FS $CHECK: /" "$T/ht.err"
}

# The test program's output from a plain run of /mnt/ext4/bigtext, for
# the checks whose file must not be run before hugetext runs it.
expected_output() {
	[ -f "$T/expected.out" ] && return
	"$1" -x 3 > "$T/expected.out" 2>&1
}

# ---------------------------------------------------------------------
# What the kernel itself does, independent of hugetext: textprobe maps
# the text of a fresh copy of the test program 2 MiB-aligned and calls
# the kernel directly.  The answers go into the cell's detail, so every
# run carries the evidence its expectation rests on.

# fresh_copy PATH: a copy of the test program with no page cache yet.
fresh_copy() {
	cp /mnt/ext4/bigtext "$1"
	sync
	echo 3 > /proc/sys/vm/drop_caches
}

# probe_line OUT WHAT: "ANSWER/KB" from textprobe's output: the answer of
# the call named WHAT and the kB PMD-mapped after reading every page.
probe_line() {
	a=$(sed -n "s/^textprobe: $2: \([A-Za-z]*\) .*/\1/p" "$1" | head -n 1)
	k=$(sed -n 's/^textprobe: after faults: PMD-mapped \([0-9-]*\) .*/\1/p' "$1")
	echo "${a:-?}/${k:-?}"
}

# kernel_collapse DIR: MADV_COLLAPSE on the whole text, once with no page
# of it read before (as at hugetext's start, when the program has not run
# yet) and once with the first page of every 2 MiB span read.
kernel_collapse() {
	for t in none first; do
		fresh_copy "$1/probe-$t"
		/mnt/ext4/textprobe -f "$1/probe-$t" -t $t -C > "$T/kc.out" 2>&1
		note "kernel_collapse_touch_$t=$(probe_line "$T/kc.out" \
			'MADV_COLLAPSE whole range')"
		rm -f "$1/probe-$t"
	done
}

# kernel_refault DIR: MADV_HUGEPAGE, zap, drop, MADV_POPULATE_READ by
# hand: with no page table under the text, with one left by an earlier
# fault of the first page of each span, and the same followed by mapping
# the range again (which frees the page tables).
kernel_refault() {
	for v in "none" "first" "first -M"; do
		fresh_copy "$1/probe"
		# shellcheck disable=SC2086
		/mnt/ext4/textprobe -f "$1/probe" -t $v -R > "$T/kr.out" 2>&1
		note "kernel_refault_touch_$(echo "$v" | tr -d ' -')=$(probe_line \
			"$T/kr.out" MADV_POPULATE_READ)"
		rm -f "$1/probe"
	done
}

# ---------------------------------------------------------------------
# Checks.

# No file route on this kernel and filesystem: nothing becomes huge,
# hugetext names the reason, the program runs unchanged.
#  - MADV_COLLAPSE answers EINVAL: for a regular file it needs
#    CONFIG_READ_ONLY_THP_FOR_FS (file_thp_enabled() in
#    include/linux/huge_mm.h, 6.1 and 6.12), which Debian's kernels lack.
#  - refault stays small: ext4 has no large folios before 6.16, so
#    readahead allocates order-0 folios (page_cache_ra_order() in
#    mm/readahead.c falls back when !mapping_large_folio_support()).
check_no_route() {
	P=/mnt/$FS/bigtext.cold
	plain "$P"
	under "$P"
	ok=$ST
	[ "$PLAIN_OK" -eq 3 ] || ok=1
	[ "$PMD" -eq 0 ] || { ok=1; note "huge-unexpectedly"; }
	case $REASON in
	collapse-unsupported | no-large-folios | refault-small) ;;
	*) ok=1 ;;
	esac
	note "ms=$MS"
	# --strategy=collapse alone says collapse-unsupported.
	r1=$ROUTE r2=$REASON p1=$PMD
	under "$P" -s collapse
	note "collapse-only=$REASON"
	[ "$REASON" = collapse-unsupported ] && [ "$ST" -eq 0 ] || ok=1
	ROUTE=$r1 REASON=$r2 PMD=$p1
	[ $ok -eq 0 ] && emit PASS || emit FAIL
}

# --strategy=copy: anonymous huge copies, any kernel with THP.
check_copy() {
	case $HTSTRATEGIES in
	*copy*) ;;
	*)
		note "launcher-has-no-copy-strategy"
		emit SKIP
		return
		;;
	esac
	P=/mnt/$FS/bigtext
	plain "$P"
	under "$P" -s copy
	anon=$(awk '/^AnonHugePages:/ { s += $2 } END { print s + 0 }' \
		"$T/ht.smaps")
	note "anon_huge_kb=$anon"
	PMD=$anon
	ok=$ST
	[ "$ROUTE" = copy ] && huge_enough "$anon" || ok=1
	[ $ok -eq 0 ] && emit PASS || emit FAIL
}

# The refault route (xfs has large folios since 5.18): all eligible text
# PMD-mapped in the first process, and shared with a later plain run.
#
# Before Linux 6.14 (CONFIG_PT_RECLAIM) MADV_DONTNEED empties page tables
# but does not free them, and a fault installs a PMD only where there is
# no page table: filemap_map_pmd() in mm/filemap.c (6.1 and 6.12) calls
# do_set_pmd() only if pmd_none(*vmf->pmd), else it maps the 2 MiB folio
# with PTEs.  So a span faulted before the refault (by the program, or by
# a probe of the tool's own) stays PTE-mapped in this process although
# the page cache is huge; kernel_refault shows it: touch_none is huge,
# touch_first is not, touch_firstM (mapped again) is.  The expectation
# stays "huge": the tool has to map such spans again.
check_refault() {
	kernel_refault "/mnt/$FS"
	P=/mnt/$FS/bigtext
	plain "$P"
	note "plain_kb=$PLAIN_KB"
	under "$P"
	note "ms=$MS"
	ok=$ST
	[ "$ROUTE" = refault ] && huge_enough "$PMD" || ok=1
	"$P" -s "$T/after.smaps" > /dev/null
	after=$(pmd_kb "$T/after.smaps" "$P")
	note "later_plain_run_kb=$after"
	huge_enough "$after" || ok=1
	[ $ok -eq 0 ] && emit PASS || emit FAIL
}

# MADV_COLLAPSE on tmpfs text ($1: mount options of the tmpfs): huge.
#
# 6.1 stops at the first 2 MiB span the caller has no page table for:
# after collapsing that span's page cache, retract_page_tables() reports
# find_pmd_or_thp_or_none()'s SCAN_PMD_NONE for the caller's own mapping,
# collapse_file() returns it, and madvise_collapse() does not list
# SCAN_PMD_NONE among the results to go on after, so it stops and
# madvise_collapse_errno() turns it into EINVAL (mm/khugepaged.c of
# 6.1.192).  At hugetext's start the program has not run, so no span has
# a page table: the first span's cache is collapsed, the call fails, and
# only that span is PMD-mapped later (2 of 18 MiB; the notes' 4 of 18 MiB
# was a static program, whose start-up code had faulted the first span).
# With the first page of every span read first, the same call collapses
# all of it (kernel_collapse: touch_none EINVAL/2048, touch_first
# ok/18432).  huge= on the mount makes no difference (collapse-huge):
# MADV_COLLAPSE passes shmem_huge_force.  6.12 hands SCAN_PMD_NONE to
# collapse_pte_mapped_thp(), which installs the PMD.  The expectation
# stays "huge": the tool has to fault one page of each span first.
check_tmpfs() {
	umount /mnt/tmpfs 2> /dev/null
	mount -t tmpfs ${1:+-o "$1"} tmpfs /mnt/tmpfs
	kernel_collapse /mnt/tmpfs
	P=/mnt/tmpfs/bigtext
	cp /mnt/ext4/bigtext "$P"
	plain "$P"
	note "plain_kb=$PLAIN_KB"
	under "$P"
	note "ms=$MS"
	ok=$ST
	[ "$ROUTE" = collapse ] && huge_enough "$PMD" || ok=1
	# A second process maps what the first collapsed.
	"$P" -s "$T/after.smaps" > /dev/null
	note "next_process_kb=$(pmd_kb "$T/after.smaps" "$P")"
	[ $ok -eq 0 ] && emit PASS || emit FAIL
}

# MADV_COLLAPSE on a regular ext4 file (CONFIG_READ_ONLY_THP_FOR_FS),
# all of it PMD-mapped in the first process.  $1: cold (never read),
# cached (small folios from a plain run), dirty (written just now).
#
# Dirty: 6.12's collapse_file() refuses dirty or writeback folios of a
# regular file (it starts an asynchronous filemap_flush() and returns
# SCAN_FAIL), and madvise_collapse() stops at the first SCAN_FAIL with
# EINVAL (mm/khugepaged.c of 6.12): the spans before the first dirty
# one are collapsed, that one and all after it are not.  This is what a
# first process can miss on a file written shortly before (the notes'
# 14 of 18 MiB, the next process getting all of it once the flush it
# started had run): kernel_collapse_dirty is EINVAL/0 on a fresh copy,
# kernel_collapse_after_sync ok/18432 on the same file after sync.  The
# expectation stays "huge": the tool has to write the range back
# (fdatasync on its read-only descriptor works) and collapse again.
check_rofile() {
	case $1 in
	cold)
		kernel_collapse /mnt/ext4
		P=/mnt/ext4/bigtext.cold
		;;
	cached)
		P=/mnt/ext4/bigtext.cached
		plain "$P"
		note "plain_kb=$PLAIN_KB"
		;;
	dirty)
		# the kernel alone: freshly written, then written back
		cp /mnt/ext4/bigtext /mnt/ext4/probe-dirty
		/mnt/ext4/textprobe -f /mnt/ext4/probe-dirty -t none -C \
			> "$T/kd.out" 2>&1
		note "kernel_collapse_dirty=$(probe_line "$T/kd.out" \
			'MADV_COLLAPSE whole range')"
		sync
		/mnt/ext4/textprobe -f /mnt/ext4/probe-dirty -t none -C \
			> "$T/kd.out" 2>&1
		note "kernel_collapse_after_sync=$(probe_line "$T/kd.out" \
			'MADV_COLLAPSE whole range')"
		rm -f /mnt/ext4/probe-dirty
		P=/mnt/ext4/bigtext.dirty
		cp /mnt/ext4/bigtext "$P"
		note "dirty_kb=$(awk '/^Dirty:/ { print $2 }' /proc/meminfo)"
		;;
	esac
	expected_output "/mnt/ext4/bigtext"
	cp "$T/expected.out" "$T/plain.out"
	under "$P"
	note "ms=$MS"
	ok=$ST
	[ "$ROUTE" = collapse ] && huge_enough "$PMD" || ok=1
	"$P" -s "$T/after.smaps" > /dev/null
	note "next_process_kb=$(pmd_kb "$T/after.smaps" "$P")"
	[ $ok -eq 0 ] && emit PASS || emit FAIL
}

# khugepaged alone, default settings: textprobe maps its own text with
# MADV_HUGEPAGE and waits (120 s at most) for all of it to be PMD-mapped.
# A pass of khugepaged scans pages_to_scan (4096) pages' worth, a 2 MiB
# span of file text counting 512 (khugepaged_scan_mm_slot()), so at most
# 8 spans (16 MiB) per pass, one pass every scan_sleep_millisecs (10 s):
# 18 MiB takes two passes, 10-20 s depending on when the first comes.
check_khugepaged() {
	s=$(cat $THP/khugepaged/scan_sleep_millisecs)
	n=$(cat $THP/khugepaged/pages_to_scan)
	note "scan_sleep_millisecs=$s pages_to_scan=$n"
	/mnt/ext4/textprobe -c 120 > "$T/kw.out" 2>&1
	kst=$?
	sed "s/^/HTLOG $KERNEL $FS $CHECK: /" "$T/kw.out"
	line=$(grep 'result=' "$T/kw.out")
	ROUTE=khugepaged
	REASON=$(echo "$line" | sed -n 's/.*result=\([a-z]*\).*/\1/p')
	[ "$REASON" != huge ] || REASON=null
	PMD=$(echo "$line" | sed -n 's/.*huge_kb=\([0-9]*\).*/\1/p')
	want=$(echo "$line" | sed -n 's/.*want_kb=\([0-9]*\).*/\1/p')
	note "time_to_huge_ms=$(echo "$line" | sed -n 's/.* ms=\([0-9]*\).*/\1/p')"
	note "steps=$(sed -n 's/^textprobe: t=\([0-9]*\)ms huge_kb=\([0-9]*\)$/\1ms:\2kB/p' \
		"$T/kw.out" | tr '\n' '/' | sed 's,/$,,')"
	note "full_scans=$(cat $THP/khugepaged/full_scans)"
	ELIGIBLE_KB=${want:-$ELIGIBLE_KB}
	[ "$kst" -eq 0 ] && emit PASS || emit FAIL
}

# ---------------------------------------------------------------------
# HT_MATRIX_EXPLORE (run-matrix.sh): a script run instead of the cells.
if [ -f /ht/explore.sh ]; then
	. /ht/explore.sh
	finish
fi

grep -v '^#' /ht/cells.list | while read -r k FS CHECK; do
	[ "$k" = "$KERNEL" ] || continue
	DETAIL=
	ROUTE=
	REASON=
	PMD=0
	. /ht/matrix.conf
	log "start $FS $CHECK at $(now_ms) ms"
	case $CHECK in
	no-route) check_no_route ;;
	copy) check_copy ;;
	refault) check_refault ;;
	collapse) check_tmpfs "" ;;
	collapse-huge) check_tmpfs huge=advise ;;
	collapse-cold) check_rofile cold ;;
	collapse-cached) check_rofile cached ;;
	collapse-dirty) check_rofile dirty ;;
	khugepaged) check_khugepaged ;;
	*)
		note "unknown-check"
		emit FAIL
		;;
	esac
done
finish
