#!/bin/sh
# The report path must not be followed through a symlink (root running
# `hugetext -r /tmp/x.json` must not append to whatever a user linked
# there): the link's target keeps its size and content, a dangling
# link's target is not created, and -v says the report could not be
# written.  A regular file at the same place does get the report.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
P=$T/out_prog
L=$T/libbig.so

fresh() {
	copy_small "$B/tests/harm/progs/out_prog" "$P"
	copy_small "$PROGS/libbig.so" "$L"
}

fresh
"$P" -d "$L" -x 7 > "$T/plain.out" && st=0 || st=$?
[ "$st" -eq 7 ] || fail "plain run: status $st"

printf 'the attacker wants this file to grow\n' > "$T/target"
cp "$T/target" "$T/target.orig"
size=$(wc -c < "$T/target")
ln -s "$T/target" "$T/report.json"
ln -s "$T/created-by-hugetext" "$T/dangling.json"

for link in report.json dangling.json; do
	fresh
	"$HT" -v -r "$T/$link" "$P" -d "$L" -x 7 > "$T/ht.out" 2> "$T/ht.err" &&
		st=0 || st=$?
	[ "$st" -eq 7 ] || fail "-r symlink ($link): status $st, plainly 7"
	cmp -s "$T/plain.out" "$T/ht.out" || fail "-r symlink ($link): stdout differs"
	[ -L "$T/$link" ] || fail "$link is no longer a symlink"
	[ "$(wc -c < "$T/target")" -eq "$size" ] ||
		fail "-r $link: the symlink's target grew from $size to $(wc -c < "$T/target") bytes"
	cmp -s "$T/target" "$T/target.orig" || fail "-r $link: the symlink's target changed"
	[ ! -e "$T/created-by-hugetext" ] ||
		fail "-r $link: a dangling symlink's target was created"
	grep -q "cannot write report" "$T/ht.err" ||
		fail "-v -r symlink ($link): the refused report is not" \
			"reported: $(grep -v ': /' "$T/ht.err")"
done
ok "-r through a symlink: target unchanged, nothing created;" \
	"$(grep "cannot write report" "$T/ht.err" | head -n 1)"

fresh
HUGETEXT_REPORT=$T/report.json "$HT" "$P" -d "$L" -x 7 > "$T/ht.out" &&
	st=0 || st=$?
[ "$st" -eq 7 ] || fail "HUGETEXT_REPORT=symlink: status $st"
cmp -s "$T/target" "$T/target.orig" || fail "HUGETEXT_REPORT=symlink: the target changed"
ok "HUGETEXT_REPORT through a symlink: target unchanged"

# a regular file is written: the report is there, the refusal is not blanket
fresh
"$HT" -r "$T/real.json" "$P" -d "$L" -x 7 > "$T/ht.out" && st=0 || st=$?
[ "$st" -eq 7 ] || fail "-r regular file: status $st"
grep -q '"trigger":"start"' "$T/real.json" ||
	fail "-r regular file: no start-up report: $(cat "$T/real.json" 2>&1)"
ok "-r regular file: the report is written"
