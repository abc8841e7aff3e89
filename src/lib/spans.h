/* SPDX-License-Identifier: MIT */
/*
 * spans.h - pure 2 MiB span arithmetic.
 *
 * A PMD can map file text only where the virtual address and the file
 * offset agree modulo 2 MiB and the whole 2 MiB lies inside one mapping.
 * These functions find the largest such run of whole spans; they touch
 * no files and make no system calls.
 */
#ifndef HT_SPANS_H
#define HT_SPANS_H

#include <stdint.h>
#include "reason.h"

/* Executable PT_LOADs kept per object, by every reader of them. */
#define HT_ELF_MAX_EXEC		8

#define HT_HPAGE_SHIFT	21
#define HT_HPAGE_SIZE	((uint64_t)1 << HT_HPAGE_SHIFT)
#define HT_HPAGE_MASK	(HT_HPAGE_SIZE - 1)

/* A run of whole, congruent 2 MiB spans inside a mapped range. */
struct ht_spans {
	uint64_t start;		/* first byte, 2 MiB aligned (0 if none) */
	uint64_t end;		/* one past the last byte, 2 MiB aligned */
	uint64_t offset;	/* file offset that maps at @start */
	uint64_t head;		/* bytes of the range before @start */
	uint64_t tail;		/* bytes of the range after @end */
};

/*
 * ht_spans_find - eligible 2 MiB spans of the range [@vaddr, @vaddr+@len)
 * mapped from file offset @offset.
 *
 * Returns HT_R_NONE and fills @out when at least one whole span exists.
 * Otherwise returns HT_R_TOO_SMALL (@len < 2 MiB), HT_R_INCONGRUENT
 * (@vaddr != @offset mod 2 MiB) or HT_R_NO_WHOLE_SPAN (including ranges
 * that wrap the address space); @out then describes an empty run whose
 * @head is @len.
 */
enum ht_reason ht_spans_find(uint64_t vaddr, uint64_t len, uint64_t offset,
			     struct ht_spans *out);

/*
 * ht_spans_page_range - widen [@vaddr, @vaddr+@len) at file @offset to
 * the page-granular range the kernel maps for it (@pagesz a power of
 * two), as ld.so and the ELF loader map PT_LOAD segments, then find its
 * spans with ht_spans_find().  Same return contract.
 */
enum ht_reason ht_spans_page_range(uint64_t vaddr, uint64_t len,
				   uint64_t offset, uint64_t pagesz,
				   struct ht_spans *out);

/*
 * ht_spans_virtual - the same page-granular range's whole 2 MiB-aligned
 * spans in virtual-address space alone, whatever the file offsets: what
 * a copy into anonymous huge pages can cover, since only the page
 * cache needs congruence.  @out->offset is the file offset mapped at
 * @out->start.  Returns HT_R_NONE, HT_R_TOO_SMALL or HT_R_NO_WHOLE_SPAN.
 */
enum ht_reason ht_spans_virtual(uint64_t vaddr, uint64_t len,
				uint64_t offset, uint64_t pagesz,
				struct ht_spans *out);

/* ht_spans_bytes - bytes covered by the spans of @s (0 when none). */
static inline uint64_t ht_spans_bytes(const struct ht_spans *s)
{
	return s->end - s->start;
}

/* ht_spans_count - number of whole 2 MiB spans in @s. */
static inline uint64_t ht_spans_count(const struct ht_spans *s)
{
	return ht_spans_bytes(s) >> HT_HPAGE_SHIFT;
}

#endif /* HT_SPANS_H */
