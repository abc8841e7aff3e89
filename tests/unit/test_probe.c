// SPDX-License-Identifier: MIT
/*
 * test_probe.c - unit tests for the side-effect-free probes (probe.h).
 *
 * `hugetext check` predicts from these what the library will achieve, so
 * they must say what the kernel really does here, and leave nothing
 * behind.  ht_probe_mmap_aligned() on files of 4 KiB and 8 MiB on the
 * root ext4 and on tmpfs mounts with and without huge=, each answer
 * held against mmap(NULL) done here (with the second try really moved)
 * and asked several times (stable), and in an address space whose free
 * space ends at a 2 MiB boundary (where luck must not pass for a rule);
 * ht_probe_fs() for /, /proc, /dev/shm and tmpfs mounts of our own (one
 * with a space in its name, as mountinfo escapes it), against
 * statfs() and the mount made; ht_probe_routes() on ext4 (refault works
 * on 6.16+, collapse only with READ_ONLY_THP_FOR_FS) and on a tmpfs
 * mounted huge=advise (collapse works, refault does not apply), each
 * answer held against the kernel config and the filesystem, with the
 * directory, this process's descriptors and mappings and the file
 * checked unchanged afterwards; and the errors (missing file, a
 * directory on another filesystem, a read-only mount, THP disabled for
 * the process).  The tmpfs mounts live in a mount namespace of the
 * test's own and are unmounted at the end.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "helpers.h"
#include "linux-compat.h"
#include "probe.h"
#include "reason.h"
#include "spans.h"

#define EXT4_MAGIC	0xef53

/* ------------------------------------------------------------------ */
/* Directories: one on the root ext4, tmpfs mounts of our own. */

static const char *ext4_dir;

static void setup(void)
{
	ext4_dir = scratch_setup("/var/tmp", "ht-probe");
}

static void teardown(void)
{
	tmpfs_unmount_all();
	scratch_teardown();
}

/* ------------------------------------------------------------------ */
/* Files, and what a probe may not change. */

/* make_file()'s pages: 0x90 throughout. */
static void fill_nops(void *page, uint64_t off)
{
	memset(page, 0x90, PAGE);
}

/*
 * A file of @len bytes at @dir/@name, written in 4 KiB writes; returns
 * it open read-only.
 */
static int make_file(char *path, size_t size, const char *dir,
		     const char *name, uint64_t len)
{
	int fd;

	snprintf(path, size, "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	return small_folio_file(fd, path, len, fill_nops);
}

/* Names in @dir, sorted, as one string. */
static void dir_names(const char *dir, char *out, size_t size)
{
	struct dirent **list;
	size_t used = 0;
	int n, i;

	n = scandir(dir, &list, NULL, alphasort);
	cr_assert_geq(n, 0, "%s: %s", dir, strerror(errno));
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(out + used, size - used, "%s/",
				 list[i]->d_name);

		cr_assert(w > 0 && (size_t)w < size - used);
		used += w;
		free(list[i]);
	}
	free(list);
}

static int count_lines(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC), n = 0;
	ssize_t got, i;

	cr_assert_geq(fd, 0);
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < got; i++)
			n += buf[i] == '\n';
	close(fd);
	return n;
}

static int count_fds(void)
{
	struct dirent **list;
	int n = scandir("/proc/self/fd", &list, NULL, NULL), i;

	cr_assert_geq(n, 0);
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return n;
}

/* What must be the same after a probe of @file in @dir. */
struct state {
	char names[4096];
	int fds, maps;
	struct stat file;
	uint64_t shmem;		/* Shmem: in /proc/meminfo */
};

static void state_of(const char *dir, const char *file, struct state *s)
{
	dir_names(dir, s->names, sizeof(s->names));
	s->fds = count_fds();
	s->maps = count_lines("/proc/self/maps");
	cr_assert_eq(stat(file, &s->file), 0);
}

static void check_state(const char *dir, const char *file,
			const struct state *before)
{
	struct state now;

	state_of(dir, file, &now);
	cr_assert_str_eq(now.names, before->names, "%s: left \"%s\", was "
			 "\"%s\"", dir, now.names, before->names);
	cr_assert_eq(now.fds, before->fds, "descriptors: %d, were %d",
		     now.fds, before->fds);
	/* ASan's allocator maps as it pleases (tests/sanitize.sh). */
	if (!getenv("HT_SANITIZE"))
		cr_assert_eq(now.maps, before->maps, "mappings: %d, were %d",
			     now.maps, before->maps);
	cr_assert_eq(now.file.st_size, before->file.st_size);
	cr_assert_eq(now.file.st_mtim.tv_sec, before->file.st_mtim.tv_sec);
	cr_assert_eq(now.file.st_mtim.tv_nsec, before->file.st_mtim.tv_nsec);
	cr_assert_eq(now.file.st_ino, before->file.st_ino);
}

/* THP as the system has it; the route probes mean nothing without. */
static void need_thp(void)
{
	struct ht_thp_env env = { .seccomp = false };

	ht_thp_env_read(&env);
	if (env.mode != HT_THP_ALWAYS && env.mode != HT_THP_MADVISE)
		cr_skip_test("THP is %s here", ht_thp_mode_name(env.mode));
	if (env.prctl_disabled)
		cr_skip_test("THP disabled for this process (prctl)");
}

TestSuite(probe_mmap, .init = setup, .fini = teardown);
TestSuite(probe_fs, .init = setup, .fini = teardown);
TestSuite(probe_routes, .init = setup, .fini = teardown);

/* ------------------------------------------------------------------ */
/* mmap(NULL) placement */

/*
 * Does the kernel itself place mmap(NULL) of @fd 2 MiB-aligned?  Where
 * free space happens to end at a 2 MiB boundary, an address comes back
 * aligned by chance, and keeps doing so; so the second mapping is made
 * with a one-page mapping put right below the first one (MAP_FIXED_
 * NOREPLACE): where the kernel does not align, it then lands a page
 * lower, off 2 MiB.  Asked twice over.
 */
static bool kernel_aligns(int fd, uint64_t len)
{
	bool all = true;
	int round;

	for (round = 0; round < 2; round++) {
		char *a, *g, *b;

		a = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		cr_assert_neq(a, MAP_FAILED, "%s", strerror(errno));
		g = mmap(a - PAGE, PAGE, PROT_NONE, MAP_PRIVATE |
			 MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		b = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		cr_assert_neq(b, MAP_FAILED);
		all = all && !((uintptr_t)a & HT_HPAGE_MASK) &&
		      !((uintptr_t)b & HT_HPAGE_MASK);
		munmap(b, len);
		if (g != MAP_FAILED)
			munmap(g, PAGE);
		munmap(a, len);
	}
	return all;
}

/* The probe's answer: stable over calls, no mapping left behind. */
static bool probe_aligned(int fd, uint64_t len)
{
	int maps = count_lines("/proc/self/maps"), i;
	bool first = false, again;

	cr_assert_eq(ht_probe_mmap_aligned(fd, len, &first), 0);
	for (i = 0; i < 4; i++) {
		again = !first;
		cr_assert_eq(ht_probe_mmap_aligned(fd, len, &again), 0);
		cr_assert_eq(again, first, "call %d: %d, first said %d", i,
			     again, first);
	}
	cr_assert_eq(count_lines("/proc/self/maps"), maps,
		     "the probe left a mapping");
	return first;
}

/* The probe says what the kernel does, and what is expected of it. */
static void check_aligned(int fd, uint64_t len, bool want, const char *what)
{
	bool kernel = kernel_aligns(fd, len), probe = probe_aligned(fd, len);

	cr_assert_eq(kernel, want, "%s: the kernel %s here", what,
		     kernel ? "aligns" : "does not align");
	cr_assert_eq(probe, kernel, "%s: the probe says %s, the kernel %s",
		     what, probe ? "aligned" : "not aligned",
		     kernel ? "aligns" : "does not align");
}

Test(probe_mmap, ext4)
{
	char small[PATH_MAX], big[PATH_MAX];
	int fs = make_file(small, sizeof(small), ext4_dir, "small", PAGE);
	int fb = make_file(big, sizeof(big), ext4_dir, "big", 8 * MiB);

	/* 4 KiB: nothing to align for. */
	check_aligned(fs, PAGE, false, "4 KiB on ext4");
	/* 8 MiB on ext4 (large folios, 6.16+): thp_get_unmapped_area(). */
	check_aligned(fb, 8 * MiB, true, "8 MiB on ext4");
	close(fs);
	close(fb);
}

Test(probe_mmap, tmpfs)
{
	const char *advise = tmpfs_mount("ht-probe-adv",
					 "huge=advise,size=32m");
	const char *plain = tmpfs_mount("ht-probe-plain", "size=32m");
	char a[PATH_MAX], p[PATH_MAX], s[PATH_MAX];
	int fa = make_file(a, sizeof(a), advise, "big", 8 * MiB);
	int fp = make_file(p, sizeof(p), plain, "big", 8 * MiB);
	int fs = make_file(s, sizeof(s), advise, "small", PAGE);

	/* kernel-notes.md: huge=advise aligns, no huge= option does not. */
	check_aligned(fa, 8 * MiB, true, "8 MiB on tmpfs huge=advise");
	check_aligned(fs, PAGE, false, "4 KiB on tmpfs huge=advise");
	/*
	 * What the probe says of this one depends on where this process's
	 * free space ends (see not_fooled_by_the_layout, which sets that
	 * up): only the kernel's answer, and a stable probe, are asked.
	 */
	cr_assert_not(kernel_aligns(fp, 8 * MiB),
		      "8 MiB on tmpfs without huge=: the kernel aligns");
	probe_aligned(fp, 8 * MiB);
	close(fa);
	close(fp);
	close(fs);
}

/*
 * Free space that ends at a 2 MiB boundary, with a page-sized hole
 * above it, as a process's address space often has (glibc's thread
 * arenas are 64 MiB-aligned): a file the kernel does not align then
 * lands aligned, twice, unless the second try is really moved.  The
 * probe must still say "not aligned".
 */
Test(probe_mmap, not_fooled_by_the_layout)
{
	uint64_t len = 8 * MiB, odd = len + PAGE;
	int fd = memfd_create("ht-probe", MFD_CLOEXEC);
	uintptr_t top, bottom;
	bool aligned = true;
	char *m;

	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, (off_t)len), 0);
	if (kernel_aligns(fd, len))
		cr_skip_test("this kernel aligns memfd mappings: no file "
			     "at hand that it places off 2 MiB");
	/* Where the next mapping would go: the top of the free space. */
	m = mmap(NULL, odd, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(m, MAP_FAILED);
	munmap(m, odd);
	top = (uintptr_t)m + odd;
	/* Fill it down to a 2 MiB boundary, leaving a one-page hole. */
	bottom = (top - 2 * PAGE) & ~(uintptr_t)HT_HPAGE_MASK;
	m = mmap((void *)bottom, top - bottom, PROT_NONE, MAP_PRIVATE |
		 MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	cr_assert_eq((uintptr_t)m, bottom, "%s", strerror(errno));
	cr_assert_eq(munmap((void *)(bottom + PAGE), PAGE), 0);
	/* Here even a file the kernel never aligns lands aligned. */
	{
		char *x = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);

		cr_assert_eq((uintptr_t)x, bottom - len);
		munmap(x, len);
	}
	cr_assert_eq(ht_probe_mmap_aligned(fd, len, &aligned), 0);
	munmap((void *)bottom, top - bottom);
	close(fd);
	cr_assert_not(aligned, "the probe took the layout for a rule: "
		      "a memfd's 8 MiB said 2 MiB-aligned");
}

Test(probe_mmap, errors)
{
	char path[PATH_MAX];
	bool aligned = true;
	int fd = make_file(path, sizeof(path), ext4_dir, "f", PAGE), w, p[2];

	cr_assert_eq(ht_probe_mmap_aligned(fd, 0, &aligned), -EINVAL);
	close(fd);
	cr_assert_eq(ht_probe_mmap_aligned(fd, PAGE, &aligned), -EBADF);
	w = open(path, O_WRONLY | O_CLOEXEC);
	cr_assert_geq(w, 0);
	cr_assert_eq(ht_probe_mmap_aligned(w, PAGE, &aligned), -EACCES);
	close(w);
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(ht_probe_mmap_aligned(p[0], PAGE, &aligned), -ENODEV);
	close(p[0]);
	close(p[1]);
}

/* ------------------------------------------------------------------ */
/* The mount a path lives on */

static void probe_path(const char *path, struct ht_fs_info *fs)
{
	char real[PATH_MAX];
	struct stat st;
	int ret;

	cr_assert_not_null(realpath(path, real), "%s: %s", path,
			   strerror(errno));
	cr_assert_eq(stat(real, &st), 0);
	memset(fs, 0x5a, sizeof(*fs));
	ret = ht_probe_fs(st.st_dev, real, fs);
	cr_assert_eq(ret, 0, "%s: %d", path, ret);
}

Test(probe_fs, root_and_friends)
{
	struct ht_fs_info fs;
	struct statfs sfs;
	char path[PATH_MAX];

	cr_assert_eq(statfs("/", &sfs), 0);
	if (sfs.f_type != EXT4_MAGIC)
		cr_skip_test("/ is not ext4 here");
	probe_path("/", &fs);
	cr_assert_str_eq(fs.type, "ext4");
	cr_assert_str_eq(fs.mount, "/");
	/* A file deep below / on the same device. */
	close(make_file(path, sizeof(path), ext4_dir, "f", PAGE));
	probe_path(path, &fs);
	cr_assert_str_eq(fs.type, "ext4");
	cr_assert_str_eq(fs.mount, "/");
	probe_path("/proc/self/status", &fs);
	cr_assert_str_eq(fs.type, "proc");
	cr_assert_str_eq(fs.mount, "/proc");
	if (statfs("/dev/shm", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC) {
		probe_path("/dev/shm", &fs);
		cr_assert_str_eq(fs.type, "tmpfs");
		cr_assert_str_eq(fs.mount, "/dev/shm");
	}
}

Test(probe_fs, own_tmpfs)
{
	const char *m = tmpfs_mount("ht-probe-fs", "size=8m");
	struct ht_fs_info fs;
	char real[PATH_MAX], sub[PATH_MAX], path[PATH_MAX];

	cr_assert_not_null(realpath(m, real));
	probe_path(m, &fs);
	cr_assert_str_eq(fs.type, "tmpfs");
	cr_assert_str_eq(fs.mount, real);
	snprintf(sub, sizeof(sub), "%s/a", m);
	cr_assert_eq(mkdir(sub, 0700), 0);
	close(make_file(path, sizeof(path), sub, "f", PAGE));
	probe_path(path, &fs);
	cr_assert_str_eq(fs.type, "tmpfs");
	cr_assert_str_eq(fs.mount, real);
}

/* mountinfo writes a space as \040: the mount point comes back whole. */
Test(probe_fs, mount_point_with_space)
{
	const char *m = tmpfs_mount("ht probe fs", "size=8m");
	struct ht_fs_info fs;
	char real[PATH_MAX];

	cr_assert_not_null(realpath(m, real));
	cr_assert_not_null(strchr(real, ' '));
	probe_path(m, &fs);
	cr_assert_str_eq(fs.type, "tmpfs");
	cr_assert_str_eq(fs.mount, real);
}

Test(probe_fs, no_such_mount)
{
	struct ht_fs_info fs;
	struct stat st;

	memset(&fs, 0x5a, sizeof(fs));
	cr_assert_eq(ht_probe_fs(makedev(4095, 1048575), "/", &fs), -ENOENT);
	cr_assert_str_eq(fs.type, "");
	cr_assert_str_eq(fs.mount, "");
	/* A device that is mounted, but not where the path says. */
	cr_assert_eq(stat("/proc", &st), 0);
	memset(&fs, 0x5a, sizeof(fs));
	cr_assert_eq(ht_probe_fs(st.st_dev, "/usr/bin", &fs), -ENOENT);
	cr_assert_str_eq(fs.mount, "");
}

/* ------------------------------------------------------------------ */
/* Which routes work where */

static void probe_routes(const char *dir, const char *file,
			 struct ht_route_probe *r)
{
	struct state before;
	int ret;

	state_of(dir, file, &before);
	memset(r, 0x5a, sizeof(*r));
	ret = ht_probe_routes(file, r);
	cr_assert_eq(ret, 0, "%s: %d, %s", file, ret, r->why);
	cr_assert(r->probed);
	cr_assert_str_eq(r->why, "");
	cr_assert(r->thp.mode == HT_THP_ALWAYS ||
		  r->thp.mode == HT_THP_MADVISE);
	cr_assert_eq(r->collapse, r->collapse_reason == HT_R_NONE);
	cr_assert_eq(r->refault, r->refault_reason == HT_R_NONE);
	check_state(dir, file, &before);
}

Test(probe_routes, ext4)
{
	struct ht_route_probe r;
	char path[PATH_MAX];
	int can = kernel_collapses_files();

	need_thp();
	close(make_file(path, sizeof(path), ext4_dir, "prog", 8 * MiB));
	probe_routes(ext4_dir, path, &r);
	cr_assert_not(r.tmpfs);
	/* ext4 has large folios since 6.16: the page-cache route works. */
	cr_assert(r.refault, "refault on ext4: %s",
		  ht_reason_name(r.refault_reason));
	if (can == 0)
		cr_assert_eq(r.collapse_reason, HT_R_NO_COLLAPSE, "%s",
			     ht_reason_name(r.collapse_reason));
	else if (can == 1)
		cr_assert(r.collapse, "%s",
			  ht_reason_name(r.collapse_reason));
	/* Asked again: the same answers (fresh files each time). */
	{
		struct ht_route_probe again;

		probe_routes(ext4_dir, path, &again);
		cr_assert_eq(again.refault, r.refault);
		cr_assert_eq(again.collapse, r.collapse);
		cr_assert_eq(again.collapse_reason, r.collapse_reason);
	}
}

Test(probe_routes, tmpfs_huge_advise)
{
	const char *m = tmpfs_mount("ht-probe-routes", "huge=advise,size=64m");
	struct ht_route_probe r;
	char path[PATH_MAX];
	struct statfs sfs;

	need_thp();
	close(make_file(path, sizeof(path), m, "prog", 8 * MiB));
	cr_assert_eq(statfs(m, &sfs), 0);
	probe_routes(m, path, &r);
	cr_assert(r.tmpfs);
	cr_assert(r.collapse, "collapse on tmpfs: %s",
		  ht_reason_name(r.collapse_reason));
	cr_assert_not(r.refault);
	cr_assert_eq(r.refault_reason, HT_R_TMPFS_REFAULT, "%s",
		     ht_reason_name(r.refault_reason));
	/* The probe's 8 MiB of scratch is gone from the tmpfs again. */
	{
		struct statfs now;

		cr_assert_eq(statfs(m, &now), 0);
		cr_assert_eq(now.f_bfree, sfs.f_bfree, "%" PRIu64 " blocks "
			     "left in use", (uint64_t)(sfs.f_bfree -
						       now.f_bfree));
	}
}

Test(probe_routes, errors)
{
	const char *m = tmpfs_mount("ht-probe-err", "size=8m");
	struct ht_route_probe r;
	char path[PATH_MAX];

	need_thp();
	/* Missing file. */
	snprintf(path, sizeof(path), "%s/none", ext4_dir);
	memset(&r, 0x5a, sizeof(r));
	cr_assert_eq(ht_probe_routes(path, &r), -ENOENT);
	cr_assert_not(r.probed);
	cr_assert_str_eq(r.why, strerror(ENOENT));

	/* A mount point: its directory is on another filesystem. */
	if (geteuid() == 0) {
		memset(&r, 0x5a, sizeof(r));
		cr_assert_eq(ht_probe_routes(m, &r), -EXDEV);
		cr_assert_not(r.probed);
		cr_assert_not_null(strstr(r.why, "another filesystem"), "%s",
				   r.why);
	}

	/* A read-only mount: no probe file can be made there. */
	close(make_file(path, sizeof(path), m, "f", PAGE));
	cr_assert_eq(mount(NULL, m, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0,
		     "remount ro: %s", strerror(errno));
	memset(&r, 0x5a, sizeof(r));
	cr_assert_eq(ht_probe_routes(path, &r), -EROFS, "%s", r.why);
	cr_assert_not(r.probed);
	cr_assert_not_null(strstr(r.why, "cannot write a probe file"), "%s",
			   r.why);
}

/* THP disabled for this process: answered without any file. */
Test(probe_routes, thp_disabled_for_process)
{
	struct ht_route_probe r;
	char path[PATH_MAX];
	struct state before;
	int ret;

	close(make_file(path, sizeof(path), ext4_dir, "prog", 8 * MiB));
	state_of(ext4_dir, path, &before);
	cr_assert_eq(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
	ret = ht_probe_routes(path, &r);
	cr_assert_eq(prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0), 0);
	cr_assert_eq(ret, 0);
	cr_assert(r.probed);
	cr_assert(r.thp.prctl_disabled);
	cr_assert_not(r.collapse);
	cr_assert_not(r.refault);
	cr_assert_eq(r.collapse_reason, HT_R_PRCTL);
	cr_assert_eq(r.refault_reason, HT_R_PRCTL);
	check_state(ext4_dir, path, &before);
	/* Nothing needed the file: a missing one is no error then. */
	cr_assert_eq(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
	ret = ht_probe_routes("/nonexistent/x", &r);
	cr_assert_eq(prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0), 0);
	cr_assert_eq(ret, 0);
}
