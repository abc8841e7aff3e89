#!/bin/sh
# The MADV_COLLAPSE route on tmpfs: small folios become ShmemPmdMapped.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
scratch_shm

P=$SHM/bigtext
copy_small "$PROGS/bigtext" "$P"
want=$(eligible_kb "$P")

"$P" -s "$T/plain.smaps" > "$T/plain.out"
[ "$(pmd_kb "$T/plain.smaps" "$P")" -eq 0 ] ||
	fail "plain run on tmpfs already PMD-mapped"
ok "plain run: 0 kB PMD-mapped"

set +e
"$HT" -r "$T/r.json" "$P" -x 3 -s "$T/ht.smaps" > "$T/ht.out"
st=$?
set -e
[ "$st" -eq 3 ] || fail "exit status $st, want 3"
cmp -s "$T/plain.out" "$T/ht.out" || fail "output differs under hugetext"
r=$(route_of "$T/r.json" "$P")
if json_objects "$T/r.json" | grep -F "\"path\":\"$P\"" |
	grep -q '"reason":"collapse-unsupported"'; then
	skip "kernel refuses MADV_COLLAPSE on tmpfs text (needs 6.1+)"
fi
at_least "$(pmd_kb "$T/ht.smaps" "$P")" "$want" 99 "collapse run"
[ "$r" = collapse ] || fail "route $r, want collapse"
grep -q ShmemPmdMapped "$T/ht.smaps" || fail "no ShmemPmdMapped field"

# --strategy=refault does not apply to tmpfs: reported, nothing breaks.
copy_small "$PROGS/bigtext" "$P.2"
"$HT" -s refault -r "$T/r3.json" "$P.2" -s "$T/r3.smaps" > "$T/r3.out"
cmp -s "$T/plain.out" "$T/r3.out" || fail "output differs (refault/tmpfs)"
grep -q '"reason":"refault-on-tmpfs"' "$T/r3.json" ||
	fail "refault on tmpfs not reported: $(cat "$T/r3.json")"
ok "refault on tmpfs reported as refault-on-tmpfs"
