#!/bin/sh
# hugetext status PID: eligible and PMD-mapped bytes per executable file
# mapping of a running process, checked against its smaps.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"
start_looping "$P"
kick
set +e
"$HT" status "$PID" > "$T/st.out"
st=$?
set -e
cat "/proc/$PID/smaps" > "$T/st.smaps"
[ "$st" -eq 1 ] || fail "status of small-page text: exit $st, want 1"
grep -q "$P: text 48.0 MiB, eligible 48.0 MiB, huge 0.0 MiB (0%): small-pages" \
	"$T/st.out" || fail "status line: $(cat "$T/st.out")"
[ "$(pmd_kb "$T/st.smaps" "$P")" -eq 0 ] || fail "smaps disagrees"
"$HT" status --json "$PID" > "$T/st.json" || true
line=$(json_objects "$T/st.json" | grep -F "{\"path\":\"$P\"")
[ "$(json_field "$line" eligible_bytes)" -eq $((48 * MIB)) ] ||
	fail "JSON eligible: $line"
[ "$(json_field "$line" huge_bytes)" -eq 0 ] || fail "JSON huge: $line"
stop_looping
ok "status of a plain run: 48 MiB eligible, 0 huge, small-pages, exit 1"

# Under hugetext: the same numbers as the process's own smaps.
start_looping "$HT" "$P"
kick
"$HT" status "$PID" > "$T/st2.out" || fail "status: exit $?, want 0"
cat "/proc/$PID/smaps" > "$T/st2.smaps"
stop_looping
kb=$(pmd_kb "$T/st2.smaps" "$P")
at_least "$kb" "$(eligible_kb "$P")" 99 "under hugetext (smaps)"
grep -q "$P: .* huge $((kb / 1024)).0 MiB (100%)" "$T/st2.out" ||
	fail "status disagrees with smaps ($kb kB): $(cat "$T/st2.out")"
ok "status agrees with smaps under hugetext"

# Text never run is not small: mapped (2 MiB-aligned, executable) but
# not one page faulted, it is not-faulted; with its first span read, it
# is small-pages.  Both exit 1: not huge.
cat > "$T/mapper.c" << 'EOF'
/* mapper FILE [touch]: map 8 MiB of FILE executable at a 2 MiB-aligned
 * address; with "touch" read the first 2 MiB of it; say "mapped", then
 * wait for the end of input. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t len = 8 << 20, h = 2 << 20, i;
	volatile const char *p;
	unsigned long sum = 0;
	uintptr_t a;
	char *r, b;
	int fd;

	fd = open(argv[1], O_RDONLY);
	r = mmap(NULL, len + h, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || r == MAP_FAILED)
		return 1;
	a = ((uintptr_t)r + h - 1) & ~(uintptr_t)(h - 1);
	if (mmap((void *)a, len, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED,
		 fd, 0) == MAP_FAILED)
		return 1;
	p = (const char *)a;
	for (i = 0; argc > 2 && !strcmp(argv[2], "touch") && i < h; i += 4096)
		sum += p[i];
	printf("mapped %lu\n", sum);
	fflush(stdout);
	while (read(0, &b, 1) > 0)
		;
	return 0;
}
EOF
cc -O2 -o "$T/mapper" "$T/mapper.c" || fail "cannot build mapper"
copy_small "$PROGS/bigtext" "$T/mapped"
for mode in none touch; do
	rm -f "$T/map.fifo" "$T/map.out"
	mkfifo "$T/map.fifo"
	"$T/mapper" "$T/mapped" "$mode" < "$T/map.fifo" > "$T/map.out" &
	mpid=$!
	exec 4> "$T/map.fifo"
	i=0
	while [ ! -s "$T/map.out" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	set +e
	"$HT" status "$mpid" > "$T/nf.out"
	st=$?
	"$HT" status --json "$mpid" > "$T/nf.json"
	set -e
	# Not cp: it gives the copy /proc's mode 0444, which the next mode's
	# copy cannot overwrite (but as root).
	cat "/proc/$mpid/smaps" > "$T/nf.smaps"
	exec 4>&-
	wait "$mpid"
	want=not-faulted
	[ "$mode" = touch ] && want=small-pages
	rss=$(awk -v p="$T/mapped" '/^[0-9a-f]+-[0-9a-f]+ / { cur = ($6 == p) }
		cur && /^Rss:/ { s += $2 } END { print s + 0 }' "$T/nf.smaps")
	[ "$mode" = touch ] || [ "$rss" -eq 0 ] ||
		fail "untouched mapping has $rss kB resident (the test is wrong)"
	[ "$st" -eq 1 ] || fail "status, $mode: exit $st, want 1"
	grep -q "$T/mapped: text 8.0 MiB, eligible 8.0 MiB, huge 0.0 MiB (0%): $want: " \
		"$T/nf.out" || fail "status, $mode: $(cat "$T/nf.out")"
	line=$(json_objects "$T/nf.json" | grep -F "{\"path\":\"$T/mapped\"")
	[ "$(json_field "$line" reason)" = "$want" ] ||
		fail "status --json, $mode: $line"
done
ok "text never faulted: not-faulted; faulted small: small-pages (exit 1)"

# Nothing eligible is not "all huge": exit 3, for status and --pid.
sleep 30 &
spid=$!
set +e
"$HT" status "$spid" > "$T/ne.out"
st=$?
"$HT" --pid "$spid" -n > "$T/ne2.out" 2>&1
st2=$?
set -e
kill "$spid"
wait "$spid" 2> /dev/null || :
grep -q "nothing eligible" "$T/ne.out" ||
	fail "status of sleep: $(cat "$T/ne.out")"
[ "$st" -eq 3 ] || fail "status with nothing eligible: exit $st, want 3"
[ "$st2" -eq 3 ] ||
	fail "--pid -n with nothing eligible: exit $st2, want 3: $(cat "$T/ne2.out")"
ok "nothing eligible (sleep): exit 3, not 0"

set +e
"$HT" status 999999999 > /dev/null 2> "$T/err"
st=$?
"$HT" status nonsense > /dev/null 2>> "$T/err"
st2=$?
set -e
[ "$st" -eq 2 ] && [ "$st2" -eq 2 ] || fail "bad PID: exit $st/$st2, want 2"
[ "$(wc -l < "$T/err")" -eq 2 ] || fail "bad PID messages: $(cat "$T/err")"
ok "bad PIDs: one line each, exit 2"

# Nothing checked is not "all huge": a zombie maps nothing.  (A parent
# that never reaps: the child stays a zombie while the parent sleeps.)
sh -c 'sleep 0 & echo $! > "$1"; exec sleep 3' sh "$T/zpid" &
parent=$!
zpid=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	zpid=$(cat "$T/zpid" 2> /dev/null || :)
	[ -n "$zpid" ] && grep -q '^State:.*Z' "/proc/$zpid/status" 2>/dev/null &&
		break
	sleep 0.1
done
if [ -n "$zpid" ] && grep -q '^State:.*Z' "/proc/$zpid/status" 2>/dev/null; then
	for cmd in "status $zpid" "--pid $zpid -n"; do
		set +e
		# shellcheck disable=SC2086
		"$HT" $cmd > "$T/z.out" 2> "$T/z.err"
		st=$?
		set -e
		[ "$st" -eq 2 ] || fail "$cmd on a zombie: exit $st, want 2"
		grep -q "nothing to check" "$T/z.err" ||
			fail "$cmd on a zombie: $(cat "$T/z.err")"
	done
	ok "a zombie: nothing checked, exit 2, not 0"
else
	echo "note: no zombie could be made: zombie case not run"
fi
kill "$parent" 2> /dev/null || :
wait "$parent" 2> /dev/null || :
