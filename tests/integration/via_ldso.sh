#!/bin/sh
# hugetext --via-ldso: a PIE with 4 KiB p_align, which the kernel loads
# at a random 4 KiB-aligned base (incongruent: nothing for the page
# cache), is started as "ld.so --argv0 PROG PATH ARGS"; ld.so maps it
# with mmap(NULL), which ext4 places 2 MiB-aligned, so its text becomes
# congruent and the shared page-cache route makes it huge.  Output and
# exit status as a plain run; argv[0] as given; /proc/self/exe names
# the loader (the documented cost); the report names the program.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

P=$T/pie4k
pie4k "$P"
want=$(eligible_kb "$P")	# at a 2 MiB-aligned base
set +e
"$P" -x 7 > "$T/plain.out"
st=$?
set -e
[ "$st" -eq 7 ] || fail "plain run: exit status $st, want 7"

# Without it: incongruent, nothing PMD-mapped (the random base is
# congruent in 1 start of 512: try once more then).
for i in 1 2; do
	"$HT" "$P" -s "$T/a.smaps" > /dev/null
	got=$(pmd_kb "$T/a.smaps" "$P")
	[ "$got" -eq 0 ] && break
done
[ "$got" -eq 0 ] || fail "plain hugetext: $got kB PMD-mapped, want 0"
ok "without --via-ldso: 0 kB PMD-mapped"

set +e
"$HT" --via-ldso -r "$T/l.json" "$P" -x 7 -s "$T/l.smaps" > "$T/l.out"
st=$?
set -e
[ "$st" -eq 7 ] || fail "--via-ldso: exit status $st, want 7"
cmp -s "$T/plain.out" "$T/l.out" || fail "output differs under --via-ldso"
base=$(awk -v p="$P" '$6 == p && $2 ~ /x/ { split($1, a, "-");
	print a[1], $3; exit }' "$T/l.smaps")
set -- $base
[ $(((0x$1 - 0x$2) % 2097152)) -eq 0 ] ||
	fail "--via-ldso: text at $1 (offset $2) is not 2 MiB-congruent"
got=$(pmd_kb "$T/l.smaps" "$P")
at_least "$got" "$want" 99 "--via-ldso"
# check said so before: its via_ldso verdict and bytes are what came.
"$HT" check --json "$P" > "$T/check.json" || true
grep -q '"via_ldso":{"verdict":"yes","eligible_bytes":'$((got * 1024))',' \
	"$T/check.json" ||
	fail "check's via_ldso prediction differs from $got kB: $(cat "$T/check.json")"
"$HT" check "$P" | grep -q "via ld.so (--via-ldso): $((got / 1024)).0 MiB$" ||
	fail "check's routes line: $("$HT" check "$P")"
ok "check predicted $got kB through ld.so"
json_objects "$T/l.json" | grep -qF "{\"path\":\"$P\"" ||
	fail "report does not name the program: $(cat "$T/l.json")"

# A program with nothing eligible is named too, by its mapping (here
# /proc/self/exe would name the loader).
"$HT" --via-ldso -r "$T/t.json" /bin/true
first=$(json_field "$(json_objects "$T/t.json" | head -n 1)" path)
[ "$first" = "$(readlink -f /bin/true)" ] ||
	fail "report names the main program $first: $(cat "$T/t.json")"

# Found on PATH too (ld.so searches none: the launcher passes a path).
PATH=$T:$PATH "$HT" --via-ldso pie4k > "$T/p.out"
cmp -s "$T/plain.out" "$T/p.out" || fail "output differs from PATH"

# argv[0] is what was given; /proc/self/exe is the loader.
[ "$("$HT" --via-ldso sh -c 'echo $0')" = sh ] || fail "argv[0] changed"
exe=$("$HT" --via-ldso sh -c 'readlink -f /proc/$$/exe')
interp=$(readelf -lW "$(command -v sh)" |
	sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[ "$exe" = "$(readlink -f "$interp")" ] ||
	fail "/proc/self/exe is $exe, want the loader $interp"
comm=$("$HT" --via-ldso sh -c 'cat /proc/$$/comm')
[ "$comm" = "$(basename "$interp" | cut -c 1-15)" ] ||
	fail "process name $comm, want the loader's (as documented)"
ok "/proc/self/exe and the process name ($comm) are the loader's under --via-ldso, as documented"

# Where it cannot apply, the program runs as it is, with a line under -v.
"$HT" -v --via-ldso "$PROGS/bigtext-static" > "$T/s.out" 2> "$T/s.err"
grep -q "via-ldso.*run as it is" "$T/s.err" ||
	fail "static program: no note: $(cat "$T/s.err")"
set +e
"$HT" --via-ldso --pid $$ > /dev/null 2>&1
st=$?
set -e
[ "$st" -eq 125 ] || fail "--via-ldso --pid: exit $st, want 125"
ok "--via-ldso falls back for a static program, refused with --pid"
