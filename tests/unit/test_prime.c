// SPDX-License-Identifier: MIT
/*
 * test_prime.c - unit tests for priming a file's page cache (prime.h).
 *
 * `hugetext prime`, the launcher's static programs and --pid all rest on
 * ht_prime_file() and ht_prime_range(): that after them the file's page
 * cache holds 2 MiB folios, which any later process mapping the text
 * 2 MiB-congruently gets with PMDs.  So the result is checked from
 * outside the module: the file is mapped here at a 2 MiB-aligned
 * address (a mapping of our own, no MADV_HUGEPAGE) and PAGEMAP_SCAN says
 * how much of it the kernel maps with PMDs; the eligible bytes are
 * computed here from the program headers read with <elf.h>.
 *
 * Fixtures are programs compiled at test time (cc, a generated .S with
 * 8 MiB of text), copied with 4 KiB writes to a fresh file on the root
 * ext4 (/var/tmp) so that the page cache starts with small folios only:
 * text at a 2 MiB-aligned offset and text at a 4 KiB one, a small
 * program with nothing eligible.  Covered: the numbers of the result
 * model (ht_object_totals), the second prime (remap), dry_run and
 * strategy none (nothing changes), strategy copy (what is reported is
 * what the page cache holds), THP never, the file and its access
 * time left alone (O_NOATIME, as prime.h promises), and the errors:
 * missing file, directory, FIFO, device, text file, empty file, a
 * 32-bit ELF header; ht_prime_range() with misaligned or empty ranges
 * and with one span of a file (that span huge, its neighbours not).
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "linux-compat.h"
#include "prime.h"
#include "report.h"
#include "smaps.h"
#include "spans.h"
#include "text_collapse.h"

#define TEXT_MIB	8

/* ------------------------------------------------------------------ */
/* A scratch directory on the root ext4, per test. */

static const char *dir;

static void dir_setup(void)
{
	dir = scratch_setup("/var/tmp", "ht-prime");
}

/* Are two files byte for byte the same? */
static bool same_bytes(const char *a, const char *b)
{
	char cmd[PATH_MAX * 2 + 32];

	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	return system(cmd) == 0;
}

/* ------------------------------------------------------------------ */
/* Compiled fixtures. */

static const char main_c[] = "int main(void) { return 0; }\n";

/* @mib MiB of text: int3 bytes, a function at each end. */
static void write_text_s(const char *name, unsigned int mib)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "\t.text\n\t.globl big_first\n\t.p2align 12\n"
		 "big_first:\n\tret\n\t.fill %u, 1, 0xcc\n"
		 "\t.globl big_last\nbig_last:\n\tret\n"
		 "\t.section .note.GNU-stack,\"\",@progbits\n",
		 mib * 1024 * 1024);
	scratch_write(name, text);
}

/* Build @out from main.c (+ big.S when @big) with @flags; skip sans cc. */
static void build(const char *out, const char *flags, bool big)
{
	char o2[256], built[64], src[128], dst[128];

	need_cc("ELF fixtures");
	scratch_write("main.c", main_c);
	if (big)
		write_text_s("big.S", TEXT_MIB);
	snprintf(o2, sizeof(o2), "-O2 %s", flags);
	snprintf(built, sizeof(built), "%s.built", out);
	must_cc(o2, built, big ? "main.c big.S" : "main.c");
	scratch_path(src, sizeof(src), built);
	scratch_path(dst, sizeof(dst), out);
	copy_small(src, dst);
	cr_assert(same_bytes(src, dst));
}

static void big_program(char *path, size_t size)
{
	build("big", ALIGNED_PIE_FLAGS, true);
	scratch_path(path, size, "big");
}

/* Set @path's access time to two days ago, its mtime untouched. */
static void set_old_atime(const char *path)
{
	struct timespec ts[2];

	cr_assert_eq(clock_gettime(CLOCK_REALTIME, &ts[0]), 0);
	ts[0].tv_sec -= 2 * 24 * 3600;
	ts[1].tv_sec = 0;
	ts[1].tv_nsec = UTIME_OMIT;
	cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* ------------------------------------------------------------------ */
/* What the file says, read here without libelf. */

struct expect {
	uint64_t text;		/* sum of p_filesz, executable PT_LOADs */
	uint64_t eligible;	/* their whole 2 MiB file-offset spans */
	size_t nexec;
	uint64_t span_start[HT_ELF_MAX_EXEC], span_end[HT_ELF_MAX_EXEC];
};

static void read_expect(const char *path, struct expect *e)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i;

	memset(e, 0, sizeof(*e));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pread(fd, &eh, sizeof(eh), 0), (ssize_t)sizeof(eh));
	cr_assert_eq(eh.e_ident[EI_CLASS], ELFCLASS64);
	for (i = 0; i < eh.e_phnum; i++) {
		uint64_t lo, hi, s, end;

		cr_assert_eq(pread(fd, &ph, sizeof(ph),
				   eh.e_phoff + i * sizeof(ph)),
			     (ssize_t)sizeof(ph));
		if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		e->text += ph.p_filesz;
		/* The pages mapped for it, at their own file offsets. */
		lo = ph.p_offset & ~(uint64_t)(PAGE - 1);
		hi = (ph.p_offset + ph.p_filesz + PAGE - 1) &
		     ~(uint64_t)(PAGE - 1);
		s = (lo + HT_HPAGE_MASK) & ~HT_HPAGE_MASK;
		end = hi & ~HT_HPAGE_MASK;
		cr_assert_lt(e->nexec, HT_ELF_MAX_EXEC);
		if (end > s) {
			e->span_start[e->nexec] = s;
			e->span_end[e->nexec] = end;
			e->eligible += end - s;
		}
		e->nexec++;
	}
	close(fd);
}

/* ------------------------------------------------------------------ */
/* The page cache, seen from a mapping of our own. */

/* page_cache_huge() of each of @e's spans, summed. */
static uint64_t cache_huge_spans(const char *path, const struct expect *e)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < e->nexec; i++)
		if (e->span_end[i] > e->span_start[i])
			n += page_cache_huge(path, e->span_start[i],
					     e->span_end[i] - e->span_start[i]);
	return n;
}

static void policy_of(struct ht_policy *pol, enum ht_strategy s)
{
	thp_policy(pol, s, true, ": nothing can be primed");
	if (pol->thp.prctl_disabled || pol->thp.seccomp)
		cr_skip_test("THP disabled for this process, or seccomp");
	need_pagemap_scan();
}

/* The result agrees with the file's headers; returns the totals. */
static void check_model(const struct ht_prime_result *res,
			const struct expect *e, struct ht_totals *tot)
{
	size_t i;

	ht_object_totals(&res->obj, tot);
	cr_assert_null(res->obj.path);
	cr_assert_null(res->obj.name);
	cr_assert_eq(res->obj.reason, HT_R_NONE);
	cr_assert_eq(res->obj.nexec, e->nexec);
	cr_assert_eq(res->obj.nparts, e->nexec);
	cr_assert_eq(res->elf.nexec, e->nexec);
	cr_assert_eq(tot->text, e->text);
	cr_assert_eq(tot->eligible, e->eligible, "eligible %" PRIu64
		     ", the headers say %" PRIu64, tot->eligible,
		     e->eligible);
	for (i = 0; i < res->obj.nparts; i++) {
		const struct ht_part *p = &res->obj.parts[i];

		/* In the file's own offset space. */
		cr_assert_eq(p->vaddr, p->offset);
		if (e->span_end[i] <= e->span_start[i]) {
			cr_assert_neq(p->span_reason, HT_R_NONE);
			cr_assert_not(p->attempted);
			continue;
		}
		cr_assert_eq(p->span_reason, HT_R_NONE);
		cr_assert_eq(p->spans.start, e->span_start[i]);
		cr_assert_eq(p->spans.end, e->span_end[i]);
		cr_assert_eq(p->spans.offset, e->span_start[i]);
		cr_assert(p->attempted);
		/* The temporary mapping covered exactly the spans. */
		cr_assert_eq(p->target.end - p->target.start,
			     e->span_end[i] - e->span_start[i]);
		cr_assert_eq(p->target.offset, e->span_start[i]);
	}
	cr_assert_eq(res->err[0], '\0', "err \"%s\"", res->err);
}

static void check_unmapped(const struct ht_prime_result *res)
{
	size_t i;

	for (i = 0; i < res->obj.nparts; i++) {
		const struct ht_target *t = &res->obj.parts[i].target;
		uint64_t present = 1;

		if (!res->obj.parts[i].attempted)
			continue;
		cr_assert_eq(ht_pagemap_present(t->start, t->end, &present),
			     0);
		cr_assert_eq(present, 0, "the temporary mapping stayed");
	}
}

TestSuite(prime, .init = dir_setup, .fini = scratch_teardown);
TestSuite(prime_errors, .init = dir_setup, .fini = scratch_teardown);

/* ------------------------------------------------------------------ */

Test(prime, makes_the_page_cache_huge)
{
	static struct ht_prime_result res;
	struct ht_policy pol;
	struct ht_totals tot;
	struct expect e;
	char path[128], built[128];
	struct stat before, after;
	size_t i;
	int ret;

	big_program(path, sizeof(path));
	scratch_path(built, sizeof(built), "big.built");
	read_expect(path, &e);
	cr_assert_eq(e.nexec, 1);
	cr_assert_geq(e.eligible, 4 * MiB, "fixture: %" PRIu64 " eligible",
		      e.eligible);
	policy_of(&pol, HT_STRATEGY_AUTO);
	cr_assert_eq(stat(path, &before), 0);

	ret = ht_prime_file(path, &pol, &res);
	cr_assert_eq(ret, 0, "%d: %s, %s", ret, res.err,
		     ht_reason_name(res.obj.parts[0].target.reason));
	check_model(&res, &e, &tot);
	cr_assert_gt(tot.eligible, 0);
	cr_assert_eq(tot.huge_before, 0);
	cr_assert_eq(tot.huge, tot.eligible);
	for (i = 0; i < res.obj.nparts; i++) {
		const struct ht_target *t = &res.obj.parts[i].target;

		cr_assert_eq(t->reason, HT_R_NONE);
		cr_assert(t->route == HT_ROUTE_REFAULT ||
			  t->route == HT_ROUTE_COLLAPSE, "route %s",
			  ht_route_name(t->route));
		cr_assert_not(t->tmpfs);
	}
	cr_assert_gt(res.usec, 0);
	check_unmapped(&res);

	/* Never written. */
	cr_assert_eq(stat(path, &after), 0);
	cr_assert_eq(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	cr_assert_eq(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	cr_assert_eq(after.st_size, before.st_size);
	cr_assert(same_bytes(built, path));

	/* From outside: any mapping of the file now gets PMDs. */
	cr_assert_eq(cache_huge_spans(path, &e), e.eligible);

	/*
	 * Again: the cache is huge, so the fresh temporary mapping only
	 * faults it in (remap); nothing is dropped or read again.
	 */
	ret = ht_prime_file(path, &pol, &res);
	cr_assert_eq(ret, 0, "%d", ret);
	check_model(&res, &e, &tot);
	cr_assert_eq(tot.huge_before, 0);
	cr_assert_eq(tot.huge, tot.eligible);
	for (i = 0; i < res.obj.nparts; i++)
		cr_assert_eq(res.obj.parts[i].target.route, HT_ROUTE_REMAP,
			     "route %s",
			     ht_route_name(res.obj.parts[i].target.route));
	check_unmapped(&res);
	cr_assert(same_bytes(built, path));
}

/*
 * prime.h: "opens it with O_NOATIME where allowed so that its access
 * time is left alone too" -- for the whole prime, routes included (a
 * service's ExecStartPre must not make its binary look used).
 */
Test(prime, leaves_the_access_time_alone)
{
	static struct ht_prime_result res;
	struct ht_policy pol;
	struct stat before, after;
	char path[128], built[128];
	int ret;

	big_program(path, sizeof(path));
	scratch_path(built, sizeof(built), "big.built");
	policy_of(&pol, HT_STRATEGY_AUTO);
	/* An access time two days old: any plain access renews it. */
	set_old_atime(path);
	cr_assert_eq(stat(path, &before), 0);
	ret = ht_prime_file(path, &pol, &res);
	cr_assert_eq(ret, 0, "%d: %s", ret, res.err);
	cr_assert_eq(stat(path, &after), 0);
	cr_assert_eq(after.st_atim.tv_sec, before.st_atim.tv_sec,
		     "atime changed by the prime: %ld -> %ld",
		     (long)before.st_atim.tv_sec, (long)after.st_atim.tv_sec);
	cr_assert_eq(after.st_atim.tv_nsec, before.st_atim.tv_nsec);
	/* ...where a plain read does change it (relatime). */
	cr_assert(same_bytes(built, path));
	cr_assert_eq(stat(path, &after), 0);
	cr_assert_neq(after.st_atim.tv_sec, before.st_atim.tv_sec,
		      "the atime check above proves nothing here");
}

/*
 * A dry run opens and maps the file only through prime's own O_NOATIME
 * descriptor, and runs no route: its access time stays.  (What differs
 * from the test above is the routes' scratch mapping.)
 */
Test(prime, dry_run_leaves_the_access_time_alone)
{
	static struct ht_prime_result res;
	struct ht_policy pol;
	struct stat before, after;
	char path[128];

	big_program(path, sizeof(path));
	policy_of(&pol, HT_STRATEGY_AUTO);
	pol.dry_run = true;
	set_old_atime(path);
	cr_assert_eq(stat(path, &before), 0);
	cr_assert_eq(ht_prime_file(path, &pol, &res), -EAGAIN);
	cr_assert_eq(stat(path, &after), 0);
	cr_assert_eq(after.st_atim.tv_sec, before.st_atim.tv_sec);
	cr_assert_eq(after.st_atim.tv_nsec, before.st_atim.tv_nsec);
}

/* Text at a 4 KiB offset: the spans are the aligned blocks inside. */
Test(prime, unaligned_text)
{
	static struct ht_prime_result res;
	struct ht_policy pol;
	struct ht_totals tot;
	struct expect e;
	char path[128];
	int ret;

	build("plain", "-fPIE -pie", true);
	scratch_path(path, sizeof(path), "plain");
	read_expect(path, &e);
	cr_assert_geq(e.eligible, 4 * MiB);
	policy_of(&pol, HT_STRATEGY_REFAULT);
	ret = ht_prime_file(path, &pol, &res);
	cr_assert_eq(ret, 0, "%d: %s", ret,
		     ht_reason_name(res.obj.parts[0].target.reason));
	check_model(&res, &e, &tot);
	cr_assert_eq(tot.huge, tot.eligible);
	cr_assert_eq(res.obj.parts[0].target.route, HT_ROUTE_REFAULT);
	cr_assert_eq(cache_huge_spans(path, &e), e.eligible);
}

Test(prime, dry_run_and_none_change_nothing)
{
	static struct ht_prime_result res;
	static const struct {
		enum ht_strategy s;
		bool dry;
		enum ht_reason why;
	} cases[] = {
		{ HT_STRATEGY_AUTO, true, HT_R_DRY_RUN },
		{ HT_STRATEGY_REFAULT, true, HT_R_DRY_RUN },
		{ HT_STRATEGY_NONE, false, HT_R_STRATEGY_NONE },
	};
	struct ht_policy pol;
	struct ht_totals tot;
	struct expect e;
	char path[128];
	size_t i;
	int ret;

	big_program(path, sizeof(path));
	read_expect(path, &e);
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		policy_of(&pol, cases[i].s);
		pol.dry_run = cases[i].dry;
		ret = ht_prime_file(path, &pol, &res);
		/* Something eligible is not huge: -EAGAIN, reason given. */
		cr_assert_eq(ret, -EAGAIN, "case %zu: %d", i, ret);
		check_model(&res, &e, &tot);
		cr_assert_gt(tot.eligible, 0);
		cr_assert_eq(tot.huge, 0, "case %zu", i);
		cr_assert_eq(tot.huge_before, 0);
		cr_assert_eq(res.obj.parts[0].target.reason, cases[i].why,
			     "case %zu: %s", i,
			     ht_reason_name(res.obj.parts[0].target.reason));
		cr_assert_eq(res.obj.parts[0].target.route, HT_ROUTE_NONE);
		check_unmapped(&res);
	}
	/* The page cache is as small as it was written. */
	cr_assert_eq(cache_huge_spans(path, &e), 0);
}

Test(prime, thp_never)
{
	static struct ht_prime_result res;
	struct ht_policy pol;
	struct ht_totals tot;
	struct expect e;
	char path[128];

	big_program(path, sizeof(path));
	read_expect(path, &e);
	policy_of(&pol, HT_STRATEGY_AUTO);
	pol.thp.mode = HT_THP_NEVER;
	cr_assert_eq(ht_prime_file(path, &pol, &res), -EAGAIN);
	check_model(&res, &e, &tot);
	cr_assert_eq(tot.huge, 0);
	cr_assert_eq(res.obj.parts[0].target.reason, HT_R_THP_NEVER, "%s",
		     ht_reason_name(res.obj.parts[0].target.reason));
	cr_assert_eq(cache_huge_spans(path, &e), 0);
}

/*
 * Strategy copy puts text in anonymous memory of the process that runs
 * it: from a temporary mapping of prime's own that is thrown away after,
 * which leaves the page cache as it was.  Whatever prime does with it,
 * what it reports must be what the page cache is: refused, or huge.
 */
Test(prime, copy_reports_the_page_cache)
{
	static struct ht_prime_result res;
	struct ht_policy pol;
	struct ht_totals tot;
	struct expect e;
	char path[128];
	uint64_t cache;
	int ret;

	big_program(path, sizeof(path));
	read_expect(path, &e);
	policy_of(&pol, HT_STRATEGY_COPY);
	ret = ht_prime_file(path, &pol, &res);
	ht_object_totals(&res.obj, &tot);
	cache = cache_huge_spans(path, &e);
	cr_assert_eq(tot.huge, cache, "prime -s copy: returned %d, reports %"
		     PRIu64 " of %" PRIu64 " bytes huge (route %s), the page "
		     "cache has %" PRIu64, ret, tot.huge, tot.eligible,
		     ht_route_name(res.obj.parts[0].target.route), cache);
	if (ret == 0)
		cr_assert_eq(cache, e.eligible);
}

/* A small program: nothing eligible, nothing to do, success. */
Test(prime, nothing_eligible)
{
	static struct ht_prime_result res;
	struct ht_policy pol;
	struct ht_totals tot;
	struct expect e;
	char path[128];

	build("small", "", false);
	scratch_path(path, sizeof(path), "small");
	read_expect(path, &e);
	cr_assert_eq(e.eligible, 0);
	policy_of(&pol, HT_STRATEGY_AUTO);
	cr_assert_eq(ht_prime_file(path, &pol, &res), 0, "%s", res.err);
	check_model(&res, &e, &tot);
	cr_assert_eq(tot.eligible, 0);
	cr_assert_eq(tot.huge, 0);
	cr_assert_gt(tot.text, 0);
}

Test(prime, range)
{
	struct ht_policy pol;
	struct ht_target t;
	struct expect e;
	char path[128];
	uint64_t off, len;
	int fd, ret;

	big_program(path, sizeof(path));
	read_expect(path, &e);
	policy_of(&pol, HT_STRATEGY_AUTO);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);

	/* Misaligned or empty: -EINVAL, nothing mapped. */
	cr_assert_eq(ht_prime_range(fd, e.span_start[0] + PAGE, 2 * MiB,
				    &pol, &t), -EINVAL);
	cr_assert_eq(t.fd, fd);
	cr_assert_eq(t.offset, e.span_start[0] + PAGE);
	cr_assert_eq(t.route, HT_ROUTE_NONE);
	cr_assert_eq(t.pmd_after, 0);
	cr_assert_eq(ht_prime_range(fd, e.span_start[0], 2 * MiB + PAGE,
				    &pol, &t), -EINVAL);
	cr_assert_eq(ht_prime_range(fd, e.span_start[0], 0, &pol, &t),
		     -EINVAL);
	cr_assert_eq(ht_prime_range(fd, 1, 2 * MiB, &pol, &t), -EINVAL);

	/* The second span alone: that one huge, its neighbours not. */
	off = e.span_start[0] + 2 * MiB;
	len = 2 * MiB;
	ret = ht_prime_range(fd, off, len, &pol, &t);
	cr_assert_eq(ret, 0, "%d: %s", ret, ht_reason_name(t.reason));
	cr_assert_eq(t.pmd_after, len);
	cr_assert_eq(t.offset, off);
	cr_assert_eq(t.end - t.start, len);
	cr_assert_eq(page_cache_huge(path, off, len), len);
	cr_assert_eq(page_cache_huge(path, e.span_start[0], 2 * MiB), 0);
	cr_assert_eq(page_cache_huge(path, off + len, 2 * MiB), 0);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Errors: the documented -errno, and a message that starts with the path */

static void check_err(const char *path, int want, const char *part)
{
	static struct ht_prime_result res;
	struct ht_policy pol;
	size_t n = strlen(path);
	int ret;

	policy_of(&pol, HT_STRATEGY_AUTO);
	memset(&res, 0x5a, sizeof(res));
	ret = ht_prime_file(path, &pol, &res);
	cr_assert_eq(ret, want, "%s: %d (%s), want %d", path, ret,
		     strerror(-ret), want);
	cr_assert(!strncmp(res.err, path, n) && res.err[n] == ':',
		  "err \"%s\" does not start with \"%s:\"", res.err, path);
	if (part)
		cr_assert_not_null(strstr(res.err, part),
				   "err \"%s\" lacks \"%s\"", res.err, part);
	cr_assert_eq(res.obj.nparts, 0);
	cr_assert_eq(res.obj.text_bytes, 0);
}

Test(prime_errors, missing_file)
{
	char path[128];

	scratch_path(path, sizeof(path), "no-such-file");
	check_err(path, -ENOENT, strerror(ENOENT));
}

Test(prime_errors, directory)
{
	check_err(dir, -EISDIR, NULL);
}

Test(prime_errors, not_regular)
{
	char path[128];

	/* Opened without blocking: a FIFO with no writer does not hang. */
	scratch_path(path, sizeof(path), "fifo");
	cr_assert_eq(mkfifo(path, 0600), 0);
	check_err(path, -ENOEXEC, NULL);
	check_err("/dev/null", -ENOEXEC, NULL);
}

Test(prime_errors, text_and_empty_files)
{
	static const char text[] = "#!/bin/sh\necho this is not ELF\n";
	char path[128];

	scratch_path(path, sizeof(path), "script");
	write_file(path, text, strlen(text), 0755);
	check_err(path, -ENOEXEC, NULL);
	scratch_path(path, sizeof(path), "empty");
	write_file(path, "", 0, 0755);
	check_err(path, -ENOEXEC, NULL);
}

Test(prime_errors, elf32_header)
{
	static char head[4096];
	char path[128], src[128];
	int fd;

	build("small", "", false);
	scratch_path(src, sizeof(src), "small");
	fd = open(src, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pread(fd, head, sizeof(head), 0), (ssize_t)sizeof(head));
	close(fd);
	cr_assert_eq(memcmp(head, ELFMAG, SELFMAG), 0);
	head[EI_CLASS] = ELFCLASS32;
	scratch_path(path, sizeof(path), "elf32");
	write_file(path, head, sizeof(head), 0755);
	check_err(path, -ENOEXEC, "not an x86-64 ELF file");
}
