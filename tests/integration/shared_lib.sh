#!/bin/sh
# A program and its 16 MiB-text shared library (both small folios) are
# both covered; the output is unchanged.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

P=$T/bigtext-lib
L=$T/libbig.so
copy_small "$PROGS/libbig.so" "$L"
copy_small "$PROGS/bigtext-lib" "$P"

"$P" -s "$T/plain.smaps" > "$T/plain.out"
[ "$(pmd_kb "$T/plain.smaps" "$L")" -eq 0 ] || fail "library PMD before"
grep -q " $L\$" "$T/plain.smaps" || fail "library not mapped from $L"

"$HT" -r "$T/r.json" "$P" -s "$T/ht.smaps" > "$T/ht.out"
cmp -s "$T/plain.out" "$T/ht.out" || fail "output differs under hugetext"
at_least "$(pmd_kb "$T/ht.smaps" "$L")" "$(eligible_kb "$L")" 99 \
	"shared library"
at_least "$(pmd_kb "$T/ht.smaps" "$P")" "$(eligible_kb "$P")" 99 \
	"its program"
json_objects "$T/r.json" | grep -qF "{\"path\":\"$L\"" ||
	fail "library missing from the report"
