#!/bin/sh
# The program's file descriptors under -v: its first open() gets the
# number it gets plainly, and so does an open() under a lower fd limit
# it sets itself (the library's stderr copy sits high); a daemon that
# closes every fd and reopens the file it was given as stderr gets
# nothing of ours written through its own descriptor (the old check,
# device and inode alone, let the dlopen pass's lines land there).
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
P=$B/tests/harm/progs/out_fds
# tests/sanitize.sh: LeakSanitizer (in the library's audit namespace)
# stops the world at exit through /proc, which a limit of 4 fds forbids.
[ -z "${HT_SANITIZE:-}" ] || {
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0
	export ASAN_OPTIONS
}

timeout 60 "$P" count > "$T/plain.count" 2> /dev/null ||
	fail "plain count: $?"
timeout 60 "$HT" -v "$P" count > "$T/ht.count" 2> /dev/null ||
	fail "count: $?"
grep -q "^first open 3$" "$T/plain.count" || fail "plain: $(cat "$T/plain.count")"
a=$(grep -v "^open fds" "$T/plain.count")
b=$(grep -v "^open fds" "$T/ht.count")
[ "$a" = "$b" ] || fail "fd numbers differ: plain '$a', hugetext -v '$b'"
ok "fd numbering and a lower RLIMIT_NOFILE: as plainly under -v"

copy_small "$PROGS/libbig.so" "$T/big.so"
: > "$T/plain.log"
timeout 60 "$P" reopen "$T/plain.log" "$T/big.so" 2>> "$T/plain.log" ||
	fail "plain reopen: $?"
[ "$(cat "$T/plain.log")" = "$(printf 'RECORD-1\nRECORD-2')" ] ||
	fail "plain log: $(cat "$T/plain.log")"
copy_small "$PROGS/libbig.so" "$T/big.so"
: > "$T/ht.log"
timeout 60 "$HT" -v "$P" reopen "$T/ht.log" "$T/big.so" 2>> "$T/ht.log" ||
	fail "reopen under hugetext -v: $?"
# The start pass wrote to stderr before main (asked for); the program
# then wrote its records from offset 0 over the start of it.  The
# dlopen pass must not have written between or after them.
head -n 2 "$T/ht.log" > "$T/ht.head"
[ "$(cat "$T/ht.head")" = "$(printf 'RECORD-1\nRECORD-2')" ] ||
	fail "log starts: $(head -n 3 "$T/ht.log")"
! grep -q "big.so" "$T/ht.log" ||
	fail "the dlopen pass wrote into the program's own fd: $(cat "$T/ht.log")"
ok "a daemon reopening its stderr file: nothing of ours through its fd"
