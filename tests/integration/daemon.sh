#!/bin/sh
# hugetext daemon: programs started plainly (no preload) from a
# small-folio page cache end with their text PMD-mapped in their own
# smaps, one process alone and two sharing the file; a span split and
# evicted on purpose is repaired at the next rescan; the output of the
# program is a plain run's throughout; a denied program is left alone;
# the textfile follows the exposition format; SIGTERM ends it with 0.
# The daemon is confined to this test's programs (allow_exe), so that
# it never touches another process of the machine.
. "$HT_SRCDIR/tests/integration/lib.sh"
cap=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
[ $(( (0x${cap:-0} >> 23) & 1 )) -eq 1 ] ||
	skip "needs CAP_SYS_NICE for process_madvise() (run as root)"
scratch
scratch_shm
case $(stat -f -c %T "$B") in
ext2/ext3|ext4|xfs) ;;
*) skip "build tree is on $(stat -f -c %T "$B"): no refault route" ;;
esac

P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"
cp "$PROGS/bigtext" "$T/denied"
elig=$(eligible_kb "$P")
"$P" -l < /dev/null > "$T/plain.out"
sum=$(awk '{ print $NF }' "$T/plain.out")

cat > "$T/daemon.conf" <<CONF
# this test's programs only
interval = 1
allow_exe = $T/*
allow_exe = $SHM/*
deny_exe = $T/denied
textfile = $T/hugetext.prom
CONF
"$HT" daemon --foreground --config "$T/daemon.conf" 2> "$T/daemon.log" &
D=$!
trap 'kill "$D" 2> /dev/null || :; rm -rf "$T" "$SHM"' EXIT
i=0
while [ ! -s "$T/hugetext.prom" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$T/hugetext.prom" ] || fail "no textfile: $(cat "$T/daemon.log")"

# wait_huge PID PATH WHAT: until PID maps PATH's text huge (10 s at most).
wait_huge() {
	i=0
	while [ "$(pmd_kb "/proc/$1/smaps" "$2")" -lt "$elig" ] &&
		[ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(pmd_kb "/proc/$1/smaps" "$2")" -ge "$elig" ] ||
		sed 's/^/daemon: /' "$T/daemon.log"
	at_least "$(pmd_kb "/proc/$1/smaps" "$2")" "$elig" 99 "$3"
}

# One program, started plainly.
start_looping "$P"
kick
wait_huge "$PID" "$P" "a plain start, made huge by the daemon"
kick
[ "$(awk -v s="$sum" '$NF != s' "$T/loop.out")" = "" ] ||
	fail "the program's results changed"

# Split and evicted on purpose: one span paged out of the process and
# dropped from the cache; the process faults it back small; repaired.
range=$(awk -v f="$P" '$NF == f && $2 ~ /x/ { print $1; exit }' \
	"/proc/$PID/maps")
off=$(awk -v f="$P" '$NF == f && $2 ~ /x/ { print $3; exit }' \
	"/proc/$PID/maps")
lo=${range%-*}
span=$(printf '%x' $(( (0x$lo + 0x400000 + 0x1fffff) / 0x200000 * 0x200000 )))
spanoff=$(( 0x$span - 0x$lo + 0x$off ))
"$PROGS/pageout" "$PID" "$span" 2097152 "$P" "$spanoff" ||
	fail "could not split a span"
[ "$(pmd_kb "/proc/$PID/smaps" "$P")" -lt "$elig" ] ||
	fail "the span was not split"
kick
wait_huge "$PID" "$P" "the split span, repaired"
kick
stop_looping
[ "$(awk -v s="$sum" '$NF != s' "$T/loop.out")" = "" ] ||
	fail "the program's results changed after the repair"
grep -q "repaired" "$T/daemon.log" || fail "no repair said: $(cat "$T/daemon.log")"

# Two processes of one program sharing its small-folio cache.
copy_small "$PROGS/bigtext" "$P"
mkfifo "$T/two.fifo"
"$P" -l < "$T/two.fifo" > "$T/two1.out" &
A=$!
"$P" -l < "$T/two.fifo" > "$T/two2.out" &
Bp=$!
exec 4> "$T/two.fifo"
wait_huge "$A" "$P" "two processes of one program: the first"
wait_huge "$Bp" "$P" "two processes of one program: the second"

# The textfile (both still running): one HELP and one TYPE per family, before its samples;
# names and labels as the exposition format has them.
sleep 1.2
F=$T/hugetext.prom
check_prom "$F" || fail "the textfile breaks the exposition format"
grep -q "^hugetext_huge_bytes{exe=\"$P\"} $((2 * elig * 1024))\$" "$F" &&
	grep -q "^hugetext_processes{exe=\"$P\"} 2\$" "$F" ||
	fail "no figures for the two processes of $P: $(cat "$F")"
grep -q "^hugetext_repairs_total{exe=\"$P\"} [1-9]" "$F" ||
	fail "the repair is not counted: $(grep repairs "$F")"
grep -q "^hugetext_host_file_pmd_mapped_bytes [0-9]" "$F" ||
	fail "no host totals"
ok "the textfile follows the exposition format, with the figures"
exec 4>&-
wait "$A" "$Bp"

# On tmpfs: process_madvise(MADV_COLLAPSE) from outside, no stop.
copy_small "$PROGS/bigtext" "$SHM/bigtext"
rm -f "$T/loop.out"
start_looping "$SHM/bigtext"
kick
wait_huge "$PID" "$SHM/bigtext" "a plain start on tmpfs, collapsed by the daemon"
kick
stop_looping

# A denied program: left as it was.
copy_small "$PROGS/bigtext" "$T/denied"
rm -f "$T/loop.out"
start_looping "$T/denied"
kick
sleep 2.5
[ "$(pmd_kb "/proc/$PID/smaps" "$T/denied")" -eq 0 ] ||
	fail "a denied program was made huge"
stop_looping
ok "a program denied by deny_exe: left alone"


kill -TERM "$D"
set +e
wait "$D"
st=$?
set -e
[ "$st" -eq 0 ] || fail "SIGTERM: exit status $st"
ok "SIGTERM: the daemon ends with status 0"
