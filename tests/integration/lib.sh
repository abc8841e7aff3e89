# lib.sh - shared helpers for the integration tests (sourced).
# The tests run real programs under hugetext and read the truth from
# the program's own /proc/PID/smaps (FilePmdMapped, ShmemPmdMapped).
set -eu

B=${HT_BUILDDIR:?run under make check}
HT=$B/hugetext
LIB=$B/.libs/libhugetext.so
PROGS=$B/tests/progs
MIB=1048576

fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

ok() {
	echo "ok: $*"
}

# A scratch directory on the build tree's filesystem (the repo's: ext4
# here), removed at exit.
scratch() {
	T=$(mktemp -d "$B/tests/tmp.XXXXXX")
	trap 'rm -rf "$T" ${SHM:+"$SHM"}' EXIT
}

# A scratch directory on tmpfs, for the collapse route.
scratch_shm() {
	SHM=$(mktemp -d /dev/shm/hugetext-test.XXXXXX) ||
		skip "no writable tmpfs at /dev/shm"
	cp /bin/true "$SHM/true" && "$SHM/true" ||
		skip "/dev/shm does not allow executing programs (noexec)"
}

# copy_small SRC DST: a copy whose page cache holds only 4 KiB folios,
# written with 4 KiB writes and flushed, so no huge folio exists yet.
copy_small() {
	rm -f "$2"
	dd if="$1" of="$2" bs=4096 status=none
	chmod +x "$2"
	sync "$2" 2>/dev/null || sync
}

# pie4k OUT: a PIE of 16 MiB text with 4 KiB p_align in every PT_LOAD,
# as distributions build postgres or gdb: the kernel loads it at a
# random 4 KiB-aligned base, so its text is (almost never) congruent.
# Built here, in 4 KiB writes (copy_small).
pie4k() {
	command -v cc > /dev/null || skip "no C compiler (cc) to build a PIE"
	sh "$HT_SRCDIR/tests/progs/gentext.sh" main 16 12 > "$T/pie4k.S"
	cc -O2 -fPIE -pie -Wl,-z,max-page-size=4096 -Wl,-z,separate-code \
		-o "$T/pie4k.tmp" "$HT_SRCDIR/tests/progs/bigtext.c" \
		"$T/pie4k.S"
	readelf -lW "$T/pie4k.tmp" | awk '$1 == "LOAD" && $NF != "0x1000" {
		exit 1 }' || fail "$T/pie4k.tmp: a PT_LOAD p_align is not 4 KiB"
	copy_small "$T/pie4k.tmp" "$1"
	rm -f "$T/pie4k.tmp"
}

# exec_kb SMAPS FIELD: the sum of FIELD (kB) over executable mappings.
exec_kb() {
	awk -v f="$2:" '/^[0-9a-f]+-[0-9a-f]+ / { x = ($2 ~ /x/) }
	x && $1 == f { s += $2 } END { print s + 0 }' "$1"
}

# pmd_kb SMAPS PATH: kB PMD-mapped (file + shmem) in mappings of PATH.
pmd_kb() {
	awk -v p="$2" '
	/^[0-9a-f]+-[0-9a-f]+ / { cur = ($6 == p) }
	cur && /^(FilePmdMapped|ShmemPmdMapped):/ { s += $2 }
	END { print s + 0 }' "$1"
}

# eligible_kb ELF: kB of whole 2 MiB spans in executable PT_LOADs, for a
# binary loaded at a 2 MiB-aligned base (p_align 2 MiB or non-PIE).
eligible_kb() {
	readelf -lW "$1" |
	awk '$1 == "LOAD" && ($7 ~ /E/ || $8 == "E") { print $3, $5 }' |
	{
		t=0
		h=2097152
		while read -r v f; do
			s=$(( (v + h - 1) / h * h ))
			e=$(( (v + f) / h * h ))
			[ "$e" -le "$s" ] || t=$((t + (e - s) / 1024))
		done
		echo "$t"
	}
}

# at_least ACTUAL_KB EXPECTED_KB PERCENT WHAT
at_least() {
	[ "$2" -gt 0 ] || fail "$4: nothing eligible (expected some)"
	if [ $(($1 * 100)) -lt $(($2 * $3)) ]; then
		fail "$4: $1 kB PMD-mapped, want >= $3% of $2 kB"
	fi
	ok "$4: $1 of $2 kB PMD-mapped"
}

# json_objects FILE: one line per object of every report in FILE.
json_objects() {
	sed 's/{"path":/\n&/g' "$1" | grep '^{"path":'
}

# json_field LINE KEY: the first value of KEY in LINE (numbers, strings).
json_field() {
	printf '%s\n' "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p" |
		head -n 1
}

# route_of REPORT PATH: the route of PATH's first segment in REPORT.
route_of() {
	json_field "$(json_objects "$1" | grep -F "{\"path\":\"$2\"" |
		tail -n 1)" route
}

# start_looping PROG: start PROG -l reading lines from a fifo held open
# on fd 3; sets PID.  kick: make it run all its functions once more and
# wait for its answer.  stop_looping: close the fifo, reap it.
start_looping() {
	rm -f "$T/loop.fifo"
	mkfifo "$T/loop.fifo"
	# Empty before the program opens it: the count below may come first.
	: > "$T/loop.out"
	"$@" -l < "$T/loop.fifo" > "$T/loop.out" &
	PID=$!
	exec 3> "$T/loop.fifo"
	LINES_SEEN=$(wc -l < "$T/loop.out")
}

kick() {
	echo go >&3
	want=$((LINES_SEEN + 2))
	[ "$LINES_SEEN" -gt 0 ] && want=$((LINES_SEEN + 1))
	i=0
	while [ "$(wc -l < "$T/loop.out")" -lt "$want" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	LINES_SEEN=$(wc -l < "$T/loop.out")
}

stop_looping() {
	exec 3>&-
	wait "$PID"
}

# check_prom FILE: FILE follows the Prometheus text exposition format
# (0.0.4) as hugetext writes it: per family one HELP and one TYPE line
# before its samples, all in one group; metric and label names of the
# allowed characters; in HELP only \\ and \n escaped, in label values
# \" too; integer values.  Says what is wrong and returns 1, else 0.
check_prom() {
	awk '
function family(n) {
	if (n == cur)
		return
	if (done[n]) { print "family not in one group: " n; bad = 1 }
	done[cur] = 1
	cur = n
}
/^# HELP / { family($3)
	if (help[$3]++) { print "second HELP " $3; bad = 1 }
	h = $0; sub(/^# HELP [^ ]+ ?/, "", h)
	if (h !~ /^([^\\]|\\[\\n])*$/) { print "HELP escapes: " $0; bad = 1 }
	next }
/^# TYPE / { family($3)
	if (type[$3]++) { print "second TYPE " $3; bad = 1 }
	if ($4 != "gauge" && $4 != "counter") { print "type " $4; bad = 1 }
	next }
/^#/ { print "comment: " $0; bad = 1; next }
{
	name = $1; sub(/\{.*/, "", name)
	family(name)
	if (name !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*$/) {
		print "name " name; bad = 1 }
	if (!type[name]) { print "sample before TYPE: " $0; bad = 1 }
	if ($0 ~ /\{/ && $0 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\[\\"n])*",?)*\} [0-9]+$/) {
		print "labels: " $0; bad = 1 }
	if ($0 !~ /\{/ && $0 !~ / [0-9]+$/) { print "value: " $0; bad = 1 }
}
END { exit bad }' "$1"
}
