#!/bin/sh
# -v: one summary line per process (what it maps huge, of what is
# eligible) and a line for each object of 2 MiB of text or more; -vv
# (HUGETEXT_VERBOSE=2): every object and the totals, as before.  The
# summary's figures are the process's own smaps.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"
libc=$(ldd "$P" | awk '/libc\.so/ { print $3 }')
[ -n "$libc" ] || fail "bigtext links no libc"

# summaries FILE: the summary lines in FILE.
summaries() {
	grep -E '^hugetext\[[0-9]+\]: [^/:]+: (huge [0-9.]+ of [0-9.]+ MiB eligible \([0-9]+%|nothing eligible \()' "$1" || :
}

# A shell that runs bigtext as a child: two processes, two summaries.
"$HT" -v sh -c "'$P' -s '$T/v.smaps' > /dev/null; exit 3" 2> "$T/v.err" &&
	st=0 || st=$?
[ "$st" -eq 3 ] || fail "-v: status $st, want the shell's 3"
summaries "$T/v.err" > "$T/v.sum"
[ "$(wc -l < "$T/v.sum")" -eq 2 ] ||
	fail "-v: want 2 summary lines (sh, bigtext): $(cat "$T/v.err")"
[ "$(sed 's/\].*//' "$T/v.sum" | sort -u | wc -l)" -eq 2 ] ||
	fail "-v: the two summaries name one PID: $(cat "$T/v.sum")"
line=$(grep ': bigtext: huge ' "$T/v.sum") ||
	fail "-v: no summary for bigtext: $(cat "$T/v.err")"
grep -q ': nothing eligible (too-small), ' "$T/v.sum" ||
	fail "-v: the shell's summary: $(cat "$T/v.sum")"
# "huge H of E MiB": H is what bigtext's own smaps say it maps huge
# (one decimal), E what its headers make eligible.
huge=$(echo "$line" | sed 's/.* huge \([0-9.]*\) of .*/\1/')
elig=$(echo "$line" | sed 's/.* of \([0-9.]*\) MiB eligible.*/\1/')
kb=$(pmd_kb "$T/v.smaps" "$P")
[ "$huge" = "$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')" ] ||
	fail "-v says huge $huge MiB, bigtext's smaps $kb kB"
[ "$elig" = "$(awk -v k="$(eligible_kb "$P")" 'BEGIN { printf "%.1f", k / 1024 }')" ] ||
	fail "-v says $elig MiB eligible, the headers $(eligible_kb "$P") kB"
at_least "$kb" "$(eligible_kb "$P")" 99 "-v run"
echo "$line" | grep -q '(100%), [0-9]* objects, [0-9.]* MiB text, [0-9.]* ms$' ||
	fail "-v summary form: $line"
# Big objects get their line; small libraries (libc) none.
grep -q "^hugetext\[[0-9]*\]: $P: text 48.0 MiB, eligible 48.0 MiB, huge" \
	"$T/v.err" || fail "-v: no line for bigtext's 48 MiB: $(cat "$T/v.err")"
grep -qF "$libc" "$T/v.err" && fail "-v: a line for libc: $(cat "$T/v.err")"
grep -q 'total:' "$T/v.err" && fail "-v: a total line: $(cat "$T/v.err")"
[ "$(wc -l < "$T/v.err")" -eq 3 ] || fail "-v: 3 lines wanted: $(cat "$T/v.err")"
ok "-v: $(cat "$T/v.sum" | tr '\n' '|')"

# -vv, --verbose --verbose and HUGETEXT_VERBOSE=2: everything.
for how in "$HT -vv" "$HT --verbose --verbose" "env HUGETEXT_VERBOSE=2 $HT"; do
	# shellcheck disable=SC2086
	$how sh -c "'$P' > /dev/null" 2> "$T/vv.err"
	grep -qF "$libc: text " "$T/vv.err" ||
		fail "$how: no line for libc: $(cat "$T/vv.err")"
	[ "$(grep -c ': total: ' "$T/vv.err")" -eq 2 ] ||
		fail "$how: want 2 total lines: $(cat "$T/vv.err")"
	[ -z "$(summaries "$T/vv.err")" ] ||
		fail "$how: summary lines in -vv: $(cat "$T/vv.err")"
done
ok "-vv: every object, with totals"

# The library on its own: HUGETEXT_VERBOSE=1 is the summary, 3 is bad.
HUGETEXT_VERBOSE=1 LD_AUDIT=$LIB "$P" > /dev/null 2> "$T/env.err"
[ "$(summaries "$T/env.err" | wc -l)" -eq 1 ] ||
	fail "HUGETEXT_VERBOSE=1: $(cat "$T/env.err")"
HUGETEXT_VERBOSE=3 LD_AUDIT=$LIB "$P" > /dev/null 2> "$T/bad.err" || :
[ ! -s "$T/bad.err" ] || fail "HUGETEXT_VERBOSE=3 printed: $(cat "$T/bad.err")"
HUGETEXT_VERBOSE=3 "$HT" -v "$P" > /dev/null 2> "$T/bad.err" || :
[ "$(summaries "$T/bad.err" | wc -l)" -eq 1 ] ||
	fail "-v over HUGETEXT_VERBOSE=3: $(cat "$T/bad.err")"
ok "HUGETEXT_VERBOSE=1 is -v; 3 is not a level"

# A library loaded by dlopen: its line at -v, and no second summary.
L=$T/libbig.so
copy_small "$PROGS/libbig.so" "$L"
"$HT" -v "$PROGS/dlopener" -s "$T/d.smaps" "$L" > /dev/null 2> "$T/d.err"
[ "$(summaries "$T/d.err" | wc -l)" -eq 1 ] ||
	fail "dlopen: want one summary: $(cat "$T/d.err")"
grep -q "^hugetext\[[0-9]*\]: $L: text 16.0 MiB, eligible 16.0 MiB, huge 16.0 MiB" \
	"$T/d.err" || fail "dlopen: no line for $L: $(cat "$T/d.err")"
at_least "$(pmd_kb "$T/d.smaps" "$L")" "$(eligible_kb "$L")" 99 \
	"-v dlopen line matches smaps"

# A dry run says so, and what is huge is what the process maps: none.
copy_small "$PROGS/bigtext" "$P"
"$HT" -n "$P" -s "$T/n.smaps" > /dev/null 2> "$T/n.err"
grep -q ': bigtext: huge 0.0 of 48.0 MiB eligible (0%, dry-run), .*, dry run$' \
	"$T/n.err" || fail "dry run summary: $(cat "$T/n.err")"
[ "$(pmd_kb "$T/n.smaps" "$P")" -eq 0 ] || fail "dry run made text huge"
ok "dry run: $(summaries "$T/n.err")"
