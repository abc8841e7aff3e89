/* SPDX-License-Identifier: MIT */
/*
 * placement.h - predict, before anything runs, which text of an ELF file
 * can be PMD-mapped once it is loaded the way the kernel or ld.so will
 * load it on this machine, why the rest cannot, and what would fix it.
 *
 * Pure logic: everything learnt from the system (how mmap(NULL) places
 * the file, which kernel route works on its filesystem, the THP mode)
 * comes in as plain data, so that every rule is unit-tested.
 *
 * Where the load base lands (measured on Linux 6.18, glibc 2.36; see
 * kernel-notes.md, "Alignment"):
 *   ET_EXEC                   as linked;
 *   PIE (ET_DYN + PT_INTERP)  the kernel aligns its random base to the
 *                             largest p_align: congruent only when that
 *                             is >= 2 MiB, else in 1 of 2 MiB/p_align;
 *   shared object (ld.so)     p_align >= 2 MiB: aligned (glibc >= 2.35);
 *                             page < p_align < 2 MiB: glibc reserves an
 *                             anonymous area aligned to p_align, so the
 *                             base is random as for a PIE; p_align of a
 *                             page: mmap(NULL) of the file, placed by
 *                             its filesystem (ext4 and xfs align it);
 *   static-pie (kernel)       p_align >= 2 MiB: aligned; otherwise the
 *                             kernel maps the file with mmap(NULL) too.
 * Those "placed by the filesystem" take the caller's probe of mmap(NULL).
 *
 * Started through ld.so (hugetext --via-ldso), a PIE is mapped like a
 * library with a page p_align: where mmap(NULL) of the file lands.  The
 * copy route (-s copy) needs no congruence: only the base modulo 2 MiB
 * matters, which for a random base gives a range of outcomes.
 *
 * Who makes it huge: the preload in a dynamically linked program; for a
 * static program or static-pie, which no preload reaches, the launcher
 * primes the file's page cache before exec, and the program's own
 * faults then map the huge folios wherever it lands congruently.
 */
#ifndef HT_PLACEMENT_H
#define HT_PLACEMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "elf_segments.h"
#include "reason.h"
#include "spans.h"

/* A segment that holds spans but loses one at an unaligned start. */
#define HT_R_PLACE_LOST_SPAN	HT_R_UNALIGNED_START

/* What the file is, as far as loading it goes. */
enum ht_obj_kind {
	HT_KIND_EXEC = 0,	/* ET_EXEC with PT_INTERP */
	HT_KIND_STATIC,		/* ET_EXEC without PT_INTERP */
	HT_KIND_PIE,		/* ET_DYN run by the kernel, with ld.so */
	HT_KIND_STATIC_PIE,	/* ET_DYN run by the kernel, no ld.so */
	HT_KIND_SHARED,		/* ET_DYN mapped by ld.so */
};

/* Where its load base lands, modulo 2 MiB. */
enum ht_base {
	HT_BASE_FIXED = 0,	/* addresses as linked */
	HT_BASE_ALIGNED,	/* a multiple of 2 MiB */
	HT_BASE_RANDOM,		/* random, aligned to less than 2 MiB */
	HT_BASE_MMAP_ALIGNED,	/* by the filesystem: probed aligned */
	HT_BASE_MMAP_UNALIGNED,	/* by the filesystem: probed not */
	HT_BASE_MMAP_UNKNOWN,	/* by the filesystem: not probed */
};

enum ht_verdict {
	HT_V_ELIGIBLE = 0,	/* every whole span the sizes allow */
	HT_V_PARTLY,		/* some, but fewer than the sizes allow */
	HT_V_NONE,		/* nothing */
};

/* Fixes, as bits of struct ht_placement's @fixes, in the order shown. */
enum ht_fix {
	HT_FIX_MAX_PAGE_SIZE = 0,	/* -z max-page-size=0x200000 */
	HT_FIX_SEPARATE_CODE,		/* + -z separate-code */
	HT_FIX_LDSO,			/* start it through ld.so */
	HT_FIX_FS_PLACEMENT,		/* a filesystem that aligns mmap */
	HT_FIX_FS_ROUTE,		/* a filesystem a route works on */
	HT_FIX_THP,			/* THP never -> madvise */
	HT_FIX_PIC,			/* no text relocations */
	HT_FIX__COUNT
};

/* Kernel routes found to work, as bits of struct ht_place_in's @routes. */
#define HT_ROUTES_UNKNOWN	(-1)
#define HT_ROUTE_BIT_COLLAPSE	0x1
#define HT_ROUTE_BIT_REFAULT	0x2

/* Everything known about how the file will be loaded. */
struct ht_place_in {
	const struct ht_elf_info *elf;
	uint64_t max_align;	/* largest power-of-two p_align of any
				   PT_LOAD; 0: take the executable ones' */
	bool pie_flag;		/* DF_1_PIE in DT_FLAGS_1 */
	bool has_soname;	/* DT_SONAME present */
	bool as_dependency;	/* loaded by ld.so as a needed library */
	uint64_t pagesz;	/* power of two */
	bool ldso_align;	/* ld.so honours p_align (glibc >= 2.35) */
	int mmap_aligned;	/* mmap(NULL) of the file came back 2 MiB-
				   aligned: 1 yes, 0 no, -1 not known */
	int routes;		/* HT_ROUTE_BIT_*, or HT_ROUTES_UNKNOWN */
	enum ht_reason route_reason;	/* why none works, when @routes 0 */
	enum ht_reason thp_reason;	/* why no huge page at all (thp-never,
					   thp-disabled-prctl), else NONE */
};

/* One executable PT_LOAD, as it will be mapped. */
struct ht_seg_place {
	uint64_t vaddr, offset;	/* page-aligned start as linked (for
				   ET_DYN relative to the load base) */
	uint64_t len;		/* page-granular mapped length */
	uint64_t filesz;	/* p_filesz */
	uint64_t span_bytes;	/* whole congruent spans where it lands */
	struct ht_spans eligible;	/* what hugetext will make huge */
	uint64_t possible;	/* spans its length allows at best */
	enum ht_reason reason;	/* why eligible < possible (or, with
				   nothing possible, why nothing); NONE */
};

/* --via-ldso for a file, as check predicts it. */
enum ht_ldso {
	HT_LDSO_NA = 0,		/* not a PIE: nothing to start that way */
	HT_LDSO_NOT_NEEDED,	/* the kernel's own placement is aligned */
	HT_LDSO_YES,		/* ld.so's mmap(NULL) aligns the image */
	HT_LDSO_NO,		/* it would not be (more) eligible */
};

struct ht_placement {
	enum ht_obj_kind kind;
	enum ht_base base;
	uint64_t align;		/* alignment the base gets, >= a page */
	uint64_t odds;		/* HT_BASE_RANDOM: congruent 1 in @odds */
	bool textrel;
	size_t nexec;		/* executable PT_LOADs in the file */
	size_t nseg;		/* of which described (HT_ELF_MAX_EXEC) */
	struct ht_seg_place seg[HT_ELF_MAX_EXEC];
	uint64_t text;		/* sum of p_filesz */
	uint64_t span_bytes;	/* whole congruent spans, layout alone */
	uint64_t eligible;	/* what hugetext will make huge */
	uint64_t possible;
	enum ht_verdict verdict;
	enum ht_reason reason;	/* HT_R_NONE when eligible */
	unsigned int fixes;	/* 1u << enum ht_fix */
	/*
	 * -s copy: the 2 MiB-aligned parts of the text mappings, with no
	 * congruence needed, over every base the file can get (one value
	 * where the base is known modulo 2 MiB).
	 */
	uint64_t copy_min, copy_max;
	enum ht_reason copy_reason;	/* why nothing, else HT_R_NONE */
	/*
	 * --via-ldso: ld.so maps the whole image with mmap(NULL); page-
	 * cache spans then, and why none.  @ldso_guess: the placement of
	 * mmap(NULL) was not probed, only assumed (ext4 and xfs align).
	 */
	enum ht_ldso ldso;
	uint64_t ldso_eligible;
	enum ht_reason ldso_reason;
	bool ldso_guess;
};

/*
 * ht_place_kind - what @elf is when loaded: a needed library
 * (@as_dependency) is always a shared object; an ET_DYN with PT_INTERP
 * is a PIE unless it carries a DT_SONAME without DF_1_PIE (libc.so.6
 * can be run, but is loaded as a library); one without PT_INTERP is a
 * static-pie only with DF_1_PIE.  Never fails.
 */
enum ht_obj_kind ht_place_kind(const struct ht_elf_info *elf, bool pie_flag,
			       bool has_soname, bool as_dependency);

/*
 * ht_place - predict @out for the file described by @in.
 *
 * Returns 0; -EINVAL when @in, @in->elf or @out is NULL or @in->pagesz
 * is not a power of two; -ENOEXEC when the file is neither ET_EXEC nor
 * ET_DYN (nothing the kernel or ld.so loads).  @out is then zeroed.
 */
int ht_place(const struct ht_place_in *in, struct ht_placement *out);

/* ht_ldso_token - "not-applicable", "not-needed", "yes", "no". */
const char *ht_ldso_token(enum ht_ldso l);

/* ht_kind_name - "PIE", "shared object", ...  Never NULL. */
const char *ht_kind_name(enum ht_obj_kind k);
/* ht_kind_token - "pie", "shared-object", ... (JSON).  Never NULL. */
const char *ht_kind_token(enum ht_obj_kind k);
/* ht_base_token - "fixed", "aligned", "random", "mmap-aligned", ... */
const char *ht_base_token(enum ht_base b);
/* ht_verdict_name - "eligible", "partly eligible", "not eligible". */
const char *ht_verdict_name(enum ht_verdict v);
/* ht_verdict_token - the same with '-' for ' ' (JSON).  Never NULL. */
const char *ht_verdict_token(enum ht_verdict v);
/* ht_fix_token - "max-page-size", ... (JSON).  Never NULL. */
const char *ht_fix_token(enum ht_fix f);
/* ht_fix_text - what to do, one line.  Never NULL. */
const char *ht_fix_text(enum ht_fix f);
/* ht_fix_tradeoff - what it costs, one line.  Never NULL. */
const char *ht_fix_tradeoff(enum ht_fix f);

/*
 * ht_place_reason_text - one-line explanation of @r for @p: the stand-in
 * code above gets its real meaning, an incongruent base its cause (with
 * the odds of a random one); otherwise ht_reason_text(@r).  Returns
 * @buf, which holds @len bytes.
 */
const char *ht_place_reason_text(const struct ht_placement *p,
				 enum ht_reason r, char *buf, size_t len);

#endif /* HT_PLACEMENT_H */
