#!/bin/sh
# dlopen search paths are the caller's, under hugetext as plainly.  ld.so
# picks DT_RUNPATH, DT_RPATH and $ORIGIN from the object that calls
# dlopen; a dlopen wrapper in the process makes itself that caller (so:
# "cannot open shared object file"), even with HUGETEXT_DISABLE=1 or
# --no-dlopen, since the symbols are exported regardless.  Cases:
#   name    program with RUNPATH $ORIGIN/lib: dlopen("libdl_plug.so")
#   origin  the same program: dlopen("$ORIGIN/lib/libdl_plug.so")
#   lib     a NEEDED library whose RUNPATH names its plugin directory
#           dlopens "libdl_plugin2.so" from its own code
#   rpath   a dlopened plugin linked with DT_RPATH dlopens its own plugin
#   dl_rpath name: the program itself linked with DT_RPATH
# Each: output and exit status identical to a plain run, under hugetext,
# hugetext with HUGETEXT_DISABLE=1, hugetext --no-dlopen and
# LD_PRELOAD=libhugetext.so.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

H=$B/tests/harm/progs
# The layout the programs expect: bin/, bin/lib/, two plugin dirs.
mkdir -p "$T/bin/lib/plugins" "$T/bin/lib/rplugins"
cp "$H/dl_runpath" "$H/dl_rpath" "$T/bin/"
cp "$H/libdl_plug.so" "$H/libdl_mid.so" "$H/libdl_rmid.so" "$T/bin/lib/"
cp "$H/libdl_plugin2.so" "$T/bin/lib/plugins/"
cp "$H/libdl_plugin2.so" "$T/bin/lib/rplugins/"

readelf -d "$T/bin/dl_runpath" | grep -q '(RUNPATH).*\$ORIGIN/lib' ||
	fail "dl_runpath has no DT_RUNPATH \$ORIGIN/lib"
readelf -d "$T/bin/dl_rpath" | grep -q '(RPATH).*\$ORIGIN/lib' ||
	fail "dl_rpath has no DT_RPATH \$ORIGIN/lib"
readelf -d "$T/bin/lib/libdl_rmid.so" | grep -q '(RPATH)' ||
	fail "libdl_rmid.so has no DT_RPATH"

# run NAME CMD...: CMD's stdout and exit status in $T/NAME.out.
run() {
	name=$1
	shift
	set +e
	"$@" > "$T/$name.out" 2> "$T/$name.err"
	echo "status $?" >> "$T/$name.out"
	set -e
}

# check WANT PROG ARGS...: the plain run prints WANT and exits 0; every
# form of hugetext gives the same output and status.
check() {
	want=$1
	prog=$T/bin/$2
	shift 2
	what="$(basename "$prog") $1"
	printf '%s\nstatus 0\n' "$want" > "$T/want.out"
	run plain "$prog" "$@"
	cmp -s "$T/want.out" "$T/plain.out" ||
		fail "$what: the plain run itself fails: $(cat "$T/plain.out")"
	run ht "$HT" "$prog" "$@"
	run off env HUGETEXT_DISABLE=1 "$HT" "$prog" "$@"
	run nodl "$HT" --no-dlopen "$prog" "$@"
	run pre env LD_PRELOAD="$LIB" "$prog" "$@"
	was=$bad
	for v in ht off nodl pre; do
		checks=$((checks + 1))
		cmp -s "$T/plain.out" "$T/$v.out" && continue
		case $v in
		ht) how="hugetext" ;;
		off) how="HUGETEXT_DISABLE=1 hugetext" ;;
		nodl) how="hugetext --no-dlopen" ;;
		pre) how="LD_PRELOAD=libhugetext.so" ;;
		esac
		echo "FAIL: $what under $how:" \
			"'$(tr '\n' ' ' < "$T/$v.out")'," \
			"plainly '$(tr '\n' ' ' < "$T/plain.out")'"
		bad=$((bad + 1))
	done
	[ $bad -ne $was ] ||
		ok "$what: '$want', the same under every form of hugetext"
}
bad=0
checks=0

check "name: value 4242" dl_runpath name
check "origin: value 4242" dl_runpath origin
check "lib: value 2323" dl_runpath lib
check "rpath: value 2323" dl_runpath rpath "$T/bin/lib/libdl_rmid.so"
check "name: value 4242" dl_rpath name
check "rpath: value 2323" dl_rpath rpath "$T/bin/lib/libdl_rmid.so"

# The cause: a library that defines dlopen or dlmopen is every
# program's dlopen.
defs=$(nm -D --defined-only "$LIB" |
	awk '$3 ~ /^(dlopen|dlmopen)(@|$)/ { print $3 }')
checks=$((checks + 1))
if [ -n "$defs" ]; then
	echo "FAIL: libhugetext.so defines $(echo $defs)"
	bad=$((bad + 1))
else
	ok "libhugetext.so defines neither dlopen nor dlmopen"
fi
[ $bad -eq 0 ] || fail "$bad of $checks checks"
