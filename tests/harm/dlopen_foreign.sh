#!/bin/sh
# Nothing foreign in the program.  With something eligible loaded (a
# 4 MiB-text library dlopened after main), hugetext must not bring
# libraries into the program (the old preload loaded the system's
# libelf.so.1 and libz.so.1 then, and kept them) nor grow its address
# space after main:
#  (a) a program bundles its own "libz.so.1" (not zlib: it exports
#      bundled_zfn) next to a plugin that needs it; the plugin, dlopened
#      after the big library, must load and run exactly as plainly (not
#      "undefined symbol: bundled_zfn" from binding to the system libz);
#  (b) /proc/self/maps must show no libelf/libz mapping that a plain run
#      does not have;
#  (c) RLIMIT_AS set at main to VmSize + the program's own growth (found
#      in a plain run) + a malloc + 64 kB: the malloc must succeed under
#      hugetext as it does plainly.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

H=$B/tests/harm/progs
A=$T/app
mkdir -p "$A/lib"
cp "$H/dl_foreign" "$A/"
cp "$H/libdl_fakez.so" "$A/lib/libz.so.1"
cp "$H/libdl_zplug.so" "$A/lib/"
BIG=$A/lib/libbig4.so
PLUG=$A/lib/libdl_zplug.so
P=$A/dl_foreign
copy_small "$H/libdl_big4.so" "$BIG"
[ "$(eligible_kb "$BIG")" -ge 2048 ] || fail "$BIG: nothing eligible"

# run NAME CMD...: stdout and exit status in $T/NAME.out
run() {
	name=$1
	shift
	set +e
	"$@" > "$T/$name.out" 2> "$T/$name.err"
	echo "status $?" >> "$T/$name.out"
	set -e
}

# foreign MAPS: the libelf and libz files mapped, one per line.
foreign() {
	awk '$6 ~ /\/lib(elf|z)[-.][^\/]*$/ { print $6 }' "$1" | sort -u
}

# (a), (b): the big library, then the plugin.
run plain "$P" -m "$T/plain.maps" "$BIG" "$PLUG"
grep -qx "plugin: zplug_value 1007" "$T/plain.out" &&
	grep -qx "status 0" "$T/plain.out" ||
	fail "plain run: $(cat "$T/plain.out")"
grep -q " $A/lib/libz.so.1\$" "$T/plain.maps" ||
	fail "plain run did not map the bundled libz.so.1"
copy_small "$H/libdl_big4.so" "$BIG"
run ht "$HT" -r "$T/r.json" "$P" -m "$T/ht.maps" "$BIG" "$PLUG"
grep -qF "{\"path\":\"$BIG\"" "$T/r.json" ||
	fail "the big library was not looked at: nothing was eligible"
bad=
if cmp -s "$T/plain.out" "$T/ht.out"; then
	ok "(a) the plugin binds to the program's own libz.so.1 under hugetext"
else
	echo "FAIL: (a) bundled libz plugin under hugetext:" \
		"'$(tr '\n' ' ' < "$T/ht.out")'," \
		"plainly '$(tr '\n' ' ' < "$T/plain.out")'"
	bad="$bad a"
fi

foreign "$T/plain.maps" > "$T/plain.foreign"
foreign "$T/ht.maps" > "$T/ht.foreign"
extra=$(comm -13 "$T/plain.foreign" "$T/ht.foreign")
# and with only the big library (no bundled libz at all)
copy_small "$H/libdl_big4.so" "$BIG"
run ht2 "$HT" "$P" -m "$T/ht2.maps" "$BIG"
grep -qx "status 0" "$T/ht2.out" || fail "big library alone: $(cat "$T/ht2.out")"
extra2=$(foreign "$T/ht2.maps")
if [ -z "$extra$extra2" ]; then
	ok "(b) no libelf or libz mapping that a plain run lacks"
else
	[ -z "$extra" ] ||
		echo "FAIL: (b) mapped under hugetext only: $(echo $extra)"
	[ -z "$extra2" ] ||
		echo "FAIL: (b) mapped under hugetext, big library alone:" \
			"$(echo $extra2)"
	bad="$bad b"
fi

# (c) calibrate: how much the program itself grows after main.
M=65536
MARGIN=64
run grow "$P" -g "$BIG"
grow=$(sed -n 's/^growth //p' "$T/grow.out")
[ -n "$grow" ] && [ "$grow" -gt 0 ] || fail "calibration: $(cat "$T/grow.out")"
room=$((grow + M + MARGIN))
i=0
while [ $i -lt 3 ]; do
	copy_small "$H/libdl_big4.so" "$BIG"
	run lim "$P" -l $room -M $M "$BIG"
	grep -qx "status 0" "$T/lim.out" ||
		skip "cannot calibrate: a plain run fails under RLIMIT_AS (VmSize + $room kB): $(tr '\n' ' ' < "$T/lim.out")"
	i=$((i + 1))
done
# The limit is tight: 4 times the margin more does not fit.
run tight "$P" -l $room -M $((M + 4 * MARGIN)) "$BIG"
grep -qx "status 4" "$T/tight.out" ||
	skip "cannot calibrate: RLIMIT_AS (VmSize + $room kB) is not tight: $(tr '\n' ' ' < "$T/tight.out")"
i=0
while [ $i -lt 3 ]; do
	copy_small "$H/libdl_big4.so" "$BIG"
	rm -f "$T/r.json"
	run htlim "$HT" -r "$T/r.json" "$P" -l $room -M $M "$BIG"
	grep -qF "{\"path\":\"$BIG\"" "$T/r.json" ||
		fail "(c) the big library was not looked at: nothing was eligible"
	cmp -s "$T/lim.out" "$T/htlim.out" || {
		echo "FAIL: (c) near RLIMIT_AS (the program grows $grow kB" \
			"after main plainly, then mallocs $M kB; $MARGIN kB" \
			"to spare): '$(tr '\n' ' ' < "$T/htlim.out")' under" \
			"hugetext"
		bad="$bad c"
		break
	}
	i=$((i + 1))
done
[ $i -lt 3 ] ||
	ok "(c) a malloc that fits with $MARGIN kB to spare under RLIMIT_AS plainly fits under hugetext"
[ -z "$bad" ] || fail "foreign:$bad"
