#!/bin/sh
# Children forked while another thread is inside a dlopen pass: none may
# crash (the old code: 180 of 200 died of SIGSEGV, a half-done run
# inherited from the parent), none may fail.  Hangs are counted apart:
# glibc's own hazard (a lock ld.so held at fork), plain runs have them
# too; they must not be more frequent than plainly by much.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
F=$B/tests/harm/progs/dl_fork
copy_small "$PROGS/libbig.so" "$T/big.so"
copy_small "$PROGS/libbig.so" "$T/other.so"
timeout 300 "$F" "$T/big.so" "$T/other.so" 100 > "$T/plain.out" ||
	fail "plain run: status $?"
timeout 300 "$HT" "$F" "$T/big.so" "$T/other.so" 100 > "$T/ht.out" ||
	fail "under hugetext: status $?"
set -- $(cat "$T/ht.out")
[ "$4" -eq 0 ] || fail "children died of SIGSEGV: $(cat "$T/ht.out")"
[ "$8" -eq 0 ] || fail "children failed: $(cat "$T/ht.out")"
[ "$6" -le 10 ] || fail "children hung: $(cat "$T/ht.out") (plain: $(cat "$T/plain.out"))"
ok "fork during passes: $(cat "$T/ht.out") (plain: $(cat "$T/plain.out"))"
