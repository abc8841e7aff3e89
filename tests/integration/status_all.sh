#!/bin/sh
# hugetext status --all: the fleet view.  A test program is listed with
# the figures of its own smaps, in the human lines, in --json (each
# process the object `status PID --json` prints) and in --prom (per
# executable, the exposition format); --cgroup and --unit confine it to
# one cgroup, and its exit status then follows that program's text.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

# json_check FILE: one JSON document on one line whose brackets and
# braces nest, strings closed (escapes skipped), nothing after the end.
json_check() {
	awk '
	NR > 1 { print "more than one line"; exit 1 }
	{
		n = length($0); d = 0; s = 0
		for (i = 1; i <= n; i++) {
			c = substr($0, i, 1)
			if (s) {
				if (c == "\\") i++
				else if (c == "\"") s = 0
				continue
			}
			if (c == "\"") s = 1
			else if (c == "{" || c == "[") st[++d] = c
			else if (c == "}" || c == "]") {
				if (!d || (c == "}") != (st[d] == "{")) {
					print "unbalanced at " i; exit 1 }
				if (--d == 0 && i < n) {
					print "text after the end"; exit 1 }
			}
		}
		if (d || s) { print "unclosed"; exit 1 }
	}' "$1"
}

# proc_object FILE PID: the element of FILE's "processes" for PID.
proc_object() {
	sed 's/{"hugetext":/\n&/g' "$1" | grep -F "\"pid\":$2," |
		sed 's/,"totals":.*//; s/,$//; s/\]$//'
}

P=$T/bigtext
copy_small "$PROGS/bigtext" "$P"
elig=$(eligible_kb "$P")

# A cgroup of its own, where one can be made: the filters, and an exit
# status that depends on this program alone.
CG=
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -n "$cg2" ] && [ -w "$cg2" ]; then
	CG=$(mktemp -d "$cg2/hugetext-test.XXXXXX.scope" 2> /dev/null) || CG=
fi
trap '[ -z "$CG" ] || rmdir "$CG" 2> /dev/null; rm -rf "$T"' EXIT
unit=${CG##*/}

# run_all NAME ARGS...: status --all ARGS into $T/NAME, its exit in st.
run_all() {
	name=$1
	shift
	set +e
	"$HT" status --all "$@" > "$T/$name" 2> "$T/$name.err"
	st=$?
	set -e
	[ "$st" -ne 2 ] || fail "status --all $*: exit 2: $(cat "$T/$name.err")"
}

for how in plain hugetext; do
	if [ "$how" = plain ]; then
		start_looping "$P"
	else
		copy_small "$PROGS/bigtext" "$P"
		start_looping "$HT" "$P"
	fi
	kick
	if [ -n "$CG" ] && ! echo "$PID" > "$CG/cgroup.procs" 2> /dev/null
	then
		rmdir "$CG" 2> /dev/null || :
		CG=
	fi
	run_all all.out
	run_all all.json --json
	run_all all.prom --prom
	"$HT" status --json "$PID" > "$T/one.json" || :
	cat "/proc/$PID/smaps" > "$T/all.smaps"
	[ -z "$CG" ] || run_all cg.out --cgroup "/${CG##*/}"
	cg_st=$st
	[ -z "$CG" ] || run_all unit.out --unit "$unit"
	unit_st=$st
	stop_looping
	kb=$(pmd_kb "$T/all.smaps" "$P")
	if [ "$how" = plain ]; then
		[ "$kb" -eq 0 ] || fail "a plain run maps $kb kB huge"
		want="huge 0.0 MiB (0%): small-pages: "
		want_st=1
	else
		at_least "$kb" "$elig" 99 "under hugetext (smaps)"
		want="huge $((kb / 1024)).0 MiB (100%)\$"
		want_st=0
	fi
	line="hugetext\[$PID\]: bigtext ($P): eligible"
	line="$line $((elig / 1024)).0 MiB, $want"
	grep -q "^$line" "$T/all.out" ||
		fail "$how: no line for $PID: $(cat "$T/all.out")"
	tail -n 1 "$T/all.out" |
		grep -q '^hugetext: total: [0-9]* process.*eligible' ||
		fail "$how: no total line: $(tail -n 1 "$T/all.out")"
	grep -q '^hugetext: [0-9]* process.* nothing eligible$' \
		"$T/all.out" || fail "$how: no count of the others"
	ok "$how: status --all lists $PID as its smaps have it ($kb kB huge)"

	json_check "$T/all.json" || fail "$how: --json does not nest"
	jhead='^{"hugetext":"[^"]*","schema":1,"time":"[^"]*","pid":[0-9]*,'
	jhead=$jhead'"comm":"hugetext",.*"cgroup_filter":null,"unit_filter":null,'
	jhead=$jhead'"processes":'
	grep -q "$jhead"'\[{"hugetext":' "$T/all.json" ||
		fail "$how: --json: $(cut -c 1-200 "$T/all.json")"
	tot=',"totals":{"processes":[1-9][0-9]*,.*"huge_bytes":[0-9]*,.*}}$'
	grep -q "$tot" \
		"$T/all.json" || fail "$how: --json has no totals"
	n=$(sed 's/{"hugetext":/\n/g' "$T/all.json" | grep -c '^"')
	[ "$((n - 1))" -eq "$(json_field "$(sed 's/.*"totals"://' \
		"$T/all.json")" processes)" ] ||
		fail "$how: --json: totals.processes is not $((n - 1))"
	obj=$(proc_object "$T/all.json" "$PID")
	[ -n "$obj" ] || fail "$how: --json has no process $PID"
	# The same object as status PID --json, but for when and how long.
	strip='s/"usec":[0-9]*//g; s/"time":"[^"]*"//'
	[ "$(printf '%s\n' "$obj" | sed "$strip")" = \
		"$(sed "$strip" "$T/one.json")" ] ||
		fail "$how: --json's $PID differs from status $PID --json:
$obj
$(cat "$T/one.json")"
	top=$(printf '%s\n' "$obj" | sed 's/,"objects":.*//')
	[ "$(json_field "$top" huge_bytes)" -eq $((kb * 1024)) ] ||
		fail "$how: --json huge_bytes: $top"
	ok "$how: status --all --json nests and holds status $PID --json"

	check_prom "$T/all.prom" || fail "$how: --prom breaks the format"
	grep -q "^hugetext_processes{exe=\"$P\"} 1\$" "$T/all.prom" &&
	grep -q "^hugetext_eligible_bytes{exe=\"$P\"} $((elig * 1024))\$" \
		"$T/all.prom" &&
	grep -q "^hugetext_huge_bytes{exe=\"$P\"} $((kb * 1024))\$" \
		"$T/all.prom" ||
		fail "$how: --prom: $(grep -F "$P" "$T/all.prom")"
	grep -q '^hugetext_host_file_pmd_mapped_bytes [0-9]*$' "$T/all.prom" ||
		fail "$how: --prom has no host totals"
	! grep -q 'pid=' "$T/all.prom" || fail "$how: --prom labels by PID"
	ok "$how: status --all --prom: the exposition format, per executable"

	if [ -z "$CG" ]; then
		echo "note: no cgroup v2 to move a process to: no filter run"
		continue
	fi
	for f in cg unit; do
		eval "got=\$${f}_st"
		[ "$(grep -c '^hugetext\[' "$T/$f.out")" -eq 1 ] &&
			grep -q "^$line" "$T/$f.out" ||
			fail "$how: --$f: $(cat "$T/$f.out")"
		[ "$got" -eq "$want_st" ] ||
			fail "$how: --$f: exit $got, want $want_st"
	done
	ok "$how: --cgroup and --unit: that program alone, exit $want_st"
done

if [ -n "$CG" ]; then
	run_all none.out --unit "$unit"
	[ "$st" -eq 3 ] || fail "an empty unit: exit $st, want 3"
	grep -q "^hugetext: total: 0 processes" "$T/none.out" ||
		fail "an empty unit: $(cat "$T/none.out")"
	ok "nothing eligible in the filter: exit 3"
fi

# As an unprivileged user: other users' processes are counted, not an
# error.
if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null &&
	id nobody > /dev/null 2>&1; then
	set +e
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		--inh-caps=-all "$HT" status --all > "$T/nobody.out" 2>&1
	st=$?
	set -e
	[ "$st" -ne 2 ] || fail "as nobody: exit 2: $(cat "$T/nobody.out")"
	grep -q '^hugetext: [1-9][0-9]* process.* not read' "$T/nobody.out" ||
		fail "as nobody: $(cat "$T/nobody.out")"
	n=$(grep 'not read' "$T/nobody.out" | cut -d' ' -f2)
	ok "as nobody: $n processes not read, exit $st"
fi

# Usage errors, in the one form.
for args in "--all 1" "--prom" "--cgroup /x" "--unit x" "--all --json --prom" \
	"--all --unit"; do
	set +e
	# shellcheck disable=SC2086
	"$HT" status $args > /dev/null 2> "$T/use.err"
	st=$?
	set -e
	[ "$st" -eq 2 ] || fail "status $args: exit $st, want 2"
	[ "$(wc -l < "$T/use.err")" -eq 1 ] &&
		grep -q "^hugetext status: .* (try 'hugetext status --help')$" \
		"$T/use.err" || fail "status $args: $(cat "$T/use.err")"
done
ok "usage errors: one line pointing at --help, exit 2"
