#!/bin/sh
# The launcher's contract: env(1)-style exit statuses, one-line errors,
# LD_PRELOAD prepended, options after PROGRAM left to PROGRAM, status
# and signals passed through, --no-inherit, static programs, reports.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

# status WANT CMD...: run CMD, check its exit status.
status() {
	want=$1
	shift
	set +e
	"$@" > "$T/out" 2> "$T/err"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "'$*' exited $got, want $want"
}

# one_line_error: stderr is exactly one line naming hugetext.
one_line_error() {
	[ "$(wc -l < "$T/err")" -eq 1 ] || fail "stderr not one line: $(cat "$T/err")"
	grep -q '^hugetext: ' "$T/err" || fail "error not prefixed: $(cat "$T/err")"
}

status 127 "$HT" "$T/no-such-program"
one_line_error
# (a PATH entry this user may not search would make it 126, as for env)
status 127 env PATH=/usr/bin:/bin "$HT" no-such-program-in-path-xyz
one_line_error
printf 'not a program\n' > "$T/plain.txt"
chmod -x "$T/plain.txt"
status 126 "$HT" "$T/plain.txt"
one_line_error
status 126 "$HT" "$T"
one_line_error
ok "127 for missing, 126 for not executable"

status 125 "$HT" --no-such-option /bin/true
one_line_error
grep -q -- '--help' "$T/err" || fail "no hint to --help"
status 125 "$HT" -q /bin/true
one_line_error
status 125 "$HT" --strategy=fast /bin/true
one_line_error
status 125 "$HT" --strategy
one_line_error
grep -q "needs an argument" "$T/err" || fail "missing argument: $(cat "$T/err")"
status 125 "$HT" -r
one_line_error
status 125 "$HT"
one_line_error
status 125 env HUGETEXT_LIBRARY=/nonexistent/libhugetext.so "$HT" /bin/true
one_line_error
ok "125 with one line for hugetext's own errors"

status 0 "$HT" --help
grep -q '^Usage: hugetext' "$T/out" || fail "--help has no usage"
status 0 "$HT" -V
grep -q '^hugetext [0-9]' "$T/out" || fail "--version output"
ok "--help and --version"

# Every subcommand says usage errors one way: one line, its own name,
# a pointer to its --help, status 2.
for cmd in "check --jsonx" "check" "prime -s" "prime -z x" "status -q" \
	   "status not-a-pid" "status 1 2"; do
	# shellcheck disable=SC2086
	status 2 "$HT" $cmd
	[ "$(wc -l < "$T/err")" -eq 1 ] || fail "$cmd: stderr: $(cat "$T/err")"
	sub=${cmd%% *}
	grep -q "^hugetext $sub: .*(try 'hugetext $sub --help')\$" "$T/err" ||
		fail "$cmd: $(cat "$T/err")"
done
ok "subcommands: usage errors in one form, status 2"

# Output that could not be written is an error, not a success.
if [ -w /dev/full ]; then
	for cmd in "-V" "--help" "check --json $PROGS/bigtext" \
		   "status --json self"; do
		set +e
		# shellcheck disable=SC2086
		"$HT" $cmd > /dev/full 2> "$T/err"
		got=$?
		set -e
		[ "$got" -ne 0 ] || fail "$cmd > /dev/full: status 0"
		grep -q "write error" "$T/err" ||
			fail "$cmd > /dev/full: not said: $(cat "$T/err")"
	done
	ok "a write error on standard output fails the command"
else
	echo "note: no writable /dev/full, write-error case not run"
fi

# Status and signals pass through (exec: the program is the process).
status 42 "$HT" "$PROGS/bigtext" -x 42
status 143 "$HT" "$PROGS/bigtext" -k 15
ok "exit status and signal pass through"

# Options after PROGRAM belong to it; -- ends hugetext's options.
status 0 "$HT" -- sh -c 'echo "$0 $1"' -v -n
[ "$(cat "$T/out")" = "-v -n" ] || fail "arguments after PROGRAM: $(cat "$T/out")"
status 0 "$HT" sh -c 'echo "$1"' x --verbose
[ "$(cat "$T/out")" = "--verbose" ] || fail "options after PROGRAM parsed"
ok "options after PROGRAM are PROGRAM's"

# LD_AUDIT: prepended, never overwritten; LD_PRELOAD left alone.  A
# second audit module of the user's (glibc's own sotruss module, which
# prints nothing unless asked) still loads and runs.
other=$(dirname "$(ldd /bin/sh | awk '/libc\.so/ { print $3 }')")/audit/sotruss-lib.so
[ -f "$other" ] || other=/nonexistent/audit-module.so
status 0 env LD_AUDIT="$other" "$HT" sh -c 'echo "$LD_AUDIT"'
[ "$(cat "$T/out")" = "$LIB:$other" ] ||
	fail "LD_AUDIT is '$(cat "$T/out")', want '$LIB:$other'"
status 0 "$HT" sh -c 'echo "$LD_AUDIT [$LD_PRELOAD]"'
[ "$(cat "$T/out")" = "$LIB []" ] || fail "LD_AUDIT/LD_PRELOAD '$(cat "$T/out")'"
status 0 "$HT" --no-inherit sh -c 'echo "[$LD_AUDIT]"'
[ "$(cat "$T/out")" = "[]" ] || fail "--no-inherit left '$(cat "$T/out")'"
status 0 env LD_AUDIT="$other" "$HT" --no-inherit sh -c 'echo "$LD_AUDIT"'
[ "$(cat "$T/out")" = "$other" ] || fail "--no-inherit dropped others"
# The preload form removes itself the same way.
status 0 env LD_PRELOAD="$LIB" HUGETEXT_NO_INHERIT=1 sh -c 'echo "[$LD_PRELOAD]"'
[ "$(cat "$T/out")" = "[]" ] || fail "preload --no-inherit left '$(cat "$T/out")'"
ok "LD_AUDIT prepended; --no-inherit removes only libhugetext"
status 125 "$HT" --seccomp=maybe /bin/true
grep -q "invalid --seccomp 'maybe'" "$T/err" || fail "--seccomp=maybe: $(cat "$T/err")"
ok "--seccomp takes try or skip"

# A dry run shows its analysis on stderr (unless it goes to --report).
status 0 "$HT" -n "$PROGS/bigtext"
grep -q 'dry run' "$T/err" || fail "dry run printed no report"
grep -q '"reason":"dry-run"\|dry-run' "$T/err" || fail "no dry-run reason"
ok "--dry-run reports on stderr"

# The library prints nothing unless asked.
status 0 "$HT" "$PROGS/bigtext"
[ ! -s "$T/err" ] || fail "silent run printed: $(cat "$T/err")"
ok "silent without --verbose"

# A static program cannot take the preload: primed instead (prime.sh
# checks the effect), silently unless -v, which says so in one line.
"$PROGS/bigtext-static" > "$T/static.plain"
status 0 "$HT" "$PROGS/bigtext-static"
cmp -s "$T/out" "$T/static.plain" || fail "static program output differs"
[ ! -s "$T/err" ] || fail "static program: silent run printed $(cat "$T/err")"
status 0 "$HT" -v "$PROGS/bigtext-static"
cmp -s "$T/out" "$T/static.plain" || fail "static program output differs"
one_line_error
grep -q 'statically linked: primed' "$T/err" || fail "no static line"
ok "static program: primed, one line with -v, ran unchanged"

# --report: one JSON line per process, appended, forks included.
status 0 "$HT" -r "$T/r.json" sh -c "'$PROGS/bigtext' >/dev/null; /bin/true"
[ "$(wc -l < "$T/r.json")" -eq 3 ] ||
	fail "want 3 report lines (sh, bigtext, true): $(cat "$T/r.json")"
status 0 "$HT" -r "$T/r.json" /bin/true
[ "$(wc -l < "$T/r.json")" -eq 4 ] || fail "report not appended"
if command -v python3 > /dev/null; then
	python3 -c 'import json, sys
for line in open(sys.argv[1]):
	json.loads(line)' "$T/r.json" || fail "report is not JSON lines"
fi
ok "report: one JSON object per process, appended"

# The run path execs fast: the launcher needs libc alone (libelf, for
# check, prime and status, is opened when a file is first read).
san='^$'
[ -z "${HT_SANITIZE:-}" ] || san='^(libasan\.so\.[0-9]+|libubsan\.so\.[0-9]+|libm\.so\.6|libgcc_s\.so\.1|libstdc\+\+\.so\.[0-9]+)$'
deps=$(readelf -d "$HT" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
	grep -v -E "$san" | sort | tr '\n' ' ')
[ "$deps" = "libc.so.6 " ] || fail "hugetext needs: $deps"
status 0 "$HT" check "$PROGS/bigtext"
grep -q "eligible 48.0 MiB" "$T/out" || fail "check after lazy libelf: $(cat "$T/out")"
ok "launcher needs only libc; check still reads ELF files"
