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
	ssize_t n;
	int fd;

	snprintf(name, sizeof(name), "/proc/%d/status", (int)pid);
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
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

/* One eligible part: collapse, else page out and prime. */
static int remote_part(int pidfd, pid_t pid, const char *path,
		       struct ht_part *p, const struct ht_policy *pol)
{
	struct ht_target *t = &p->target;
	uint64_t len = t->end - t->start, t0 = ht_now_usec();
	struct ht_target primed;
	bool locked, unfaulted;
	int ret, fd;

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
	/*
	 * The page-cache route from outside: drop the process's own small
	 * pages (MADV_PAGEOUT reclaims only what no one else maps), make
	 * the file's cache huge from a mapping of ours, and let the
	 * process fault the 2 MiB folios back in.  Not where some of the
	 * range is PMD-mapped already: the page-out would take those
	 * mappings too, and the process would fault them back in with
	 * PTEs (its page tables stay): worse than it was.
	 */
	if (t->pmd_before) {
		t->reason = HT_R_PARTLY_HUGE;
		ret = -EAGAIN;
		goto out;
	}
	/* MADV_PAGEOUT refuses a locked range (EINVAL): say why instead. */
	if (locked) {
		t->route = HT_ROUTE_NONE;
		t->reason = HT_R_LOCKED;
		t->err = 0;
		ret = -EPERM;
		goto out;
	}
	t->route = HT_ROUTE_REFAULT;
	fd = open_same(path, pid, t->start);
	if (fd < 0) {
		t->reason = fd == -ENOENT ? HT_R_FILE_CHANGED : HT_R_SYSCALL;
		t->err = -fd;
		ret = fd;
		goto out;
	}
	ret = pmadvise(pidfd, t->start, len, MADV_PAGEOUT);
	if (ret == 0 || ret == -EAGAIN)
		ret = ht_prime_range(fd, t->offset, len, pol, &primed);
	/*
	 * Pages the process read just now on another CPU can sit in that
	 * CPU's LRU batch, which a page-out passes over; they are there
	 * for the second one.
	 */
	if (ret == -EAGAIN && primed.reason == HT_R_CACHE_BUSY) {
		ret = pmadvise(pidfd, t->start, len, MADV_PAGEOUT);
		if (ret == 0 || ret == -EAGAIN)
			ret = ht_prime_range(fd, t->offset, len, pol, &primed);
	}
	close(fd);
	if (ret == -EPERM || ret == -EACCES || ret == -ESRCH)
		goto fail;
	if (ret) {
		t->reason = primed.reason;
		t->err = primed.err;
	} else {
		/*
		 * The process's page table below each span survives the
		 * page-out, and a fault maps a PMD only where there is none:
		 * it refaults the huge folios with PTEs.  Only collapse
		 * retracts such tables (checked on 6.18 without
		 * CONFIG_READ_ONLY_THP_FOR_FS).  Spans it never faulted
		 * have none: it maps them huge at their first use.
		 */
		t->reason = unfaulted ? HT_R_NOT_FAULTED : HT_R_REMOTE_PTE;
		t->pmd_before = 0;
	}
	goto out;
fail:
	t->reason = ret == -ESRCH ? HT_R_EXITED : HT_R_NO_PRIVILEGE;
	t->err = -ret;
out:
	t->usec = ht_now_usec() - t0;
	return ret;
}

int ht_remote_make_huge(pid_t pid, struct ht_run *run,
			const struct ht_policy *pol)
{
	uint64_t t0 = ht_now_usec();
	struct ht_run after;
	size_t i, j;
	int pidfd, ret = 0;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	for (i = 0; i < run->nobj; i++) {
		struct ht_object *o = &run->obj[i];

		for (j = 0; j < o->nparts; j++) {
			int r;

			if (!o->parts[j].attempted)
				continue;
			r = remote_part(pidfd, pid, o->path, &o->parts[j], pol);
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
done:
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
				     t->reason == HT_R_NOT_FAULTED))
					t->reason = HT_R_NONE;
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
