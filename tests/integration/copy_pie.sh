#!/bin/sh
# The copy route on a PIE linked with 4 KiB p_align (postgres, gdb,
# perf as distributions ship them): the kernel loads it at a random
# 4 KiB-aligned base, so no page-cache PMD can map its text, but a copy
# needs no file-offset congruence: every 2 MiB-aligned part of the text
# mapping is copied.  Then a pre-forking server: a copy made in the
# parent before fork is shared by its workers (copy-on-write of pages
# never written), so 9 processes' text costs about one copy.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

P=$T/pie4k
pie4k "$P"
"$P" > "$T/plain.out"

# The page-cache route has nothing to work on here (unless the random
# base happens to be congruent: 1 start in 512).
"$HT" -r "$T/auto.json" "$P" -s "$T/auto.smaps" > /dev/null
[ "$(pmd_kb "$T/auto.smaps" "$P")" -eq 0 ] ||
	echo "note: the random base happened to be congruent"

set +e
"$HT" -s copy -r "$T/c.json" "$P" -x 5 -s "$T/c.smaps" > "$T/c.out"
st=$?
set -e
[ "$st" -eq 5 ] || fail "exit status $st under copy, want 5"
cmp -s "$T/plain.out" "$T/c.out" || fail "output differs under copy"
anon=$(exec_kb "$T/c.smaps" AnonHugePages)
[ "$anon" -ge $((14 * 1024)) ] ||
	fail "copy of an incongruent PIE: $anon kB AnonHugePages in its executable mappings, want >= 14336"
ok "incongruent PIE under copy: $anon kB AnonHugePages in its executable mappings"
[ "$(route_of "$T/c.json" "$P")" = copy ] || fail "route: $(cat "$T/c.json")"
# check predicted it: the copy's range over the random bases.
"$HT" check --json "$P" > "$T/check.json" || true
cmin=$(sed -n 's/.*"copy":{"min_bytes":\([0-9]*\),"max_bytes":\([0-9]*\).*/\1/p' "$T/check.json")
cmax=$(sed -n 's/.*"copy":{"min_bytes":\([0-9]*\),"max_bytes":\([0-9]*\).*/\2/p' "$T/check.json")
[ -n "$cmin" ] && [ "$((cmin / 1024))" -le "$anon" ] &&
	[ "$anon" -le "$((cmax / 1024))" ] ||
	fail "check predicted a copy of $cmin-$cmax bytes, got $anon kB: $(cat "$T/check.json")"
"$HT" check "$P" | grep -q "routes: page cache: no (incongruent); copy (-s copy): 14.0-16.0 MiB" ||
	fail "check's routes line: $("$HT" check "$P")"
ok "check predicted $((cmin / 1024))-$((cmax / 1024)) kB for the copy"
grep -q '"reason":"incongruent"' "$T/c.json" &&
	fail "copy report still calls it incongruent: $(cat "$T/c.json")"

# A pre-forking server: the parent copies at start, then 8 workers run
# the text.  Their smaps are read while all 9 live.
set +e
"$HT" -s copy "$P" -f 8 -s "$T/f.smaps" > "$T/f.out"
st=$?
set -e
[ "$st" -eq 0 ] || fail "forking run: exit status $st (a worker failed)"
cmp -s "$T/plain.out" "$T/f.out" || fail "output differs with workers"
one=$(exec_kb "$T/f.smaps.0" Rss)
total=0
i=0
while [ $i -le 8 ]; do
	a=$(exec_kb "$T/f.smaps.$i" AnonHugePages)
	[ "$a" -ge $((14 * 1024)) ] ||
		fail "process $i of 9 maps $a kB of the copy, want >= 14336"
	total=$((total + $(exec_kb "$T/f.smaps.$i" Pss)))
	i=$((i + 1))
done
[ $((total * 10)) -le $((one * 12)) ] ||
	fail "9 processes' text: $total kB PSS, over 1.2x one copy ($one kB)"
ok "parent + 8 workers: text PSS $total kB in all, one copy is $one kB"
