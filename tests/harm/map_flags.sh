#!/bin/sh
# Issue 9, item 5: what a program set on its text mappings stays set.
# map_flags puts MADV_DONTDUMP, a protection key (where the CPU has
# them), MADV_NOHUGEPAGE (4 MiB) and MADV_DONTFORK (2 MiB) on text:
#   preinit  the program's own, in .preinit_array: before an LD_PRELOAD
#            library's start-up pass (an audit module's runs earlier)
#   main     the program's own, in main(), then it dlopens a big library
#            it set nothing on (a dlopen pass follows)
#   lib      a dlopened big library's, after that dlopen; then a second
#            big library is dlopened (another dlopen pass)
#   busy     as preinit but without MADV_NOHUGEPAGE (hugetext acts on the
#            text), while another process maps the file's small folios:
#            the case where the old refault loop mapped the text again
# Under the launcher and with LD_PRELOAD, on fresh small-folio copies:
# the same output and status as a plain run, the same VmFlags and
# ProtectionKey per mapping of each file in the program's own smaps
# ("hg" included: hugetext adds none), and 0 kB PMD-mapped in every range
# the program marked MADV_NOHUGEPAGE (it zaps that range itself right
# after marking it, so a PMD there was mapped later, against its wish).
. "$HT_SRCDIR/tests/integration/lib.sh"
. "$HT_SRCDIR/tests/harm/map_lib.sh"
scratch

P=$T/map_flags
L1=$T/libone.so
L2=$T/libtwo.so

# fresh: small-folio copies of the program and both libraries.
fresh() {
	copy_small "$MP/map_flags" "$P"
	copy_small "$PROGS/libbig.so" "$L1"
	copy_small "$PROGS/libbig.so" "$L2"
}

# one CASE FORM ARGS...: run map_flags ARGS in FORM; its regions.
# Fresh copies first, except with the page cache busy.
one() {
	c=$1
	f=$2
	shift 2
	[ "$c" = busy ] || fresh
	run_as "$c.$f" "$f" "$P" "$@" -s "$T/$c.$f.smaps"
	if [ -s "$T/$c.$f.smaps" ]; then
		regions "$T/$c.$f.smaps" prog="$P" lib1="$L1" lib2="$L2" \
			> "$T/$c.$f.regions"
	else
		: > "$T/$c.$f.regions"
	fi
}

for c in preinit main lib busy; do
	case $c in
	preinit) set -- -P ;;
	main) set -- -M -A "$L1" ;;
	lib) set -- -A "$L1" -F -B "$L2" ;;
	busy) set -- -P -N
		fresh
		busy_start "$P" -w ;;
	esac
	one "$c" plain "$@"
	st=$(cat "$T/$c.plain.st")
	if [ "$st" -eq 4 ]; then
		skip "$c: the program cannot set its flags: $(cat "$T/$c.plain.out")"
	fi
	[ "$st" -eq 0 ] || fail "$c: plain run status $st: $(cat "$T/$c.plain.err")"
	grep -q ',dd' "$T/$c.plain.regions" ||
		fail "$c: plain run shows no dd flag: $(cat "$T/$c.plain.regions")"
	for f in ht preload; do
		one "$c" "$f" "$@"
		same_as "$c.$f" "$c.plain" "$c, $f"
		if cmp -s "$T/$c.plain.regions" "$T/$c.$f.regions"; then
			ok "$c, $f: same VmFlags and keys per mapping as plain"
		else
			bad "$c, $f: mappings differ from plain (VmFlags, keys):"
			diff "$T/$c.plain.regions" "$T/$c.$f.regions" |
				sed 's/^/  /' | head -n 20
		fi
		[ -s "$T/$c.$f.smaps" ] || continue
		for o in "$P" "$L1" "$L2"; do
			nh=$(nh_pmd_kb "$T/$c.$f.smaps" "$o")
			if [ "$nh" -ne 0 ]; then
				bad "$c, $f: ${o##*/}: $nh kB PMD-mapped in MADV_NOHUGEPAGE text"
			fi
		done
		echo "   ($c, $f: PMD-mapped elsewhere: prog" \
			"$(pmd_kb "$T/$c.$f.smaps" "$P") kB, lib1" \
			"$(pmd_kb "$T/$c.$f.smaps" "$L1") kB, lib2" \
			"$(pmd_kb "$T/$c.$f.smaps" "$L2") kB)"
	done
	[ "$c" != busy ] || busy_stop
done
grep -q 'protection key set' "$T/preinit.plain.out" ||
	echo "   (no protection keys on this CPU: keys not exercised)"
finish
