// SPDX-License-Identifier: MIT
/*
 * sec_thread - a worker thread installs a seccomp filter on itself only
 * (no TSYNC) that kills on system call number argv[2], then dlopen()s
 * argv[1]: the pass runs in that thread, under that filter, which the
 * process's own status does not show.  Exit 0 when the program ran.
 */
#include <dlfcn.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *lib;
static int nr;

static void *worker(void *arg)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog p = { 4, f };

	(void)arg;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p)) {
		perror("seccomp");
		exit(125);
	}
	if (!dlopen(lib, RTLD_NOW)) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		exit(1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 3)
		return 2;
	lib = argv[1];
	nr = atoi(argv[2]);
	if (pthread_create(&t, NULL, worker, NULL))
		return 1;
	pthread_join(t, NULL);
	printf("ran\n");
	return 0;
}
