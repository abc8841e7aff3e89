#!/bin/sh
# Started with fd 2 closed (`2>&-`), a program opens its data file, which
# gets fd 2, then dlopens a big library, with -v: the data file must
# hold exactly what the program wrote, nothing of hugetext's (a later
# pass may write only to a duplicate of the stderr that existed at
# start-up; there was none).  Output, status and the data file's fd are
# those of a plain run.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
P=$T/out_prog
L=$T/libbig.so
want=$(printf 'data: before dlopen\ndata: after dlopen\n')

copy_small "$B/tests/harm/progs/out_prog" "$P"
copy_small "$PROGS/libbig.so" "$L"
"$P" -f "$T/plain.data" -d "$L" -x 7 > "$T/plain.out" 2>&- && st=0 || st=$?
[ "$st" -eq 7 ] || fail "plain run: status $st: $(cat "$T/plain.out")"
grep -qx "data fd 2" "$T/plain.out" || fail "plainly, the data file is not fd 2: $(cat "$T/plain.out")"
[ "$(cat "$T/plain.data")" = "$want" ] || fail "plain data file: $(cat "$T/plain.data")"

for how in "-v" "--verbose -r $T/report.json"; do
	copy_small "$B/tests/harm/progs/out_prog" "$P"
	copy_small "$PROGS/libbig.so" "$L"
	# shellcheck disable=SC2086
	"$HT" $how "$P" -f "$T/ht.data" -d "$L" -s "$T/ht.smaps" -x 7 \
		> "$T/ht.out" 2>&- && st=0 || st=$?
	[ "$st" -eq 7 ] || fail "hugetext $how, fd 2 closed: status $st"
	cmp -s "$T/plain.out" "$T/ht.out" ||
		fail "hugetext $how, fd 2 closed: stdout differs: $(diff "$T/plain.out" "$T/ht.out")"
	[ "$(cat "$T/ht.data")" = "$want" ] ||
		fail "hugetext $how wrote into the program's data file (fd 2): $(cat "$T/ht.data")"
	cmp -s "$T/plain.data" "$T/ht.data" || fail "data files differ"
	ok "hugetext $how, fd 2 closed: the data file holds only the program's lines"
done
# the passes did run (so they had something to say)
at_least "$(pmd_kb "$T/ht.smaps" "$L")" "$(eligible_kb "$L")" 99 \
	"library dlopened with fd 2 closed"
