#!/bin/sh
# btrfs: stat() gives each subvolume's own anonymous device, while
# /proc/PID/maps gives the superblock's.  A file that did not change is
# not file-changed: the routes run (the library's pass and --pid), and
# the report says what the program's smaps says.
. "$HT_SRCDIR/tests/integration/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root to mount a loop image"
command -v mkfs.btrfs > /dev/null ||
	skip "mkfs.btrfs missing (Debian package btrfs-progs)"
scratch
truncate -s 256M "$T/img"
mkfs.btrfs -q -f "$T/img" > "$T/mkfs.out" 2>&1 ||
	skip "mkfs.btrfs failed: $(tail -n 1 "$T/mkfs.out")"
mkdir "$T/mnt"
mount -o loop "$T/img" "$T/mnt" 2> "$T/mount.err" ||
	skip "cannot mount a btrfs loop image: $(cat "$T/mount.err")"
trap 'umount "$T/mnt" 2> /dev/null || umount -l "$T/mnt"; rm -rf "$T"' EXIT
btrfs subvolume create "$T/mnt/sv" > /dev/null ||
	fail "btrfs subvolume create"

# maps_dev SMAPS PATH: "MAJ:MIN" (decimal) of PATH's mapping in SMAPS.
maps_dev() {
	awk -v p="$2" '$6 == p { split($4, d, ":"); print d[1] ":" d[2]; exit }' \
		"$1" | { IFS=: read -r ma mi; echo "$((0x$ma)):$((0x$mi))"; }
}

"$PROGS/bigtext" > "$T/plain.out"
for f in "$T/mnt/bigtext" "$T/mnt/sv/bigtext"; do
	copy_small "$PROGS/bigtext" "$f"
	rm -f "$T/r.json"
	"$HT" -r "$T/r.json" "$f" -s "$T/s.smaps" > "$T/out" ||
		fail "$f under hugetext: status $?"
	cmp -s "$T/plain.out" "$T/out" || fail "$f: output differs"
	sd=$(stat -c '%Hd:%Ld' "$f")
	md=$(maps_dev "$T/s.smaps" "$f")
	[ "$sd" != "$md" ] ||
		echo "note: $f: stat and maps agree on $sd here (nothing to tell apart)"
	line=$(json_objects "$T/r.json" | grep -F "{\"path\":\"$f\"")
	[ -n "$line" ] || fail "$f: not in the report: $(cat "$T/r.json")"
	why=$(json_field "$line" reason)
	[ "$why" != file-changed ] ||
		fail "$f (stat $sd, maps $md): file-changed though unchanged: $line"
	route=$(json_field "$line" route)
	[ -n "$route" ] && [ "$route" != none ] ||
		fail "$f: no route ran: $line"
	kb=$(pmd_kb "$T/s.smaps" "$f")
	[ "$(json_field "$line" huge_bytes)" -eq $((kb * 1024)) ] ||
		fail "$f: report says $(json_field "$line" huge_bytes) bytes huge, smaps $kb kB"
	ok "$f (stat $sd, maps $md): route $route, ${why:-all huge}, $kb kB PMD-mapped as reported"
done

# --pid opens the file by its name too, and checks it the same way.
cap=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
if [ $(( (0x${cap:-0} >> 23) & 1 )) -eq 1 ]; then
	start_looping "$T/mnt/sv/bigtext"
	kick
	set +e
	"$HT" --pid "$PID" > "$T/pid.out"
	set -e
	kick
	stop_looping
	grep -q "$T/mnt/sv/bigtext: text" "$T/pid.out" ||
		fail "--pid: $(cat "$T/pid.out")"
	if grep -q "file-changed" "$T/pid.out"; then
		fail "--pid: file-changed though unchanged: $(cat "$T/pid.out")"
	fi
	ok "--pid on a subvolume's program: not file-changed"
fi
