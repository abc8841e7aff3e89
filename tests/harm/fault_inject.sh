#!/bin/sh
# Fault injection: every errno the library can meet (EINVAL EAGAIN ENOMEM
# EBUSY ENOSYS EPERM), returned by a seccomp filter from each system call
# it can make (madvise by advice, fadvise64, mmap, mremap, munmap,
# openat, ioctl, process_madvise, read, pread64, fstat, newfstatat,
# cachestat, mincore, fdatasync, statfs, fstatfs, prctl, write, close,
# the refault lock's socket, bind, listen, connect and poll, and what the
# output path uses: fcntl, rt_sigprocmask, rt_sigtimedwait),
# one at a time, with HUGETEXT_SECCOMP=try so the library does act: the
# program's stdout and exit status are those of the same program under
# the same filter without hugetext, in 100% of cases.
# The filter applies from exec on, so it also hits ld.so and libc: when
# the plain program cannot even start under it (status 127 or a signal),
# the case is "not applicable" and counted apart.  Where an argument
# spares the loader, calls are also filtered by it (args[2]): mmap by
# prot (0: the library's reservations, 5: text), openat with flags other
# than ld.so's O_RDONLY|O_CLOEXEC, read of other than the 832 bytes of
# ELF header ld.so reads.
# Every run works on fresh small-folio copies, so the routes have work
# to do.  Programs: bigtext (48 MiB, start-up pass; every errno),
# bigtext-lib (24 MiB + a 16 MiB NEEDED library) and dlopener with a
# 16 MiB library (dlopen pass), both with EINVAL, EAGAIN and EPERM; each
# hugetext run with -v and -r, so the output path runs too.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
# no core files from SIGSYS (dash and bash both have ulimit -c)
# shellcheck disable=SC3045
ulimit -c 0 2>/dev/null || :
SC=$B/tests/harm/progs/sc_filter
"$SC" kill:acct -- /bin/true || skip "cannot install a seccomp filter here"

ERRNOS="EINVAL EAGAIN ENOMEM EBUSY ENOSYS EPERM"
CALLS="madvise:14 madvise:4 madvise:22 madvise:25 fadvise64 mmap mmap:0
mmap:5 mremap munmap openat openat:!0x80000 ioctl process_madvise read
read:!832 pread64 fstat newfstatat cachestat mincore fdatasync statfs
fstatfs prctl write close fcntl rt_sigprocmask rt_sigtimedwait
socket bind listen connect poll"
if [ -n "${HT_SANITIZE:-}" ]; then
	CALLS=$(echo $CALLS | tr ' ' '\n' | grep -v -x -E 'mmap:0|munmap|read:!832')
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0
	export ASAN_OPTIONS
fi

# fresh PROG: small-folio copies of what PROG runs; sets CMD.
fresh() {
	case $1 in
	bigtext)
		copy_small "$PROGS/bigtext" "$T/bigtext"
		CMD="$T/bigtext -x 3" ;;
	bigtext-lib)
		copy_small "$PROGS/bigtext-lib" "$T/bigtext-lib"
		copy_small "$PROGS/libbig.so" "$T/libbig.so"
		CMD="$T/bigtext-lib -x 4" ;;
	dlopener)
		[ -e "$T/dlopener" ] || cp "$PROGS/dlopener" "$T/dlopener"
		copy_small "$PROGS/libbig.so" "$T/libbig.so"
		CMD="$T/dlopener $T/libbig.so" ;;
	esac
}

# Control: under a filter that matches nothing the library meets, with
# the opt-in, the text does become huge (else every case below would be
# trivially identical).
copy_small "$PROGS/bigtext" "$T/bigtext"
"$SC" errno:acct:EPERM -- env HUGETEXT_SECCOMP=try "$HT" "$T/bigtext" \
	-s "$T/control.smaps" > /dev/null || fail "control run: status $?"
at_least "$(pmd_kb "$T/control.smaps" "$T/bigtext")" \
	"$(eligible_kb "$T/bigtext")" 99 "control: HUGETEXT_SECCOMP=try under a filter"

cases=0 same=0 na=0 bad=0 errdiff=0
for prog in bigtext bigtext-lib dlopener; do
	# the whole cross product on bigtext, three errnos on the others
	# (the route code is the same; this keeps the run near a minute)
	errnos=$ERRNOS
	[ "$prog" = bigtext ] || errnos="EINVAL EAGAIN EPERM"
	fresh "$prog"
	# shellcheck disable=SC2086
	$CMD > "$T/ref.out" && rst=0 || rst=$?
	for call in $CALLS; do
		for e in $errnos; do
			spec=errno:$call:$e
			# shellcheck disable=SC2086
			timeout 30 "$SC" "$spec" -- $CMD > "$T/p.out" 2> "$T/p.err" &&
				pst=0 || pst=$?
			if [ "$pst" -eq 127 ] || [ "$pst" -gt 128 ]; then
				na=$((na + 1))
				continue
			fi
			fresh "$prog"
			rm -f "$T/r.json"
			# shellcheck disable=SC2086
			timeout 30 "$SC" "$spec" -- env HUGETEXT_SECCOMP=try \
				"$HT" -v -r "$T/r.json" $CMD > "$T/h.out" 2> "$T/h.err" &&
				hst=0 || hst=$?
			cases=$((cases + 1))
			if [ "$hst" -eq "$pst" ] && cmp -s "$T/p.out" "$T/h.out"; then
				same=$((same + 1))
				# stderr: the plain program's own lines come first
				grep -v '^hugetext\[' "$T/h.err" > "$T/h.err2" || :
				cmp -s "$T/p.err" "$T/h.err2" || errdiff=$((errdiff + 1))
			else
				bad=$((bad + 1))
				echo "DIFF: $prog under $spec: status $hst, plainly $pst"
				diff "$T/p.out" "$T/h.out" | head -n 5
				grep -v ': /' "$T/h.err" | head -n 5
			fi
		done
	done
	ok "$prog (plain status $rst): done"
done
echo "fault_inject: $cases cases, $same identical" \
	"($na more not applicable: the plain program cannot start under" \
	"the filter; $errdiff with other stderr lines)"
[ "$cases" -gt 0 ] || fail "no applicable case"
[ "$bad" -eq 0 ] || fail "$bad of $cases cases differ from the plain run"
ok "output and status identical in all $cases cases"

# A refused drop is said as what it is, not as a busy page cache.
copy_small "$PROGS/bigtext" "$T/fadv"
"$SC" errno:fadvise64:EPERM -- "$HT" -v --seccomp=try -s refault \
	"$T/fadv" -x 0 > /dev/null 2> "$T/fadv.err" || :
grep "$T/fadv:" "$T/fadv.err" | grep -q "syscall-failed.*Operation not permitted" ||
	fail "fadvise EPERM: $(grep "$T/fadv:" "$T/fadv.err")"
ok "a refused fadvise: syscall-failed (EPERM), not page-cache-busy"
