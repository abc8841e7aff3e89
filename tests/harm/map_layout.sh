#!/bin/sh
# Issue 9, item 5: hugetext maps nothing over the program's files and
# changes no protection.  bigtext (48 MiB of text) and bigtext-lib (a
# 24 MiB program and its 16 MiB libbig.so), run plainly, under the
# launcher and with LD_PRELOAD, each time from fresh small-folio copies:
# the mappings of each file in the program's own smaps, relative to the
# file's lowest address, merged where only a VMA split (madvise at 2 MiB
# boundaries) separates them, and whatever else lies inside each file's
# address span, are the same as in the plain run: same perms, offsets
# and extents, nothing new in between.  Output and status as plain too.
. "$HT_SRCDIR/tests/integration/lib.sh"
. "$HT_SRCDIR/tests/harm/map_lib.sh"
scratch

fresh() {
	copy_small "$PROGS/bigtext" "$T/bigtext"
	copy_small "$PROGS/bigtext-lib" "$T/bigtext-lib"
	copy_small "$PROGS/libbig.so" "$T/libbig.so"
}

for prog in bigtext bigtext-lib; do
	for f in plain ht preload; do
		fresh
		run_as "$prog.$f" "$f" "$T/$prog" -s "$T/$prog.$f.smaps"
		[ -s "$T/$prog.$f.smaps" ] || {
			bad "$prog, $f: no smaps (status $(cat "$T/$prog.$f.st"))"
			continue
		}
		layout "$T/$prog.$f.smaps" prog="$T/$prog" lib="$T/libbig.so" \
			> "$T/$prog.$f.layout"
		[ "$f" != plain ] || continue
		same_as "$prog.$f" "$prog.plain" "$prog, $f"
		if cmp -s "$T/$prog.plain.layout" "$T/$prog.$f.layout"; then
			ok "$prog, $f: the files are mapped as in the plain run ($(wc -l < "$T/$prog.$f.layout") mappings)"
		else
			bad "$prog, $f: the files' mappings differ from plain:"
			diff "$T/$prog.plain.layout" "$T/$prog.$f.layout" |
				sed 's/^/  /' | head -n 20
		fi
		echo "   ($prog, $f: $(pmd_kb "$T/$prog.$f.smaps" "$T/$prog") kB" \
			"of the program PMD-mapped, $(pmd_kb "$T/$prog.$f.smaps" \
			"$T/libbig.so") kB of libbig.so)"
	done
done
[ "$(wc -l < "$T/bigtext-lib.plain.layout")" -gt 5 ] ||
	fail "plain layout of bigtext-lib looks wrong: $(cat "$T/bigtext-lib.plain.layout")"
finish
