#!/bin/sh
# -v and -r with dlopen() from threads the program made: the audit
# module's libc has no locale in those threads, so its report must not
# need one (printf's %f and strerror() faulted there: SIGSEGV on the
# first report from such a thread, every time).  Error paths too: a
# report whose directory does not exist.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
D=$PROGS/dlopener
copy_small "$PROGS/libbig.so" "$T/big.so"
"$D" -t 2 -n 2 "$T/big.so" libm.so.6 > "$T/plain.out" ||
	fail "plain: status $?"
copy_small "$PROGS/libbig.so" "$T/big.so"
"$HT" -v -r "$T/r.json" "$D" -t 2 -n 2 "$T/big.so" libm.so.6 \
	> "$T/ht.out" 2> "$T/ht.err" || fail "-v: status $?: $(tail -n 3 "$T/ht.err")"
cmp -s "$T/plain.out" "$T/ht.out" || fail "output differs under -v"
grep -q "big.so: text 16.0 MiB, eligible 16.0 MiB" "$T/ht.err" ||
	fail "no report of the library: $(cat "$T/ht.err")"
# The launcher refuses -r into a missing directory (schema.sh): the
# library alone, as a unit's environment would load it, says so.
HUGETEXT_VERBOSE=1 HUGETEXT_REPORT="$T/no/such/dir/r.json" LD_AUDIT="$LIB" \
	"$D" -t 2 -n 2 "$T/big.so" libm.so.6 > "$T/ht2.out" 2> "$T/ht2.err" ||
	fail "-v -r nowhere: status $?"
cmp -s "$T/plain.out" "$T/ht2.out" || fail "output differs, -r nowhere"
grep -q "cannot write report .*No such file or directory" "$T/ht2.err" ||
	fail "report failure not said: $(cat "$T/ht2.err")"
ok "reports from the program's own threads: no crash, said in English"
