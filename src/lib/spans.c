// SPDX-License-Identifier: MIT
/* spans.c - pure 2 MiB span arithmetic; see spans.h. */
#include <stdbool.h>

#include "spans.h"

static enum ht_reason none(uint64_t len, struct ht_spans *out,
			   enum ht_reason why)
{
	out->start = 0;
	out->end = 0;
	out->offset = 0;
	out->head = len;
	out->tail = 0;
	return why;
}

/* The whole aligned spans of the range; @congruent: offsets must agree. */
static enum ht_reason find(uint64_t vaddr, uint64_t len, uint64_t offset,
			   bool congruent, struct ht_spans *out)
{
	uint64_t first, last;

	if (len < HT_HPAGE_SIZE)
		return none(len, out, HT_R_TOO_SMALL);
	if (congruent && ((vaddr - offset) & HT_HPAGE_MASK))
		return none(len, out, HT_R_INCONGRUENT);
	if (vaddr + len < vaddr || vaddr > UINT64_MAX - HT_HPAGE_MASK)
		return none(len, out, HT_R_NO_WHOLE_SPAN);

	first = (vaddr + HT_HPAGE_MASK) & ~HT_HPAGE_MASK;
	last = (vaddr + len) & ~HT_HPAGE_MASK;
	if (last <= first)
		return none(len, out, HT_R_NO_WHOLE_SPAN);

	out->start = first;
	out->end = last;
	out->offset = offset + (first - vaddr);
	out->head = first - vaddr;
	out->tail = vaddr + len - last;
	return HT_R_NONE;
}

enum ht_reason ht_spans_find(uint64_t vaddr, uint64_t len, uint64_t offset,
			     struct ht_spans *out)
{
	return find(vaddr, len, offset, true, out);
}

/* Widen to the pages ld.so and the kernel map: from the page holding
 * the start to the end of the page holding the last byte. */
static enum ht_reason page_range(uint64_t vaddr, uint64_t len,
				 uint64_t offset, uint64_t pagesz,
				 bool congruent, struct ht_spans *out)
{
	uint64_t pmask = pagesz - 1;
	uint64_t start = vaddr & ~pmask;
	uint64_t end;

	if (vaddr + len < vaddr || vaddr + len > UINT64_MAX - pmask)
		return none(len, out, HT_R_NO_WHOLE_SPAN);
	end = (vaddr + len + pmask) & ~pmask;
	return find(start, end - start, offset - (vaddr - start), congruent,
		    out);
}

enum ht_reason ht_spans_page_range(uint64_t vaddr, uint64_t len,
				   uint64_t offset, uint64_t pagesz,
				   struct ht_spans *out)
{
	return page_range(vaddr, len, offset, pagesz, true, out);
}

enum ht_reason ht_spans_virtual(uint64_t vaddr, uint64_t len,
				uint64_t offset, uint64_t pagesz,
				struct ht_spans *out)
{
	return page_range(vaddr, len, offset, pagesz, false, out);
}
