// SPDX-License-Identifier: MIT
/*
 * test_loaded.c - unit tests for objects read from memory (loaded.h).
 *
 * ht_loaded_object() on program headers built here (parts, spans, text
 * bytes, writable text, non-executable segments skipped, more than
 * HT_ELF_MAX_EXEC segments); ht_loaded_textrel() on dynamic sections
 * built here; ht_loaded_read_phdrs() on this test program's own objects
 * as ld.so loaded them, and on addresses where nothing is, or where the
 * header is not the object's.
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loaded.h"
#include "spans.h"

#define MiB	((uint64_t)1024 * 1024)
#define PAGE	4096

static ElfW(Phdr) load(uint64_t vaddr, uint64_t off, uint64_t size,
		       uint32_t flags)
{
	ElfW(Phdr) ph;

	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_LOAD;
	ph.p_vaddr = vaddr;
	ph.p_offset = off;
	ph.p_filesz = size;
	ph.p_memsz = size;
	ph.p_flags = flags;
	ph.p_align = 2 * MiB;
	return ph;
}

/* A PIE laid out like tests/progs/bigtext: headers, 10 MiB text, data. */
Test(loaded, one_text_segment)
{
	ElfW(Phdr) ph[3] = {
		load(0, 0, 0x13000, PF_R),
		load(2 * MiB, 2 * MiB, 10 * MiB + 0x5000, PF_R | PF_X),
		load(14 * MiB, 14 * MiB, 0x1000, PF_R | PF_W),
	};
	struct ht_loaded l = { .name = "", .bias = 0x555554000000ull, .phdr = ph,
			       .phnum = 3, .dyn = NULL };
	struct ht_object o;

	memset(&o, 0x5a, sizeof(o));
	cr_assert(ht_loaded_object(&l, PAGE, &o));
	cr_assert_eq(o.nexec, 1);
	cr_assert_eq(o.nparts, 1);
	cr_assert_eq(o.reason, HT_R_NONE);
	cr_assert_eq(o.text_bytes, 10 * MiB + 0x5000);
	cr_assert_null(o.path);
	cr_assert_eq(o.parts[0].span_reason, HT_R_NONE);
	cr_assert_eq(o.parts[0].vaddr, 0x555554000000ull + 2 * MiB);
	cr_assert_eq(o.parts[0].offset, 2 * MiB);
	cr_assert_eq(o.parts[0].spans.start, 0x555554000000ull + 2 * MiB);
	cr_assert_eq(o.parts[0].spans.end, 0x555554000000ull + 12 * MiB);
	cr_assert_eq(o.parts[0].spans.offset, 2 * MiB);
	cr_assert_eq(o.parts[0].len, 10 * MiB + 0x5000);
}

/* libc-sized text: parts kept for the report, no span, so false. */
Test(loaded, small_text_has_no_span)
{
	ElfW(Phdr) ph[2] = {
		load(0, 0, 0x26000, PF_R),
		load(0x26000, 0x26000, 0x156000, PF_R | PF_X),
	};
	struct ht_loaded l = { .name = "/lib/libc.so.6",
			       .bias = 0x7f0000000000ull, .phdr = ph,
			       .phnum = 2, .dyn = NULL };
	struct ht_object o;

	cr_assert_not(ht_loaded_object(&l, PAGE, &o));
	cr_assert_eq(o.nparts, 1);
	cr_assert_eq(o.parts[0].span_reason, HT_R_TOO_SMALL);
}

/* Load address and offset differ mod 2 MiB: nothing eligible. */
Test(loaded, incongruent)
{
	ElfW(Phdr) ph[1] = { load(0x1000, 0x3000, 8 * MiB, PF_R | PF_X) };
	struct ht_loaded l = { .name = "x", .bias = 0x7f0000000000ull, .phdr = ph,
			       .phnum = 1, .dyn = NULL };
	struct ht_object o;

	cr_assert_not(ht_loaded_object(&l, PAGE, &o));
	cr_assert_eq(o.parts[0].span_reason, HT_R_INCONGRUENT);
}

/*
 * The same segment for the copy route: the aligned part of the mapped
 * range, whatever the file offsets (a PIE with 4 KiB p_align).
 */
Test(loaded, incongruent_any_offset)
{
	ElfW(Phdr) ph[1] = { load(0x19000, 0x19000, 16 * MiB + 0x1015,
				  PF_R | PF_X) };
	struct ht_loaded l = { .name = "", .bias = 0x5564a4cc5000ull, .phdr = ph,
			       .phnum = 1, .any_offset = true };
	struct ht_object o;

	cr_assert(ht_loaded_object(&l, PAGE, &o));
	cr_assert_eq(o.parts[0].span_reason, HT_R_NONE);
	cr_assert_eq(o.parts[0].spans.start, 0x5564a4e00000ull);
	cr_assert_eq(o.parts[0].spans.end, 0x5564a5c00000ull);
	cr_assert_eq(o.parts[0].spans.offset,
		     0x19000 + 0x5564a4e00000ull - 0x5564a4cde000ull);
	cr_assert_eq(o.parts[0].vaddr, 0x5564a4cde000ull);
	cr_assert_eq(o.parts[0].len, 16 * MiB + 0x2000);
	l.any_offset = false;
	cr_assert_not(ht_loaded_object(&l, PAGE, &o));
	cr_assert_eq(o.parts[0].span_reason, HT_R_INCONGRUENT);
}

/* Text that is writable from the start is self-modifying: left alone. */
Test(loaded, writable_text)
{
	ElfW(Phdr) ph[1] = {
		load(0, 0, 8 * MiB, PF_R | PF_W | PF_X),
	};
	struct ht_loaded l = { .name = "x", .bias = 0, .phdr = ph,
			       .phnum = 1, .dyn = NULL };
	struct ht_object o;

	cr_assert_not(ht_loaded_object(&l, PAGE, &o));
	cr_assert_eq(o.reason, HT_R_WRITABLE_TEXT);
	cr_assert_eq(o.parts[0].span_reason, HT_R_NONE);
}

/* More executable segments than kept: all counted, HT_ELF_MAX_EXEC kept. */
Test(loaded, many_exec_segments)
{
	ElfW(Phdr) ph[HT_ELF_MAX_EXEC + 3];
	struct ht_loaded l = { .name = "x", .bias = 0, .phdr = ph,
			       .phnum = HT_ELF_MAX_EXEC + 3, .dyn = NULL };
	struct ht_object o;
	size_t i;

	for (i = 0; i < HT_ELF_MAX_EXEC + 3; i++)
		ph[i] = load(i * 4 * MiB, i * 4 * MiB, 4 * MiB, PF_R | PF_X);
	ph[1].p_type = PT_NOTE;		/* not a PT_LOAD: skipped */
	cr_assert(ht_loaded_object(&l, PAGE, &o));
	cr_assert_eq(o.nexec, HT_ELF_MAX_EXEC + 2);
	cr_assert_eq(o.nparts, HT_ELF_MAX_EXEC);
	cr_assert_eq(o.text_bytes, (HT_ELF_MAX_EXEC + 2) * 4 * MiB);
}

static bool textrel_of(const ElfW(Dyn) *dyn, size_t n)
{
	ElfW(Phdr) ph;
	struct ht_loaded l = { .name = "x", .bias = 0, .phdr = &ph,
			       .phnum = 1, .dyn = dyn };

	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_DYNAMIC;
	ph.p_vaddr = (uintptr_t)dyn;
	ph.p_memsz = n * sizeof(*dyn);
	return ht_loaded_textrel(&l);
}

Test(loaded, textrel)
{
	ElfW(Dyn) none[] = { { DT_FLAGS, { DF_BIND_NOW } }, { DT_NULL, { 0 } } };
	ElfW(Dyn) tag[] = { { DT_NEEDED, { 1 } }, { DT_TEXTREL, { 0 } },
			    { DT_NULL, { 0 } } };
	ElfW(Dyn) flag[] = { { DT_FLAGS, { DF_TEXTREL | DF_BIND_NOW } },
			     { DT_NULL, { 0 } } };
	/* After DT_NULL nothing counts; past p_memsz nothing is read. */
	ElfW(Dyn) late[] = { { DT_NULL, { 0 } }, { DT_TEXTREL, { 0 } } };
	ElfW(Dyn) cut[] = { { DT_NEEDED, { 1 } }, { DT_TEXTREL, { 0 } } };

	cr_assert_not(textrel_of(none, 2));
	cr_assert(textrel_of(tag, 3));
	cr_assert(textrel_of(flag, 2));
	cr_assert_not(textrel_of(late, 2));
	cr_assert_not(textrel_of(cut, 1));
	cr_assert_not(textrel_of(none, 0));
}

/*
 * Only the dynamic array ld.so read (l_ld: the last PT_DYNAMIC) is
 * known to be mapped: another PT_DYNAMIC header, here one naming a
 * hole, is never followed (it was, and faulted: found by
 * tests/fuzz/fuzz_loaded.c).
 */
Test(loaded, textrel_reads_only_l_ld)
{
	ElfW(Dyn) tag[] = { { DT_TEXTREL, { 0 } }, { DT_NULL, { 0 } } };
	ElfW(Phdr) ph[2];
	struct ht_loaded l = { .name = "x", .bias = 0, .phdr = ph,
			       .phnum = 2, .dyn = tag };
	char *hole = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	cr_assert_neq(hole, MAP_FAILED);
	memset(ph, 0, sizeof(ph));
	ph[0].p_type = PT_DYNAMIC;
	ph[0].p_vaddr = (uintptr_t)hole;
	ph[0].p_memsz = PAGE;
	ph[1].p_type = PT_DYNAMIC;
	ph[1].p_vaddr = (uintptr_t)tag;
	ph[1].p_memsz = sizeof(tag);
	cr_assert(ht_loaded_textrel(&l));
	/* The same headers with another l_ld: not this array either. */
	l.dyn = tag + 1;
	cr_assert_not(ht_loaded_textrel(&l));
	munmap(hole, PAGE);
}

struct found {
	int tried, ok;
};

/* Every object of this test program, as ld.so loaded it. */
static int check_one(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct found *f = arg;
	ElfW(Phdr) buf[64];
	const void *dyn = NULL;
	int i, n;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const void *)(info->dlpi_addr +
					     info->dlpi_phdr[i].p_vaddr);
	/* The vDSO and objects whose headers are not at their base. */
	if (!dyn || !info->dlpi_name || !info->dlpi_name[0] ||
	    strstr(info->dlpi_name, "vdso"))
		return 0;
	f->tried++;
	n = ht_loaded_read_phdrs(info->dlpi_addr, dyn, buf, 64);
	cr_assert_eq(n, info->dlpi_phnum, "%s: %d headers, want %d",
		     info->dlpi_name, n, info->dlpi_phnum);
	cr_assert_eq(memcmp(buf, info->dlpi_phdr, n * sizeof(*buf)), 0,
		     "%s: headers differ", info->dlpi_name);
	/* The same headers do not prove another object's dynamic array. */
	cr_assert_eq(ht_loaded_read_phdrs(info->dlpi_addr,
					  (const char *)dyn + 8, buf, 64),
		     -ENOEXEC);
	cr_assert_eq(ht_loaded_read_phdrs(info->dlpi_addr, dyn, buf, 1),
		     -E2BIG);
	/*
	 * In place, no system call: every object a linker laid out the
	 * usual way has a table ld.so read in its first page; the very
	 * headers ld.so itself holds.
	 */
	{
		const ElfW(Phdr) *ph = NULL;

		n = ht_loaded_phdrs_in_place(info->dlpi_addr, dyn, PAGE, &ph);
		cr_assert_eq(n, info->dlpi_phnum, "%s: in place: %d",
			     info->dlpi_name, n);
		cr_assert_eq(ph, info->dlpi_phdr, "%s: other headers",
			     info->dlpi_name);
	}
	f->ok++;
	return 0;
}

Test(loaded, read_phdrs_of_loaded_objects)
{
	struct found f = { 0, 0 };

	dl_iterate_phdr(check_one, &f);
	cr_assert_gt(f.tried, 0, "no shared object to look at");
	cr_assert_eq(f.ok, f.tried);
}

/*
 * In place only where a table ld.so read proves the first page mapped:
 * a dynamic array whose tables lie further out, or one with none, or a
 * page without an ELF header, takes a read instead (and faults never).
 */
Test(loaded, in_place_only_where_proven)
{
	const ElfW(Phdr) *ph = NULL;
	ElfW(Dyn) far[] = { { DT_STRTAB, { 5 * PAGE } }, { DT_NULL, { 0 } } };
	ElfW(Dyn) none[] = { { DT_NEEDED, { 1 } }, { DT_NULL, { 0 } } };
	ElfW(Dyn) near[] = { { DT_GNU_HASH, { 0x300 } }, { DT_NULL, { 0 } } };
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(p, MAP_FAILED);
	/* unmapped: nothing may be read there */
	munmap(p, PAGE);
	cr_assert_eq(ht_loaded_phdrs_in_place((uintptr_t)p, far, PAGE, &ph),
		     -EAGAIN);
	cr_assert_eq(ht_loaded_phdrs_in_place((uintptr_t)p, none, PAGE, &ph),
		     -EAGAIN);
	cr_assert_eq(ht_loaded_phdrs_in_place(0, near, PAGE, &ph), -EAGAIN);
	/* mapped, proven, but no ELF header: refused */
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(p, MAP_FAILED);
	cr_assert_eq(ht_loaded_phdrs_in_place((uintptr_t)p, near, PAGE, &ph),
		     -EAGAIN);
	munmap(p, PAGE);
	cr_assert_null(ph);
}

/*
 * Headers at an offset that is not a multiple of their alignment (ld.so
 * takes any e_phoff) are not used in place, where every access to them
 * would be misaligned (undefined; UBSan says so inside the program): the
 * read copies them to an aligned buffer instead (found by
 * tests/fuzz/fuzz_loaded.c).
 */
Test(loaded, in_place_misaligned_headers)
{
	const ElfW(Phdr) *ph = NULL;
	ElfW(Dyn) dyn[] = { { DT_GNU_HASH, { 0x300 } }, { DT_NULL, { 0 } } };
	ElfW(Ehdr) eh;
	ElfW(Phdr) buf[8], d;
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(p, MAP_FAILED);
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_phoff = sizeof(eh) + 2;
	eh.e_phentsize = sizeof(d);
	eh.e_phnum = 1;
	memset(&d, 0, sizeof(d));
	d.p_type = PT_DYNAMIC;
	d.p_vaddr = 0x200;
	d.p_memsz = sizeof(dyn);
	memcpy(p, &eh, sizeof(eh));
	memcpy(p + eh.e_phoff, &d, sizeof(d));
	memcpy(p + 0x200, dyn, sizeof(dyn));

	cr_assert_eq(ht_loaded_phdrs_in_place((uintptr_t)p, p + 0x200, PAGE,
					      &ph), -EAGAIN,
		     "headers at %p taken in place", (const void *)ph);
	cr_assert_eq(ht_loaded_read_phdrs((uintptr_t)p, p + 0x200, buf, 8), 1);
	cr_assert_eq(buf[0].p_type, PT_DYNAMIC);
	cr_assert_eq(buf[0].p_vaddr, 0x200);
	munmap(p, PAGE);
}

/* Nothing mapped there, or not an ELF header: refused, no fault. */
Test(loaded, read_phdrs_refuses)
{
	ElfW(Phdr) buf[8];
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(p, MAP_FAILED);
	cr_assert_eq(ht_loaded_read_phdrs((uintptr_t)p, p, buf, 8), -ENOEXEC);
	munmap(p + PAGE, PAGE);
	memcpy(p + PAGE - 4, ELFMAG, SELFMAG);	/* header cut by the hole */
	cr_assert_eq(ht_loaded_read_phdrs((uintptr_t)p + PAGE - 4, p, buf, 8),
		     -ENOEXEC);
	munmap(p, PAGE);
	cr_assert_eq(ht_loaded_read_phdrs((uintptr_t)p, p, buf, 8), -ENOEXEC);
}
