#!/bin/sh
# -r /dev/full: the report cannot be written; the program runs as plainly
# and, with -v, a line says so ("cannot write report"), instead of the
# report being dropped in silence.  Without -v nothing is printed.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
[ -c /dev/full ] || skip "no /dev/full"
P=$T/out_prog
L=$T/libbig.so

fresh() {
	copy_small "$B/tests/harm/progs/out_prog" "$P"
	copy_small "$PROGS/libbig.so" "$L"
}

fresh
"$P" -d "$L" -x 7 > "$T/plain.out" && st=0 || st=$?
[ "$st" -eq 7 ] || fail "plain run: status $st"

fresh
"$HT" -v -r /dev/full "$P" -d "$L" -x 7 > "$T/ht.out" 2> "$T/ht.err" &&
	st=0 || st=$?
[ "$st" -eq 7 ] || fail "-v -r /dev/full: status $st, plainly 7"
cmp -s "$T/plain.out" "$T/ht.out" || fail "-v -r /dev/full: stdout differs"
grep -q "cannot write report" "$T/ht.err" ||
	fail "-v -r /dev/full: the failed report is not reported: $(cat "$T/ht.err")"
ok "-v -r /dev/full: $(grep "cannot write report" "$T/ht.err" | head -n 1)"

fresh
"$HT" -r /dev/full "$P" -d "$L" -x 7 > "$T/ht.out" 2> "$T/ht.err" &&
	st=0 || st=$?
[ "$st" -eq 7 ] || fail "-r /dev/full: status $st, plainly 7"
cmp -s "$T/plain.out" "$T/ht.out" || fail "-r /dev/full: stdout differs"
[ ! -s "$T/ht.err" ] || fail "-r /dev/full without -v printed: $(cat "$T/ht.err")"
ok "-r /dev/full without -v: silent, as plainly"
