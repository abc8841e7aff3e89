#!/bin/sh
# hugetext daemon, data-aware: with max_huge_text_mib capping huge text
# at one 2 MiB span, the span made huge is the one the program runs (a
# bigtext whose hot loop lives in one known span, -H), found by
# sampling its instruction pointers; the cap holds at later rescans.
. "$HT_SRCDIR/tests/integration/lib.sh"
cap=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
[ $(( (0x${cap:-0} >> 23) & 1 )) -eq 1 ] ||
	skip "needs CAP_SYS_NICE for process_madvise() (run as root)"
scratch
case $(stat -f -c %T "$B") in
ext2/ext3|ext4|xfs) ;;
*) skip "build tree is on $(stat -f -c %T "$B"): no refault route" ;;
esac
command -v nm > /dev/null || skip "no nm to find the hot functions"

P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"
# Functions 1290-1329 lie in one 2 MiB span (16 KiB apart).
first=$(nm "$P" | awk '$3 == "main_f1290" { print $1 }')
last=$(nm "$P" | awk '$3 == "main_f1329" { print $1 }')
[ -n "$first" ] && [ -n "$last" ] || fail "no main_f symbols in $P"
span=$(( 0x$first / 2097152 * 2097152 ))
[ "$span" -eq $(( 0x$last / 2097152 * 2097152 )) ] ||
	skip "functions 1290-1329 straddle a span in this build"

cat > "$T/daemon.conf" <<CONF
interval = 1
max_huge_text_mib = 2
sample_ms = 300
allow_exe = $T/*
CONF
"$HT" daemon --foreground --verbose --config "$T/daemon.conf" \
	2> "$T/daemon.log" &
D=$!
trap 'kill "$D" 2> /dev/null || :; rm -rf "$T"' EXIT
sleep 0.5
"$P" -H 1290:40 -t 30 > "$T/hot.out" &
H=$!
i=0
while [ "$(pmd_kb "/proc/$H/smaps" "$P")" -lt 2048 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 2.5	# two more rescans: the cap must hold
got=$(pmd_kb "/proc/$H/smaps" "$P")
base=$(awk -v f="$P" '$NF == f { split($1, a, "-"); print a[1]; exit }' \
	"/proc/$H/maps")
want=$(printf '%#x' $(( 0x$base + span )))
kill "$H"
wait "$H" 2> /dev/null || :
[ "$got" -eq 2048 ] || {
	sed 's/^/daemon: /' "$T/daemon.log"
	fail "cap of one span: $got kB PMD-mapped, want 2048"
}
grep -q "hot span $want " "$T/daemon.log" || {
	sed 's/^/daemon: /' "$T/daemon.log"
	fail "the span chosen is not the hot one ($want)"
}
ok "capped at one span: the hot one ($want), 2048 kB, held at rescans"
