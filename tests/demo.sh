#!/bin/sh
# demo.sh BUILDDIR - the bundled default job: a generated program with
# 48 MiB of text, copied with 4 KiB writes (small page-cache folios), run
# once plainly and once under 'hugetext --verbose'.
set -eu
B=$1
D=$B/demo
mkdir -p "$D"
P=$D/bigtext
rm -f "$P"
dd if="$B/tests/progs/bigtext" of="$P" bs=4096 status=none
chmod +x "$P"
sync

pmd() {
	awk -v p="$P" '/^[0-9a-f]+-[0-9a-f]+ / { c = ($6 == p) }
	c && /^(File|Shmem)PmdMapped:/ { s += $2 } END { print s / 1024 }' "$1"
}

echo "== plain run of $P (48 MiB of text, small page-cache folios)"
"$P" -s "$D/plain.smaps"
echo "   its smaps: $(pmd "$D/plain.smaps") MiB of text PMD-mapped"
echo
echo "== $B/hugetext --verbose $P"
"$B/hugetext" --verbose "$P" -s "$D/huge.smaps"
echo "   its smaps: $(pmd "$D/huge.smaps") MiB of text PMD-mapped"
echo
echo "== a second plain run shares the huge page cache"
"$P" -s "$D/again.smaps"
echo "   its smaps: $(pmd "$D/again.smaps") MiB of text PMD-mapped"
