// SPDX-License-Identifier: MIT
/*
 * out_fds - what a program sees of its file descriptors, and a daemon
 * that reopens its own log.
 *
 *   out_fds count         the first open()'s number, how many fds are
 *                         open, and open()'s number under RLIMIT_NOFILE 4
 *   out_fds reopen F LIB  close every fd >= 3, open F (where stderr
 *                         went) without O_APPEND, write a record,
 *                         dlopen LIB (a pass), write another record
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int count(void)
{
	struct rlimit rl = { 4, 4 };
	struct dirent *e;
	int fd, n = 0;
	DIR *d;

	fd = open("/dev/null", O_RDONLY);
	printf("first open %d\n", fd);
	d = opendir("/proc/self/fd");
	if (!d)
		return 1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	/* stdin, stdout, stderr, fd, and the directory's own */
	printf("open fds %d\n", n);
	close(fd);
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return 1;
	printf("open under a limit of 4: %d\n", open("/dev/null", O_RDONLY));
	return 0;
}

static int reopen(const char *file, const char *lib)
{
	int fd;
	void *h;

	close_range(3, ~0U, 0);
	fd = open(file, O_WRONLY);
	if (fd < 0 || write(fd, "RECORD-1\n", 9) != 9)
		return 1;
	h = dlopen(lib, RTLD_NOW);
	if (write(fd, "RECORD-2\n", 9) != 9)
		return 1;
	close(fd);
	return h ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "count"))
		return count();
	if (argc == 4 && !strcmp(argv[1], "reopen"))
		return reopen(argv[2], argv[3]);
	return 2;
}
