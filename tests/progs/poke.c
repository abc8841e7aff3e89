// SPDX-License-Identifier: MIT
/*
 * libpoke.so - stands in for a debugger or a JIT patcher: its
 * constructor, which ld.so runs before a preload's, rewrites one byte of
 * the main program's text (with the same value), leaving a private
 * anonymous copy of that page inside the file mapping.
 */
#define _GNU_SOURCE
#include <link.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static int poke_first(struct dl_phdr_info *info, size_t size, void *arg)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	int i;

	(void)size;
	(void)arg;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		a = (info->dlpi_addr + ph->p_vaddr + ph->p_filesz / 2) &
		    ~(uintptr_t)(pagesz - 1);
		if (mprotect((void *)a, pagesz, PROT_READ | PROT_WRITE))
			return 1;
		*(volatile char *)a = *(volatile char *)a;
		mprotect((void *)a, pagesz, PROT_READ | PROT_EXEC);
		return 1;
	}
	return 1;	/* only the main program, which comes first */
}

__attribute__((constructor)) static void poke(void)
{
	dl_iterate_phdr(poke_first, NULL);
}
