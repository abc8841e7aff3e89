#!/bin/sh
# A large real program that nobody here wrote: the system's LLVM-based
# compiler, whose libLLVM holds ~100 MiB of text.  Its page cache is
# dropped first (nothing else maps it), so hugetext starts from small
# folios; >= 95% of the eligible text must end PMD-mapped, read from the
# running compiler's own smaps.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

prog=
for c in clang-14 clang clang-format-14 clang-format; do
	if command -v "$c" > /dev/null; then
		prog=$(command -v "$c")
		break
	fi
done
[ -n "$prog" ] || skip "no clang or clang-format installed"
llvm=$(ldd "$prog" | awk '/libLLVM/ { print $3; exit }')
[ -n "$llvm" ] || skip "$prog does not use a shared libLLVM"
llvm=$(readlink -f "$llvm")
case $(stat -f -c %T "$llvm") in
ext2/ext3|ext4|xfs) ;;
*) skip "$llvm is not on a large-folio filesystem" ;;
esac

# run_held SMAPS REPORT CMD...: start CMD (reading stdin from a fifo),
# copy its smaps once the preload has reported, then let it finish.
run_held() {
	smaps=$1
	report=$2
	shift 2
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	"$@" < "$T/fifo" > "$T/cc.out" 2> "$T/cc.err" &
	pid=$!
	exec 3> "$T/fifo"
	i=0
	while [ $i -lt 200 ]; do
		if grep -q "$llvm" "/proc/$pid/maps" 2>/dev/null &&
			{ [ -z "$report" ] || [ -s "$report" ]; }; then
			break
		fi
		sleep 0.05
		i=$((i + 1))
	done
	sleep 0.1
	cat "/proc/$pid/smaps" > "$smaps"
	echo 'int main(void) { return 0; }' >&3
	exec 3>&-
	wait "$pid" || fail "$* failed: $(cat "$T/cc.err")"
}

# Put libLLVM's page cache on small folios: drop it and read it back
# with read-ahead off (bench/pcsmall).  A plain drop is not enough: with
# a large read_ahead_kb, ext4 reads it back partly in 2 MiB folios.
"$B/bench/pcsmall" "$llvm" > /dev/null ||
	fail "bench/pcsmall could not reset $llvm's page cache"
case $prog in
*format*) args= ;;
*) args="-fsyntax-only -x c -" ;;
esac
run_held "$T/plain.smaps" "" "$prog" $args
plain=$(pmd_kb "$T/plain.smaps" "$llvm")
[ "$plain" -eq 0 ] || skip "libLLVM's page cache stays huge ($plain kB): another process maps it, so it cannot be dropped"
ok "plain $(basename "$prog"): 0 kB of $(basename "$llvm") PMD-mapped"

run_held "$T/ht.smaps" "$T/r.json" "$HT" -v -r "$T/r.json" "$prog" $args
line=$(json_objects "$T/r.json" | grep -F "{\"path\":\"$llvm\"" | head -n 1)
elig=$(($(json_field "$line" eligible_bytes) / 1024))
[ "$elig" -ge $((64 * 1024)) ] || fail "only $elig kB eligible in $llvm"
at_least "$(pmd_kb "$T/ht.smaps" "$llvm")" "$elig" 95 "$(basename "$llvm")"
grep "hugetext.*total" "$T/cc.err" || true
