# tests/harm/output.mk - harm tests (included by Makefile.am).
# Output that cannot hurt (stderr, the report file, errno), seccomp
# filters, and the fault-injection harness (every errno from every
# system call the library makes, through a seccomp filter).

# sc_filter: run a program under a seccomp filter (raw BPF).
tests/harm/progs/sc_filter: tests/harm/progs/sc_filter.c
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(CC) -O2 $(WARN_CFLAGS) \
		-o $@ $(srcdir)/tests/harm/progs/sc_filter.c

# out_brokenpipe: stderr a pipe whose reader is gone.
tests/harm/progs/out_brokenpipe: tests/harm/progs/out_brokenpipe.c
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(CC) -O2 $(WARN_CFLAGS) \
		-o $@ $(srcdir)/tests/harm/progs/out_brokenpipe.c

# out_prog: 24 MiB of text, reports errno, signal state, a data file.
tests/harm/progs/out_prog: tests/harm/progs/out_prog.c \
		tests/progs/copy_smaps.h tests/progs/main24.S
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(CC) -O2 -fPIE -pie \
		$(HT_BIG_FLAGS) -I$(srcdir)/tests/progs -o $@ \
		$(srcdir)/tests/harm/progs/out_prog.c tests/progs/main24.S -ldl

HARM_PROGS += tests/harm/progs/sc_filter tests/harm/progs/out_brokenpipe \
	tests/harm/progs/out_prog
HARM_TESTS += tests/harm/seccomp_kill.sh tests/harm/out_stderr_pipe.sh \
	tests/harm/out_fd2_closed.sh tests/harm/out_report_fifo.sh \
	tests/harm/out_report_full.sh tests/harm/out_report_symlink.sh \
	tests/harm/out_errno.sh tests/harm/fault_inject.sh
EXTRA_DIST += tests/harm/progs/sc_filter.c tests/harm/progs/out_brokenpipe.c \
	tests/harm/progs/out_prog.c

# out_fds: fd numbering under -v, and a daemon reopening its stderr.
tests/harm/progs/out_fds: tests/harm/progs/out_fds.c
	$(AM_V_CCLD)mkdir -p tests/harm/progs && $(CC) -O2 $(WARN_CFLAGS) \
		-o $@ $(srcdir)/tests/harm/progs/out_fds.c -ldl
HARM_PROGS += tests/harm/progs/out_fds
HARM_TESTS += tests/harm/out_fds.sh tests/harm/out_thread_verbose.sh
EXTRA_DIST += tests/harm/progs/out_fds.c

# sec_environ: the start-up stack, secure execution, the launcher's word,
# per-thread filters (its programs are built by the test itself).
HARM_TESTS += tests/harm/sec_environ.sh
EXTRA_DIST += tests/harm/progs/sec_thread.c tests/harm/progs/sec_unsetenv.c
