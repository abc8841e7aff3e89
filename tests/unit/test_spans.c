// SPDX-License-Identifier: MIT
/*
 * test_spans.c - unit tests for the 2 MiB span arithmetic (spans.h) and
 * the reason names (reason.h).
 *
 * Covers ht_spans_find() on aligned, unaligned, too small, incongruent,
 * span-less and wrapping ranges and on a set of realistic segments;
 * ht_spans_page_range() rounding to pages; ht_spans_virtual() (the copy
 * route's spans, congruence ignored); ht_spans_count/bytes; and
 * ht_reason_name/ht_reason_text for every code and out-of-range values.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "reason.h"
#include "spans.h"

#define KiB	((uint64_t)1024)
#define MiB	(1024 * KiB)

/* Fill @s with a pattern so that every field must be written. */
static void poison(struct ht_spans *s)
{
	memset(s, 0xa5, sizeof(*s));
}

/* Check every field of @s. */
static void expect_spans(const struct ht_spans *s, uint64_t start,
			 uint64_t end, uint64_t offset, uint64_t head,
			 uint64_t tail)
{
	cr_assert_eq(s->start, start, "start %#" PRIx64 ", want %#" PRIx64,
		     s->start, start);
	cr_assert_eq(s->end, end, "end %#" PRIx64 ", want %#" PRIx64,
		     s->end, end);
	cr_assert_eq(s->offset, offset, "offset %#" PRIx64 ", want %#"
		     PRIx64, s->offset, offset);
	cr_assert_eq(s->head, head, "head %#" PRIx64 ", want %#" PRIx64,
		     s->head, head);
	cr_assert_eq(s->tail, tail, "tail %#" PRIx64 ", want %#" PRIx64,
		     s->tail, tail);
}

/* The empty run every failure must describe. */
static void expect_empty(const struct ht_spans *s, uint64_t len)
{
	expect_spans(s, 0, 0, 0, len, 0);
	cr_assert_eq(ht_spans_bytes(s), 0);
	cr_assert_eq(ht_spans_count(s), 0);
}

static void expect_reason(enum ht_reason got, enum ht_reason want)
{
	cr_assert_eq(got, want, "reason %s, want %s", ht_reason_name(got),
		     ht_reason_name(want));
}

Test(spans, exactly_aligned_and_congruent)
{
	struct ht_spans s;

	poison(&s);
	expect_reason(ht_spans_find(0x200000, 4 * MiB, 0x200000, &s),
		      HT_R_NONE);
	expect_spans(&s, 0x200000, 0x600000, 0x200000, 0, 0);
	cr_assert_eq(ht_spans_count(&s), 2);
	cr_assert_eq(ht_spans_bytes(&s), 4 * MiB);

	/* One span exactly, at a file offset different from the address. */
	poison(&s);
	expect_reason(ht_spans_find(0x7f0000400000, 2 * MiB, 0, &s),
		      HT_R_NONE);
	expect_spans(&s, 0x7f0000400000, 0x7f0000600000, 0, 0, 0);
	cr_assert_eq(ht_spans_count(&s), 1);
	cr_assert_eq(ht_spans_bytes(&s), 2 * MiB);
}

Test(spans, unaligned_start_and_end)
{
	struct ht_spans s;

	/* [0x201234, 0x701234) from offset 0x1234: one span at 4 MiB. */
	poison(&s);
	expect_reason(ht_spans_find(0x201234, 5 * MiB, 0x1234, &s),
		      HT_R_NONE);
	expect_spans(&s, 0x400000, 0x600000, 0x200000,
		     0x400000 - 0x201234, 0x701234 - 0x600000);
	cr_assert_eq(ht_spans_count(&s), 1);
	cr_assert_eq(s.head + ht_spans_bytes(&s) + s.tail, 5 * MiB);

	/* Congruent with a large offset: the offset follows the start. */
	poison(&s);
	expect_reason(ht_spans_find(0x55555560f000, 9 * MiB, 0x1e0f000, &s),
		      HT_R_NONE);
	expect_spans(&s, 0x555555800000, 0x555555e00000, 0x2000000,
		     0x555555800000 - 0x55555560f000,
		     0x55555560f000 + 9 * MiB - 0x555555e00000);
	cr_assert_eq(ht_spans_count(&s), 3);
	cr_assert_eq(s.head + ht_spans_bytes(&s) + s.tail, 9 * MiB);
}

Test(spans, too_small)
{
	static const uint64_t lens[] = { 0, 1, 4096, 2 * MiB - 4096,
					 2 * MiB - 1 };
	struct ht_spans s;
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(*lens); i++) {
		poison(&s);
		expect_reason(ht_spans_find(0x200000, lens[i], 0x200000, &s),
			      HT_R_TOO_SMALL);
		expect_empty(&s, lens[i]);
	}
	/* Too small wins over incongruent. */
	poison(&s);
	expect_reason(ht_spans_find(0x201000, 1 * MiB, 0, &s),
		      HT_R_TOO_SMALL);
	expect_empty(&s, 1 * MiB);
}

Test(spans, incongruent)
{
	static const uint64_t offsets[] = { 0x1000, 0x100000, 0x1ff000,
					    0x200000 + 0x10, 1 };
	struct ht_spans s;
	size_t i;

	for (i = 0; i < sizeof(offsets) / sizeof(*offsets); i++) {
		poison(&s);
		expect_reason(ht_spans_find(0x200000, 8 * MiB, offsets[i],
					    &s), HT_R_INCONGRUENT);
		expect_empty(&s, 8 * MiB);
	}
	/* Offset above the address, differing by a multiple: congruent. */
	poison(&s);
	expect_reason(ht_spans_find(0x200000, 2 * MiB, 0x1000000, &s),
		      HT_R_NONE);
	expect_spans(&s, 0x200000, 0x400000, 0x1000000, 0, 0);
}

Test(spans, no_whole_span)
{
	struct ht_spans s;

	/* 3 MiB from 2 MiB + 4 KiB ends at 5 MiB + 4 KiB: no whole span. */
	poison(&s);
	expect_reason(ht_spans_find(0x201000, 3 * MiB, 0x1000, &s),
		      HT_R_NO_WHOLE_SPAN);
	expect_empty(&s, 3 * MiB);

	/* 2.5 MiB from 3 MiB. */
	poison(&s);
	expect_reason(ht_spans_find(0x300000, 2 * MiB + 512 * KiB, 0x100000,
				    &s), HT_R_NO_WHOLE_SPAN);
	expect_empty(&s, 2 * MiB + 512 * KiB);

	/* The longest range without a span, then one byte more. */
	poison(&s);
	expect_reason(ht_spans_find(0x200001, 4 * MiB - 2, 1, &s),
		      HT_R_NO_WHOLE_SPAN);
	expect_empty(&s, 4 * MiB - 2);
	poison(&s);
	expect_reason(ht_spans_find(0x200001, 4 * MiB - 1, 1, &s),
		      HT_R_NONE);
	expect_spans(&s, 0x400000, 0x600000, 0x200000, 2 * MiB - 1, 0);
}

/* Segments as they appear in real processes. */
Test(spans, several_segments)
{
	static const struct {
		uint64_t vaddr, len, offset;
		enum ht_reason why;
		uint64_t start, end, soff, head, tail, count;
	} seg[] = {
		/* 48 MiB program text linked with 2 MiB pages. */
		{ 0x200000, 48 * MiB, 0x200000, HT_R_NONE,
		  0x200000, 0x3200000, 0x200000, 0, 0, 24 },
		/* 16 MiB library text starting 1 MiB into a huge page. */
		{ 0x7f0000100000, 16 * MiB, 0x100000, HT_R_NONE,
		  0x7f0000200000, 0x7f0001000000, 0x200000, 1 * MiB,
		  1 * MiB, 7 },
		/* libc.so.6 text: 1.3 MiB. */
		{ 0x7f1234026000, 0x1550fc, 0x26000, HT_R_TOO_SMALL,
		  0, 0, 0, 0x1550fc, 0, 0 },
		/* 4 KiB-aligned PIE at a load bias that is not 2 MiB. */
		{ 0x55d0c8a01000 + 0x3000, 6 * MiB, 0x2000,
		  HT_R_INCONGRUENT, 0, 0, 0, 6 * MiB, 0, 0 },
		/* Non-PIE at 0x400000 with separate code. */
		{ 0x401000, 0x77b01, 0x1000, HT_R_TOO_SMALL,
		  0, 0, 0, 0x77b01, 0, 0 },
		{ 0x401000, 5 * MiB, 0x1000, HT_R_NONE,
		  0x600000, 0x800000, 0x200000, 0x1ff000,
		  0x401000 + 5 * MiB - 0x800000, 1 },
	};
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < sizeof(seg) / sizeof(*seg); i++) {
		struct ht_spans s;

		poison(&s);
		cr_assert_eq(ht_spans_find(seg[i].vaddr, seg[i].len,
					   seg[i].offset, &s), seg[i].why,
			     "segment %zu", i);
		expect_spans(&s, seg[i].start, seg[i].end, seg[i].soff,
			     seg[i].head, seg[i].tail);
		cr_assert_eq(ht_spans_count(&s), seg[i].count,
			     "segment %zu", i);
		cr_assert_eq(ht_spans_bytes(&s), seg[i].count * 2 * MiB,
			     "segment %zu", i);
		cr_assert_eq(s.head + ht_spans_bytes(&s) + s.tail,
			     seg[i].len, "segment %zu", i);
		total += ht_spans_count(&s);
	}
	cr_assert_eq(total, 24 + 7 + 1);
}

Test(spans, wraparound)
{
	struct ht_spans s;
	uint64_t v;

	/* Starts 1 MiB below the top and runs past it. */
	v = UINT64_MAX - 0xfffff;
	poison(&s);
	expect_reason(ht_spans_find(v, 4 * MiB, v & HT_HPAGE_MASK, &s),
		      HT_R_NO_WHOLE_SPAN);
	expect_empty(&s, 4 * MiB);

	/* The last 2 MiB of the address space: the end is not
	 * representable. */
	v = UINT64_MAX - HT_HPAGE_MASK;
	poison(&s);
	expect_reason(ht_spans_find(v, 2 * MiB, 0, &s), HT_R_NO_WHOLE_SPAN);
	expect_empty(&s, 2 * MiB);

	/* Everything at once. */
	poison(&s);
	expect_reason(ht_spans_find(UINT64_MAX, UINT64_MAX, UINT64_MAX, &s),
		      HT_R_NO_WHOLE_SPAN);
	expect_empty(&s, UINT64_MAX);
	poison(&s);
	expect_reason(ht_spans_find(0x1000, UINT64_MAX, 0x1000, &s),
		      HT_R_NO_WHOLE_SPAN);
	expect_empty(&s, UINT64_MAX);

	/* The largest range that does not wrap. */
	poison(&s);
	expect_reason(ht_spans_find(0, UINT64_MAX, 0, &s), HT_R_NONE);
	expect_spans(&s, 0, UINT64_MAX & ~HT_HPAGE_MASK, 0, 0, HT_HPAGE_MASK);
	cr_assert_eq(ht_spans_count(&s), (UINT64_MAX >> HT_HPAGE_SHIFT));

	/* The same through the page-rounding wrapper. */
	poison(&s);
	expect_reason(ht_spans_page_range(UINT64_MAX - 0xfffff, 4 * MiB,
					  0x100000 - 1, 4096, &s),
		      HT_R_NO_WHOLE_SPAN);
	cr_assert_eq(ht_spans_bytes(&s), 0);
	/* The end rounds up past the top. */
	v = UINT64_MAX - 2 * MiB - 0xfff;
	poison(&s);
	expect_reason(ht_spans_page_range(v + 0x800, 2 * MiB + 0x100,
					  0x800, 4096, &s),
		      HT_R_NO_WHOLE_SPAN);
	cr_assert_eq(ht_spans_bytes(&s), 0);
}

Test(spans, page_range_reaches_last_span)
{
	struct ht_spans s;

	/* Ends 8 bytes before 6 MiB: exact arithmetic gets one span... */
	poison(&s);
	expect_reason(ht_spans_find(0x200000, 4 * MiB - 8, 0x200000, &s),
		      HT_R_NONE);
	expect_spans(&s, 0x200000, 0x400000, 0x200000, 0, 2 * MiB - 8);

	/* ...but the kernel maps whole pages, so there are two. */
	poison(&s);
	expect_reason(ht_spans_page_range(0x200000, 4 * MiB - 8, 0x200000,
					  4096, &s), HT_R_NONE);
	expect_spans(&s, 0x200000, 0x600000, 0x200000, 0, 0);
	cr_assert_eq(ht_spans_count(&s), 2);

	/* A start inside a page is mapped from that page. */
	poison(&s);
	expect_reason(ht_spans_find(0x200040, 0x3fffb0, 0x200040, &s),
		      HT_R_NO_WHOLE_SPAN);
	poison(&s);
	expect_reason(ht_spans_page_range(0x200040, 0x3fffb0, 0x200040, 4096,
					  &s), HT_R_NONE);
	expect_spans(&s, 0x200000, 0x600000, 0x200000, 0, 0);

	/* Shorter than 2 MiB, but its pages fill one. */
	poison(&s);
	expect_reason(ht_spans_find(0x400000, 2 * MiB - 16, 0, &s),
		      HT_R_TOO_SMALL);
	poison(&s);
	expect_reason(ht_spans_page_range(0x400000, 2 * MiB - 16, 0, 4096,
					  &s), HT_R_NONE);
	expect_spans(&s, 0x400000, 0x600000, 0, 0, 0);

	/* Page rounding cannot make up a missing page. */
	poison(&s);
	expect_reason(ht_spans_page_range(0x400000, 2 * MiB - 4096 - 1, 0,
					  4096, &s), HT_R_TOO_SMALL);
	expect_empty(&s, 2 * MiB - 4096);

	/* 64 KiB pages: head is the part of the first page below 2 MiB. */
	poison(&s);
	expect_reason(ht_spans_page_range(0x1f0100, 0x40ff00, 0x1f0100,
					  0x10000, &s), HT_R_NONE);
	expect_spans(&s, 0x200000, 0x600000, 0x200000, 0x10000, 0);

	/* Incongruent stays incongruent. */
	poison(&s);
	expect_reason(ht_spans_page_range(0x201000, 8 * MiB, 0x2000, 4096,
					  &s), HT_R_INCONGRUENT);
	cr_assert_eq(ht_spans_bytes(&s), 0);
}

/*
 * The copy route's spans: virtual addresses alone.  An incongruent PIE
 * (text at 0x19000 of the file, loaded at a 4 KiB-aligned base) still
 * has the aligned part of its mapped range; the offset is the file
 * offset mapped there, not a congruent one.
 */
Test(spans, virtual_ignores_congruence)
{
	uint64_t base = 0x5564a4cc5000, v = base + 0x19000;
	struct ht_spans s;

	poison(&s);
	expect_reason(ht_spans_virtual(v, 16 * MiB + 0x1015, 0x19000, 4096,
				       &s), HT_R_NONE);
	/* [0x5564a4cde000, 0x5564a5ce0000): 0x5564a4e00000 on. */
	expect_spans(&s, 0x5564a4e00000, 0x5564a5c00000,
		     0x19000 + (0x5564a4e00000 - v), 0x5564a4e00000 - v,
		     v + 16 * MiB + 0x2000 - 0x5564a5c00000);
	cr_assert_eq(ht_spans_bytes(&s), 14 * MiB);
	/* The page-cache arithmetic refuses the same range. */
	expect_reason(ht_spans_page_range(v, 16 * MiB + 0x1015, 0x19000,
					  4096, &s), HT_R_INCONGRUENT);

	/* Where it is congruent, both give the same spans. */
	struct ht_spans c;

	expect_reason(ht_spans_virtual(0x201000, 8 * MiB, 0x1000, 4096, &s),
		      HT_R_NONE);
	expect_reason(ht_spans_page_range(0x201000, 8 * MiB, 0x1000, 4096,
					  &c), HT_R_NONE);
	cr_assert_eq(memcmp(&s, &c, sizeof(s)), 0);

	/* Page rounding first, as ld.so maps it. */
	expect_reason(ht_spans_virtual(0x1ff800, 2 * MiB + 0x800, 0x800,
				       4096, &s), HT_R_NONE);
	expect_spans(&s, 0x200000, 0x400000, 0x1000, 0x1000, 0);

	/* Too small, and no whole span, as before. */
	expect_reason(ht_spans_virtual(0x1000, 2 * MiB - 4096, 0x1000, 4096,
				       &s), HT_R_TOO_SMALL);
	expect_empty(&s, 2 * MiB - 4096);
	expect_reason(ht_spans_virtual(0x101000, 2 * MiB + 0x10000, 0x5000,
				       4096, &s), HT_R_NO_WHOLE_SPAN);
	expect_reason(ht_spans_virtual(UINT64_MAX - 0xfffff, 4 * MiB, 0,
				       4096, &s), HT_R_NO_WHOLE_SPAN);
}

Test(spans, count_and_bytes)
{
	struct ht_spans s = { 0 };

	cr_assert_eq(ht_spans_bytes(&s), 0);
	cr_assert_eq(ht_spans_count(&s), 0);
	s.start = 0x7f0000200000;
	s.end = s.start + 24 * 2 * MiB;
	cr_assert_eq(ht_spans_bytes(&s), 48 * MiB);
	cr_assert_eq(ht_spans_count(&s), 24);
	cr_assert_eq(HT_HPAGE_SIZE, 2 * MiB);
	cr_assert_eq(HT_HPAGE_MASK, 2 * MiB - 1);
}

Test(reason, names_and_texts)
{
	const char *names[HT_R__COUNT];
	int r, q;

	for (r = 0; r < HT_R__COUNT; r++) {
		const char *n = ht_reason_name((enum ht_reason)r);
		const char *t = ht_reason_text((enum ht_reason)r);
		const char *c;

		cr_assert_not_null(n, "name of %d", r);
		cr_assert_not_null(t, "text of %d", r);
		cr_assert_gt(strlen(n), 0, "name of %d", r);
		cr_assert_gt(strlen(t), 0, "text of %d", r);
		cr_assert_str_neq(n, "unknown", "code %d has no name", r);
		/* Stable tokens: lower case words joined by '-'. */
		for (c = n; *c; c++)
			cr_assert((*c >= 'a' && *c <= 'z') || *c == '-',
				  "name \"%s\" of %d", n, r);
		cr_assert_null(strchr(t, '\n'), "text of %d", r);
		names[r] = n;
		for (q = 0; q < r; q++)
			cr_assert_str_neq(names[q], n, "codes %d and %d", q,
					  r);
	}
	cr_assert_str_eq(ht_reason_name(HT_R_NONE), "none");
	cr_assert_str_eq(ht_reason_name(HT_R_TOO_SMALL), "too-small");
	cr_assert_str_eq(ht_reason_name(HT_R_INCONGRUENT), "incongruent");
	cr_assert_str_eq(ht_reason_name(HT_R_NO_WHOLE_SPAN), "no-whole-span");
	cr_assert_str_eq(ht_reason_name(HT_R_TEXTREL), "textrel");
	cr_assert_str_eq(ht_reason_name(HT_R_PARTIAL), "partial");
}

Test(reason, out_of_range)
{
	static const unsigned int bad[] = { HT_R__COUNT, HT_R__COUNT + 1,
					    1000, 0x7fffffff, 0xffffffff };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		enum ht_reason r = (enum ht_reason)bad[i];

		cr_assert_not_null(ht_reason_name(r));
		cr_assert_not_null(ht_reason_text(r));
		cr_assert_str_eq(ht_reason_name(r), "unknown");
		cr_assert_gt(strlen(ht_reason_text(r)), 0);
	}
}
