// SPDX-License-Identifier: MIT
/*
 * map_flags - text mappings that carry what the program set on them:
 * MADV_DONTDUMP on the whole text, a protection key (pkey_mprotect,
 * still PROT_READ|PROT_EXEC) where the CPU has them, MADV_NOHUGEPAGE on
 * 4 MiB and MADV_DONTFORK on 2 MiB of it.  A library that maps the text
 * again drops all of these; one that madvises MADV_HUGEPAGE over the
 * whole text turns the program's "no huge pages" into "huge pages"
 * (issue 9, item 5).  The test compares the VmFlags and ProtectionKey
 * of these mappings in the program's own smaps with a plain run's.  The
 * MADV_NOHUGEPAGE range is zapped (MADV_DONTNEED: clean text, nothing
 * lost) right after it is marked, so that whatever an earlier pass made
 * huge there is gone: a PMD found in it at the end was mapped later,
 * against the program's wish.
 *
 *   map_flags [-P] [-M] [-N] [-A LIB1 [-F] [-B LIB2]] [-s SMAPS_OUT]
 *   map_flags -w
 *
 * -P  set the flags on the program's text in .preinit_array (before an
 *     LD_PRELOAD library's start-up pass)
 * -M  set them on the program's text in main(), then go on (-A)
 * -A  dlopen LIB1 (a big library, nothing set on it before)
 * -F  after that, set the flags on LIB1's text
 * -B  then dlopen LIB2 (another pass, over LIB2 only)
 * -N  no MADV_NOHUGEPAGE (hugetext may then act on the rest of the text)
 * -w  read every page of the text, print "ready", wait for end of input:
 *     another process that keeps the page cache busy
 * It calls every function of the program and the libraries, prints a
 * checksum and whether a protection key was set, and copies its smaps.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map_common.h"

#define MIB (1UL << 20)

extern const fn_t mt_table[];
extern const long mt_count;

static int pkey = -2;		/* -2: not tried yet; -1: none */
static int no_nh;		/* -N */
static int set_errno;		/* the first failure of set_flags() */

static void note(int ret)
{
	if (ret && !set_errno)
		set_errno = errno;
}

static void set_flags(const void *inside)
{
	struct map_text t;
	uintptr_t a;

	if (map_text_of(inside, &t)) {
		note(-1);
		return;
	}
	note(madvise((void *)t.start, t.end - t.start, MADV_DONTDUMP));
	if (pkey == -2)
		pkey = pkey_alloc(0, 0);
	if (pkey >= 0)
		note(pkey_mprotect((void *)t.start, t.end - t.start,
				   PROT_READ | PROT_EXEC, pkey));
	/* Whole 2 MiB spans that hugetext would otherwise make huge. */
	a = (t.start + 2 * MIB) & ~(2 * MIB - 1);
	if (a + 10 * MIB <= t.end) {
		if (!no_nh) {
			note(madvise((void *)a, 4 * MIB, MADV_NOHUGEPAGE));
			note(madvise((void *)a, 4 * MIB, MADV_DONTNEED));
		}
		note(madvise((void *)(a + 6 * MIB), 2 * MIB, MADV_DONTFORK));
	} else {
		errno = ERANGE;
		note(-1);
	}
}

static void preinit_flags(int argc, char **argv, char **envp)
{
	int i;

	(void)envp;
	for (i = 1; i < argc && argv[i][0] == '-'; i++)
		if (!strcmp(argv[i], "-N"))
			no_nh = 1;
	for (i = 1; i < argc && argv[i][0] == '-'; i++)
		if (!strcmp(argv[i], "-P"))
			set_flags(mt_table[0]);
}

__attribute__((section(".preinit_array"), used))
static void (*const preinit)(int, char **, char **) = preinit_flags;

static long run(const fn_t *t, long n, long sum)
{
	long i;

	for (i = 0; i < n; i++)
		sum += t[i](sum & 0xffff);
	return sum;
}

static void *open_lib(const char *path, long *sum, long *nfn,
		      const fn_t **table)
{
	void *h = dlopen(path, RTLD_NOW);
	const long *count;

	if (!h) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		exit(1);
	}
	*table = dlsym(h, "lib_table");
	count = dlsym(h, "lib_count");
	if (!*table || !count) {
		fprintf(stderr, "%s: no lib_table\n", path);
		exit(1);
	}
	*sum = run(*table, *count, *sum);
	*nfn += *count;
	return h;
}

int main(int argc, char **argv)
{
	const char *smaps = NULL, *lib1 = NULL, *lib2 = NULL;
	int c, in_main = 0, on_lib1 = 0, wait_input = 0;
	const fn_t *t1 = NULL, *t2 = NULL;
	long sum, nfn = mt_count;

	while ((c = getopt(argc, argv, "PMNA:FB:s:w")) != -1) {
		switch (c) {
		case 'P':
		case 'N':
			break;	/* read in .preinit_array */
		case 'w':
			wait_input = 1;
			break;
		case 'M':
			in_main = 1;
			break;
		case 'A':
			lib1 = optarg;
			break;
		case 'F':
			on_lib1 = 1;
			break;
		case 'B':
			lib2 = optarg;
			break;
		case 's':
			smaps = optarg;
			break;
		default:
			return 2;
		}
	}
	if ((on_lib1 || lib2) && !lib1)
		return 2;
	if (wait_input) {
		struct map_text t;
		char b;

		if (map_text_of(mt_table[0], &t))
			return 1;
		map_touch(t.start, t.end);
		printf("ready\n");
		fflush(stdout);
		while (read(0, &b, 1) > 0)
			;
		return 0;
	}
	if (in_main)
		set_flags(mt_table[0]);
	sum = run(mt_table, mt_count, 0);
	if (lib1) {
		open_lib(lib1, &sum, &nfn, &t1);
		if (on_lib1)
			set_flags(t1[0]);
	}
	if (lib2)
		open_lib(lib2, &sum, &nfn, &t2);
	/* Once more, now that everything is loaded and set. */
	sum = run(mt_table, mt_count, sum);
	printf("functions %ld checksum %lx\n", nfn, (unsigned long)sum);
	printf("protection key %s\n", pkey >= 0 ? "set" : "not available");
	if (set_errno) {
		printf("setting the flags failed: %s\n", strerror(set_errno));
		return 4;
	}
	fflush(stdout);
	if (smaps && copy_smaps(smaps))
		return 3;
	return 0;
}
