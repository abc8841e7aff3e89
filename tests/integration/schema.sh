#!/bin/sh
# Every JSON document hugetext writes, from real runs, held against the
# one schema in the repository (docs/report.schema.json) by
# tests/schema/validate: -r, status PID --json, status --all --json,
# check --json, check --run --json, prime --json.  The header's facts
# against /proc and the clock: time, pid, comm, argv0, unit; a report's
# huge bytes against the program's own smaps.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

V=$B/tests/schema/validate
SCHEMA=$HT_SRCDIR/docs/report.schema.json
[ -x "$V" ] || fail "no validator: $V"
# The validator keeps what it parsed until it exits: no leak checks of
# it (under tests/sanitize.sh), only of hugetext.
validator() {
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$V" "$@"
}

# valid DEF FILE: every line of FILE is a valid DEF document.
valid() {
	validator "$SCHEMA" "$1" "$2" 2> "$T/valid.err" ||
		fail "$1: $2 is not valid: $(cat "$T/valid.err")
$(cut -c 1-400 "$2")"
}

# The validator must be able to say no: a renamed field, a later schema.
"$HT" prime --json /dev/null/none > "$T/err.json" 2> /dev/null || :
valid prime "$T/err.json"
sed 's/"pid":/"pid_":/' "$T/err.json" > "$T/bad.json"
! validator "$SCHEMA" prime "$T/bad.json" 2> /dev/null ||
	fail "the validator took a renamed field"
sed 's/"schema":1/"schema":2/' "$T/err.json" > "$T/bad.json"
! validator "$SCHEMA" prime "$T/bad.json" 2> /dev/null ||
	fail "the validator took schema 2"
ok "the validator rejects a renamed field and another schema"

P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"

# A cgroup of its own, named as a unit, where one can be made.
CG=
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -n "$cg2" ] && [ -w "$cg2" ]; then
	CG=$(mktemp -d "$cg2/hugetext-schema.XXXXXX.scope" 2> /dev/null) ||
		CG=
fi
trap '[ -z "$CG" ] || rmdir "$CG" 2> /dev/null; rm -rf "$T"' EXIT
# Ours (hugetext run from here inherits it), as /proc/self/cgroup has it.
self_unit=$(sed -n 's|^0::||p' /proc/$$/cgroup | tr / '\n' |
	grep -E '.\.(service|scope)$' | tail -n 1)
self_unit=${self_unit:-null}
unit=$self_unit
[ -z "$CG" ] || unit=${CG##*/}

# header DOC LINE PID COMM ARGV0 UNIT: the header's facts (PID "any":
# a process gone since, hugetext itself).
header() {
	# Up to the first "unit": json_field takes a key's last value.
	h=$(printf '%s\n' "$2" | sed -n 's/\("unit":[^,]*\),.*/\1/p')
	[ "$3" != any ] || set -- "$1" "$2" "$(json_field "$h" pid)" "$4" \
		"$5" "$6"
	[ "$3" -gt 0 ] 2> /dev/null || fail "$1: pid '$3'"
	for kv in "pid=$3" "comm=$4" "argv0=$5" "unit=$6"; do
		got=$(json_field "$h" "${kv%%=*}")
		[ "$got" = "${kv#*=}" ] ||
			fail "$1: ${kv%%=*} is '$got', want '${kv#*=}'"
	done
	t=$(json_field "$h" time)
	s=$(date -u -d "$t" +%s) || fail "$1: time '$t' does not parse"
	[ "$s" -ge "$BEFORE" ] && [ "$s" -le "$(date -u +%s)" ] ||
		fail "$1: time $t is not now"
}

# -r: the library's line, from inside the program, in its unit.
BEFORE=$(date -u +%s)
sh -c '[ -z "$1" ] || echo $$ > "$1/cgroup.procs"; shift; exec "$@"' \
	sh "$CG" "$HT" -r "$T/r.json" "$P" > /dev/null
valid report "$T/r.json"
[ "$(wc -l < "$T/r.json")" -eq 1 ] || fail "-r: not one line"
line=$(head -n 1 "$T/r.json")
header "-r" "$line" any bigtext "$P" "$unit"
ok "-r: valid; comm, argv0, unit ($unit) and time are the program's"

# status PID and status --all of a running program, in the same unit.
start_looping "$HT" -r "$T/r2.json" "$P"
kick
if [ -n "$CG" ] && ! echo "$PID" > "$CG/cgroup.procs" 2> /dev/null; then
	rmdir "$CG" 2> /dev/null || :
	CG=
	unit=$self_unit
fi
"$HT" status --json "$PID" > "$T/st.json" || :
"$HT" status --all --json > "$T/all.json" || :
cp "/proc/$PID/smaps" "$T/st.smaps"
stop_looping
valid report "$T/r2.json"
valid report "$T/st.json"
valid status_all "$T/all.json"
header "status" "$(cat "$T/st.json")" "$PID" bigtext "$P" "$unit"
header "status --all" "$(cat "$T/all.json")" any hugetext "$HT" \
	"$self_unit"
elem='{"hugetext":"[^"]*","schema":1,"time":"[^"]*","pid":'
grep -q "$elem$PID," "$T/all.json" ||
	fail "status --all --json has no process $PID"
kb=$(pmd_kb "$T/st.smaps" "$P")
for f in r2 st; do
	obj=$(json_objects "$T/$f.json" | grep -F "{\"path\":\"$P\"")
	[ "$(json_field "$obj" huge_bytes)" -eq $((kb * 1024)) ] ||
		fail "$f: huge_bytes is not smaps' $kb kB: $obj"
done
ok "status PID and --all: valid, the target's unit; huge as smaps ($kb kB)"

# check, with its dependencies and a file that is not there; --run.
"$HT" check --json --deps "$P" /dev/null/none > "$T/ck.json" 2>/dev/null ||
	:
valid check "$T/ck.json"
grep -q '"error":"' "$T/ck.json" || fail "check: no error for a missing file"
"$HT" check --json --run -- "$P" > "$T/run.json" 2> /dev/null || :
valid check "$T/run.json"
grep -q '"run":{"program":' "$T/run.json" || fail "check --run: no run"
header "check" "$(cat "$T/ck.json")" any hugetext "$HT" "$self_unit"
ok "check --json and check --run --json: valid"

# prime: a file made huge, and a line per file.
"$HT" prime --json "$P" /dev/null/none > "$T/pr.json" 2> /dev/null || :
valid prime "$T/pr.json"
[ "$(wc -l < "$T/pr.json")" -eq 2 ] || fail "prime: not a line per file"
line=$(head -n 1 "$T/pr.json")
header "prime" "$line" any hugetext "$HT" "$self_unit"
ok "prime --json: valid, one line per file"

# A report into a directory that is not there is refused up front.
set +e
"$HT" -r "$T/none/r.json" "$P" > "$T/none.out" 2> "$T/none.err"
st=$?
set -e
[ "$st" -eq 125 ] || fail "-r in a missing directory: exit $st, want 125"
grep -q "its directory: No such file" "$T/none.err" ||
	fail "-r in a missing directory: $(cat "$T/none.err")"
[ ! -s "$T/none.out" ] || fail "-r in a missing directory ran the program"
ok "-r in a missing directory: a usage error, the program not run"
