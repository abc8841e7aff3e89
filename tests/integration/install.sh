#!/bin/sh
# make install: hugetext in $(bindir), libhugetext.so in $(pkglibdir),
# the man page; the installed launcher preloads the installed library
# (and the build tree's launcher its own, checked in launcher.sh).
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

mkdir "$T/build"
cd "$T/build"
"$HT_SRCDIR/configure" -q --prefix="$T/inst" > "$T/configure.log" 2>&1 ||
	fail "configure: $(tail -n 5 "$T/configure.log")"
make -s -j2 install > "$T/install.log" 2>&1 ||
	fail "make install: $(tail -n 5 "$T/install.log")"
cd "$T"
[ -x "$T/inst/bin/hugetext" ] || fail "no $T/inst/bin/hugetext"
[ -f "$T/inst/lib/hugetext/libhugetext.so" ] || fail "no installed library"
[ ! -e "$T/inst/lib/hugetext/libhugetext.la" ] || fail ".la installed"
[ -f "$T/inst/share/man/man1/hugetext.1" ] || fail "no man page"
got=$("$T/inst/bin/hugetext" sh -c 'echo "$LD_AUDIT"')
[ "$got" = "$T/inst/lib/hugetext/libhugetext.so" ] ||
	fail "installed launcher loads '$got'"
ok "installed launcher loads the installed library"

# The units, with the installed paths filled in.
u=$T/inst/lib/systemd/system
grep -qxF "ExecStart=$T/inst/bin/hugetext prime %f" \
	"$u/hugetext-prime@.service" 2>/dev/null ||
	fail "no hugetext-prime@.service naming $T/inst/bin/hugetext in $u"
grep -qxF "Environment=LD_AUDIT=$T/inst/lib/hugetext/libhugetext.so" \
	"$u/hugetext-example.service" 2>/dev/null ||
	fail "no hugetext-example.service naming the installed library in $u"
ok "units installed in $u with the installed paths"
