// SPDX-License-Identifier: MIT
/* pagemap.c - PAGEMAP_SCAN over one range of this process; see pagemap.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "linux-compat.h"
#include "pagemap.h"

int ht_pagemap_walk(int fd, uint64_t start, uint64_t end, uint64_t *present,
		    uint64_t *huge, uint64_t *anon)
{
	struct ht_page_region vec[32];
	struct ht_pm_scan_arg arg;

	*present = *huge = *anon = 0;
	while (start < end) {
		long n, i;

		memset(&arg, 0, sizeof(arg));
		arg.size = sizeof(arg);
		arg.start = start;
		arg.end = end;
		arg.vec = (uint64_t)(uintptr_t)vec;
		arg.vec_len = sizeof(vec) / sizeof(*vec);
		arg.category_mask = HT_PAGE_IS_PRESENT;
		arg.return_mask = HT_PAGE_IS_PRESENT | HT_PAGE_IS_FILE |
				  HT_PAGE_IS_HUGE;
		n = ioctl(fd, HT_PAGEMAP_SCAN, &arg);
		if (n < 0)
			return errno == ENOTTY || errno == EINVAL ?
			       -EOPNOTSUPP : -errno;
		for (i = 0; i < n; i++) {
			uint64_t len = vec[i].end - vec[i].start;

			*present += len;
			if (vec[i].categories & HT_PAGE_IS_HUGE)
				*huge += len;
			if (!(vec[i].categories & HT_PAGE_IS_FILE))
				*anon += len;
		}
		if (arg.walk_end <= start)
			break;
		start = arg.walk_end;
	}
	return 0;
}

/* ht_pagemap_walk() on its own pagemap descriptor. */
static int pagemap_walk(uint64_t start, uint64_t end, uint64_t *present,
			uint64_t *huge, uint64_t *anon)
{
	int fd, ret;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ht_pagemap_walk(fd, start, end, present, huge, anon);
	close(fd);
	return ret;
}

int ht_pagemap_scan(uint64_t start, uint64_t end, uint64_t *huge,
		    uint64_t *anon)
{
	uint64_t p, h, a;
	int ret = pagemap_walk(start, end, &p, &h, &a);

	if (!ret && huge)
		*huge = h;
	if (!ret && anon)
		*anon = a;
	return ret;
}

int ht_pagemap_present(uint64_t start, uint64_t end, uint64_t *present)
{
	uint64_t h, a;

	return pagemap_walk(start, end, present, &h, &a);
}
