/* SPDX-License-Identifier: MIT */
/*
 * inject.h - system calls made by another process, from inside it: one
 * of its threads stopped for a moment with ptrace, its registers saved,
 * the calls executed at a `syscall` instruction of its own (its vDSO's,
 * or the one it is blocked in), every register put back, and the thread
 * let go.  For what only the process itself can do to its address space
 * (a MADV_DONTNEED that frees its page tables, so that its next fault
 * maps a PMD); process_madvise() does the rest from outside.
 *
 * x86-64 only (HT_INJECT_SUPPORTED); elsewhere every call returns
 * -EOPNOTSUPP.
 *
 * What the process can tell: the one thread is stopped for the length
 * of the calls (its other threads run on); a system call it was blocked
 * in is restarted as after any signal it has no handler for (a read, an
 * accept, a futex wait go on waiting; a nanosleep sleeps what was left);
 * a signal that arrives meanwhile is delivered to it as it came, in its
 * own context, and ends the injection (-EINTR).
 */
#ifndef HT_INJECT_H
#define HT_INJECT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#if defined(__x86_64__)
#define HT_INJECT_SUPPORTED 1
#include <sys/user.h>
#endif

struct ht_inject {
	pid_t pid, tid;		/* the process and the thread used */
	uint64_t insn;		/* address of its `syscall` instruction */
	uint64_t t_stop;	/* ht_now_usec() when it stopped */
	uint64_t stop_usec;	/* how long it was stopped, after the end */
	bool attached;		/* seized (and stopped) */
	bool in_call;		/* registers not its own now */
	sigset_t oldmask;	/* ours, while it is stopped */
#ifdef HT_INJECT_SUPPORTED
	struct user_regs_struct saved;
#endif
};

/*
 * ht_inject_begin - seize and stop one thread of @pid (the main thread)
 * and find where to make calls in it.  Refuses, changing nothing: a
 * process traced already (-EBUSY), stopped (-ESRCH? no: -EAGAIN), under
 * a seccomp filter, which could kill it for a call it never makes itself
 * (-ENOTSUP), one we may not ptrace (-EPERM: CAP_SYS_PTRACE or the
 * ptrace access rules, Yama's ptrace_scope), one that is gone (-ESRCH).
 * Returns 0 with the thread stopped, or a -errno as above or another.
 */
int ht_inject_begin(pid_t pid, struct ht_inject *in);

/*
 * ht_inject_check - would ht_inject_begin() on @pid be refused?  Asked
 * before anything is changed, so that a refusal changes nothing: the
 * same -errno as ht_inject_begin() (-EPERM: no right to attach), or 0.
 * Stops nothing.
 */
int ht_inject_check(pid_t pid);

/*
 * ht_inject_call - make system call @nr(@a, @b, @c) in the stopped
 * thread.  Returns its result (>= 0, or its -errno), or, with the
 * injection ended and the thread let go: -EINTR when a signal came for
 * it (delivered), -ESRCH when it is gone, -EIO when ptrace failed.
 * Distinguish the call's own errors from these by in->attached.
 */
long ht_inject_call(struct ht_inject *in, long nr, long a, long b, long c);

/*
 * ht_inject_end - put the thread's registers back (and the restart of
 * the system call it was stopped in) and let it go.  Sets
 * in->stop_usec.  Returns 0, or -errno when ptrace failed (the thread
 * is gone).  A no-op when the injection has ended already.
 */
int ht_inject_end(struct ht_inject *in);

#endif /* HT_INJECT_H */
