#!/bin/sh
# Issue 9, item 6: a page the program writes is never thrown away.
# With the page cache busy (a plain instance of the same copies maps
# every small folio first, so the refault loop goes round more than
# once), a thread patches one function while hugetext's pass may be
# working on that text, then the program checks the function still
# returns the patched value (map_race prints "patch kept"):
#   S  the program's own text, thread started in .preinit_array: races
#      the start-up pass of the LD_PRELOAD form
#   D  a big library's text while it is being dlopened: races the dlopen
#      pass of the launcher (rtld-audit) form
# (S under the launcher and D with LD_PRELOAD as well: no pass to race
# in the new design, one in the old.)  The patch delay sweeps the window
# a calibration run measures.  Every run must keep its patch and exit 0:
# 0 lost patches, 0 crashes.
# Then the deterministic case: the program's text patched in
# .preinit_array (before an LD_PRELOAD pass), a library dlopened after
# (another pass): same output (the patched value, a checksum over all
# functions) and status as plain, in both forms, fresh and busy cache.
. "$HT_SRCDIR/tests/integration/lib.sh"
. "$HT_SRCDIR/tests/harm/map_lib.sh"
scratch

P=$T/map_race
L=$T/librace.so
copy_small "$MP/map_race" "$P"
copy_small "$PROGS/libbig.so" "$L"
off=$(readelf -sW "$L" | awk '$8 == "lib_f512" { print "0x" $2; exit }')
[ -n "$off" ] || fail "no lib_f512 in $PROGS/libbig.so"

run_as ref plain "$P" -S 0
[ "$(cat "$T/ref.st")" -eq 0 ] && grep -qx 'patch kept' "$T/ref.out" ||
	fail "plain run: $(cat "$T/ref.out") status $(cat "$T/ref.st")"
run_as ref.d plain "$P" -D 0 -L "$L" -o "$off"
[ "$(cat "$T/ref.d.st")" -eq 0 ] && grep -qx 'patch kept' "$T/ref.d.out" ||
	fail "plain run -D: $(cat "$T/ref.d.out") status $(cat "$T/ref.d.st")"

busy_start "$P" -w -L "$L"

# window MODE FORM: the median of 3 calibration runs, in microseconds.
window() {
	for i in 1 2 3; do
		if [ "$1" = S ]; then
			run_as cal "$2" "$P" -S -1 -T
		else
			run_as cal "$2" "$P" -D -1 -L "$L" -o "$off" -T
		fi
		x=$(sed -n 's/^window //p' "$T/cal.err")
		[ -n "$x" ] || fail "calibration ($1, $2): $(cat "$T/cal.err")"
		echo "$x"
	done | sort -n | sed -n 2p
}

# sweep MODE FORM RUNS: RUNS runs, delays spread over 0..1.25 x window.
total=0
sweep() {
	w=$(window "$1" "$2")
	[ -n "$w" ] || fail "no calibration for $1, $2"
	lost=0 crash=0 other=0 i=0
	while [ $i -lt "$3" ]; do
		d=$((w * 5 * i / (4 * $3)))
		if [ "$1" = S ]; then
			run_as race "$2" "$P" -S "$d"
		else
			run_as race "$2" "$P" -D "$d" -L "$L" -o "$off"
		fi
		st=$(cat "$T/race.st")
		case $st in
		0) ;;
		1) lost=$((lost + 1)) ;;
		*)
			if [ "$st" -gt 128 ]; then
				crash=$((crash + 1))
			else
				other=$((other + 1))
				echo "   ($1 $2 delay $d: status $st:" \
					"$(cat "$T/race.out" "$T/race.err"))"
			fi ;;
		esac
		i=$((i + 1))
	done
	total=$((total + $3))
	msg="$1, $2: $3 runs, delays 0-$((w * 5 / 4)) us: $lost lost, $crash crashed"
	if [ $((lost + crash + other)) -eq 0 ]; then
		ok "$msg"
	else
		bad "$msg, $other failed otherwise"
	fi
}

sweep S preload 100
sweep D ht 100
sweep S ht 25
sweep D preload 25
echo "   ($total runs in all)"

# Deterministic: patched before the pass, busy cache (now) and fresh.
run_as k.plain plain "$P" -K -L "$L"
grep -qx 'patch kept' "$T/k.plain.out" ||
	fail "plain -K: $(cat "$T/k.plain.out")"
for f in ht preload; do
	run_as "k.busy.$f" "$f" "$P" -K -L "$L"
	same_as "k.busy.$f" k.plain "patched before the pass, busy cache, $f"
done
busy_stop
for f in ht preload; do
	copy_small "$MP/map_race" "$P"
	copy_small "$PROGS/libbig.so" "$L"
	run_as "k.fresh.$f" "$f" "$P" -K -L "$L"
	same_as "k.fresh.$f" k.plain "patched before the pass, fresh copy, $f"
done
finish
