#!/bin/sh
# fork_pss.sh BUILDDIR [POSTGRES] - a pre-forking server's text memory
# under each way of running it: Debian's postgres (a PIE with 4 KiB
# p_align) started plainly, under "hugetext -s copy" and under
# "hugetext --via-ldso", with 8 backends connected (each in pg_sleep).
# Prints, per mode, the sum of Pss over the postgres image's executable
# mappings (and the anonymous copy) of the postmaster and every child,
# the postmaster's own text RSS, and what it maps huge.  Needs root (the
# server runs as nobody, in a scratch directory removed at exit) and
# postgres's initdb, psql and pg_ctl.
set -eu
B=${1:?usage: fork_pss.sh BUILDDIR [POSTGRES]}
PG=${2:-$(ls /usr/lib/postgresql/*/bin/postgres 2> /dev/null | tail -n 1)}
[ -x "$PG" ] || { echo "no postgres found (give its path)"; exit 77; }
BIN=$(dirname "$PG")
HT=$B/hugetext
[ "$(id -u)" -eq 0 ] || { echo "run as root (the server runs as nobody)"; exit 77; }
D=$(mktemp -d /tmp/fork_pss.XXXXXX)
trap 'runuser -u nobody -- "$BIN/pg_ctl" -D "$D/data" stop -m immediate \
	> /dev/null 2>&1 || true; rm -rf "$D"' EXIT
trap 'exit 1' INT TERM HUP
chown nobody:nogroup "$D"
runuser -u nobody -- "$BIN/initdb" -D "$D/data" -A trust -U nobody \
	> "$D/initdb.log" 2>&1
PORT=54329
q() {
	runuser -u nobody -- psql -h "$D" -p $PORT -d postgres -Atc "$1"
}

# text_kb PID FIELD: FIELD summed over the postgres image's executable
# mappings and anonymous executable ones (the copy) of PID.
text_kb() {
	awk -v pg="$PG" -v f="$2:" '/^[0-9a-f]+-[0-9a-f]+ / {
		x = $2 ~ /x/ && ($6 == pg || $6 == "") }
	x && $1 == f { s += $2 } END { print s + 0 }' "/proc/$1/smaps"
}

for mode in plain copy via-ldso; do
	case $mode in
	plain) pre= ;;
	copy) pre="$HT -s copy" ;;
	via-ldso) pre="$HT --via-ldso" ;;
	esac
	runuser -u nobody -- $pre "$PG" -D "$D/data" -k "$D" -p $PORT \
		-c listen_addresses= -c shared_buffers=16MB \
		> "$D/$mode.log" 2>&1 &
	i=0
	until q 'select 1' > /dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$D/$mode.log"; exit 1; }
		sleep 0.1
	done
	clients=
	for i in 1 2 3 4 5 6 7 8; do
		q 'select pg_sleep(4)' > /dev/null &
		clients="$clients $!"
	done
	sleep 2
	pm=$(head -n 1 "$D/data/postmaster.pid")
	n=0
	pss=0
	for p in $pm $(pgrep -P "$pm"); do
		pss=$((pss + $(text_kb "$p" Pss)))
		n=$((n + 1))
	done
	echo "$mode: $n processes, postgres text PSS $pss kB in all;" \
		"postmaster: text RSS $(text_kb "$pm" Rss) kB," \
		"AnonHugePages $(text_kb "$pm" AnonHugePages) kB," \
		"FilePmdMapped $(text_kb "$pm" FilePmdMapped) kB"
	wait $clients || true
	runuser -u nobody -- "$BIN/pg_ctl" -D "$D/data" stop -m fast > /dev/null
	wait
done
