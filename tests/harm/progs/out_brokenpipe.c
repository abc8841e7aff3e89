// SPDX-License-Identifier: MIT
/*
 * out_brokenpipe - run a program with stderr a pipe whose reader is
 * already gone, deterministically: `prog 2>&1 | true` with the reader
 * having exited before anything is written.  SIGPIPE is reset to its
 * default action and unblocked first, as in a shell pipeline, so any
 * write to fd 2 kills the writer unless it guards itself.
 *
 *   out_brokenpipe PROG [ARGS...]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	sigset_t set;
	int p[2];

	if (argc < 2) {
		fprintf(stderr, "usage: out_brokenpipe PROG [ARGS...]\n");
		return 125;
	}
	if (pipe(p)) {
		perror("out_brokenpipe: pipe");
		return 125;
	}
	close(p[0]);
	if (dup2(p[1], 2) < 0)
		return 125;
	if (p[1] != 2)
		close(p[1]);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	execvp(argv[1], argv + 1);
	/* stderr is the broken pipe: say it on stdout */
	printf("out_brokenpipe: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
