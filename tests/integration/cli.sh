#!/bin/sh
# One command line: every command's --help in one shape within 80
# columns, usage errors in one form and words, hugetext help [COMMAND],
# "hugetext -- help" still running a program called help, and status
# asking for a PID rather than reporting itself.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

# run WANT CMD...: CMD's exit status must be WANT; output in $T/out, err.
run() {
	want=$1
	shift
	set +e
	"$@" > "$T/out" 2> "$T/err"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "'$*' exited $got, want $want: $(cat "$T/err")"
}

# usage_error CMD MESSAGE: one line, "CMD: MESSAGE (try 'CMD --help')".
usage_error() {
	[ "$(wc -l < "$T/err")" -eq 1 ] &&
		[ "$(cat "$T/err")" = "$1: $2 (try '$1 --help')" ] ||
		fail "want '$1: $2 (try ...)', got: $(cat "$T/err")"
	[ ! -s "$T/out" ] || fail "$1: a usage error wrote to stdout"
}

for c in "" check prime status daemon; do
	name=hugetext${c:+ $c}
	# shellcheck disable=SC2086
	run 0 "$HT" $c --help
	cp "$T/out" "$T/help"
	awk -v n="$name" '
		length($0) > 80 { print n ": line " NR " is " length($0) \
			" columns"; bad = 1 }
		NR == 1 && index($0, "Usage: " n " ") != 1 {
			print n ": first line: " $0; bad = 1 }
		/^Options:$/ { opts = 1 }
		/^Exit status: / { exits = 1 }
		/^  -h, --help  +show this help and exit$/ { help = 1 }
		# The table: descriptions start in one column.
		opts && /^  (-[a-zA-Z], |    )--[a-z]/ && !done {
			match($0, /^  (-[a-zA-Z], |    )--[a-z=A-Z-]+ +/)
			if (col && RLENGTH != col) {
				print n ": misaligned: " $0; bad = 1 }
			col = RLENGTH }
		/^$/ && opts && col { done = 1 }
		END { if (!opts || !exits || !help) {
			print n ": no Options:, Exit status: or -h line"
			bad = 1 }
		      exit bad }' "$T/help" || fail "$name --help is out of shape"
	# hugetext help COMMAND is the command's own --help.
	# shellcheck disable=SC2086
	run 0 "$HT" help $c
	cmp -s "$T/out" "$T/help" || fail "'hugetext help $c' differs from --help"
	# The same words for the same mistakes, in every command.
	# shellcheck disable=SC2086
	run $([ -z "$c" ] && echo 125 || echo 2) "$HT" $c --help=foo
	usage_error "$name" "option '--help' takes no argument"
	# shellcheck disable=SC2086
	run $([ -z "$c" ] && echo 125 || echo 2) "$HT" $c -y
	usage_error "$name" "unknown option '-y'"
	# shellcheck disable=SC2086
	run $([ -z "$c" ] && echo 125 || echo 2) "$HT" $c --no-such-option
	usage_error "$name" "unknown or ambiguous option '--no-such-option'"
done
ok "every --help: Usage line, Options: aligned, Exit status:, 80 columns; help COMMAND the same; one wording for bad options"

run 2 "$HT" prime
usage_error "hugetext prime" "no FILE given"
run 2 "$HT" check
usage_error "hugetext check" "no FILE given"
run 2 "$HT" prime --strategy
usage_error "hugetext prime" "option '--strategy' needs an argument"
run 2 "$HT" daemon -i
usage_error "hugetext daemon" "option '-i' needs an argument"
run 125 "$HT" -s
usage_error "hugetext" "option '-s' needs an argument"
run 2 "$HT" check --run
usage_error "hugetext check" "--run needs a PROGRAM"
run 2 "$HT" prime -s x /bin/true
usage_error "hugetext prime" "invalid --strategy 'x': use auto, collapse, refault or none"
run 125 "$HT" --strategy=x /bin/true
usage_error "hugetext" "invalid --strategy 'x': use auto, collapse, refault, none or copy"
run 2 "$HT" status abc
usage_error "hugetext status" "invalid process ID 'abc'"
run 125 "$HT" --pid abc
usage_error "hugetext" "invalid process ID 'abc'"
ok "missing operands, arguments and bad values said the same way"

# status reports no process unless asked; self when asked.
run 2 "$HT" status
usage_error "hugetext status" "no PID given (a PID, self, or --all)"
set +e
"$HT" status self > "$T/out" 2> "$T/err"
st=$?
set -e
[ "$st" -eq 3 ] || [ "$st" -eq 0 ] || [ "$st" -eq 1 ] ||
	fail "status self: exit $st: $(cat "$T/err")"
grep -q "hugetext" "$T/out" || fail "status self does not report itself"
# -p is the launcher's --pid; status's --prom has no short form.
run 2 "$HT" status -p
usage_error "hugetext status" "unknown option '-p'"
ok "status: no PID is a usage error, self reports itself, no -p"

# help: the top usage; an unknown command named; -- help runs help.
run 0 "$HT" help
"$HT" --help | cmp -s - "$T/out" || fail "'hugetext help' is not --help"
run 125 "$HT" help nosuch
usage_error "hugetext" "help: unknown COMMAND 'nosuch' (check, prime, status, daemon or help)"
mkdir "$T/bin"
printf '#!/bin/sh\necho "the help program: $*"\n' > "$T/bin/help"
chmod +x "$T/bin/help"
PATH=$T/bin:$PATH run 0 "$HT" -- help me
[ "$(cat "$T/out")" = "the help program: me" ] ||
	fail "'hugetext -- help' did not run help: $(cat "$T/out" "$T/err")"
ok "help [COMMAND]; 'hugetext -- help' runs a program called help"

# Options mean the same everywhere: --json is -j wherever it is taken.
set +e
"$HT" check -j "$HT" > "$T/out" 2> "$T/err"
st=$?
set -e
[ "$st" -le 1 ] && head -c1 "$T/out" | grep -q '{' ||
	fail "check -j: exit $st, not JSON: $(head -c 200 "$T/out")"
ok "check -j is --json"
