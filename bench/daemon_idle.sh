#!/bin/sh
# daemon_idle.sh BUILDDIR [SECONDS] - what `hugetext daemon` costs when
# there is nothing to do: N processes alive (default 200: 190 small
# programs, which it looks at once and then leaves, and 10 of a 48 MiB
# program whose text it makes huge at the first pass and then only
# checks), the daemon at its default 10 s interval and at 1 s, each for
# SECONDS (default 60) after its first pass.  Prints its CPU time as a
# share of one core (from /proc/PID/stat, utime + stime) and its memory
# (VmRSS at the end, VmHWM).  The daemon is confined to this script's
# programs (allow_exe) but looks at every process of the host, as it
# would.  Needs root.  `make -C BUILDDIR daemon-cost`.
set -eu
B=$(cd "${1:?usage: daemon_idle.sh BUILDDIR [SECONDS]}" && pwd)
S=${2:-60}
N=${HT_BENCH_PROCS:-200}
HT=$B/hugetext
W=$(mktemp -d "$B/bench-tmp.XXXXXX")
pids=
cleanup() {
	for p in $pids; do kill "$p" 2> /dev/null || :; done
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

dd if="$B/tests/progs/bigtext" of="$W/big" bs=4096 status=none
chmod +x "$W/big"
cp "$(command -v sleep)" "$W/small"
mkfifo "$W/fifo"
exec 3<> "$W/fifo"
i=0
while [ $i -lt "$N" ]; do
	if [ $i -lt 10 ]; then
		"$W/big" -w <&3 > /dev/null &
	else
		"$W/small" 100000 &
	fi
	pids="$pids $!"
	i=$((i + 1))
done
sleep 1
tck=$(getconf CLK_TCK)

# run INTERVAL: the daemon for S seconds after its first pass.
run() {
	printf 'interval = %s\nallow_exe = %s/*\n' "$1" "$W" > "$W/conf"
	"$HT" daemon --foreground --config "$W/conf" 2> "$W/log.$1" &
	d=$!
	sleep 5		# its first pass, and the big ones made huge
	t0=$(awk '{ print $14 + $15 }' "/proc/$d/stat")
	sleep "$S"
	t1=$(awk '{ print $14 + $15 }' "/proc/$d/stat")
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$d/status")
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$d/status")
	kill "$d"
	wait "$d" || :
	huge=0
	for p in $pids; do
		h=$(awk -v f="$W/big" '/^[0-9a-f]+-/ { c = ($6 == f) }
			c && /^FilePmdMapped:/ { s += $2 } END { print s + 0 }' \
			"/proc/$p/smaps" 2> /dev/null || echo 0)
		[ "$h" -gt 0 ] && huge=$((huge + 1))
	done
	printf '%-10s %-22s %-12s %-12s %s\n' "$1 s" \
		"$(awk -v a="$t0" -v b="$t1" -v t="$tck" -v s="$S" \
		'BEGIN { printf "%.4f%% (%d ticks)", 100 * (b - a) / t / s, b - a }')" \
		"$rss kB" "$hwm kB" "$huge of 10"
}

echo "# hugetext daemon, idle: $(uname -r), $N processes (10 of 48 MiB text), $S s each"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(ls -d /proc/[0-9]* | wc -l) processes on the host"
printf '%-10s %-22s %-12s %-12s %s\n' interval "CPU, of one core" VmRSS VmHWM \
	"big ones huge"
run 10
run 1
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
