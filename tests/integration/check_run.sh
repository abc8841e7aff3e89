#!/bin/sh
# check --run: a program's dlopen()ed libraries, which --deps cannot
# see, learnt from one dry run of it (nothing made huge), with the
# verdict a real run under hugetext then bears out in its own smaps.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
# Our own TMPDIR: --run's report file goes there, and must not stay.
mkdir "$T/tmp"
TMPDIR=$T/tmp
export TMPDIR

L=$T/libbig.so
copy_small "$PROGS/libbig.so" "$L"
D=$PROGS/dlopener
"$D" "$L" > "$T/plain.out"

# status WANT CMD...: run CMD, check its exit status (WANT: a|b).
status() {
	want=$1
	shift
	set +e
	"$@" > "$T/out" 2> "$T/err"
	got=$?
	set -e
	case "|$want|" in
	*"|$got|"*) ;;
	*) fail "'$*' exited $got, want $want: $(cat "$T/err")" ;;
	esac
}

status "0|1" "$HT" check --deps "$D"
grep -qF "$L" "$T/out" && fail "--deps lists the dlopen()ed $L"
ok "--deps does not see $L"

# The run: its output on our stderr, nothing made huge.
status "0|1" "$HT" check --run -- "$D" -s "$T/dry.smaps" "$L"
grep -q "^$L: shared object dlopened by $D, p_align 2 MiB, text 16.0 MiB, eligible 16.0 MiB: eligible\$" \
	"$T/out" || fail "--run: no eligible line for $L: $(cat "$T/out")"
grep -q "^$D: " "$T/out" || fail "--run: the program itself not checked"
[ "$(grep -c '^/.*libc\.so\.6: shared object needed by ' "$T/out")" -eq 1 ] ||
	fail "--run: libc not listed once: $(cat "$T/out")"
grep -qF "$(cat "$T/plain.out")" "$T/err" ||
	fail "--run: the program's output is not on stderr: $(cat "$T/err")"
grep -q checksum "$T/out" && fail "--run: the program's output on stdout"
[ "$(pmd_kb "$T/dry.smaps" "$L")" -eq 0 ] || fail "--run made $L huge"
ok "--run lists $L (dlopened, eligible), nothing made huge"

# --json: the same verdicts, and what the run was.
status "0|1" "$HT" check --json --run "$D" "$L"
if command -v python3 > /dev/null; then
	python3 - "$T/out" "$L" "$D" > "$T/want" <<'EOF' || fail "--json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["run"]["program"] == sys.argv[3], d["run"]
assert d["run"]["exit_status"] == 0 and d["run"]["programs"] == 1, d["run"]
f = [x for x in d["files"] if x["path"] == sys.argv[2]]
assert len(f) == 1, d["files"]
assert f[0]["dlopened_by"] == sys.argv[3] and f[0]["needed_by"] is None
assert f[0]["verdict"] == "eligible", f[0]
for x in d["files"]:
	print(x["path"], x["verdict"], x["eligible_bytes"] // 1024)
EOF
else
	json_objects "$T/out" > /dev/null
	grep -qF "\"dlopened_by\":\"$D\"" "$T/out" || fail "--json: no dlopened_by"
	echo "$L eligible $(eligible_kb "$L")" > "$T/want"
fi
ok "--json: $L dlopened by $D, eligible"

# A real run: every object as huge as --run's verdict said, no more.
copy_small "$PROGS/libbig.so" "$L"
"$HT" "$D" -s "$T/ht.smaps" "$L" > "$T/ht.out"
cmp -s "$T/plain.out" "$T/ht.out" || fail "output differs under hugetext"
while read -r path verdict kb; do
	got=$(pmd_kb "$T/ht.smaps" "$path")
	if [ "$verdict" = eligible ]; then
		at_least "$got" "$kb" 99 "$path, predicted eligible by --run"
	else
		[ "$got" -le "$kb" ] ||
			fail "$path: $got kB huge, --run said $verdict ($kb kB)"
	fi
done < "$T/want"
grep -q "^$L " "$T/want" || fail "$L not in the verdicts"
ok "a real run bears out each verdict of --run"

# A name the report must escape comes back as it is.
Q=$T/'lib "q" \\ é.so'
cp "$L" "$Q"
status "0|1" "$HT" check --run "$D" "$Q"
grep -qF "$Q: shared object dlopened by $D," "$T/out" ||
	fail "--run: $Q not found back: $(cat "$T/out")"
ok "--run: an odd file name read back from the report"

# Children are followed, as the launcher's library is inherited.
status "0|1" "$HT" check --run sh -c "'$D' '$L' > /dev/null; exit 0"
grep -q "^$L: shared object dlopened by $D," "$T/out" ||
	fail "--run: a child's dlopen not seen: $(cat "$T/out")"
grep -q "^/.*/dash: \|^/.*/sh: \|^/.*/bash: " "$T/out" ||
	fail "--run: the shell not checked: $(cat "$T/out")"
ok "--run follows the programs PROGRAM starts"

# PROGRAM's options are its own; its failure is noted, not passed on.
status "0|1" "$HT" check --run sh -c 'echo "$1"; exit 3' x --json
grep -q '^{' "$T/out" && fail "--json after PROGRAM taken by check"
grep -q -- '^--json$' "$T/err" || fail "PROGRAM's argument lost: $(cat "$T/err")"
grep -q "note: .*exited with status 3" "$T/err" ||
	fail "exit status 3 not noted: $(cat "$T/err")"
ok "options after PROGRAM are PROGRAM's; its status 3 is noted"

# Usage errors in the one form; a program that cannot start: status 2.
for args in "--run" "--run --" "--run --deps $D" "--json --run"; do
	# shellcheck disable=SC2086
	status 2 "$HT" check $args
	[ "$(wc -l < "$T/err")" -eq 1 ] || fail "check $args: $(cat "$T/err")"
	grep -q "^hugetext check: .*(try 'hugetext check --help')\$" "$T/err" ||
		fail "check $args: $(cat "$T/err")"
done
status 2 "$HT" check --run "$T/no-such-program"
grep -q "^hugetext check: cannot run '$T/no-such-program': No such file or directory\$" \
	"$T/err" || fail "missing program: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "missing program: printed $(cat "$T/out")"
ok "usage errors in one line; a program that cannot start is status 2"
[ -z "$(ls "$T/tmp")" ] || fail "left behind in TMPDIR: $(ls "$T/tmp")"
ok "no report file left behind"
