#!/bin/sh
# tests/sanitize.sh [BUILDDIR] - the test suite (unit, integration,
# harm) built with -fsanitize=address,undefined, failing on any report.
#
# Configures BUILDDIR (default ./build-san, next to ./build) from this
# source tree with --enable-sanitizers, builds, runs `make check` there
# and prints the automake summary.  Exits non-zero if a test fails or if
# any sanitizer report was written, by any process, anywhere.
#
# Where the sanitizers run (configure.ac, Makefile.am):
#   - the launcher, the libraries it links and the Criterion unit tests
#     are ordinary ASan+UBSan programs;
#   - libhugetext.so is built with ASan+UBSan too and is loaded into
#     programs that are NOT sanitized (the test programs, /bin/sh...):
#       audit role (LD_AUDIT, what the launcher sets): the library, its
#         libasan and libubsan live in the audit namespace with their
#         own libc; ASan's malloc serves exactly the library's
#         allocations there, so heap, stack and global checks, UBSan and
#         LeakSanitizer all cover the library's code and only it.  ASan
#         is not first in the *program's* library list, hence
#         verify_asan_link_order=0.
#       preload role (LD_PRELOAD=libhugetext.so, as the tests write it):
#         libasan comes after the program's libc in the symbol search
#         order, so malloc stays libc's: UBSan and ASan's stack and
#         global checks run, heap redzones do not.  The preload smoke
#         below therefore also runs the preload form with libasan
#         preloaded first, where ASan's allocator serves the whole
#         program and the library's heap use is fully checked.
#
# Reports go to files (log_path), not only to stderr: many tests capture
# a program's stderr in a scratch directory that is removed, or compare
# it.  The path is relative (sanitizer-report.EXE.PID in the process's
# working directory: the build directory, for all tests but install.sh):
# with a slash in it, the runtime mkdir()s every parent directory at
# start-up through libc, and a preloaded libasan then leaves errno at
# EEXIST in the program's main() (tests/harm/out_errno.sh).  Any such
# file under the build directory fails the run, and so does any report
# in a test log; a report written elsewhere still fails its test through
# the exit status (86).
#
# HT_SANITIZE=1 is exported for the tests: what a sanitized build cannot
# keep is theirs to relax (the library's NEEDED list gains libasan,
# libm and libgcc_s; fault injection into the system calls the runtimes
# make themselves - mmap PROT_NONE, munmap, read, and rt_sigprocmask
# under LeakSanitizer - fails the runtimes, not the library).  Also not
# possible here: both roles in one process (LD_PRELOAD and LD_AUDIT
# naming the library), which would put two ASan runtimes in it.
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
bdir=${1:-${SAN_BUILDDIR:-$top/build-san}}
jobs=${SAN_JOBS:-2}
t0=$(date +%s)

[ -x configure ] && [ configure -nt configure.ac ] &&
	[ Makefile.in -nt Makefile.am ] || autoreconf -fi >/dev/null 2>&1
mkdir -p "$bdir"
bdir=$(cd "$bdir" && pwd)
cd "$bdir"
if [ ! -f Makefile ] || ! grep -q -- '--enable-sanitizers' config.status; then
	"$top/configure" -q --enable-sanitizers
fi
grep -q '^SAN_CFLAGS = .*-fsanitize=address,undefined' Makefile || {
	echo "sanitize.sh: $bdir is not configured with --enable-sanitizers" >&2
	exit 1
}
make -s -j"$jobs"

# Options for every process of the suite (environment: the Criterion
# workers, forked and exec'd, and every program the tests start inherit
# them).  exitcode 86 stands out from the statuses tests expect.
find . -name 'sanitizer-report.*' -type f -exec rm -f {} +
common="halt_on_error=1:exitcode=86:print_stacktrace=1:log_exe_name=1"
common="$common:log_path=sanitizer-report"
# verify_asan_link_order=0: libasan loaded by the audit module or a
#   preload, not first in a non-sanitized program's list (see above).
# detect_leaks=1 everywhere: the CLI and unit tests (Criterion's
#   workers are exec'd with this environment; a leak found at a worker's
#   exit does not fail its test, the report file does), and the library
#   in the audit role (ASan's heap there is the library's alone).  In
#   the preload role without libasan first LSan sees nothing; with
#   libasan first (the smoke below) it sees the whole program, but the
#   programs used there free what they allocate, so a leak is ours.
# handle_*=0, use_sigaltstack=0: the library must leave the program's
#   signal dispositions as they were; by default the ASan runtime that
#   comes with the library installs SIGSEGV, SIGBUS and SIGFPE handlers
#   in every program that loads it (a program that dies of SIGSEGV
#   must still die of it).
ASAN_OPTIONS="$common:verify_asan_link_order=0:detect_leaks=1"
ASAN_OPTIONS="$ASAN_OPTIONS:handle_segv=0:handle_sigbus=0:handle_sigfpe=0"
ASAN_OPTIONS="$ASAN_OPTIONS:handle_abort=0:handle_sigill=0:use_sigaltstack=0"
ASAN_OPTIONS="$ASAN_OPTIONS:strict_string_checks=1"
UBSAN_OPTIONS="$common:handle_segv=0:handle_sigbus=0:handle_sigfpe=0"
UBSAN_OPTIONS="$UBSAN_OPTIONS:handle_abort=0:handle_sigill=0:use_sigaltstack=0"
LSAN_OPTIONS="$common"
HT_SANITIZE=1
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS HT_SANITIZE

status=0
make -s -j"$jobs" check || status=$?

# The preload role with ASan's allocator (libasan preloaded first).
libasan=$(${CC:-cc} -print-file-name=libasan.so)
libasan=$(readlink -f "$libasan")
lib=$bdir/.libs/libhugetext.so
smoke_fail=0
smoke() {
	if env LD_PRELOAD="$libasan:$lib" HUGETEXT_VERBOSE=1 \
	    HUGETEXT_REPORT="$bdir/tests/san-smoke.json" \
	    "$@" >"$bdir/tests/san-smoke.out" 2>&1; then
		echo "preload smoke: ok: $*"
	else
		echo "preload smoke: FAIL ($?): $*"
		sed 's/^/  | /' "$bdir/tests/san-smoke.out" | tail -n 20
		smoke_fail=1
	fi
}
if [ -f "$lib" ] && [ -f "$libasan" ]; then
	rm -f "$bdir/tests/san-smoke.json"
	p=$bdir/tests/progs
	smoke "$p/bigtext"
	smoke "$p/bigtext-lib"
	smoke "$p/dlopener" "$p/libbig.so"
	smoke "$p/dlopener" -t 4 -n 3 "$p/libbig.so"
	smoke env HUGETEXT_DRY_RUN=1 "$p/bigtext"
	smoke env HUGETEXT_STRATEGY=bad "$p/bigtext"
	smoke /bin/true
	smoke /bin/ls -l /
else
	echo "preload smoke: skipped (no $lib or libasan)"
fi

# The automake summary.
echo
echo "sanitize.sh: make check in $bdir (exit $status):"
[ ! -f test-suite.log ] ||
	grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' test-suite.log ||
	true
for t in $(find tests -name '*.trs' | sort); do
	r=$(sed -n 's/^:global-test-result: //p' "$t" | head -n 1)
	case $r in FAIL|ERROR|XPASS) echo "  $r: ${t%.trs}" ;; esac
done

# Any report: in a file (log_path) or in a test log.
found=0
reports=$(find . -name 'sanitizer-report.*' -type f | sort)
if [ -n "$reports" ]; then
	found=1
	echo
	echo "sanitize.sh: sanitizer reports under $bdir:"
	for r in $reports; do
		echo "--- $r"
		sed -n 1,40p "$r"
	done
fi
logs=$(find tests -name '*.log' -exec grep -l -E \
	'runtime error:|ERROR: (AddressSanitizer|LeakSanitizer)' {} + || true)
if [ -n "$logs" ]; then
	found=1
	echo
	echo "sanitize.sh: sanitizer reports in test logs:"
	for l in $logs; do
		echo "--- $l"
		grep -n -A 12 -E 'runtime error:|ERROR: (AddressSanitizer|LeakSanitizer)' \
			"$l" | head -n 40
	done
fi

echo
echo "sanitize.sh: $(($(date +%s) - t0)) s"
if [ "$status" -ne 0 ] || [ "$found" -ne 0 ] || [ "$smoke_fail" -ne 0 ]; then
	echo "sanitize.sh: FAILED (make check $status, reports $found, preload smoke $smoke_fail)"
	exit 1
fi
echo "sanitize.sh: passed, no sanitizer report"
