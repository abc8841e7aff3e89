// SPDX-License-Identifier: MIT
/*
 * fuzz_loaded.c - libFuzzer target for the library's reading of loaded
 * objects from memory (src/preload/loaded.h), the code that runs inside
 * other people's programs.
 *
 * The input is an object's first bytes as ld.so maps them: placed at
 * the start of a page-aligned area of this process (the load bias of an
 * object whose first PT_LOAD is at address and offset 0), zero-filled
 * to 64 KiB and followed by an inaccessible page.  What ld.so
 * guarantees the library, and no more, holds here: l_ld is the address
 * of the last PT_DYNAMIC (ld.so's rule), and that array is mapped up to
 * its DT_NULL; where the input has no such array inside the area, l_ld
 * is a lone DT_NULL elsewhere (the headers are then not the object's).
 * The first page at the bias is always mapped: the in-place read
 * assumes it once a table ld.so has read lies in it.
 *
 * Both header readers run as collect_map() calls them (in place, then
 * with process_vm_readv()), must agree, and what they return feeds
 * ht_loaded_object() and, for an object with spans, ht_loaded_textrel(),
 * as add_object() does.  Checked: the headers returned lie where they
 * were read and are the object's (PT_DYNAMIC at l_ld); the parts are
 * page-granular, their spans whole, congruent and inside them.
 */
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <string.h>

#include "fuzz.h"
#include "loaded.h"
#include "spans.h"

#define AREA		(64 * 1024)
#define PAGE		4096
#define MAX_PHDRS	64	/* as preload_hook.c reads them */

static unsigned char *area;
static size_t dirty;

static void setup(void)
{
	area = mmap(NULL, AREA + PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED || mprotect(area + AREA, PAGE, PROT_NONE)) {
		perror("fuzz_loaded: area");
		abort();
	}
}

/* l_ld as ld.so sets it: the last PT_DYNAMIC, if its array is here. */
static const void *find_dyn(size_t size)
{
	static const ElfW(Dyn) lone = { .d_tag = DT_NULL };
	const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)area;
	uint64_t at = UINT64_MAX, i;

	if (size < sizeof(*eh) || eh->e_phentsize != sizeof(ElfW(Phdr)))
		return &lone;
	for (i = 0; i < eh->e_phnum; i++) {
		ElfW(Phdr) ph;

		if (eh->e_phoff > AREA ||
		    (i + 1) * sizeof(ph) > AREA - eh->e_phoff)
			break;
		/* ld.so takes headers at any offset: copied, not cast. */
		memcpy(&ph, area + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_DYNAMIC)
			at = ph.p_vaddr;
	}
	if (at >= AREA || at % sizeof(ElfW(Addr)))
		return &lone;
	/* ld.so read it to its DT_NULL: one must be inside the area. */
	for (i = at; i + sizeof(ElfW(Dyn)) <= AREA; i += sizeof(ElfW(Dyn)))
		if (((const ElfW(Dyn) *)(area + i))->d_tag == DT_NULL)
			return area + at;
	return &lone;
}

static void check_object(const struct ht_loaded *l)
{
	struct ht_object o;
	bool spans = ht_loaded_object(l, PAGE, &o), any = false;
	size_t i, nexec = 0;

	for (i = 0; i < l->phnum; i++)
		if (l->phdr[i].p_type == PT_LOAD && l->phdr[i].p_flags & PF_X)
			nexec++;
	FUZZ_CHECK(o.nexec == nexec);
	FUZZ_CHECK(o.nparts == (nexec < HT_ELF_MAX_EXEC ? nexec :
				HT_ELF_MAX_EXEC));
	FUZZ_CHECK(!o.path && !o.name);
	for (i = 0; i < o.nparts; i++) {
		const struct ht_part *p = &o.parts[i];
		uint64_t bytes = ht_spans_bytes(&p->spans);

		FUZZ_CHECK(!(p->vaddr & (PAGE - 1)) &&
			   !(p->offset & (PAGE - 1)));
		FUZZ_CHECK(p->len == p->spans.head + bytes + p->spans.tail);
		FUZZ_CHECK((p->span_reason == HT_R_NONE) == (bytes != 0));
		if (!bytes)
			continue;
		any = true;
		FUZZ_CHECK(!(p->spans.start & HT_HPAGE_MASK) &&
			   !(bytes & HT_HPAGE_MASK));
		FUZZ_CHECK(!((p->spans.start - p->spans.offset) &
			     HT_HPAGE_MASK));
		FUZZ_CHECK(p->spans.start - p->vaddr == p->spans.head);
		FUZZ_CHECK(p->spans.offset - p->offset == p->spans.head);
	}
	FUZZ_CHECK(spans == (any && o.reason == HT_R_NONE));
	/* add_object(): text relocations are looked for with spans. */
	if (spans)
		(void)ht_loaded_textrel(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ElfW(Phdr) buf[MAX_PHDRS];
	const ElfW(Phdr) *ph = NULL;
	struct ht_loaded l = { .name = "", .bias = 0, .phdr = NULL,
			       .phnum = 0, .dyn = NULL };
	const void *dyn;
	int n, m;

	if (!area)
		setup();
	if (size > AREA - 64)
		return -1;
	memset(area, 0, dirty);
	memcpy(area, data, size);
	dirty = size;
	l.bias = (uintptr_t)area;
	l.dyn = dyn = find_dyn(size);

	n = ht_loaded_phdrs_in_place(l.bias, dyn, PAGE, &ph);
	FUZZ_CHECK(n == -EAGAIN || n > 0);
	if (n > 0) {
		FUZZ_CHECK((const unsigned char *)ph >= area);
		FUZZ_CHECK((const unsigned char *)(ph + n) <= area + PAGE);
		FUZZ_CHECK(ht_loaded_is_own(l.bias, dyn, ph, n));
	}
	m = ht_loaded_read_phdrs(l.bias, dyn, buf, MAX_PHDRS);
	FUZZ_CHECK(m == -ENOEXEC || m == -E2BIG || m > 0);
	if (m > 0) {
		FUZZ_CHECK(m <= MAX_PHDRS);
		FUZZ_CHECK(ht_loaded_is_own(l.bias, dyn, buf, m));
	}
	/* What one reader finds, the other finds too (or cannot tell). */
	if (n > 0 && m != -E2BIG) {
		FUZZ_CHECK(m == n);
		FUZZ_CHECK(!memcmp(ph, buf, n * sizeof(*ph)));
	}

	if (n > 0) {
		l.phdr = ph;
		l.phnum = n;
		check_object(&l);
	} else if (m > 0) {
		l.phdr = buf;
		l.phnum = m;
		check_object(&l);
	}
	return 0;
}
