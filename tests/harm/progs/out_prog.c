// SPDX-License-Identifier: MIT
/*
 * out_prog - a 24 MiB-text program for the output harm tests: what a
 * library inside it must never change.  Everything it observes goes to
 * stdout, so a test compares stdout and exit status with a plain run.
 *
 *   out_prog [-e] [-g] [-f DATA] [-d LIB] [-w] [-x STATUS] [-s SMAPS]
 *
 * In this order:
 *   -e       print errno as main() found it (0 plainly);
 *   -g       print SigPnd/ShdPnd/SigBlk/SigIgn from /proc/self/status;
 *   -f DATA  open DATA for writing (it gets the lowest free fd: 2 when
 *            stderr was closed), print that fd, write one line into it;
 *   -d LIB   set errno = 4321, dlopen LIB (a fresh libbig.so), print
 *            errno after the successful dlopen, call its functions;
 *   -g       again, after the dlopen;
 *   -f       write a second line into DATA, close it;
 *   -w       write one line to stderr itself (its own SIGPIPE, if any);
 * then run all its own functions, print a checksum, copy smaps (-s)
 * and exit with STATUS (-x).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy_smaps.h"

typedef long (*fn_t)(long);

extern const fn_t main_table[];
extern const long main_count;

static void sigstate(const char *when)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f) {
		printf("%s: no /proc/self/status\n", when);
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "SigPnd:", 7) ||
		    !strncmp(line, "ShdPnd:", 7) ||
		    !strncmp(line, "SigBlk:", 7) ||
		    !strncmp(line, "SigIgn:", 7))
			printf("%s: %s", when, line);
	fclose(f);
}

static void data_line(int fd, const char *s)
{
	size_t n = strlen(s);

	if (write(fd, s, n) != (ssize_t)n)
		printf("data write failed\n");
}

int main(int argc, char **argv)
{
	int e0 = errno;
	const char *data = NULL, *lib = NULL, *smaps = NULL;
	int print_errno = 0, sig = 0, own = 0, status = 0, fd = -1, c;
	long sum = 0, i;

	while ((c = getopt(argc, argv, "egf:d:wx:s:")) != -1) {
		switch (c) {
		case 'e':
			print_errno = 1;
			break;
		case 'g':
			sig = 1;
			break;
		case 'f':
			data = optarg;
			break;
		case 'd':
			lib = optarg;
			break;
		case 'w':
			own = 1;
			break;
		case 'x':
			status = atoi(optarg);
			break;
		case 's':
			smaps = optarg;
			break;
		default:
			return 2;
		}
	}
	if (print_errno)
		printf("errno at main %d\n", e0);
	if (sig)
		sigstate("start");
	if (data) {
		fd = open(data, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			printf("cannot open %s: %s\n", data, strerror(errno));
			return 1;
		}
		printf("data fd %d\n", fd);
		data_line(fd, "data: before dlopen\n");
	}
	if (lib) {
		const fn_t *table;
		const long *count;
		long lsum = 0;
		void *h;
		int e;

		errno = 4321;
		h = dlopen(lib, RTLD_NOW);
		e = errno;
		if (!h) {
			printf("dlopen: %s\n", dlerror());
			return 1;
		}
		printf("errno after dlopen %d\n", e);
		table = dlsym(h, "lib_table");
		count = dlsym(h, "lib_count");
		if (!table || !count) {
			printf("dlsym failed\n");
			return 1;
		}
		for (i = 0; i < *count; i++)
			lsum += table[i](lsum & 0xffff);
		printf("library functions %ld checksum %lx\n", *count,
		       (unsigned long)lsum);
	}
	if (sig)
		sigstate("after dlopen");
	if (data) {
		data_line(fd, "data: after dlopen\n");
		close(fd);
	}
	fflush(stdout);
	if (own)
		data_line(2, "out_prog: own stderr line\n");
	for (i = 0; i < main_count; i++)
		sum += main_table[i](sum & 0xffff);
	printf("functions %ld checksum %lx\n", main_count, (unsigned long)sum);
	fflush(stdout);
	if (smaps && copy_smaps(smaps))
		return 3;
	return status;
}
