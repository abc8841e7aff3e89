#!/bin/sh
# A library loaded with dlmopen(LM_ID_NEWLM) is seen and made huge like
# any other: dl_iterate_phdr lists only the caller's namespace, so a pass
# built on it never sees the new namespace.  The 4 MiB-text library
# (2 MiB-aligned, fresh small-folio copy) must end >= 99% PMD-mapped in
# the program's own smaps, copied after the dlmopen, and the program's
# output (the checksum of all its functions) must match a plain run.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

H=$B/tests/harm/progs
L=$T/libnewns.so
copy_small "$H/libdl_big4.so" "$L"
[ "$(eligible_kb "$L")" -ge 2048 ] || fail "$L: nothing eligible"

"$H/dl_load" -m -s "$T/plain.smaps" "$L" > "$T/plain.out" ||
	fail "plain run: $(cat "$T/plain.out")"
grep -q "^lib 0: functions 256 checksum" "$T/plain.out" ||
	fail "plain run: $(cat "$T/plain.out")"
grep -q " $L\$" "$T/plain.smaps" || fail "library not mapped from $L"
[ "$(pmd_kb "$T/plain.smaps" "$L")" -eq 0 ] || fail "PMD-mapped plainly"

copy_small "$H/libdl_big4.so" "$L"
"$HT" -r "$T/r.json" "$H/dl_load" -m -s "$T/ht.smaps" "$L" > "$T/ht.out" ||
	fail "under hugetext: status $?: $(cat "$T/ht.out")"
cmp -s "$T/plain.out" "$T/ht.out" ||
	fail "output differs under hugetext: $(cat "$T/ht.out")"
at_least "$(pmd_kb "$T/ht.smaps" "$L")" "$(eligible_kb "$L")" 99 \
	"library loaded with dlmopen(LM_ID_NEWLM)"
grep '"trigger":"dlopen"' "$T/r.json" | grep -qF "{\"path\":\"$L\"" ||
	fail "dlmopen pass not reported: $(cat "$T/r.json")"
ok "dlmopen pass reported with trigger dlopen"
