// SPDX-License-Identifier: MIT
/*
 * test_placement.c - unit tests for the load-placement prediction
 * (placement.h).
 *
 * Each case is a file as the linker lays it out (program headers only)
 * plus what the probes would say, with the placement, eligible bytes,
 * verdict, reason and fixes expected.  Layouts are those of the test
 * programs and of real files on the project's machine (bigtext, libbig,
 * clang's libz3, node), so a wrong rule shows as a wrong prediction for
 * something that exists.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "placement.h"

#define KiB	((uint64_t)1024)
#define MiB	(1024 * KiB)
#define PAGE	(4 * KiB)

#define ET_REL_		1
#define ET_EXEC_	2
#define ET_DYN_		3

static struct ht_elf_info elf;
static struct ht_place_in in;
static struct ht_placement pl;

/* A file with no executable segment yet, and a context that knows
 * nothing: page size 4 KiB, glibc >= 2.35, routes and mmap unknown. */
static void file(uint16_t type, bool interp)
{
	memset(&elf, 0, sizeof(elf));
	elf.type = type;
	elf.has_interp = interp;
	elf.has_dynamic = interp || type == ET_DYN_;
	memset(&in, 0, sizeof(in));
	in.elf = &elf;
	in.pagesz = PAGE;
	in.ldso_align = true;
	in.mmap_aligned = -1;
	in.routes = HT_ROUTES_UNKNOWN;
	memset(&pl, 0xa5, sizeof(pl));
}

static void seg(uint64_t offset, uint64_t vaddr, uint64_t filesz,
		uint64_t align)
{
	struct ht_segment *s;

	if (elf.nexec < HT_ELF_MAX_EXEC) {
		s = &elf.exec[elf.nexec];
		s->offset = offset;
		s->vaddr = vaddr;
		s->filesz = filesz;
		s->memsz = filesz;
		s->align = align;
		s->flags = 5;	/* PF_R | PF_X */
	}
	elf.nexec++;
	elf.text_bytes += filesz;
}

static void run(void)
{
	int ret = ht_place(&in, &pl);

	cr_assert_eq(ret, 0, "ht_place returned %d", ret);
}

static void expect(enum ht_base base, uint64_t eligible,
		   enum ht_verdict v, enum ht_reason r)
{
	cr_assert_eq(pl.base, base, "base %s, want %s",
		     ht_base_token(pl.base), ht_base_token(base));
	cr_assert_eq(pl.eligible, eligible, "eligible %" PRIu64 " KiB, "
		     "want %" PRIu64 " KiB", pl.eligible / KiB,
		     eligible / KiB);
	cr_assert_eq(pl.verdict, v, "verdict %s, want %s",
		     ht_verdict_name(pl.verdict), ht_verdict_name(v));
	cr_assert_eq(pl.reason, r, "reason %s, want %s",
		     ht_reason_name(pl.reason), ht_reason_name(r));
}

static void expect_fixes(unsigned int want)
{
	unsigned int i;

	for (i = 0; i < HT_FIX__COUNT; i++)
		cr_expect_eq(!!(pl.fixes & (1u << i)), !!(want & (1u << i)),
			     "fix %s: %s, want %s", ht_fix_token(i),
			     pl.fixes & (1u << i) ? "suggested" : "not",
			     want & (1u << i) ? "suggested" : "not");
}

#define FIX(f)	(1u << HT_FIX_##f)

/* tests/progs/bigtext: PIE, 2 MiB p_align, separate code, 48 MiB. */
Test(placement, pie_2m_align_is_eligible)
{
	file(ET_DYN_, true);
	seg(0x200000, 0x200000, 0x3004015, 0x200000);
	run();
	cr_assert_eq(pl.kind, HT_KIND_PIE);
	cr_assert_eq(pl.align, 2 * MiB);
	expect(HT_BASE_ALIGNED, 48 * MiB, HT_V_ELIGIBLE, HT_R_NONE);
	cr_assert_eq(pl.seg[0].eligible.head, 0);
	cr_assert_eq(pl.seg[0].eligible.tail, 0x5000);
	cr_assert_eq(pl.seg[0].eligible.start, 0x200000);
	cr_assert_eq(pl.seg[0].possible, 48 * MiB);
	expect_fixes(0);
}

/* The default 4 KiB p_align: a random base, 1 in 512. */
Test(placement, pie_4k_align_is_incongruent)
{
	file(ET_DYN_, true);
	seg(0x1000, 0x1000, 24 * MiB, 0x1000);
	run();
	expect(HT_BASE_RANDOM, 0, HT_V_NONE, HT_R_INCONGRUENT);
	cr_assert_eq(pl.odds, 512);
	cr_assert_eq(pl.span_bytes, 0);
	cr_assert_eq(pl.seg[0].reason, HT_R_INCONGRUENT);
	cr_assert_eq(pl.seg[0].eligible.head, pl.seg[0].len);
	/* mmap(NULL) of it not known to be aligned: no ld.so advice. */
	expect_fixes(FIX(MAX_PAGE_SIZE));
}

/* ...where mmap(NULL) aligns, starting it through ld.so would help. */
Test(placement, pie_4k_suggests_ldso_where_mmap_aligns)
{
	file(ET_DYN_, true);
	seg(0x1000, 0x1000, 24 * MiB, 0x1000);
	in.mmap_aligned = 1;
	run();
	expect(HT_BASE_RANDOM, 0, HT_V_NONE, HT_R_INCONGRUENT);
	expect_fixes(FIX(MAX_PAGE_SIZE) | FIX(LDSO));
}

/*
 * cc -fPIE -pie bigtext.c main24.S: .p2align 14 raises the text's
 * p_align to 16 KiB.  The kernel then aligns the base to 16 KiB (1 in
 * 128), and ld.so would reserve anonymous memory aligned to 16 KiB too,
 * so running it through ld.so does not help.
 */
Test(placement, pie_16k_align_odds_and_no_ldso)
{
	file(ET_DYN_, true);
	seg(0xa000, 0xa000, 0xd8, 0x1000);
	seg(0xc000, 0xc000, 0x1800015, 0x4000);
	in.mmap_aligned = 1;
	run();
	cr_assert_eq(pl.align, 16 * KiB);
	cr_assert_eq(pl.odds, 128);
	expect(HT_BASE_RANDOM, 0, HT_V_NONE, HT_R_INCONGRUENT);
	cr_assert_eq(pl.seg[0].reason, HT_R_TOO_SMALL);
	cr_assert_eq(pl.seg[1].reason, HT_R_INCONGRUENT);
	expect_fixes(FIX(MAX_PAGE_SIZE));
}

/* The largest p_align of any PT_LOAD counts, when the caller has it. */
Test(placement, max_align_of_all_loads_wins)
{
	file(ET_DYN_, true);
	seg(0x200000, 0x200000, 8 * MiB, 0x1000);
	in.max_align = 0x200000;
	run();
	expect(HT_BASE_ALIGNED, 8 * MiB, HT_V_ELIGIBLE, HT_R_NONE);
}

/* p_align values that are not powers of two are skipped, as the
 * kernel's maximum_alignment() does. */
Test(placement, odd_align_ignored)
{
	file(ET_DYN_, true);
	seg(0x200000, 0x200000, 8 * MiB, 0x300000);
	run();
	cr_assert_eq(pl.align, PAGE);
	expect(HT_BASE_RANDOM, 0, HT_V_NONE, HT_R_INCONGRUENT);
}

/*
 * cc -no-pie bigtext.c main24.S: text at 0x404000, offset 0x4000.
 * Congruent, but the segment starts 16 KiB into a span: 22 of the 24
 * MiB its size allows.
 */
Test(placement, non_pie_fixed_loses_head_span)
{
	file(ET_EXEC_, true);
	seg(0x1000, 0x401000, 0xd0, 0x1000);
	seg(0x4000, 0x404000, 0x1800015, 0x4000);
	run();
	cr_assert_eq(pl.kind, HT_KIND_EXEC);
	expect(HT_BASE_FIXED, 22 * MiB, HT_V_PARTLY, HT_R_PLACE_LOST_SPAN);
	cr_assert_eq(pl.seg[1].possible, 24 * MiB);
	cr_assert_eq(pl.seg[1].eligible.start, 0x600000);
	cr_assert_eq(pl.seg[1].eligible.head, 0x600000 - 0x404000);
	cr_assert_eq(pl.seg[1].eligible.tail, 0x1c05000 - 0x1c00000);
	expect_fixes(FIX(SEPARATE_CODE));
}

/* Debian's node: fixed at 0xb72000 from offset 0x772000, with two tiny
 * executable segments around the big one. */
Test(placement, non_pie_node_layout)
{
	file(ET_EXEC_, true);
	seg(0x76f000, 0xb6f000, 0x1e90, 0x1000);
	seg(0x772000, 0xb72000, 0x1a8bca0, 0x1000);
	seg(0x2200000, 0x2600000, 0x1f1, 0x1000);
	run();
	expect(HT_BASE_FIXED, 24 * MiB, HT_V_PARTLY, HT_R_PLACE_LOST_SPAN);
	cr_assert_eq(pl.possible, 26 * MiB);
	cr_assert_eq(pl.seg[0].reason, HT_R_TOO_SMALL);
	cr_assert_eq(pl.seg[2].reason, HT_R_TOO_SMALL);
}

/* A fixed layout whose vaddr and offset differ mod 2 MiB. */
Test(placement, non_pie_link_incongruent)
{
	file(ET_EXEC_, true);
	seg(0x1000, 0x401000 + 0x10000, 8 * MiB, 0x1000);
	run();
	expect(HT_BASE_FIXED, 0, HT_V_NONE, HT_R_INCONGRUENT);
	expect_fixes(FIX(MAX_PAGE_SIZE));
}

/* tests/progs/libbig.so: 2 MiB p_align, ld.so aligns (glibc 2.35+). */
Test(placement, shared_2m_align)
{
	file(ET_DYN_, false);
	seg(0x200000, 0x200000, 0x1004015, 0x200000);
	run();
	cr_assert_eq(pl.kind, HT_KIND_SHARED);
	expect(HT_BASE_ALIGNED, 16 * MiB, HT_V_ELIGIBLE, HT_R_NONE);
	expect_fixes(0);
}

/* libLLVM-14: 4 KiB p_align, text from offset 0; ext4 aligns mmap. */
Test(placement, shared_4k_mmap_aligned)
{
	file(ET_DYN_, false);
	seg(0, 0, 0x6161880, 0x1000);
	in.mmap_aligned = 1;
	run();
	expect(HT_BASE_MMAP_ALIGNED, 96 * MiB, HT_V_ELIGIBLE, HT_R_NONE);
	cr_assert_eq(pl.seg[0].eligible.tail, 0x6162000 - 96 * MiB);
	expect_fixes(0);
}

/* The same from a tmpfs without huge=: mmap(NULL) is not aligned. */
Test(placement, shared_4k_mmap_unaligned)
{
	file(ET_DYN_, false);
	seg(0, 0, 0x6161880, 0x1000);
	in.mmap_aligned = 0;
	run();
	expect(HT_BASE_MMAP_UNALIGNED, 0, HT_V_NONE, HT_R_INCONGRUENT);
	cr_assert_eq(pl.span_bytes, 0);
	expect_fixes(FIX(MAX_PAGE_SIZE) | FIX(FS_PLACEMENT));
}

/* Not probed (file could not be mapped): assumed aligned, as on ext4. */
Test(placement, shared_4k_mmap_unknown)
{
	file(ET_DYN_, false);
	seg(0, 0, 8 * MiB, 0x1000);
	run();
	expect(HT_BASE_MMAP_UNKNOWN, 8 * MiB, HT_V_ELIGIBLE, HT_R_NONE);
}

/* clang's libz3: 4 KiB p_align, text at 0x8a000: loses one span. */
Test(placement, shared_unaligned_start)
{
	file(ET_DYN_, false);
	seg(0x8a000, 0x8a000, 0x1220000, 0x1000);
	in.mmap_aligned = 1;
	run();
	expect(HT_BASE_MMAP_ALIGNED, 16 * MiB, HT_V_PARTLY,
	       HT_R_PLACE_LOST_SPAN);
	cr_assert_eq(pl.seg[0].eligible.head, 0x200000 - 0x8a000);
	expect_fixes(FIX(SEPARATE_CODE));
}

/* glibc reserves anonymous memory aligned to a p_align between a page
 * and 2 MiB: random, whatever the filesystem does. */
Test(placement, shared_16k_align_random)
{
	file(ET_DYN_, false);
	seg(0xc000, 0xc000, 24 * MiB, 0x4000);
	in.mmap_aligned = 1;
	run();
	expect(HT_BASE_RANDOM, 0, HT_V_NONE, HT_R_INCONGRUENT);
	cr_assert_eq(pl.odds, 128);
	expect_fixes(FIX(MAX_PAGE_SIZE));
}

/* Before glibc 2.35 ld.so ignored p_align: mmap(NULL) places it. */
Test(placement, shared_old_glibc_uses_mmap)
{
	file(ET_DYN_, false);
	seg(0x200000, 0x200000, 8 * MiB, 0x200000);
	in.ldso_align = false;
	in.mmap_aligned = 0;
	run();
	expect(HT_BASE_MMAP_UNALIGNED, 0, HT_V_NONE, HT_R_INCONGRUENT);
}

/* libc.so.6 has PT_INTERP and a DT_SONAME: loaded, it is a library. */
Test(placement, kind_rules)
{
	file(ET_DYN_, true);
	cr_assert_eq(ht_place_kind(&elf, false, true, false), HT_KIND_SHARED);
	cr_assert_eq(ht_place_kind(&elf, true, true, false), HT_KIND_PIE);
	cr_assert_eq(ht_place_kind(&elf, false, false, false), HT_KIND_PIE);
	cr_assert_eq(ht_place_kind(&elf, true, false, true), HT_KIND_SHARED);
	file(ET_DYN_, false);
	cr_assert_eq(ht_place_kind(&elf, true, false, false),
		     HT_KIND_STATIC_PIE);
	cr_assert_eq(ht_place_kind(&elf, false, true, false),
		     HT_KIND_SHARED);
	file(ET_EXEC_, false);
	cr_assert_eq(ht_place_kind(&elf, false, false, false),
		     HT_KIND_STATIC);
	file(ET_EXEC_, true);
	cr_assert_eq(ht_place_kind(&elf, false, false, true), HT_KIND_EXEC);
}

/* A needed library with PT_INTERP is placed as a library. */
Test(placement, dependency_with_interp_is_shared)
{
	file(ET_DYN_, true);
	seg(0, 0, 8 * MiB, 0x1000);
	in.as_dependency = true;
	in.mmap_aligned = 1;
	run();
	cr_assert_eq(pl.kind, HT_KIND_SHARED);
	expect(HT_BASE_MMAP_ALIGNED, 8 * MiB, HT_V_ELIGIBLE, HT_R_NONE);
}

/* tests/progs/bigtext-static: no preload reaches it, but the launcher
 * primes its page cache before exec: as eligible as its layout. */
Test(placement, static_is_primed)
{
	file(ET_EXEC_, false);
	seg(0x200000, 0x600000, 0x187c571, 0x200000);
	in.routes = HT_ROUTE_BIT_REFAULT;
	run();
	cr_assert_eq(pl.kind, HT_KIND_STATIC);
	expect(HT_BASE_FIXED, 24 * MiB, HT_V_ELIGIBLE, HT_R_NONE);
	cr_assert_eq(pl.span_bytes, 24 * MiB);
	expect_fixes(0);
}

/* static-pie: the kernel maps it with mmap(NULL) (aligned on ext4). */
Test(placement, static_pie)
{
	file(ET_DYN_, false);
	in.pie_flag = true;
	seg(0x14000, 0x14000, 0x1879531, 0x4000);
	in.mmap_aligned = 1;
	run();
	cr_assert_eq(pl.kind, HT_KIND_STATIC_PIE);
	expect(HT_BASE_MMAP_ALIGNED, 22 * MiB, HT_V_PARTLY,
	       HT_R_PLACE_LOST_SPAN);
	expect_fixes(FIX(SEPARATE_CODE));

	/* ...not from a tmpfs without huge=, whatever its p_align. */
	in.mmap_aligned = 0;
	run();
	expect(HT_BASE_MMAP_UNALIGNED, 0, HT_V_NONE, HT_R_INCONGRUENT);
	expect_fixes(FIX(MAX_PAGE_SIZE) | FIX(FS_PLACEMENT));

	/* A 2 MiB p_align: the kernel aligns the base itself. */
	elf.exec[0].align = 0x200000;
	run();
	cr_assert_eq(pl.base, HT_BASE_ALIGNED);
}

/* tests/progs/textrel: private pages in the text; hugetext skips it. */
Test(placement, textrel_blocks)
{
	file(ET_DYN_, true);
	elf.textrel = true;
	seg(0x200000, 0x200000, 0x1804015, 0x200000);
	run();
	expect(HT_BASE_ALIGNED, 0, HT_V_NONE, HT_R_TEXTREL);
	cr_assert_eq(pl.span_bytes, 24 * MiB);
	cr_assert_eq(pl.seg[0].reason, HT_R_TEXTREL);
	cr_assert_eq(pl.seg[0].eligible.head, pl.seg[0].len);
	expect_fixes(FIX(PIC));
}

/* A small program: nothing possible, nothing to fix. */
Test(placement, segment_under_2m)
{
	file(ET_DYN_, true);
	seg(0x1000, 0x1000, 0x1c5, 0x1000);
	run();
	expect(HT_BASE_RANDOM, 0, HT_V_NONE, HT_R_TOO_SMALL);
	cr_assert_eq(pl.possible, 0);
	cr_assert_eq(pl.seg[0].len, PAGE);
	expect_fixes(0);
}

/* Exactly 2 MiB, aligned: one span, nothing lost. */
Test(placement, exactly_one_span)
{
	file(ET_EXEC_, true);
	seg(0x200000, 0x600000, 2 * MiB, 0x200000);
	run();
	expect(HT_BASE_FIXED, 2 * MiB, HT_V_ELIGIBLE, HT_R_NONE);
}

/* Unaligned ends: the segment is widened to pages, then the spans
 * inside are whole; head and tail are the rest. */
Test(placement, unaligned_segment_ends)
{
	file(ET_EXEC_, true);
	seg(0x1ff123, 0x5ff123, 5 * MiB, 0x1000);
	run();
	cr_assert_eq(pl.seg[0].vaddr, 0x5ff000);
	cr_assert_eq(pl.seg[0].offset, 0x1ff000);
	cr_assert_eq(pl.seg[0].len, 0xaff123 - 0x5ff000 + 0xedd);
	cr_assert_eq(pl.seg[0].eligible.start, 0x600000);
	cr_assert_eq(pl.seg[0].eligible.end, 0xa00000);
	cr_assert_eq(pl.seg[0].eligible.head, 0x1000);
	cr_assert_eq(pl.seg[0].eligible.tail, 0xb00000 - 0xa00000);
	/* 5 MiB + a page allows two spans: nothing lost. */
	expect(HT_BASE_FIXED, 4 * MiB, HT_V_ELIGIBLE, HT_R_NONE);
}

/* 2.5 MiB starting 1 MiB into a span: room for one, none whole. */
Test(placement, no_whole_span)
{
	file(ET_EXEC_, true);
	seg(0x100000, 0x500000, 2 * MiB + 512 * KiB, 0x1000);
	run();
	expect(HT_BASE_FIXED, 0, HT_V_NONE, HT_R_NO_WHOLE_SPAN);
	expect_fixes(FIX(SEPARATE_CODE));
}

/* No route works on the filesystem: well placed, still nothing. */
Test(placement, no_kernel_route)
{
	file(ET_DYN_, true);
	seg(0x200000, 0x200000, 8 * MiB, 0x200000);
	in.routes = 0;
	in.route_reason = HT_R_NO_LARGE_FOLIOS;
	run();
	expect(HT_BASE_ALIGNED, 0, HT_V_NONE, HT_R_NO_LARGE_FOLIOS);
	expect_fixes(FIX(FS_ROUTE));
}

Test(placement, thp_never_and_prctl)
{
	file(ET_DYN_, true);
	seg(0x200000, 0x200000, 8 * MiB, 0x200000);
	in.routes = 0;
	in.route_reason = HT_R_THP_NEVER;
	run();
	expect(HT_BASE_ALIGNED, 0, HT_V_NONE, HT_R_THP_NEVER);
	expect_fixes(FIX(THP));

	in.route_reason = HT_R_PRCTL;
	run();
	expect(HT_BASE_ALIGNED, 0, HT_V_NONE, HT_R_PRCTL);
	expect_fixes(0);
}

/* One route is enough; unknown routes do not block. */
Test(placement, routes_known_or_not)
{
	file(ET_DYN_, true);
	seg(0x200000, 0x200000, 8 * MiB, 0x200000);
	in.routes = HT_ROUTE_BIT_COLLAPSE;
	run();
	expect(HT_BASE_ALIGNED, 8 * MiB, HT_V_ELIGIBLE, HT_R_NONE);
	in.routes = HT_ROUTES_UNKNOWN;
	run();
	expect(HT_BASE_ALIGNED, 8 * MiB, HT_V_ELIGIBLE, HT_R_NONE);
}

/* Two big segments, one eligible, one not: partly, the worst reason. */
Test(placement, two_segments_partly)
{
	file(ET_EXEC_, true);
	seg(0x200000, 0x600000, 4 * MiB, 0x1000);
	seg(0x800000, 0x1c01000, 8 * MiB, 0x1000);
	run();
	expect(HT_BASE_FIXED, 4 * MiB, HT_V_PARTLY, HT_R_INCONGRUENT);
	cr_assert_eq(pl.seg[1].reason, HT_R_INCONGRUENT);
	expect_fixes(FIX(MAX_PAGE_SIZE));
}

/* More executable segments than kept: counted, first ones described. */
Test(placement, many_segments)
{
	int i;

	file(ET_EXEC_, true);
	for (i = 0; i < HT_ELF_MAX_EXEC + 2; i++)
		seg(0x200000 + i * 4 * MiB, 0x600000 + i * 4 * MiB, 2 * MiB,
		    0x200000);
	run();
	cr_assert_eq(pl.nexec, HT_ELF_MAX_EXEC + 2);
	cr_assert_eq(pl.nseg, HT_ELF_MAX_EXEC);
	cr_assert_eq(pl.eligible, HT_ELF_MAX_EXEC * 2 * MiB);
	cr_assert_eq(pl.text, (HT_ELF_MAX_EXEC + 2) * 2 * MiB);
}

Test(placement, bad_input)
{
	file(ET_EXEC_, true);
	seg(0x200000, 0x600000, 2 * MiB, 0x1000);
	cr_assert_eq(ht_place(NULL, &pl), -EINVAL);
	cr_assert_eq(ht_place(&in, NULL), -EINVAL);
	in.pagesz = 3000;
	cr_assert_eq(ht_place(&in, &pl), -EINVAL);
	cr_assert_eq(pl.eligible, 0);
	in.pagesz = 0;
	cr_assert_eq(ht_place(&in, &pl), -EINVAL);
	in.pagesz = PAGE;
	in.elf = NULL;
	cr_assert_eq(ht_place(&in, &pl), -EINVAL);
	in.elf = &elf;
	elf.type = ET_REL_;
	cr_assert_eq(ht_place(&in, &pl), -ENOEXEC);
}

Test(placement, names_never_null)
{
	int i;
	char buf[256];

	for (i = -1; i <= HT_FIX__COUNT; i++) {
		cr_assert_not_null(ht_fix_token(i));
		cr_assert_not_null(ht_fix_text(i));
		cr_assert_not_null(ht_fix_tradeoff(i));
	}
	for (i = -1; i <= HT_KIND_SHARED + 1; i++) {
		cr_assert_not_null(ht_kind_name(i));
		cr_assert_not_null(ht_kind_token(i));
	}
	for (i = -1; i <= HT_BASE_MMAP_UNKNOWN + 1; i++)
		cr_assert_not_null(ht_base_token(i));
	for (i = -1; i <= HT_V_NONE + 1; i++) {
		cr_assert_not_null(ht_verdict_name(i));
		cr_assert_not_null(ht_verdict_token(i));
	}
	cr_assert_str_eq(ht_verdict_token(HT_V_PARTLY), "partly-eligible");
	cr_assert_str_eq(ht_place_reason_text(NULL, HT_R_TOO_SMALL, buf,
					      sizeof(buf)),
			 ht_reason_text(HT_R_TOO_SMALL));
}

Test(placement, reason_texts)
{
	char buf[256];

	file(ET_DYN_, true);
	seg(0xc000, 0xc000, 24 * MiB, 0x4000);
	run();
	ht_place_reason_text(&pl, pl.reason, buf, sizeof(buf));
	cr_assert(strstr(buf, "1 of 128"), "%s", buf);
	ht_place_reason_text(&pl, HT_R_PLACE_LOST_SPAN, buf, sizeof(buf));
	cr_assert(strstr(buf, "2 MiB boundary"), "%s", buf);
	/* A short buffer is cut, not overrun. */
	ht_place_reason_text(&pl, pl.reason, buf, 8);
	cr_assert_eq(strlen(buf), 7);
}

/* ------------------------------------------------------------------ */
/* The other ways to run a file: a private copy, and through ld.so. */

static void expect_copy(uint64_t min, uint64_t max, enum ht_reason r)
{
	cr_assert_eq(pl.copy_min, min, "copy_min %" PRIu64 " KiB, want %"
		     PRIu64, pl.copy_min / KiB, min / KiB);
	cr_assert_eq(pl.copy_max, max, "copy_max %" PRIu64 " KiB, want %"
		     PRIu64, pl.copy_max / KiB, max / KiB);
	cr_assert_eq(pl.copy_reason, r, "copy reason %s, want %s",
		     ht_reason_name(pl.copy_reason), ht_reason_name(r));
}

static void expect_ldso(enum ht_ldso l, uint64_t eligible, enum ht_reason r,
			bool guess)
{
	cr_assert_eq(pl.ldso, l, "ldso %s, want %s", ht_ldso_token(pl.ldso),
		     ht_ldso_token(l));
	cr_assert_eq(pl.ldso_eligible, eligible, "ldso eligible %" PRIu64
		     " KiB, want %" PRIu64, pl.ldso_eligible / KiB,
		     eligible / KiB);
	cr_assert_eq(pl.ldso_reason, r, "ldso reason %s, want %s",
		     ht_reason_name(pl.ldso_reason), ht_reason_name(r));
	cr_assert_eq(pl.ldso_guess, guess);
}

/*
 * A 24 MiB PIE with 4 KiB p_align: the copy gets 22 or 24 MiB as the
 * random base falls; through ld.so the link-time layout holds, 22 MiB,
 * a guess while mmap(NULL) is not probed, a fix once it is.
 */
Test(placement, pie_4k_copy_and_ldso)
{
	file(ET_DYN_, true);
	seg(0x1000, 0x1000, 24 * MiB, 0x1000);
	run();
	expect_copy(22 * MiB, 24 * MiB, HT_R_NONE);
	expect_ldso(HT_LDSO_YES, 22 * MiB, HT_R_NONE, true);
	expect_fixes(FIX(MAX_PAGE_SIZE));

	file(ET_DYN_, true);
	seg(0x1000, 0x1000, 24 * MiB, 0x1000);
	in.mmap_aligned = 1;
	in.routes = HT_ROUTE_BIT_REFAULT;
	run();
	expect_ldso(HT_LDSO_YES, 22 * MiB, HT_R_NONE, false);
	expect_fixes(FIX(MAX_PAGE_SIZE) | FIX(LDSO));

	/* Placed off 2 MiB by its filesystem: ld.so does not help. */
	file(ET_DYN_, true);
	seg(0x1000, 0x1000, 24 * MiB, 0x1000);
	in.mmap_aligned = 0;
	run();
	expect_ldso(HT_LDSO_NO, 0, HT_R_INCONGRUENT, false);
	expect_copy(22 * MiB, 24 * MiB, HT_R_NONE);

	/* No route on its filesystem: the page cache cannot, a copy can. */
	file(ET_DYN_, true);
	seg(0x1000, 0x1000, 24 * MiB, 0x1000);
	in.mmap_aligned = 1;
	in.routes = 0;
	in.route_reason = HT_R_NO_LARGE_FOLIOS;
	run();
	expect_ldso(HT_LDSO_NO, 0, HT_R_NO_LARGE_FOLIOS, false);
	expect_copy(22 * MiB, 24 * MiB, HT_R_NONE);
}

/* 16 KiB p_align: ld.so reserves memory aligned to that alone. */
Test(placement, pie_16k_no_ldso)
{
	file(ET_DYN_, true);
	seg(0xc000, 0xc000, 24 * MiB, 0x4000);
	in.mmap_aligned = 1;
	run();
	expect_ldso(HT_LDSO_NO, 0, HT_R_INCONGRUENT, false);
	expect_copy(22 * MiB, 24 * MiB, HT_R_NONE);
	/* Before glibc 2.35 ld.so ignored p_align: mmap(NULL) places it. */
	in.ldso_align = false;
	run();
	expect_ldso(HT_LDSO_YES, 22 * MiB, HT_R_NONE, false);
}

/* Aligned by the kernel already: one base, no ld.so needed. */
Test(placement, pie_2m_copy_exact)
{
	file(ET_DYN_, true);
	seg(0x200000, 0x200000, 0x3004015, 0x200000);
	run();
	expect_copy(48 * MiB, 48 * MiB, HT_R_NONE);
	expect_ldso(HT_LDSO_NOT_NEEDED, 0, HT_R_NONE, false);
}

/* Libraries and non-PIE programs are not started through ld.so. */
Test(placement, ldso_not_applicable)
{
	file(ET_DYN_, false);
	seg(0x1000, 0x1000, 24 * MiB, 0x1000);
	in.mmap_aligned = 0;
	run();
	cr_assert_eq(pl.kind, HT_KIND_SHARED);
	expect_ldso(HT_LDSO_NA, 0, HT_R_NONE, false);
	/* Some other multiple of a page: 22 or 24 MiB. */
	expect_copy(22 * MiB, 24 * MiB, HT_R_NONE);
	file(ET_EXEC_, true);
	seg(0x4000, 0x404000, 0x1800015, 0x4000);
	run();
	expect_ldso(HT_LDSO_NA, 0, HT_R_NONE, false);
	expect_copy(22 * MiB, 22 * MiB, HT_R_NONE);
}

/* Where no copy is made: static, text relocations, writable, THP off. */
Test(placement, copy_refused)
{
	file(ET_EXEC_, false);
	seg(0x200000, 0x600000, 24 * MiB, 0x200000);
	run();
	expect_copy(0, 0, HT_R_COPY_NO_CACHE);

	file(ET_DYN_, true);
	seg(0x200000, 0x200000, 24 * MiB, 0x200000);
	elf.textrel = true;
	run();
	expect_copy(0, 0, HT_R_TEXTREL);

	file(ET_DYN_, true);
	seg(0x200000, 0x200000, 24 * MiB, 0x200000);
	elf.exec[0].flags = 7;	/* PF_R | PF_W | PF_X */
	run();
	expect_copy(0, 0, HT_R_WRITABLE_TEXT);

	file(ET_DYN_, true);
	seg(0x1000, 0x1000, 24 * MiB, 0x1000);
	in.mmap_aligned = 1;
	in.thp_reason = HT_R_THP_NEVER;
	run();
	expect_copy(0, 0, HT_R_THP_NEVER);
	expect_ldso(HT_LDSO_NO, 0, HT_R_THP_NEVER, false);

	/* Under 2 MiB of text: nothing, and why. */
	file(ET_DYN_, true);
	seg(0x1000, 0x1000, 1 * MiB, 0x1000);
	run();
	expect_copy(0, 0, HT_R_TOO_SMALL);

	cr_assert_str_eq(ht_ldso_token(HT_LDSO_NOT_NEEDED), "not-needed");
	cr_assert_str_eq(ht_ldso_token(HT_LDSO_NO + 1), "unknown");
}
