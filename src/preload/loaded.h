/* SPDX-License-Identifier: MIT */
/*
 * loaded.h - objects as the dynamic loader mapped them, read from this
 * process's memory alone: program headers and the dynamic section.  No
 * file is opened and no ELF library is needed, so this is what runs
 * inside other people's programs.
 */
#ifndef HT_LOADED_H
#define HT_LOADED_H

#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* One loaded object: where it is and its program headers in memory. */
struct ht_loaded {
	const char *name;	/* ld.so's name; "" for the main program */
	uint64_t bias;		/* l_addr: run-time minus link-time address */
	const ElfW(Phdr) *phdr;
	size_t phnum;
	/*
	 * Spans in virtual-address space alone (ht_spans_virtual()): for
	 * the copy route, which needs no file-offset congruence.
	 */
	bool any_offset;
	const void *dyn;	/* l_ld: the dynamic array ld.so read */
};

/*
 * ht_loaded_read_phdrs - copy the program headers of the object loaded
 * at @bias into @buf (room for @max), reading its ELF header at @bias
 * (where ld.so maps file offset 0 for any object whose first PT_LOAD
 * starts at address and offset 0, as every linker lays them out).
 * Reads go through process_vm_readv() (one, for headers in the first
 * page), so an address that is not mapped fails instead of faulting.  The headers are accepted only when their
 * PT_DYNAMIC lies at @dyn (the link map's l_ld), which proves they are
 * this object's.  Returns the number of headers, or -ENOEXEC (not an
 * ELF header there, or not this object's), -E2BIG (more than @max),
 * or -errno from the read.
 */
int ht_loaded_read_phdrs(uint64_t bias, const void *dyn, ElfW(Phdr) *buf,
			 size_t max);

/*
 * ht_loaded_phdrs_in_place - the program headers of the object at
 * @bias with dynamic section @dyn (l_ld), read in place with no system
 * call, where that is known to be safe: a table ld.so has read (hash,
 * symbols, strings) lies in the first page at @bias, so that page is
 * mapped and readable, and the ELF header and its program headers lie
 * in it.  Returns their number with *@phdr set, or -EAGAIN when it
 * cannot be known without a checked read (ht_loaded_read_phdrs()), or
 * when e_phoff leaves the headers misaligned (the read copies them).
 */
int ht_loaded_phdrs_in_place(uint64_t bias, const void *dyn,
			     uint64_t pagesz, const ElfW(Phdr) **phdr);

/*
 * ht_loaded_is_own - are the @n program headers at @ph those of the
 * object with load bias @bias and dynamic section @dyn (l_ld)?  True
 * when their PT_DYNAMIC lies at @dyn.
 */
bool ht_loaded_is_own(uint64_t bias, const void *dyn,
		      const ElfW(Phdr) *ph, size_t n);

/*
 * ht_loaded_textrel - does the object's dynamic section, in memory (the
 * array at @l->dyn, up to its DT_NULL or its PT_DYNAMIC's p_memsz),
 * carry DT_TEXTREL or DF_TEXTREL in DT_FLAGS?  Such text holds private
 * copies of pages once relocated.  False when there is none.
 */
bool ht_loaded_textrel(const struct ht_loaded *l);

/*
 * ht_loaded_object - fill @o from @l: its executable PT_LOADs as parts
 * (page-granular ranges and their 2 MiB spans, at most HT_ELF_MAX_EXEC;
 * congruent ones, or with @l->any_offset every aligned one),
 * text bytes, and an object-wide reason for text mapped writable
 * (PF_W: self-modifying code, left alone).  @o->path and @o->name are
 * left NULL for the caller.  Returns true when @o has at least one
 * whole span to work on.
 */
bool ht_loaded_object(const struct ht_loaded *l, uint64_t pagesz,
		      struct ht_object *o);

#endif /* HT_LOADED_H */
