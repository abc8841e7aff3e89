#!/bin/sh
# The library keeps the program's errno: main() finds errno as it does
# plainly (0), and after a successful dlopen of a big library (whose pass
# runs inside the loader) errno is what it is plainly (the program sets
# 4321 before the call: dlopen does not define errno on success, so the
# plain run is the reference).  With and without -v, and in the
# LD_PRELOAD-only form.  The passes did run: both objects end up huge.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
P=$T/out_prog
L=$T/libbig.so

fresh() {
	copy_small "$B/tests/harm/progs/out_prog" "$P"
	copy_small "$PROGS/libbig.so" "$L"
}

fresh
"$P" -e -d "$L" > "$T/plain.out" || fail "plain run: status $?"
grep -q "^errno at main 0$" "$T/plain.out" ||
	fail "plainly, errno at main is not 0: $(cat "$T/plain.out")"

n=0
for how in "$HT" "$HT -v" "env LD_PRELOAD=$LIB" "env LD_PRELOAD=$LIB HUGETEXT_VERBOSE=1"; do
	n=$((n + 1))
	fresh
	# shellcheck disable=SC2086
	$how "$P" -e -d "$L" -s "$T/ht$n.smaps" > "$T/ht.out" 2> "$T/ht.err" ||
		fail "$how: status $?"
	cmp -s "$T/plain.out" "$T/ht.out" ||
		fail "$how: errno or output differs: $(diff "$T/plain.out" "$T/ht.out")"
	ok "$how: $(grep errno "$T/ht.out" | tr '\n' ' ')as plainly"
done
at_least "$(pmd_kb "$T/ht1.smaps" "$P")" "$(eligible_kb "$P")" 99 \
	"program text under hugetext"
at_least "$(pmd_kb "$T/ht1.smaps" "$L")" "$(eligible_kb "$L")" 99 \
	"dlopened library under hugetext"
