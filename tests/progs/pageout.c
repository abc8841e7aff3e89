// SPDX-License-Identifier: MIT
/*
 * pageout PID ADDR LEN [FILE OFFSET] - process_madvise(MADV_PAGEOUT) of
 * [ADDR, +LEN) (hexadecimal ADDR) in process PID; with FILE and OFFSET,
 * then POSIX_FADV_DONTNEED of what it mapped there and a read of it
 * back 4 KiB at a time without read-ahead, so that the cache holds it
 * in small folios: a span that was huge, split and evicted on purpose,
 * as memory pressure would, and read back small.  Needs CAP_SYS_NICE.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct iovec iov;
	int pidfd, fd;
	long n;

	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: pageout PID ADDR LEN [FILE OFFSET]\n");
		return 2;
	}
	iov.iov_base = (void *)strtoul(argv[2], NULL, 16);
	iov.iov_len = strtoul(argv[3], NULL, 0);
	pidfd = (int)syscall(SYS_pidfd_open, atoi(argv[1]), 0);
	if (pidfd < 0) {
		perror("pageout: pidfd_open");
		return 1;
	}
	n = syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_PAGEOUT, 0);
	if (n < 0) {
		perror("pageout: process_madvise");
		return 1;
	}
	if (argc == 6) {
		off_t off = strtol(argv[5], NULL, 0), o;
		char page[4096];

		fd = open(argv[4], O_RDONLY);
		if (fd < 0 || posix_fadvise(fd, off, (off_t)iov.iov_len,
					    POSIX_FADV_DONTNEED) ||
		    posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM)) {
			perror("pageout: fadvise");
			return 1;
		}
		for (o = off; o < off + (off_t)iov.iov_len; o += 4096)
			if (pread(fd, page, sizeof(page), o) < 0) {
				perror("pageout: pread");
				return 1;
			}
	}
	return 0;
}
