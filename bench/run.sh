#!/bin/sh
# run.sh BUILDDIR - hugetext's benchmark suite, one command (also
# `make bench`).  Runs every experiment of bench/README.md side by side,
# interleaved, and writes bench/results/DATE-HOST.md with PNG plots.
# Needs root (a tmpfs mount, page-cache control of system files) and
# about 6-8 minutes on the project's 2-core VM.
#
# Environment: HT_BENCH_OUT=DIR   where the results go (bench/results)
#              HT_BENCH_QUICK=1   a few runs of each, to try the script
#              HT_BENCH_CAP=S     khugepaged cap in seconds (240)
set -eu
T_START=$(date +%s)
B=$(cd "${1:?usage: bench/run.sh BUILDDIR}" && pwd)
S=$(cd "$(dirname "$0")/.." && pwd)
OUT=${HT_BENCH_OUT:-$S/bench/results}
QUICK=${HT_BENCH_QUICK:-0}
CAP=${HT_BENCH_CAP:-240}

# Run counts: chosen so that the whole suite stays under 10 minutes.
if [ "$QUICK" = 1 ]; then
	R1=2 R3=3 R3B=2 R4=2 R5=3 R5T=20 CAP=${HT_BENCH_CAP:-20}
else
	R1=5 R3=15 R3B=10 R4=8 R5=11 R5T=100
fi
CALLS=2000000		# calls per microbenchmark run (text, anon 64 MiB)
CALLS_2G=1000000	# calls per run over 2 GiB of anonymous memory

HT=$B/hugetext
LIB=$B/.libs/libhugetext.so
RT=$B/bench/runtime
WATCH=$B/bench/htwatch
PCS=$B/bench/pcsmall
C64=$B/bench/calls64
C256=$B/bench/calls256
TB=/sys/kernel/mm/transparent_hugepage

say() {
	printf '[%4ds] %s\n' $(($(date +%s) - T_START)) "$*" >&2
}

# phase NAME: say it, and note the load average as the phase starts.
phase() {
	local what="$*"
	say "$what"
	printf '| %s | %s |\n' "${what%%:*}" "$(cut -d' ' -f1-3 /proc/loadavg)" \
		>> "$W/loads"
}

die() {
	echo "run.sh: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (tmpfs mount, page-cache control)"
for f in "$HT" "$LIB" "$RT" "$WATCH" "$PCS" "$C64" "$C256"; do
	if [ ! -x "$f" ] && [ ! -f "$f" ]; then
		say "building the benchmark programs (make bench-progs)"
		make -C "$B" -s bench-progs >&2
		break
	fi
done
if ! command -v gnuplot > /dev/null 2>&1; then
	say "installing gnuplot-nox for the plots"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq gnuplot-nox; } > /dev/null 2>&1 ||
		say "gnuplot could not be installed: no plots"
fi

# --- scratch space, and putting everything back --------------------------
W=$(mktemp -d "$B/bench-run.XXXXXX")
MNT=$W/tmpfs
BG=
SYSFS_SAVED=$W/sysfs.saved
: > "$W/pids"
: > "$SYSFS_SAVED"
: > "$W/notes"
: > "$W/loads"

cleanup() {
	set +e
	trap - EXIT INT TERM
	exec 3>&- 2> /dev/null
	for p in $(cat "$W/pids" "$W/bg.pid" 2> /dev/null) $BG; do
		kill "$p" 2> /dev/null
	done
	wait 2> /dev/null
	# sysfs values we changed, in reverse order
	tac "$SYSFS_SAVED" 2> /dev/null | while read -r file value; do
		echo "$value" > "$file" && say "restored $file = $value"
	done
	if [ -n "${LIBS:-}" ]; then
		"$PCS" -d $LIBS > /dev/null 2>&1
	fi
	if mountpoint -q "$MNT" 2> /dev/null; then
		umount "$MNT" || umount -l "$MNT"
	fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT
trap 'say terminated; exit 143' TERM

# sysfs_value FILE: the selected word of "a [b] c", or the whole value.
sysfs_value() {
	sed 's/.*\[\(.*\)\].*/\1/' "$1"
}

# sysfs_set FILE VALUE: change a setting, remembering the old value.
sysfs_set() {
	echo "$1 $(sysfs_value "$1")" >> "$SYSFS_SAVED"
	echo "$2" > "$1"
	echo "- changed for the run (restored at exit): \`$1\` = $2" >> "$W/notes"
}

# THP "never" would make every huge-page figure zero: run at madvise.
if [ "$(sysfs_value $TB/enabled)" = never ]; then
	sysfs_set $TB/enabled madvise
fi

mkdir "$MNT"
mount -t tmpfs -o huge=advise,size=1200m,mode=0755 hugetext-bench "$MNT" ||
	die "cannot mount a tmpfs"

# --- helpers --------------------------------------------------------------
# fresh SRC DST: a copy whose page cache holds only 4 KiB folios (written
# 4 KiB at a time; on ext4 flushed, so that it can be dropped later).
fresh() {
	rm -f "$2"
	dd if="$1" of="$2" bs=4096 status=none
	chmod 755 "$2"
	case $2 in "$MNT"/*) ;; *) sync "$2" ;; esac
}

# eligible_kb PROG: kB of whole 2 MiB blocks of the executable PT_LOADs,
# for a program loaded 2 MiB-aligned (p_align 2 MiB): what can be huge.
eligible_kb() {
	readelf -lW "$1" | awk '$1 == "LOAD" { f = ""
		for (i = 7; i < NF; i++) f = f $i
		if (f ~ /E/) print $3, $6 }' |
	while read -r va sz; do
		lo=$(( (va + 2097151) / 2097152 ))
		hi=$(( (va + sz) / 2097152 ))
		[ "$hi" -gt "$lo" ] && echo $(( (hi - lo) * 2048 ))
	done | awk '{ t += $1 } END { print t + 0 }'
}

# t FILE CMD...: time one whole run with bench/runtime, append ms.
t() {
	local out=$W/$1
	shift
	"$RT" "$@" 2>&1 > /dev/null | awk '{ printf "%.3f\n", $1 / 1000 }' \
		>> "$out"
}

# stat4 FILE [COL]: "median min max n" of a numeric column.
stat4() {
	[ -s "$1" ] || { echo "nan nan nan 0"; return; }
	awk -v c="${2:-1}" '{ print $c }' "$1" | sort -g | awk '
	{ v[NR] = $1 }
	END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR], NR
	}'
}

med() {
	stat4 "$@" | cut -d' ' -f1
}

# cell FILE COL FMT: "median | min–max | n" for a table row.
cell() {
	stat4 "$1" "$2" | awk -v f="$3" '{
		if ($4 == 0) { print "– | – | 0"; exit }
		printf f " | " f "–" f " | %d\n", $1, $2, $3, $4 }'
}

# ratio A B [FMT]: A / B
ratio() {
	awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN {
		if (a == "nan" || b == "nan" || b + 0 == 0) print "–"
		else printf f "\n", a / b }'
}

# json_segments FILE: "route eligible_bytes usec huge_bytes" per segment
# with eligible text, from hugetext's JSON reports.
json_segments() {
	[ -f "$1" ] || return 0
	sed 's/{"vaddr":/\n&/g' "$1" | grep '^{"vaddr":' | sed 's/}.*//' |
		grep '"route":' | sed 's/.*"eligible_bytes":\([0-9]*\).*"route":"\([a-z-]*\)".*"huge_bytes":\([0-9]*\).*"usec":\([0-9]*\).*/\2 \1 \4 \3/' |
		awk '$2 > 0'
}

# ms_per_mib FILE ROUTE: ms per MiB of eligible text, per segment.
ms_per_mib() {
	json_segments "$1" | awk -v r="$2" '$1 == r {
		printf "%.4f\n", ($3 / 1000) / ($2 / 1048576) }'
}

fs_of() {
	findmnt -no FSTYPE,OPTIONS -T "$1" | awk '{ print $1 " (" $2 ")" }'
}

meminfo() {
	awk '{ sub(":", "", $1); print $1, $2 }' /proc/meminfo
}

sysinfo_line() {
	printf '| %s | %s |\n' "$1" "$2" >> "$W/head.md"
}

E64=$(eligible_kb "$C64")
E256=$(eligible_kb "$C256")
[ "$E64" -gt 0 ] && [ "$E256" -gt 0 ] || die "no eligible text in $C64"

CC=$(command -v clang-14 || true)
LIBS=
if [ -n "$CC" ]; then
	LIBS=$(ldd "$CC" | awk '/libLLVM|libclang-cpp/ { print $3 }' |
		xargs -r readlink -f | tr '\n' ' ')
fi
echo 'int main(void) { return 0; }' > "$W/one.c"

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# Other processes that khugepaged may scan before ours (MADV_HUGEPAGE'd
# memory: VmFlags "hg"), e.g. a qemu guest's RAM: they slow experiment 1b.
HG_OTHERS=$(for d in /proc/[0-9]*; do
	grep -qs ' hg' "$d/smaps" && printf '%s(%s) ' "$(cat "$d/comm")" "${d#/proc/}"
done 2> /dev/null; true)
KH_BEFORE=$(cat $TB/khugepaged/pages_collapsed $TB/khugepaged/full_scans |
	tr '\n' ' ')
say "work dir $W, tmpfs $MNT, load $LOAD_START"

# =========================================================================
# 2. Memory shared: N processes of the same 64 MiB program, all alive.
# Runs first, before the khugepaged experiment starts its tmpfs work, so
# that system-wide meminfo deltas are this experiment's alone.
# =========================================================================
# text_mem PID FILE: "pss_kb rss_kb anon_kb filepmd_kb anonhuge_kb" of
# the executable mappings of FILE, and anonymous executable mappings
# (where the copy route puts the text).
text_mem() {
	awk -v f="$2" '
	/^[0-9a-f]+-[0-9a-f]+ / { x = ($2 ~ /x/) && ($6 == f || NF == 5) }
	x && /^Pss:/ { pss += $2 }
	x && /^Rss:/ { rss += $2 }
	x && /^Anonymous:/ { anon += $2 }
	x && /^FilePmdMapped:/ { pmd += $2 }
	x && /^AnonHugePages:/ { ah += $2 }
	END { print pss + 0, rss + 0, anon + 0, pmd + 0, ah + 0 }' \
		"/proc/$1/smaps"
}

wait_line() {
	local k=0
	while [ ! -s "$1" ] && [ $k -lt 3000 ]; do
		sleep 0.01
		k=$((k + 1))
	done
	[ -s "$1" ] || die "no output from a process in $1"
}

exp2() {
	phase "2. memory shared: N = 1 2 4 8, plain / hugetext / copy"
	f=$W/mem64
	fresh "$C64" "$f"
	rm -f "$W/fifo"
	mkfifo "$W/fifo"
	for n in 1 2 4 8; do
		for mode in plain hugetext copy; do
			"$PCS" "$f" > /dev/null
			meminfo > "$W/m.before"
			exec 3<> "$W/fifo"
			pids=
			i=0
			while [ $i -lt "$n" ]; do
				i=$((i + 1))
				o=$W/m.out.$i
				rm -f "$o"
				case $mode in
				plain) set -- "$f" ;;
				hugetext) set -- "$HT" "$f" ;;
				copy) set -- "$HT" -s copy "$f" ;;
				esac
				"$@" -w -p 0 < "$W/fifo" > "$o" 3>&- &
				pids="$pids $!"
				echo $! >> "$W/pids"
				wait_line "$o"
			done
			sleep 0.3
			meminfo > "$W/m.after"
			tot=$(for p in $pids; do text_mem "$p" "$f"; done |
				awk '{ for (i = 1; i <= 5; i++) s[i] += $i }
				END { print s[1], s[2], s[3], s[4], s[5] }')
			d=$(awk 'NR == FNR { b[$1] = $2; next }
				{ d[$1] = $2 - b[$1] }
				END { print d["Cached"], d["FileHugePages"],
					d["FilePmdMapped"], d["AnonPages"],
					d["AnonHugePages"], d["Shmem"],
					d["ShmemHugePages"] }' \
				"$W/m.before" "$W/m.after")
			cached=$(fincore -nb -o RES "$f" 2> /dev/null |
				awk '{ print int($1 / 1024) }')
			echo "$n $tot $d ${cached:-0}" >> "$W/e2.$mode"
			exec 3>&-
			for p in $pids; do wait "$p" || true; done
		done
	done
	: > "$W/pids"
	rm -f "$f"
}

# =========================================================================
# 1b. khugepaged, in the background while the rest runs: a program on a
# tmpfs mounted huge=advise that madvises its own text (MADV_HUGEPAGE)
# and keeps using it; how long until khugepaged has made it huge.
# =========================================================================
khp_bg() {
	for size in 64 256; do
		f=$MNT/khp$size
		[ $size = 64 ] && e=$E64 || e=$E256
		fresh "$B/bench/calls$size" "$f"
		phase "1b. khugepaged, $size MiB (background): cap $CAP s"
		cat $TB/khugepaged/pages_collapsed $TB/khugepaged/full_scans |
			tr '\n' ' ' > "$W/khp.before.$size"
		"$WATCH" -e "$e" -f -c $((CAP * 1000)) -o "$W/tl.khugepaged.$size" \
			-r "$W/khp.res.$size" "$f" -H -w -p 100 > /dev/null &
		echo $! > "$W/bg.pid"
		wait $! || true
		cat $TB/khugepaged/pages_collapsed $TB/khugepaged/full_scans |
			tr '\n' ' ' > "$W/khp.after.$size"
		rm -f "$f" "$W/bg.pid"
	done
}

# =========================================================================
# 1a/1c. Time to huge text with hugetext (refault on ext4, collapse on the
# tmpfs) and with the copy route, from exec, polled from outside.
# =========================================================================
exp1() {
	phase "1. time to huge text: refault / collapse / copy / daemon, $R1 runs each"
	# The daemon, confined to its own runs' programs (t1d-*): the other
	# routes' runs and the other experiments (khugepaged's among them)
	# are none of its business.
	cat > "$W/daemon.conf" <<CONF
interval = 10
allow_exe = $W/t1d-*
allow_exe = $MNT/t1d-*
CONF
	"$HT" daemon --foreground --verbose --config "$W/daemon.conf" \
		2> "$W/daemon.log" &
	dpid=$!
	sleep 1
	r=0
	while [ $r -lt "$R1" ]; do
		r=$((r + 1))
		for size in 64 256; do
			[ $size = 64 ] && e=$E64 || e=$E256
			for route in refault collapse copy daemon daemon-tmpfs; do
				case $route in
				collapse) f=$MNT/t1-$size ;;
				daemon-tmpfs) f=$MNT/t1d-$size ;;
				daemon) f=$W/t1d-$size ;;
				*) f=$W/t1-$size ;;
				esac
				fresh "$B/bench/calls$size" "$f"
				case $route in
				daemon*)
					# started plainly; the daemon does the rest
					"$WATCH" -e "$e" -f -c 20000 \
						-o "$W/tl.$route.$size.$r" \
						-r "$W/e1.$route.$size" \
						"$f" -w -p 0 > /dev/null ;;
				*)
					"$WATCH" -e "$e" -f -c 20000 \
						-o "$W/tl.$route.$size.$r" \
						-r "$W/e1.$route.$size" \
						"$HT" -s $route \
						-r "$W/e1.json.$route.$size" \
						"$f" -w -p 0 > /dev/null ;;
				esac
				rm -f "$f"
			done
		done
	done
	kill "$dpid" 2> /dev/null || :
	wait "$dpid" 2> /dev/null || :
	# What it did, in the run's log: a slow case says why here.
	sed 's/^/  /' "$W/daemon.log" >&2
}

# =========================================================================
# 3a. Microbenchmark: shuffled calls over 64 / 256 MiB of text, 4 KiB
# (fresh small-folio copy, plain run) vs hugetext (page cache huge).
# =========================================================================
exp3a() {
	phase "3a. microbenchmark: $R3 interleaved runs each, 4 KiB vs hugetext"
	for size in 64 256; do
		fresh "$B/bench/calls$size" "$W/s$size"
		fresh "$B/bench/calls$size" "$W/h$size"
		"$HT" prime -q "$W/h$size" || true
	done
	r=0
	while [ $r -lt "$R3" ]; do
		r=$((r + 1))
		for size in 64 256; do
			"$W/s$size" -n $CALLS -S $r | grep ns_per_call \
				>> "$W/e3.small.$size" || true
			"$HT" "$W/h$size" -n $CALLS -S $r | grep ns_per_call \
				>> "$W/e3.huge.$size" || true
		done
	done
	rm -f "$W/s256" "$W/h256"
}

# =========================================================================
# 3b. Real workload: clang-14 -O2 -c of a C++ file; libLLVM and
# libclang-cpp on small folios (pcsmall) vs huge (hugetext prime, run
# under hugetext).  One sample of the text's huge pages at 1.5 s proves
# which case each run was.
# =========================================================================
exp3b() {
	if [ -z "$CC" ]; then
		say "3b. skipped: no clang-14"
		return
	fi
	phase "3b. real workload: clang-14 -O2 -c, $R3B interleaved rounds"
	r=0
	while [ $r -lt "$R3B" ]; do
		r=$((r + 1))
		"$PCS" $LIBS > /dev/null
		"$WATCH" -1 1500 -r "$W/e3b.small" "$CC" -O2 -c \
			"$S/bench/workload.cpp" -o "$W/w.o"
		"$HT" prime -q $LIBS || true
		"$WATCH" -1 1500 -r "$W/e3b.huge" "$HT" "$CC" -O2 -c \
			"$S/bench/workload.cpp" -o "$W/w.o"
	done
}

# =========================================================================
# 4. Calibration: the same shuffled pattern over anonymous memory, THP
# (MADV_HUGEPAGE) vs 4 KiB (MADV_NOHUGEPAGE): calls to one small function
# per 16 KiB, and a pointer chase through the same slots.
# =========================================================================
# anon MIB ADVICE CALLS SEED NAME: one calibration run; its call and load
# lines go to e4.NAME.call.* and e4.NAME.load.*.
anon() {
	local kind
	[ "$2" = -H ] && kind=huge || kind=small
	"$C64" -a "$1" "$2" -n "$3" -S "$4" > "$W/anon.out" || true
	grep ns_per_call "$W/anon.out" >> "$W/e4.$5.call.$kind" || true
	grep ns_per_load "$W/anon.out" >> "$W/e4.$5.load.$kind" || true
}

exp4() {
	phase "4. calibration: anonymous 2 GiB and 64 MiB, $R4 interleaved runs"
	r=0
	while [ $r -lt "$R4" ]; do
		r=$((r + 1))
		anon 2048 -H $CALLS_2G $r a2g
		anon 2048 -N $CALLS_2G $r a2g
		anon 64 -H $CALLS $r a64
		anon 64 -N $CALLS $r a64
	done
}

# =========================================================================
# 5. Start-up cost: whole short runs (start, call every function once,
# exit), interleaved; /bin/true with the preload.
# =========================================================================
exp5() {
	phase "5. start-up cost: /bin/true x $R5T, whole runs x $R5"
	r=0
	while [ $r -lt "$R5T" ]; do
		r=$((r + 1))
		t e5.true /bin/true
		t e5.env env /bin/true
		t e5.preload LD_PRELOAD="$LIB" /bin/true
		t e5.audit LD_AUDIT="$LIB" /bin/true
		t e5.launcher "$HT" /bin/true
	done
	fresh "$C64" "$W/st64c"
	r=0
	while [ $r -lt "$R5" ]; do
		r=$((r + 1))
		fresh "$C64" "$W/st64"
		t e5.p.plain "$W/st64"
		t e5.p.first "$HT" -r "$W/e5.json.first" "$W/st64"
		t e5.p.later "$HT" -r "$W/e5.json.later" "$W/st64"
		t e5.p.plainhuge "$W/st64"
		t e5.p.copy "$HT" -s copy -r "$W/e5.json.copy" "$W/st64c"
		fresh "$C64" "$MNT/st64"
		t e5.p.tmpfsplain "$MNT/st64"
		t e5.p.collapse "$HT" -r "$W/e5.json.collapse" "$MNT/st64"
		rm -f "$MNT/st64"
	done
	[ -n "$CC" ] || return 0
	r=0
	while [ $r -lt "$R5" ]; do
		r=$((r + 1))
		"$PCS" $LIBS > /dev/null
		t e5.c.plain "$CC" -fsyntax-only "$W/one.c"
		# the copy route leaves the page cache as it is: still small
		t e5.c.copy "$HT" -s copy -r "$W/e5.json.ccopy" "$CC" -fsyntax-only "$W/one.c"
		t e5.c.first "$HT" -r "$W/e5.json.cfirst" "$CC" -fsyntax-only "$W/one.c"
		t e5.c.later "$HT" -r "$W/e5.json.clater" "$CC" -fsyntax-only "$W/one.c"
		t e5.c.plainhuge "$CC" -fsyntax-only "$W/one.c"
	done
}

exp2
khp_bg &
BG=$!
exp1
exp3a
exp3b
exp5
exp4
if kill -0 "$BG" 2> /dev/null; then
	say "waiting for the khugepaged runs (cap ${CAP} s each)"
fi
wait "$BG" || true
BG=
[ -n "$CC" ] && "$PCS" -d $LIBS > /dev/null
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
say "writing the results"

# =========================================================================
# Results
# =========================================================================
DATE=$(date +%F)
HOST=$(hostname -s)
NAME=$DATE-$HOST
mkdir -p "$OUT"
RES=$OUT/$NAME.md
P=$W/plot
mkdir -p "$P"

# --- 1. time to huge ---
# full_ms FILE: the full-coverage times (ms) of a result file, or the cap.
{
	echo "## 1. Time to huge text"
	echo
	echo "Wall time from \`exec\` (fork of the watcher) until every eligible"
	echo "2 MiB block of the program's text is PMD-mapped, polled from outside"
	echo "in \`/proc/PID/smaps\` (1 ms at first, then every 2% of the elapsed"
	echo "time). hugetext and copy: $R1 runs each, interleaved, fresh"
	echo "small-folio copies; \"constructor\" is hugetext's own timing of its"
	echo "work (JSON report). khugepaged: one run per size, cap ${CAP} s."
	echo
	echo "| program | route | file on | exec → full, ms: median | min–max | runs | constructor, ms (median) | coverage at end |"
	echo "|---|---|---|---|---|---|---|---|"
	for size in 64 256; do
		[ $size = 64 ] && e=$E64 || e=$E256
		for route in refault collapse copy daemon daemon-tmpfs; do
			f=$W/e1.$route.$size
			case $route in
			collapse|daemon-tmpfs) on="tmpfs huge=advise" ;;
			*) on=ext4 ;;
			esac
			case $route in
			daemon*) who="hugetext daemon (plain start)" ;;
			*) who="hugetext $route" ;;
			esac
			awk '{ print ($2 < 0 ? "nan" : $2 / 1000) }' "$f" \
				> "$W/e1.ms.$route.$size"
			c=$(json_segments "$W/e1.json.$route.$size" |
				awk -v r=$route '$1 == r { printf "%.3f\n", $3 / 1000 }' |
				sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "–" }')
			cov=$(awk -v e="$e" '{ s += $3 } END {
				printf "%.0f%%", 100 * s / NR / e }' "$f")
			echo "| ${size} MiB ($e kB eligible) | $who | $on | $(cell "$W/e1.ms.$route.$size" 1 %.1f) | $c | $cov |"
		done
		f=$W/khp.res.$size
		if [ -s "$f" ]; then
			read -r wall full huge text st < "$f"
			if [ "$full" -ge 0 ]; then
				k=$(awk -v x="$full" 'BEGIN { printf "%.0f", x / 1000 }')
			else
				k=">= $((CAP * 1000)) (cap)"
			fi
			cov=$(awk -v h="$huge" -v e="$e" 'BEGIN { printf "%.0f%%", 100 * h / e }')
			echo "| ${size} MiB | khugepaged | tmpfs huge=advise | $k | – | 1 | – | $cov |"
		fi
	done
	echo
	echo "Ratio khugepaged / hugetext, time to full coverage (target >= 1000x):"
	echo
	for size in 64 256; do
		f=$W/khp.res.$size
		[ -s "$f" ] || continue
		read -r wall full huge text st < "$f"
		for route in collapse refault daemon-tmpfs daemon; do
			h=$(med "$W/e1.ms.$route.$size")
			if [ "$full" -ge 0 ]; then
				rr=$(ratio "$(awk -v x="$full" 'BEGIN { print x / 1000 }')" "$h" %.0f)
				echo "- ${size} MiB, khugepaged vs hugetext $route: **${rr}x**"
			else
				rr=$(ratio $((CAP * 1000)) "$h" %.0f)
				[ $size = 64 ] && e=$E64 || e=$E256
				cov=$(awk -v h="$huge" -v e="$e" 'BEGIN {
					printf "%.0f%%", 100 * h / e }')
				echo "- ${size} MiB, khugepaged vs hugetext $route: **>= ${rr}x** (khugepaged had made $cov huge by the ${CAP} s cap)"
			fi
		done
		echo "  (khugepaged pages_collapsed, full_scans: $(cat "$W/khp.before.$size")before, $(cat "$W/khp.after.$size")after)"
	done
	echo
	echo "khugepaged settings were the defaults (see the header). It scans"
	echo "\`pages_to_scan\` pages every \`scan_sleep_millisecs\`, so its time grows"
	echo "with the text size; the program has to keep running its code for the"
	echo "new huge pages to be mapped (khugepaged removes the old page table, the"
	echo "next instruction fetch maps the PMD), so it called every function"
	echo "every 100 ms. It ran in the background while experiments 1a, 3, 4"
	echo "and 5 ran (they take seconds, khugepaged minutes). The program"
	echo "called \`MADV_HUGEPAGE\` on its text twice: on this kernel the first"
	echo "call on a huge=advise tmpfs mapping does not register the process"
	echo "with khugepaged (it checks the mapping's flags before the change;"
	echo "nothing was collapsed in minutes), the second does."
	echo
	echo "![coverage over time](${NAME}-coverage.png)"
	echo
} > "$W/sec1.md"

# timelines for the plot: the median run of each hugetext/copy route
for size in 64 256; do
	[ $size = 64 ] && e=$E64 || e=$E256
	for route in refault collapse copy daemon daemon-tmpfs; do
		best=$(awk '{ print NR, $2 }' "$W/e1.$route.$size" | sort -k2 -g |
			awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
		awk -v e="$e" '{ print $1, 100 * $2 / e }' \
			"$W/tl.$route.$size.$best" > "$P/cov.$route.$size"
	done
	if [ -s "$W/tl.khugepaged.$size" ]; then
		awk -v e="$e" '{ print $1, 100 * $2 / e }' \
			"$W/tl.khugepaged.$size" > "$P/cov.khugepaged.$size"
	fi
done

# --- 2. memory ---
{
	echo "## 2. Memory shared"
	echo
	echo "N processes of the same 64 MiB-text program, started one after the"
	echo "other and all alive at once (each has called all its functions)."
	echo "Before each case the program's page cache was put on small folios"
	echo "(fully resident). *Text PSS* sums \`Pss\` over the executable mappings"
	echo "of the program file and the anonymous executable mapping of the copy"
	echo "route, over the N processes. Δ columns: \`/proc/meminfo\` after minus"
	echo "before, system-wide (other activity on the machine shows up there"
	echo "too); *page cache* is the file's resident size at the end (fincore)."
	echo "MiB."
	echo
	echo "| N | mode | text PSS | text RSS | of it anonymous | FilePmdMapped | AnonHugePages (text) | ΔCached | ΔFileHugePages | ΔFilePmdMapped | ΔAnonPages | ΔAnonHugePages | ΔShmem | ΔShmemHugePages | page cache |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for n in 1 2 4 8; do
		for mode in plain hugetext copy; do
			awk -v n=$n -v m=$mode '$1 == n {
				printf "| %d | %s", n, m
				for (i = 2; i <= 14; i++) printf " | %.1f", $i / 1024
				print " |" }' "$W/e2.$mode"
		done
	done
	echo
	pss8h=$(awk '$1 == 8 { print $2 }' "$W/e2.hugetext")
	pss8c=$(awk '$1 == 8 { print $2 }' "$W/e2.copy")
	pss8p=$(awk '$1 == 8 { print $2 }' "$W/e2.plain")
	sys8h=$(awk '$1 == 8 { print $14 + $4 }' "$W/e2.hugetext")
	sys8c=$(awk '$1 == 8 { print $14 + $4 }' "$W/e2.copy")
	echo "Text memory at N = 8, copy / hugetext (target >= 6x):"
	echo "**$(ratio "$pss8c" "$pss8h" %.1f)x** in text PSS"
	echo "($(ratio "$pss8c" 1024 %.0f) vs $(ratio "$pss8h" 1024 %.0f) MiB; plain 4 KiB: $(ratio "$pss8p" 1024 %.0f) MiB);"
	echo "**$(ratio "$sys8c" "$sys8h" %.1f)x** counting all the memory the text"
	echo "takes, the file's page cache once plus every process's anonymous text"
	echo "($(ratio "$sys8c" 1024 %.0f) vs $(ratio "$sys8h" 1024 %.0f) MiB). The meminfo deltas agree where"
	echo "nothing else ran meanwhile; they also move with every other process"
	echo "on the machine (THP users included), so they are the cross-check,"
	echo "not the measure."
	echo
	echo "![memory vs N](${NAME}-memory.png)"
	echo
} > "$W/sec2.md"
for mode in plain hugetext copy; do
	awk '{ print $1, $2 / 1024, ($14 + $4) / 1024 }' "$W/e2.$mode" \
		> "$P/mem.$mode"
done

# --- 3 and 4: speed ---
# col FILE: ns_per_call column is 2, huge_kb 4
# huge_note FILE [COL]: "min–max" MiB of a kB column (default 4: huge_kb)
huge_note() {
	awk -v c="${2:-4}" '{ v = $c; if (NR == 1 || v < lo) lo = v
		if (v > hi) hi = v }
		END { printf "%d–%d", lo / 1024, hi / 1024 }' "$1"
}
SPEED=$P/speed.dat
: > "$SPEED"
# speed_row LABEL SMALLFILE HUGEFILE COL: table row + plot data
speed_row() {
	ms=$(med "$2" "$4")
	mh=$(med "$3" "$4")
	rr=$(ratio "$ms" "$mh" %.3f)
	echo "| $1 | $(cell "$2" "$4" %.1f) | $(cell "$3" "$4" %.1f) | **$rr** |"
	stat4 "$2" "$4" | awk -v l="$1" -v m="$ms" '{
		printf "\"%s\" %f %f %f", l, $1 / m, $2 / m, $3 / m }' >> "$SPEED"
	stat4 "$3" "$4" | awk -v m="$ms" '{
		printf " %f %f %f\n", $1 / m, $2 / m, $3 / m }' >> "$SPEED"
}
{
	echo "## 3. Speed-up"
	echo
	echo "### 3a. Microbenchmark: shuffled calls over the text"
	echo
	echo "$CALLS calls per run through a random permutation of all functions"
	echo "(one per 16 KiB of text), after one untimed pass; ns per call. 4 KiB:"
	echo "a plain run of a fresh copy written 4 KiB at a time (its page cache"
	echo "holds small folios, so it is PTE-mapped); huge: \`hugetext\` on a copy"
	echo "whose page cache was made huge (\`hugetext prime\`). $R3 runs each,"
	echo "interleaved (4 KiB, huge, 4 KiB, ...), the same permutation for the"
	echo "two runs of a round. Ratio = median 4 KiB / median huge (> 1: huge"
	echo "is faster)."
	echo
	echo "| text | 4 KiB: median | min–max | runs | huge: median | min–max | runs | ratio |"
	echo "|---|---|---|---|---|---|---|---|"
	speed_row "64 MiB text" "$W/e3.small.64" "$W/e3.huge.64" 2
	speed_row "256 MiB text" "$W/e3.small.256" "$W/e3.huge.256" 2
	echo
	echo "Text PMD-mapped during the runs, MiB (min–max): 64 MiB 4 KiB"
	echo "$(huge_note "$W/e3.small.64"), huge $(huge_note "$W/e3.huge.64");"
	echo "256 MiB 4 KiB $(huge_note "$W/e3.small.256"), huge $(huge_note "$W/e3.huge.256")."
	echo
	if [ -n "$CC" ]; then
		echo "### 3b. Real workload: clang-14 -O2 -c bench/workload.cpp"
		echo
		echo "Wall time of the whole compile, s. 4 KiB: libLLVM and libclang-cpp"
		echo "dropped from the page cache and read back with read-ahead off"
		echo "(\`bench/pcsmall\`: small folios), then a plain run; huge: \`hugetext"
		echo "prime\` on both, then a run under \`hugetext\` (later start, route"
		echo "remap). $R3B rounds, interleaved."
		echo
		echo "| workload | 4 KiB: median | min–max | runs | huge: median | min–max | runs | ratio |"
		echo "|---|---|---|---|---|---|---|---|"
		awk '{ print $1 / 1e6, $3 }' "$W/e3b.small" > "$W/e3b.small.s"
		awk '{ print $1 / 1e6, $3 }' "$W/e3b.huge" > "$W/e3b.huge.s"
		speed_row "clang-14 -O2 -c" "$W/e3b.small.s" "$W/e3b.huge.s" 1
		echo
		echo "Text on huge pages 1.5 s into each compile (all executable"
		echo "mappings), MiB (min–max): 4 KiB $(huge_note "$W/e3b.small" 3),"
		echo "huge $(huge_note "$W/e3b.huge" 3). Compiles that failed:"
		echo "$(cat "$W/e3b.small" "$W/e3b.huge" | awk '$5 != 0' | wc -l)."
		echo
	fi
	echo "## 4. Calibration: can this machine show TLB gains at all?"
	echo
	echo "The same shuffled pattern over anonymous memory, THP"
	echo "(\`MADV_HUGEPAGE\`) vs 4 KiB (\`MADV_NOHUGEPAGE\`): *call*, one tiny"
	echo "function every 16 KiB called in a random order, as in 3a; *load*, a"
	echo "pointer chase through the same slots (data TLB). ns per access,"
	echo "$R4 runs each, interleaved; 2 GiB: $CALLS_2G accesses per run."
	echo
	echo "| memory | 4 KiB: median | min–max | runs | huge: median | min–max | runs | ratio |"
	echo "|---|---|---|---|---|---|---|---|"
	speed_row "anon 2 GiB, call" "$W/e4.a2g.call.small" "$W/e4.a2g.call.huge" 2
	speed_row "anon 2 GiB, load" "$W/e4.a2g.load.small" "$W/e4.a2g.load.huge" 2
	speed_row "anon 64 MiB, call" "$W/e4.a64.call.small" "$W/e4.a64.call.huge" 2
	echo "| file text 64 MiB, call (3a) | $(cell "$W/e3.small.64" 2 %.1f) | $(cell "$W/e3.huge.64" 2 %.1f) | **$(ratio "$(med "$W/e3.small.64" 2)" "$(med "$W/e3.huge.64" 2)" %.3f)** |"
	echo
	echo "AnonHugePages of the region, MiB (min–max): 2 GiB THP"
	echo "$(huge_note "$W/e4.a2g.call.huge"), 4 KiB $(huge_note "$W/e4.a2g.call.small")."
	echo
} > "$W/sec3.md"
RA2C=$(ratio "$(med "$W/e4.a2g.call.small" 2)" "$(med "$W/e4.a2g.call.huge" 2)" %.3f)
RA2L=$(ratio "$(med "$W/e4.a2g.load.small" 2)" "$(med "$W/e4.a2g.load.huge" 2)" %.3f)
RA64=$(ratio "$(med "$W/e4.a64.call.small" 2)" "$(med "$W/e4.a64.call.huge" 2)" %.3f)
RT64=$(ratio "$(med "$W/e3.small.64" 2)" "$(med "$W/e3.huge.64" 2)" %.3f)
# gain: both 2 GiB patterns at least 3% faster with huge pages; mixed:
# only one (a TLB gain would show in both, so this is noise or another
# effect); small: neither at 2 GiB, but 64 MiB anonymous memory gains;
# none: no gain anywhere.
VERDICT=$(awk -v a="$RA2C" -v b="$RA2L" -v c="$RA64" 'BEGIN {
	if (a == "–" || b == "–") print "unknown"
	else if (a >= 1.03 && b >= 1.03) print "gain"
	else if (a >= 1.03 || b >= 1.03) print "mixed"
	else if (c != "–" && c >= 1.03) print "small"
	else print "none" }')
{
	case $VERDICT in
	none|small|mixed)
		echo "**Verdict: this machine cannot show TLB gains.** Huge pages gave"
		if [ $VERDICT = mixed ]; then
			echo "no consistent gain for 2 GiB of anonymous memory (ratios $RA2C"
			echo "for calls and $RA2L for loads: a TLB gain would show in both;"
			echo "one alone, with min–max ranges this wide, is noise), where bare"
			echo "metal shows a clear"
		else
			echo "no gain for 2 GiB of anonymous memory (ratios $RA2C for calls and"
			echo "$RA2L for loads; within noise of 1, where bare metal shows a clear"
		fi
		if grep -q hypervisor /proc/cpuinfo; then
			echo "gain for this footprint). This is a VM (hypervisor flag set) whose"
		else
			echo "gain for this footprint). This is most likely a VM whose"
		fi
		echo "host evidently backs guest memory with 4 KiB pages: a guest 2 MiB"
		echo "page is still cached as 4 KiB translations, so huge pages cannot"
		echo "widen the TLB's reach here, and there are no hardware counters to"
		echo "count TLB misses directly."
		echo
		if [ $VERDICT = small ]; then
			echo "At 64 MiB, huge pages were faster all the same, for anonymous"
			echo "memory ($RA64) as for file text ($RT64): with fewer distinct"
			echo "pages, what is saved is most likely the guest's share of each"
			echo "nested page walk (one level less, its entries cached), not TLB"
			echo "misses. So the 3a figures say that hugetext's shared page-cache"
			echo "text gets what anonymous huge pages get on this machine (compare"
			echo "the two 64 MiB rows), but they are **not evidence either way**"
			echo "about the TLB gains hugetext exists for: a host with huge pages"
			echo "(or bare metal) can show more, or different, results. The same"
			echo "holds for 3b."
		else
			echo "**The speed-up figures in 3a and 3b are therefore not evidence"
			echo "either way**: they show neither that hugetext speeds programs up"
			echo "nor that it does not; only that it costs nothing at run time."
		fi
		;;
	gain)
		echo "Verdict: huge pages do speed up anonymous memory here (2 GiB:"
		echo "ratios $RA2C for calls, $RA2L for loads), so this machine can show"
		echo "TLB gains, and the 3a and 3b figures can be read as measurements of"
		echo "hugetext's effect (wall time only: there are no hardware counters)."
		;;
	*)
		echo "Verdict: the calibration did not run; the speed-up figures cannot"
		echo "be interpreted."
		;;
	esac
	echo
	echo "![relative time](${NAME}-speed.png)"
	echo
} >> "$W/sec3.md"

# --- 5. start-up ---
row5() {
	echo "| $1 | $(cell "$W/$2" 1 %.2f) | $(ratio "$(med "$W/$2")" "$(med "$W/$3")" %.2f) |"
}
{
	echo "## 5. Start-up cost"
	echo
	echo "Whole runs (fork, exec, work, exit) timed by \`bench/runtime\`, ms,"
	echo "interleaved. *plain*: no hugetext, page cache on small folios (fresh"
	echo "4 KiB-written copy; for clang: \`pcsmall\` on its libraries). *first"
	echo "start*: hugetext with the page cache small (it refaults, or collapses"
	echo "on tmpfs). *later start*: hugetext again, page cache already huge"
	echo "(remap). *plain, huge cache*: no hugetext, after those. *copy*:"
	echo "\`hugetext -s copy\` (a private copy each time; the cache stays small)."
	echo
	echo "### /bin/true (nothing eligible), $R5T rounds"
	echo
	echo "| command | median | min–max | runs | vs /bin/true |"
	echo "|---|---|---|---|---|"
	row5 "/bin/true" e5.true e5.true
	row5 "env /bin/true" e5.env e5.true
	row5 "LD_PRELOAD=libhugetext.so /bin/true" e5.preload e5.true
	row5 "LD_AUDIT=libhugetext.so /bin/true" e5.audit e5.true
	row5 "hugetext /bin/true" e5.launcher e5.true
	echo
	echo "Added time: preload $(awk -v a="$(med "$W/e5.preload")" -v b="$(med "$W/e5.true")" 'BEGIN { printf "%.3f", a - b }') ms,"
	echo "launcher $(awk -v a="$(med "$W/e5.launcher")" -v b="$(med "$W/e5.true")" 'BEGIN { printf "%.3f", a - b }') ms"
	echo "(launcher minus \`env\`: $(awk -v a="$(med "$W/e5.launcher")" -v b="$(med "$W/e5.env")" 'BEGIN { printf "%.3f", a - b }') ms)."
	echo
	echo "### 64 MiB-text program, start + one call of every function + exit, $R5 rounds"
	echo
	echo "| case | median | min–max | runs | vs plain |"
	echo "|---|---|---|---|---|"
	row5 "plain (ext4, small cache)" e5.p.plain e5.p.plain
	row5 "hugetext first start (refault)" e5.p.first e5.p.plain
	row5 "hugetext later start (remap)" e5.p.later e5.p.plain
	row5 "plain, huge cache" e5.p.plainhuge e5.p.plain
	row5 "hugetext -s copy" e5.p.copy e5.p.plain
	row5 "plain (tmpfs copy)" e5.p.tmpfsplain e5.p.plain
	row5 "hugetext first start on tmpfs (collapse)" e5.p.collapse e5.p.plain
	echo
	if [ -n "$CC" ]; then
		echo "### clang-14 -fsyntax-only on a one-line file, $R5 rounds"
		echo
		echo "| case | median | min–max | runs | vs plain |"
		echo "|---|---|---|---|---|"
		row5 "plain (small cache)" e5.c.plain e5.c.plain
		row5 "hugetext first start (refault)" e5.c.first e5.c.plain
		row5 "hugetext later start (remap)" e5.c.later e5.c.plain
		row5 "plain, huge cache" e5.c.plainhuge e5.c.plain
		row5 "hugetext -s copy" e5.c.copy e5.c.plain
		echo
	fi
	echo "### Cost per MiB made huge, per route"
	echo
	echo "*in the library*: hugetext's own timing of each segment (JSON"
	echo "report), ms per MiB of eligible text, median over segments: the cost."
	echo "*net wall*: (median whole run − median plain run) / MiB eligible:"
	echo "the cost minus what the program saves by faulting its text in with"
	echo "PMDs instead of PTEs (negative: the whole run got faster)."
	echo
	echo "| route | program | in the library, ms/MiB: median | min–max | segments | net wall, ms/MiB |"
	echo "|---|---|---|---|---|---|"
	em=$(awk -v e="$E64" 'BEGIN { print e / 1024 }')
	for x in "refault first e5.p.first e5.p.plain" \
		 "remap later e5.p.later e5.p.plain" \
		 "collapse collapse e5.p.collapse e5.p.tmpfsplain" \
		 "copy copy e5.p.copy e5.p.plain"; do
		set -- $x
		ms_per_mib "$W/e5.json.$2" "$1" > "$W/mpm.$1.p"
		wall=$(awk -v a="$(med "$W/$3")" -v b="$(med "$W/$4")" -v m="$em" \
			'BEGIN { printf "%.3f", (a - b) / m }')
		echo "| $1 | 64 MiB program | $(cell "$W/mpm.$1.p" 1 %.3f) | $wall |"
	done
	if [ -n "$CC" ]; then
		# eligible MiB of one clang run (all its objects)
		cem=$(json_segments "$W/e5.json.cfirst" |
			awk -v r="$R5" '{ s += $2 } END { print s / 1048576 / r }')
		for x in "refault cfirst e5.c.first" "remap clater e5.c.later" \
			 "copy ccopy e5.c.copy"; do
			set -- $x
			ms_per_mib "$W/e5.json.$2" "$1" > "$W/mpm.$1.c"
			wall=$(awk -v a="$(med "$W/$3")" -v b="$(med "$W/e5.c.plain")" -v m="$cem" \
				'BEGIN { if (m > 0) printf "%.3f", (a - b) / m; else print "–" }')
			echo "| $1 | clang-14 ($(printf %.0f "$cem") MiB eligible) | $(cell "$W/mpm.$1.c" 1 %.3f) | $wall |"
		done
	fi
	echo
	echo "![start-up](${NAME}-startup.png)"
	echo
} > "$W/sec5.md"

# --- plots ---
if command -v gnuplot > /dev/null 2>&1; then
	{
		echo "set terminal pngcairo size 900,560 font 'sans,10'"
		echo "set output '$OUT/$NAME-coverage.png'"
		echo "set title 'Text on huge pages after exec'"
		echo "set logscale x"
		echo "set xlabel 'time since exec (ms, log scale)'"
		echo "set ylabel 'eligible text PMD-mapped (%)'"
		echo "set yrange [-2:105]"
		echo "set xrange [0.5:$((CAP * 1500))]"
		echo "set key outside right"
		echo "set grid"
		printf "plot"
		sep=
		for route in refault collapse copy daemon daemon-tmpfs khugepaged; do
			case $route in
			refault) lc=1 ;; collapse) lc=2 ;; copy) lc=4 ;;
			daemon) lc=6 ;; daemon-tmpfs) lc=3 ;; *) lc=7 ;;
			esac
			for size in 64 256; do
				[ -s "$P/cov.$route.$size" ] || continue
				[ $size = 64 ] && dt=1 || dt=2
				[ $route = khugepaged ] && lbl=khugepaged || lbl="hugetext $route"
				[ $route = copy ] && lbl="copy route"
				[ $route = daemon ] && lbl="daemon, ext4"
				[ $route = daemon-tmpfs ] && lbl="daemon, tmpfs"
				printf "%s '%s' using 1:2 with steps lw 2 lc %d dt %d title '%s, %s MiB'" \
					"$sep" "$P/cov.$route.$size" $lc $dt "$lbl" $size
				sep=", \\
"
			done
		done
		echo
		echo "set output '$OUT/$NAME-memory.png'"
		echo "unset logscale x"
		echo "set title 'Text memory of N processes of a 64 MiB-text program'"
		echo "set xlabel 'N (processes alive at once)'"
		echo "set ylabel 'MiB'"
		echo "set xtics (1, 2, 4, 8)"
		echo "set xrange [0.5:8.5]"
		echo "set yrange [0:*]"
		echo "plot '$P/mem.plain' using 1:2 with linespoints lw 2 dt 3 pt 6 ps 2 lc 3 title 'plain 4 KiB: text PSS', \\"
		echo "  '$P/mem.hugetext' using 1:2 with linespoints lw 2 lc 1 title 'hugetext: text PSS', \\"
		echo "  '$P/mem.copy' using 1:2 with linespoints lw 2 lc 4 title 'copy route: text PSS', \\"
		echo "  '$P/mem.hugetext' using 1:3 with linespoints lw 1 dt 2 lc 1 title 'hugetext: page cache + anonymous text', \\"
		echo "  '$P/mem.copy' using 1:3 with linespoints lw 1 dt 2 lc 4 title 'copy: page cache + anonymous text'"
		echo "set output '$OUT/$NAME-speed.png'"
		echo "set title 'Time per access relative to the 4 KiB median (median, min-max)'"
		echo "unset xtics"
		echo "set xtics rotate by -25"
		echo "set xrange [-0.6:*]"
		echo "set yrange [0:*]"
		echo "set xlabel ''"
		echo "set ylabel 'relative time (1 = 4 KiB median; lower is faster)'"
		echo "set style data histogram"
		echo "set style histogram errorbars gap 1 lw 1"
		echo "set style fill solid 0.6 border -1"
		echo "plot '$SPEED' using 2:3:4:xtic(1) title '4 KiB pages' lc 3, \\"
		echo "  '' using 5:6:7 title 'huge pages' lc 1"
		echo "set output '$OUT/$NAME-startup.png'"
		echo "set title 'Whole short runs, ms (median)'"
		echo "set ylabel 'ms'"
		echo "set yrange [0:*]"
		echo "set style histogram clustered gap 1"
		echo "plot '$P/startup.dat' using 2:xtic(1) title '64 MiB program' lc 1, \\"
		echo "  '' using 3 title 'clang-14 -fsyntax-only' lc 2"
	} > "$P/plot.gp"
	{
		for x in "plain e5.p.plain e5.c.plain" \
			 "first_start e5.p.first e5.c.first" \
			 "later_start e5.p.later e5.c.later" \
			 "plain_huge_cache e5.p.plainhuge e5.c.plainhuge" \
			 "copy_route e5.p.copy e5.c.copy"; do
			set -- $x
			c=$(med "$W/$3")
			echo "\"$(echo "$1" | tr _ ' ')\" $(med "$W/$2") ${c:-nan}"
		done
	} > "$P/startup.dat"
	gnuplot "$P/plot.gp" 2> "$W/gnuplot.err" ||
		{ say "gnuplot failed:"; cat "$W/gnuplot.err" >&2; }
fi

# --- header ---
T_END=$(date +%s)
ELAPSED=$((T_END - T_START))
{
	echo "# hugetext benchmarks: $DATE on $HOST"
	echo
	echo "Produced by \`bench/run.sh BUILDDIR\` (\`make bench\`) in ${ELAPSED} s;"
	echo "bench/README.md explains each experiment and how to read it."
	echo "Medians with min–max and run counts; ratios of medians. Absolute"
	echo "times are context only."
	echo
	echo "| | |"
	echo "|---|---|"
} > "$W/head.md"
LOADS=$W/loads
sysinfo_line "kernel" "$(uname -r) ($(uname -m))"
sysinfo_line "CPU" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs, $(grep -c hypervisor /proc/cpuinfo > /dev/null && echo 'virtual machine (hypervisor flag)' || echo 'no hypervisor flag')"
sysinfo_line "memory" "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
sysinfo_line "load average (1, 5, 15 min)" "start $LOAD_START, end $LOAD_END"
sysinfo_line "THP enabled / defrag" "$(sysfs_value $TB/enabled) / $(sysfs_value $TB/defrag)"
sysinfo_line "THP shmem_enabled; 2 MiB: enabled, shmem_enabled" "$(sysfs_value $TB/shmem_enabled); $(sysfs_value $TB/hugepages-2048kB/enabled 2> /dev/null), $(sysfs_value $TB/hugepages-2048kB/shmem_enabled 2> /dev/null)"
sysinfo_line "khugepaged" "$(for f in $TB/khugepaged/*; do printf '%s=%s ' "$(basename "$f")" "$(cat "$f")"; done)"
sysinfo_line "other processes with MADV_HUGEPAGE memory at start" "${HG_OTHERS:-none}"
sysinfo_line "khugepaged pages_collapsed, full_scans" "before $KH_BEFORE; after $(cat $TB/khugepaged/pages_collapsed $TB/khugepaged/full_scans | tr '\n' ' ')"
sysinfo_line "CONFIG_READ_ONLY_THP_FOR_FS" "$( (zcat /proc/config.gz 2> /dev/null || cat "/boot/config-$(uname -r)" 2> /dev/null) | grep -q '^CONFIG_READ_ONLY_THP_FOR_FS=y' && echo yes || echo 'no (or config not readable)')"
sysinfo_line "read-ahead of the build dir's device" "$(d=$(findmnt -no SOURCE -T "$B" | sed 's|/dev/||'); cat "/sys/block/$d/queue/read_ahead_kb" 2> /dev/null || echo '?') kB"
sysinfo_line "programs (ext4 copies)" "$B/bench-run.*: $(fs_of "$B")"
sysinfo_line "programs (tmpfs copies)" "a tmpfs mounted by the script: $(fs_of "$MNT")"
if [ -n "$CC" ]; then
	for l in $LIBS; do
		sysinfo_line "$(basename "$l")" "$(fs_of "$l"), $(ls -l "$l" | awk '{ printf "%.0f MiB", $5 / 1048576 }')"
	done
	sysinfo_line "clang" "$("$CC" --version | head -n 1)"
fi
sysinfo_line "hugetext" "$("$HT" --version 2> /dev/null | head -n 1) (git $(git -C "$S" describe --always --dirty 2> /dev/null || echo '?'))"
sysinfo_line "generated programs" "bench/calls64 and bench/calls256: $E64 and $E256 kB of eligible text (gentext.sh, 16 KiB functions, PIE with 2 MiB p_align)"
sysinfo_line "elapsed" "${ELAPSED} s"
{
	echo
	echo "Load average as each experiment started (the suite itself adds about"
	echo "1 while it runs; more means something else was running too, and"
	echo "shows in the min–max columns):"
	echo
	echo "| experiment | load average (1, 5, 15 min) |"
	echo "|---|---|"
	cat "$LOADS"
	echo
	cat "$W/notes"
	[ -s "$W/notes" ] && echo
	echo "No sysfs setting was changed by this run unless listed above."
	echo
} >> "$W/head.md"

cat "$W/head.md" "$W/sec1.md" "$W/sec2.md" "$W/sec3.md" "$W/sec5.md" > "$RES"
say "results: $RES"
say "elapsed: ${ELAPSED} s"
echo "elapsed ${ELAPSED} s"
