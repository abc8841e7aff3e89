#!/bin/sh
# A sandboxed program (a seccomp filter that kills on a system call the
# program itself never makes, as browser sandboxes filter madvise by
# advice) must run under hugetext exactly as it runs plainly: not die of
# SIGSYS (status 159) before main.  Kill filters, one at a time, on
# madvise advice 14 (MADV_HUGEPAGE), 22 (MADV_POPULATE_READ), 25
# (MADV_COLLAPSE) and on fadvise64; each run on a fresh small-folio copy
# of bigtext, so the routes would have work to do.  The filter is set up
# before the launcher, so the launcher and the program inherit it.
# With -v the report says the process was left alone for "seccomp";
# with HUGETEXT_SECCOMP=try and an errno (not kill) filter the program
# still runs unchanged, and its text does become huge.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
# no core files from SIGSYS (dash and bash both have ulimit -c)
# shellcheck disable=SC3045
ulimit -c 0 2>/dev/null || :
SC=$B/tests/harm/progs/sc_filter
P=$T/bigtext

"$SC" kill:acct -- /bin/true || skip "cannot install a seccomp filter here"

copy_small "$PROGS/bigtext" "$P"
"$P" -x 7 > "$T/plain.out" && st=0 || st=$?
[ "$st" -eq 7 ] || fail "plain run: status $st"

for spec in kill:madvise:14 kill:madvise:22 kill:madvise:25 kill:fadvise64; do
	# The plain program itself under the filter: must be unaffected.
	copy_small "$PROGS/bigtext" "$P"
	"$SC" "$spec" -- "$P" -x 7 > "$T/fplain.out" && st=0 || st=$?
	{ [ "$st" -eq 7 ] && cmp -s "$T/plain.out" "$T/fplain.out"; } ||
		skip "$spec: the plain program itself fails under it (status $st)"

	copy_small "$PROGS/bigtext" "$P"
	"$SC" "$spec" -- "$HT" -v "$P" -x 7 > "$T/ht.out" 2> "$T/ht.err" &&
		st=0 || st=$?
	[ "$st" -ne 159 ] || fail "$spec: killed by SIGSYS under hugetext"
	[ "$st" -eq 7 ] || fail "$spec: status $st under hugetext, 7 plainly: $(cat "$T/ht.err")"
	cmp -s "$T/plain.out" "$T/ht.out" || fail "$spec: output differs"
	grep -q seccomp "$T/ht.err" ||
		fail "$spec: -v does not say the process was left alone for seccomp: $(cat "$T/ht.err")"
	ok "$spec: runs as plainly, report: $(grep seccomp "$T/ht.err" | head -n 1)"
done

# Left alone means left alone: nothing became huge.
copy_small "$PROGS/bigtext" "$P"
"$SC" kill:madvise:14 -- "$HT" "$P" -s "$T/alone.smaps" > "$T/ht.out" ||
	fail "left-alone run: status $?"
[ "$(pmd_kb "$T/alone.smaps" "$P")" -eq 0 ] ||
	fail "under a seccomp filter, text was made huge without opt-in"
ok "under a seccomp filter, nothing is touched by default"

# Opt-in with an errno filter: unchanged output, and huge text (the
# collapse fails with EINVAL, as regular-file collapse does on kernels
# without READ_ONLY_THP_FOR_FS; the refault route works).
spec=errno:madvise:25:EINVAL
copy_small "$PROGS/bigtext" "$P"
"$SC" "$spec" -- "$P" -x 7 > "$T/fplain.out" && st=0 || st=$?
{ [ "$st" -eq 7 ] && cmp -s "$T/plain.out" "$T/fplain.out"; } ||
	fail "$spec: plain run under the filter: status $st"
copy_small "$PROGS/bigtext" "$P"
"$SC" "$spec" -- env HUGETEXT_SECCOMP=try "$HT" "$P" -x 7 -s "$T/try.smaps" \
	> "$T/ht.out" 2> "$T/ht.err" && st=0 || st=$?
[ "$st" -eq 7 ] || fail "$spec with HUGETEXT_SECCOMP=try: status $st: $(cat "$T/ht.err")"
cmp -s "$T/plain.out" "$T/ht.out" || fail "$spec with try: output differs"
[ ! -s "$T/ht.err" ] || fail "$spec with try: stderr: $(cat "$T/ht.err")"
ok "$spec with HUGETEXT_SECCOMP=try: output and status as plainly"
at_least "$(pmd_kb "$T/try.smaps" "$P")" "$(eligible_kb "$P")" 99 \
	"HUGETEXT_SECCOMP=try under an errno filter"

# A filter written before cachestat (6.5) kills for it, as systemd's
# @system-service did up to 253: prime under it (ExecStartPre= in such a
# unit) and a start with HUGETEXT_SECCOMP=try do without it.
copy_small "$PROGS/bigtext" "$P"
"$SC" kill:cachestat -- "$HT" prime -q "$P" && st=0 || st=$?
[ "$st" -eq 0 ] || fail "prime under a filter that kills cachestat: status $st"
"$P" -s "$T/after.smaps" > /dev/null
at_least "$(pmd_kb "$T/after.smaps" "$P")" "$(eligible_kb "$P")" 99 \
	"prime under a filter that kills cachestat, then a plain run"
copy_small "$PROGS/bigtext" "$P"
"$SC" kill:cachestat -- env HUGETEXT_SECCOMP=try "$HT" "$P" -x 7 \
	-s "$T/try2.smaps" > "$T/ht2.out" 2> "$T/ht2.err" && st=0 || st=$?
[ "$st" -eq 7 ] || fail "kill:cachestat with try: status $st: $(cat "$T/ht2.err")"
cmp -s "$T/plain.out" "$T/ht2.out" || fail "kill:cachestat with try: output differs"
at_least "$(pmd_kb "$T/try2.smaps" "$P")" "$(eligible_kb "$P")" 99 \
	"HUGETEXT_SECCOMP=try under a filter that kills cachestat"
