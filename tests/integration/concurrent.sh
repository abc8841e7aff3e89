#!/bin/sh
# Simultaneous cold starts of one program cooperate: two and four
# processes started together from a small-folio page cache each end
# with >= 99% of the text PMD-mapped in their own smaps, their output
# as a plain run's, and only one of them reads the text (route refault;
# the others wait for it and remap).  Ten rounds of each.  Then a
# `prime` racing a start of the same file: both end huge.  With no
# time budget (--budget=0): on a loaded machine a waiter's wait could
# outlast it, and the budget is budget.sh's to test.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

fs=$(stat -f -c %T "$B")
case $fs in
ext2/ext3|ext4|xfs) ;;
*) skip "build tree is on $fs: no large-folio filesystem for refault" ;;
esac

P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"
want=$(eligible_kb "$P")
"$P" -r 2 > "$T/plain.out"

# round N: N starts at once of a fresh small-folio copy.
round() {
	n=$1
	copy_small "$PROGS/bigtext" "$P"
	i=0
	while [ "$i" -lt "$n" ]; do
		rm -f "$T/r$i.json"
		"$HT" --budget=0 -r "$T/r$i.json" "$P" -r 2 -s "$T/s$i" \
			> "$T/o$i" &
		i=$((i + 1))
	done
	wait
	refaults=0
	i=0
	while [ "$i" -lt "$n" ]; do
		got=$(pmd_kb "$T/s$i" "$P")
		[ $((got * 100)) -ge $((want * 99)) ] ||
			fail "$n at once, round $r, process $i: $got of" \
			     "$want kB PMD-mapped: $(cat "$T/r$i.json")"
		cmp -s "$T/plain.out" "$T/o$i" ||
			fail "$n at once: output of process $i differs"
		case $(route_of "$T/r$i.json" "$P") in
		refault) refaults=$((refaults + 1)) ;;
		remap) ;;
		*) fail "$n at once: route $(route_of "$T/r$i.json" "$P")" ;;
		esac
		i=$((i + 1))
	done
	[ "$refaults" -eq 1 ] ||
		fail "$n at once, round $r: $refaults processes read the text"
}

for n in 2 4; do
	r=1
	while [ "$r" -le 10 ]; do
		round "$n"
		r=$((r + 1))
	done
	ok "$n simultaneous cold starts, 10 rounds: each >= 99% of $want kB" \
	   "PMD-mapped, one read the text"
done

# A prime and a start of the same file at once.
r=1
while [ "$r" -le 3 ]; do
	copy_small "$PROGS/bigtext" "$P"
	rm -f "$T/r0.json"
	"$HT" prime -q "$P" &
	primer=$!
	"$HT" --budget=0 -r "$T/r0.json" "$P" -s "$T/s0" > /dev/null
	wait "$primer" || fail "prime failed while a start ran"
	got=$(pmd_kb "$T/s0" "$P")
	[ $((got * 100)) -ge $((want * 99)) ] ||
		fail "prime racing a start: $got of $want kB: $(cat "$T/r0.json")"
	r=$((r + 1))
done
ok "prime racing a start, 3 rounds: the start ends huge"
