#!/bin/sh
# hugetext needs no privilege: as user nobody, both a file nobody owns
# and a root-owned, read-only file go onto huge pages.
. "$HT_SRCDIR/tests/integration/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "not root: cannot switch to user nobody"
command -v setpriv > /dev/null || skip "setpriv (util-linux) missing"
id nobody > /dev/null 2>&1 || skip "no user nobody"

# Somewhere nobody can reach: the build tree may be under /root.
U=$(mktemp -d /var/tmp/hugetext-unpriv.XXXXXX)
trap 'rm -rf "$U"' EXIT
chmod 755 "$U"
cp "$HT" "$U/hugetext"
cp "$LIB" "$U/libhugetext.so"
copy_small "$PROGS/bigtext" "$U/root-owned"
chmod 755 "$U/root-owned"
copy_small "$PROGS/bigtext" "$U/nobody-owned"
chown nobody "$U/nobody-owned"
mkdir "$U/out"
chown nobody "$U/out"
"$U/root-owned" > "$U/plain.out"

as_nobody() {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		--inh-caps=-all env HUGETEXT_LIBRARY="$U/libhugetext.so" "$@"
}

for f in nobody-owned root-owned; do
	as_nobody "$U/hugetext" -r "$U/out/$f.json" "$U/$f" \
		-s "$U/out/$f.smaps" > "$U/out/$f.out" ||
		fail "$f: run as nobody failed"
	cmp -s "$U/plain.out" "$U/out/$f.out" || fail "$f: output differs"
	at_least "$(pmd_kb "$U/out/$f.smaps" "$U/$f")" \
		"$(eligible_kb "$U/$f")" 99 "as nobody, $f"
done
