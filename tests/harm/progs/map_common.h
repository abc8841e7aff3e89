/* SPDX-License-Identifier: MIT */
/*
 * map_common.h - helpers of the "mappings" harm programs: where an
 * object's text is, patching one generated function in place (x86-64),
 * a microsecond clock, and a copy of /proc/self/smaps.
 */
#ifndef MAP_COMMON_H
#define MAP_COMMON_H

#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "copy_smaps.h"

typedef long (*fn_t)(long);

/* The executable PT_LOAD of the object holding an address, page-aligned. */
struct map_text {
	uintptr_t addr;			/* in: an address inside the object */
	uintptr_t start, end;		/* out */
};

static int map_text_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct map_text *t = arg;
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), s = 0, e = 0;
	int i, mine = 0;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		if (t->addr >= a && t->addr < a + ph->p_memsz)
			mine = 1;
		if ((ph->p_flags & PF_X) && !s) {
			s = a & ~(pg - 1);
			e = (a + ph->p_filesz + pg - 1) & ~(pg - 1);
		}
	}
	if (!mine || !s)
		return 0;
	t->start = s;
	t->end = e;
	return 1;
}

/* The text of the object that holds @addr; 0 or -1. */
static inline int map_text_of(const void *addr, struct map_text *t)
{
	memset(t, 0, sizeof(*t));
	t->addr = (uintptr_t)addr;
	return dl_iterate_phdr(map_text_cb, t) ? 0 : -1;
}

/*
 * Rewrite the generated function at @fn as "mov $value,%eax; ret".
 * The page must be writable already.
 */
static inline void map_patch(void *fn, uint32_t value)
{
	unsigned char code[6] = { 0xb8, 0, 0, 0, 0, 0xc3 };

	memcpy(code + 1, &value, 4);
	memcpy(fn, code, sizeof(code));
	__builtin___clear_cache((char *)fn, (char *)fn + sizeof(code));
}

static inline long map_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* Spin (no sleep: a sleep is too coarse) until @deadline (map_now_usec). */
static inline void map_spin_until(long deadline)
{
	while (map_now_usec() < deadline)
		;
}

/* Read every page of [start, end): they end up mapped in this process. */
static inline void map_touch(uintptr_t start, uintptr_t end)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), a;

	for (a = start; a < end; a += pg)
		(void)*(volatile const char *)a;
}

#endif /* MAP_COMMON_H */
