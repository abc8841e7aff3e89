// SPDX-License-Identifier: MIT
/*
 * runtime - run a command once and print its wall time in microseconds
 * (fork to exit), so that shell loops can interleave and prepare runs
 * without their own overhead entering the figure.
 *
 *   runtime [VAR=VALUE...] CMD [ARGS...]
 *
 * prints "USEC STATUS" on stderr.  VAR=VALUE words are set in the child
 * only, so that e.g. LD_PRELOAD reaches CMD and nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	long long t0;
	pid_t pid;
	int st, cmd = 1;

	while (cmd < argc && strchr(argv[cmd], '=') && argv[cmd][0] != '=')
		cmd++;
	if (cmd >= argc) {
		fprintf(stderr, "usage: runtime [VAR=VALUE...] CMD [ARGS...]\n");
		return 2;
	}
	t0 = usec();
	pid = fork();
	if (pid < 0) {
		perror("runtime: fork");
		return 2;
	}
	if (pid == 0) {
		int i;

		for (i = 1; i < cmd; i++)
			putenv(argv[i]);
		execvp(argv[cmd], argv + cmd);
		perror("runtime: exec");
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0) {
		perror("runtime: waitpid");
		return 2;
	}
	fprintf(stderr, "%lld %d\n", usec() - t0,
		WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
