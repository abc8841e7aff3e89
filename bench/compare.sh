#!/bin/sh
# compare.sh OLD_BUILDDIR NEW_BUILDDIR [RUNS] - start-up cost of two
# builds of hugetext side by side: every measurement interleaved, old
# and new in turn, medians (min-max) in ms.  For a change's before and
# after (bench/README.md).  Page cache state is controlled as in
# startup.sh: "small" is a fresh copy written in 4 KiB writes (clang's
# libLLVM: dropped and re-read without read-ahead), "huge" is what a
# first hugetext start left.
set -eu
O=$(cd "${1:?usage: compare.sh OLD NEW [RUNS]}" && pwd)
N=$(cd "${2:?usage: compare.sh OLD NEW [RUNS]}" && pwd)
R=${3:-21}
RT=$N/bench/runtime
W=$(mktemp -d "$N/bench-tmp.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

. "$(dirname "$0")/timing.sh"

row() {
	printf '%-44s %s   %s\n' "$1" "$(stats "o.$2")" "$(stats "n.$2")"
}

echo "# hugetext start-up, old $O vs new $N: $(uname -r), $R rounds"
printf '%-44s %-34s %s\n' "what (ms: median (min-max))" old new
i=0
while [ $i -lt $((R * 5)) ]; do
	t o.true "$O/hugetext" /bin/true
	t n.true "$N/hugetext" /bin/true
	t o.pre LD_PRELOAD="$O/.libs/libhugetext.so" /bin/true
	t n.pre LD_PRELOAD="$N/.libs/libhugetext.so" /bin/true
	t o.aud LD_AUDIT="$O/.libs/libhugetext.so" /bin/true
	t n.aud LD_AUDIT="$N/.libs/libhugetext.so" /bin/true
	t o.plain /bin/true
	t n.plain /bin/true
	i=$((i + 1))
done
row "/bin/true" plain
row "hugetext /bin/true" true
row "LD_PRELOAD=libhugetext.so /bin/true" pre
row "LD_AUDIT=libhugetext.so /bin/true" aud

for i in $(seq "$R"); do
	for v in o n; do
		[ $v = o ] && B=$O || B=$N
		small "$N/tests/progs/bigtext" "$W/demo"
		t $v.first "$B/hugetext" "$W/demo"
		t $v.later "$B/hugetext" "$W/demo"
	done
done
row "48 MiB demo: first start (small folios)" first
row "48 MiB demo: later start (cache huge)" later

cc=$(command -v clang-14 || command -v clang || true)
if [ -n "$cc" ]; then
	llvm=$(readlink -f "$(ldd "$cc" | awk '/libLLVM/ { print $3; exit }')")
	echo 'int main(void) { return 0; }' > "$W/one.c"
	for i in $(seq "$R"); do
		for v in o n; do
			[ $v = o ] && B=$O || B=$N
			"$N/bench/pcsmall" "$llvm" > /dev/null
			t $v.ccfirst "$B/hugetext" "$cc" -fsyntax-only "$W/one.c"
			t $v.cclater "$B/hugetext" "$cc" -fsyntax-only "$W/one.c"
		done
	done
	row "$(basename "$cc"): first start (small folios)" ccfirst
	row "$(basename "$cc"): later start (cache huge)" cclater
	dd if="$llvm" iflag=nocache count=0 status=none
fi
