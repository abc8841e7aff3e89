#!/bin/sh
# What says "no": nothing to do, disabled, a bad setting, THP disabled
# for the process by prctl.  The program always runs unchanged.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

out=$(LD_PRELOAD=$LIB /bin/echo hello 2>&1)
[ "$out" = hello ] || fail "preloaded echo printed '$out'"
ok "nothing eligible: silent, unchanged"

P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"
"$P" > "$T/plain.out"

HUGETEXT_DISABLE=1 "$HT" -v "$P" -s "$T/d.smaps" > "$T/d.out" 2> "$T/d.err"
[ "$(pmd_kb "$T/d.smaps" "$P")" -eq 0 ] || fail "HUGETEXT_DISABLE ignored"
[ ! -s "$T/d.err" ] || fail "disabled library printed: $(cat "$T/d.err")"
ok "HUGETEXT_DISABLE=1 does nothing"

HUGETEXT_STRATEGY=fast HUGETEXT_VERBOSE=1 LD_PRELOAD=$LIB \
	"$P" -s "$T/b.smaps" > "$T/b.out" 2> "$T/b.err"
[ "$(pmd_kb "$T/b.smaps" "$P")" -eq 0 ] || fail "bad strategy acted"
grep -q 'HUGETEXT_STRATEGY=fast is not valid' "$T/b.err" ||
	fail "bad setting not reported: $(cat "$T/b.err")"
cmp -s "$T/plain.out" "$T/b.out" || fail "output differs"
ok "a bad setting: reported when verbose, nothing done"

# prctl(PR_SET_THP_DISABLE) is inherited across exec; respect it.
if command -v perl > /dev/null; then
	perl -e 'syscall(157, 41, 1, 0, 0, 0) == 0 or die "prctl: $!";
		exec @ARGV or die' "$HT" -r "$T/p.json" "$P" \
		-s "$T/p.smaps" > "$T/p.out"
	[ "$(pmd_kb "$T/p.smaps" "$P")" -eq 0 ] || fail "prctl ignored"
	grep -q '"reason":"thp-disabled-prctl"' "$T/p.json" ||
		fail "prctl reason missing: $(cat "$T/p.json")"
	cmp -s "$T/plain.out" "$T/p.out" || fail "output differs"
	ok "PR_SET_THP_DISABLE respected"
else
	echo "note: perl missing, prctl case not run"
fi

# Text relocations: the object is left alone.
if [ -x "$PROGS/textrel" ]; then
	"$PROGS/textrel" > "$T/tr.plain"
	"$HT" -r "$T/tr.json" "$PROGS/textrel" > "$T/tr.out"
	cmp -s "$T/tr.plain" "$T/tr.out" || fail "textrel output differs"
	grep -q '"reason":"textrel"' "$T/tr.json" ||
		fail "textrel not reported: $(cat "$T/tr.json")"
	ok "text relocations: left alone, reported"
fi

# A private copy of a text page (a debugger's breakpoint, a patcher):
# the range is left alone, and the program runs unchanged.
"$PROGS/poked" -s "$T/k.plain.smaps" > "$T/k.plain"
grep -A 20 "$PROGS/poked\$" "$T/k.plain.smaps" | grep -q '^Anonymous: *[1-9]' ||
	fail "libpoke left no private page in the text"
# In the preload form the pass runs after libpoke's constructor wrote.
env LD_PRELOAD="$LIB" HUGETEXT_REPORT="$T/k.json" "$PROGS/poked" \
	-s "$T/k.smaps" > "$T/k.out"
cmp -s "$T/k.plain" "$T/k.out" || fail "poked output differs"
grep -q '"reason":"private-pages"' "$T/k.json" ||
	fail "private pages not reported: $(cat "$T/k.json")"
grep -A 20 "$PROGS/poked\$" "$T/k.smaps" | grep -q '^Anonymous: *[1-9]' ||
	fail "the private page is gone"
# The launcher's audit pass runs before any constructor: the text is
# made huge first, and libpoke's write still lands (its COW copy).
"$HT" -r "$T/k2.json" "$PROGS/poked" -s "$T/k2.smaps" > "$T/k2.out"
cmp -s "$T/k.plain" "$T/k2.out" || fail "poked output differs (audit)"
grep -A 20 "$PROGS/poked\$" "$T/k2.smaps" | grep -q '^Anonymous: *[1-9]' ||
	fail "the private page is gone (audit)"
ok "a range holding private pages: left alone, reported; a later write lands"

# Light: the library needs no libc (its own runtime, src/preload/rt.c:
# as an audit module it would be a second glibc in every program), only
# ld.so, and exports only the rtld-audit entry points (nothing a
# program's symbol could bind to).  tests/sanitize.sh: the sanitized
# library is built on glibc and needs the ASan runtime.
san='^$'
want="ld-linux-x86-64.so.2 "
if [ -n "${HT_SANITIZE:-}" ]; then
	san='^(libasan\.so\.[0-9]+|libm\.so\.6|libgcc_s\.so\.1)$'
	want="ld-linux-x86-64.so.2 libc.so.6 "
fi
deps=$(readelf -d "$LIB" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
	grep -v -E "$san" | sort | tr '\n' ' ')
[ "$deps" = "$want" ] || fail "libhugetext.so needs: $deps"
syms=$(nm -D --defined-only "$LIB" | awk '{ print $3 }' | sort | tr '\n' ' ')
[ "$syms" = "la_activity la_objclose la_objopen la_version " ] ||
	fail "libhugetext.so exports: $syms"
ok "library needs only ld.so and exports only la_activity/objclose/objopen/version"

# And in a running program: one libc mapped, the program's own, under
# the launcher (audit namespace) and preloaded alike.
if [ -z "${HT_SANITIZE:-}" ]; then
	"$HT" "$PROGS/bigtext" -s "$T/l1.smaps" > /dev/null
	LD_PRELOAD=$LIB "$PROGS/bigtext" -s "$T/l2.smaps" > /dev/null
	for f in "$T/l1.smaps" "$T/l2.smaps"; do
		n=$(grep -c -E '^[0-9a-f]+-[0-9a-f]+ r..p 00000000 .*/libc\.so\.6$' "$f")
		[ "$n" -eq 1 ] || fail "libc.so.6 mapped $n times ($f)"
		grep -q -E ' .*/libhugetext\.so$' "$f" ||
			fail "the library is not in $f: the check saw nothing"
	done
	ok "one libc in the process, with the library loaded"
fi
