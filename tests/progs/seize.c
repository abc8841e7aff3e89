// SPDX-License-Identifier: MIT
/*
 * seize PID - trace PID (PTRACE_SEIZE: it keeps running) until end of
 * input, as a debugger attached to it would; says "seized" once it is.
 * For tests of what hugetext does to a process that is traced already.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char b;

	if (argc != 2)
		return 2;
	if (ptrace(PTRACE_SEIZE, atoi(argv[1]), NULL, NULL)) {
		perror("seize: PTRACE_SEIZE");
		return 1;
	}
	printf("seized\n");
	fflush(stdout);
	while (read(0, &b, 1) > 0)
		;
	return 0;
}
