// SPDX-License-Identifier: MIT
/* probe.c - side-effect-free probes of placement and routes; see probe.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "linux-compat.h"
#include "probe.h"
#include "spans.h"


#define PROBE_SIZE	(2 * HT_HPAGE_SIZE)	/* two spans */
#define PROBE_CHUNK	4096			/* small folios */

#define PROBE_TRIES	4

int ht_probe_mmap_aligned(int fd, uint64_t size, bool *aligned)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	void *map[PROBE_TRIES], *gap[PROBE_TRIES];
	int i, n;

	if (!size || size > SIZE_MAX)
		return -EINVAL;
	/*
	 * A page-aligned address is 2 MiB-aligned by chance once in 512,
	 * and a hole in the address space that ends on a 2 MiB boundary
	 * (below a 64 MiB-aligned thread arena) aligns whatever lands at
	 * its top.  So ask several times, each mapping kept while the
	 * next is made, each with a one-page gap right below the last
	 * (where the next one goes): only the kernel's own rule aligns
	 * them all.  Before 4.17 MAP_FIXED_NOREPLACE is a hint: a gap
	 * elsewhere then.
	 */
	*aligned = true;
	for (n = 0; n < PROBE_TRIES && *aligned; n++) {
		map[n] = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map[n] == MAP_FAILED)
			break;
		*aligned = !((uintptr_t)map[n] & HT_HPAGE_MASK);
		gap[n] = mmap((char *)map[n] - pagesz, pagesz, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS |
			      MAP_FIXED_NOREPLACE, -1, 0);
		if (gap[n] == MAP_FAILED)
			gap[n] = mmap(NULL, pagesz, PROT_NONE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	for (i = 0; i < n; i++) {
		if (gap[i] != MAP_FAILED)
			munmap(gap[i], pagesz);
		munmap(map[i], size);
	}
	if (!n)
		return -errno;
	return 0;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

static bool under(const char *path, const char *mnt)
{
	size_t n = strlen(mnt);

	if (!strcmp(mnt, "/"))
		return true;
	return !strncmp(path, mnt, n) && (path[n] == '/' || !path[n]);
}

int ht_probe_fs(dev_t dev, const char *path, struct ht_fs_info *out)
{
	char *line = NULL;
	size_t cap = 0, best = 0;
	FILE *f;
	int ret = -ENOENT;

	memset(out, 0, sizeof(*out));
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	/* id parent maj:min root mount opts [optional...] - type src super */
	while (getline(&line, &cap, f) > 0) {
		char mnt[PATH_MAX], type[32];
		unsigned int maj, min;
		const char *dash;
		size_t n;

		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min,
			   mnt) != 3 || makedev(maj, min) != dev)
			continue;
		dash = strstr(line, " - ");
		if (!dash || sscanf(dash, " - %31s", type) != 1)
			continue;
		unescape(mnt);
		n = strlen(mnt);
		if (!under(path, mnt) || (ret == 0 && n <= best))
			continue;
		best = n;
		ret = 0;
		snprintf(out->type, sizeof(out->type), "%s", type);
		snprintf(out->mount, sizeof(out->mount), "%s", mnt);
	}
	free(line);
	fclose(f);
	return ret;
}

/*
 * A file in @dir with no name: O_TMPFILE never gives it one; where the
 * filesystem lacks that, mkostemp's name is removed before any data is
 * written, so a crash leaves at most an empty file's inode, which the
 * filesystem frees itself.  Returns the descriptor or -errno.
 */
static int nameless_file(const char *dir)
{
	char path[PATH_MAX];
	int fd, err;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;
	if (snprintf(path, sizeof(path), "%s/.hugetext-probe-XXXXXX", dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (unlink(path)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Fill @fd with PROBE_SIZE bytes in small writes, flushed, then return
 * a read-only descriptor of it: collapse of a regular file refuses one
 * that is open for writing, as a program's text never is. */
static int fill(int fd)
{
	static char chunk[PROBE_CHUNK];
	char self[64];
	uint64_t done;
	int ro;

	memset(chunk, 0xcc, sizeof(chunk));	/* int3, never run anyway */
	for (done = 0; done < PROBE_SIZE; ) {
		ssize_t n = write(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENOSPC;
		done += (uint64_t)n;
	}
	if (fsync(fd))
		return -errno;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	ro = open(self, O_RDONLY | O_CLOEXEC);
	return ro < 0 ? -errno : ro;
}

/*
 * One route on one fresh file in @dir: map it at a 2 MiB-aligned
 * address inside a reservation of our own, the way text is mapped
 * (PROT_EXEC unless the mount forbids it), and ask ht_make_huge().
 * Returns ht_make_huge()'s result, or -errno when the file could not be
 * set up (@why then says so).
 */
static int try_route(const char *dir, enum ht_strategy s,
		     const struct ht_thp_env *env, struct ht_target *t,
		     char *why, size_t len)
{
	struct ht_policy pol = { .strategy = s, .dry_run = false };
	void *m;
	int fd, ro, ret;

	memset(t, 0, sizeof(*t));
	pol.thp = *env;
	fd = nameless_file(dir);
	if (fd < 0) {
		snprintf(why, len, "cannot write a probe file there (%s)",
			 strerror(-fd));
		return fd;
	}
	ro = fill(fd);
	close(fd);
	if (ro < 0) {
		snprintf(why, len, "cannot write a probe file there (%s)",
			 strerror(-ro));
		return ro;
	}
	m = ht_map_aligned(ro, 0, PROBE_SIZE, NULL);
	if (m == MAP_FAILED) {
		ret = -errno;
		snprintf(why, len, "cannot map a probe file (%s)",
			 strerror(errno));
	} else {
		t->start = (uintptr_t)m;
		t->end = t->start + PROBE_SIZE;
		t->offset = 0;
		t->fd = ro;
		ret = ht_make_huge(t, NULL, &pol);
		if (ret == -EINVAL && t->reason == HT_R_NO_WHOLE_SPAN)
			snprintf(why, len, "probe mapping misplaced");
	}
	if (m != MAP_FAILED)
		munmap(m, PROBE_SIZE);
	close(ro);
	return ret;
}

static bool same_dev(const char *dir, dev_t dev)
{
	struct stat st;

	return dir && *dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_dev == dev;
}

/* Run both routes in @dir; 0 when they ran, else -errno. */
static int probe_in(const char *dir, struct ht_route_probe *out)
{
	struct ht_target t;
	struct statfs sfs;
	int ret;

	ret = try_route(dir, HT_STRATEGY_COLLAPSE, &out->thp, &t, out->why,
			sizeof(out->why));
	if (ret && t.route == HT_ROUTE_NONE && t.reason == HT_R_NONE)
		return ret;	/* never got as far as the kernel */
	out->collapse = ret == 0;
	out->collapse_reason = ret ? t.reason : HT_R_NONE;
	out->tmpfs = t.tmpfs;

	/* A second, fresh file: collapse may have left huge folios. */
	ret = try_route(dir, HT_STRATEGY_REFAULT, &out->thp, &t, out->why,
			sizeof(out->why));
	if (ret && t.route == HT_ROUTE_NONE && t.reason == HT_R_NONE)
		return ret;
	out->refault = ret == 0;
	out->refault_reason = ret ? t.reason : HT_R_NONE;
	if (statfs(dir, &sfs) == 0)
		out->tmpfs = sfs.f_type == TMPFS_MAGIC;
	out->why[0] = '\0';
	out->probed = true;
	return 0;
}

int ht_probe_routes(const char *file, struct ht_route_probe *out)
{
	const char *other[] = { getenv("TMPDIR"), "/var/tmp", "/tmp",
				getenv("HOME") };
	char real[PATH_MAX], *dir;
	struct ht_policy pol = { 0 };
	struct stat st;
	enum ht_reason why;
	size_t i;
	int ret;

	memset(out, 0, sizeof(*out));
	ht_thp_env_read(&out->thp);
	/* No files needed to know that nothing will be tried. */
	pol.thp = out->thp;
	why = ht_policy_refuses(&pol);
	if (why != HT_R_NONE) {
		out->collapse_reason = out->refault_reason = why;
		out->probed = true;
		return 0;
	}
	if (!realpath(file, real) || stat(real, &st)) {
		ret = -errno;
		snprintf(out->why, sizeof(out->why), "%s", strerror(errno));
		return ret;
	}
	dir = dirname(real);
	ret = -EXDEV;
	snprintf(out->why, sizeof(out->why),
		 "its directory is on another filesystem");
	if (same_dev(dir, st.st_dev))
		ret = probe_in(dir, out);
	for (i = 0; ret && geteuid() != 0 && i < 4; i++) {
		char keep[sizeof(out->why)];

		if (!same_dev(other[i], st.st_dev))
			continue;
		memcpy(keep, out->why, sizeof(keep));
		ret = probe_in(other[i], out);
		if (ret)
			memcpy(out->why, keep, sizeof(keep));
	}
	return ret;
}
