#!/bin/sh
# hugetext prime, and static programs under the launcher: the page cache
# is made huge from outside, and plain runs then map huge text.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

case $(stat -f -c %T "$B") in
ext2/ext3|ext4|xfs) ;;
*) skip "build tree is not on a large-folio filesystem" ;;
esac

# A static program (24 MiB text, 2 MiB p_align) from small folios.
S=$T/static
copy_small "$PROGS/bigtext-static" "$S"
want=$(eligible_kb "$S")
"$S" -s "$T/s0.smaps" > "$T/s0.out"
[ "$(pmd_kb "$T/s0.smaps" "$S")" -eq 0 ] || fail "static: PMD before"
set +e
"$HT" "$S" -x 5 -s "$T/s1.smaps" > "$T/s1.out"
st=$?
set -e
[ "$st" -eq 5 ] || fail "static: exit status $st, want 5"
cmp -s "$T/s0.out" "$T/s1.out" || fail "static: output differs"
at_least "$(pmd_kb "$T/s1.smaps" "$S")" "$want" 99 "static under hugetext"

# Static programs linked with 4 KiB pages, built here: at the default
# base (text congruent) and at a base 64 KiB off 2 MiB (incongruent: no
# PMD can map a byte of its text, as check says).
SRC=$HT_SRCDIR/tests/progs/bigtext.c
cc -O2 -static -Wl,-z,max-page-size=4096 -Wl,-z,separate-code \
	-I"$HT_SRCDIR/tests/progs" -o "$T/scon.b" "$SRC" "$PROGS/main24.S" \
	2> "$T/cc.err" || skip "cc -static fails: $(head -n 3 "$T/cc.err")"
cc -O2 -static -Wl,-z,max-page-size=4096 -Wl,-z,separate-code \
	-Wl,-Ttext-segment=0x410000 -I"$HT_SRCDIR/tests/progs" \
	-o "$T/sinc.b" "$SRC" "$PROGS/main24.S"
copy_small "$T/scon.b" "$T/scon"
copy_small "$T/sinc.b" "$T/sinc"
set +e
"$HT" check "$T/sinc" > "$T/sinc.check"
st=$?
set -e
[ "$st" -eq 1 ] && grep -q 'not eligible (incongruent)' "$T/sinc.check" ||
	fail "check of the incongruent static program: $st: $(cat "$T/sinc.check")"
"$HT" -v "$T/sinc" -s "$T/sinc.smaps" > "$T/sinc.out" 2> "$T/sinc.err"
[ "$(pmd_kb "$T/sinc.smaps" "$T/sinc")" -eq 0 ] ||
	fail "incongruent static program has PMDs (the test is wrong)"
[ "$(wc -l < "$T/sinc.err")" -eq 1 ] &&
	grep -q "statically linked: not primed: .*: incongruent: " \
		"$T/sinc.err" ||
	fail "incongruent static -v: $(cat "$T/sinc.err")"
if grep -q 'huge [1-9]' "$T/sinc.err"; then
	fail "incongruent static: claims huge text: $(cat "$T/sinc.err")"
fi
# Its page cache was left small: a prime now has to build it (refault),
# where after a launcher's prime it would find it huge (remap).
"$HT" prime --json "$T/sinc" > "$T/sinc.json"
grep -q '"route":"refault"' "$T/sinc.json" ||
	fail "incongruent static program was primed anyway: $(cat "$T/sinc.json")"
ok "incongruent static program: not primed, -v says why in one line"

want=$(eligible_kb "$T/scon")
"$HT" -v "$T/scon" -s "$T/scon.smaps" > "$T/scon.out" 2> "$T/scon.err"
at_least "$(pmd_kb "$T/scon.smaps" "$T/scon")" "$want" 99 \
	"congruent static program (4 KiB pages) under hugetext"
grep -q "statically linked: primed .*eligible $((want / 1024)).0 MiB, huge $((want / 1024)).0 MiB" \
	"$T/scon.err" || fail "congruent static -v: $(cat "$T/scon.err")"
ok "congruent static program: -v says what it maps"

# prime, then a plain run (no hugetext at all).
P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"
mtime=$(stat -c %Y "$P")
sum=$(md5sum < "$P")
"$HT" prime "$P" > "$T/prime.out" || fail "prime failed: $(cat "$T/prime.out")"
grep -q "huge in page cache 48.0 MiB (100%)" "$T/prime.out" ||
	fail "prime report: $(cat "$T/prime.out")"
"$P" -s "$T/p.smaps" > /dev/null
at_least "$(pmd_kb "$T/p.smaps" "$P")" "$(eligible_kb "$P")" 99 \
	"plain run after prime"
[ "$(stat -c %Y "$P")" = "$mtime" ] && [ "$(md5sum < "$P")" = "$sum" ] ||
	fail "prime changed the file"
ok "prime left the file's contents and mtime alone"

# A second prime finds the cache huge: nothing evicted.
"$HT" prime --json "$P" > "$T/prime2.json"
grep -q '"route":"remap"' "$T/prime2.json" || fail "second prime: $(cat "$T/prime2.json")"
ok "second prime: remap, nothing evicted"

# Pages mapped by a running process cannot be dropped: named as such.
Q=$T/busy
copy_small "$PROGS/bigtext" "$Q"
mkfifo "$T/fifo"
"$Q" -w < "$T/fifo" > /dev/null &
pid=$!
exec 3> "$T/fifo"
sleep 0.3
set +e
"$HT" prime "$Q" > "$T/busy.out"
st=$?
"$HT" prime --strict "$Q" > "$T/busy2.out"
st2=$?
set -e
exec 3>&-
wait "$pid"
# ExecStartPre= must not fail a service for the page cache's state.
[ "$st" -eq 0 ] || fail "prime of a busy file: status $st, want 0"
[ "$st2" -eq 1 ] || fail "prime --strict of a busy file: status $st2, want 1"
grep -q 'page-cache-busy' "$T/busy.out" || fail "busy not named: $(cat "$T/busy.out")"
ok "prime of text mapped by a running process: page-cache-busy, status 0 (--strict: 1)"

# Bad input: one line each, status 2, the other files still primed.
printf 'x' > "$T/notelf"
set +e
"$HT" prime "$T/notelf" "$T/missing" "$P" > "$T/bad.out" 2> "$T/bad.err"
st=$?
set -e
[ "$st" -eq 2 ] || fail "bad input: status $st, want 2"
[ "$(wc -l < "$T/bad.err")" -eq 2 ] || fail "bad input: $(cat "$T/bad.err")"
grep -q "^$P: " "$T/bad.out" || fail "good file not primed after bad ones"
ok "bad files: one line each, status 2, others primed"

# A file cut short: its segments lie past its end, so there is nothing
# to read there; said as check says it, not primed.
head -c 5000000 "$PROGS/bigtext-static" > "$T/cut"
set +e
"$HT" prime "$T/cut" > "$T/cut.out" 2> "$T/cut.err"
st=$?
set -e
[ "$st" -eq 2 ] || fail "prime of a truncated file: exit $st, want 2"
grep -q "truncated" "$T/cut.err" || fail "truncated file: $(cat "$T/cut.err")"
ok "a truncated file: refused as truncated, exit 2"
