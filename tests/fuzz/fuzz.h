/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz share: the input as
 * a file (one memfd per process, rewritten for each input, so that an
 * input costs two system calls rather than a file created and removed),
 * and a check that aborts, so that libFuzzer keeps the input that broke
 * a promise of the code under test as it keeps one that crashed.
 */
#ifndef HT_FUZZ_H
#define HT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A promise broken: say which, and die where libFuzzer sees it. */
#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: check failed: %s\n", \
				__FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/*
 * fuzz_file - a descriptor of a file holding exactly @data (@size
 * bytes), its offset at 0.  The same memfd each time.
 */
static inline int fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) !=
				 (ssize_t)size) || lseek(fd, 0, SEEK_SET)) {
		perror("fuzz input");
		abort();
	}
	return fd;
}

static inline int fuzz_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

#endif /* HT_FUZZ_H */
