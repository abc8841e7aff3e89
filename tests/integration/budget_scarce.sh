#!/bin/sh
# The pass's time budget where huge pages are scarce: in a memory cgroup
# (v1 or v2) of 40 MiB for 48 MiB of text, every 2 MiB folio read costs
# reclaim in the cgroup.  A 10 ms budget stops the pass within about one
# chunk of it, the default bounds it, and the program runs as plainly.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"
"$P" > "$T/plain.out"

# usec_of REPORT: the pass's time, from the last JSON line.
usec_of() {
	tail -n 1 "$1" | sed -n 's/^{[^{]*"usec":\([0-9]*\).*/\1/p'
}

# Scarce huge pages: a memory cgroup (v1 or v2) of 40 MiB for 48 MiB of
# text, so that every folio read means reclaim in the cgroup.
cg=
if [ -w /sys/fs/cgroup/memory ]; then
	cg=$(mktemp -d /sys/fs/cgroup/memory/hugetext-test.XXXXXX) &&
		echo $((40 * MIB)) > "$cg/memory.limit_in_bytes" || cg=
	join=$cg/tasks
elif [ -w /sys/fs/cgroup/cgroup.subtree_control ] &&
	grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
	cg=$(mktemp -d /sys/fs/cgroup/hugetext-test.XXXXXX) &&
		echo $((40 * MIB)) > "$cg/memory.max" || cg=
	join=$cg/cgroup.procs
fi
[ -n "$cg" ] || skip "no memory cgroup to make huge pages scarce in (root, cgroup v1 or v2)"
trap 'rm -rf "$T"; rmdir "$cg" 2>/dev/null' EXIT
in_cg() {
	sh -c 'echo $$ > "$1"; shift; exec "$@"' sh "$join" "$@"
}
copy_small "$PROGS/bigtext" "$P"
in_cg "$HT" --budget=10 -r "$T/cg.json" "$P" > "$T/cg.out" ||
	fail "status $? in the cgroup"
cmp -s "$T/plain.out" "$T/cg.out" || fail "output differs in the cgroup"
u=$(usec_of "$T/cg.json")
[ -n "$u" ] && [ "$u" -le 60000 ] || fail "10 ms budget under pressure: $u us"
copy_small "$PROGS/bigtext" "$P"
in_cg "$HT" -r "$T/cgd.json" "$P" > "$T/cgd.out" ||
	fail "status $? in the cgroup (default budget)"
cmp -s "$T/plain.out" "$T/cgd.out" || fail "output differs (default budget)"
d=$(usec_of "$T/cgd.json")
# the default: 500 ms + 4 ms per MiB of eligible text (48 here)
[ -n "$d" ] && [ "$d" -le 742000 ] || fail "default budget: $d us"
ok "scarce huge pages: 10 ms budget stopped after $u us; default $d us; output unchanged"
