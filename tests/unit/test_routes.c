// SPDX-License-Identifier: MIT
/*
 * test_routes.c - unit tests for the kernel routes (text_collapse.h).
 *
 * ht_make_huge() is what every path of hugetext ends in, and what it
 * reports is what users see; so each test here holds its answer (route,
 * reason, err, pmd_before/pmd_after) against the kernel's own account of
 * the range (PAGEMAP_SCAN through ht_pagemap_scan(), the ground truth),
 * and checks that the bytes read through the mapping, and the file, are
 * still what was written.
 *
 * The fixtures are fresh 8 MiB files written in 4 KiB writes and flushed
 * (so their page cache holds small folios only), on the root ext4 (under
 * /var/tmp) and on a tmpfs mounted huge=advise in a directory of our own
 * (in a mount namespace of the test's own, unmounted at the end), mapped
 * with ht_map_aligned() like text.  Covered: every strategy (auto,
 * collapse, refault, none, copy) and dry_run on both filesystems, the
 * second call ("already") and a second mapping of a huge cache
 * ("remap"), a copy of text incongruent with its file, the copy of
 * read-only text staying non-executable (the protection the caller
 * gives in t->prot), the policy gates (thp-never,
 * thp-disabled-prctl, seccomp), misaligned and empty ranges
 * (no-whole-span), ranges that are not the file (not-file), writable
 * text, MADV_NOHUGEPAGE, a private (COW) page in the range both as smaps
 * shows it and behind a stale caller's query (the last look before the
 * zap), and a deadline already past (budget-exhausted).  Also
 * ht_map_aligned(), ht_thp_env_read() and ht_seccomp_active() against
 * what the system says.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "linux-compat.h"
#include "policy.h"
#include "reason.h"
#include "smaps.h"
#include "spans.h"
#include "text_collapse.h"

#define FILE_SIZE	(8 * MiB)
#define RX		(PROT_READ | PROT_EXEC)

/* ------------------------------------------------------------------ */
/* Directories: one on the root ext4, one on a tmpfs of our own. */

static const char *ext4_dir;

/* Files made by a test, unmapped, closed and removed by the teardown. */
#define MAX_FILES 4

struct fixture {
	char path[PATH_MAX];
	int fd;			/* read-only */
	uint64_t len;
	void *map;		/* ht_map_aligned(), or NULL */
	int prot;
};

static struct fixture files[MAX_FILES];
static int nfiles;

static void setup(void)
{
	ext4_dir = scratch_setup("/var/tmp", "ht-routes");
}

static void teardown(void)
{
	int i;

	for (i = 0; i < nfiles; i++) {
		if (files[i].map)
			munmap(files[i].map, files[i].len);
		if (files[i].fd >= 0)
			close(files[i].fd);
		unlink(files[i].path);
	}
	nfiles = 0;
	tmpfs_unmount_all();
	scratch_teardown();
}

/* A tmpfs mounted huge=advise: what hugetext's collapse route is for. */
static const char *need_tmpfs(void)
{
	return tmpfs_mount("ht-routes-shm", "huge=advise,size=64m,mode=0700");
}

/* ------------------------------------------------------------------ */
/* File contents: every 8-byte word says where it is. */

static uint64_t word_at(uint64_t off)
{
	return (off + 1) * 0x9e3779b97f4a7c15ull;
}

static void fill_page(void *page, uint64_t off)
{
	uint64_t *w = page;
	size_t i;

	for (i = 0; i < PAGE / sizeof(*w); i++)
		w[i] = word_at(off + i * sizeof(*w));
}

/* The first byte of [@p, @p + @len) (at file @off) that is not ours. */
static int64_t first_bad(const void *p, uint64_t off, uint64_t len)
{
	static uint64_t want[PAGE / sizeof(uint64_t)];
	const char *c = p;
	uint64_t a, i;

	for (a = 0; a < len; a += PAGE) {
		fill_page(want, off + a);
		if (!memcmp(c + a, want, PAGE))
			continue;
		for (i = 0; i < PAGE; i++)
			if (c[a + i] != ((const char *)want)[i])
				return (int64_t)(a + i);
	}
	return -1;
}

/* What the mapping shows, and what the file holds, are what we wrote. */
static void check_contents(const struct fixture *f, const void *map)
{
	static char buf[64 * KiB];
	int64_t bad;
	uint64_t a;

	bad = first_bad(map, 0, f->len);
	cr_assert_eq(bad, -1, "%s: mapping differs at %" PRId64, f->path,
		     bad);
	for (a = 0; a < f->len; a += sizeof(buf)) {
		cr_assert_eq(pread(f->fd, buf, sizeof(buf), (off_t)a),
			     (ssize_t)sizeof(buf));
		bad = first_bad(buf, a, sizeof(buf));
		cr_assert_eq(bad, -1, "%s: file differs at %" PRIu64,
			     f->path, a + bad);
	}
}

/*
 * A fresh file of @len bytes in @dir, written with 4 KiB writes and
 * flushed, so that its page cache holds small folios only; kept open
 * read-only (collapse refuses a file open for writing, as text never is).
 */
static struct fixture *make_file(const char *dir, uint64_t len)
{
	struct fixture *f;
	int fd;

	cr_assert_lt(nfiles, MAX_FILES);
	f = &files[nfiles];
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->len = len;
	snprintf(f->path, sizeof(f->path), "%s/text-XXXXXX", dir);
	fd = mkstemp(f->path);
	cr_assert_geq(fd, 0, "mkstemp in %s: %s", dir, strerror(errno));
	nfiles++;
	f->fd = small_folio_file(fd, f->path, len, fill_page);
	return f;
}

/* Map @f with ht_map_aligned() and check what it promises. */
static void map_file(struct fixture *f)
{
	uint64_t present = 1;
	int prot = -1;

	f->map = ht_map_aligned(f->fd, 0, f->len, &prot);
	cr_assert_neq(f->map, MAP_FAILED, "ht_map_aligned: %s",
		      strerror(errno));
	cr_assert_eq((uintptr_t)f->map & HT_HPAGE_MASK, 0, "%p", f->map);
	/* Our directories allow exec: text is mapped as text. */
	cr_assert_eq(prot, RX);
	f->prot = prot;
	cr_assert_eq(ht_pagemap_present((uintptr_t)f->map,
					(uintptr_t)f->map + f->len, &present),
		     0);
	cr_assert_eq(present, 0, "a fresh mapping has pages already");
}

static struct fixture *mapped_file(const char *dir)
{
	struct fixture *f = make_file(dir, FILE_SIZE);

	map_file(f);
	return f;
}

static void target_of(const struct fixture *f, struct ht_target *t)
{
	memset(t, 0x5a, sizeof(*t));	/* outputs must all be set */
	t->start = (uintptr_t)f->map;
	t->end = t->start + f->len;
	t->offset = 0;
	t->fd = f->fd;
	t->prot = f->prot;
}

/*
 * The policy of a process that may act: THP as the system says (it must
 * allow huge pages for these tests to mean anything), no budget.
 */
static void policy_of(struct ht_policy *pol, enum ht_strategy s)
{
	thp_policy(pol, s, true, ": no route can run");
	if (pol->thp.prctl_disabled)
		cr_skip_test("THP disabled for this process (prctl)");
	if (pol->thp.seccomp)
		cr_skip_test("the test runs under a seccomp filter");
	need_pagemap_scan();
}

/* Bytes of @t's range PMD-mapped, anonymous and present, per the kernel. */
struct truth {
	uint64_t huge, anon, present;
};

static struct truth truth_of(const struct ht_target *t)
{
	struct truth w = { 1, 1, 1 };

	cr_assert_eq(ht_pagemap_scan(t->start, t->end, &w.huge, &w.anon), 0);
	cr_assert_eq(ht_pagemap_present(t->start, t->end, &w.present), 0);
	return w;
}

/*
 * One call of ht_make_huge() on @t, its outputs checked against the
 * kernel: pmd_after is what PAGEMAP_SCAN sees, the return agrees with
 * it, the reason agrees with the return, and no private page appeared
 * (but for the copy route, which is all private).
 */
static int make_huge(struct ht_target *t, const struct ht_range_stat *pre,
		     const struct ht_policy *pol, struct truth *w)
{
	uint64_t len = t->end - t->start;
	int ret = ht_make_huge(t, pre, pol);

	*w = truth_of(t);
	cr_assert_eq(t->pmd_after, w->huge, "%s/%s: pmd_after %" PRIu64
		     ", the kernel says %" PRIu64, ht_route_name(t->route),
		     ht_reason_name(t->reason), t->pmd_after, w->huge);
	if (ret == 0) {
		cr_assert_eq(w->huge, len, "returned 0 with %" PRIu64
			     " of %" PRIu64 " huge", w->huge, len);
		cr_assert_eq(t->reason, HT_R_NONE, "0 with reason %s",
			     ht_reason_name(t->reason));
	} else {
		cr_assert_neq(t->reason, HT_R_NONE, "%d without a reason",
			      ret);
	}
	if (t->route != HT_ROUTE_COPY)
		cr_assert_eq(w->anon, 0, "%" PRIu64 " private bytes",
			     w->anon);
	cr_assert_lt(t->usec, 10 * 1000 * 1000);
	return ret;
}

/* Nothing at all happened to @t's range: nothing mapped or advised. */
static void check_untouched(const struct ht_target *t, const struct truth *w)
{
	cr_assert_eq(t->route, HT_ROUTE_NONE, "route %s",
		     ht_route_name(t->route));
	cr_assert_eq(t->pmd_before, 0);
	cr_assert_eq(t->pmd_after, 0);
	cr_assert_eq(w->huge, 0);
	cr_assert_eq(w->present, 0, "%" PRIu64 " bytes faulted in",
		     w->present);
}

/*
 * Bytes of @f's page cache on 2 MiB folios, seen through a mapping of
 * our own (map_cache(), not ht_map_aligned(), which is under test); what
 * it reads is what was written.
 */
static uint64_t cache_huge(const struct fixture *f)
{
	uint64_t huge;
	void *m = map_cache(f->fd, 0, f->len, &huge);

	cr_assert_eq(first_bad(m, 0, f->len), -1);
	munmap(m, f->len);
	return huge;
}

/* The route that made @f huge, asked again: already, nothing changed. */
static void check_again_already(struct ht_target *t,
				const struct ht_policy *pol)
{
	uint64_t len = t->end - t->start;
	struct truth w;

	cr_assert_eq(make_huge(t, NULL, pol, &w), 0);
	cr_assert_eq(t->route, HT_ROUTE_ALREADY, "second call: route %s",
		     ht_route_name(t->route));
	cr_assert_eq(t->pmd_before, len);
	cr_assert_eq(t->pmd_after, len);
	cr_assert_eq(t->err, 0);
}

TestSuite(routes_ext4, .init = setup, .fini = teardown);
TestSuite(routes_tmpfs, .init = setup, .fini = teardown);
TestSuite(routes_gates, .init = setup, .fini = teardown);
TestSuite(routes_env, .init = setup, .fini = teardown);

/* ------------------------------------------------------------------ */
/* The root ext4: large folios (6.16+), collapse only with RO_THP_FOR_FS */

Test(routes_ext4, auto_refaults_then_already)
{
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;
	int ret;

	policy_of(&pol, HT_STRATEGY_AUTO);
	target_of(f, &t);
	ret = make_huge(&t, NULL, &pol, &w);
	cr_assert_eq(ret, 0, "auto on ext4: %d, %s/%s (err %d)", ret,
		     ht_route_name(t.route), ht_reason_name(t.reason), t.err);
	cr_assert_not(t.tmpfs);
	cr_assert_eq(t.pmd_before, 0);
	cr_assert_eq(t.pmd_after, f->len);
	cr_assert_eq(t.err, 0);
	if (kernel_collapses_files() == 1)
		cr_assert(t.route == HT_ROUTE_COLLAPSE ||
			  t.route == HT_ROUTE_REFAULT, "route %s",
			  ht_route_name(t.route));
	else
		cr_assert_eq(t.route, HT_ROUTE_REFAULT, "route %s",
			     ht_route_name(t.route));
	check_contents(f, f->map);
	/* The page cache itself is huge now, for any later mapping. */
	cr_assert_eq(cache_huge(f), f->len);
	check_again_already(&t, &pol);
	check_contents(f, f->map);
}

Test(routes_ext4, refault)
{
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;
	int ret;

	policy_of(&pol, HT_STRATEGY_REFAULT);
	target_of(f, &t);
	ret = make_huge(&t, NULL, &pol, &w);
	cr_assert_eq(ret, 0, "refault on ext4: %d, %s/%s", ret,
		     ht_route_name(t.route), ht_reason_name(t.reason));
	cr_assert_eq(t.route, HT_ROUTE_REFAULT, "route %s",
		     ht_route_name(t.route));
	cr_assert_eq(t.pmd_after, f->len);
	check_contents(f, f->map);
	check_again_already(&t, &pol);
}

/* Text faulted in (small) before the route: zapped and refaulted. */
Test(routes_ext4, refault_after_small_faults)
{
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;

	policy_of(&pol, HT_STRATEGY_REFAULT);
	target_of(f, &t);
	check_contents(f, f->map);	/* every page on a small PTE */
	w = truth_of(&t);
	cr_assert_eq(w.present, f->len);
	cr_assert_eq(w.huge, 0);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), 0, "%s/%s",
		     ht_route_name(t.route), ht_reason_name(t.reason));
	cr_assert_eq(t.route, HT_ROUTE_REFAULT);
	cr_assert_eq(t.pmd_before, 0);
	check_contents(f, f->map);
}

/* A second mapping of a file whose cache is huge already: remap. */
Test(routes_ext4, remap_of_huge_cache)
{
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;
	void *first = f->map;

	policy_of(&pol, HT_STRATEGY_AUTO);
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), 0);
	map_file(f);		/* a new mapping of the same file */
	cr_assert_neq(f->map, first);
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), 0, "%s/%s",
		     ht_route_name(t.route), ht_reason_name(t.reason));
	cr_assert_eq(t.route, HT_ROUTE_REMAP, "route %s",
		     ht_route_name(t.route));
	cr_assert_eq(t.pmd_before, 0);
	check_contents(f, f->map);
	check_contents(f, first);
	munmap(first, f->len);
}

Test(routes_ext4, collapse)
{
	struct fixture *f = mapped_file(ext4_dir);
	int can = kernel_collapses_files();
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;
	int ret;

	policy_of(&pol, HT_STRATEGY_COLLAPSE);
	target_of(f, &t);
	ret = make_huge(&t, NULL, &pol, &w);
	cr_assert_eq(t.route, HT_ROUTE_COLLAPSE, "route %s",
		     ht_route_name(t.route));
	if (can == 1 || (can < 0 && ret == 0)) {
		cr_assert_eq(ret, 0, "%s", ht_reason_name(t.reason));
	} else {
		/* No CONFIG_READ_ONLY_THP_FOR_FS: the kernel says EINVAL. */
		cr_assert_eq(ret, -EOPNOTSUPP, "%d, %s", ret,
			     ht_reason_name(t.reason));
		cr_assert_eq(t.reason, HT_R_NO_COLLAPSE, "%s",
			     ht_reason_name(t.reason));
		cr_assert_eq(t.err, EINVAL);
		cr_assert_eq(t.pmd_after, 0);
		/* Nothing was dropped or refaulted: the cache is small. */
		cr_assert_eq(cache_huge(f), 0);
	}
	check_contents(f, f->map);
}

Test(routes_ext4, none_changes_nothing)
{
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;

	policy_of(&pol, HT_STRATEGY_NONE);
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -ECANCELED);
	cr_assert_eq(t.reason, HT_R_STRATEGY_NONE, "%s",
		     ht_reason_name(t.reason));
	cr_assert_eq(t.err, 0);
	check_untouched(&t, &w);
	cr_assert_eq(cache_huge(f), 0);
	check_contents(f, f->map);
}

Test(routes_ext4, dry_run_changes_nothing)
{
	static const enum ht_strategy all[] = {
		HT_STRATEGY_AUTO, HT_STRATEGY_COLLAPSE, HT_STRATEGY_REFAULT,
		HT_STRATEGY_COPY,
	};
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(*all); i++) {
		policy_of(&pol, all[i]);
		pol.dry_run = true;
		target_of(f, &t);
		cr_assert_eq(make_huge(&t, NULL, &pol, &w), -ECANCELED, "%s",
			     ht_strategy_name(all[i]));
		cr_assert_eq(t.reason, HT_R_DRY_RUN, "%s: %s",
			     ht_strategy_name(all[i]),
			     ht_reason_name(t.reason));
		check_untouched(&t, &w);
	}
	/* A dry run of strategy none names the dry run. */
	policy_of(&pol, HT_STRATEGY_NONE);
	pol.dry_run = true;
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -ECANCELED);
	cr_assert_eq(t.reason, HT_R_DRY_RUN);
	cr_assert_eq(cache_huge(f), 0);
	check_contents(f, f->map);
}

Test(routes_ext4, copy)
{
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_range_stat q = { 0 };
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;
	int ret;

	policy_of(&pol, HT_STRATEGY_COPY);
	target_of(f, &t);
	ret = make_huge(&t, NULL, &pol, &w);
	cr_assert_eq(ret, 0, "copy: %d, %s (err %d)", ret,
		     ht_reason_name(t.reason), t.err);
	cr_assert_eq(t.route, HT_ROUTE_COPY);
	cr_assert_eq(t.pmd_after, f->len);
	/* All of it is a private anonymous copy now, read and execute. */
	cr_assert_eq(w.anon, f->len);
	q.start = t.start;
	q.end = t.end;
	cr_assert_eq(ht_smaps_query(0, &q, 1), 0);
	cr_assert_eq(q.anon_huge, f->len);
	cr_assert_eq(q.inode, 0);
	cr_assert_not(q.writable);
	cr_assert(q.vmflags_or & HT_VM_EX);
	check_contents(f, f->map);
	/* The file's cache is as it was: the copy is the process's own. */
	cr_assert_eq(cache_huge(f), 0);
	/*
	 * No longer the file: a second call refuses, and changes nothing
	 * (pmd_* count file PMDs only: the copy's are anonymous).
	 */
	cr_assert_eq(ht_make_huge(&t, NULL, &pol), -EPERM);
	cr_assert_eq(t.reason, HT_R_NOT_FILE, "%s",
		     ht_reason_name(t.reason));
	cr_assert_eq(t.route, HT_ROUTE_NONE);
	check_contents(f, f->map);
}

/*
 * Text whose file offsets are not congruent with its addresses (a PIE
 * with 4 KiB p_align at a random base): no page-cache PMD can map it,
 * but a copy needs no congruence.  The file from offset 4 KiB at a
 * 2 MiB-aligned address: 6 MiB copied, byte for byte the file's.
 */
Test(routes_ext4, copy_incongruent)
{
	struct fixture *f = make_file(ext4_dir, FILE_SIZE);
	uint64_t len = FILE_SIZE - 2 * MiB;
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;
	void *area, *m;
	uintptr_t a;
	int ret;

	policy_of(&pol, HT_STRATEGY_COPY);
	area = mmap(NULL, len + 2 * MiB, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	cr_assert_neq(area, MAP_FAILED);
	a = ((uintptr_t)area + HT_HPAGE_MASK) & ~(uintptr_t)HT_HPAGE_MASK;
	m = mmap((void *)a, len, RX, MAP_PRIVATE | MAP_FIXED, f->fd, PAGE);
	cr_assert_eq(m, (void *)a, "mmap: %s", strerror(errno));
	memset(&t, 0x5a, sizeof(t));
	t.start = a;
	t.end = a + len;
	t.offset = PAGE;
	t.fd = f->fd;
	t.prot = RX;
	ret = make_huge(&t, NULL, &pol, &w);
	cr_assert_eq(ret, 0, "copy: %d, %s (err %d)", ret,
		     ht_reason_name(t.reason), t.err);
	cr_assert_eq(t.route, HT_ROUTE_COPY);
	cr_assert_eq(t.pmd_after, len);
	cr_assert_eq(w.anon, len);
	cr_assert_eq(first_bad(m, PAGE, len), -1, "the copy differs");
	cr_assert_eq(cache_huge(f), 0);
	munmap(area, len + 2 * MiB);
}

/*
 * Text mapped read-only (what ht_map_aligned() falls back to on a
 * noexec mount), its protection given in @t->prot: the copy that
 * replaces it must not be executable when the text was not.
 */
Test(routes_ext4, copy_keeps_the_protection)
{
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_range_stat q = { 0 };
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;

	cr_assert_eq(mprotect(f->map, f->len, PROT_READ), 0);
	policy_of(&pol, HT_STRATEGY_COPY);
	target_of(f, &t);
	t.prot = PROT_READ;
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), 0, "%s",
		     ht_reason_name(t.reason));
	check_contents(f, f->map);
	q.start = t.start;
	q.end = t.end;
	cr_assert_eq(ht_smaps_query(0, &q, 1), 0);
	cr_assert_not(q.writable);
	cr_assert_eq(q.vmflags_or & HT_VM_EX, 0, "read-only text became "
		     "executable: t->prot %#x ignored", t.prot);
}

/* ------------------------------------------------------------------ */
/* A tmpfs mounted huge=advise: collapse works, refault does not apply */

Test(routes_tmpfs, auto_collapses_then_already)
{
	struct fixture *f = mapped_file(need_tmpfs());
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;
	int ret;

	policy_of(&pol, HT_STRATEGY_AUTO);
	target_of(f, &t);
	ret = make_huge(&t, NULL, &pol, &w);
	cr_assert_eq(ret, 0, "auto on tmpfs: %d, %s/%s (err %d)", ret,
		     ht_route_name(t.route), ht_reason_name(t.reason), t.err);
	cr_assert(t.tmpfs);
	cr_assert_eq(t.route, HT_ROUTE_COLLAPSE, "route %s",
		     ht_route_name(t.route));
	cr_assert_eq(t.pmd_before, 0);
	check_contents(f, f->map);
	cr_assert_eq(cache_huge(f), f->len);
	check_again_already(&t, &pol);
}

Test(routes_tmpfs, collapse)
{
	struct fixture *f = mapped_file(need_tmpfs());
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;

	policy_of(&pol, HT_STRATEGY_COLLAPSE);
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), 0, "%s/%s (err %d)",
		     ht_route_name(t.route), ht_reason_name(t.reason), t.err);
	cr_assert_eq(t.route, HT_ROUTE_COLLAPSE);
	check_contents(f, f->map);
	check_again_already(&t, &pol);
}

Test(routes_tmpfs, remap_of_huge_cache)
{
	struct fixture *f = mapped_file(need_tmpfs());
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;
	void *first = f->map;

	policy_of(&pol, HT_STRATEGY_AUTO);
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), 0);
	map_file(f);
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), 0, "%s/%s",
		     ht_route_name(t.route), ht_reason_name(t.reason));
	cr_assert_eq(t.route, HT_ROUTE_REMAP, "route %s",
		     ht_route_name(t.route));
	check_contents(f, f->map);
	munmap(first, f->len);
}

/* tmpfs pages are the file: nothing to drop and re-read. */
Test(routes_tmpfs, refault_does_not_apply)
{
	struct fixture *f = mapped_file(need_tmpfs());
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;

	policy_of(&pol, HT_STRATEGY_REFAULT);
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -EOPNOTSUPP);
	cr_assert_eq(t.reason, HT_R_TMPFS_REFAULT, "%s",
		     ht_reason_name(t.reason));
	cr_assert(t.tmpfs);
	check_untouched(&t, &w);
	cr_assert_eq(cache_huge(f), 0);
	check_contents(f, f->map);
}

Test(routes_tmpfs, none_and_dry_run_change_nothing)
{
	struct fixture *f = mapped_file(need_tmpfs());
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;

	policy_of(&pol, HT_STRATEGY_NONE);
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -ECANCELED);
	cr_assert_eq(t.reason, HT_R_STRATEGY_NONE);
	check_untouched(&t, &w);

	policy_of(&pol, HT_STRATEGY_AUTO);
	pol.dry_run = true;
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -ECANCELED);
	cr_assert_eq(t.reason, HT_R_DRY_RUN);
	cr_assert(t.tmpfs);
	check_untouched(&t, &w);
	cr_assert_eq(cache_huge(f), 0);
	check_contents(f, f->map);
}

Test(routes_tmpfs, copy)
{
	struct fixture *f = mapped_file(need_tmpfs());
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;

	policy_of(&pol, HT_STRATEGY_COPY);
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), 0, "%s (err %d)",
		     ht_reason_name(t.reason), t.err);
	cr_assert_eq(t.route, HT_ROUTE_COPY);
	cr_assert_eq(w.anon, f->len);
	check_contents(f, f->map);
	cr_assert_eq(cache_huge(f), 0);
}

/* ------------------------------------------------------------------ */
/*
 * The gates: nothing is touched when they say no.  THP "never" is given
 * in the policy, as ht_thp_env_read() would read it: the machine's own
 * sysfs setting is left alone.
 */

Test(routes_gates, thp_never_prctl_seccomp)
{
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;

	policy_of(&pol, HT_STRATEGY_AUTO);
	pol.thp.mode = HT_THP_NEVER;
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -EPERM);
	cr_assert_eq(t.reason, HT_R_THP_NEVER, "%s",
		     ht_reason_name(t.reason));
	check_untouched(&t, &w);
	/* No THP sysfs file at all counts as never. */
	pol.thp.mode = HT_THP_UNKNOWN;
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -EPERM);
	cr_assert_eq(t.reason, HT_R_THP_NEVER);
	check_untouched(&t, &w);
	/* A gate wins over a dry run: it names the real blocker. */
	pol.dry_run = true;
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -EPERM);
	cr_assert_eq(t.reason, HT_R_THP_NEVER);

	policy_of(&pol, HT_STRATEGY_REFAULT);
	pol.thp.prctl_disabled = true;
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -EPERM);
	cr_assert_eq(t.reason, HT_R_PRCTL, "%s", ht_reason_name(t.reason));
	check_untouched(&t, &w);

	policy_of(&pol, HT_STRATEGY_COPY);
	pol.thp.seccomp = true;
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -EPERM);
	cr_assert_eq(t.reason, HT_R_SECCOMP, "%s", ht_reason_name(t.reason));
	check_untouched(&t, &w);
	/* --seccomp=try passes that gate (a dry run stops after it). */
	pol.seccomp_try = true;
	pol.dry_run = true;
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -ECANCELED);
	cr_assert_eq(t.reason, HT_R_DRY_RUN);
	check_untouched(&t, &w);
	cr_assert_eq(cache_huge(f), 0);
	check_contents(f, f->map);
}

Test(routes_gates, misaligned_and_empty)
{
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;
	static const struct {
		uint64_t start_add, end_sub;
	} bad[] = {
		{ PAGE, 0 },			/* start off 2 MiB */
		{ 0, PAGE },			/* end off 2 MiB */
		{ HT_HPAGE_SIZE / 2, HT_HPAGE_SIZE / 2 },
		{ FILE_SIZE, 0 },		/* empty */
		{ FILE_SIZE / 2, FILE_SIZE / 2 + 2 * MiB }, /* backwards */
	};
	size_t i;

	policy_of(&pol, HT_STRATEGY_AUTO);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		target_of(f, &t);
		t.start += bad[i].start_add;
		t.end -= bad[i].end_sub;
		cr_assert_eq(ht_make_huge(&t, NULL, &pol), -EINVAL,
			     "case %zu", i);
		cr_assert_eq(t.reason, HT_R_NO_WHOLE_SPAN, "case %zu: %s", i,
			     ht_reason_name(t.reason));
		cr_assert_eq(t.err, EINVAL);
		cr_assert_eq(t.route, HT_ROUTE_NONE);
		cr_assert_eq(t.pmd_before, 0);
		cr_assert_eq(t.pmd_after, 0);
	}
	target_of(f, &t);
	w = truth_of(&t);
	cr_assert_eq(w.present, 0);
	check_contents(f, f->map);
}

/* Ranges that are not this file at this offset: not-file, untouched. */
Test(routes_gates, not_the_file)
{
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;
	void *anon;

	policy_of(&pol, HT_STRATEGY_AUTO);
	/* The offset the caller gives is not the one mapped. */
	target_of(f, &t);
	t.offset = HT_HPAGE_SIZE;
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -EPERM);
	cr_assert_eq(t.reason, HT_R_NOT_FILE, "%s", ht_reason_name(t.reason));
	check_untouched(&t, &w);
	/* Reaching past the mapping (the reservation's end is unmapped). */
	target_of(f, &t);
	t.end += HT_HPAGE_SIZE;
	cr_assert_eq(ht_make_huge(&t, NULL, &pol), -EPERM);
	cr_assert_eq(t.reason, HT_R_NOT_FILE);
	/* Anonymous memory (ht_map_aligned with fd -1). */
	anon = ht_map_aligned(-1, 0, 4 * MiB, NULL);
	cr_assert_neq(anon, MAP_FAILED);
	cr_assert_eq((uintptr_t)anon & HT_HPAGE_MASK, 0);
	t.start = (uintptr_t)anon;
	t.end = t.start + 4 * MiB;
	cr_assert_eq(ht_make_huge(&t, NULL, &pol), -EPERM);
	cr_assert_eq(t.reason, HT_R_NOT_FILE);
	munmap(anon, 4 * MiB);
	check_contents(f, f->map);
}

/* Text a JIT or patcher made writable, or marked MADV_NOHUGEPAGE. */
Test(routes_gates, writable_and_nohugepage)
{
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;

	policy_of(&pol, HT_STRATEGY_AUTO);
	cr_assert_eq(mprotect(f->map, f->len, RX | PROT_WRITE), 0);
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -EPERM);
	cr_assert_eq(t.reason, HT_R_WRITABLE_TEXT, "%s",
		     ht_reason_name(t.reason));
	check_untouched(&t, &w);
	cr_assert_eq(mprotect(f->map, f->len, RX), 0);

	cr_assert_eq(madvise(f->map, f->len, MADV_NOHUGEPAGE), 0);
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), -EPERM);
	cr_assert_eq(t.reason, HT_R_NOHUGEPAGE, "%s",
		     ht_reason_name(t.reason));
	check_untouched(&t, &w);
	cr_assert_eq(cache_huge(f), 0);
	check_contents(f, f->map);
}

/*
 * A private (COW) copy of a page in the range, the way a debugger's
 * breakpoint or a text relocation makes one: the mapping made writable,
 * one byte written, made read-execute again.  Zapping it would put the
 * file's byte back under the program's feet, so every strategy refuses
 * and the byte stays.
 */
#define POKE_AT		(3 * MiB + 123)
#define POKE_BYTE	0xcc

static void poke(struct fixture *f)
{
	volatile unsigned char *p = (unsigned char *)f->map + POKE_AT;

	cr_assert_eq(mprotect(f->map, f->len, PROT_READ | PROT_WRITE), 0);
	cr_assert_neq(*p, POKE_BYTE);
	*p = POKE_BYTE;
	cr_assert_eq(mprotect(f->map, f->len, RX), 0);
}

/* The byte written is there, the rest is the file's, the file unchanged. */
static void check_poked(const struct fixture *f, const struct ht_target *t)
{
	const unsigned char *m = f->map;
	static char buf[PAGE];
	uint64_t page = POKE_AT & ~(uint64_t)(PAGE - 1);
	struct truth w = truth_of(t);

	cr_assert_eq(m[POKE_AT], POKE_BYTE, "the private byte is gone");
	cr_assert_eq(w.anon, PAGE, "%" PRIu64 " private bytes", w.anon);
	cr_assert_eq(first_bad(m, 0, page), -1);
	cr_assert_eq(first_bad(m + page + PAGE, page + PAGE,
			       f->len - page - PAGE), -1);
	cr_assert_eq(first_bad(m + page, page, PAGE), POKE_AT - page);
	cr_assert_eq(pread(f->fd, buf, PAGE, (off_t)page), PAGE);
	cr_assert_eq(first_bad(buf, page, PAGE), -1, "the file changed");
}

Test(routes_gates, private_pages_refused)
{
	static const enum ht_strategy all[] = {
		HT_STRATEGY_AUTO, HT_STRATEGY_COLLAPSE, HT_STRATEGY_REFAULT,
		HT_STRATEGY_COPY,
	};
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_policy pol;
	struct ht_target t;
	size_t i;
	int ret;

	/* While the mapping is writable, it is writable text. */
	cr_assert_eq(mprotect(f->map, f->len, PROT_READ | PROT_WRITE), 0);
	((volatile char *)f->map)[POKE_AT] = (char)POKE_BYTE;
	policy_of(&pol, HT_STRATEGY_AUTO);
	target_of(f, &t);
	cr_assert_eq(ht_make_huge(&t, NULL, &pol), -EPERM);
	cr_assert_eq(t.reason, HT_R_WRITABLE_TEXT, "%s",
		     ht_reason_name(t.reason));
	cr_assert_eq(mprotect(f->map, f->len, RX), 0);
	check_poked(f, &t);

	for (i = 0; i < sizeof(all) / sizeof(*all); i++) {
		policy_of(&pol, all[i]);
		target_of(f, &t);
		ret = ht_make_huge(&t, NULL, &pol);
		cr_assert_eq(ret, -EPERM, "%s: %d", ht_strategy_name(all[i]),
			     ret);
		cr_assert_eq(t.reason, HT_R_PRIVATE_PAGES, "%s: %s",
			     ht_strategy_name(all[i]),
			     ht_reason_name(t.reason));
		cr_assert_eq(t.route, HT_ROUTE_NONE);
		cr_assert_eq(t.pmd_after, 0);
		check_poked(f, &t);
	}
	/* A dry run names it too. */
	policy_of(&pol, HT_STRATEGY_AUTO);
	pol.dry_run = true;
	target_of(f, &t);
	cr_assert_eq(ht_make_huge(&t, NULL, &pol), -EPERM);
	cr_assert_eq(t.reason, HT_R_PRIVATE_PAGES);
	check_poked(f, &t);
}

/*
 * The caller's batched query predates the private copy (the library
 * reads smaps once for all objects): the last look right before the zap
 * must still find it.
 */
Test(routes_gates, private_page_behind_stale_query)
{
	static const enum ht_strategy all[] = {
		HT_STRATEGY_AUTO, HT_STRATEGY_REFAULT,
	};
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_range_stat pre = { 0 };
	struct ht_policy pol;
	struct ht_target t;
	size_t i;
	int ret;

	pre.start = (uintptr_t)f->map;
	pre.end = pre.start + f->len;
	cr_assert_eq(ht_smaps_query(0, &pre, 1), 0);
	cr_assert(pre.one_file);
	cr_assert_eq(pre.anonymous, 0);
	poke(f);
	for (i = 0; i < sizeof(all) / sizeof(*all); i++) {
		policy_of(&pol, all[i]);
		target_of(f, &t);
		ret = ht_make_huge(&t, &pre, &pol);
		cr_assert_eq(ret, -EPERM, "%s: %d, %s/%s",
			     ht_strategy_name(all[i]), ret,
			     ht_route_name(t.route),
			     ht_reason_name(t.reason));
		cr_assert_eq(t.reason, HT_R_PRIVATE_PAGES, "%s: %s",
			     ht_strategy_name(all[i]),
			     ht_reason_name(t.reason));
		check_poked(f, &t);
	}
}

/* The pass's budget spent before this range: nothing runs. */
Test(routes_gates, deadline_past)
{
	static const enum ht_strategy all[] = {
		HT_STRATEGY_AUTO, HT_STRATEGY_COLLAPSE, HT_STRATEGY_REFAULT,
		HT_STRATEGY_COPY,
	};
	struct fixture *f = mapped_file(ext4_dir);
	struct ht_policy pol;
	struct ht_target t;
	struct truth w;
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(*all); i++) {
		policy_of(&pol, all[i]);
		pol.deadline = 1;	/* long past */
		target_of(f, &t);
		cr_assert_eq(make_huge(&t, NULL, &pol, &w), -ETIME, "%s",
			     ht_strategy_name(all[i]));
		cr_assert_eq(t.reason, HT_R_BUDGET, "%s: %s",
			     ht_strategy_name(all[i]),
			     ht_reason_name(t.reason));
		cr_assert_eq(t.deadline, 1);
		check_untouched(&t, &w);
	}
	cr_assert_eq(cache_huge(f), 0);
	check_contents(f, f->map);
	/* A deadline far ahead is no budget problem. */
	policy_of(&pol, HT_STRATEGY_REFAULT);
	pol.deadline = UINT64_MAX;
	target_of(f, &t);
	cr_assert_eq(make_huge(&t, NULL, &pol, &w), 0, "%s",
		     ht_reason_name(t.reason));
	check_contents(f, f->map);
}

/* ------------------------------------------------------------------ */
/* The environment as the system tells it. */

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

Test(routes_env, thp_env_read)
{
	struct ht_thp_env env;
	enum ht_thp_mode want = HT_THP_UNKNOWN;
	char buf[256];

	if (!read_file("/sys/kernel/mm/transparent_hugepage/enabled", buf,
		       sizeof(buf))) {
		if (strstr(buf, "[always]"))
			want = HT_THP_ALWAYS;
		else if (strstr(buf, "[madvise]"))
			want = HT_THP_MADVISE;
		else if (strstr(buf, "[never]"))
			want = HT_THP_NEVER;
	}
	memset(&env, 0x5a, sizeof(env));
	env.seccomp = false;
	cr_assert_eq(ht_thp_env_read(&env), 0);
	cr_assert_eq(env.mode, want, "%s", ht_thp_mode_name(env.mode));
	cr_assert_eq(env.prctl_disabled,
		     prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) > 0);

	/* PR_SET_THP_DISABLE is this process's own (a Criterion worker). */
	cr_assert_eq(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
	cr_assert_eq(ht_thp_env_read(&env), 0);
	cr_assert(env.prctl_disabled);
	/* Under a filter prctl is not asked: not disabled, as far as known. */
	env.seccomp = true;
	cr_assert_eq(ht_thp_env_read(&env), 0);
	cr_assert_not(env.prctl_disabled);
	cr_assert(env.seccomp);
	cr_assert_eq(prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0), 0);
	env.seccomp = false;
	cr_assert_eq(ht_thp_env_read(&env), 0);
	cr_assert_not(env.prctl_disabled);
}

static void *sleeper(void *arg)
{
	int *fd = arg;
	char c;

	return (void *)(intptr_t)read(*fd, &c, 1);
}

Test(routes_env, seccomp_and_threads)
{
	char buf[4096], *p;
	bool others = false;
	pthread_t th;
	int pfd[2];
	long want;

	cr_assert_eq(read_file("/proc/self/status", buf, sizeof(buf)), 0);
	p = strstr(buf, "\nSeccomp:");
	want = p ? strtol(p + 9, NULL, 10) : 0;
	cr_assert_eq(ht_seccomp_active(NULL), want > 0);
	cr_assert_eq(ht_seccomp_active(&others), want > 0);
	p = strstr(buf, "\nThreads:");
	cr_assert_not_null(p);
	cr_assert_eq(others, strtol(p + 9, NULL, 10) != 1);

	/* One more thread of ours: others run. */
	cr_assert_eq(pipe(pfd), 0);
	cr_assert_eq(pthread_create(&th, NULL, sleeper, &pfd[0]), 0);
	others = false;
	ht_seccomp_active(&others);
	cr_assert(others);
	close(pfd[1]);
	pthread_join(th, NULL);
	close(pfd[0]);
}

Test(routes_env, map_aligned)
{
	struct fixture *f = make_file(ext4_dir, 4 * MiB);
	uint64_t off;
	int prot = -1;
	char *m;

	/* From a 2 MiB offset: the second span of the file at @m. */
	off = 2 * MiB;
	m = ht_map_aligned(f->fd, off, 2 * MiB, &prot);
	cr_assert_neq(m, MAP_FAILED);
	cr_assert_eq((uintptr_t)m & HT_HPAGE_MASK, 0);
	cr_assert_eq(prot, RX);
	cr_assert_eq(first_bad(m, off, 2 * MiB), -1);
	munmap(m, 2 * MiB);

	/* Anonymous: read-write, zeroed. */
	prot = -1;
	m = ht_map_aligned(-1, 0, 4 * MiB, &prot);
	cr_assert_neq(m, MAP_FAILED);
	cr_assert_eq((uintptr_t)m & HT_HPAGE_MASK, 0);
	cr_assert_eq(prot, PROT_READ | PROT_WRITE);
	cr_assert_eq(m[4 * MiB - 1], 0);
	m[0] = 1;
	munmap(m, 4 * MiB);

	/* A file opened for writing only cannot be mapped. */
	errno = 0;
	{
		int wfd = open(f->path, O_WRONLY | O_CLOEXEC);

		cr_assert_geq(wfd, 0);
		m = ht_map_aligned(wfd, 0, 2 * MiB, NULL);
		cr_assert_eq(m, MAP_FAILED);
		cr_assert_eq(errno, EACCES, "%s", strerror(errno));
		close(wfd);
	}
}
