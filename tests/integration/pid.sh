#!/bin/sh
# hugetext --pid: a running process's text onto huge pages from outside.
# tmpfs: process_madvise(MADV_COLLAPSE), the process's own smaps shows
# it.  ext4 (no READ_ONLY_THP_FOR_FS): nothing from outside can give the
# process PMDs, so without --inject it is left as it was (said so);
# with --inject the cache is primed and one thread makes the zap inside
# it: >= 99% PMD-mapped in its own smaps.  The process keeps running and
# computing the same result.
. "$HT_SRCDIR/tests/integration/lib.sh"
# process_madvise() on another process needs CAP_SYS_NICE (bit 23).
cap=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
[ $(( (0x${cap:-0} >> 23) & 1 )) -eq 1 ] ||
	skip "needs CAP_SYS_NICE for process_madvise() (run as root)"
scratch
scratch_shm

# tmpfs: collapse from outside.
P=$SHM/bigtext
copy_small "$PROGS/bigtext" "$P"
start_looping "$P"
kick
first=$(tail -n 1 "$T/loop.out")
cat "/proc/$PID/smaps" > "$T/before.smaps"
[ "$(pmd_kb "$T/before.smaps" "$P")" -eq 0 ] || fail "tmpfs: huge before"
"$HT" --pid "$PID" > "$T/pid.out" || fail "--pid exit $?: $(cat "$T/pid.out")"
kick
cat "/proc/$PID/smaps" > "$T/after.smaps"
[ "$(tail -n 1 "$T/loop.out")" = "$first" ] || fail "result changed"
kill -0 "$PID" || fail "process died"
stop_looping
at_least "$(pmd_kb "$T/after.smaps" "$P")" "$(eligible_kb "$P")" 99 \
	"--pid on tmpfs text"
grep -q "via collapse" "$T/pid.out" || fail "route: $(cat "$T/pid.out")"

# ext4: left as it was without --inject (said so); huge with it.
case $(stat -f -c %T "$B") in
ext2/ext3|ext4|xfs)
	Q=$T/bigtext
	copy_small "$PROGS/bigtext" "$Q"
	"$Q" -l < /dev/null > "$T/plain.loop"
	start_looping "$Q"
	kick
	cat "/proc/$PID/smaps" > "$T/q0.smaps"
	set +e
	"$HT" --pid "$PID" > "$T/pid2.out"
	st=$?
	set -e
	kick
	if grep -q "via collapse" "$T/pid2.out"; then
		stop_looping
		ok "this kernel collapses regular files (READ_ONLY_THP_FOR_FS)"
	else
		[ "$st" -eq 1 ] || fail "ext4 --pid: exit $st, want 1"
		grep -q "needs-inject" "$T/pid2.out" ||
			fail "ext4 --pid: $(cat "$T/pid2.out")"
		cat "/proc/$PID/smaps" > "$T/q1.smaps"
		[ "$(pmd_kb "$T/q1.smaps" "$Q")" -eq 0 ] ||
			fail "ext4 --pid without --inject changed the process"
		ok "ext4 --pid without --inject: left as it was, needs-inject"

		# Traced already (a debugger): --inject refused, nothing done.
		rm -f "$T/seize.fifo"
		mkfifo "$T/seize.fifo"
		"$PROGS/seize" "$PID" < "$T/seize.fifo" > "$T/seize.out" &
		tracer=$!
		exec 4> "$T/seize.fifo"
		i=0
		while ! grep -q seized "$T/seize.out" && [ $i -lt 100 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		set +e
		"$HT" --pid "$PID" --inject > "$T/traced.out"
		st=$?
		set -e
		exec 4>&-
		wait "$tracer"
		[ "$st" -eq 1 ] && grep -q ": traced:" "$T/traced.out" ||
			fail "traced, --inject: exit $st: $(cat "$T/traced.out")"
		[ "$(pmd_kb "/proc/$PID/smaps" "$Q")" -eq 0 ] &&
			[ "$(awk -v p="$Q" '/^[0-9a-f]+-/ { c = ($6 == p) }
			c && /^Rss:/ { s += $2 } END { print s + 0 }' \
			"/proc/$PID/smaps")" -gt 0 ] ||
			fail "traced, --inject: the process was changed"
		kick
		ok "a traced process: --inject refused (traced), left as it was"

		# --inject: >= 99% PMD-mapped, same results, still running.
		set +e
		"$HT" -r "$T/inj.json" --pid "$PID" --inject > "$T/pid3.out"
		st=$?
		set -e
		cat "/proc/$PID/smaps" > "$T/q2.smaps"
		kick
		kick
		kill -0 "$PID" || fail "--inject: the process died"
		[ "$st" -eq 0 ] || fail "--inject: exit $st: $(cat "$T/pid3.out")"
		at_least "$(pmd_kb "$T/q2.smaps" "$Q")" "$(eligible_kb "$Q")" 99 \
			"ext4 --pid --inject, in the process's own smaps"
		grep -q "via inject" "$T/pid3.out" ||
			fail "--inject route: $(cat "$T/pid3.out")"
		grep -q '"stop_usec":[1-9]' "$T/inj.json" ||
			fail "no stop time reported: $(cat "$T/inj.json")"
		# Results as a plain run's, and it exits as it would.
		exec 3>&-
		wait "$PID" || fail "--inject: exit status $? after"
		# Each line a run over every function: the plain run's sum.
		sum=$(awk '{ print $NF }' "$T/plain.loop")
		[ "$(head -n 1 "$T/loop.out")" = "$(cat "$T/plain.loop")" ] &&
			[ "$(awk -v s="$sum" '$NF != s' "$T/loop.out")" = "" ] &&
			[ "$(wc -l < "$T/loop.out")" -ge 4 ] ||
			fail "--inject: results differ from a plain run"
		ok "ext4 --pid --inject: same results, exit status 0"
		"$Q" -s "$T/new.smaps" > /dev/null
		at_least "$(pmd_kb "$T/new.smaps" "$Q")" "$(eligible_kb "$Q")" 99 \
			"a new process after --inject (page cache huge)"

		# A hot loop: the text runs all the time, the one thread
		# there is the one stopped.  Its result and exit status are
		# a plain run's; it ends with the text PMD-mapped.
		H=$T/bigtext-hot
		copy_small "$PROGS/bigtext" "$H"
		"$H" -r 8000 -x 7 > "$T/hot.plain" || [ $? -eq 7 ] ||
			fail "hot loop, plain run"
		copy_small "$PROGS/bigtext" "$H"
		"$H" -r 8000 -x 7 -s "$T/hot.smaps" > "$T/hot.out" &
		hot=$!
		sleep 0.3
		kill -0 "$hot" 2> /dev/null ||
			skip "the hot loop ended before --inject (too fast)"
		"$HT" --pid "$hot" --inject > "$T/hot.pid" ||
			fail "hot loop --inject: $(cat "$T/hot.pid")"
		set +e
		wait "$hot"
		st=$?
		set -e
		[ "$st" -eq 7 ] || fail "hot loop: exit status $st, want 7"
		cmp -s "$T/hot.plain" "$T/hot.out" ||
			fail "hot loop: output differs from a plain run"
		at_least "$(pmd_kb "$T/hot.smaps" "$H")" "$(eligible_kb "$H")" \
			99 "a hot loop after --inject, at its exit"
	fi
	;;
esac

# Never worse: a process with half its text PMD-mapped (the page cache
# huge, the other half paged out of it from outside) keeps that half:
# the page-out route would take those mappings and give small ones.
case $(stat -f -c %T "$B") in
ext2/ext3|ext4|xfs)
	if command -v python3 > /dev/null; then
		R=$T/bigtext-half
		copy_small "$PROGS/bigtext" "$R"
		"$HT" prime "$R" > /dev/null || fail "prime of $R"
		start_looping "$R"
		kick
		range=$(awk -v f="$R" '$NF == f && $2 ~ /x/ { print $1; exit }' \
			"/proc/$PID/maps")
		python3 - "$PID" "$range" <<'PY' || fail "process_madvise: $?"
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
pid, rng = int(sys.argv[1]), sys.argv[2]
lo, hi = (int(x, 16) for x in rng.split("-"))
half = (hi - lo) // 2 // (2 << 20) * (2 << 20)
pidfd = libc.syscall(434, pid, 0)
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
iov = iovec(lo + ((-lo) % (2 << 20)), half)
n = libc.syscall(440, pidfd, ctypes.byref(iov), 1, 21, 0)
sys.exit(0 if n >= 0 else 1)
PY
		before=$(pmd_kb "/proc/$PID/smaps" "$R")
		full=$(eligible_kb "$R")
		[ "$before" -gt 0 ] && [ "$before" -lt "$full" ] ||
			fail "could not make the process half huge ($before of $full kB)"
		set +e
		"$HT" --pid "$PID" > "$T/half.out"
		set -e
		after=$(pmd_kb "/proc/$PID/smaps" "$R")
		# --inject finishes the other half, the huge one untouched.
		"$HT" --pid "$PID" --inject > "$T/half2.out" ||
			fail "half huge, --inject: $(cat "$T/half2.out")"
		at_least "$(pmd_kb "/proc/$PID/smaps" "$R")" "$full" 99 \
			"a half huge process after --inject"
		kick
		stop_looping
		[ "$after" -ge "$before" ] ||
			fail "--pid made it worse: $before kB huge before, $after after: $(cat "$T/half.out")"
		grep -q "remote-small-mappings\|needs-inject\|not-faulted\|via collapse" \
			"$T/half.out" ||
			fail "--pid does not say why: $(cat "$T/half.out")"
		ok "--pid never makes a partly huge process worse ($before kB kept)"
	fi
	;;
esac

# Text the process never faulted has no page table: after --pid (page
# cache primed) its first use maps it huge.  Said as not-faulted, not as
# remote-small-mappings, and then true in its smaps.
case $(stat -f -c %T "$B") in
ext2/ext3|ext4|xfs)
	cat > "$T/late.c" << 'EOF'
/* late FILE: map 8 MiB of FILE executable at a 2 MiB-aligned address,
 * read all of it at the first byte of input, wait for the end of it. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t len = 8 << 20, h = 2 << 20, i;
	volatile const char *p;
	unsigned long sum = 0;
	uintptr_t a;
	char *r, b;
	int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;

	r = mmap(NULL, len + h, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || r == MAP_FAILED)
		return 1;
	a = ((uintptr_t)r + h - 1) & ~(uintptr_t)(h - 1);
	if (mmap((void *)a, len, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED,
		 fd, 0) == MAP_FAILED)
		return 1;
	p = (const char *)a;
	printf("mapped\n");
	fflush(stdout);
	if (read(0, &b, 1) != 1)
		return 1;
	for (i = 0; i < len; i += 4096)
		sum += p[i];
	printf("read %lu\n", sum);
	fflush(stdout);
	while (read(0, &b, 1) > 0)
		;
	return 0;
}
EOF
	cc -O2 -o "$T/late" "$T/late.c" || fail "cannot build late"
	copy_small "$PROGS/bigtext" "$T/late.text"
	rm -f "$T/late.fifo"
	mkfifo "$T/late.fifo"
	"$T/late" "$T/late.text" < "$T/late.fifo" > "$T/late.out" &
	PID=$!
	exec 3> "$T/late.fifo"
	i=0
	while [ ! -s "$T/late.out" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	set +e
	"$HT" --pid "$PID" > "$T/late.pid"
	lst=$?
	set -e
	echo go >&3
	i=0
	while [ "$(wc -l < "$T/late.out")" -lt 2 ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	cat "/proc/$PID/smaps" > "$T/late.smaps"
	exec 3>&-
	wait "$PID" || fail "late: status $?"
	if ! grep -q "via collapse" "$T/late.pid"; then
		[ "$lst" -eq 1 ] || fail "--pid on unfaulted text: exit $lst"
		grep -q "late.text: .*: not-faulted: " "$T/late.pid" ||
			fail "--pid on unfaulted text: $(cat "$T/late.pid")"
	fi
	at_least "$(pmd_kb "$T/late.smaps" "$T/late.text")" $((8 * 1024)) 99 \
		"text first used after --pid"
	;;
esac

# A process that locked its text (mlockall, then dlopen): MADV_PAGEOUT
# refuses locked ranges, so where no collapse works --pid says locked
# and leaves it; on tmpfs, MADV_COLLAPSE works on locked text.
pid_locked() {
	rm -f "$T/lock.fifo" "$T/lock.out"
	mkfifo "$T/lock.fifo"
	"$PROGS/dlopener" -m -w "$1" < "$T/lock.fifo" > "$T/lock.out" \
		2> "$T/lock.err" &
	PID=$!
	exec 3> "$T/lock.fifo"
	i=0
	while [ ! -s "$T/lock.out" ] && kill -0 "$PID" 2> /dev/null &&
		[ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if ! kill -0 "$PID" 2> /dev/null; then
		exec 3>&-
		wait "$PID" || :
		echo "note: mlockall refused ($(cat "$T/lock.err")): locked case not run"
		return 1
	fi
	set +e
	"$HT" --pid "$PID" > "$T/lock.pid"
	lst=$?
	set -e
	cat "/proc/$PID/smaps" > "$T/lock.smaps"
	exec 3>&-
	wait "$PID" || fail "locked process: status $?"
	awk -v p="$1" '/^[0-9a-f]+-[0-9a-f]+ / { cur = ($6 == p && $2 ~ /x/) }
		cur && /^VmFlags:/ && / lo( |$)/ { f = 1 }
		END { exit !f }' "$T/lock.smaps" ||
		fail "library text not locked (the test is wrong)"
}
copy_small "$PROGS/libbig.so" "$SHM/libbig.so"
if pid_locked "$SHM/libbig.so"; then
	[ "$lst" -eq 0 ] || fail "--pid on locked tmpfs text: exit $lst: $(cat "$T/lock.pid")"
	at_least "$(pmd_kb "$T/lock.smaps" "$SHM/libbig.so")" \
		"$(eligible_kb "$SHM/libbig.so")" 99 "--pid collapses locked tmpfs text"
fi
case $(stat -f -c %T "$B") in
ext2/ext3|ext4|xfs)
	copy_small "$PROGS/libbig.so" "$T/libbig.so"
	if pid_locked "$T/libbig.so"; then
		if grep -q "via collapse" "$T/lock.pid"; then
			ok "locked ext4 text collapsed (READ_ONLY_THP_FOR_FS)"
		else
			[ "$lst" -eq 1 ] || fail "--pid on locked text: exit $lst: $(cat "$T/lock.pid")"
			grep -q "libbig.so: .*: locked: " "$T/lock.pid" ||
				fail "locked text: $(cat "$T/lock.pid")"
			if grep -q "syscall-failed" "$T/lock.pid"; then
				fail "locked text: $(cat "$T/lock.pid")"
			fi
			[ "$(pmd_kb "$T/lock.smaps" "$T/libbig.so")" -eq 0 ] ||
				fail "locked text: smaps disagrees"
			ok "--pid on locked ext4 text: reason locked, left as it was"
		fi
	fi
	;;
esac

# Errors: a process that is gone; missing privileges.
sh -c 'exit 0' &
gone=$!
wait "$gone"
set +e
"$HT" --pid "$gone" > /dev/null 2> "$T/err"
st=$?
set -e
[ "$st" -eq 2 ] && grep -q "no such process" "$T/err" ||
	fail "gone process: exit $st: $(cat "$T/err")"
ok "a process that is gone: exit 2, one line"

if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null &&
	id nobody > /dev/null 2>&1; then
	U=$(mktemp -d /var/tmp/hugetext-pid.XXXXXX)
	chmod 755 "$U"
	cp "$HT" "$LIB" "$U/"
	copy_small "$PROGS/bigtext" "$U/bigtext"
	chmod 755 "$U/bigtext"
	start_looping "$U/bigtext"
	kick
	set +e
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		--inh-caps=-all env HUGETEXT_LIBRARY="$U/libhugetext.so" \
		"$U/hugetext" --pid "$PID" > /dev/null 2> "$T/err"
	st=$?
	set -e
	stop_looping
	rm -rf "$U"
	[ "$st" -eq 2 ] || fail "as nobody: exit $st, want 2"
	[ "$(wc -l < "$T/err")" -eq 1 ] && grep -q "ptrace" "$T/err" ||
		fail "as nobody: $(cat "$T/err")"
	ok "without privileges: exit 2, one line naming what is missing"
fi
