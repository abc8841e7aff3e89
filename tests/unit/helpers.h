/* SPDX-License-Identifier: MIT */
/*
 * helpers.h - what the unit tests of the routes, prime, probe, --pid and
 * the ELF reader need of the system: a scratch directory, tmpfs mounts
 * of their own, files whose page cache holds small folios only, fixture
 * programs built with cc, THP as the system has it, and the page cache
 * seen through a mapping of our own.
 *
 * Every function here runs inside a Criterion test (or its .init and
 * .fini): it fails the test with cr_assert_*() where the system does not
 * do what it must, and skips it with cr_skip_test() where this machine
 * cannot run it.  The state kept here (the scratch directory, the
 * mounts) is the process's, and Criterion runs each test in a process
 * of its own.
 */
#ifndef HT_TEST_HELPERS_H
#define HT_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

#define KiB		((uint64_t)1024)
#define MiB		(1024 * KiB)
#define PAGE		4096

/* ------------------------------------------------------------------ */
/* The scratch directory */

/*
 * scratch_setup - make a fresh directory @parent/@name-XXXXXX (mkdtemp),
 * the test's scratch directory, and return its path.  Where it is says
 * which filesystem the test's files are on: /var/tmp is the root ext4.
 */
const char *scratch_setup(const char *parent, const char *name);

/*
 * scratch_teardown - remove the scratch directory and all below it, if
 * there is one; a failure is said on stderr, not fatal (a .fini).
 */
void scratch_teardown(void);

/* scratch_path - @buf gets scratch/@name; the test fails if it is cut. */
void scratch_path(char *buf, size_t size, const char *name);

/* scratch_write - a file scratch/@name (mode 0644) holding @text. */
void scratch_write(const char *name, const char *text);

/* ------------------------------------------------------------------ */
/* Files */

/* write_file - @path created or emptied (@mode if new), @len of @buf. */
void write_file(const char *path, const void *buf, size_t len, mode_t mode);

/*
 * small_folio_file - fill the empty file @fd (open for writing, named
 * @path) with @len bytes (a multiple of PAGE) in 4 KiB writes, each page
 * as @fill(page, its file offset) makes it, flush and close it, and
 * return @path opened anew read-only (O_CLOEXEC).  Written so, the page
 * cache holds small folios only, whatever the filesystem could hold:
 * what the routes start from.
 */
int small_folio_file(int fd, const char *path, uint64_t len,
		     void (*fill)(void *page, uint64_t off));

/*
 * copy_small - copy @src to a fresh @dst (mode 0755, any old one
 * removed) with 4 KiB writes, flushed: the page cache of @dst then holds
 * small folios only, whatever the linker's writes made of @src's.
 */
void copy_small(const char *src, const char *dst);

/* ------------------------------------------------------------------ */
/* tmpfs mounts of our own */

#define TMPFS_MAX	3	/* mounts per test */

/*
 * tmpfs_mount - a tmpfs mounted with @opts on a fresh directory
 * /tmp/@name-XXXXXX; returns the directory.  The first call moves the
 * process into a mount namespace of its own where one can be made, so
 * that the mounts go with the process even if the test dies;
 * tmpfs_unmount_all() undoes them anyway.  Skips the test where
 * mounting is not allowed (not root).
 */
const char *tmpfs_mount(const char *name, const char *opts);

/*
 * tmpfs_unmount_all - unmount (lazily if busy) and remove every
 * directory tmpfs_mount() made, the last first; failures are said on
 * stderr, not fatal (a .fini).
 */
void tmpfs_unmount_all(void);

/* ------------------------------------------------------------------ */
/* Programs built at test time, in the scratch directory */

/* PIE with its text 2 MiB-aligned in the file, as tests/progs/bigtext. */
#define ALIGNED_PIE_FLAGS "-fPIE -pie -Wl,-z,max-page-size=0x200000 " \
	"-Wl,-z,separate-code"

/* need_cc - skip the test, "cannot build @what", where there is no cc. */
void need_cc(const char *what);

/*
 * try_cc - run "cc @flags -o @out @srcs" in the scratch directory, its
 * output to scratch/cc.log; whether it succeeded.
 */
bool try_cc(const char *flags, const char *out, const char *srcs);

/* show_cc_log - the compiler's complaints (cc.log) on stderr, if any. */
void show_cc_log(void);

/* must_cc - try_cc(), and fail the test, showing cc.log, if cc fails. */
void must_cc(const char *flags, const char *out, const char *srcs);

/* ------------------------------------------------------------------ */
/* THP and the kernel */

/*
 * kernel_collapses_files - can this kernel collapse a regular file
 * (CONFIG_READ_ONLY_THP_FOR_FS, per /proc/config.gz or /boot)?  1 yes,
 * 0 no, -1 when its config is not to be found.
 */
int kernel_collapses_files(void);

/*
 * thp_policy - @pol zeroed (no budget, no dry run) for strategy @s,
 * with THP as the system has it, read with ht_thp_env_read(): after
 * ht_seccomp_active() into @pol->thp.seccomp when @ask_seccomp (as the
 * library asks), else as if there were no filter.  Skips the test,
 * saying "THP is <mode> here@why", unless THP is always or madvise:
 * no route does anything otherwise.  What else a test needs (THP not
 * disabled for the process, no filter) it checks itself.
 */
void thp_policy(struct ht_policy *pol, enum ht_strategy s, bool ask_seccomp,
		const char *why);

/*
 * need_pagemap_scan - skip the test where the kernel has no PAGEMAP_SCAN
 * (Linux < 6.7): ht_pagemap_scan() is the tests' ground truth.
 */
void need_pagemap_scan(void);

/* ------------------------------------------------------------------ */
/* The page cache, seen from a mapping of our own */

/*
 * map_cache - [@off, @off + @len) of @fd (@off page-aligned) mapped
 * read-only and private at a 2 MiB-aligned address of our own, without
 * MADV_HUGEPAGE, and faulted in; *@huge gets the bytes of it the kernel
 * maps with PMDs (PAGEMAP_SCAN).  The kernel maps a 2 MiB folio of the
 * page cache with a PMD whenever it can, small folios stay small: so
 * *@huge is how much of the range is cached on 2 MiB folios, as any
 * later process gets it.  Returns the mapping, for a look at its bytes;
 * unmap it with munmap(ret, @len).
 */
void *map_cache(int fd, uint64_t off, uint64_t len, uint64_t *huge);

/*
 * page_cache_huge - map_cache()'s *huge for [@off, @off + @len) of
 * @path, opened here with O_NOATIME (the look leaves the file's access
 * time alone; the test must own the file) and unmapped again.
 */
uint64_t page_cache_huge(const char *path, uint64_t off, uint64_t len);

#endif /* HT_TEST_HELPERS_H */
