/* SPDX-License-Identifier: MIT */
/*
 * elf_segments.h - what hugetext needs to know of one ELF file, via libelf.
 *
 * Reads only the ELF header, the program headers and the dynamic
 * section; never the section contents.  For the command-line tools only:
 * the library that runs inside programs reads objects from memory
 * (loaded.h) and loads no ELF library.
 */
#ifndef HT_ELF_SEGMENTS_H
#define HT_ELF_SEGMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spans.h"	/* HT_ELF_MAX_EXEC */

#define HT_ELF_ERRLEN		256

struct ht_segment {
	uint64_t offset;	/* p_offset */
	uint64_t vaddr;		/* p_vaddr */
	uint64_t filesz;	/* p_filesz */
	uint64_t memsz;		/* p_memsz */
	uint64_t align;		/* p_align */
	uint32_t flags;		/* p_flags (PF_X, PF_W, PF_R) */
};

struct ht_elf_info {
	uint16_t type;		/* e_type: ET_EXEC, ET_DYN */
	bool has_interp;	/* PT_INTERP present: dynamically linked */
	bool has_dynamic;	/* PT_DYNAMIC present */
	bool textrel;		/* DT_TEXTREL or DF_TEXTREL */
	size_t nexec;		/* executable PT_LOADs found (may exceed
				   HT_ELF_MAX_EXEC; only that many kept) */
	struct ht_segment exec[HT_ELF_MAX_EXEC];
	uint64_t text_bytes;	/* sum of p_filesz of executable PT_LOADs */
	uint64_t max_load_align; /* largest power-of-two PT_LOAD p_align:
				    the kernel and ld.so align the base to it */
	uint64_t load_end;	/* largest PT_LOAD p_offset + p_filesz
				   (UINT64_MAX where that wraps) */
	bool pie_flag;		/* DF_1_PIE in DT_FLAGS_1 */
	bool has_soname;	/* DT_SONAME: a library, even if runnable */
};

/*
 * ht_elf_read_fd - read @fd (an open ELF file named @path, for messages)
 * into @info.  The descriptor's offset is left unspecified.
 *
 * Returns 0 on success.  On failure returns -ENOEXEC for a file that is
 * not ELF, not a 64-bit little-endian x86-64 one ("not an x86-64 ELF
 * file (32-bit, ...)", said before libelf could misread it), truncated
 * or corrupt, -EINVAL when libelf is unusable,
 * -ELIBACC when libelf cannot be loaded (the hugetext program opens it
 * on first use), -ENOMEM, or another -errno from the system; @err (when
 * not NULL) then
 * holds one line: "@path: what went wrong" (with elf_errmsg()).
 */
int ht_elf_read_fd(int fd, const char *path, struct ht_elf_info *info,
		   char *err, size_t errlen);

/*
 * ht_elf_read - open @path read-only and call ht_elf_read_fd().  Same
 * return contract; -ENOENT, -EACCES, -EISDIR, ... from opening.
 */
int ht_elf_read(const char *path, struct ht_elf_info *info,
		char *err, size_t errlen);

/* What the launcher is about to run, as far as ld.so is concerned. */
enum ht_elf_kind {
	HT_ELF_NOT_ELF = 0,	/* a script, or unreadable: exec decides */
	HT_ELF_FOREIGN,		/* ELF, but not 64-bit x86-64: no library */
	HT_ELF_STATIC,		/* native, no PT_INTERP: nothing loads one */
	HT_ELF_DYNAMIC,		/* native with PT_INTERP: ld.so loads it */
};

/*
 * ht_elf_peek - which kind of file @fd is.  Reads the headers with
 * pread() alone, no libelf: for the launcher's run path.  Never fails:
 * what cannot be read is HT_ELF_NOT_ELF.
 */
enum ht_elf_kind ht_elf_peek(int fd);

/*
 * ht_elf_interp - the program interpreter @fd names in PT_INTERP (its
 * dynamic loader) into @buf of @len bytes, NUL-terminated.  Reads the
 * headers with pread() alone, like ht_elf_peek().  Returns 0, -ENOENT
 * when there is no PT_INTERP, -ENAMETOOLONG when it does not fit, or
 * -ENOEXEC when the headers cannot be read as native ELF.
 */
int ht_elf_interp(int fd, char *buf, size_t len);

/* ht_elf_is_pie - ET_DYN with an interpreter: a position-independent
 * executable (static-pie has none; a shared object is not started). */
static inline bool ht_elf_is_pie(const struct ht_elf_info *info)
{
	return info->type == 3 /* ET_DYN */ && info->has_interp;
}

#endif /* HT_ELF_SEGMENTS_H */
