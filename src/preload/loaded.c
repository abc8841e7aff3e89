// SPDX-License-Identifier: MIT
/* loaded.c - loaded objects from memory; see loaded.h. */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "loaded.h"
#include "spans.h"

/*
 * A read of our own memory that fails, not faults, where nothing is.
 * Returns the bytes read (short at the end of a mapping) or -errno.
 */
static ssize_t read_self(uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	return n < 0 ? -errno : n;
}

bool ht_loaded_is_own(uint64_t bias, const void *dyn,
		      const ElfW(Phdr) *ph, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_DYNAMIC &&
		    bias + ph[i].p_vaddr == (uintptr_t)dyn)
			return true;
	return false;
}

int ht_loaded_phdrs_in_place(uint64_t bias, const void *dyn,
			     uint64_t pagesz, const ElfW(Phdr) **phdr)
{
	const ElfW(Dyn) *d = dyn;
	const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)(uintptr_t)bias;
	uint64_t low = UINT64_MAX;
	size_t n;

	/* ld.so has read this array, and the tables it points to. */
	for (n = 0; d->d_tag != DT_NULL && n < 4096; d++, n++) {
		uint64_t v = d->d_un.d_ptr;

		if (d->d_tag != DT_GNU_HASH && d->d_tag != DT_HASH &&
		    d->d_tag != DT_STRTAB && d->d_tag != DT_SYMTAB)
			continue;
		/* Relocated in place by ld.so, or not (a read-only one). */
		if (v >= bias)
			v -= bias;
		if (v < low)
			low = v;
	}
	/* A table in the first page: the page at @bias is mapped, read. */
	if (!bias || low >= pagesz)
		return -EAGAIN;
	/* ld.so takes any e_phoff; a misaligned one only by copy. */
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_phentsize != sizeof(**phdr) || !eh->e_phnum ||
	    eh->e_phoff % _Alignof(ElfW(Phdr)) || eh->e_phoff > pagesz ||
	    eh->e_phnum * sizeof(**phdr) > pagesz - eh->e_phoff)
		return -EAGAIN;
	*phdr = (const ElfW(Phdr) *)(uintptr_t)(bias + eh->e_phoff);
	if (!ht_loaded_is_own(bias, dyn, *phdr, eh->e_phnum))
		return -EAGAIN;
	return eh->e_phnum;
}

/* The ELF header and the headers after it, as linkers lay them out. */
#define ONE_READ	4096

int ht_loaded_read_phdrs(uint64_t bias, const void *dyn, ElfW(Phdr) *buf,
			 size_t max)
{
	union {
		ElfW(Ehdr) eh;
		unsigned char b[ONE_READ];
	} u;
	size_t want;
	ssize_t n;

	/* One read for both, mostly: stopped early at a mapping's end. */
	want = ONE_READ - (bias & (ONE_READ - 1));
	n = read_self(bias, &u, want);
	if (n < 0)
		return n == -EFAULT ? -ENOEXEC : (int)n;
	if ((size_t)n < sizeof(u.eh) ||
	    memcmp(u.eh.e_ident, ELFMAG, SELFMAG) ||
	    u.eh.e_phentsize != sizeof(*buf) || !u.eh.e_phnum)
		return -ENOEXEC;
	if (u.eh.e_phnum > max)
		return -E2BIG;
	want = u.eh.e_phnum * sizeof(*buf);
	if (u.eh.e_phoff <= (size_t)n && want <= (size_t)n - u.eh.e_phoff) {
		memcpy(buf, u.b + u.eh.e_phoff, want);
	} else {
		n = read_self(bias + u.eh.e_phoff, buf, want);
		if (n < 0 && n != -EFAULT)
			return n;
		if (n < 0 || (size_t)n != want)
			return -ENOEXEC;
	}
	if (!ht_loaded_is_own(bias, dyn, buf, u.eh.e_phnum))
		return -ENOEXEC;
	return u.eh.e_phnum;
}

bool ht_loaded_textrel(const struct ht_loaded *l)
{
	const ElfW(Dyn) *d;
	size_t i, n;

	for (i = 0; i < l->phnum; i++) {
		/*
		 * ld.so has read the array at l_ld, so it is mapped; another
		 * PT_DYNAMIC header (ld.so takes the last) may name a hole.
		 */
		if (l->phdr[i].p_type != PT_DYNAMIC || l->bias +
		    l->phdr[i].p_vaddr != (uintptr_t)l->dyn)
			continue;
		d = l->dyn;
		n = l->phdr[i].p_memsz / sizeof(*d);
		for (; n && d->d_tag != DT_NULL; d++, n--) {
			if (d->d_tag == DT_TEXTREL)
				return true;
			if (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL))
				return true;
		}
	}
	return false;
}

bool ht_loaded_object(const struct ht_loaded *l, uint64_t pagesz,
		      struct ht_object *o)
{
	bool spans = false;
	size_t i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < l->phnum; i++) {
		const ElfW(Phdr) *ph = &l->phdr[i];
		uint64_t a = l->bias + ph->p_vaddr;
		struct ht_part *p;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		/* Mapped bytes, page-granular: what status counts in smaps. */
		o->text_bytes += ((a + ph->p_filesz + pagesz - 1) &
				  ~(pagesz - 1)) - (a & ~(pagesz - 1));
		o->nexec++;
		if (ph->p_flags & PF_W)
			o->reason = HT_R_WRITABLE_TEXT;
		if (o->nparts == HT_ELF_MAX_EXEC)
			continue;
		p = &o->parts[o->nparts++];
		p->span_reason = (l->any_offset ? ht_spans_virtual :
				  ht_spans_page_range)(a, ph->p_filesz,
						       ph->p_offset, pagesz,
						       &p->spans);
		p->vaddr = a & ~(pagesz - 1);
		p->offset = ph->p_offset & ~(pagesz - 1);
		p->len = p->spans.head + ht_spans_bytes(&p->spans) +
			 p->spans.tail;
		if (p->span_reason == HT_R_NONE)
			spans = true;
	}
	return spans && o->reason == HT_R_NONE;
}
