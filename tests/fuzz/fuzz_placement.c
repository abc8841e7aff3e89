// SPDX-License-Identifier: MIT
/*
 * fuzz_placement.c - libFuzzer target for the placement prediction
 * (placement.h): a file's headers read as check reads them
 * (ht_elf_read_fd()), then ht_place() with what the probes could have
 * said, as check calls it.
 *
 * The input is a 16-byte prefix, then the file:
 *   u64 file_size  the size of the file the headers stand for (they
 *                  are all the reader reads; a seed of 1 KiB can thus
 *                  describe 48 MiB of text), modulo 1 EiB; check's own
 *                  rule applies: segments past the end are
 *                  "truncated", not placed
 *   u8 flags       bit 0 as_dependency, bit 1 ldso_align, bit 2
 *                  max_align 0 (take the executable segments' own)
 *   u8 pageshift   page size 4 KiB << (pageshift % 5)
 *   u8 mmap        mmap_aligned: -1, 0, 1 (mmap % 3 - 1)
 *   u8 routes      HT_ROUTES_UNKNOWN or a set of route bits
 *   u8 reason      route_reason, modulo HT_R__COUNT
 *   u8 pad[3]
 * Checked beyond "no crash": the arithmetic the report relies on
 * (each segment's head + spans + tail is its mapped length, spans are
 * whole, congruent and inside it; eligible <= span_bytes <= possible;
 * the totals are the segments' sums), the verdict and the reason agree
 * (eligible exactly when no reason), and every text has words.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "placement.h"

struct prefix {
	uint64_t file_size;
	uint8_t flags, pageshift, mmap, routes, reason, pad[3];
};

static void check_seg(const struct ht_seg_place *o, const struct ht_segment *s,
		      uint64_t pagesz)
{
	const struct ht_spans *e = &o->eligible;
	uint64_t bytes = ht_spans_bytes(e);

	FUZZ_CHECK(o->filesz == s->filesz);
	FUZZ_CHECK(!(o->vaddr & (pagesz - 1)) && !(o->offset & (pagesz - 1)));
	FUZZ_CHECK(e->end >= e->start);
	FUZZ_CHECK(!(bytes & HT_HPAGE_MASK));
	FUZZ_CHECK(o->len == e->head + bytes + e->tail);
	FUZZ_CHECK(o->possible == (o->len & ~HT_HPAGE_MASK));
	FUZZ_CHECK(o->span_bytes <= o->possible);
	FUZZ_CHECK(bytes <= o->span_bytes);
	FUZZ_CHECK((unsigned int)o->reason < HT_R__COUNT);
	if (bytes) {
		/* Whole spans, congruent, inside the mapped range. */
		FUZZ_CHECK(!(e->start & HT_HPAGE_MASK));
		FUZZ_CHECK(!((e->start - e->offset) & HT_HPAGE_MASK));
		FUZZ_CHECK(e->start - o->vaddr == e->head);
		FUZZ_CHECK(e->offset - o->offset == e->head);
	}
	if (bytes < o->possible)
		FUZZ_CHECK(o->reason != HT_R_NONE);
}

static void check_text(const struct ht_placement *pl, enum ht_reason r)
{
	char buf[256];

	FUZZ_CHECK(ht_place_reason_text(pl, r, buf, sizeof(buf)) == buf);
	FUZZ_CHECK(buf[0] != '\0' && strlen(buf) < sizeof(buf) - 1);
}

static void check_placement(const struct ht_place_in *in,
			    const struct ht_placement *pl)
{
	const struct ht_elf_info *elf = in->elf;
	uint64_t span_bytes = 0, possible = 0, eligible = 0;
	size_t i;

	FUZZ_CHECK(pl->kind == ht_place_kind(elf, in->pie_flag,
					     in->has_soname,
					     in->as_dependency));
	FUZZ_CHECK(fuzz_pow2(pl->align) && pl->align >= in->pagesz);
	if (pl->base == HT_BASE_RANDOM) {
		FUZZ_CHECK(pl->align < HT_HPAGE_SIZE);
		FUZZ_CHECK(pl->odds == HT_HPAGE_SIZE / pl->align);
	} else {
		FUZZ_CHECK(pl->odds == 0);
	}
	FUZZ_CHECK(pl->textrel == elf->textrel);
	FUZZ_CHECK(pl->text == elf->text_bytes);
	FUZZ_CHECK(pl->nexec == elf->nexec);
	FUZZ_CHECK(pl->nseg == (elf->nexec < HT_ELF_MAX_EXEC ? elf->nexec :
				HT_ELF_MAX_EXEC));
	for (i = 0; i < pl->nseg; i++) {
		check_seg(&pl->seg[i], &elf->exec[i], in->pagesz);
		span_bytes += pl->seg[i].span_bytes;
		possible += pl->seg[i].possible;
		eligible += ht_spans_bytes(&pl->seg[i].eligible);
		check_text(pl, pl->seg[i].reason);
	}
	FUZZ_CHECK(pl->span_bytes == span_bytes);
	FUZZ_CHECK(pl->possible == possible);
	FUZZ_CHECK(pl->eligible == eligible);
	FUZZ_CHECK(pl->eligible <= pl->span_bytes);
	FUZZ_CHECK(pl->span_bytes <= pl->possible);

	if (!pl->eligible)
		FUZZ_CHECK(pl->verdict == HT_V_NONE);
	else if (pl->eligible < pl->possible)
		FUZZ_CHECK(pl->verdict == HT_V_PARTLY);
	else
		FUZZ_CHECK(pl->verdict == HT_V_ELIGIBLE);
	FUZZ_CHECK((pl->verdict == HT_V_ELIGIBLE) ==
		   (pl->reason == HT_R_NONE));
	FUZZ_CHECK((unsigned int)pl->reason < HT_R__COUNT);
	FUZZ_CHECK(pl->fixes < 1u << HT_FIX__COUNT);
	if (!pl->possible)
		FUZZ_CHECK(pl->fixes == 0);
	check_text(pl, pl->reason);

	FUZZ_CHECK(ht_kind_name(pl->kind)[0] && ht_kind_token(pl->kind)[0]);
	FUZZ_CHECK(ht_base_token(pl->base)[0]);
	FUZZ_CHECK(ht_verdict_name(pl->verdict)[0]);
	FUZZ_CHECK(ht_verdict_token(pl->verdict)[0]);
	for (i = 0; i < HT_FIX__COUNT; i++)
		if (pl->fixes & 1u << i)
			FUZZ_CHECK(ht_fix_token(i)[0] && ht_fix_text(i)[0] &&
				   ht_fix_tradeoff(i)[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ht_elf_info elf;
	static struct ht_placement pl;
	struct ht_place_in in;
	struct prefix p;
	uint64_t file_size;
	int fd, ret;

	if (size < sizeof(p))
		return -1;	/* not worth keeping */
	memcpy(&p, data, sizeof(p));
	data += sizeof(p);
	size -= sizeof(p);
	fd = fuzz_file(data, size);
	if (ht_elf_read_fd(fd, "fuzz", &elf, NULL, 0))
		return 0;
	/*
	 * check: segments past the end of the file are not placed.  A
	 * file of less than 1 EiB (ext4 holds 16 TiB): the sums over its
	 * HT_ELF_MAX_EXEC segments then stay below 2^64.
	 */
	file_size = p.file_size & (((uint64_t)1 << 60) - 1);
	if (file_size < size)
		file_size = size;
	if (elf.load_end > file_size)
		return 0;

	memset(&in, 0, sizeof(in));
	in.elf = &elf;
	in.max_align = p.flags & 0x4 ? 0 : elf.max_load_align;
	in.pie_flag = elf.pie_flag;
	in.has_soname = elf.has_soname;
	in.as_dependency = p.flags & 0x1;
	in.pagesz = (uint64_t)4096 << (p.pageshift % 5);
	in.ldso_align = p.flags & 0x2;
	in.mmap_aligned = p.mmap % 3 - 1;
	in.routes = p.routes % 5 == 4 ? HT_ROUTES_UNKNOWN : p.routes % 4;
	in.route_reason = (enum ht_reason)(p.reason % HT_R__COUNT);

	memset(&pl, 0xa5, sizeof(pl));
	ret = ht_place(&in, &pl);
	if (elf.type != 2 && elf.type != 3) {
		FUZZ_CHECK(ret == -ENOEXEC);
		FUZZ_CHECK(pl.nseg == 0 && pl.eligible == 0);
		return 0;
	}
	FUZZ_CHECK(ret == 0);
	check_placement(&in, &pl);
	return 0;
}
