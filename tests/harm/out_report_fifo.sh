#!/bin/sh
# HUGETEXT_REPORT / -r naming a FIFO that nobody reads: start-up (and a
# later dlopen pass) must not block (each run under `timeout 20`; 124
# means it hung), output and status are those of a plain run, and with
# -v a line says the report could not be written.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
P=$T/out_prog
L=$T/libbig.so
F=$T/report.fifo
mkfifo "$F" || skip "cannot make a FIFO in $T"

fresh() {
	copy_small "$B/tests/harm/progs/out_prog" "$P"
	copy_small "$PROGS/libbig.so" "$L"
}

fresh
"$P" -d "$L" -x 7 > "$T/plain.out" && st=0 || st=$?
[ "$st" -eq 7 ] || fail "plain run: status $st"

check() {
	[ "$st" -ne 124 ] || fail "$1: blocked on the FIFO (timed out)"
	[ "$st" -eq 7 ] || fail "$1: status $st, plainly 7: $(cat "$T/ht.err")"
	cmp -s "$T/plain.out" "$T/ht.out" || fail "$1: stdout differs"
}

fresh
timeout 20 "$HT" -r "$F" "$P" -d "$L" -x 7 > "$T/ht.out" 2> "$T/ht.err" &&
	st=0 || st=$?
check "-r FIFO"
ok "-r FIFO without a reader: no block, output and status as plainly"

fresh
HUGETEXT_REPORT=$F timeout 20 "$HT" "$P" -d "$L" -x 7 > "$T/ht.out" \
	2> "$T/ht.err" && st=0 || st=$?
check "HUGETEXT_REPORT=FIFO"
ok "HUGETEXT_REPORT=FIFO without a reader: no block"

fresh
timeout 20 "$HT" -v -r "$F" "$P" -d "$L" -x 7 > "$T/ht.out" 2> "$T/ht.err" &&
	st=0 || st=$?
check "-v -r FIFO"
grep -q "cannot write report" "$T/ht.err" ||
	fail "-v -r FIFO: no line says the report could not be written: $(cat "$T/ht.err")"
ok "-v -r FIFO: $(grep "cannot write report" "$T/ht.err" | head -n 1)"
