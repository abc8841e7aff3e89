/* SPDX-License-Identifier: MIT */
/*
 * text_collapse.h - the kernel routes that put a live file mapping's
 * eligible 2 MiB spans on huge pages, and the checks that say when not to.
 *
 * Routes, tried in this order by the auto strategy:
 *   collapse  MADV_COLLAPSE: tmpfs, or regular files on kernels built
 *             with CONFIG_READ_ONLY_THP_FOR_FS;
 *   refault   read the range through a scratch mapping of our own marked
 *             MADV_HUGEPAGE; where that shows small folios, zap the
 *             program's PTEs, drop the small page-cache folios and read
 *             again: filesystems with large folios (ext4 since 6.16, xfs
 *             since 5.18).  Then fault the program's range in.  When the
 *             page cache already holds 2 MiB folios the drop is skipped
 *             ("remap").  The program's mapping is never advised, split
 *             or mapped over.
 *   copy      only when asked for (never by auto): the text copied into
 *             anonymous huge pages, swapped in with one mremap(); every
 *             process then owns a private copy and tools that read the
 *             file mapping (perf, gdb) no longer see a file there.
 * Knows nothing of ELF or of printing.
 */
#ifndef HT_TEXT_COLLAPSE_H
#define HT_TEXT_COLLAPSE_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "reason.h"
#include "smaps.h"

enum ht_route {
	HT_ROUTE_NONE = 0,	/* nothing ran */
	HT_ROUTE_ALREADY,	/* was PMD-mapped already */
	HT_ROUTE_COLLAPSE,	/* MADV_COLLAPSE */
	HT_ROUTE_REMAP,		/* cache was huge: zap and refault only */
	HT_ROUTE_REFAULT,	/* drop small folios and refault */
	HT_ROUTE_COPY,		/* copied to anonymous huge pages */
	HT_ROUTE_INJECT,	/* --pid: cache primed, zapped from inside */
};

/* One run of whole 2 MiB spans of a live mapping in this process. */
struct ht_target {
	/* set by the caller */
	uint64_t start, end;	/* 2 MiB aligned */
	uint64_t offset;	/* file offset mapped at @start */
	int fd;			/* the mapped file, read-only */
	int prot;		/* its protection; 0: PROT_READ|PROT_EXEC */
	/* set by ht_make_huge() */
	enum ht_route route;
	enum ht_reason reason;	/* HT_R_NONE when all of it is huge */
	int err;		/* errno of a failed call, else 0 */
	bool tmpfs;		/* the file lives on tmpfs */
	uint64_t pmd_before;	/* bytes PMD-mapped before / after */
	uint64_t pmd_after;
	uint64_t usec;		/* time spent */
	uint64_t wait_usec;	/* of it, waiting for another's refault */
	uint64_t deadline;	/* from the policy, for the routes */
	bool no_zap;		/* from the policy: others_run */
	bool threads_unknown;	/* from the policy: ask before a zap */
};

/* ht_route_name - "already", "collapse", ...  Never NULL. */
const char *ht_route_name(enum ht_route r);


/*
 * ht_thp_env_read - read the THP mode from sysfs and the process's
 * PR_GET_THP_DISABLE into @env.  @env->seccomp is the caller's to set
 * first (ht_seccomp_active(), where it matters): under a filter, prctl
 * is not asked.  Returns 0; a missing sysfs file leaves HT_THP_UNKNOWN,
 * which ht_make_huge() treats as "no huge pages".
 */
int ht_thp_env_read(struct ht_thp_env *env);

/*
 * ht_seccomp_active - does the calling thread run under seccomp
 * ("Seccomp:" in /proc/thread-self/status not 0)?  A filter can kill
 * the process for a call it never makes itself, and cannot be probed safely, so callers
 * leave such a process alone unless told otherwise.  True also when the
 * status cannot be read.  *@others (when not NULL): whether threads
 * other than the caller run (also true when it cannot be read).
 */
bool ht_seccomp_active(bool *others);

/*
 * ht_map_aligned - a mapping of our own at a 2 MiB-aligned address:
 * @len bytes of @fd from @offset (both 2 MiB-aligned, so that a PMD can
 * map them), private, read and execute like the text it stands for
 * (read only where the mount forbids exec); or, with @fd -1, anonymous
 * read-write memory.  *@prot (when not NULL) gets the protection used.
 * Returns the address, or MAP_FAILED with errno set; unmap it with
 * munmap(addr, @len).  Never placed over an existing mapping.
 */
void *ht_map_aligned(int fd, uint64_t offset, uint64_t len, int *prot);

/*
 * ht_make_huge - put the spans of @t on huge pages as @pol says, or,
 * with @pol->dry_run, only check and measure.  @pre, when not NULL, is an
 * ht_smaps_query() of exactly @t's range taken since anything last
 * changed it (callers with many targets read smaps once for all);
 * otherwise smaps is read here.
 *
 * Never leaves a mapping unusable, and (but for the opt-in copy route)
 * never changes its protection or flags: at worst pages are faulted back
 * in as they were.  Ranges holding private (anonymous) pages, mapped
 * writable, marked MADV_NOHUGEPAGE, in a process under seccomp (unless
 * @pol->seccomp_try) or where THP is off are left alone; locked ones
 * (mlock) with pages in them are only collapsed, never zapped or copied.
 *
 * Returns 0 when the whole range is PMD-mapped afterwards (verified with
 * PAGEMAP_SCAN, else /proc/self/smaps); otherwise a negative errno: -EPERM (policy says no
 * or the range is unsafe), -ECANCELED (strategy none or dry run),
 * -EOPNOTSUPP (no route works here), -EAGAIN (a route ran, only part is
 * huge), -ETIME (@pol->deadline passed: routes stop between two chunks
 * of HT_CHUNK bytes, leaving the rest as it was), -EINVAL (bad range) or
 * another -errno.  In every case
 * @t->reason, @t->route, @t->err and the byte counts say what happened.
 */
int ht_make_huge(struct ht_target *t, const struct ht_range_stat *pre,
		 const struct ht_policy *pol);

#endif /* HT_TEXT_COLLAPSE_H */
