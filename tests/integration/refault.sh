#!/bin/sh
# The page-cache (refault) route on the build tree's filesystem (ext4):
# from small folios to PMD-mapped text, same output and status, and the
# huge page cache is shared with later plain runs.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

fs=$(stat -f -c %T "$B")
case $fs in
ext2/ext3|ext4|xfs) ;;
*) skip "build tree is on $fs: no large-folio filesystem for refault" ;;
esac

P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"
want=$(eligible_kb "$P")

"$P" -r 2 -s "$T/plain.smaps" > "$T/plain.out"
plain=$(pmd_kb "$T/plain.smaps" "$P")
[ "$plain" -eq 0 ] || fail "plain run from small folios: $plain kB PMD"
ok "plain run: 0 kB PMD-mapped"

# --dry-run and --strategy=none change nothing.
"$HT" --dry-run -r "$T/dry.json" "$P" -r 2 -s "$T/dry.smaps" > "$T/dry.out"
[ "$(pmd_kb "$T/dry.smaps" "$P")" -eq 0 ] || fail "--dry-run changed pages"
grep -q '"reason":"dry-run"' "$T/dry.json" || fail "dry run not reported"
"$HT" -s none "$P" -r 2 -s "$T/none.smaps" > "$T/none.out"
[ "$(pmd_kb "$T/none.smaps" "$P")" -eq 0 ] || fail "strategy none changed pages"
cmp -s "$T/plain.out" "$T/dry.out" && cmp -s "$T/plain.out" "$T/none.out" ||
	fail "output differs under --dry-run/none"
ok "--dry-run and --strategy=none leave 0 kB PMD-mapped"

set +e
"$HT" -v -r "$T/r.json" "$P" -r 2 -x 7 -s "$T/ht.smaps" > "$T/ht.out" \
	2> "$T/ht.err"
st=$?
set -e
[ "$st" -eq 7 ] || fail "exit status $st under hugetext, want 7"
cmp -s "$T/plain.out" "$T/ht.out" || fail "output differs under hugetext"
at_least "$(pmd_kb "$T/ht.smaps" "$P")" "$want" 99 "refault run"
[ "$(route_of "$T/r.json" "$P")" = refault ] ||
	fail "route not refault: $(cat "$T/r.json")"
grep -q "$P: text .* via refault" "$T/ht.err" || fail "no verbose line"

# A later start finds the page cache huge: nothing evicted or re-read.
"$HT" -r "$T/r2.json" "$P" -s "$T/ht2.smaps" > /dev/null
at_least "$(pmd_kb "$T/ht2.smaps" "$P")" "$want" 99 "second start"
r=$(route_of "$T/r2.json" "$P")
case $r in
remap|already) ok "second start used route $r" ;;
*) fail "second start route $r, want remap or already" ;;
esac

# Page-cache sharing: a plain run now gets huge mappings on fault.
"$P" -s "$T/after.smaps" > /dev/null
at_least "$(pmd_kb "$T/after.smaps" "$P")" "$want" 99 "plain run after"

# A busy page cache: another process maps the file's small folios.  The
# second start finds out at the first span and stops, the rest of the
# cache left as it was (still all resident: nothing dropped and re-read),
# and the object itself says why, not only its segments.
B2=$T/busy
copy_small "$PROGS/bigtext" "$B2"
mkfifo "$T/busy.fifo"
"$B2" -w < "$T/busy.fifo" > /dev/null &
holder=$!
exec 4> "$T/busy.fifo"
sleep 0.3
"$B2" > "$T/busy.plain"
res0=$(fincore --bytes --noheadings "$B2" 2> /dev/null | awk '{ print $1 }')
"$HT" -r "$T/busy.json" "$B2" > "$T/busy.out"
res1=$(fincore --bytes --noheadings "$B2" 2> /dev/null | awk '{ print $1 }')
# check names who keeps it small, and the fix.
"$HT" check "$B2" > "$T/busy.check" || :
"$HT" check --json "$B2" > "$T/busy.check.json" || :
exec 4>&-
wait "$holder"
grep -q "page cache: small, and kept so by 1 process .*: $holder (busy): .*(page-cache-busy)" \
	"$T/busy.check" || fail "busy: check does not name $holder: $(cat "$T/busy.check")"
grep -q "fix: 'hugetext --pid $holder'" "$T/busy.check" ||
	fail "busy: check names no fix: $(cat "$T/busy.check")"
grep -q "\"page_cache_busy\":{\"processes\":1,\"shown\":\[{\"pid\":$holder,\"comm\":\"busy\"}\]}" \
	"$T/busy.check.json" || fail "busy: check --json: $(cat "$T/busy.check.json")"
"$HT" check --json "$B2" > "$T/idle.check.json" || :
grep -q '"page_cache_busy":null' "$T/idle.check.json" ||
	fail "not busy once the holder is gone: $(cat "$T/idle.check.json")"
ok "check names the process that keeps the page cache small, and the fix"
# At most the first span (2 MiB) dropped, where fincore can tell.
if [ -n "$res0" ] && [ -n "$res1" ]; then
	[ "$res1" -ge $((res0 - 2 * MIB)) ] ||
		fail "busy: the cache was dropped ($res0 -> $res1 bytes resident)"
fi
cmp -s "$T/busy.plain" "$T/busy.out" || fail "busy: output differs"
grep -q '"path":"[^"]*/busy","text_bytes":[0-9]*,"eligible_bytes":[0-9]*,"huge_bytes_before":[0-9]*,"huge_bytes":[0-9]*,"reason":"page-cache-busy"' \
	"$T/busy.json" || fail "busy: no object-level reason: $(cat "$T/busy.json")"
ok "a busy page cache: said at the object, found at the first span"

# A static program is primed by the launcher: its -v line names the
# process that keeps the page cache small.
S2=$T/sbusy
copy_small "$PROGS/bigtext-static" "$S2"
rm -f "$T/busy.fifo"
mkfifo "$T/busy.fifo"
"$S2" -w < "$T/busy.fifo" > /dev/null &
holder=$!
exec 4> "$T/busy.fifo"
sleep 0.3
"$HT" -v "$S2" > /dev/null 2> "$T/sbusy.err"
exec 4>&-
wait "$holder"
grep -q "statically linked: primed .*page-cache-busy: .*; mapped with small pages by $holder (sbusy): fix: 'hugetext --pid $holder'" \
	"$T/sbusy.err" || fail "static, busy: $(cat "$T/sbusy.err")"
ok "static program, busy cache: the -v line names the holder and the fix"
