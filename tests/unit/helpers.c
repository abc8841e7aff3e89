// SPDX-License-Identifier: MIT
/*
 * helpers.c - the unit tests' shared fixtures: see helpers.h.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include "helpers.h"
#include "linux-compat.h"
#include "smaps.h"
#include "spans.h"
#include "text_collapse.h"

/* ------------------------------------------------------------------ */
/* The scratch directory */

static char scratch[128];

const char *scratch_setup(const char *parent, const char *name)
{
	int n = snprintf(scratch, sizeof(scratch), "%s/%s-XXXXXX", parent,
			 name);

	cr_assert(n > 0 && (size_t)n < sizeof(scratch));
	cr_assert_not_null(mkdtemp(scratch), "mkdtemp: %s", strerror(errno));
	return scratch;
}

void scratch_teardown(void)
{
	char cmd[sizeof(scratch) + 16];

	if (!scratch[0])
		return;
	/* mkdtemp names need no quoting beyond this. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", scratch);
	scratch[0] = '\0';
}

void scratch_path(char *buf, size_t size, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", scratch, name);

	cr_assert(n > 0 && (size_t)n < size);
}

void scratch_write(const char *name, const char *text)
{
	char path[256];

	scratch_path(path, sizeof(path), name);
	write_file(path, text, strlen(text), 0644);
}

/* ------------------------------------------------------------------ */
/* Files */

void write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	cr_assert_eq(close(fd), 0);
}

int small_folio_file(int fd, const char *path, uint64_t len,
		     void (*fill)(void *page, uint64_t off))
{
	/* uint64_t: @fill may write the page in words. */
	static uint64_t page[PAGE / sizeof(uint64_t)];
	uint64_t a;

	for (a = 0; a < len; a += PAGE) {
		fill(page, a);
		cr_assert_eq(write(fd, page, PAGE), PAGE, "write: %s",
			     strerror(errno));
	}
	cr_assert_eq(fsync(fd), 0);
	cr_assert_eq(close(fd), 0);
	/* Read-only: collapse refuses a file open for writing. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	return fd;
}

void copy_small(const char *src, const char *dst)
{
	static char buf[PAGE];
	int in, out;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(in, 0, "%s: %s", src, strerror(errno));
	/* A fresh inode: an old one's page cache may hold large folios. */
	unlink(dst);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	cr_assert_geq(out, 0, "%s: %s", dst, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		cr_assert_eq(write(out, buf, n), n);
	cr_assert_eq(n, 0);
	cr_assert_eq(fsync(out), 0);
	close(in);
	cr_assert_eq(close(out), 0);
}

/* ------------------------------------------------------------------ */
/* tmpfs mounts of our own */

static char mounts[TMPFS_MAX][128];
static bool mounted[TMPFS_MAX];
static int nmounts;
static bool own_ns;

const char *tmpfs_mount(const char *name, const char *opts)
{
	char *d;
	int n;

	cr_assert_lt(nmounts, TMPFS_MAX);
	d = mounts[nmounts];
	n = snprintf(d, sizeof(mounts[0]), "/tmp/%s-XXXXXX", name);
	cr_assert(n > 0 && (size_t)n < sizeof(mounts[0]));
	cr_assert_not_null(mkdtemp(d), "mkdtemp: %s", strerror(errno));
	nmounts++;
	/* Private: our mounts must not show in the namespace we left. */
	if (!own_ns && unshare(CLONE_NEWNS) == 0) {
		own_ns = true;
		cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL),
			     0, "make / private: %s", strerror(errno));
	}
	if (mount("tmpfs", d, "tmpfs", MS_NOSUID | MS_NODEV, opts)) {
		int e = errno;

		/* Criterion may not run .fini after a skip: no dir left. */
		rmdir(d);
		nmounts--;
		if (e == EPERM || e == EACCES)
			cr_skip_test("cannot mount a tmpfs here (%s): "
				     "needs root", strerror(e));
		cr_assert_fail("mount tmpfs on %s: %s", d, strerror(e));
	}
	mounted[nmounts - 1] = true;
	return d;
}

void tmpfs_unmount_all(void)
{
	int i;

	for (i = nmounts - 1; i >= 0; i--) {
		if (mounted[i] && umount2(mounts[i], 0) &&
		    umount2(mounts[i], MNT_DETACH))
			fprintf(stderr, "could not unmount %s: %s\n",
				mounts[i], strerror(errno));
		mounted[i] = false;
		if (rmdir(mounts[i]))
			fprintf(stderr, "could not remove %s\n", mounts[i]);
	}
	nmounts = 0;
}

/* ------------------------------------------------------------------ */
/* Programs built at test time */

void need_cc(const char *what)
{
	if (system("command -v cc >/dev/null 2>&1"))
		cr_skip_test("cc not found: cannot build %s", what);
}

bool try_cc(const char *flags, const char *out, const char *srcs)
{
	char cmd[1024];
	int n;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && cc %s -o %s %s "
		     ">cc.log 2>&1", scratch, flags, out, srcs);
	cr_assert(n > 0 && (size_t)n < sizeof(cmd));
	return system(cmd) == 0;
}

void show_cc_log(void)
{
	char path[256], buf[2048];
	size_t n;
	FILE *f;

	scratch_path(path, sizeof(path), "cc.log");
	f = fopen(path, "r");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	fprintf(stderr, "cc said:\n%s\n", buf);
}

void must_cc(const char *flags, const char *out, const char *srcs)
{
	if (!try_cc(flags, out, srcs)) {
		show_cc_log();
		cr_assert_fail("cc %s -o %s %s failed", flags, out, srcs);
	}
}

/* ------------------------------------------------------------------ */
/* THP and the kernel */

int kernel_collapses_files(void)
{
	char line[256];
	int ans = -1;
	FILE *p;

	p = popen("(zcat /proc/config.gz || cat /boot/config-$(uname -r)) "
		  "2>/dev/null | grep READ_ONLY_THP_FOR_FS", "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		if (!strncmp(line, "CONFIG_READ_ONLY_THP_FOR_FS=y", 29))
			ans = 1;
		else if (strstr(line, "READ_ONLY_THP_FOR_FS is not set"))
			ans = 0;
	}
	pclose(p);
	return ans;
}

void thp_policy(struct ht_policy *pol, enum ht_strategy s, bool ask_seccomp,
		const char *why)
{
	memset(pol, 0, sizeof(*pol));
	pol->strategy = s;
	/* First: under a filter ht_thp_env_read() must not ask prctl. */
	if (ask_seccomp)
		pol->thp.seccomp = ht_seccomp_active(NULL);
	cr_assert_eq(ht_thp_env_read(&pol->thp), 0);
	if (pol->thp.mode != HT_THP_ALWAYS && pol->thp.mode != HT_THP_MADVISE)
		cr_skip_test("THP is %s here%s",
			     ht_thp_mode_name(pol->thp.mode), why);
}

void need_pagemap_scan(void)
{
	uint64_t huge;

	if (ht_pagemap_scan(0, PAGE, &huge, NULL) == -EOPNOTSUPP)
		cr_skip_test("no PAGEMAP_SCAN (Linux < 6.7): no ground truth");
}

/* ------------------------------------------------------------------ */
/* The page cache, seen from a mapping of our own */

void *map_cache(int fd, uint64_t off, uint64_t len, uint64_t *huge)
{
	uintptr_t a, r_end;
	char *r, *m;

	/* A reservation 2 MiB longer holds a 2 MiB-aligned start. */
	r = mmap(NULL, len + HT_HPAGE_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	cr_assert_neq(r, MAP_FAILED);
	r_end = (uintptr_t)r + len + HT_HPAGE_SIZE;
	a = ((uintptr_t)r + HT_HPAGE_MASK) & ~(uintptr_t)HT_HPAGE_MASK;
	m = mmap((void *)a, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd,
		 (off_t)off);
	cr_assert_eq((uintptr_t)m, a);
	/* The rest of the reservation goes: munmap(m, len) undoes it all. */
	if (a > (uintptr_t)r)
		munmap(r, a - (uintptr_t)r);
	munmap(m + len, r_end - (a + len));
	cr_assert_eq(madvise(m, len, MADV_POPULATE_READ), 0);
	*huge = 0;
	cr_assert_eq(ht_pagemap_scan(a, a + len, huge, NULL), 0);
	return m;
}

uint64_t page_cache_huge(const char *path, uint64_t off, uint64_t len)
{
	uint64_t huge;
	void *m;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	m = map_cache(fd, off, len, &huge);
	munmap(m, len);
	close(fd);
	return huge;
}
