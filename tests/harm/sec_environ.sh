#!/bin/sh
# What the library learns from the process's start-up stack and from
# the launcher must hold up against programs that change it:
#  - an environment edited in place (unsetenv() by an earlier
#    constructor, ld.so itself in secure mode) still leaves the
#    auxiliary vector found: the vDSO clock (no system call before the
#    seccomp check) and AT_SECURE;
#  - a setuid program (secure execution) gets nothing done and nothing
#    written, even with the library in a trusted directory;
#  - the launcher's "no filter at exec" word is believed only by the
#    image it was said of: a static wrapper that installs a filter and
#    execs the program gets no pass;
#  - a filter on one thread only (no TSYNC) is seen by that thread;
#  - under any filter not even getpid() or the -v output's calls are
#    made; with -v the launcher says why instead;
#  - with -v under a tight fd limit the program still starts.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
# shellcheck disable=SC3045
ulimit -c 0 2>/dev/null || :
SC=$B/tests/harm/progs/sc_filter
CC=${CC:-cc}
"$SC" kill:acct -- /bin/true || skip "cannot install a seccomp filter here"

# 1. auxv behind an environment edited in place: clock_gettime is
# killed by the filter, so only the vDSO may serve it.
"$CC" -shared -fPIC -DLIB -o "$T/libsecunset.so" \
	"$HT_SRCDIR/tests/harm/progs/sec_unsetenv.c"
"$CC" -o "$T/m7" "$HT_SRCDIR/tests/harm/progs/sec_unsetenv.c" \
	-Wl,--no-as-needed -L"$T" -lsecunset -Wl,-rpath,"$T"
HT_TEST_FOO=1 "$T/m7" && st=0 || st=$?
[ "$st" -eq 7 ] || fail "plain m7: status $st"
HT_TEST_FOO=1 "$SC" kill:clock_gettime -- env LD_PRELOAD="$LIB" \
	"$T/m7" && st=0 || st=$?
[ "$st" -eq 7 ] || fail "environment edited in place: status $st (159: the clock was a system call)"
HT_TEST_FOO=1 HUGETEXT_VERBOSE=2 LD_PRELOAD="$LIB" "$T/m7" 2> "$T/m7.err" ||
	:
grep -q vdso "$T/m7.err" && fail "the vDSO taken for an object: $(cat "$T/m7.err")"
ok "auxiliary vector found behind an environment edited in place"

# 2. secure execution: a setuid-root program run by nobody, the
# library installed setuid in a trusted directory (what ld.so demands
# of LD_PRELOAD in secure mode).  Everything is put back.
libdir=/usr/lib/x86_64-linux-gnu
if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null &&
   id nobody > /dev/null 2>&1 && [ -d "$libdir" ] && [ -w "$libdir" ]; then
	name=libhugetext-sectest-$$.so
	# (scratch's own clean-up kept: this trap replaces its trap)
	trap 'rm -f "$libdir/$name"; rm -rf "$T"' EXIT
	cp "$LIB" "$libdir/$name"
	chmod 4755 "$libdir/$name"
	printf 'int main(void) { return 0; }\n' > "$T/suid.c"
	"$CC" -o "$T/suid" "$T/suid.c"
	chmod 4755 "$T/suid"
	mkdir "$T/out"
	chmod 755 "$T" "$T/out"
	for var in LD_PRELOAD LD_AUDIT; do
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			env "$var=$name" HUGETEXT_VERBOSE=1 TMPDIR=/x \
			HUGETEXT_REPORT="$T/out/report.json" "$T/suid" \
			2> "$T/suid.err" || fail "$var: the setuid program failed"
		[ ! -e "$T/out/report.json" ] ||
			fail "$var: a setuid program wrote a report (as root)"
		[ ! -s "$T/suid.err" ] ||
			fail "$var: secure execution printed: $(cat "$T/suid.err")"
	done
	rm -f "$libdir/$name"
	trap 'rm -rf "$T"' EXIT
	ok "secure execution: nothing done, nothing written"
else
	echo "note: not root or no setpriv/nobody: secure-execution case not run"
fi

# 3. the launcher's word, handed on by a static wrapper that filters.
if "$CC" -static -O2 -o "$T/sc_static" "$HT_SRCDIR/tests/harm/progs/sc_filter.c" \
	2> /dev/null; then
	copy_small "$PROGS/bigtext" "$T/bt"
	"$HT" "$T/sc_static" kill:madvise:14 -- "$T/bt" -x 7 > /dev/null &&
		st=0 || st=$?
	[ "$st" -eq 7 ] || fail "static filtering wrapper: status $st (159: the stale word was believed)"
	ok "the launcher's word is not handed on by a program it does not reach"
else
	echo "note: no static libc: static-wrapper case not run"
fi

# 4. a filter on the dlopen()ing thread alone.
"$CC" -O2 -pthread -o "$T/sec_thread" \
	"$HT_SRCDIR/tests/harm/progs/sec_thread.c" -ldl
copy_small "$PROGS/libbig.so" "$T/libbig.so"
for nr in 310 39; do	# process_vm_readv, getpid
	"$HT" "$T/sec_thread" "$T/libbig.so" "$nr" > "$T/thr.out" && st=0 ||
		st=$?
	[ "$st" -eq 0 ] || fail "thread filter on syscall $nr: status $st"
done
ok "a filter on one thread only is seen by that thread"

# 5. under a filter nothing is called, -v or not.  (Sanitized builds:
# the ASan runtime in the launcher and the library makes calls of its
# own, getpid() among them: not ours to count.)
copy_small "$PROGS/bigtext" "$T/bt"
specs="kill:getpid kill:fcntl kill:rt_sigprocmask kill:fstat"
[ -z "${HT_SANITIZE:-}" ] || specs=
for spec in $specs; do
	"$SC" "$spec" -- "$HT" -v "$T/bt" -x 7 > /dev/null 2> "$T/v.err" &&
		st=0 || st=$?
	[ "$st" -eq 7 ] || fail "$spec with -v: status $st"
	"$SC" "$spec" -- env LD_AUDIT="$LIB" HUGETEXT_VERBOSE=1 \
		HUGETEXT_REPORT="$T/r.json" "$T/bt" -x 7 > /dev/null &&
		st=0 || st=$?
	[ "$st" -eq 7 ] || fail "$spec, library alone with -v and a report: status $st"
done
if [ -n "$specs" ]; then
	grep -q 'seccomp filter' "$T/v.err" ||
		fail "the launcher does not say why: $(cat "$T/v.err")"
	ok "under a filter: no system call of ours; the launcher says why"
else
	echo "note: sanitized build: the no-call case is not run"
fi

# 6. -v under a tight fd limit.
# shellcheck disable=SC3045
out=$(ulimit -n 8 && "$HT" -v /bin/echo still 2> /dev/null) ||
	fail "-v with 8 fds: the program did not start"
[ "$out" = still ] || fail "-v with 8 fds: printed '$out'"
ok "-v under a tight fd limit: the program starts"
