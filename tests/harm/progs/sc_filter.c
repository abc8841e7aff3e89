// SPDX-License-Identifier: MIT
/*
 * sc_filter - run a program under a seccomp filter, for the harm tests
 * (a sandbox that kills on a system call hugetext might make) and the
 * fault-injection harness (a system call that fails with a chosen errno).
 *
 *   sc_filter SPEC[,SPEC...] -- PROG [ARGS...]
 *
 *   SPEC = kill:SYSCALL[:[!]ARG3]          SECCOMP_RET_KILL_PROCESS
 *        | errno:SYSCALL[:[!]ARG3]:ERRNO   SECCOMP_RET_ERRNO | ERRNO
 *
 * SYSCALL is a name from the table below or a number; ARG3, when given,
 * restricts the rule to calls whose third argument (args[2]: madvise's
 * advice, mmap's prot, openat's flags, read's count) equals it, or with
 * a leading '!' differs from it; ERRNO is a name (EINVAL...) or a
 * number.  The first
 * matching rule wins; everything else is allowed.  A foreign
 * architecture (not AUDIT_ARCH_X86_64) or an x32 call kills the process.
 * Raw BPF, no libseccomp: prctl(PR_SET_NO_NEW_PRIVS), then
 * seccomp(SECCOMP_SET_MODE_FILTER), then execvp.  No privilege needed.
 * Exit status 125 when the filter cannot be installed, 127 when PROG
 * cannot be run.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif

#define X32_BIT 0x40000000U
#define MAX_RULES 32
#define MAX_INSNS (6 + 7 * MAX_RULES + 1)

static const struct {
	const char *name;
	int nr;
} sysnames[] = {
	{ "read", 0 }, { "write", 1 }, { "open", 2 }, { "close", 3 },
	{ "stat", 4 }, { "fstat", 5 }, { "lstat", 6 }, { "lseek", 8 },
	{ "mmap", 9 }, { "mprotect", 10 }, { "munmap", 11 }, { "brk", 12 },
	{ "rt_sigaction", 13 }, { "rt_sigprocmask", 14 }, { "ioctl", 16 },
	{ "pread64", 17 }, { "pwrite64", 18 }, { "readv", 19 },
	{ "writev", 20 }, { "access", 21 }, { "mremap", 25 },
	{ "mincore", 27 }, { "madvise", 28 }, { "dup", 32 }, { "dup2", 33 },
	{ "getpid", 39 }, { "fcntl", 72 }, { "fsync", 74 },
	{ "fdatasync", 75 }, { "readlink", 89 }, { "rt_sigtimedwait", 128 },
	{ "statfs", 137 }, { "fstatfs", 138 }, { "prctl", 157 },
	{ "acct", 163 }, { "gettid", 186 }, { "readahead", 187 },
	{ "fadvise64", 221 }, { "openat", 257 }, { "newfstatat", 262 },
	{ "readlinkat", 267 }, { "dup3", 292 }, { "statx", 332 },
	{ "pidfd_open", 434 }, { "process_madvise", 440 },
	{ "cachestat", 451 }, { "clock_gettime", 228 },
	{ "rt_sigpending", 127 }, { "process_vm_readv", 310 },
	{ "getrlimit", 97 }, { "socket", 41 }, { "connect", 42 },
	{ "bind", 49 }, { "listen", 50 }, { "poll", 7 },
};

static const struct {
	const char *name;
	int e;
} errnames[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EINTR", EINTR },
	{ "EIO", EIO }, { "EBADF", EBADF }, { "EAGAIN", EAGAIN },
	{ "ENOMEM", ENOMEM }, { "EACCES", EACCES }, { "EFAULT", EFAULT },
	{ "EBUSY", EBUSY }, { "EINVAL", EINVAL }, { "ENOSPC", ENOSPC },
	{ "ENOSYS", ENOSYS }, { "EOPNOTSUPP", EOPNOTSUPP },
};

static struct sock_filter prog[MAX_INSNS];
static unsigned short ninsns;

static void emit(unsigned short code, unsigned char jt, unsigned char jf,
		 uint32_t k)
{
	struct sock_filter f = BPF_JUMP(code, k, jt, jf);

	prog[ninsns++] = f;
}

static void usage(const char *msg, const char *what)
{
	fprintf(stderr, "sc_filter: %s%s%s\n"
		"usage: sc_filter kill:SYSCALL[:[!]ARG3]|"
		"errno:SYSCALL[:[!]ARG3]:ERRNO"
		"[,...] -- PROG [ARGS...]\n", msg, what ? ": " : "",
		what ? what : "");
	exit(125);
}

static int parse_num(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

static int syscall_nr(const char *s)
{
	long long v;
	size_t i;

	for (i = 0; i < sizeof(sysnames) / sizeof(sysnames[0]); i++)
		if (!strcmp(s, sysnames[i].name))
			return sysnames[i].nr;
	if (parse_num(s, &v) || v < 0 || v >= X32_BIT)
		usage("unknown system call", s);
	return (int)v;
}

static int errno_nr(const char *s)
{
	long long v;
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(s, errnames[i].name))
			return errnames[i].e;
	if (parse_num(s, &v) || v < 1 || v > SECCOMP_RET_DATA)
		usage("unknown errno", s);
	return (int)v;
}

/* One rule: compare nr (and args[2], both halves), return the action. */
static void add_rule(char *spec)
{
	char *f[5];
	int n = 0, has_arg, negate = 0, nr;
	uint32_t action;
	long long arg = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(spec, ":", &save); tok && n < 5;
	     tok = strtok_r(NULL, ":", &save))
		f[n++] = tok;
	if (tok || n < 2)
		usage("bad rule", spec);
	if (!strcmp(f[0], "kill")) {
		if (n > 3)
			usage("bad kill rule", f[1]);
		action = SECCOMP_RET_KILL_PROCESS;
		has_arg = n == 3;
	} else if (!strcmp(f[0], "errno")) {
		if (n < 3 || n > 4)
			usage("bad errno rule", f[1]);
		action = SECCOMP_RET_ERRNO | (uint32_t)errno_nr(f[n - 1]);
		has_arg = n == 4;
	} else {
		usage("unknown action", f[0]);
	}
	if (has_arg) {
		negate = f[2][0] == '!';
		if (parse_num(f[2] + negate, &arg))
			usage("bad argument value", f[2]);
	}
	nr = syscall_nr(f[1]);
	if (ninsns + 7 + 1 > MAX_INSNS)
		usage("too many rules", NULL);

	emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
	if (has_arg) {
		/*
		 * Offsets are to the instruction after the jump: +5 is the
		 * next rule, +2/+0 (from the two compares) the RET.
		 */
		emit(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, (uint32_t)nr);
		emit(BPF_LD | BPF_W | BPF_ABS, 0, 0,
		     offsetof(struct seccomp_data, args[2]));
		if (negate)	/* low half differs: match */
			emit(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, (uint32_t)arg);
		else		/* low half differs: next rule */
			emit(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, (uint32_t)arg);
		emit(BPF_LD | BPF_W | BPF_ABS, 0, 0,
		     offsetof(struct seccomp_data, args[2]) + 4);
		if (negate)	/* both halves equal: next rule */
			emit(BPF_JMP | BPF_JEQ | BPF_K, 1, 0,
			     (uint32_t)((unsigned long long)arg >> 32));
		else
			emit(BPF_JMP | BPF_JEQ | BPF_K, 0, 1,
			     (uint32_t)((unsigned long long)arg >> 32));
	} else {
		emit(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)nr);
	}
	emit(BPF_RET | BPF_K, 0, 0, action);
}

int main(int argc, char **argv)
{
	struct sock_fprog fprog;
	char *specs, *save = NULL, *spec;

	if (argc < 4 || strcmp(argv[2], "--"))
		usage("bad arguments", NULL);

	/* the architecture, then no x32 calls */
	emit(BPF_LD | BPF_W | BPF_ABS, 0, 0,
	     offsetof(struct seccomp_data, arch));
	emit(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	emit(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
	emit(BPF_JMP | BPF_JGE | BPF_K, 0, 1, X32_BIT);
	emit(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);

	specs = strdup(argv[1]);
	if (!specs)
		usage("out of memory", NULL);
	for (spec = strtok_r(specs, ",", &save); spec;
	     spec = strtok_r(NULL, ",", &save)) {
		char *one = strdup(spec);

		if (!one)
			usage("out of memory", NULL);
		add_rule(one);
		free(one);
	}
	emit(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);

	fprog.len = ninsns;
	fprog.filter = prog;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		perror("sc_filter: PR_SET_NO_NEW_PRIVS");
		return 125;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog)) {
		perror("sc_filter: seccomp");
		return 125;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "sc_filter: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
