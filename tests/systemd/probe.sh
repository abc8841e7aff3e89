#!/bin/sh
# probe.sh wait UNIT | report - runs inside the container booted by
# tests/systemd/run.sh (installed as /opt/httest/probe.sh, @HUGETEXT@
# filled in).  The units it reads are in tests/systemd/units.
#
#   wait UNIT  wait until UNIT's main process has run all its text and
#              sits in pause() (bigtext -p); exit 1 if it never does
#   report     for each service under test: its state and exit
#              statuses, its main process's smaps, environment, hugetext
#              status and journal, into /results; a summary line each in
#              /results/probe.txt (its Seccomp mode, and FilePmdMapped
#              and eligible kB of the program's own mappings, read from
#              its smaps); the template instances' state and journal
set -u

R=/results
HT=@HUGETEXT@
UNITS="hugetext-example.service ht-prime-pre.service ht-prime-tmpl.service
ht-plain.service ht-busy.service ht-filtered.service ht-filtered-prime.service
ht-filtered-pre.service hugetext.service"
TEMPLATES="hugetext-prime@opt-httest-bigtext.tmpl.service
hugetext-prime@opt-httest-bigtext.fprime.service"

# paused PID: blocked in pause() (system call 34 on x86-64), where
# bigtext -p goes once it has called every function of its text.
paused() {
	read -r nr rest < "/proc/$1/syscall" 2>/dev/null && [ "$nr" = 34 ]
}

# main_pid UNIT: its main process once paused (up to 60 s), else 0.
main_pid() {
	i=0
	while [ $i -lt 600 ]; do
		pid=$(systemctl show -P MainPID "$1")
		if [ "${pid:-0}" -gt 0 ] && paused "$pid"; then
			echo "$pid"
			return 0
		fi
		case $(systemctl show -P ActiveState "$1") in
		failed|inactive) break ;;
		esac
		sleep 0.1
		i=$((i + 1))
	done
	echo 0
	return 1
}

# figures SMAPS EXE: "pmd_kb=N eligible_kb=M" over EXE's mappings: PMD
# mapped kB, and kB of whole 2 MiB spans of its executable mappings
# where address and file offset agree modulo 2 MiB (mawk: no strtonum).
figures() {
	awk -v p="$2" '
	function hex(s,   i, n) {
		n = 0
		for (i = 1; i <= length(s); i++)
			n = n * 16 + \
			    index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	/^[0-9a-f]+-[0-9a-f]+ / {
		cur = ($6 == p)
		if (cur && $2 ~ /x/) {
			split($1, a, "-")
			s = hex(a[1]); e = hex(a[2]); o = hex($3)
			h = 2097152
			if ((s - o) % h == 0) {
				f = int((s + h - 1) / h); l = int(e / h)
				if (l > f)
					el += (l - f) * 2048
			}
		}
	}
	cur && /^FilePmdMapped:/ { pmd += $2 }
	END { printf "pmd_kb=%d eligible_kb=%d\n", pmd, el }' "$1"
}

report() {
	: > "$R/probe.txt"
	for u in $UNITS; do
		n=${u%.service}
		case $u in
		hugetext.service)	# the daemon: never in pause()
			pid=$(systemctl show -P MainPID "$u") ;;
		ht-plain.service)	# started plainly: the daemon's to do
			pid=$(main_pid "$u")
			i=0
			while [ "$pid" -gt 0 ] && [ $i -lt 200 ]; do
				exe=$(readlink "/proc/$pid/exe")
				f=$(figures "/proc/$pid/smaps" "$exe")
				p=${f#pmd_kb=}
				p=${p%% *}
				e=${f##*eligible_kb=}
				[ "$p" -lt "$e" ] || break
				sleep 0.1
				i=$((i + 1))
			done ;;
		*)
			pid=$(main_pid "$u") ;;
		esac
		systemctl show -p ActiveState -p SubState -p Result \
			-p ExecMainStatus -p ExecStartPre "$u" > "$R/$n.show"
		line="$u state=$(systemctl show -P ActiveState "$u") pid=$pid"
		if [ "$pid" -gt 0 ]; then
			exe=$(readlink "/proc/$pid/exe")
			cp "/proc/$pid/smaps" "$R/$n.smaps"
			tr '\0' '\n' < "/proc/$pid/environ" |
				grep '^LD_\|^HUGETEXT_' > "$R/$n.env"
			"$HT" status "$pid" > "$R/$n.status" 2>&1
			sc=$(sed -n 's/^Seccomp:[[:space:]]*//p' \
				"/proc/$pid/status")
			line="$line exe=$exe seccomp=$sc"
			line="$line $(figures "$R/$n.smaps" "$exe")"
		fi
		echo "$line" >> "$R/probe.txt"
		journalctl -b -u "$u" -o cat --no-pager > "$R/$n.journal" 2>&1
	done
	for t in $TEMPLATES; do
		n=${t%.service}
		systemctl show -p ActiveState -p Result -p ExecMainStatus \
			"$t" > "$R/$n.show"
		journalctl -b -u "$t" -o cat --no-pager > "$R/$n.journal" 2>&1
	done
	# The example unit's report (HUGETEXT_REPORT=/run/%N/report.json).
	for n in hugetext-example ht-filtered; do
		cp "/run/$n/report.json" "$R/$n.report" 2>/dev/null || true
	done
	echo done >> "$R/probe.txt"
}

case ${1:-} in
wait)
	[ "$(main_pid "${2:?}")" -gt 0 ]
	;;
report)
	report
	;;
*)
	echo "usage: probe.sh wait UNIT | report" >&2
	exit 2
	;;
esac
