/* SPDX-License-Identifier: MIT */
/*
 * remote.h - another process's executable text, seen and changed from
 * outside: its file mappings from /proc/PID/smaps as a struct ht_run
 * (for `status`), and the routes through process_madvise() (for --pid).
 */
#ifndef HT_REMOTE_H
#define HT_REMOTE_H

#include <sys/types.h>

#include "report.h"
#include "text_collapse.h"

/*
 * ht_remote_scan - fill @run with one object per file that @pid (0:
 * self) maps executable, one part per executable mapping, with its
 * eligible spans and the bytes PMD-mapped now (target.pmd_before and
 * pmd_after, route none; reason small-pages, nohugepage or
 * private-pages for what is eligible but not huge).  Free with
 * ht_run_free().
 *
 * Returns 0, -ESRCH when there is no such process, -EACCES when its
 * smaps may not be read (ptrace read access), -ENOEXEC when it maps no
 * executable file at all (a kernel thread, a zombie: nothing to check),
 * or another -errno.
 */
int ht_remote_scan(pid_t pid, struct ht_run *run);

/*
 * ht_remote_make_huge - for every eligible, clean part of @run (from
 * ht_remote_scan() of @pid): process_madvise(MADV_COLLAPSE); where the
 * kernel cannot collapse that file, process_madvise(MADV_PAGEOUT) of the
 * range and ht_prime_range() of the file, after which the process maps
 * the huge folios on its next faults.  Results go to each part's
 * target; a final scan gives pmd_after.
 *
 * Returns 0 when everything eligible is PMD-mapped now, -EAGAIN when
 * not (yet: after the page-out route the process must fault its text
 * again), -EPERM when CAP_SYS_NICE is missing, -EACCES without ptrace
 * read access, -ESRCH when the process is gone, or another -errno.
 */
int ht_remote_make_huge(pid_t pid, struct ht_run *run,
			const struct ht_policy *pol);

/*
 * ht_remote_zap - in one short stop of one of @pid's threads (--inject's
 * mechanism, inject.h), MADV_DONTNEED of its small pages in the eligible
 * spans of file @path that it does not map with PMDs, as @run (its
 * ht_remote_scan()) describes them: after a look for private pages in
 * each run, and never a span it maps huge.  For the daemon: small
 * folios several processes map stay through any page-out (MADV_PAGEOUT
 * passes over folios mapped more than once) and keep the cache small
 * for the prime made for any of them; zapped in each, they can be
 * dropped.  The process faults what it uses back in.  *@stop_usec gets
 * how long it was stopped.  Returns 0, or ht_inject_begin()'s -errno.
 */
int ht_remote_zap(pid_t pid, const struct ht_run *run, const char *path,
		  uint64_t *stop_usec);

/* ht_run_free - free what ht_remote_scan() allocated in @run. */
void ht_run_free(struct ht_run *run);

#endif /* HT_REMOTE_H */
