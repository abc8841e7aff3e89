// SPDX-License-Identifier: MIT
/*
 * inject.c - system calls made inside another process (inject.h).
 *
 * The thread is seized (PTRACE_SEIZE, so no SIGSTOP is sent and the
 * process's job-control state is not touched) and stopped with
 * PTRACE_INTERRUPT.  Each call: its registers set to the call at a
 * `syscall` instruction of its own, PTRACE_SYSCALL to the call's entry
 * and again to its exit (TRACESYSGOOD: these stops are no signals, so
 * no SIGTRAP can be left pending in it), the result read from rax.
 * At the end its saved registers go back, with the restart the kernel
 * would have made of the system call it was stopped in.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "inject.h"
#include "smaps.h"

#ifdef HT_INJECT_SUPPORTED

/* The kernel's own restart codes (include/linux/errno.h, not uapi). */
#define K_ERESTARTSYS		512
#define K_ERESTARTNOINTR	513
#define K_ERESTARTNOHAND	514
#define K_ERESTART_RESTARTBLOCK	516

/* A field of /proc/PID/task/TID/status: its first character, or 0. */
static int status_char(pid_t pid, pid_t tid, const char *key, long *num)
{
	char path[64], buf[4096], *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid,
		 (int)tid);
	n = ht_proc_read(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (!n)
		return -EIO;
	p = strstr(buf, key);
	if (!p)
		return 0;
	p += strlen(key);
	while (*p == ' ' || *p == '\t')
		p++;
	if (num)
		*num = strtol(p, NULL, 10);
	return (unsigned char)*p;
}

/* waitpid() for @tid's next stop; -ESRCH when it died instead. */
static int wait_stop(pid_t tid, int *st)
{
	pid_t r;

	do
		r = waitpid(tid, st, __WALL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == ECHILD ? -ESRCH : -errno;
	if (!WIFSTOPPED(*st))
		return -ESRCH;
	return 0;
}

static int read_mem(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)addr, len };

	return process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len ?
	       0 : -EFAULT;
}

struct vdso_find {
	uint64_t start, end;
};

static int find_vdso(const struct ht_vma *v, void *arg)
{
	struct vdso_find *f = arg;

	if (strcmp(v->path, "[vdso]") || !strchr(v->perms, 'x'))
		return 0;
	f->start = v->start;
	f->end = v->end;
	return 1;
}

/*
 * A `syscall` instruction (0f 05) of the process's own: the one it is
 * stopped in, else the first in its vDSO (whose fallback paths make
 * system calls).  Executed from any byte, two bytes 0f 05 are one.
 */
static int find_insn(struct ht_inject *in)
{
	struct vdso_find f = { 0 };
	unsigned char b[2], *buf;
	char path[64];
	size_t len, i;
	int fd, ret;

	if ((long long)in->saved.orig_rax >= 0 && in->saved.rip >= 2 &&
	    read_mem(in->pid, in->saved.rip - 2, b, 2) == 0 &&
	    b[0] == 0x0f && b[1] == 0x05) {
		in->insn = in->saved.rip - 2;
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)in->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ht_smaps_parse(fd, find_vdso, &f);
	close(fd);
	if (ret != 1)
		return ret < 0 ? ret : -ENOEXEC;
	len = f.end - f.start;
	if (len > (1 << 20))
		return -ENOEXEC;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	ret = read_mem(in->pid, f.start, buf, len);
	for (i = 0; !ret && i + 1 < len; i++)
		if (buf[i] == 0x0f && buf[i + 1] == 0x05)
			break;
	if (!ret && i + 1 >= len)
		ret = -ENOEXEC;
	free(buf);
	if (!ret)
		in->insn = f.start + i;
	return ret;
}

/* Let the thread go, delivering @sig (0: none) if it is in its stop. */
static int let_go(struct ht_inject *in, int sig)
{
	int ret = 0;

	if (ptrace(PTRACE_DETACH, in->tid, NULL, (void *)(long)sig))
		ret = errno == ESRCH ? -ESRCH : -EIO;
	in->attached = false;
	in->in_call = false;
	in->stop_usec = ht_now_usec() - in->t_stop;
	sigprocmask(SIG_SETMASK, &in->oldmask, NULL);
	return ret;
}

/*
 * Were we to die while its registers are not its own, it would resume
 * with ours: hold off the signals that end a program meanwhile (all but
 * SIGKILL, which cannot be).
 */
static void hold_signals(struct ht_inject *in)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGALRM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTSTP);
	sigprocmask(SIG_BLOCK, &set, &in->oldmask);
}

/* The refusals, from the thread's status alone. */
static int refusal(pid_t pid)
{
	long tracer = 0, filter = 0;
	int state;

	state = status_char(pid, pid, "State:", NULL);
	if (state < 0)
		return state == -ENOENT ? -ESRCH : state;
	if (state == 'Z' || state == 'X')
		return -ESRCH;
	if (state == 'T' || state == 't')
		return -EAGAIN;
	if (status_char(pid, pid, "TracerPid:", &tracer) > 0 && tracer)
		return -EBUSY;
	if (status_char(pid, pid, "Seccomp:", &filter) <= 0 || filter)
		return -ENOTSUP;
	return 0;
}

int ht_inject_check(pid_t pid)
{
	char path[64];
	int ret = refusal(pid), fd;

	if (ret)
		return ret;
	/*
	 * Opening its memory for writing asks the kernel (and Yama) the
	 * very question PTRACE_SEIZE will: may we attach?
	 */
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH :
		       errno == EACCES || errno == EPERM ? -EPERM : -errno;
	close(fd);
	return 0;
}

int ht_inject_begin(pid_t pid, struct ht_inject *in)
{
	int st, tries, ret, sig;

	memset(in, 0, sizeof(*in));
	in->pid = in->tid = pid;
	ret = refusal(pid);
	if (ret)
		return ret;
	hold_signals(in);
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)PTRACE_O_TRACESYSGOOD)) {
		ret = errno == EPERM || errno == EACCES ? -EPERM : -errno;
		sigprocmask(SIG_SETMASK, &in->oldmask, NULL);
		return ret;
	}
	in->attached = true;
	in->t_stop = ht_now_usec();
	for (tries = 0; tries < 8; tries++) {
		if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL)) {
			ret = -errno;
			goto fail;
		}
		ret = wait_stop(pid, &st);
		if (ret) {
			in->attached = false;
			sigprocmask(SIG_SETMASK, &in->oldmask, NULL);
			return ret;
		}
		sig = WSTOPSIG(st);
		if (st >> 16 == PTRACE_EVENT_STOP) {
			if (sig == SIGTRAP)
				break;
			/* A group stop came meanwhile: it stays stopped. */
			let_go(in, 0);
			return -EAGAIN;
		}
		/* A signal on its way to it: deliver it, stop it again. */
		in->t_stop = ht_now_usec();
		if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig)) {
			ret = -errno;
			goto fail;
		}
	}
	if (tries == 8) {
		ret = -EAGAIN;
		goto fail;
	}
	if (ptrace(PTRACE_GETREGS, pid, NULL, &in->saved)) {
		ret = -errno;
		goto fail;
	}
	ret = find_insn(in);
	if (ret)
		goto fail;
	return 0;
fail:
	let_go(in, 0);
	return ret;
}

long ht_inject_call(struct ht_inject *in, long nr, long a, long b, long c)
{
	struct user_regs_struct r = in->saved;
	int st, i, ret, sig;

	if (!in->attached)
		return -ESRCH;
	r.rip = in->insn;
	r.rax = (unsigned long long)nr;
	r.orig_rax = (unsigned long long)-1;	/* no restart of ours */
	r.rdi = (unsigned long long)a;
	r.rsi = (unsigned long long)b;
	r.rdx = (unsigned long long)c;
	r.r10 = r.r8 = r.r9 = 0;
	if (ptrace(PTRACE_SETREGS, in->tid, NULL, &r))
		goto io;
	in->in_call = true;
	/* To the call's entry stop, then to its exit stop. */
	for (i = 0; i < 2; i++) {
		if (ptrace(PTRACE_SYSCALL, in->tid, NULL, NULL))
			goto io;
		ret = wait_stop(in->tid, &st);
		if (ret) {
			in->attached = false;
			sigprocmask(SIG_SETMASK, &in->oldmask, NULL);
			return ret;
		}
		sig = WSTOPSIG(st);
		if (sig == (SIGTRAP | 0x80))
			continue;
		/*
		 * A signal for it (or a group stop): its own registers back,
		 * so that the kernel delivers it, and restarts or ends its
		 * system call, exactly as without us.
		 */
		if (ptrace(PTRACE_SETREGS, in->tid, NULL, &in->saved))
			goto io;
		in->in_call = false;
		ret = let_go(in, st >> 16 == PTRACE_EVENT_STOP ? 0 : sig);
		return ret ? ret : -EINTR;
	}
	if (ptrace(PTRACE_GETREGS, in->tid, NULL, &r))
		goto io;
	return (long)r.rax;
io:
	ret = errno == ESRCH ? -ESRCH : -EIO;
	let_go(in, 0);
	return ret;
}

/*
 * Calls that fail with EINTR when their thread merely stops, with no
 * handler run (signal(7): epoll waits, System V semaphores, signal
 * waits, io_getevents); our stop must not be seen, so they begin again.
 */
static bool eintr_on_stop(long long nr)
{
	switch (nr) {
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
#ifdef SYS_epoll_pwait2
	case SYS_epoll_pwait2:
#endif
	case SYS_semop:
	case SYS_semtimedop:
	case SYS_rt_sigtimedwait:
	case SYS_io_getevents:
		return true;
	}
	return false;
}

int ht_inject_end(struct ht_inject *in)
{
	struct user_regs_struct r = in->saved;
	long long nr = (long long)r.orig_rax;
	bool restart = false;

	if (!in->attached)
		return 0;
	/*
	 * Leaving from a system-call exit after our calls, the kernel
	 * restarts nothing: make the restart it would have made of its
	 * own call, had no handler run.  And the calls that give up on
	 * any stop begin again, as if we had never stopped it.
	 */
	if (nr >= 0) {
		switch ((long long)r.rax) {
		case -K_ERESTARTSYS:
		case -K_ERESTARTNOINTR:
		case -K_ERESTARTNOHAND:
			restart = in->in_call;
			r.rax = r.orig_rax;
			break;
		case -K_ERESTART_RESTARTBLOCK:
			restart = in->in_call;
			r.rax = SYS_restart_syscall;
			break;
		case -EINTR:
			restart = eintr_on_stop(nr);
			r.rax = r.orig_rax;
			break;
		}
	}
	if (!restart)	/* as it was: the kernel does the rest */
		r = in->saved;
	else
		r.rip -= 2;
	if (!restart && !in->in_call)
		return let_go(in, 0);
	if (ptrace(PTRACE_SETREGS, in->tid, NULL, &r)) {
		let_go(in, 0);
		return -EIO;
	}
	return let_go(in, 0);
}

#else /* !HT_INJECT_SUPPORTED */

int ht_inject_check(pid_t pid)
{
	(void)pid;
	return -EOPNOTSUPP;
}

int ht_inject_begin(pid_t pid, struct ht_inject *in)
{
	memset(in, 0, sizeof(*in));
	in->pid = in->tid = pid;
	return -EOPNOTSUPP;
}

long ht_inject_call(struct ht_inject *in, long nr, long a, long b, long c)
{
	(void)in; (void)nr; (void)a; (void)b; (void)c;
	return -EOPNOTSUPP;
}

int ht_inject_end(struct ht_inject *in)
{
	(void)in;
	return 0;
}

#endif
