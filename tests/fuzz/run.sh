#!/bin/sh
# tests/fuzz/run.sh [SECONDS [TARGET...]] - build the libFuzzer targets
# of tests/fuzz with clang (-fsanitize=fuzzer,address,undefined) and run
# each for SECONDS (default 30) over a fresh copy of its seed corpus
# (tests/fuzz/corpus/TARGET), one after the other, one process each.
#
# Targets: elf (the ELF reader), placement (the placement prediction),
# loaded (the library's in-memory header reading), smaps (the smaps
# parser); all four by default.  Everything is built and written in
# FUZZ_DIR (default ./build-fuzz): the binaries, corpus/TARGET (the
# copy, grown by the run), artifacts/TARGET (what failed), TARGET.log.
#
# Exits 1 if any target crashed, leaked, broke a check, timed out or
# ran out of memory, or if a sanitizer reported anything, and names
# the input that did it; rerun it with "FUZZ_DIR/fuzz_TARGET FILE".
# A long run: tests/fuzz/run.sh 3600.
set -eu

cd "$(dirname "$0")/../.."
top=$(pwd)
secs=${1:-30}
[ $# -gt 0 ] && shift
targets=${*:-elf placement loaded smaps}
dir=${FUZZ_DIR:-$top/build-fuzz}

case $secs in
''|*[!0-9]*)
	echo "usage: $0 [SECONDS [TARGET...]]" >&2
	exit 2
	;;
esac

# clang, its libFuzzer and sanitizer runtimes, and libelf.
pkgs="clang libclang-rt-dev libelf-dev"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "fuzz: installing:$missing"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends $missing >/dev/null
fi

# Each target with the sources it drives; no configure, no config.h.
sources() {
	case $1 in
	elf)
		echo src/cli/elf_segments.c
		;;
	placement)
		echo src/cli/placement.c src/cli/elf_segments.c \
			src/lib/spans.c src/lib/reason.c
		;;
	loaded)
		echo src/preload/loaded.c src/lib/spans.c
		;;
	smaps)
		echo src/lib/smaps.c src/lib/pagemap.c
		;;
	*)
		echo "fuzz: no target '$1' (elf, placement, loaded, smaps)" >&2
		exit 2
		;;
	esac
}

# The largest input worth trying: smaps lines outgrow the parser's
# first 16 KiB buffer; an ELF file's headers fit in 4 KiB.
max_len() {
	case $1 in
	smaps) echo 40000 ;;
	*) echo 4096 ;;
	esac
}

mkdir -p "$dir"
CFLAGS_FUZZ="-g -O1 -fno-omit-frame-pointer \
-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
-Wall -Wextra -D_GNU_SOURCE -Isrc/lib -Isrc/cli -Isrc/preload -Itests/fuzz"
for t in $targets; do
	src=$(sources "$t")
	# shellcheck disable=SC2086
	clang $CFLAGS_FUZZ -o "$dir/fuzz_$t" "tests/fuzz/fuzz_$t.c" $src \
		-lelf
done

# A report from any sanitizer ends the process with an error; leaks
# are looked for after every input that allocated more than it freed.
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=1"
UBSAN_OPTIONS="${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS

failed=
total=0
for t in $targets; do
	rm -rf "$dir/corpus/$t" "$dir/artifacts/$t"
	mkdir -p "$dir/corpus" "$dir/artifacts/$t"
	cp -R "tests/fuzz/corpus/$t" "$dir/corpus/$t"
	echo "fuzz: $t for $secs s"
	rc=0
	"$dir/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
		-artifact_prefix="$dir/artifacts/$t/" "$dir/corpus/$t" \
		> "$dir/$t.log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		"$dir/$t.log" | tail -n 1)
	total=$((total + ${runs:-0}))
	bad=$(find "$dir/artifacts/$t" -type f | head -n 1)
	if [ "$rc" -ne 0 ] || [ -n "$bad" ] ||
	   grep -q 'ERROR: \|runtime error:\|check failed:' "$dir/$t.log"; then
		grep -m 5 'ERROR: \|runtime error:\|check failed:\|SUMMARY' \
			"$dir/$t.log" >&2 || true
		echo "fuzz: $t FAILED (exit $rc) after ${runs:-?} runs;" \
			"log $dir/$t.log" >&2
		[ -z "$bad" ] ||
			echo "fuzz: reproduce: $dir/fuzz_$t $bad" >&2
		failed="$failed $t"
	else
		echo "fuzz: $t: ${runs:-?} runs, no failure"
	fi
done
echo "fuzz: $total runs in all"
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed" >&2
	exit 1
fi
