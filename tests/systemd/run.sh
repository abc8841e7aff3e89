#!/bin/sh
# run.sh BUILDDIR - hugetext's systemd units under a real systemd: a
# fresh copy of a Debian rootfs (rootfs.sh, cached in HT_ROOTFS_CACHE,
# /var/cache/hugetext-rootfs) with BUILDDIR's hugetext installed in it,
# test programs and units (units/), booted with systemd-nspawn up to
# httest.target, whose probe writes what each service maps into a
# bind-mounted results directory and powers off.  Then the checks:
#
#   hugetext-example.service (the shipped unit: LD_AUDIT, HUGETEXT_REPORT)
#       runs, its program's text >= 99% PMD-mapped in its own smaps, and
#       the report is where the unit says
#   ht-prime-pre.service (ExecStartPre=hugetext prime PROG), and
#   ht-prime-tmpl.service (hugetext-prime@.service before it)
#       the page cache is huge before the program starts: its text
#       >= 99% PMD-mapped with no preload
#   ht-plain.service: runs (figures recorded; issue 14's daemon will
#       make it huge)
#   ht-busy.service: its ExecStartPre prime meets the page cache that
#       ht-plain maps small: says page-cache-busy, exits 0, the service
#       runs
#   ht-filtered.service (the example's LD_AUDIT under SystemCallFilter=)
#       runs, left alone (seccomp: nothing PMD-mapped, no report)
#   ht-filtered-prime.service (SystemCallFilter= and the template), and
#   ht-filtered-pre.service (SystemCallFilter=, ExecStartPre=+hugetext
#   prime PROG): >= 99% PMD-mapped: priming works from outside the filter
#
# nspawn puts every process of the container under a seccomp filter of
# its own, unlike a host's systemd; SYSTEMD_SECCOMP=0 turns it off, so
# that a unit is filtered only where it says so (SystemCallFilter=).
#
# Needs root.  Results, console and journal in BUILDDIR/tests/systemd/.
# HT_NSPAWN_TIMEOUT: seconds for the boot (120).  Exit status 1 if a
# check failed, 2 if the test could not run, 77 (skip) if not root.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=$(cd "${1:?usage: run.sh BUILDDIR}" && pwd)
cache=${HT_ROOTFS_CACHE:-/var/cache/hugetext-rootfs}
btimeout=${HT_NSPAWN_TIMEOUT:-120}
W=$B/tests/systemd
R=$W/root
t_start=$(date +%s)

say() {
	echo "systemd: $*" >&2
}

die() {
	say "$*"
	exit 2
}

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: tests/systemd/run.sh needs root (debootstrap," \
		"systemd-nspawn)"
	exit 77
fi
[ -x "$B/hugetext" ] && [ -f "$B/.libs/libhugetext.so" ] &&
	[ -x "$B/tests/progs/bigtext" ] ||
	die "$B has no built hugetext and tests/progs/bigtext" \
		"(make check-systemd builds them)"
for tool in script timeout readelf flock; do
	command -v "$tool" > /dev/null || die "$tool is missing"
done

rm -rf "$W"
mkdir -p "$W/results"

# ---------------------------------------------------------------------
# The rootfs: made once, copied for each run so that runs never share a
# file (nor its page cache).
t0=$(date +%s)
base=$(sh "$here/rootfs.sh" "$cache") || die "no rootfs"
command -v systemd-nspawn > /dev/null || die "systemd-nspawn is missing"
t_rootfs=$(($(date +%s) - t0))
t0=$(date +%s)
cp -a "$base" "$R"
t_copy=$(($(date +%s) - t0))

# install_hugetext ROOT: hugetext in ROOT as a user gets it: the Debian
# package (HT_DEB, else BUILDDIR/deb/hugetext_*.deb, which .ci/deb.sh
# builds) installed with dpkg inside ROOT; without one (a local run),
# make install with the build's own prefix.  LIBREF: the library that
# was installed, for the check below.
install_hugetext() {
	deb=${HT_DEB:-}
	if [ -z "$deb" ]; then
		for f in "$B"/deb/hugetext_*.deb; do
			[ -f "$f" ] && deb=$f
		done
	fi
	if [ -n "$deb" ]; then
		[ -f "$deb" ] || die "no $deb"
		cp "$deb" "$1/tmp/hugetext.deb"
		chroot "$1" dpkg -i /tmp/hugetext.deb > "$W/install.log" 2>&1 || {
			cat "$W/install.log" >&2
			die "dpkg -i $(basename "$deb") in $1 failed"
		}
		rm -f "$1/tmp/hugetext.deb"
		mkdir -p "$W/deb"
		dpkg-deb -x "$deb" "$W/deb"
		LIBREF=$(find "$W/deb" -name libhugetext.so -type f | head -n 1)
		say "installed $(basename "$deb") with dpkg"
		return
	fi
	make -s -C "$B" install DESTDIR="$1" > "$W/install.log" 2>&1 || {
		cat "$W/install.log" >&2
		die "make install DESTDIR=$1 failed"
	}
	LIBREF=$B/.libs/libhugetext.so
	say "no .deb in $B/deb: installed with make install"
}

install_hugetext "$R"
# Where it went: the units and paths below are found, not assumed.
HT=$(cd "$R" && find usr -path '*/bin/hugetext' -type f | head -n 1)
[ -n "$HT" ] || die "no bin/hugetext installed under $R"
HT=/$HT
unitdir=$(cd "$R" && find usr/lib lib/ -name 'hugetext-prime@.service' \
	2>/dev/null | head -n 1)
[ -n "$unitdir" ] || die "no hugetext-prime@.service installed under $R"
unitdir=/$(dirname "$unitdir")
[ -f "$R$unitdir/hugetext-example.service" ] ||
	die "no hugetext-example.service in $unitdir"
LIBDIR=$(cd "$R" && find usr -name libhugetext.so -type f | head -n 1)
[ -n "$LIBDIR" ] || die "no libhugetext.so installed under $R"
LIBDIR=/$(dirname "$LIBDIR")
say "installed: $HT, $LIBDIR/libhugetext.so, units in $unitdir"

# Test programs: separate copies (inodes, page caches), each written in
# 4 KiB writes and flushed so that its page cache holds small folios
# only; whatever is huge later was made so by what is under test.
mkdir -p "$R/opt/httest"
for n in audit pre tmpl plain filtered fprime fpre; do
	dd if="$B/tests/progs/bigtext" of="$R/opt/httest/bigtext.$n" \
		bs=4096 status=none
	chmod 755 "$R/opt/httest/bigtext.$n"
	sync "$R/opt/httest/bigtext.$n"
done
elig=$(
	HT_BUILDDIR=$B
	. "$top/tests/integration/lib.sh"
	eligible_kb "$B/tests/progs/bigtext"
)
[ "$elig" -gt 0 ] || die "tests/progs/bigtext has no eligible text"

subst() {
	sed -e "s|@HUGETEXT@|$HT|g" -e "s|@PKGLIBDIR@|$LIBDIR|g" "$1" > "$2"
}
subst "$here/probe.sh" "$R/opt/httest/probe.sh"
chmod 755 "$R/opt/httest/probe.sh"
sd=$R/etc/systemd/system
mkdir -p "$sd/hugetext-example.service.d"
for u in "$here"/units/*.service "$here"/units/*.target; do
	subst "$u" "$sd/$(basename "$u")"
done
subst "$here/units/hugetext-example.service.d/httest.conf" \
	"$sd/hugetext-example.service.d/httest.conf"
[ -f "$R$unitdir/hugetext.service" ] || die "no hugetext.service in $unitdir"
mkdir -p "$sd/hugetext.service.d"
subst "$here/units/hugetext.service.d/httest.conf" \
	"$sd/hugetext.service.d/httest.conf"
printf 'interval = 2\nallow_exe = /opt/httest/bigtext.plain\n' \
	> "$R/opt/httest/daemon.conf"

# ---------------------------------------------------------------------
# Boot.  Under a pseudo-terminal (script), or nothing useful is said;
# --register=no --keep-unit: no machined or system bus on this host.
t0=$(date +%s)
set +e
nspawn="systemd-nspawn -q -D $R --boot --register=no --keep-unit"
nspawn="$nspawn --bind=$W/results:/results --setenv=SYSTEMD_COLORS=0"
SYSTEMD_SECCOMP=0 timeout -k 10 "$btimeout" \
	script -qfec "$nspawn -- systemd.unit=httest.target" /dev/null \
	< /dev/null > "$W/console.log" 2>&1
brc=$?
set -e
t_boot=$(($(date +%s) - t0))
# After a timeout the container may still be shutting down (nspawn got
# SIGHUP from the closed terminal): wait for this run's nspawn to end;
# after 20 s kill it and the container's init (its child; killing a
# PID namespace's init ends every process in it).
ours() {
	for p in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null < "$p/cmdline" |
			grep -q "^systemd-nspawn -q -D $R " || continue
		echo "${p#/proc/}"
		cat "$p"/task/*/children 2>/dev/null
	done
}
i=0
while [ -n "$(ours)" ] && [ $i -lt 20 ]; do
	sleep 1
	i=$((i + 1))
done
left=$(ours)
[ -z "$left" ] || {
	say "killing what is left of the container: $left"
	kill -9 $left 2>/dev/null || true
}
journalctl -D "$R/var/log/journal" -b -o short-monotonic --no-pager \
	> "$W/journal.txt" 2>&1 || true

failed=0
check() { # WHAT CONDITION... (the condition is evaluated)
	what=$1
	shift
	if eval "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		failed=1
	fi
}

P=$W/results/probe.txt
if [ "$brc" -eq 124 ] || [ "$brc" -eq 137 ]; then
	say "the container did not power off within $btimeout s"
fi
if ! grep -qx done "$P" 2>/dev/null; then
	say "no results from the probe (boot exit status $brc); console:"
	tail -n 60 "$W/console.log" >&2
	say "journal (last 80 lines):"
	tail -n 80 "$W/journal.txt" >&2
	die "the probe did not finish"
fi

# field UNIT KEY: from the unit's probe.txt line
field() {
	grep "^$1 " "$P" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# last_status NAME: the exit status of NAME's last ExecStartPre
last_status() {
	grep -o "status=[0-9]*" "$W/results/$1.show" | tail -n 1
}

# template INSTANCE FILE: the instance succeeded and primed FILE
template() {
	tres=$(sed -n 's/^Result=//p' "$W/results/$1.show")
	tj=$W/results/$1.journal
	tf=$2
	check "$1: Result=$tres" '[ "$tres" = success ]'
	check "it primed $tf (its journal)" 'grep -q "$tf: .*(100%)" "$tj"'
}

# huge UNIT WHAT: active, and >= 99% of the eligible kB PMD-mapped
huge() {
	st=$(field "$1" state)
	pmd=$(field "$1" pmd_kb)
	check "$2: $1 is $st, ${pmd:-?} of $elig kB PMD-mapped" \
		'[ "$st" = active ] &&
		[ $((${pmd:-0} * 100)) -ge $((elig * 99)) ]'
}

huge hugetext-example.service "LD_AUDIT (the shipped example unit)"
lib=$(sed -n 's/^LD_AUDIT=//p' "$W/results/hugetext-example.env" 2>/dev/null)
check "the example's LD_AUDIT=$lib is the installed library" \
	'[ -n "$lib" ] && [ -f "$R$lib" ] &&
	cmp -s "$R$lib" "$LIBREF"'
rep=$W/results/hugetext-example.report
check "its report (HUGETEXT_REPORT) names the program" \
	'grep -q "/opt/httest/bigtext.audit" "$rep" 2>/dev/null'

huge ht-prime-pre.service "ExecStartPre=hugetext prime"
check "its ExecStartPre exited 0" \
	'[ "$(last_status ht-prime-pre)" = status=0 ]'
huge ht-prime-tmpl.service "hugetext-prime@.service"
template hugetext-prime@opt-httest-bigtext.tmpl bigtext.tmpl

st=$(field ht-plain.service state)
pmd=$(field ht-plain.service pmd_kb)
check "a plain service is $st, made huge by the daemon ($pmd of $elig kB PMD-mapped)" \
	'[ "$st" = active ] && [ "${pmd:-0}" -ge "$elig" ]'
dst=$(field hugetext.service state)
check "the daemon's unit (Type=notify, its hardening) is $dst" \
	'[ "$dst" = active ]'

st=$(field ht-busy.service state)
check "ExecStartPre prime on a busy page cache: the service is $st" \
	'[ "$st" = active ]'
check "that prime exited 0" '[ "$(last_status ht-busy)" = status=0 ]'
check "that prime said page-cache-busy" \
	'grep -q "page-cache-busy" "$W/results/ht-busy.journal"'

st=$(field ht-filtered.service state)
sc=$(field ht-filtered.service seccomp)
pmd=$(field ht-filtered.service pmd_kb)
msg="LD_AUDIT under SystemCallFilter=: $st, seccomp mode $sc,"
check "$msg left alone (${pmd:-?} kB PMD-mapped, no report)" \
	'[ "$st" = active ] && [ "$sc" = 2 ] && [ "$pmd" = 0 ] &&
	[ ! -s "$W/results/ht-filtered.report" ]'
huge ht-filtered-prime.service "SystemCallFilter= and hugetext-prime@.service"
template hugetext-prime@opt-httest-bigtext.fprime bigtext.fprime
huge ht-filtered-pre.service \
	"SystemCallFilter= and ExecStartPre=+hugetext prime"
sc=$(field hugetext-example.service seccomp)
check "the example unit itself runs unfiltered (seccomp mode $sc)" \
	'[ "$sc" = 0 ]'

{
	echo
	sed '/^done$/d' "$P"
	echo "eligible (readelf): $elig kB"
	echo "rootfs $t_rootfs s (made in $(sed -n 's/^seconds: //p' \
		"$cache/bookworm.stamp") s on $(sed -n 's/^made: //p' \
		"$cache/bookworm.stamp")), copy $t_copy s," \
		"boot to poweroff $t_boot s (exit $brc)," \
		"all $(($(date +%s) - t_start)) s"
} | tee "$W/summary.txt"
if [ "$failed" -ne 0 ]; then
	say "console (last 40 lines):"
	tail -n 40 "$W/console.log" >&2
	say "journal: $W/journal.txt; results: $W/results"
	exit 1
fi
# Keep the results, drop the copy.
rm -rf "$R"
