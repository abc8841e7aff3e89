#!/bin/sh
# --strategy=copy (opt-in, never chosen by auto): the text becomes a
# private anonymous copy on huge pages (AnonHugePages in the program's
# own smaps), the program computes the same result, and the file's
# page cache is left as it was.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"
want=$(eligible_kb "$P")
"$P" > "$T/plain.out"

set +e
"$HT" -s copy -r "$T/r.json" "$P" -x 4 -s "$T/c.smaps" > "$T/c.out"
st=$?
set -e
[ "$st" -eq 4 ] || fail "exit status $st, want 4"
cmp -s "$T/plain.out" "$T/c.out" || fail "output differs under copy"
# The copy is anonymous: the mapping that held the text has no file now.
anon=$(awk '/^[0-9a-f]+-[0-9a-f]+ r-xp 00000000 00:00 0/ { c = 1; next }
	/^[0-9a-f]+-[0-9a-f]+ / { c = 0 }
	c && /^AnonHugePages:/ { s += $2 } END { print s + 0 }' "$T/c.smaps")
at_least "$anon" "$want" 99 "anonymous huge copy"
[ "$(pmd_kb "$T/c.smaps" "$P")" -eq 0 ] || fail "copy left file PMDs"
[ "$(route_of "$T/r.json" "$P")" = copy ] || fail "route: $(cat "$T/r.json")"

# The page cache was not touched: a plain run still maps small pages.
"$P" -s "$T/after.smaps" > /dev/null
[ "$(pmd_kb "$T/after.smaps" "$P")" -eq 0 ] || fail "copy changed the page cache"
ok "page cache untouched by the copy route"
