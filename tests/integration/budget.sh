#!/bin/sh
# The pass's time budget (--budget, HUGETEXT_BUDGET_MS): a pass stops
# within about one chunk of it, says budget-exhausted, and the program
# runs as plainly; 0 means none; a bad value makes the library do
# nothing.  (budget_scarce.sh: the same where huge pages are scarce.)
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"
"$P" > "$T/plain.out"

# usec_of REPORT: the pass's time, from the last JSON line.
usec_of() {
	tail -n 1 "$1" | sed -n 's/^{[^{]*"usec":\([0-9]*\).*/\1/p'
}

# A 48 MiB first start takes tens of ms here; 2 ms cannot do it all.
copy_small "$PROGS/bigtext" "$P"
"$HT" --budget=2 -r "$T/b.json" "$P" > "$T/b.out"
cmp -s "$T/plain.out" "$T/b.out" || fail "output differs under --budget=2"
grep -q '"reason":"budget-exhausted"' "$T/b.json" ||
	fail "no budget-exhausted: $(cat "$T/b.json")"
copy_small "$PROGS/bigtext" "$P"
"$HT" --budget=0 -r "$T/full.json" "$P" -s "$T/full.smaps" > "$T/full.out"
cmp -s "$T/plain.out" "$T/full.out" || fail "output differs under --budget=0"
at_least "$(pmd_kb "$T/full.smaps" "$P")" "$(eligible_kb "$P")" 99 \
	"--budget=0 (no budget)"
b=$(usec_of "$T/b.json")
full=$(usec_of "$T/full.json")
[ -n "$b" ] && [ -n "$full" ] || fail "no usec in the reports"
[ "$b" -lt "$full" ] || fail "budgeted pass $b us, unbudgeted $full us"
# one chunk (4 MiB) read past the deadline at most, with room to spare
[ "$b" -le 30000 ] || fail "2 ms budget: the pass took $b us"
ok "--budget=2: stopped after $b us (a whole pass: $full us), output unchanged"

HUGETEXT_BUDGET_MS=soon HUGETEXT_VERBOSE=1 LD_AUDIT=$LIB "$P" \
	> "$T/bad.out" 2> "$T/bad.err"
cmp -s "$T/plain.out" "$T/bad.out" || fail "output differs, bad budget"
grep -q "HUGETEXT_BUDGET_MS=soon is not valid" "$T/bad.err" ||
	fail "bad budget not said: $(cat "$T/bad.err")"
ok "a bad HUGETEXT_BUDGET_MS: said, nothing done"
