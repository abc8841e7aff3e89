#!/bin/sh
# Libraries loaded with dlopen() after main() starts are covered, and
# appear in the report; many threads calling dlopen at once under the
# preload neither deadlock nor crash.  HUGETEXT_DLOPEN=0 turns it off.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

L=$T/libbig.so
copy_small "$PROGS/libbig.so" "$L"
D=$PROGS/dlopener

"$D" -s "$T/plain.smaps" "$L" > "$T/plain.out"
[ "$(pmd_kb "$T/plain.smaps" "$L")" -eq 0 ] || fail "PMD before"

"$HT" -r "$T/r.json" "$D" -s "$T/ht.smaps" "$L" > "$T/ht.out"
cmp -s "$T/plain.out" "$T/ht.out" || fail "output differs under hugetext"
at_least "$(pmd_kb "$T/ht.smaps" "$L")" "$(eligible_kb "$L")" 99 \
	"library loaded by dlopen"
grep '"trigger":"dlopen"' "$T/r.json" | grep -qF "\"path\":\"$L\"" ||
	fail "dlopen pass not reported: $(cat "$T/r.json")"

copy_small "$PROGS/libbig.so" "$L"
"$HT" --no-dlopen "$D" -s "$T/off.smaps" "$L" > /dev/null
[ "$(pmd_kb "$T/off.smaps" "$L")" -eq 0 ] || fail "--no-dlopen acted"
ok "--no-dlopen leaves dlopened libraries alone"

# mlockall(MCL_FUTURE) before the dlopen: the library arrives locked
# (VmFlags lo) with small pages, which no zap may drop (MADV_DONTNEED:
# EINVAL): said as locked, not as a failed system call.
copy_small "$PROGS/libbig.so" "$L"
st=0
# Without CAP_IPC_LOCK, RLIMIT_MEMLOCK (8 MiB for most users) caps what
# may be locked: ld.so then fails to map the 16 MiB library at all.
memlock=$(ulimit -l)
cap=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
if [ -n "${HT_SANITIZE:-}" ]; then
	# mlockall would lock and fill the sanitized library's shadow memory.
	st=sanitized
elif [ "$memlock" != unlimited ] && [ "$memlock" -lt 65536 ] &&
     [ $((0x$cap >> 14 & 1)) -eq 0 ]; then
	st=memlock
else
	set +e
	"$HT" -r "$T/lock.json" "$D" -m -s "$T/lock.smaps" "$L" \
		> "$T/lock.out" 2> "$T/lock.err"
	st=$?
	set -e
fi
if [ "$st" = sanitized ]; then
	echo "note: under the sanitizers the locked case is not run"
elif [ "$st" = memlock ]; then
	echo "note: RLIMIT_MEMLOCK ${memlock} KiB, no CAP_IPC_LOCK: locked case not run"
elif [ "$st" -eq 4 ]; then
	echo "note: mlockall refused ($(cat "$T/lock.err")): locked case not run"
else
	[ "$st" -eq 0 ] || fail "locked dlopen: status $st: $(cat "$T/lock.err")"
	cmp -s "$T/plain.out" "$T/lock.out" || fail "locked: output differs"
	awk -v p="$L" '/^[0-9a-f]+-[0-9a-f]+ / { cur = ($6 == p && $2 ~ /x/) }
		cur && /^VmFlags:/ && / lo( |$)/ { f = 1 }
		END { exit !f }' "$T/lock.smaps" ||
		fail "library text not locked (the test is wrong)"
	line=$(json_objects "$T/lock.json" | grep -F "{\"path\":\"$L\"")
	if [ "$(pmd_kb "$T/lock.smaps" "$L")" -gt 0 ]; then
		# A kernel that collapses regular files needs no zap.
		[ "$(json_field "$line" route)" = collapse ] ||
			fail "locked, huge, but not by collapse: $line"
		ok "locked library collapsed (this kernel collapses files)"
	else
		[ "$(json_field "$line" reason)" = locked ] ||
			fail "locked library: reason not locked: $line"
		ok "library locked by mlockall before its dlopen: reason locked"
	fi
fi

# Concurrency: 8 threads x 20 rounds of dlopen/dlclose, 10 runs, each
# under a time limit (a deadlock would hang).
libm=$(ldd /bin/sh | awk '/libc\.so/ { print $3 }' | sed 's/libc\.so\.6/libm.so.6/')
[ -e "$libm" ] || libm=libm.so.6
i=0
while [ $i -lt 10 ]; do
	timeout 60 "$HT" "$D" -t 8 -n 20 "$L" "$libm" libz.so.1 \
		> "$T/conc.out" 2>&1 || fail "concurrent run $i: status $?: $(cat "$T/conc.out")"
	grep -q "threads 8 rounds 20 done" "$T/conc.out" || fail "run $i: $(cat "$T/conc.out")"
	i=$((i + 1))
done
ok "10 runs of 8 threads x 20 dlopen/dlclose rounds: no deadlock, no crash"
