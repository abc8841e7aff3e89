#!/bin/sh
# pid_inject.sh BUILDDIR [RUNS] - the cost of `hugetext --pid --inject`
# on a running process whose text is on small pages (a fresh copy of
# the program written in 4 KiB writes, started plainly): how long its
# thread is stopped (the longest stop, and how many), the command's
# whole time and that time per MiB of eligible text, and how much of
# the text the process maps with PMDs afterwards (its own smaps).
# Two cases, interleaved run by run: a process waiting in read() between
# runs over all its text ("idle": it faulted the text once, then waits),
# and one running over all its text without pause ("hot": it faults its
# small pages back between a page-out and a prime, so each span gets a
# stop of its own).  Programs: tests/progs/bigtext (48 MiB), and
# bench/calls64 (64 MiB, the issue's size) when built (make bench-progs).
# Needs root (or CAP_SYS_NICE and ptrace rights) and an ext4 or xfs
# build tree.  `make -C BUILDDIR pid-cost`.
set -eu
B=$(cd "${1:?usage: pid_inject.sh BUILDDIR [RUNS]}" && pwd)
R=${2:-11}
HT=$B/hugetext
W=$(mktemp -d "$B/bench-tmp.XXXXXX")
trap 'rm -rf "$W"; exec 3>&- 2>/dev/null || :' EXIT INT TERM

. "$(dirname "$0")/timing.sh"

pmd_kb() {
	awk -v p="$2" '/^[0-9a-f]+-[0-9a-f]+ / { cur = ($6 == p) }
	cur && /^FilePmdMapped:/ { s += $2 } END { print s + 0 }' "$1"
}
eligible_kb() {
	readelf -lW "$1" | awk '$1 == "LOAD" && ($7 ~ /E/ || $8 == "E") {
		print $3, $5 }' | { t=0; h=2097152
		while read -r v f; do s=$(( (v + h - 1) / h * h ))
			e=$(( (v + f) / h * h ))
			[ "$e" -le "$s" ] || t=$((t + (e - s) / 1024)); done
		echo "$t"; }
}
# field JSON KEY: a number from the report's first line.
field() {
	head -n 1 "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

# one NAME PROG MODE: a fresh small-folio copy started plainly, then
# --pid --inject on it; appends to $W/NAME.{stop,stops,ms,perm,pct}.
one() {
	name=$1 src=$2 mode=$3
	P=$W/prog
	small "$src" "$P"
	elig=$(eligible_kb "$P")
	rm -f "$W/fifo"
	mkfifo "$W/fifo"
	case $mode in
	idle)
		if [ "${src##*/}" = bigtext ]; then
			"$P" -l < "$W/fifo" > /dev/null &
		else
			"$P" -w -p 0 < "$W/fifo" > /dev/null &
		fi ;;
	hot)
		if [ "${src##*/}" = bigtext ]; then
			"$P" -r 100000 < "$W/fifo" > /dev/null &
		else
			"$P" -w -p 1 < "$W/fifo" > /dev/null &
		fi ;;
	esac
	pid=$!
	exec 3> "$W/fifo"
	sleep 0.5
	rm -f "$W/r.json"
	"$HT" -r "$W/r.json" --pid "$pid" --inject > /dev/null || :
	huge=$(pmd_kb "/proc/$pid/smaps" "$P")
	kill "$pid" 2> /dev/null || :
	exec 3>&-
	wait "$pid" 2> /dev/null || :
	usec=$(field "$W/r.json" usec)
	echo "$(field "$W/r.json" stop_usec)" | awk '{ print $1 / 1000 }' \
		>> "$W/$name.stop"
	field "$W/r.json" stops >> "$W/$name.stops"
	echo "$usec" | awk '{ print $1 / 1000 }' >> "$W/$name.ms"
	echo "$usec $elig" | awk '{ print $1 / 1000 / ($2 / 1024) }' \
		>> "$W/$name.perm"
	echo "$huge $elig" | awk '{ print 100 * $1 / $2 }' >> "$W/$name.pct"
}

progs="$B/tests/progs/bigtext"
[ -x "$B/bench/calls64" ] && progs="$progs $B/bench/calls64"
echo "# hugetext --pid --inject: $(uname -r), $R runs each, interleaved"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-18s %-30s %-6s %-30s %-24s %s\n' case \
	"longest stop ms" stops "command ms" "ms per MiB" "% PMD after"
i=0
while [ $i -lt "$R" ]; do
	for p in $progs; do
		for m in idle hot; do
			one "${p##*/}.$m" "$p" "$m"
		done
	done
	i=$((i + 1))
done
for p in $progs; do
	for m in idle hot; do
		n=${p##*/}.$m
		printf '%-18s %-30s %-6s %-30s %-24s %s\n' "$n" \
			"$(stats "$n.stop")" "$(med "$n.stops")" \
			"$(stats "$n.ms")" "$(med "$n.perm")" "$(med "$n.pct")"
	done
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
