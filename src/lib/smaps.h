/* SPDX-License-Identifier: MIT */
/*
 * smaps.h - parse /proc/PID/smaps: the ground truth of what is mapped
 * how.  FilePmdMapped and ShmemPmdMapped say which file text is on huge
 * pages; Anonymous says whether a file mapping holds private copies;
 * VmFlags carries hg/nh (MADV_HUGEPAGE / MADV_NOHUGEPAGE).
 */
#ifndef HT_SMAPS_H
#define HT_SMAPS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pagemap.h"

#define HT_VM_HG	0x1u	/* VM_HUGEPAGE */
#define HT_VM_NH	0x2u	/* VM_NOHUGEPAGE */
#define HT_VM_EX	0x4u	/* executable */
#define HT_VM_SH	0x8u	/* shared mapping */
#define HT_VM_LO	0x10u	/* VM_LOCKED: mlock, mlockall */

struct ht_vma {
	uint64_t start, end;	/* [start, end) */
	uint64_t pgoff;		/* file offset of start, bytes */
	unsigned int dev_major, dev_minor;
	uint64_t inode;		/* 0 for anonymous mappings */
	char perms[5];		/* "r-xp" */
	const char *path;	/* "" when none; valid during the callback */
	uint64_t rss;		/* all sizes in bytes */
	uint64_t anonymous;
	uint64_t file_pmd;	/* FilePmdMapped */
	uint64_t shmem_pmd;	/* ShmemPmdMapped */
	uint64_t anon_huge;	/* AnonHugePages */
	unsigned int vmflags;	/* HT_VM_* */
};

/* Return 0 to continue, non-zero to stop the walk with that value. */
typedef int (*ht_vma_fn)(const struct ht_vma *vma, void *arg);

/*
 * ht_smaps_parse - call @fn for each mapping described in what @fd reads
 * (to its end), text in the format of /proc/PID/smaps or maps.
 *
 * Returns 0 at the end of input, the first non-zero value returned by
 * @fn, -errno from read(), -ENOMEM, or -EBADMSG for a malformed header
 * line.
 * Unknown fields are ignored.
 */
int ht_smaps_parse(int fd, ht_vma_fn fn, void *arg);

/*
 * ht_smaps_walk - ht_smaps_parse() on /proc/@pid/smaps (@pid 0: self).
 * Returns as ht_smaps_parse(), or -errno from opening it (-ENOENT: no
 * such process, -EACCES: not allowed).
 */
int ht_smaps_walk(pid_t pid, ht_vma_fn fn, void *arg);

/*
 * What the mappings overlapping one address range hold.  Totals are
 * per mapping: a mapping that reaches outside [start, end) counts whole.
 */
struct ht_range_stat {
	uint64_t start, end;	/* in: the range */
	bool want_path;		/* in: fill @path; the caller frees it
				   (ht_range_stat_free) before asking again */
	unsigned int nvma;	/* mappings overlapping it */
	uint64_t covered;	/* bytes of the range inside a mapping */
	uint64_t rss, anonymous, pmd;	/* pmd: file + shmem PMD-mapped */
	uint64_t anon_huge;	/* AnonHugePages: copies on huge pages */
	unsigned int vmflags_or;
	bool writable;		/* some overlapping mapping is writable */
	bool one_file;		/* all overlapping mappings map one file,
				   at file offsets consistent with start */
	uint64_t offset;	/* file offset at @start (when one_file) */
	unsigned int dev_major, dev_minor;
	uint64_t inode;
	char *path;		/* of the first mapping overlapping, when
				   asked; NULL if none or out of memory */
};

/* ht_range_stat_free - free the paths of @n queries; they stay usable. */
void ht_range_stat_free(struct ht_range_stat *q, size_t n);

/*
 * ht_smaps_query - fill @n range queries @q (start and end set by the
 * caller) in one pass over /proc/@pid/smaps.
 * Returns 0, or -errno as ht_smaps_walk().
 */
int ht_smaps_query(pid_t pid, struct ht_range_stat *q, size_t n);

/*
 * ht_maps_query - ht_smaps_query() of this process, the cheap way: the
 * mappings from /proc/self/maps (no page is walked), and from
 * PAGEMAP_SCAN the bytes of exactly each range mapped huge (pmd),
 * privately (anonymous) and at all (rss).  VmFlags are not known
 * (vmflags_or stays 0): only for ranges whose mappings no code has
 * advised yet, such as objects ld.so has just mapped.  Returns 0,
 * -EOPNOTSUPP without PAGEMAP_SCAN (before 6.7: use ht_smaps_query()),
 * or another -errno.
 */
int ht_maps_query(struct ht_range_stat *q, size_t n);

/*
 * ht_mapped_dev - the device number /proc/PID/maps shows for files of
 * the open file @fd: its superblock's, which stat() does not always give
 * (btrfs gives a subvolume's): the "MAJOR:MINOR" of @fd's mount (its
 * mnt_id in /proc/self/fdinfo) in /proc/self/mountinfo.  Returns 0, or
 * -errno (-ENOENT: the mount is not listed).
 */
int ht_mapped_dev(int fd, unsigned int *maj, unsigned int *min);

/*
 * ht_proc_read - a small /proc file read whole into @buf (@len bytes,
 * NUL-terminated; what does not fit is left out).  Returns its length,
 * or -errno.  The one reader of status, stat, cgroup and the like, for
 * the library and the tools.
 */
ssize_t ht_proc_read(const char *path, char *buf, size_t len);

/*
 * ht_self_locked - does this process hold locked memory ("VmLck:" in
 * /proc/self/status not 0)?  After mlockall(MCL_FUTURE) every new
 * mapping is locked, which only smaps' VmFlags tell per range: a
 * caller that would use ht_maps_query() asks this first.  True when
 * it cannot be told.
 */
bool ht_self_locked(void);

/*
 * ht_open_mapped - open @path (read-only, never blocking, close-on-exec)
 * and check that it is the file @q found mapped (device and inode), so
 * that a file replaced on disk since it was mapped is never touched.
 * Where stat() gives another device than maps (btrfs: a subvolume's
 * own), the device of the superblock it lives on is compared instead
 * (ht_mapped_dev()).  Returns the fd, -ESTALE when @path is another
 * file now, or -errno.
 */
int ht_open_mapped(const struct ht_range_stat *q, const char *path);

/*
 * ht_range_stat_reset - clear the outputs of @q, keeping its range and
 * want_path (a path it held is not freed: see want_path).
 */
void ht_range_stat_reset(struct ht_range_stat *q);

#endif /* HT_SMAPS_H */
