// SPDX-License-Identifier: MIT
/* holders.c - processes that keep a page cache small; see holders.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "holders.h"
#include "pagemap.h"
#include "smaps.h"
#include "spans.h"
#include "text_collapse.h"

struct look {
	unsigned int maj, min;
	uint64_t ino;
	const struct ht_file_range *r;
	size_t nr;
	pid_t pid;
	int pagemap;		/* opened at the first mapping of the file */
	bool small;
};

/* Small pages in [@a, @b) of the process?  True when it cannot tell. */
static bool small_at(struct look *lk, uint64_t a, uint64_t b)
{
	uint64_t present, huge, anon;
	char name[64];

	if (lk->pagemap == -1) {
		snprintf(name, sizeof(name), "/proc/%d/pagemap", (int)lk->pid);
		lk->pagemap = open(name, O_RDONLY | O_CLOEXEC);
		if (lk->pagemap < 0)
			lk->pagemap = -2;
	}
	if (lk->pagemap < 0 ||
	    ht_pagemap_walk(lk->pagemap, a, b, &present, &huge, &anon))
		return true;
	return present > huge;
}

static int look_vma(const struct ht_vma *v, void *arg)
{
	struct look *lk = arg;
	uint64_t lo, hi, end = v->pgoff + (v->end - v->start);
	size_t i;

	if (v->inode != lk->ino || v->dev_major != lk->maj ||
	    v->dev_minor != lk->min)
		return 0;
	for (i = 0; i < lk->nr; i++) {
		lo = lk->r[i].offset > v->pgoff ? lk->r[i].offset : v->pgoff;
		hi = lk->r[i].offset + lk->r[i].len < end ?
		     lk->r[i].offset + lk->r[i].len : end;
		if (lo < hi && small_at(lk, v->start + (lo - v->pgoff),
					v->start + (hi - v->pgoff))) {
			lk->small = true;
			return 1;
		}
	}
	return 0;
}

static void read_comm(pid_t pid, char *out, size_t len)
{
	char name[64];
	ssize_t n;
	int fd;

	out[0] = '\0';
	snprintf(name, sizeof(name), "/proc/%d/comm", (int)pid);
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, out, len - 1);
	close(fd);
	if (n < 0)
		n = 0;
	out[n] = '\0';
	if (n && out[n - 1] == '\n')
		out[n - 1] = '\0';
}

int ht_find_holders(int fd, const struct ht_file_range *r, size_t nr,
		    struct ht_holders *out)
{
	struct look lk = { .r = r, .nr = nr };
	pid_t self = getpid();
	struct dirent *d;
	struct stat st;
	char *end;
	DIR *dir;

	memset(out, 0, sizeof(*out));
	if (fstat(fd, &st))
		return -errno;
	lk.ino = st.st_ino;
	/* The device maps shows: the superblock's (btrfs: not st_dev). */
	if (ht_mapped_dev(fd, &lk.maj, &lk.min)) {
		lk.maj = major(st.st_dev);
		lk.min = minor(st.st_dev);
	}
	dir = opendir("/proc");
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		char name[64];
		long pid = strtol(d->d_name, &end, 10);
		int mfd;

		if (*end || pid <= 0 || pid == self)
			continue;
		snprintf(name, sizeof(name), "/proc/%ld/maps", pid);
		mfd = open(name, O_RDONLY | O_CLOEXEC);
		if (mfd < 0)
			continue;	/* gone, or not ours to read */
		lk.pid = (pid_t)pid;
		lk.pagemap = -1;
		lk.small = false;
		ht_smaps_parse(mfd, look_vma, &lk);
		close(mfd);
		if (lk.pagemap >= 0)
			close(lk.pagemap);
		if (!lk.small)
			continue;
		if (out->n < HT_HOLDERS_SHOWN) {
			out->h[out->n].pid = (pid_t)pid;
			read_comm((pid_t)pid, out->h[out->n].comm,
				  sizeof(out->h[out->n].comm));
		}
		out->n++;
	}
	closedir(dir);
	return 0;
}

/* One span: 1 small, 0 huge or not cached at all, or -errno. */
static int span_small(int fd, uint64_t off, unsigned char *vec, size_t pages)
{
	uint64_t huge = 0, anon = 0;
	size_t i, in = 0;
	void *p;
	int ret;

	p = ht_map_aligned(fd, off, HT_HPAGE_SIZE, NULL);
	if (p == MAP_FAILED)
		return -errno;
	ret = mincore(p, HT_HPAGE_SIZE, vec) ? -errno : 0;
	for (i = 0; !ret && i < pages; i++)
		in += vec[i] & 1;
	/* A 2 MiB folio is cached whole or not at all. */
	if (!ret && in && in < pages)
		ret = 1;
	else if (!ret && in) {
		madvise(p, 4096, MADV_POPULATE_READ);
		ret = ht_pagemap_scan((uintptr_t)p, (uintptr_t)p +
				      HT_HPAGE_SIZE, &huge, &anon);
		if (!ret)
			ret = !huge;
	}
	munmap(p, HT_HPAGE_SIZE);
	return ret;
}

int ht_cache_small(int fd, const struct ht_file_range *r, size_t nr)
{
	size_t pages = HT_HPAGE_SIZE / (uint64_t)sysconf(_SC_PAGESIZE), i;
	unsigned char *vec = malloc(pages);
	uint64_t off;
	int ret = 0;

	if (!vec)
		return -ENOMEM;
	for (i = 0; i < nr && ret == 0; i++)
		for (off = r[i].offset; off + HT_HPAGE_SIZE <=
		     r[i].offset + r[i].len && ret == 0; off += HT_HPAGE_SIZE)
			ret = span_small(fd, off, vec, pages);
	free(vec);
	return ret;
}

void ht_holders_text(const struct ht_holders *h, char *buf, size_t len,
		     char *fix, size_t fixlen)
{
	size_t i, n = h->n < HT_HOLDERS_SHOWN ? h->n : HT_HOLDERS_SHOWN;
	int at = 0;

	buf[0] = '\0';
	for (i = 0; i < n && at >= 0 && (size_t)at < len; i++) {
		char comm[sizeof(h->h[i].comm)];
		size_t j;

		for (j = 0; h->h[i].comm[j]; j++)
			comm[j] = iscntrl((unsigned char)h->h[i].comm[j]) ?
				  '?' : h->h[i].comm[j];
		comm[j] = '\0';
		at += snprintf(buf + at, len - at, "%s%d (%s)",
			       i ? ", " : "", (int)h->h[i].pid, comm);
	}
	if (h->n > n && at >= 0 && (size_t)at < len)
		snprintf(buf + at, len - at, " and %zu more", h->n - n);
	if (h->n == 1)
		snprintf(fix, fixlen, "'hugetext --pid %d' (it pages that "
			 "process's small pages out and makes the page cache "
			 "huge: later starts map it huge), or restart it",
			 (int)h->h[0].pid);
	else
		snprintf(fix, fixlen, "restart them ('hugetext --pid' pages "
			 "out only what no other process maps), or stop all "
			 "but one and run 'hugetext --pid' on that one");
}
