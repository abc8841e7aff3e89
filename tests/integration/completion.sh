#!/bin/sh
# Bash completion (data/bash-completion/hugetext): sourced in bash, it
# completes commands, each command's options, strategies, process IDs
# and files, as COMPREPLY for given COMP_WORDS/COMP_CWORD.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch
command -v bash > /dev/null 2>&1 || skip "no bash to complete in"

comp=$HT_SRCDIR/data/bash-completion/hugetext
touch "$T/prog.elf" "$T/prog.txt"
sleep 60 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT

# want WORDS... -- EXPECTED...: completing the last of WORDS gives at
# least EXPECTED (and, with =, exactly).
cat > "$T/t.bash" <<EOS
set -u
. "$comp"
complete -p hugetext > /dev/null || { echo "not registered"; exit 1; }
bad=0
t() { # mode expected-words -- COMP_WORDS...
	local mode=\$1 exp=\$2 w
	shift 3
	COMP_WORDS=("\$@")
	COMP_CWORD=\$((\$# - 1))
	COMPREPLY=()
	_hugetext
	local got=" \${COMPREPLY[*]} "
	if [ "\$mode" = exact ]; then
		[ "\$got" = " \$exp " ] && return
	else
		for w in \$exp; do
			case \$got in *" \$w "*) ;; *) false ;; esac || {
				echo "'\$*': no \$w in:\$got"; bad=1; return; }
		done
		return
	fi
	echo "'\$*': want '\$exp', got '\$got'"
	bad=1
}
t some "check prime status daemon help" -- hugetext ""
t some "status" -- hugetext stat
t exact "" -- hugetext status --x
t exact "prime" -- hugetext help pr
t exact "--all" -- hugetext status --a
t some "-j --json -d --deps --run -h --help" -- hugetext check -
t exact "--strategy= --strict" -- hugetext prime --st
t exact "collapse copy" -- hugetext -s c
t exact "collapse copy" -- hugetext --strategy = c
t exact "collapse" -- hugetext prime -s c
t exact "try skip" -- hugetext --seccomp = ""
t some "$pid" -- hugetext --pid "$pid"
t some "self $pid" -- hugetext status ""
t exact "$T/prog.elf" -- hugetext prime "$T/prog.e"
t exact "$T/prog.elf $T/prog.txt" -- hugetext check -j "$T/prog."
t some "--foreground --interval= --once" -- hugetext daemon --
t some "--via-ldso --version" -- hugetext --v
exit \$bad
EOS
bash "$T/t.bash" > "$T/out" 2>&1 || fail "$(cat "$T/out")"
ok "commands, options per command, strategies, PIDs, files"
