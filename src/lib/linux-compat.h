/* SPDX-License-Identifier: MIT */
/*
 * linux-compat.h - the kernel ABI hugetext uses that a build machine's
 * headers may predate: madvise advice, system call numbers, the tmpfs
 * magic, cachestat and PAGEMAP_SCAN (include/uapi/linux/fs.h, 6.7).  A kernel
 * that lacks one answers EINVAL, ENOSYS or ENOTTY at run time, and the
 * callers fall back from there.
 */
#ifndef HT_LINUX_COMPAT_H
#define HT_LINUX_COMPAT_H

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC		0x01021994
#endif

/* The same numbers on every architecture (the unified syscall table). */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise	440
#endif
#ifndef SYS_cachestat
#define SYS_cachestat		451
#endif

/* cachestat(2) (6.5). */
struct ht_cachestat_range {
	uint64_t off, len;
};

struct ht_cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted;
	uint64_t nr_recently_evicted;
};

/* PAGEMAP_SCAN, under our own names so as not to clash with new headers. */
struct ht_page_region {
	uint64_t start, end, categories;
};

struct ht_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};

#define HT_PAGEMAP_SCAN		_IOWR('f', 16, struct ht_pm_scan_arg)
#define HT_PAGE_IS_FILE		(1u << 2)
#define HT_PAGE_IS_PRESENT	(1u << 3)
#define HT_PAGE_IS_HUGE		(1u << 6)

#endif /* HT_LINUX_COMPAT_H */
