#!/bin/sh
# startup.sh BUILDDIR [RUNS] - what hugetext costs at start-up, measured
# side by side with interleaved runs; medians (and min-max) in ms.
#
#  1. the added time for a program with nothing eligible (/bin/true):
#     plain, LD_PRELOAD= and LD_AUDIT=libhugetext.so, env, and the
#     hugetext launcher (which sets LD_AUDIT);
#  2. ms per MiB made huge, per route: refault (ext4 copy of the 48 MiB
#     demo program) and collapse (tmpfs copy), from the JSON report; and
#     the floor of a first start: the same file read cold from the
#     device (evicted, then O_DIRECT), ms per MiB;
#  3. whole runs of the demo program and of clang on a one-line file:
#     plain (small folios), hugetext first start (small folios), hugetext
#     later start (page cache already huge), for the demo also the
#     library alone (LD_AUDIT=, as a systemd unit sets it: no launcher
#     exec), plain with a huge cache;
#  4. the ratios the project aims at (issue: start-up that only wins).
set -eu
B=$(cd "${1:?usage: startup.sh BUILDDIR [RUNS]}" && pwd)
N=${2:-21}
HT=$B/hugetext
LIB=$B/.libs/libhugetext.so
RT=$B/bench/runtime
W=$(mktemp -d "$B/bench-tmp.XXXXXX")
SHM=$(mktemp -d /dev/shm/hugetext-bench.XXXXXX)
trap 'rm -rf "$W" "$SHM"' EXIT INT TERM

. "$(dirname "$0")/timing.sh"

echo "# hugetext start-up cost: $(uname -r), THP $(sed 's/.*\[\(.*\)\].*/\1/' \
	/sys/kernel/mm/transparent_hugepage/enabled), $(date -u +%F)"
echo
echo "## 1. nothing eligible: /bin/true, $((N * 10)) interleaved runs each"
i=0
while [ $i -lt $((N * 10)) ]; do
	t true /bin/true
	t preload LD_PRELOAD="$LIB" /bin/true
	t audit LD_AUDIT="$LIB" /bin/true
	t noop LD_AUDIT="$B/bench/noop_audit.so" /bin/true
	t env env /bin/true
	t launcher "$HT" /bin/true
	i=$((i + 1))
done
printf '%-36s %s\n' "/bin/true (via runtime)" "$(stats true)"
printf '%-36s %s\n' "env /bin/true" "$(stats env)"
printf '%-36s %s\n' "LD_PRELOAD=libhugetext /bin/true" "$(stats preload)"
printf '%-36s %s\n' "LD_AUDIT=libhugetext /bin/true" "$(stats audit)"
printf '%-36s %s\n' "LD_AUDIT=(do-nothing module) /bin/true" "$(stats noop)"
printf '%-36s %s\n' "hugetext /bin/true" "$(stats launcher)"
awk -v a="$(med env)" -v b="$(med preload)" -v c="$(med launcher)" \
	-v d="$(med audit)" -v z="$(med true)" 'BEGIN {
	printf "preload adds %.3f ms to /bin/true, audit module %.3f ms; launcher = env + %.3f ms\n",
		b - z, d - z, c - a }'
echo

echo "## 2. ms per MiB made huge, per route ($N runs, fresh small-folio copies)"
for i in $(seq "$N"); do
	small "$B/tests/progs/bigtext" "$W/bt"
	"$HT" -r "$W/refault.json" "$W/bt" > /dev/null
	small "$B/tests/progs/bigtext" "$SHM/bt"
	"$HT" -r "$W/collapse.json" "$SHM/bt" > /dev/null
done
# The floor: evicted (every page dropped), then read with O_DIRECT.
for i in $(seq "$N"); do
	small "$B/tests/progs/bigtext" "$W/floor"
	dd if="$W/floor" iflag=nocache count=0 status=none
	t floor_read dd if="$W/floor" of=/dev/null bs=1M iflag=direct \
		status=none
done
fmib=$(($(stat -c %s "$W/floor") / 1048576))
awk -v m="$fmib" '{ printf "%.4f\n", $1 / m }' "$W/floor_read" > "$W/floor"
for route in refault collapse; do
	sed 's/{"path":/\n&/g' "$W/$route.json" | grep '"route":"'$route'"' |
		sed 's/.*"eligible_bytes":\([0-9]*\).*"usec":\([0-9]*\).*/\1 \2/' |
		awk '{ printf "%.4f\n", ($2 / 1000) / ($1 / 1048576) }' > "$W/$route"
	printf '%-36s %s\n' "$route: ms per MiB" "$(stats "$route")"
done
printf '%-36s %s\n' "floor: cold read, ms per MiB" "$(stats floor)"
echo

echo "## 3. whole runs, ms ($N interleaved rounds)"
small "$B/tests/progs/bigtext" "$W/demo"
for i in $(seq "$N"); do
	# plain, small folios: re-copy so the cache holds 4 KiB folios
	small "$B/tests/progs/bigtext" "$W/demo"
	t demo_plain "$W/demo"
	t demo_first "$HT" "$W/demo"
done
# The warm state on its own: right after a first start the machine is
# still busy with what it read (writeback, compaction), which would
# count against whichever run came next.
for i in $(seq "$N"); do
	t demo_later "$HT" "$W/demo"
	t demo_audit_later LD_AUDIT="$LIB" "$W/demo"
	t demo_plain_huge "$W/demo"
done
printf '%-36s %s\n' "demo 48 MiB: plain, small folios" "$(stats demo_plain)"
printf '%-36s %s\n' "demo: hugetext first start" "$(stats demo_first)"
printf '%-36s %s\n' "demo: hugetext later start" "$(stats demo_later)"
printf '%-36s %s\n' "demo: LD_AUDIT= later start" "$(stats demo_audit_later)"
printf '%-36s %s\n' "demo: plain, huge page cache" "$(stats demo_plain_huge)"

cc=$(command -v clang-14 || command -v clang || true)
if [ -n "$cc" ]; then
	llvm=$(readlink -f "$(ldd "$cc" | awk '/libLLVM/ { print $3; exit }')")
	echo 'int main(void) { return 0; }' > "$W/one.c"
	for i in $(seq "$N"); do
		# small folios: drop the cache, re-read it without
		# read-ahead (a plain re-read builds 2 MiB folios on ext4)
		"$B/bench/pcsmall" "$llvm" > /dev/null
		t cc_plain "$cc" -fsyntax-only "$W/one.c"
		t cc_first "$HT" "$cc" -fsyntax-only "$W/one.c"
	done
	for i in $(seq "$N"); do
		t cc_later "$HT" "$cc" -fsyntax-only "$W/one.c"
		t cc_plain_huge "$cc" -fsyntax-only "$W/one.c"
	done
	printf '%-36s %s\n' "$(basename "$cc"): plain, small folios" "$(stats cc_plain)"
	printf '%-36s %s\n' "$(basename "$cc"): hugetext first start" "$(stats cc_first)"
	printf '%-36s %s\n' "$(basename "$cc"): hugetext later start" "$(stats cc_later)"
	printf '%-36s %s\n' "$(basename "$cc"): plain, huge page cache" "$(stats cc_plain_huge)"
	dd if="$llvm" iflag=nocache count=0 status=none
fi

echo
echo "## 4. ratios of medians (goals in brackets)"
ratio() { # LABEL A B GOAL: med(A) / med(B)
	awk -v a="$(med "$2")" -v b="$(med "$3")" -v l="$1" -v g="$4" \
		'BEGIN { printf "%-44s %6.2f  (%s)\n", l, a / b, g }'
}
diff_ms() { # LABEL A B GOAL: med(A) - med(B)
	awk -v a="$(med "$2")" -v b="$(med "$3")" -v l="$1" -v g="$4" \
		'BEGIN { printf "%-44s %+6.3f ms  (%s)\n", l, a - b, g }'
}
diff_ms "library alone on /bin/true (preload)" preload true "<= +0.1"
diff_ms "library alone on /bin/true (audit)" audit true "<= +0.1"
diff_ms "  of which any audit module (do-nothing)" noop true "the floor"
diff_ms "launcher vs env" launcher env "<= +0.3"
ratio "refault first start / cold-read floor" refault floor "<= 1.3"
ratio "demo: hugetext later / plain huge cache" demo_later demo_plain_huge "<= 1.15"
ratio "demo: LD_AUDIT later / plain huge cache" demo_audit_later demo_plain_huge "(no launcher exec)"
diff_ms "demo: hugetext later - plain huge cache" demo_later demo_plain_huge "launcher exec + pass"
if [ -n "$cc" ]; then
	ratio "clang: hugetext later / plain huge cache" cc_later cc_plain_huge "<= 1.05"
	ratio "clang: hugetext later / plain small cache" cc_later cc_plain "<= 0.88"
fi
