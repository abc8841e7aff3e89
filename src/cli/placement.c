// SPDX-License-Identifier: MIT
/* placement.c - predict eligible text before loading; see placement.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "placement.h"

#define ET_EXEC_	2
#define ET_DYN_		3

static const struct {
	const char *token, *text, *tradeoff;
} fixes[HT_FIX__COUNT] = {
	[HT_FIX_MAX_PAGE_SIZE] = { "max-page-size",
		"link with -Wl,-z,max-page-size=0x200000",
		"the kernel and ld.so (glibc >= 2.35) then load it 2 MiB-"
		"aligned; costs up to 2 MiB of address space per segment gap, "
		"not memory" },
	[HT_FIX_SEPARATE_CODE] = { "separate-code",
		"link with -Wl,-z,separate-code -Wl,-z,max-page-size=0x200000",
		"the text segment then starts on a 2 MiB boundary, so no span "
		"is lost at its head; the file grows by up to 2 MiB of padding "
		"per segment" },
	[HT_FIX_LDSO] = { "ld.so",
		"start it through the dynamic loader: hugetext --via-ldso "
		"FILE, which runs ld.so --argv0 FILE FILE",
		"ld.so maps it like a library, which this filesystem places "
		"2 MiB-aligned; /proc/self/exe and the process name are then "
		"the loader's, not the program's" },
	[HT_FIX_FS_PLACEMENT] = { "filesystem-placement",
		"keep it on a filesystem that places large mappings 2 MiB-"
		"aligned: ext4, xfs, or tmpfs mounted with huge=within_size",
		"tmpfs with huge= also backs the file's data with huge pages, "
		"and tmpfs keeps the whole file in memory or swap" },
	[HT_FIX_FS_ROUTE] = { "filesystem-route",
		"move it to a filesystem with large folios (ext4 >= 6.16, "
		"xfs) or to tmpfs",
		"tmpfs keeps the whole file in memory or swap; other "
		"filesystems need a kernel that supports them" },
	[HT_FIX_THP] = { "thp-madvise",
		"set /sys/kernel/mm/transparent_hugepage/enabled to madvise",
		"system-wide and needs root; madvise affects only memory that "
		"asks for huge pages" },
	[HT_FIX_PIC] = { "no-textrel",
		"rebuild every object with -fPIC or -fPIE so that no text "
		"relocations remain (link with -Wl,-z,text to catch any)",
		"none worth measuring on x86-64, where position-independent "
		"code is RIP-relative" },
};

const char *ht_fix_token(enum ht_fix f)
{
	return (unsigned int)f < HT_FIX__COUNT ? fixes[f].token : "unknown";
}

const char *ht_fix_text(enum ht_fix f)
{
	return (unsigned int)f < HT_FIX__COUNT ? fixes[f].text : "unknown";
}

const char *ht_fix_tradeoff(enum ht_fix f)
{
	return (unsigned int)f < HT_FIX__COUNT ? fixes[f].tradeoff : "";
}

const char *ht_ldso_token(enum ht_ldso l)
{
	switch (l) {
	case HT_LDSO_NA:
		return "not-applicable";
	case HT_LDSO_NOT_NEEDED:
		return "not-needed";
	case HT_LDSO_YES:
		return "yes";
	case HT_LDSO_NO:
		return "no";
	}
	return "unknown";
}

const char *ht_kind_name(enum ht_obj_kind k)
{
	switch (k) {
	case HT_KIND_EXEC:
		return "non-PIE executable";
	case HT_KIND_STATIC:
		return "static executable";
	case HT_KIND_PIE:
		return "PIE";
	case HT_KIND_STATIC_PIE:
		return "static-pie";
	case HT_KIND_SHARED:
		return "shared object";
	}
	return "unknown";
}

const char *ht_kind_token(enum ht_obj_kind k)
{
	switch (k) {
	case HT_KIND_EXEC:
		return "executable";
	case HT_KIND_STATIC:
		return "static-executable";
	case HT_KIND_PIE:
		return "pie";
	case HT_KIND_STATIC_PIE:
		return "static-pie";
	case HT_KIND_SHARED:
		return "shared-object";
	}
	return "unknown";
}

const char *ht_base_token(enum ht_base b)
{
	switch (b) {
	case HT_BASE_FIXED:
		return "fixed";
	case HT_BASE_ALIGNED:
		return "aligned";
	case HT_BASE_RANDOM:
		return "random";
	case HT_BASE_MMAP_ALIGNED:
		return "mmap-aligned";
	case HT_BASE_MMAP_UNALIGNED:
		return "mmap-unaligned";
	case HT_BASE_MMAP_UNKNOWN:
		return "mmap-unknown";
	}
	return "unknown";
}

const char *ht_verdict_name(enum ht_verdict v)
{
	switch (v) {
	case HT_V_ELIGIBLE:
		return "eligible";
	case HT_V_PARTLY:
		return "partly eligible";
	case HT_V_NONE:
		return "not eligible";
	}
	return "unknown";
}

const char *ht_verdict_token(enum ht_verdict v)
{
	switch (v) {
	case HT_V_ELIGIBLE:
		return "eligible";
	case HT_V_PARTLY:
		return "partly-eligible";
	case HT_V_NONE:
		return "not-eligible";
	}
	return "unknown";
}

enum ht_obj_kind ht_place_kind(const struct ht_elf_info *elf, bool pie_flag,
			       bool has_soname, bool as_dependency)
{
	if (elf->type == ET_EXEC_)
		return elf->has_interp ? HT_KIND_EXEC : HT_KIND_STATIC;
	if (as_dependency)
		return HT_KIND_SHARED;
	if (elf->has_interp)
		return pie_flag || !has_soname ? HT_KIND_PIE : HT_KIND_SHARED;
	return pie_flag ? HT_KIND_STATIC_PIE : HT_KIND_SHARED;
}

static bool pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* The alignment the kernel and ld.so give the base: both skip values
 * that are not powers of two, and never go below a page. */
static uint64_t base_align(const struct ht_place_in *in)
{
	uint64_t a = in->max_align;
	size_t i, n = in->elf->nexec;

	if (!a) {
		if (n > HT_ELF_MAX_EXEC)
			n = HT_ELF_MAX_EXEC;
		for (i = 0; i < n; i++)
			if (pow2(in->elf->exec[i].align) &&
			    in->elf->exec[i].align > a)
				a = in->elf->exec[i].align;
	}
	return a < in->pagesz ? in->pagesz : a;
}

static enum ht_base by_mmap(const struct ht_place_in *in)
{
	if (in->mmap_aligned > 0)
		return HT_BASE_MMAP_ALIGNED;
	return in->mmap_aligned == 0 ? HT_BASE_MMAP_UNALIGNED :
	       HT_BASE_MMAP_UNKNOWN;
}

static enum ht_base find_base(const struct ht_place_in *in,
			      enum ht_obj_kind kind, uint64_t align)
{
	switch (kind) {
	case HT_KIND_EXEC:
	case HT_KIND_STATIC:
		return HT_BASE_FIXED;
	case HT_KIND_PIE:
		/* The kernel: ELF_ET_DYN_BASE + random, & ~(align - 1). */
		return align >= HT_HPAGE_SIZE ? HT_BASE_ALIGNED :
		       HT_BASE_RANDOM;
	case HT_KIND_STATIC_PIE:
		/*
		 * The kernel maps a loader-like ET_DYN at an address that
		 * mmap(NULL) of the file chooses, then aligns it down to
		 * the largest p_align (measured: aligned from ext4 with
		 * p_align 16 KiB, not from /dev/shm).
		 */
		return align >= HT_HPAGE_SIZE ? HT_BASE_ALIGNED :
		       by_mmap(in);
	case HT_KIND_SHARED:
		if (!in->ldso_align)
			return by_mmap(in);
		if (align >= HT_HPAGE_SIZE)
			return HT_BASE_ALIGNED;
		/*
		 * glibc >= 2.35 reserves an anonymous area and aligns the
		 * object inside it to p_align: no file placement applies.
		 */
		return align > in->pagesz ? HT_BASE_RANDOM : by_mmap(in);
	}
	return HT_BASE_MMAP_UNKNOWN;
}

static bool congruent_base(enum ht_base b)
{
	/* Not probed: assume what ext4 and xfs do, and say so. */
	return b != HT_BASE_RANDOM && b != HT_BASE_MMAP_UNALIGNED;
}

/*
 * A file-wide reason hugetext will not act on text that is well placed:
 * private pages from text relocations, no kernel route on the
 * filesystem.  (A static program is no such reason: the launcher primes
 * its page cache, since no preload reaches it.)
 */
static enum ht_reason blocker(const struct ht_place_in *in,
			      const struct ht_placement *p)
{
	if (p->textrel)
		return HT_R_TEXTREL;
	if (in->routes == 0)
		return in->route_reason != HT_R_NONE ? in->route_reason :
		       HT_R_NO_LARGE_FOLIOS;
	return HT_R_NONE;
}

static void place_segment(const struct ht_place_in *in,
			  const struct ht_segment *s, struct ht_placement *p,
			  struct ht_seg_place *o, bool *lost_head,
			  bool *link_incongruent)
{
	uint64_t pmask = in->pagesz - 1;
	enum ht_reason r;

	/*
	 * Where the base is 2 MiB-aligned, the link-time addresses have
	 * the run-time ones' residues, so they give the same spans.  An
	 * mmap(NULL) placement aligns the first PT_LOAD's file offset,
	 * which every linker puts at vaddr 0, offset 0: the same thing.
	 */
	r = ht_spans_page_range(s->vaddr, s->filesz, s->offset, in->pagesz,
				&o->eligible);
	o->vaddr = s->vaddr & ~pmask;
	o->offset = s->offset & ~pmask;
	o->len = o->eligible.head + ht_spans_bytes(&o->eligible) +
		 o->eligible.tail;
	o->filesz = s->filesz;
	o->possible = o->len & ~HT_HPAGE_MASK;
	if (r == HT_R_INCONGRUENT)
		*link_incongruent = true;
	if (ht_spans_bytes(&o->eligible) < o->possible &&
	    r != HT_R_INCONGRUENT)
		*lost_head = true;
	if (!congruent_base(p->base) && r != HT_R_TOO_SMALL) {
		o->eligible.start = o->eligible.end = o->eligible.offset = 0;
		o->eligible.head = o->len;
		o->eligible.tail = 0;
		r = HT_R_INCONGRUENT;
	}
	o->span_bytes = ht_spans_bytes(&o->eligible);
	if (r == HT_R_NONE && o->span_bytes < o->possible)
		r = HT_R_PLACE_LOST_SPAN;
	o->reason = r;
}

/* The reason for the file: its largest shortfall, else its largest
 * segment's reason for holding nothing. */
static enum ht_reason file_reason(const struct ht_placement *p)
{
	uint64_t worst = 0, biggest = 0;
	enum ht_reason r = HT_R_NONE, small = HT_R_NONE;
	size_t i;

	for (i = 0; i < p->nseg; i++) {
		const struct ht_seg_place *s = &p->seg[i];
		uint64_t lost = s->possible - ht_spans_bytes(&s->eligible);

		if (lost > worst) {
			worst = lost;
			r = s->reason;
		}
		if (s->len > biggest && s->reason != HT_R_NONE) {
			biggest = s->len;
			small = s->reason;
		}
	}
	if (r == HT_R_NONE && !p->eligible)
		r = small != HT_R_NONE ? small : HT_R_TOO_SMALL;
	return r;
}

/*
 * The copy's bytes with the load base at @res modulo 2 MiB: the aligned
 * part of every text mapping, congruent or not.  *@why: the reason of
 * the largest segment that has none.
 */
static uint64_t copy_at(const struct ht_place_in *in,
			const struct ht_placement *p, uint64_t res,
			enum ht_reason *why)
{
	uint64_t sum = 0, biggest = 0;
	size_t i;

	for (i = 0; i < p->nseg; i++) {
		const struct ht_segment *s = &in->elf->exec[i];
		struct ht_spans sp;
		enum ht_reason r;

		r = ht_spans_virtual(res + s->vaddr, s->filesz, s->offset,
				     in->pagesz, &sp);
		sum += ht_spans_bytes(&sp);
		if (r != HT_R_NONE && s->filesz >= biggest) {
			biggest = s->filesz;
			*why = r;
		}
	}
	return sum;
}

/*
 * -s copy: what the copy route gets over the bases the file can have.
 * A random base is a multiple of its alignment; one that mmap(NULL)
 * places off 2 MiB is some other multiple of a page.  No copy where no
 * preload runs (static), where pages are private (text relocations) or
 * writable, or where huge pages are off.
 */
static void place_copy(const struct ht_place_in *in, struct ht_placement *p)
{
	uint64_t step = 0, res, first = 0, n;
	enum ht_reason why = HT_R_TOO_SMALL;
	size_t i;

	p->copy_reason = HT_R_NONE;
	for (i = 0; i < p->nseg; i++)
		if (in->elf->exec[i].flags & 2 /* PF_W */)
			p->copy_reason = HT_R_WRITABLE_TEXT;
	if (p->textrel)
		p->copy_reason = HT_R_TEXTREL;
	if (p->kind == HT_KIND_STATIC || p->kind == HT_KIND_STATIC_PIE)
		p->copy_reason = HT_R_COPY_NO_CACHE;
	if (in->thp_reason != HT_R_NONE)
		p->copy_reason = in->thp_reason;
	if (p->copy_reason != HT_R_NONE)
		return;
	if (p->base == HT_BASE_RANDOM)
		step = p->align;
	else if (p->base == HT_BASE_MMAP_UNALIGNED)
		step = first = in->pagesz;
	if (!step || step >= HT_HPAGE_SIZE)
		step = first = HT_HPAGE_SIZE;	/* known: one base */
	p->copy_min = UINT64_MAX;
	for (res = first; res < HT_HPAGE_SIZE || res == first; res += step) {
		n = copy_at(in, p, res & HT_HPAGE_MASK, &why);
		if (n < p->copy_min)
			p->copy_min = n;
		if (n > p->copy_max)
			p->copy_max = n;
	}
	if (!p->copy_max)
		p->copy_reason = why;
}

/*
 * --via-ldso: ld.so maps the program as it maps a library, with one
 * mmap(NULL) of the whole image from file offset 0, unless a p_align
 * above a page makes it (glibc >= 2.35) reserve memory aligned to that
 * instead.  Where that mmap is placed 2 MiB-aligned (ext4 and xfs do for
 * 2 MiB and more, as probed), the link-time layout is the run-time one
 * modulo 2 MiB.  Not probed: assumed, and said to be a guess.
 */
static void place_ldso(const struct ht_place_in *in, struct ht_placement *p,
		       enum ht_reason block)
{
	enum ht_reason r, why = HT_R_TOO_SMALL;
	struct ht_spans sp;
	size_t i;

	if (p->kind != HT_KIND_PIE) {
		p->ldso = HT_LDSO_NA;
		return;
	}
	if (p->base != HT_BASE_RANDOM) {
		p->ldso = HT_LDSO_NOT_NEEDED;
		return;
	}
	p->ldso = HT_LDSO_NO;
	if (in->ldso_align && p->align > in->pagesz) {
		p->ldso_reason = HT_R_INCONGRUENT;	/* to p_align only */
		return;
	}
	if (in->mmap_aligned == 0) {
		p->ldso_reason = HT_R_INCONGRUENT;
		return;
	}
	p->ldso_guess = in->mmap_aligned < 0;
	for (i = 0; i < p->nseg; i++) {
		const struct ht_segment *s = &in->elf->exec[i];

		r = ht_spans_page_range(s->vaddr, s->filesz, s->offset,
					in->pagesz, &sp);
		p->ldso_eligible += ht_spans_bytes(&sp);
		if (r != HT_R_NONE && !ht_spans_bytes(&sp))
			why = r;
	}
	if (in->thp_reason != HT_R_NONE)
		block = in->thp_reason;
	if (block != HT_R_NONE || !p->ldso_eligible) {
		p->ldso_reason = block != HT_R_NONE ? block : why;
		p->ldso_eligible = 0;
		return;
	}
	p->ldso = HT_LDSO_YES;
}

int ht_place(const struct ht_place_in *in, struct ht_placement *out)
{
	bool lost_head = false, link_incongruent = false;
	enum ht_reason block;
	size_t i;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!in || !in->elf || !out || !pow2(in->pagesz))
		return -EINVAL;
	if (in->elf->type != ET_EXEC_ && in->elf->type != ET_DYN_)
		return -ENOEXEC;

	out->kind = ht_place_kind(in->elf, in->pie_flag, in->has_soname,
				  in->as_dependency);
	out->align = base_align(in);
	out->base = find_base(in, out->kind, out->align);
	if (out->base == HT_BASE_RANDOM)
		out->odds = HT_HPAGE_SIZE / out->align;
	out->textrel = in->elf->textrel;
	out->text = in->elf->text_bytes;
	out->nexec = in->elf->nexec;
	out->nseg = in->elf->nexec < HT_ELF_MAX_EXEC ? in->elf->nexec :
		    HT_ELF_MAX_EXEC;

	for (i = 0; i < out->nseg; i++) {
		struct ht_seg_place *o = &out->seg[i];

		place_segment(in, &in->elf->exec[i], out, o, &lost_head,
			      &link_incongruent);
		out->span_bytes += o->span_bytes;
		out->possible += o->possible;
	}

	block = blocker(in, out);
	for (i = 0; i < out->nseg; i++) {
		struct ht_seg_place *o = &out->seg[i];

		if (block != HT_R_NONE && o->span_bytes) {
			o->eligible.start = o->eligible.end = 0;
			o->eligible.offset = 0;
			o->eligible.head = o->len;
			o->eligible.tail = 0;
			o->reason = block;
		}
		out->eligible += ht_spans_bytes(&o->eligible);
	}

	if (!out->eligible)
		out->verdict = HT_V_NONE;
	else if (out->eligible < out->possible)
		out->verdict = HT_V_PARTLY;
	else
		out->verdict = HT_V_ELIGIBLE;
	out->reason = block != HT_R_NONE && out->span_bytes ? block :
		      out->verdict == HT_V_ELIGIBLE ? HT_R_NONE :
		      file_reason(out);

	place_copy(in, out);
	place_ldso(in, out, blocker(in, out));

	/* Fixes only where there is something to gain: 2 MiB of text. */
	if (!out->possible)
		return 0;
	if (!congruent_base(out->base) || link_incongruent)
		out->fixes |= 1u << HT_FIX_MAX_PAGE_SIZE;
	/*
	 * Relinking with max-page-size moves the text anyway, and ld's
	 * separate-code (the default on x86-64 since binutils 2.31) then
	 * starts it on a 2 MiB boundary: one fix, not two.
	 */
	if (lost_head && !(out->fixes & (1u << HT_FIX_MAX_PAGE_SIZE)))
		out->fixes |= 1u << HT_FIX_SEPARATE_CODE;
	/* ld.so maps the program with mmap(NULL) only at page p_align. */
	if (out->ldso == HT_LDSO_YES && !out->ldso_guess)
		out->fixes |= 1u << HT_FIX_LDSO;
	if (out->base == HT_BASE_MMAP_UNALIGNED)
		out->fixes |= 1u << HT_FIX_FS_PLACEMENT;
	if (in->routes == 0 && in->route_reason == HT_R_THP_NEVER)
		out->fixes |= 1u << HT_FIX_THP;
	else if (in->routes == 0 && in->route_reason != HT_R_PRCTL)
		out->fixes |= 1u << HT_FIX_FS_ROUTE;
	if (out->textrel)
		out->fixes |= 1u << HT_FIX_PIC;
	return 0;
}

const char *ht_place_reason_text(const struct ht_placement *p,
				 enum ht_reason r, char *buf, size_t len)
{
	if (r == HT_R_PLACE_LOST_SPAN)
		snprintf(buf, len, "the segment does not start on a 2 MiB "
			 "boundary, which costs a whole span");
	else if (r == HT_R_INCONGRUENT && p && p->base == HT_BASE_RANDOM)
		snprintf(buf, len, "random load base aligned to %llu KiB: "
			 "congruent in 1 of %llu starts",
			 (unsigned long long)(p->align >> 10),
			 (unsigned long long)p->odds);
	else if (r == HT_R_INCONGRUENT && p &&
		 p->base == HT_BASE_MMAP_UNALIGNED)
		snprintf(buf, len, "its filesystem places mmap(NULL) of it "
			 "at an address that is not 2 MiB-aligned");
	else
		snprintf(buf, len, "%s", ht_reason_text(r));
	return buf;
}
