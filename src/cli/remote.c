// SPDX-License-Identifier: MIT
/* remote.c - another process's text from outside; see remote.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "inject.h"
#include "pagemap.h"
#include "prime.h"
#include "remote.h"
#include "linux-compat.h"
#include "smaps.h"
#include "spans.h"


struct scan {
	struct ht_run *run;
	size_t cap;
	int err;
	int pagemap;		/* the process's /proc/PID/pagemap, or -1 */
};

static struct ht_object *object_for(struct scan *sc, const char *path)
{
	struct ht_run *r = sc->run;
	struct ht_object *o;
	size_t i;

	for (i = 0; i < r->nobj; i++)
		if (!strcmp(r->obj[i].path, path))
			return &r->obj[i];
	if (ht_grow(&r->obj, &sc->cap, r->nobj, sizeof(*r->obj), 16))
		return NULL;
	o = &r->obj[r->nobj];
	memset(o, 0, sizeof(*o));
	o->path = strdup(path);
	if (!o->path)
		return NULL;
	r->nobj++;
	return o;
}

/*
 * Bytes of @p's spans the process maps with small pages now: present
 * minus PMD-mapped, from PAGEMAP_SCAN of exactly the spans (6.7+);
 * else the mapping's whole Rss, which may count its head and tail.
 */
static uint64_t small_bytes(const struct scan *sc, const struct ht_vma *v,
			    const struct ht_part *p)
{
	uint64_t present, huge, anon;

	if (sc->pagemap >= 0 &&
	    !ht_pagemap_walk(sc->pagemap, p->spans.start, p->spans.end,
			     &present, &huge, &anon))
		return present > huge ? present - huge : 0;
	return v->rss > v->file_pmd + v->shmem_pmd ?
	       v->rss - v->file_pmd - v->shmem_pmd : 0;
}

static enum ht_reason why_small(const struct scan *sc, const struct ht_vma *v,
				const struct ht_part *p)
{
	uint64_t small;

	if (v->vmflags & HT_VM_NH)
		return HT_R_NOHUGEPAGE;
	if (v->anonymous)
		return HT_R_PRIVATE_PAGES;
	small = small_bytes(sc, v, p);
	/* Never faulted is not small: it maps huge where the cache is. */
	if (!small)
		return HT_R_NOT_FAULTED;
	/* Locked small pages: neither zapped nor paged out (EINVAL). */
	if (v->vmflags & HT_VM_LO)
		return HT_R_LOCKED;
	return HT_R_SMALL_PAGES;
}

static int scan_vma(const struct ht_vma *v, void *arg)
{
	struct scan *sc = arg;
	struct ht_object *o;
	struct ht_part *p;

	if (!(v->vmflags & HT_VM_EX) || !v->inode || v->path[0] != '/')
		return 0;
	o = object_for(sc, v->path);
	if (!o) {
		sc->err = -ENOMEM;
		return 1;
	}
	o->text_bytes += v->end - v->start;
	o->nexec++;
	if (o->nparts == HT_ELF_MAX_EXEC)
		return 0;
	p = &o->parts[o->nparts++];
	p->vaddr = v->start;
	p->len = v->end - v->start;
	p->offset = v->pgoff;
	p->span_reason = ht_spans_find(v->start, p->len, v->pgoff, &p->spans);
	if (p->span_reason != HT_R_NONE)
		return 0;
	/*
	 * Every PMD of a mapping lies inside its spans, so the mapping's
	 * FilePmdMapped is the spans' huge bytes.
	 */
	p->attempted = true;
	p->target.start = p->spans.start;
	p->target.end = p->spans.end;
	p->target.offset = p->spans.offset;
	p->target.fd = -1;
	p->target.pmd_before = p->target.pmd_after =
		v->file_pmd + v->shmem_pmd;
	if (p->target.pmd_after < ht_spans_bytes(&p->spans))
		p->target.reason = why_small(sc, v, p);
	return 0;
}

void ht_run_free(struct ht_run *run)
{
	size_t i;

	for (i = 0; i < run->nobj; i++)
		free(run->obj[i].path);
	free(run->obj);
	run->obj = NULL;
	run->nobj = 0;
}

/*
 * The target's own THP switch (PR_SET_THP_DISABLE), from "THP_enabled:"
 * in its status (5.0 and later): not ours, which ht_thp_env_read() reads.
 * False when it cannot be told.
 */
static bool thp_disabled(pid_t pid)
{
	char name[64], buf[4096];
	const char *p;

	snprintf(name, sizeof(name), "/proc/%d/status", (int)pid);
	if (ht_proc_read(name, buf, sizeof(buf)) <= 0)
		return false;
	p = strstr(buf, "\nTHP_enabled:");
	if (!p)
		return false;
	p += strlen("\nTHP_enabled:");
	p += strspn(p, " \t");
	return *p == '0';
}

int ht_remote_scan(pid_t pid, struct ht_run *run)
{
	struct scan sc = { run, 0, 0, -1 };
	uint64_t t0 = ht_now_usec();
	char name[64];
	int ret;

	memset(run, 0, sizeof(*run));
	run->pid = pid ? pid : getpid();
	ht_thp_env_read(&run->thp);
	run->thp.prctl_disabled = thp_disabled(run->pid);
	run->thp.seccomp = false;	/* the target makes no call of ours */
	if (pid)
		snprintf(name, sizeof(name), "/proc/%d/pagemap", (int)pid);
	else
		snprintf(name, sizeof(name), "/proc/self/pagemap");
	sc.pagemap = open(name, O_RDONLY | O_CLOEXEC);
	ret = ht_smaps_walk(pid, scan_vma, &sc);
	if (sc.pagemap >= 0)
		close(sc.pagemap);
	if (ret == -ENOENT)
		ret = -ESRCH;
	if (!ret)
		ret = sc.err;
	/* Nothing checked is not "all huge": a zombie, a kernel thread. */
	if (!ret && !run->nobj)
		ret = -ENOEXEC;
	run->usec = ht_now_usec() - t0;
	if (ret)
		ht_run_free(run);
	return ret;
}

static int pmadvise(int pidfd, uint64_t start, uint64_t len, int advice)
{
	struct iovec iov = { (void *)(uintptr_t)start, len };
	long n = syscall(SYS_process_madvise, pidfd, &iov, 1, advice, 0);

	if (n < 0)
		return -errno;
	return (uint64_t)n == len ? 0 : -EAGAIN;
}

/* The file mapped at @path in the process, checked by device/inode. */
static int open_same(const char *path, pid_t pid, uint64_t start)
{
	struct ht_range_stat st = { .start = start, .end = start + 1 };
	int fd = -1;

	if (ht_smaps_query(pid, &st, 1) == 0 && st.one_file) {
		fd = ht_open_mapped(&st, path);
		if (fd == -ESTALE)
			fd = -ENOENT;
	}
	return fd;
}

/*
 * The spans to finish from inside the process (--inject): runs of whole
 * 2 MiB spans the process does not map with PMDs.  Warm: the cache is
 * huge now, one stop zaps and maps them all.  Cold: the process kept
 * faulting their small pages back (a hot loop) and the cache stayed
 * small: each span then gets a stop of its own in which it is zapped,
 * primed from outside and mapped, a few ms each, so that no fault can
 * come between the zap and the drop.
 */
struct zap_run {
	struct ht_part *part;
	const char *path;
	uint64_t start, len;
	bool cold;
};

struct zaps {
	struct zap_run *run;
	size_t n, cap;
	enum ht_reason refused;	/* why --inject cannot run on it */
};

static int zaps_add(struct zaps *z, struct ht_part *p, const char *path,
		    uint64_t start, uint64_t len, bool cold)
{
	if (ht_grow(&z->run, &z->cap, z->n, sizeof(*z->run), 8))
		return -ENOMEM;
	z->run[z->n] = (struct zap_run){ p, path, start, len, cold };
	z->n++;
	return 0;
}

static int open_pagemap(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Is the 2 MiB span at @a PMD-mapped in the process whose pagemap is @pm? */
static bool span_pmd(int pm, uint64_t a)
{
	uint64_t present = 0, huge = 0, anon = 0;

	return pm >= 0 &&
	       ht_pagemap_walk(pm, a, a + HT_HPAGE_SIZE, &present, &huge,
			       &anon) == 0 && huge == HT_HPAGE_SIZE;
}

/*
 * Make the cache of [@start, @start + @len) of @t's file huge from
 * outside: with @pageout, first take the process's own small pages of
 * it (MADV_PAGEOUT reclaims only what no one else maps), which would
 * keep their folios in the cache.  Returns as ht_prime_range(), with
 * @primed's reason.
 */
static int prime_run(int pidfd, int fd, const struct ht_target *t,
		     uint64_t start, uint64_t len, bool pageout,
		     const struct ht_policy *pol, struct ht_target *primed)
{
	uint64_t off = t->offset + (start - t->start);
	int ret = 0, i;

	for (i = 0; i < 2; i++) {
		if (pageout)
			ret = pmadvise(pidfd, start, len, MADV_PAGEOUT);
		if (ret == 0 || ret == -EAGAIN)
			ret = ht_prime_range(fd, off, len, pol, primed);
		/*
		 * Pages the process read just now on another CPU can sit in
		 * that CPU's LRU batch, which a page-out passes over; they
		 * are there for the second one.
		 */
		if (!pageout || ret != -EAGAIN ||
		    primed->reason != HT_R_CACHE_BUSY)
			break;
	}
	return ret;
}

/*
 * The page-cache route from outside, span by span: spans the process
 * maps with PMDs already are left alone.  The others' cache is made
 * huge; then only a zap in the process itself gives it PMDs (a fault
 * maps one only where no page table is, and only a zap the process
 * makes frees its table): with @pol->inject they are queued on @z for
 * that, after the page-out of its small pages; without, the process
 * is not touched at all (a page-out alone would only have it fault
 * the same pages back with PTEs) and the reason says what would do.
 */
static int refault_part(int pidfd, pid_t pid, const char *path,
			struct ht_part *p, const struct ht_policy *pol,
			struct zaps *z)
{
	struct ht_target *t = &p->target, primed = { 0 };
	uint64_t a, run = 0, done = 0;
	int ret = 0, fd, pm;
	bool cold;

	fd = open_same(path, pid, t->start);
	if (fd < 0) {
		t->reason = fd == -ENOENT ? HT_R_FILE_CHANGED : HT_R_SYSCALL;
		t->err = -fd;
		return fd;
	}
	pm = open_pagemap(pid);
	for (a = t->start; a <= t->end; a += HT_HPAGE_SIZE) {
		if (a < t->end && !span_pmd(pm, a)) {
			if (!run)
				run = a;
			continue;
		}
		if (!run)
			continue;
		ret = prime_run(pidfd, fd, t, run, a - run, pol->inject, pol,
				&primed);
		if (ret == -EPERM || ret == -EACCES || ret == -ESRCH)
			break;
		cold = ret == -EAGAIN && primed.reason == HT_R_CACHE_BUSY;
		if (pol->inject && (ret == 0 || cold)) {
			ret = zaps_add(z, p, path, run, a - run, cold);
			if (ret)
				break;
		} else if (ret) {
			/* Busy with its own small pages, most likely. */
			t->reason = !pol->inject &&
				    primed.reason == HT_R_CACHE_BUSY ?
				    (z->refused != HT_R_NONE ? z->refused :
				     HT_R_NEEDS_INJECT) : primed.reason;
			t->err = primed.err;
		}
		done += a - run;
		run = 0;
	}
	if (pm >= 0)
		close(pm);
	close(fd);
	if (ret == -EPERM || ret == -EACCES || ret == -ESRCH || ret == -ENOMEM)
		return ret;
	if (done && !pol->inject && t->reason == HT_R_NONE)
		t->reason = HT_R_REMOTE_PTE;
	return t->reason == HT_R_NONE ? 0 : -EAGAIN;
}

/* One eligible part: collapse, else the page-cache route (above). */
static int remote_part(int pidfd, pid_t pid, const char *path,
		       struct ht_part *p, const struct ht_policy *pol,
		       struct zaps *z)
{
	struct ht_target *t = &p->target;
	uint64_t len = t->end - t->start, t0 = ht_now_usec();
	bool locked, unfaulted;
	int ret;

	t->route = HT_ROUTE_NONE;
	if (t->pmd_before == len) {
		t->route = HT_ROUTE_ALREADY;
		t->reason = HT_R_NONE;
		return 0;
	}
	if (t->reason == HT_R_NOHUGEPAGE || t->reason == HT_R_PRIVATE_PAGES)
		return -EPERM;
	locked = t->reason == HT_R_LOCKED;
	unfaulted = t->reason == HT_R_NOT_FAULTED;
	t->reason = ht_policy_refuses(pol);
	if (t->reason == HT_R_NONE)
		t->reason = ht_policy_cache_only(pol);
	if (t->reason != HT_R_NONE)
		return -EPERM;
	t->reason = ht_policy_holds_back(pol);
	if (t->reason != HT_R_NONE)
		return -ECANCELED;
	t->reason = HT_R_NONE;
	if (pol->strategy != HT_STRATEGY_REFAULT) {
		t->route = HT_ROUTE_COLLAPSE;
		ret = pmadvise(pidfd, t->start, len, MADV_COLLAPSE);
		if (ret == -EAGAIN)
			ret = pmadvise(pidfd, t->start, len, MADV_COLLAPSE);
		if (ret == -EPERM || ret == -EACCES || ret == -ESRCH)
			goto fail;
		if (ret == 0 || pol->strategy == HT_STRATEGY_COLLAPSE) {
			if (ret)
				t->reason = ret == -EINVAL ? HT_R_NO_COLLAPSE :
					    HT_R_SYSCALL;
			goto out;
		}
	}
	/* MADV_PAGEOUT and MADV_DONTNEED refuse a locked range (EINVAL). */
	if (locked) {
		t->route = HT_ROUTE_NONE;
		t->reason = HT_R_LOCKED;
		t->err = 0;
		ret = -EPERM;
		goto out;
	}
	t->route = pol->inject ? HT_ROUTE_INJECT : HT_ROUTE_REFAULT;
	ret = refault_part(pidfd, pid, path, p, pol, z);
	/*
	 * Spans it never faulted have no page table: it maps them huge
	 * at their first use, once the cache is.
	 */
	if (unfaulted && t->reason == HT_R_REMOTE_PTE)
		t->reason = HT_R_NOT_FAULTED;
	if (ret == -EPERM || ret == -EACCES || ret == -ESRCH)
		goto fail;
	goto out;
fail:
	t->reason = ret == -ESRCH ? HT_R_EXITED : HT_R_NO_PRIVILEGE;
	t->err = -ret;
out:
	t->usec = ht_now_usec() - t0;
	return ret;
}

/* What ht_inject_begin() refusing says, for every part it would do. */
static enum ht_reason inject_refusal(int err)
{
	switch (err) {
	case -EBUSY:
		return HT_R_TRACED;
	case -EAGAIN:
		return HT_R_STOPPED;
	case -ENOTSUP:
		return HT_R_SECCOMP;
	case -EPERM:
		return HT_R_NO_PRIVILEGE;
	case -ESRCH:
		return HT_R_EXITED;
	}
	return HT_R_SYSCALL;
}

/*
 * The process stopped, a last look for private pages in [@start, +@len)
 * (never discard one), then MADV_DONTNEED (its PTEs and, 6.14+, its
 * emptied page table); with @fd >= 0, the span's cache primed from
 * outside while no fault of this thread can come between; then
 * MADV_POPULATE_READ, which maps the huge folios with PMDs.
 */
static void zap_in(struct ht_inject *in, int pm, const struct zap_run *zr,
		   uint64_t start, uint64_t len, int fd,
		   const struct ht_policy *pol)
{
	struct ht_target *t = &zr->part->target, primed = { 0 };
	uint64_t present = 0, huge = 0, anon = 0;
	int tries, ret = 0;
	long r;

	if (pm < 0 || ht_pagemap_walk(pm, start, start + len, &present,
				      &huge, &anon) || anon) {
		t->reason = pm < 0 ? HT_R_SYSCALL : HT_R_PRIVATE_PAGES;
		return;
	}
	r = ht_inject_call(in, SYS_madvise, (long)start, (long)len,
			   MADV_DONTNEED);
	/*
	 * Folios the process's last faults left under readahead I/O stay
	 * through a drop: one more once that I/O is done.
	 */
	for (tries = 0; r == 0 && fd >= 0 && tries < 3; tries++) {
		ret = ht_prime_range(fd, t->offset + (start - t->start), len,
				     pol, &primed);
		if (ret != -EAGAIN || primed.reason != HT_R_CACHE_BUSY)
			break;
	}
	if (ret && t->reason == HT_R_NONE)
		t->reason = primed.reason;
	if (r == 0)
		r = ht_inject_call(in, SYS_madvise, (long)start, (long)len,
				   MADV_POPULATE_READ);
	if (r < 0) {
		t->reason = !in->attached && r == -EINTR ?
			    HT_R_INTERRUPTED : HT_R_SYSCALL;
		t->err = (int)-r;
	}
}

/* Start a stop; on a refusal, every run from @i on says why. */
static int stop_begin(pid_t pid, struct ht_inject *in, struct zaps *z,
		      size_t i)
{
	int ret = ht_inject_begin(pid, in);

	for (; ret && i < z->n; i++) {
		z->run[i].part->target.reason = inject_refusal(ret);
		z->run[i].part->target.err = -ret;
	}
	return ret;
}

static void stop_end(struct ht_inject *in, struct ht_run *run)
{
	ht_inject_end(in);
	if (in->stop_usec > run->stop_usec)
		run->stop_usec = in->stop_usec;
	run->stops++;
}

/*
 * The zaps, from inside the process, in as few stops of one thread as
 * can be: the warm runs all in one (a fraction of a millisecond for
 * tens of MiB), each span of the cold ones in one of its own.  Only the
 * stopped thread waits; the others may fault the runs meanwhile, and a
 * fault where no table is maps a PMD too.
 */
static int inject_zaps(pid_t pid, struct zaps *z, struct ht_run *run,
		       const struct ht_policy *pol)
{
	struct ht_inject in;
	uint64_t a;
	size_t i;
	int ret, pm, fd;

	if (!z->n)
		return 0;
	pm = open_pagemap(pid);
	for (i = 0; i < z->n && z->run[i].cold; i++)
		;
	if (i < z->n) {
		ret = stop_begin(pid, &in, z, 0);
		if (ret)
			goto out;
		for (i = 0; i < z->n && in.attached; i++)
			if (!z->run[i].cold)
				zap_in(&in, pm, &z->run[i], z->run[i].start,
				       z->run[i].len, -1, pol);
		stop_end(&in, run);
	}
	for (i = 0; i < z->n; i++) {
		struct zap_run *zr = &z->run[i];

		if (!zr->cold)
			continue;
		fd = open_same(zr->path, pid, zr->start);
		if (fd < 0) {
			zr->part->target.reason = HT_R_FILE_CHANGED;
			continue;
		}
		for (a = zr->start; a < zr->start + zr->len;
		     a += HT_HPAGE_SIZE) {
			ret = stop_begin(pid, &in, z, i);
			if (ret) {
				close(fd);
				goto out;
			}
			zap_in(&in, pm, zr, a, HT_HPAGE_SIZE, fd, pol);
			stop_end(&in, run);
		}
		close(fd);
	}
	ret = 0;
out:
	if (pm >= 0)
		close(pm);
	return ret == -EPERM || ret == -ESRCH ? ret : 0;
}

int ht_remote_zap(pid_t pid, const struct ht_run *run, const char *path,
		  uint64_t *stop_usec)
{
	struct ht_inject in;
	uint64_t a, from, present, huge, anon;
	size_t i, j;
	int pm, ret;
	long r;

	*stop_usec = 0;
	pm = open_pagemap(pid);
	if (pm < 0)
		return pm;
	ret = ht_inject_begin(pid, &in);
	for (i = 0; !ret && i < run->nobj && in.attached; i++) {
		const struct ht_object *o = &run->obj[i];

		if (strcmp(o->path, path))
			continue;
		for (j = 0; j < o->nparts && in.attached; j++) {
			const struct ht_target *t = &o->parts[j].target;

			if (!o->parts[j].attempted || t->end <= t->start)
				continue;
			/* Runs of spans not PMD-mapped: never a huge one. */
			for (a = from = t->start; a <= t->end;
			     a += HT_HPAGE_SIZE) {
				if (a < t->end && !span_pmd(pm, a))
					continue;
				present = huge = anon = 0;
				if (a > from &&
				    ht_pagemap_walk(pm, from, a, &present, &huge,
						    &anon) == 0 && !anon &&
				    present) {
					r = ht_inject_call(&in, SYS_madvise,
							   (long)from,
							   (long)(a - from),
							   MADV_DONTNEED);
					if (r < 0 && !in.attached)
						ret = (int)r;
				}
				from = a + HT_HPAGE_SIZE;
			}
		}
	}
	if (in.attached) {
		ht_inject_end(&in);
		*stop_usec = in.stop_usec;
	}
	close(pm);
	return ret;
}

int ht_remote_make_huge(pid_t pid, struct ht_run *run,
			const struct ht_policy *pol)
{
	uint64_t t0 = ht_now_usec();
	struct zaps z = { .refused = HT_R_NONE };
	struct ht_policy own = *pol;
	struct ht_run after;
	size_t i, j;
	int pidfd, ret = 0;

	/*
	 * --inject refused (traced, stopped, under seccomp): nothing of it
	 * runs, not even the page-out before it, and the parts say why.
	 * No right to attach at all: said once, by the caller.
	 */
	if (pol->inject && !pol->dry_run) {
		ret = ht_inject_check(pid);
		if (ret == -EPERM || ret == -ESRCH)
			return ret;
		if (ret) {
			z.refused = inject_refusal(ret);
			own.inject = false;
		}
		ret = 0;
	}
	pol = &own;

	run->stop_usec = 0;
	run->stops = 0;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	for (i = 0; i < run->nobj; i++) {
		struct ht_object *o = &run->obj[i];

		for (j = 0; j < o->nparts; j++) {
			int r;

			if (!o->parts[j].attempted)
				continue;
			r = remote_part(pidfd, pid, o->path, &o->parts[j], pol,
					&z);
			if (r == -EPERM || r == -EACCES || r == -ESRCH) {
				if (o->parts[j].target.reason ==
				    HT_R_NO_PRIVILEGE ||
				    o->parts[j].target.reason == HT_R_EXITED) {
					ret = r;
					goto done;
				}
			}
		}
	}
	/* Each part says why not; the verdict is from smaps below. */
	ret = inject_zaps(pid, &z, run, pol);
done:
	free(z.run);
	close(pidfd);
	/* The verdict: the process's own smaps, now. */
	if (ht_remote_scan(pid, &after) == 0) {
		for (i = 0; i < run->nobj && i < after.nobj; i++) {
			struct ht_object *o = &run->obj[i], *a = &after.obj[i];

			if (strcmp(o->path, a->path) || o->nparts != a->nparts)
				continue;
			for (j = 0; j < o->nparts; j++) {
				struct ht_target *t = &o->parts[j].target;

				t->pmd_after = a->parts[j].target.pmd_after;
				if (t->pmd_after == t->end - t->start &&
				    (t->reason == HT_R_REMOTE_PTE ||
				     t->reason == HT_R_NONE ||
				     t->reason == HT_R_NOT_FAULTED))
					t->reason = HT_R_NONE;
				else if (t->reason == HT_R_NONE &&
					 t->route == HT_ROUTE_INJECT)
					t->reason = HT_R_PARTIAL;
			}
		}
		ht_run_free(&after);
	} else if (!ret) {
		ret = -ESRCH;
	}
	for (i = 0; !ret && i < run->nobj; i++)
		for (j = 0; j < run->obj[i].nparts; j++) {
			struct ht_part *p = &run->obj[i].parts[j];

			if (p->attempted && p->target.pmd_after <
			    ht_spans_bytes(&p->spans))
				ret = -EAGAIN;
		}
	run->usec = ht_now_usec() - t0;
	run->strategy = pol->strategy;
	run->dry_run = pol->dry_run;
	return ret;
}
