// SPDX-License-Identifier: MIT
/* loaded.c - loaded objects from memory; see loaded.h. */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "loaded.h"
#include "spans.h"

/* A read of our own memory that fails, not faults, where nothing is. */
static int read_self(uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

int ht_loaded_read_phdrs(uint64_t bias, const void *dyn, ElfW(Phdr) *buf,
			 size_t max)
{
	ElfW(Ehdr) eh;
	size_t i;
	int ret;

	ret = read_self(bias, &eh, sizeof(eh));
	if (ret)
		return ret == -EFAULT ? -ENOEXEC : ret;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_phentsize != sizeof(*buf) || !eh.e_phnum)
		return -ENOEXEC;
	if (eh.e_phnum > max)
		return -E2BIG;
	ret = read_self(bias + eh.e_phoff, buf, eh.e_phnum * sizeof(*buf));
	if (ret)
		return ret == -EFAULT ? -ENOEXEC : ret;
	for (i = 0; i < eh.e_phnum; i++)
		if (buf[i].p_type == PT_DYNAMIC &&
		    bias + buf[i].p_vaddr == (uintptr_t)dyn)
			return eh.e_phnum;
	return -ENOEXEC;
}

bool ht_loaded_textrel(const struct ht_loaded *l)
{
	const ElfW(Dyn) *d;
	size_t i, n;

	for (i = 0; i < l->phnum; i++) {
		if (l->phdr[i].p_type != PT_DYNAMIC)
			continue;
		/* ld.so has read this very array: it is mapped. */
		d = (const ElfW(Dyn) *)(uintptr_t)(l->bias +
						   l->phdr[i].p_vaddr);
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
		o->text_bytes += ph->p_filesz;
		o->nexec++;
		if (ph->p_flags & PF_W)
			o->reason = HT_R_WRITABLE_TEXT;
		if (o->nparts == HT_ELF_MAX_EXEC)
			continue;
		p = &o->parts[o->nparts++];
		p->span_reason = ht_spans_page_range(a, ph->p_filesz,
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
