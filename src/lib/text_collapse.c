// SPDX-License-Identifier: MIT
/* text_collapse.c - kernel routes to huge text; see text_collapse.h. */
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "filelock.h"
#include "linux-compat.h"
#include "smaps.h"
#include "spans.h"
#include "text_collapse.h"

#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

const char *ht_route_name(enum ht_route r)
{
	switch (r) {
	case HT_ROUTE_NONE:
		return "none";
	case HT_ROUTE_ALREADY:
		return "already";
	case HT_ROUTE_COLLAPSE:
		return "collapse";
	case HT_ROUTE_REMAP:
		return "remap";
	case HT_ROUTE_REFAULT:
		return "refault";
	case HT_ROUTE_COPY:
		return "copy";
	case HT_ROUTE_INJECT:
		return "inject";
	}
	return "unknown";
}

int ht_thp_env_read(struct ht_thp_env *env)
{
	char buf[128];
	ssize_t n;
	int fd, r;

	env->mode = HT_THP_UNKNOWN;
	env->prctl_disabled = false;
	fd = open(THP_ENABLED, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (strstr(buf, "[always]"))
				env->mode = HT_THP_ALWAYS;
			else if (strstr(buf, "[madvise]"))
				env->mode = HT_THP_MADVISE;
			else if (strstr(buf, "[never]"))
				env->mode = HT_THP_NEVER;
		}
	}
	/* A filter may kill for prctl: ask only where there is none. */
	r = env->seccomp ? 0 : prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	env->prctl_disabled = r > 0;
	return 0;
}

/* The number after @key in /proc/self/status text @buf, or -1. */
static long status_field(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);
	long v = 0;

	if (!p)
		return -1;
	p += strlen(key);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	return v;
}

bool ht_seccomp_active(bool *others)
{
	char buf[4096];
	ssize_t n, got = 0;
	long v;
	int fd;

	if (others)
		*others = true;	/* cannot tell: assume the worst */
	/*
	 * The calling thread's: a filter installed without TSYNC is on
	 * that thread alone (3.17; before it, the process's).
	 */
	fd = open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	while (got < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	if (others)
		*others = status_field(buf, "\nThreads:") != 1;
	v = status_field(buf, "\nSeccomp:");
	/* No field: no CONFIG_SECCOMP, so no filter either. */
	return v > 0 || (v < 0 && strstr(buf, "\nSeccomp:"));
}

/* Record why we stop; returns the errno-style code for the caller. */
static int stop(struct ht_target *t, enum ht_reason why, int err, int ret)
{
	t->reason = why;
	t->err = err;
	return ret;
}

/* The code for a route that stop()ped without saying one. */
static int stopped(const struct ht_target *t)
{
	if (t->reason == HT_R_BUDGET)
		return -ETIME;
	return t->err ? -t->err : -ENOMEM;
}

static int advise(struct ht_target *t, uint64_t start, uint64_t len,
		  int advice)
{
	if (madvise((void *)(uintptr_t)start, len, advice) == 0)
		return 0;
	t->err = errno;
	return -errno;
}

static int query(struct ht_target *t, struct ht_range_stat *st)
{
	st->start = t->start;
	st->end = t->end;
	return ht_smaps_query(0, st, 1);
}

/*
 * Huge and private bytes of the range now.  PAGEMAP_SCAN looks at this
 * range only; smaps, the fallback, walks every mapping of the process,
 * which costs milliseconds in a program like clang.
 */
static int range_now(struct ht_target *t, struct ht_range_stat *st,
		     uint64_t *huge, uint64_t *anon)
{
	int ret = ht_pagemap_scan(t->start, t->end, huge, anon);

	if (ret != -EOPNOTSUPP)
		return ret;
	ret = query(t, st);
	if (ret)
		return ret;
	if (huge)
		*huge = st->pmd;
	if (anon)
		*anon = st->anonymous;
	return 0;
}

static uint64_t pmd_now(struct ht_target *t, struct ht_range_stat *st)
{
	uint64_t huge = 0;

	if (range_now(t, st, &huge, NULL))
		return 0;
	return huge;
}



/*
 * May cachestat() (Linux 6.5) be called here?  Not under a seccomp
 * filter: filters written before it (systemd's @system-service up to
 * 253) kill the process for it (SIGSYS) instead of failing it, and
 * every use has a fallback.  Asked once per process.
 */
static bool cachestat_ok(void)
{
	static int ok = -1;

	if (ok < 0)
		ok = !ht_seccomp_active(NULL);
	return ok;
}

/*
 * Dirty or writeback pages in the range?  -1: the kernel will not say
 * (no cachestat before 6.5).  Only those make collapse_file() refuse a
 * regular file that it could otherwise collapse.
 */
static int dirty_pages(const struct ht_target *t)
{
	struct ht_cachestat_range r = { t->offset, t->end - t->start };
	struct ht_cachestat cs;

	if (!cachestat_ok() || syscall(SYS_cachestat, t->fd, &r, &cs, 0))
		return -1;
	return cs.nr_dirty + cs.nr_writeback > 0;
}

/*
 * The time budget: routes work in chunks of this much and look at the
 * clock between two, so a pass that meets direct compaction or a slow
 * device stops within about one chunk of its deadline.
 */
#define HT_CHUNK	(2 * HT_HPAGE_SIZE)


static bool spent(const struct ht_target *t)
{
	return t->deadline && ht_now_usec() >= t->deadline;
}

/* madvise() in chunks; -ETIME when the budget ran out between two. */
static int advise_chunked(struct ht_target *t, uint64_t start, uint64_t len,
			  int advice)
{
	uint64_t a, n;
	int ret;

	for (a = start; a < start + len; a += n) {
		n = start + len - a < HT_CHUNK ? start + len - a : HT_CHUNK;
		if (spent(t))
			return -ETIME;
		ret = advise(t, a, n, advice);
		if (ret)
			return ret;
	}
	return 0;
}

static int do_collapse(struct ht_target *t)
{
	uint64_t a, n;
	bool synced = false;
	int ret = 0;

	for (a = t->start; a < t->end; a += n) {
		n = t->end - a < HT_CHUNK ? t->end - a : HT_CHUNK;
		if (spent(t))
			return -ETIME;
		ret = advise(t, a, n, MADV_COLLAPSE);
		if (ret == -EAGAIN)	/* transient: a folio locked or busy */
			ret = advise(t, a, n, MADV_COLLAPSE);
		/*
		 * collapse_file() gives up on dirty folios of a regular file
		 * (it only starts their writeback): write them back, once,
		 * and try again.  fdatasync() works on a read-only
		 * descriptor and changes no data.
		 */
		if (ret == -EINVAL && !t->tmpfs && !synced &&
		    dirty_pages(t) != 0) {
			synced = true;
			if (fdatasync(t->fd) == 0)
				ret = advise(t, a, n, MADV_COLLAPSE);
		}
		/* This kernel cannot for this file, or (6.1) stops here. */
		if (ret == -EINVAL)
			return ret;
	}
	return ret;
}

/*
 * Bytes of the range still in the page cache after the drop, or -1 when
 * the kernel will not say.  cachestat (6.5) and mincore both answer
 * truthfully only to the file's owner or to a writer of the file
 * (mincore pretends everything is cached to others).
 */
static int64_t cached_bytes(const struct ht_target *t, long pagesz)
{
	struct ht_cachestat_range r = { t->offset, t->end - t->start };
	struct ht_cachestat cs;
	size_t pages = (t->end - t->start) / pagesz, i;
	unsigned char *vec;
	struct stat sb;
	int64_t n = 0;

	char self[64];

	if (cachestat_ok() && syscall(SYS_cachestat, t->fd, &r, &cs, 0) == 0)
		return (int64_t)cs.nr_cache * pagesz;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", t->fd);
	if (fstat(t->fd, &sb) || (sb.st_uid != geteuid() &&
				  faccessat(AT_FDCWD, self, W_OK, AT_EACCESS)))
		return -1;
	vec = malloc(pages);
	if (!vec)
		return -1;
	if (mincore((void *)(uintptr_t)t->start, t->end - t->start, vec)) {
		free(vec);
		return -1;
	}
	for (i = 0; i < pages; i++)
		n += vec[i] & 1;
	free(vec);
	return n * pagesz;
}

/*
 * Does this kernel know @advice?  madvise() checks the advice before
 * the length, so a zero-length call answers without touching a page
 * (and so without creating a page table in the program's range).
 */
static bool advice_known(uint64_t start, int advice)
{
	return madvise((void *)(uintptr_t)start, 0, advice) == 0 ||
	       errno != EINVAL;
}

/*
 * Zap the program's PTEs in the range, but only after a last look for
 * private pages at exactly that range, right before: MADV_DONTNEED on
 * a private copy (a breakpoint, a patch) would throw it away.  Nothing
 * mapped, nothing to do.  Returns 0, or stops @t (-EPERM: private).
 */
static int zap_clean(struct ht_target *t, struct ht_range_stat *st)
{
	uint64_t len = t->end - t->start, present = 1, anon = 1;
	int ret;

	ret = ht_pagemap_present(t->start, t->end, &present);
	if (ret == -EOPNOTSUPP) {
		ret = query(t, st);
		present = st->rss;
	}
	if (ret)
		return stop(t, HT_R_SYSCALL, -ret, ret);
	if (!present)
		return 0;
	/*
	 * Another thread may write a private copy between the look below
	 * and the zap (a patcher making text writable for a moment): with
	 * threads running, pages already mapped are left as they are.
	 */
	if (t->threads_unknown) {
		ht_seccomp_active(&t->no_zap);
		t->threads_unknown = false;
	}
	if (t->no_zap)
		return stop(t, HT_R_OTHER_THREADS, 0, -EPERM);
	ret = range_now(t, st, NULL, &anon);
	if (ret)
		return stop(t, HT_R_SYSCALL, -ret, ret);
	if (anon)
		return stop(t, HT_R_PRIVATE_PAGES, 0, -EPERM);
	ret = advise(t, t->start, len, MADV_DONTNEED);
	return ret ? stop(t, HT_R_SYSCALL, t->err, ret) : 0;
}

/* See text_collapse.h; the scratch mapping of the refault route is one. */
void *ht_map_aligned(int fd, uint64_t offset, uint64_t len, int *prot)
{
	uintptr_t area, aligned;
	int pr = fd < 0 ? PROT_READ | PROT_WRITE : PROT_READ | PROT_EXEC;
	int flags = MAP_PRIVATE | MAP_FIXED | (fd < 0 ? MAP_ANONYMOUS : 0);
	void *p;

	/* 2 MiB more than needed; the aligned part inside is kept. */
	p = mmap(NULL, len + HT_HPAGE_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return p;
	area = (uintptr_t)p;
	aligned = (area + HT_HPAGE_MASK) & ~(uintptr_t)HT_HPAGE_MASK;
	if (aligned > area)
		munmap(p, aligned - area);
	if (area + HT_HPAGE_SIZE > aligned)
		munmap((void *)(aligned + len), area + HT_HPAGE_SIZE - aligned);
	/* Over our own reservation only. */
	p = mmap((void *)aligned, len, pr, flags, fd, (off_t)offset);
	/* A noexec mount refuses PROT_EXEC; reading still serves. */
	if (p == MAP_FAILED && errno == EPERM && fd >= 0) {
		pr = PROT_READ;
		p = mmap((void *)aligned, len, pr, flags, fd, (off_t)offset);
	}
	if (p == MAP_FAILED) {
		int e = errno;

		munmap((void *)aligned, len);
		errno = e;
		return MAP_FAILED;
	}
	if (prot)
		*prot = pr;
	return p;
}

/*
 * Drop the small folios of the span at file offset @off and see
 * whether clean ones stay: those another process maps do.  Dirty pages
 * and pages under writeback stay too, but only for now: the drop below
 * waits them out.  False when it cannot be told (no cachestat before
 * 6.5: the whole drop then says).
 */
static bool busy_at(struct ht_target *t, uint64_t off)
{
	struct ht_cachestat_range r = { off, HT_HPAGE_SIZE };
	struct ht_cachestat cs;
	int ret;

	ret = posix_fadvise(t->fd, (off_t)off, HT_HPAGE_SIZE,
			    POSIX_FADV_DONTNEED);
	if (ret)
		return false;	/* the drop below says why */
	if (!cachestat_ok() || syscall(SYS_cachestat, t->fd, &r, &cs, 0))
		return false;
	return cs.nr_cache > cs.nr_dirty + cs.nr_writeback;
}

/*
 * Is the cache busy, so that a drop and a read would be work thrown
 * away?  The first span tells, unless it is the one a library whose
 * text segment starts the file shares with its headers, symbols and
 * relocations: other starts of the same program still in ld.so have
 * those mapped (megabytes of them), and give them up at their own
 * pass, to wait for us.  Then the last span tells: a running user of
 * the file maps text all over, a loader only its start.
 */
static bool busy_span(struct ht_target *t)
{
	uint64_t last = t->offset + (t->end - t->start) - HT_HPAGE_SIZE;

	if (!busy_at(t, t->offset))
		return false;
	if (t->offset >= HT_HPAGE_SIZE || last == t->offset)
		return true;
	return busy_at(t, last);
}

/*
 * A mapping of our own of @t's file range at a 2 MiB-aligned address,
 * marked MADV_HUGEPAGE: reads through it fill the page cache with 2 MiB
 * folios, and its PAGEMAP_SCAN tells which folios are huge, while the
 * program's own mapping keeps its flags and its VMA.
 * Returns the address, or NULL with @t stopped.
 */
static void *scratch_map(struct ht_target *t, uint64_t len)
{
	char self[64];
	void *p;
	int fd, fl;

	/*
	 * A file of its own (the same inode, opened again): readahead
	 * state is per open file, and what an earlier read through it
	 * left there makes later readahead pick smaller folios (6.1).
	 */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", t->fd);
	fl = fcntl(t->fd, F_GETFL);
	/* The caller's O_NOATIME too: a prime leaves the access time. */
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
		  (fl > 0 ? fl & O_NOATIME : 0));
	if (fd < 0)
		fd = dup(t->fd);
	p = fd < 0 ? MAP_FAILED : ht_map_aligned(fd, t->offset, len, NULL);
	if (p == MAP_FAILED) {
		stop(t, HT_R_SYSCALL, errno, -errno);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	if (madvise(p, len, MADV_HUGEPAGE)) {
		stop(t, HT_R_SYSCALL, errno, -errno);
		munmap(p, len);
		return NULL;
	}
	return p;
}

/*
 * Read @t's file range through a scratch mapping (only its first page
 * with @probe: that maps a whole 2 MiB folio, or a few small ones);
 * returns the bytes of it on 2 MiB folios, or -1 with @t stopped.  A
 * new mapping each time, unmapped after: its PTEs would pin small
 * folios, and before 6.14 a zap would keep page tables that stop the
 * next read from mapping PMDs, so only a fresh mapping measures the
 * cache truthfully.
 */
static int64_t scratch_fill(struct ht_target *t, struct ht_range_stat *st,
			    bool probe)
{
	uint64_t len = t->end - t->start, huge = 0, a;
	void *p = scratch_map(t, len);
	int ret;

	if (!p)
		return -1;
	a = (uintptr_t)p;
	if (probe)
		madvise(p, sysconf(_SC_PAGESIZE), MADV_POPULATE_READ);
	else if (advise_chunked(t, a, len, MADV_POPULATE_READ) == -ETIME) {
		munmap(p, len);
		stop(t, HT_R_BUDGET, 0, -ETIME);
		return -1;
	}
	t->err = 0;
	ret = ht_pagemap_scan(a, a + len, &huge, NULL);
	if (ret == -EOPNOTSUPP) {	/* before 6.7: smaps says */
		st->start = a;
		st->end = a + len;
		ret = ht_smaps_query(0, st, 1);
		huge = st->pmd;
	}
	munmap(p, len);
	return ret ? 0 : (int64_t)huge;
}

/*
 * Does this kernel keep a page table that MADV_DONTNEED emptied?  All
 * before 6.14, where CONFIG_PT_RECLAIM came (x86-64 has it on); the only
 * way to tell without the kernel's config, and asked only to name why
 * a span stayed small.
 */
static bool keeps_tables(void)
{
	static int keeps = -1;
	struct utsname u;
	unsigned long major, minor;
	char *end;

	if (keeps < 0) {
		keeps = 0;
		if (uname(&u) == 0) {
			major = strtoul(u.release, &end, 10);
			minor = *end == '.' ? strtoul(end + 1, &end, 10) : 0;
			keeps = major < 6 || (major == 6 && minor < 14);
		}
	}
	return keeps;
}

/*
 * The page-cache route.  A fault maps a PMD where the folio is 2 MiB
 * and no page table exists below the PMD yet (filemap_map_pmd()).  So:
 * read the range through a scratch mapping of our own; if the cache is
 * all huge already (an earlier run, another process), the program's
 * range just faults it in ("remap").  Otherwise drop the small folios
 * (after zapping the program's PTEs, which pin them), read it again
 * through the scratch mapping, which now builds 2 MiB folios, and fault
 * the program's range.  Only folios nobody maps and that are clean can
 * be dropped; what stays small is reported, not forced.
 */
static int refault_locked(struct ht_target *t, struct ht_range_stat *st)
{
	uint64_t len = t->end - t->start, huge, a;
	long pagesz = sysconf(_SC_PAGESIZE);
	int64_t left = 0, cache_huge;
	int ret, tries, fadv_err = 0;

	if (!advice_known(t->start, MADV_POPULATE_READ))
		return stop(t, HT_R_NO_POPULATE, EINVAL, -EOPNOTSUPP);
	/*
	 * The first span tells whether the cache is huge already (an
	 * earlier run, another process): then read it all, cheaply; if
	 * not, reading small folios in would be work thrown away.
	 */
	t->route = HT_ROUTE_REMAP;
	cache_huge = scratch_fill(t, st, true);
	if (cache_huge == HT_HPAGE_SIZE) {
		/*
		 * Most likely all of it (a later start): fault the program's
		 * range in, which maps whatever is huge with PMDs, and look.
		 */
		ret = zap_clean(t, st);
		if (ret)
			return ret;
		ret = advise_chunked(t, t->start, len, MADV_POPULATE_READ);
		if (ret == -ETIME)
			return stop(t, HT_R_BUDGET, 0, ret);
		if (!ret && pmd_now(t, st) == len) {
			t->err = 0;
			return 0;
		}
		cache_huge = len > HT_HPAGE_SIZE ? scratch_fill(t, st, false) :
			     (int64_t)len;
	} else if (cache_huge > 0) {
		cache_huge = 0;
	}
	if (cache_huge < 0)
		return stopped(t);
	for (tries = 0; (uint64_t)cache_huge < len && tries < 2; tries++) {
		t->route = HT_ROUTE_REFAULT;
		if (spent(t))
			return stop(t, HT_R_BUDGET, 0, -ETIME);
		ret = zap_clean(t, st);
		if (ret)
			return ret;
		/*
		 * The first span tells whether the cache is busy: pages
		 * another process maps (or dirty ones) survive a drop.
		 * Then the rest is left alone at once, not dropped and
		 * read again only to be found small (hundreds of ms on
		 * every start of a big program).
		 */
		if (!tries && busy_span(t)) {
			fadv_err = 0;
			return stop(t, HT_R_CACHE_BUSY, 0, -EAGAIN);
		}
		/* Dropping many small folios is slow too: in chunks. */
		for (a = 0; a < len; a += HT_CHUNK) {
			if (spent(t))
				return stop(t, HT_R_BUDGET, 0, -ETIME);
			ret = posix_fadvise(t->fd, (off_t)(t->offset + a),
					    (off_t)(len - a < HT_CHUNK ?
						    len - a : HT_CHUNK),
					    POSIX_FADV_DONTNEED);
			if (ret)
				fadv_err = ret;
		}
		left = cached_bytes(t, pagesz);
		cache_huge = scratch_fill(t, st, false);
		if (cache_huge < 0)
			return stopped(t);
		/*
		 * Folios still in flight (readahead I/O, another CPU's LRU
		 * batch) cannot be dropped at once: one more pass clears
		 * those; pages other processes map stay, and we stop.
		 */
		if (left <= 0)
			break;
	}
	/*
	 * Small PTEs of the program's own (faulted before this pass) keep
	 * a page table where a PMD should go: zap them too.
	 */
	if (cache_huge && pmd_now(t, st) < (uint64_t)cache_huge) {
		ret = zap_clean(t, st);
		if (ret)
			return ret;
	}
	ret = advise_chunked(t, t->start, len, MADV_POPULATE_READ);
	if (ret)
		return stop(t, ret == -ETIME ? HT_R_BUDGET : HT_R_SYSCALL,
			    ret == -ETIME ? 0 : t->err, ret);
	huge = pmd_now(t, st);
	t->err = 0;
	if (huge == len) {
		ret = 0;
	} else if (fadv_err) {
		/* The drop itself failed: not a busy cache, a refusal. */
		ret = stop(t, HT_R_SYSCALL, fadv_err, -fadv_err);
	} else if (huge < (uint64_t)cache_huge && keeps_tables()) {
		/* Before 6.14 (no CONFIG_PT_RECLAIM) zapping keeps them. */
		ret = stop(t, HT_R_TABLES_KEPT, 0, -EAGAIN);
	} else if (left > 0 || (left < 0 && cache_huge)) {
		/*
		 * Pages that survived the drop are mapped elsewhere or
		 * dirty; some spans huge means the filesystem can.
		 */
		ret = stop(t, HT_R_CACHE_BUSY, 0, -EAGAIN);
	} else if (cache_huge) {
		ret = stop(t, HT_R_PARTIAL, 0, -EAGAIN);
	} else {
		ret = stop(t, left == 0 ? HT_R_NO_LARGE_FOLIOS :
			   HT_R_REFAULT_SMALL, 0, -EAGAIN);
	}
	return ret;
}

/*
 * One refault of a file at a time: simultaneous starts of a program
 * would each drop the huge folios another just read and end partly
 * small, every one of them.  The first takes the lock and builds the
 * huge cache; the others wait, then find it huge and only remap.  The
 * lock covers the first look too: a span another start has just made
 * huge says nothing of the spans it has not read yet.  Without a lock
 * (none can be had here) it goes on as before.  Our own small pages go
 * first, before the wait: ld.so has faulted in the headers of a library
 * whose text segment starts at offset 0, and those pages would make the
 * cache look busy to the one refaulting it.
 */
static int do_refault(struct ht_target *t, struct ht_range_stat *st)
{
	uint64_t waited;
	int lock, ret;

	ret = zap_clean(t, st);
	if (ret)
		return ret;
	lock = ht_file_lock(t->fd, t->deadline, &waited);
	t->wait_usec += waited;
	if (lock == -ETIME)
		return stop(t, HT_R_BUDGET, 0, -ETIME);
	ret = refault_locked(t, st);
	ht_file_unlock(lock);
	return ret;
}

/*
 * mremap() issued from this library's own text: while it runs, no code
 * of the range being replaced (which may be libc's own) is needed.
 */
static long raw_mremap(uint64_t old, uint64_t len, uint64_t new_addr)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = MREMAP_MAYMOVE | MREMAP_FIXED;
	register long r8 __asm__("r8") = (long)new_addr;
	long ret;

	__asm__ volatile ("syscall"
			  : "=a" (ret)
			  : "0" ((long)SYS_mremap), "D" (old), "S" (len),
			    "d" (len), "r" (r10), "r" (r8)
			  : "rcx", "r11", "memory");
	return ret;
#else
	return syscall(SYS_mremap, old, len, len,
		       MREMAP_MAYMOVE | MREMAP_FIXED, new_addr);
#endif
}

/*
 * The copy route: fill a 2 MiB-aligned anonymous region with huge pages
 * and the text's bytes, make it read-execute, and move it over the text
 * with one mremap().  The old pages stay mapped and runnable until that
 * single call replaces them with identical bytes, so other threads and
 * signal handlers never see the range missing.
 */
static int do_copy(struct ht_target *t)
{
	uint64_t len = t->end - t->start, aligned;
	void *area;
	long r;
	int ret;

	/* Aligned, so that the move is PMD to PMD. */
	area = ht_map_aligned(-1, 0, len, NULL);
	if (area == MAP_FAILED)
		return stop(t, HT_R_SYSCALL, errno, -errno);
	aligned = (uintptr_t)area;
	ret = advise(t, aligned, len, MADV_HUGEPAGE);
	if (!ret)
		ret = advise(t, aligned, len, MADV_POPULATE_WRITE);
	if (ret) {
		munmap((void *)(uintptr_t)aligned, len);
		return stop(t, ret == -EINVAL ? HT_R_NO_POPULATE :
			    HT_R_SYSCALL, t->err, ret);
	}
	memcpy((void *)(uintptr_t)aligned, (void *)(uintptr_t)t->start, len);
	if (mprotect((void *)(uintptr_t)aligned, len,
		     t->prot ? t->prot : PROT_READ | PROT_EXEC)) {
		ret = -errno;
		munmap((void *)(uintptr_t)aligned, len);
		return stop(t, HT_R_SYSCALL, -ret, ret);
	}
	r = raw_mremap(aligned, len, t->start);
	if (r < 0 && r > -4096) {
		munmap((void *)(uintptr_t)aligned, len);
		return stop(t, HT_R_SYSCALL, (int)-r, (int)r);
	}
	t->route = HT_ROUTE_COPY;
	return 0;
}

/*
 * Has MADV_COLLAPSE refused a regular file on @st's device before (or,
 * with @learn, remember that it did now)?  A kernel without
 * CONFIG_READ_ONLY_THP_FOR_FS refuses them all: asking again, with an
 * fdatasync() between, only costs time.
 */
static bool memo_no_collapse(struct ht_memo *m, const struct ht_range_stat *st,
			     bool learn)
{
	unsigned int i;

	if (!m)
		return false;
	for (i = 0; i < m->ndev; i++)
		if (m->no_collapse[i].major == st->dev_major &&
		    m->no_collapse[i].minor == st->dev_minor)
			return true;
	if (learn && m->ndev < HT_MEMO_DEVS) {
		m->no_collapse[m->ndev].major = st->dev_major;
		m->no_collapse[m->ndev].minor = st->dev_minor;
		m->ndev++;
	}
	return false;
}

/*
 * After a refault that kept small folios: the range is mapped now, so a
 * kernel that collapses only mapped spans (6.1) can.  Keeps the refault's
 * verdict (@ret, @t's reason) unless the collapse made it all huge.
 */
static int collapse_mapped(struct ht_target *t, struct ht_range_stat *st,
			   int ret)
{
	enum ht_reason why = t->reason;
	enum ht_route route = t->route;
	uint64_t len = t->end - t->start;

	if (do_collapse(t) == 0 && pmd_now(t, st) == len) {
		t->route = HT_ROUTE_COLLAPSE;
		t->reason = HT_R_NONE;
		t->err = 0;
		return 0;
	}
	t->route = route;
	t->reason = why;
	t->err = 0;
	return ret;
}

int ht_make_huge(struct ht_target *t, const struct ht_range_stat *pre,
		 const struct ht_policy *pol)
{
	enum ht_strategy s = pol->strategy;
	struct ht_range_stat st_buf = { 0 }, *st = &st_buf;
	uint64_t t0 = ht_now_usec(), len = t->end - t->start, a;
	struct statfs sfs;
	enum ht_reason why;
	bool locked;
	int ret;

	t->route = HT_ROUTE_NONE;
	t->reason = HT_R_NONE;
	t->err = 0;
	t->deadline = pol->deadline;
	t->no_zap = pol->others_run;
	t->threads_unknown = pol->threads_unknown;
	t->pmd_before = t->pmd_after = 0;
	t->wait_usec = 0;
	t->tmpfs = false;
	if (t->end <= t->start || ((t->start | t->end) & HT_HPAGE_MASK))
		return stop(t, HT_R_NO_WHOLE_SPAN, EINVAL, -EINVAL);

	if (pre && pre->start == t->start && pre->end == t->end) {
		*st = *pre;
		st->want_path = false;	/* the copy owns no path */
		st->path = NULL;
		ret = 0;
	} else {
		ret = query(t, st);
	}
	if (ret) {
		ret = stop(t, HT_R_SYSCALL, -ret, ret);
		goto out;
	}
	t->pmd_before = st->pmd;
	if (fstatfs(t->fd, &sfs) == 0)
		t->tmpfs = sfs.f_type == TMPFS_MAGIC;
	if (st->covered != len || !st->one_file || st->offset != t->offset) {
		ret = stop(t, HT_R_NOT_FILE, 0, -EPERM);
		goto out;
	}
	if (st->pmd == len) {
		t->route = HT_ROUTE_ALREADY;
		ret = 0;
		goto out;
	}
	why = ht_policy_refuses(pol);
	if (why != HT_R_NONE) {
		ret = stop(t, why, 0, -EPERM);
		goto out;
	}
	if (st->writable) {
		ret = stop(t, HT_R_WRITABLE_TEXT, 0, -EPERM);
		goto out;
	}
	if (st->vmflags_or & HT_VM_NH) {
		ret = stop(t, HT_R_NOHUGEPAGE, 0, -EPERM);
		goto out;
	}
	/*
	 * Locked (mlock, mlockall) with pages in it: MADV_DONTNEED refuses
	 * VM_LOCKED (EINVAL), so the refault route cannot zap it, and the
	 * copy would take the program's lock away with the old mapping.
	 * MADV_COLLAPSE needs neither, and still runs where it can.
	 */
	locked = (st->vmflags_or & HT_VM_LO) && st->rss;
	if (locked && (s == HT_STRATEGY_COPY || s == HT_STRATEGY_REFAULT)) {
		ret = stop(t, HT_R_LOCKED, 0, -EPERM);
		goto out;
	}
	if (st->anonymous) {
		ret = stop(t, HT_R_PRIVATE_PAGES, 0, -EPERM);
		goto out;
	}
	why = ht_policy_holds_back(pol);
	if (why != HT_R_NONE) {
		ret = stop(t, why, 0, -ECANCELED);
		goto out;
	}
	if (spent(t)) {		/* earlier objects used it all */
		ret = stop(t, HT_R_BUDGET, 0, -ETIME);
		goto out;
	}

	if (s == HT_STRATEGY_COPY) {
		ret = do_copy(t);
		goto out;
	}
	/*
	 * A regular file, auto: collapse first without reading anything,
	 * so that where the kernel cannot collapse this file (EINVAL at
	 * once) no page table is left in the program's range for the
	 * refault route to trip over.
	 */
	if (s == HT_STRATEGY_AUTO && !t->tmpfs) {
		t->route = HT_ROUTE_COLLAPSE;
		ret = memo_no_collapse(pol->memo, st, false) ? -EINVAL :
		      do_collapse(t);
		if (ret == -ETIME) {
			ret = stop(t, HT_R_BUDGET, 0, ret);
			goto out;
		}
		if (ret == -EINVAL)
			memo_no_collapse(pol->memo, st, true);
		if (ret == 0) {
			advise(t, t->start, len, MADV_POPULATE_READ);
			if (pmd_now(t, st) == len) {
				t->err = 0;
				goto out;
			}
		}
		t->route = HT_ROUTE_NONE;
		t->err = 0;
		if (locked) {
			ret = stop(t, HT_R_LOCKED, 0, -EPERM);
			goto out;
		}
		ret = do_refault(t, st);
		/*
		 * 6.1 collapses only spans the process has page tables for:
		 * with the refault's reads in place, where the filesystem
		 * has no large folios, one more collapse may do it.
		 */
		if (ret == -EAGAIN && (t->reason == HT_R_NO_LARGE_FOLIOS ||
				       t->reason == HT_R_REFAULT_SMALL))
			ret = collapse_mapped(t, st, ret);
		goto out;
	}
	if (s == HT_STRATEGY_AUTO || s == HT_STRATEGY_COLLAPSE) {
		/*
		 * One read per span: where the page cache is huge already
		 * this maps it with PMDs and nothing more is needed; and 6.1
		 * stops MADV_COLLAPSE with EINVAL at the first span this
		 * process has no page table for (SCAN_PMD_NONE from
		 * retract_page_tables()).
		 */
		for (a = t->start; a < t->end; a += HT_HPAGE_SIZE)
			advise(t, a, 1, MADV_POPULATE_READ);
		t->err = 0;
		if (pmd_now(t, st) == len) {
			t->route = HT_ROUTE_REMAP;
			ret = 0;
			goto out;
		}
		t->route = HT_ROUTE_COLLAPSE;
		ret = do_collapse(t);
		if (ret == -ETIME) {
			ret = stop(t, HT_R_BUDGET, 0, ret);
			goto out;
		}
		/* The verdict is what is mapped, not what the call said. */
		if (pmd_now(t, st) == len) {
			t->err = 0;
			ret = 0;
			goto out;
		}
		/*
		 * EINVAL: this kernel cannot collapse this file (no
		 * CONFIG_READ_ONLY_THP_FOR_FS, or no MADV_COLLAPSE at all).
		 */
		if (s == HT_STRATEGY_COLLAPSE || t->tmpfs) {
			ret = stop(t, ret == -EINVAL ? HT_R_NO_COLLAPSE :
				   ret ? HT_R_SYSCALL : HT_R_PARTIAL,
				   t->err, ret == -EINVAL ? -EOPNOTSUPP :
				   ret ? ret : -EAGAIN);
			goto out;
		}
	}
	if (t->tmpfs) {
		ret = stop(t, HT_R_TMPFS_REFAULT, 0, -EOPNOTSUPP);
		goto out;
	}
	ret = do_refault(t, st);
out:
	/* The verdict comes from smaps, the ground truth, once. */
	if (t->route == HT_ROUTE_NONE || t->route == HT_ROUTE_ALREADY)
		t->pmd_after = t->pmd_before;
	else if (t->route == HT_ROUTE_COPY)
		t->pmd_after = query(t, st) ? 0 : st->anon_huge;
	else
		t->pmd_after = pmd_now(t, st);
	if (ret == 0 && t->pmd_after != len)
		ret = stop(t, HT_R_PARTIAL, 0, -EAGAIN);
	else if (ret == -EAGAIN && t->reason == HT_R_NONE)
		t->reason = HT_R_PARTIAL;
	t->usec = ht_now_usec() - t0;
	return ret;
}
