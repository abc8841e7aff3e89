// SPDX-License-Identifier: MIT
/*
 * pcsmall - put a file's page cache back on small folios: drop what is
 * cached (POSIX_FADV_DONTNEED: only pages no process maps, and clean),
 * then read the whole file back with read-ahead off (POSIX_FADV_RANDOM),
 * which makes the kernel allocate one 4 KiB folio per page.
 *
 *   pcsmall [-d] FILE...
 *
 * -d only drops.  Prints "FILE RESIDENT_KB SIZE_KB" per file.
 *
 * Why not "drop, then run the program once": with large read-ahead
 * windows (read_ahead_kb 8192 here) the page cache of ext4 files is
 * read back in folios of up to 2 MiB, and those are PMD-mapped by any
 * later process, hugetext or not.  A fresh copy written 4 KiB at a time
 * (dd bs=4096) is small too, but system files cannot be rewritten.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static long resident_kb(int fd, off_t size)
{
	long pg = sysconf(_SC_PAGESIZE), n = (size + pg - 1) / pg, i, r = 0;
	unsigned char *vec;
	void *p;

	if (size == 0)
		return 0;
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	vec = malloc(n);
	if (p == MAP_FAILED || !vec || mincore(p, size, vec)) {
		r = -1;
	} else {
		for (i = 0; i < n; i++)
			r += vec[i] & 1;
		r *= pg / 1024;
	}
	if (p != MAP_FAILED)
		munmap(p, size);
	free(vec);
	return r;
}

static int small(const char *path, int drop_only)
{
	static char buf[1 << 20];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		return 1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (!drop_only) {
		posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		if (n < 0) {
			perror(path);
			close(fd);
			return 1;
		}
	}
	printf("%s %ld %lld\n", path, resident_kb(fd, st.st_size),
	       (long long)(st.st_size + 1023) / 1024);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1, drop_only = 0, err = 0;

	if (i < argc && !strcmp(argv[i], "-d")) {
		drop_only = 1;
		i++;
	}
	if (i >= argc) {
		fputs("usage: pcsmall [-d] FILE...\n", stderr);
		return 2;
	}
	for (; i < argc; i++)
		err |= small(argv[i], drop_only);
	return err;
}
