// SPDX-License-Identifier: MIT
/*
 * dl_fork - children forked while another thread is inside a dlopen
 * pass.  A thread dlopens and dlcloses a big library in a loop, dropping
 * its page cache each round so that every pass has work; the main
 * thread forks N children that each dlopen a second big library and
 * exit.  A child inherits whatever state the parent's pass was in.
 *
 *   dl_fork BIGLIB OTHERLIB N   prints "ok N segv N hang N other N"
 *
 * "hang" (killed by the alarm) is glibc's own hazard too: a child of a
 * threaded program may inherit ld.so's locks held, plainly as well.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *big, *other;
static volatile int stop;

static void *hammer(void *arg)
{
	(void)arg;
	while (!stop) {
		void *h = dlopen(big, RTLD_NOW);
		int fd;

		if (h)
			dlclose(h);
		fd = open(big, O_RDONLY);
		if (fd >= 0) {
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
			close(fd);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int n, i, ok = 0, segv = 0, hang = 0, bad = 0;
	pthread_t t;

	if (argc != 4)
		return 2;
	big = argv[1];
	other = argv[2];
	n = atoi(argv[3]);
	pthread_create(&t, NULL, hammer, NULL);
	for (i = 0; i < n; i++) {
		pid_t p = fork();
		int st;

		if (p == 0) {
			alarm(5);
			_exit(dlopen(other, RTLD_NOW) ? 0 : 3);
		}
		waitpid(p, &st, 0);
		if (WIFEXITED(st) && !WEXITSTATUS(st))
			ok++;
		else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV)
			segv++;
		else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
			hang++;
		else
			bad++;
	}
	stop = 1;
	pthread_join(t, NULL);
	printf("ok %d segv %d hang %d other %d\n", ok, segv, hang, bad);
	return 0;
}
