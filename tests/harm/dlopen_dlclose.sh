#!/bin/sh
# dlclose really unloads: a 4 MiB-text library with a destructor is
# dlopened, used for 0-300 us and dlclosed 1000 times while other threads
# dlopen and dlclose two other 4 MiB-text libraries (two threads load
# and unload them, one opens a loaded one again and again).  After every
# last dlclose the destructor must already have run, in the thread that
# called dlclose, and dlopen(RTLD_NOLOAD) must return NULL; 3 runs.  A
# pass that holds its own reference to a new object (RTLD_NOLOAD) while
# it works makes the program's dlclose a no-op now and then, and the
# destructor runs later in another thread.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

H=$B/tests/harm/progs
L=$T/libdtor.so
O1=$T/libother1.so
O2=$T/libother2.so
copy_small "$H/libdl_dtor.so" "$L"
copy_small "$H/libdl_big4.so" "$O1"
copy_small "$H/libdl_big4.so" "$O2"
[ "$(eligible_kb "$L")" -ge 2048 ] || fail "$L: nothing eligible"

ARGS="-n 1000 -t 3 -w 300"
"$H/dl_unload" $ARGS "$L" "$O1" "$O2" > "$T/plain.out" 2> "$T/plain.err" ||
	fail "plain run: $(cat "$T/plain.out")"
grep -qx "1000 unloads" "$T/plain.out" || fail "plain run: $(cat "$T/plain.out")"

for run in 1 2 3; do
	copy_small "$H/libdl_dtor.so" "$L"
	copy_small "$H/libdl_big4.so" "$O1"
	copy_small "$H/libdl_big4.so" "$O2"
	rm -f "$T/r.json"
	set +e
	timeout 120 "$HT" -r "$T/r.json" "$H/dl_unload" $ARGS "$L" "$O1" "$O2" \
		> "$T/ht.out" 2> "$T/ht.err"
	st=$?
	set -e
	[ $st -eq 0 ] && cmp -s "$T/plain.out" "$T/ht.out" ||
		fail "run $run under hugetext: status $st: $(cat "$T/ht.out")"
	# hugetext had work to do on it: passes over it were reported.
	seen=$(grep '"trigger":"dlopen"' "$T/r.json" |
		grep -cF "{\"path\":\"$L\"" || true)
	[ "$seen" -gt 0 ] ||
		fail "run $run: no dlopen report names $L: hugetext never looked at it"
	ok "run $run: 1000 unloads, each destructor inside its dlclose" \
		"($seen passes over it; $(tail -n 1 "$T/ht.err" |
		sed 's/^dl_unload: //'))"
done
