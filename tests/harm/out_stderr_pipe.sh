#!/bin/sh
# `hugetext -v prog 2>&1 | true`: stderr is a pipe whose reader has gone
# before the report is written.  The program must not die of SIGPIPE
# (status 141): it exits with its own status, its stdout is complete,
# and its signal state (pending, blocked, ignored, as it prints them at
# the start of main and after a dlopen) is what it is plainly.  Its own
# later write to that stderr still raises its own SIGPIPE, as plainly.
# out_brokenpipe makes the broken pipe deterministically (read end closed
# before exec, SIGPIPE at its default action).
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
BP=$B/tests/harm/progs/out_brokenpipe
P=$T/out_prog
L=$T/libbig.so

# run NAME CMD...: fresh copies, then CMD with stdout to $T/NAME.out;
# sets st.
run() {
	n=$1
	shift
	copy_small "$B/tests/harm/progs/out_prog" "$P"
	copy_small "$PROGS/libbig.so" "$L"
	"$@" > "$T/$n.out" && st=0 || st=$?
}

# start-up pass and a dlopen pass
run plain "$BP" "$P" -g -d "$L" -x 7
[ "$st" -eq 7 ] || fail "plain run: status $st: $(cat "$T/plain.out")"
run ht "$BP" "$HT" -v "$P" -g -d "$L" -x 7
[ "$st" -ne 141 ] || fail "killed by SIGPIPE (stderr a broken pipe, -v)"
[ "$st" -eq 7 ] || fail "status $st, plainly 7"
cmp -s "$T/plain.out" "$T/ht.out" ||
	fail "stdout differs: $(diff "$T/plain.out" "$T/ht.out" | head -n 20)"
ok "-v with stderr a broken pipe: status and output as plainly"

# the variable form, start-up pass only (bigtext has no dlopen)
copy_small "$PROGS/bigtext" "$T/bigtext"
"$BP" "$T/bigtext" -x 5 > "$T/plain2.out" && st=0 || st=$?
[ "$st" -eq 5 ] || fail "plain bigtext: status $st"
copy_small "$PROGS/bigtext" "$T/bigtext"
"$BP" env HUGETEXT_VERBOSE=1 "$HT" "$T/bigtext" -x 5 > "$T/ht2.out" &&
	st=0 || st=$?
[ "$st" -eq 5 ] || fail "HUGETEXT_VERBOSE=1, broken stderr: status $st, plainly 5"
cmp -s "$T/plain2.out" "$T/ht2.out" || fail "bigtext: stdout differs"
ok "HUGETEXT_VERBOSE=1 with stderr a broken pipe: as plainly"

# the program's own write to the broken pipe: its own SIGPIPE, as plainly
run plainw "$BP" "$P" -g -d "$L" -w -x 7
pst=$st
run htw "$BP" "$HT" -v "$P" -g -d "$L" -w -x 7
[ "$st" -eq "$pst" ] || fail "own write to broken stderr: status $st, plainly $pst"
cmp -s "$T/plainw.out" "$T/htw.out" ||
	fail "own write: stdout differs: $(diff "$T/plainw.out" "$T/htw.out" | head -n 20)"
ok "the program's own write to the broken pipe: status $st as plainly"
