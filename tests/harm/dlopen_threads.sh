#!/bin/sh
# Concurrent dlopens are all seen: 8 threads, released at once by a
# barrier, each dlopen one of 8 distinct new 4 MiB-text libraries (fresh
# small-folio copies every round, so each round has real work).  In each
# of 5 rounds (separate runs) all 8 must end >= 99% PMD-mapped in the
# program's own smaps, copied once all 8 are loaded, the output must match
# a plain run, and the report must name all 8 with "trigger":"dlopen".
# (A pass that marks everything loaded meanwhile as seen skips 7 of 8.)
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

H=$B/tests/harm/progs
N=8
libs() {
	i=0
	while [ $i -lt $N ]; do
		printf '%s\n' "$T/libcc$i.so"
		i=$((i + 1))
	done
}
fresh() {
	for l in $(libs); do
		copy_small "$H/libdl_big4.so" "$l"
	done
}

fresh
"$H/dl_load" -s "$T/plain.smaps" $(libs) > "$T/plain.out" ||
	fail "plain run: $(cat "$T/plain.out")"
[ "$(grep -c "functions 256 checksum" "$T/plain.out")" -eq $N ] ||
	fail "plain run: $(cat "$T/plain.out")"
for l in $(libs); do
	[ "$(pmd_kb "$T/plain.smaps" "$l")" -eq 0 ] || fail "$l PMD-mapped plainly"
done
want=$(eligible_kb "$H/libdl_big4.so")
[ "$want" -ge 2048 ] || fail "libdl_big4.so: nothing eligible"

round=1
while [ $round -le 5 ]; do
	fresh
	rm -f "$T/r.json"
	timeout 60 "$HT" -r "$T/r.json" "$H/dl_load" -s "$T/ht.smaps" $(libs) \
		> "$T/ht.out" || fail "round $round: status $?: $(cat "$T/ht.out")"
	cmp -s "$T/plain.out" "$T/ht.out" ||
		fail "round $round: output differs: $(cat "$T/ht.out")"
	small=
	unreported=
	for l in $(libs); do
		got=$(pmd_kb "$T/ht.smaps" "$l")
		[ $((got * 100)) -ge $((want * 99)) ] ||
			small="$small $(basename "$l") ($got kB)"
		grep '"trigger":"dlopen"' "$T/r.json" |
			grep -qF "{\"path\":\"$l\"" ||
			unreported="$unreported $(basename "$l")"
	done
	[ -z "$small" ] ||
		fail "round $round: under 99% of $want kB PMD-mapped:$small"
	[ -z "$unreported" ] ||
		fail "round $round: not in a dlopen report:$unreported"
	ok "round $round: all $N libraries >= 99% PMD-mapped and reported"
	round=$((round + 1))
done
