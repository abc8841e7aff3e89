/* SPDX-License-Identifier: MIT */
/*
 * pagemap.h - what this process maps in one address range, and how,
 * from the PAGEMAP_SCAN ioctl of /proc/self/pagemap (Linux 6.7+): the
 * cost grows with the range, not with the whole address space as a
 * smaps read does.  Before 6.7, -EOPNOTSUPP: callers fall back to
 * smaps.h.
 */
#ifndef HT_PAGEMAP_H
#define HT_PAGEMAP_H

#include <stdint.h>

/*
 * ht_pagemap_walk - one walk of [@start, @end) through the pagemap
 * descriptor @fd: bytes present (mapped at all), of which mapped by
 * huge (PMD) entries, and private (not file-backed).  Returns 0,
 * -EOPNOTSUPP without PAGEMAP_SCAN, or another -errno.
 */
int ht_pagemap_walk(int fd, uint64_t start, uint64_t end, uint64_t *present,
		    uint64_t *huge, uint64_t *anon);

/*
 * ht_pagemap_scan - in this process, bytes of [@start, @end) mapped by
 * huge (PMD) entries into @huge, and bytes of present private anonymous
 * pages into @anon, via the PAGEMAP_SCAN ioctl (Linux 6.7+): cost grows
 * with the range, not with the whole address space as smaps does.
 * Either output may be NULL.  Returns 0, -EOPNOTSUPP when the kernel
 * lacks PAGEMAP_SCAN, or another -errno.
 */
int ht_pagemap_scan(uint64_t start, uint64_t end, uint64_t *huge,
		    uint64_t *anon);

/*
 * ht_pagemap_present - bytes of [@start, @end) mapped at all (present
 * pages, any size) in this process, via PAGEMAP_SCAN.  Same returns as
 * ht_pagemap_scan().
 */
int ht_pagemap_present(uint64_t start, uint64_t end, uint64_t *present);

#endif /* HT_PAGEMAP_H */
