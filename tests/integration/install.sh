#!/bin/sh
# make install: hugetext in $(bindir), libhugetext.so in $(pkglibdir),
# the man page, LICENSE and README in $(docdir); the installed launcher
# preloads the installed library (and the build tree's launcher its
# own, checked in launcher.sh); make uninstall leaves nothing behind.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

if [ -f "$HT_SRCDIR/config.status" ]; then
	# An in-tree build (Debian's dh): the source cannot be configured a
	# second time elsewhere, so the tree under test is installed into a
	# DESTDIR at its configured prefix.  Its launcher must look for the
	# library in pkglibdir, not in the build tree it was made in.
	# (make may say where it enters even so: the paths' line alone.)
	vars=$(printf 'ht-vars:\n\t@echo "=$(prefix) $(bindir) %s"\n' \
		'$(pkglibdir) $(systemdsystemunitdir)' |
		make -s --no-print-directory -C "$HT_BUILDDIR" -f Makefile \
		-f - ht-vars 2> /dev/null | sed -n 's/^=//p')
	[ -n "$vars" ] || fail "cannot read the build tree's paths"
	set -- $vars
	prefix=$1 bindir=$2 pkglibdir=$3 unitdir=$4
	D=$T/dest
	make -s -C "$HT_BUILDDIR" install DESTDIR="$D" \
		> "$T/install.log" 2>&1 ||
		fail "make install: $(tail -n 5 "$T/install.log")"
	[ -x "$D$bindir/hugetext" ] || fail "no $D$bindir/hugetext"
	[ -f "$D$pkglibdir/libhugetext.so" ] || fail "no installed library"
	[ ! -e "$D$pkglibdir/libhugetext.la" ] || fail ".la installed"
	[ -f "$D$unitdir/hugetext-prime@.service" ] || fail "no units"
	if [ ! -e "$pkglibdir/libhugetext.so" ]; then
		out=$(HUGETEXT_LIBRARY= "$D$bindir/hugetext" true 2>&1) &&
			fail "installed launcher ran without its library"
		case $out in
		*"library $pkglibdir/libhugetext.so not found"*) ;;
		*) fail "installed launcher: '$out'" ;;
		esac
		ok "installed launcher looks for $pkglibdir/libhugetext.so"
	fi
	grep -qxF "ExecStart=$bindir/hugetext prime %f" \
		"$D$unitdir/hugetext-prime@.service" ||
		fail "hugetext-prime@.service does not name $bindir/hugetext"
	ok "in-tree build installed into DESTDIR at $prefix"
	exit 0
fi

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

# The licence and README in docdir; uninstall takes every file away and
# hugetext's own directories with them.
for f in LICENSE README.md; do
	[ -f "$T/inst/share/doc/hugetext/$f" ] || fail "no $f in docdir"
done
ok "LICENSE and README.md in share/doc/hugetext"
make -s -C "$T/build" uninstall > "$T/uninstall.log" 2>&1 ||
	fail "make uninstall: $(tail -n 5 "$T/uninstall.log")"
left=$(find "$T/inst" ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"
for d in lib/hugetext share/doc/hugetext; do
	[ ! -e "$T/inst/$d" ] || fail "make uninstall left $d"
done
ok "make uninstall removes every file and hugetext's directories"
