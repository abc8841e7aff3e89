// SPDX-License-Identifier: MIT
/*
 * test_inject.c - inject.c: a call made in another process runs there
 * (its getpid, its address space), and the system call the process was
 * blocked in goes on exactly as without us: read, nanosleep, futex,
 * epoll_wait and accept, each 100 times; a process of 8 threads in
 * different calls; a signal that comes meanwhile is delivered.  And the
 * refusals: traced, stopped, under seccomp, not ours to trace.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "inject.h"

#ifdef HT_INJECT_SUPPORTED

enum blocker { B_READ, B_NANOSLEEP, B_FUTEX, B_EPOLL, B_ACCEPT, B_BUSY };

/* Shared with the child: a futex word and where to accept. */
static _Atomic int *shared;
static int pipefd[2], ready[2];
static char sockpath[108];

static long uptime_ms(void)
{
	return (long)(ht_now_usec() / 1000);
}

/*
 * The child's side: block in @b, then exit 0 if the call returned what
 * it would have without an injection, else a code naming what differed.
 */
static int blocked(enum blocker b)
{
	struct timespec ts = { 0, 150 * 1000 * 1000 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	long t0 = uptime_ms();
	char c = 0;
	int s, e, r;

	switch (b) {
	case B_READ:
		if (write(ready[1], "r", 1) != 1)
			return 9;
		r = (int)read(pipefd[0], &c, 1);
		return r == 1 && c == 'x' ? 0 : 2;
	case B_NANOSLEEP:
		if (write(ready[1], "r", 1) != 1)
			return 9;
		r = nanosleep(&ts, NULL);
		/* All of its 150 ms slept, not cut short or begun again. */
		if (r)
			return 3;
		return uptime_ms() - t0 >= 145 && uptime_ms() - t0 < 1500 ?
		       0 : 4;
	case B_FUTEX:
		if (write(ready[1], "r", 1) != 1)
			return 9;
		while (atomic_load(shared) == 0) {
			r = (int)syscall(SYS_futex, shared, FUTEX_WAIT, 0,
					 NULL, NULL, 0);
			if (r && errno != EAGAIN)
				return 5;
		}
		return 0;
	case B_EPOLL:
		e = epoll_create1(0);
		ev.data.u32 = 7;
		epoll_ctl(e, EPOLL_CTL_ADD, pipefd[0], &ev);
		if (write(ready[1], "r", 1) != 1)
			return 9;
		r = epoll_wait(e, &out, 1, -1);
		return r == 1 && out.data.u32 == 7 ? 0 : 6;
	case B_ACCEPT:
		s = socket(AF_UNIX, SOCK_STREAM, 0);
		memcpy(sa.sun_path, sockpath, sizeof(sa.sun_path));
		if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
		    listen(s, 1))
			return 8;
		if (write(ready[1], "r", 1) != 1)
			return 9;
		r = accept(s, NULL, NULL);
		return r >= 0 ? 0 : 7;
	case B_BUSY:
		if (write(ready[1], "r", 1) != 1)
			return 9;
		while (atomic_load(shared) == 0)
			;
		return 0;
	}
	return 10;
}

/* Wake what @b waits for. */
static void release(enum blocker b)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	switch (b) {
	case B_READ:
	case B_EPOLL:
		cr_assert_eq(write(pipefd[1], "x", 1), 1);
		break;
	case B_FUTEX:
	case B_BUSY:
		atomic_store(shared, 1);
		syscall(SYS_futex, shared, FUTEX_WAKE, 1, NULL, NULL, 0);
		break;
	case B_ACCEPT:
		s = socket(AF_UNIX, SOCK_STREAM, 0);
		memcpy(sa.sun_path, sockpath, sizeof(sa.sun_path));
		cr_assert_eq(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
		close(s);
		break;
	case B_NANOSLEEP:
		break;
	}
}

static void shared_init(void)
{
	if (!shared) {
		shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		cr_assert_neq((void *)shared, MAP_FAILED);
	}
	atomic_store(shared, 0);
}

static pid_t start(enum blocker b)
{
	pid_t pid;
	char c;

	shared_init();
	cr_assert_eq(pipe(pipefd), 0);
	cr_assert_eq(pipe(ready), 0);
	snprintf(sockpath, sizeof(sockpath), "/tmp/ht-inject-%d.sock",
		 (int)getpid());
	unlink(sockpath);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(blocked(b));
	cr_assert_eq(read(ready[0], &c, 1), 1);
	/* Let it get into its call. */
	usleep(b == B_BUSY ? 1000 : 5000);
	return pid;
}

static int finish(pid_t pid, enum blocker b)
{
	int st;

	release(b);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	close(pipefd[0]);
	close(pipefd[1]);
	close(ready[0]);
	close(ready[1]);
	unlink(sockpath);
	cr_assert(WIFEXITED(st), "child died of signal %d", WTERMSIG(st));
	return WEXITSTATUS(st);
}

/* Inject getpid and a madvise of its own; both must be the child's. */
static void inject_into(pid_t pid)
{
	struct ht_inject in;
	long r;
	int ret;

	ret = ht_inject_begin(pid, &in);
	cr_assert_eq(ret, 0, "begin: %s", strerror(-ret));
	r = ht_inject_call(&in, SYS_getpid, 0, 0, 0);
	cr_assert_eq(r, pid, "getpid in the child gave %ld", r);
	/* An invalid madvise: its EINVAL is the call's own answer. */
	r = ht_inject_call(&in, SYS_madvise, 1, 4096, MADV_DONTNEED);
	cr_assert_eq(r, -EINVAL, "madvise gave %ld", r);
	cr_assert(in.attached);
	cr_assert_eq(ht_inject_end(&in), 0);
	cr_assert_lt(in.stop_usec, 200000, "stopped %llu us",
		     (unsigned long long)in.stop_usec);
}

static void matrix(enum blocker b, const char *what)
{
	int i, code;

	for (i = 0; i < 100; i++) {
		pid_t pid = start(b);

		inject_into(pid);
		code = finish(pid, b);
		cr_assert_eq(code, 0, "%s, run %d: the blocked call came back"
			     " wrong (code %d)", what, i, code);
	}
}

Test(inject, read_resumes) { matrix(B_READ, "read"); }
Test(inject, nanosleep_resumes) { matrix(B_NANOSLEEP, "nanosleep"); }
Test(inject, futex_resumes) { matrix(B_FUTEX, "futex"); }
Test(inject, epoll_wait_resumes) { matrix(B_EPOLL, "epoll_wait"); }
Test(inject, accept_resumes) { matrix(B_ACCEPT, "accept"); }
Test(inject, busy_loop_resumes) { matrix(B_BUSY, "user code"); }

/* Eight threads, each in another call; the main thread is the one used. */
static void *thread_main(void *arg)
{
	return (void *)(intptr_t)blocked((enum blocker)(intptr_t)arg);
}

Test(inject, eight_threads)
{
	int i, run;

	for (run = 0; run < 100; run++) {
		int p[2], st, rd[2];
		pid_t pid;
		char c;

		cr_assert_eq(pipe(p), 0);
		cr_assert_eq(pipe(rd), 0);
		shared_init();
		pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			static const enum blocker kinds[] = {
				B_FUTEX, B_NANOSLEEP, B_BUSY, B_FUTEX,
				B_NANOSLEEP, B_BUSY, B_FUTEX,
			};
			pthread_t t[7];
			void *res;
			int bad = 0;

			pipefd[0] = p[0];
			pipefd[1] = p[1];
			ready[1] = rd[1];
			for (i = 0; i < 7; i++)
				pthread_create(&t[i], NULL, thread_main,
					       (void *)(intptr_t)kinds[i]);
			/* The main thread: blocked in read. */
			bad = blocked(B_READ);
			atomic_store(shared, 1);
			syscall(SYS_futex, shared, FUTEX_WAKE, 16, NULL, NULL,
				0);
			for (i = 0; i < 7; i++) {
				pthread_join(t[i], &res);
				bad |= (int)(intptr_t)res;
			}
			_exit(bad);
		}
		for (i = 0; i < 8; i++)
			cr_assert_eq(read(rd[0], &c, 1), 1);
		usleep(5000);
		inject_into(pid);
		cr_assert_eq(write(p[1], "x", 1), 1);
		cr_assert_eq(waitpid(pid, &st, 0), pid);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			  "run %d: status %#x", run, st);
		close(p[0]);
		close(p[1]);
		close(rd[0]);
		close(rd[1]);
	}
}

/*
 * Signals keep coming while calls are made: each is delivered to the
 * process's handler (none lost), and its read, restarted by SA_RESTART,
 * still returns the byte.  An injection a signal cuts short says so.
 */
static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

Test(inject, signals_meanwhile)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	int i, st, cut = 0, done = 0, p[2], q[2];
	pid_t pid;
	char c;

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(pipe(q), 0);
	pid = fork();
	if (pid == 0) {
		int r;

		sigaction(SIGUSR1, &sa, NULL);
		if (write(q[1], "r", 1) != 1)
			_exit(9);
		r = (int)read(p[0], &c, 1);
		/* Report how many it handled, after the byte. */
		if (write(q[1], (const void *)&handled, sizeof(int)) !=
		    sizeof(int))
			_exit(9);
		_exit(r == 1 && c == 'x' ? 0 : 2);
	}
	cr_assert_eq(read(q[0], &c, 1), 1);
	usleep(5000);
	for (i = 0; i < 200; i++) {
		struct ht_inject in;
		long r;

		kill(pid, SIGUSR1);
		if (ht_inject_begin(pid, &in))
			continue;
		kill(pid, SIGUSR1);
		r = ht_inject_call(&in, SYS_getpid, 0, 0, 0);
		if (r == -EINTR && !in.attached) {
			cut++;
			continue;
		}
		cr_assert_eq(r, pid);
		ht_inject_end(&in);
		done++;
	}
	cr_assert_eq(write(p[1], "x", 1), 1);
	{
		int n = 0;

		cr_assert_eq(read(q[0], &n, sizeof(n)), sizeof(n));
		cr_assert_gt(n, 0, "no signal reached the handler");
		cr_assert_leq(n, 400);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	cr_assert_gt(done, 0, "no injection completed (%d cut short)", cut);
}

/* A process that is traced already is refused, and left traced. */
Test(inject, refuses_traced)
{
	struct ht_inject in;
	pid_t pid = start(B_READ), tracer;
	int p[2], st;
	char c;

	cr_assert_eq(pipe(p), 0);
	tracer = fork();
	if (tracer == 0) {
		close(p[0]);
		if (ptrace(PTRACE_SEIZE, pid, NULL, NULL))
			_exit(1);
		if (write(p[1], "t", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	cr_assert_eq(read(p[0], &c, 1), 1, "no tracer");
	cr_assert_eq(ht_inject_begin(pid, &in), -EBUSY);
	cr_assert(!in.attached);
	kill(tracer, SIGKILL);
	waitpid(tracer, &st, 0);
	cr_assert_eq(finish(pid, B_READ), 0);
}

/* A stopped process is refused and stays stopped. */
Test(inject, refuses_stopped)
{
	struct ht_inject in;
	pid_t pid = start(B_READ);
	int st;

	kill(pid, SIGSTOP);
	cr_assert_eq(waitpid(pid, &st, WUNTRACED), pid);
	cr_assert_eq(ht_inject_begin(pid, &in), -EAGAIN);
	kill(pid, SIGCONT);
	cr_assert_eq(finish(pid, B_READ), 0);
}

/* Under a seccomp filter: refused, the filter never met. */
Test(inject, refuses_seccomp)
{
	struct ht_inject in;
	int p[2], st;
	pid_t pid;
	char c;

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		/* An allow-all program: still "under a filter". */
		struct sock_filter allow[] = {
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { 1, allow };

		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
			_exit(2);
		if (write(p[1], "s", 1) != 1)
			_exit(3);
		_exit(read(pipefd[0], &c, 1) == 1 ? 0 : 4);
	}
	cr_assert_eq(read(p[0], &c, 1), 1);
	cr_assert_eq(ht_inject_begin(pid, &in), -ENOTSUP);
	cr_assert_eq(write(pipefd[1], "x", 1), 1);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Not ours to trace (another user's): -EPERM, nothing changed. */
Test(inject, refuses_without_permission)
{
	int p[2], st;
	pid_t pid, other;
	char c;

	if (geteuid() != 0)
		cr_skip_test("needs root to make a process of another user");
	pid = start(B_READ);
	cr_assert_eq(pipe(p), 0);
	other = fork();
	if (other == 0) {
		struct ht_inject in;
		int r;

		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100);
		r = ht_inject_begin(pid, &in);
		_exit(r == -EPERM ? 0 : 1);
	}
	cr_assert_eq(waitpid(other, &st, 0), other);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "an unprivileged tracer was not refused (%#x)", st);
	(void)p;
	(void)c;
	cr_assert_eq(finish(pid, B_READ), 0);
}

#else
Test(inject, unsupported)
{
	cr_skip_test("system calls are injected on x86-64 only");
}
#endif
