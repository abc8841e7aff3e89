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
cp "/proc/$PID/smaps" "$T/st.smaps"
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
cp "/proc/$PID/smaps" "$T/st2.smaps"
stop_looping
kb=$(pmd_kb "$T/st2.smaps" "$P")
at_least "$kb" "$(eligible_kb "$P")" 99 "under hugetext (smaps)"
grep -q "$P: .* huge $((kb / 1024)).0 MiB (100%)" "$T/st2.out" ||
	fail "status disagrees with smaps ($kb kB): $(cat "$T/st2.out")"
ok "status agrees with smaps under hugetext"

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
