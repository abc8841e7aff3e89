// SPDX-License-Identifier: MIT
/*
 * map_race - a thread that patches text while hugetext's pass may be
 * working on it (issue 9, item 6: the old refault loop's second
 * MADV_DONTNEED threw such a patch away, and the patched function went
 * back to returning the old result).  The thread waits DELAY
 * microseconds, makes one page of the text rwx, rewrites one generated
 * function as "mov $PATCH,%eax; ret", makes the page r-x again and
 * calls the function over and over; once the pass is over, the main
 * thread checks that the function still returns PATCH.
 *
 *   map_race -S DELAY          the program's own text; the thread starts
 *                              in .preinit_array, before an LD_PRELOAD
 *                              library's start-up pass
 *   map_race -D DELAY -L LIB -o OFF
 *                              LIB's text, while LIB is being dlopened
 *                              (a dlopen pass); the thread starts in
 *                              main, and the delay counts from when LIB's
 *                              text shows up in /proc/self/maps; OFF is
 *                              the address of lib_f<lib_count/2> in LIB
 *   map_race -K [-L LIB]       the program's own text patched in
 *                              .preinit_array, by the main thread (before
 *                              an LD_PRELOAD library's pass); then LIB is
 *                              dlopened (another pass); prints a checksum
 *                              over all the program's functions too
 *   map_race -w [-L LIB]       read every page of the program's (and
 *                              LIB's) text, print "ready", wait for end
 *                              of input: keeps the page cache busy
 *
 * DELAY -1 patches nothing (a calibration run).  -T prints to stderr
 * "window USEC": for -S the time from .preinit_array to main(), for -D
 * the time dlopen() took.  Prints "patch kept" (status 0) or "patch
 * lost: ..." (status 1).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map_common.h"

#define PATCH 0x5eed

extern const fn_t mt_table[];
extern const long mt_count;

static long delay = -1;		/* -S/-D: microseconds; -1: no patch */
static const char *lib;		/* -L */
static uintptr_t lib_off;	/* -o */
static long t_preinit;
static int early_err;		/* errno of a failure in .preinit_array */
static int preinit_patched;	/* -K */

static pthread_t patcher;
static int have_patcher;
static atomic_uintptr_t target;	/* the function the thread patches */
static atomic_int patched;	/* 1: patched; -errno: failed */
static atomic_int stop;
static atomic_long lost_seen;	/* calls that returned the old value */
static atomic_long calls;

/* Make @fn's page rwx, patch it, make it r-x again.  0 or -errno. */
static int patch_in_place(uintptr_t fn)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	void *page = (void *)(fn & ~(pg - 1));

	if (mprotect(page, pg, PROT_READ | PROT_WRITE | PROT_EXEC))
		return -errno;
	map_patch((void *)fn, PATCH);
	if (mprotect(page, pg, PROT_READ | PROT_EXEC))
		return -errno;
	return 0;
}

/* -D: LIB's base (its offset-0 mapping) once its text is mapped. */
static uintptr_t lib_base_now(void)
{
	char line[4096];
	uintptr_t base = 0;
	int text = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, off;
		char perms[8];
		int pos = 0;
		char *path;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%lx-%*x %7s %lx %*s %*s%n", &s, perms, &off,
			   &pos) < 3 || !pos)
			continue;
		path = line + pos;
		while (*path == ' ')
			path++;
		if (strcmp(path, lib))
			continue;
		if (off == 0 && !base)
			base = s;
		if (strchr(perms, 'x'))
			text = 1;
	}
	fclose(f);
	return text ? base : 0;
}

static void *patch_thread(void *arg)
{
	long t0 = (long)arg;
	uintptr_t fn;
	int ret;

	if (lib) {
		uintptr_t base;

		while (!(base = lib_base_now()))
			if (atomic_load(&stop))
				return NULL;
		atomic_store(&target, base + lib_off);
		t0 = map_now_usec();
	}
	fn = atomic_load(&target);
	map_spin_until(t0 + delay);
	ret = patch_in_place(fn);
	atomic_store(&patched, ret ? ret : 1);
	if (ret)
		return NULL;
	while (!atomic_load(&stop)) {
		if (((fn_t)fn)(0) != PATCH)
			atomic_fetch_add(&lost_seen, 1);
		atomic_fetch_add(&calls, 1);
	}
	return NULL;
}

static int has_opt(int argc, char **argv, const char *opt, char **val)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], opt)) {
			if (val)
				*val = i + 1 < argc ? argv[i + 1] : NULL;
			return 1;
		}
	return 0;
}

static void early(int argc, char **argv, char **envp)
{
	char *v = NULL;
	int ret;

	(void)envp;
	t_preinit = map_now_usec();
	if (has_opt(argc, argv, "-K", NULL)) {
		ret = patch_in_place((uintptr_t)mt_table[mt_count / 2]);
		if (ret)
			early_err = -ret;
		preinit_patched = !ret;
	}
	if (!has_opt(argc, argv, "-S", &v) || !v)
		return;
	delay = atol(v);
	if (delay < 0)
		return;
	atomic_store(&target, (uintptr_t)mt_table[mt_count / 2]);
	ret = pthread_create(&patcher, NULL, patch_thread, (void *)t_preinit);
	if (ret)
		early_err = ret;
	have_patcher = !ret;
}

__attribute__((section(".preinit_array"), used))
static void (*const preinit)(int, char **, char **) = early;

/* Wait for the thread to have patched (or given up), then stop it. */
static int finish_patcher(void)
{
	long deadline = map_now_usec() + 10 * 1000000L;
	int p;

	while (!(p = atomic_load(&patched)) && map_now_usec() < deadline)
		;
	atomic_store(&stop, 1);
	pthread_join(patcher, NULL);
	if (p == 0) {
		printf("the thread never patched\n");
		return 6;
	}
	if (p < 0) {
		printf("patching failed: %s\n", strerror(-p));
		return 4;
	}
	return 0;
}

static int verdict(fn_t fn, const char *what)
{
	long v = fn(0);

	if (atomic_load(&lost_seen))
		fprintf(stderr, "map_race: the thread saw the old value in "
			"%ld of %ld calls\n", atomic_load(&lost_seen),
			atomic_load(&calls));
	if (v == PATCH) {
		printf("patch kept\n");
		return 0;
	}
	printf("patch lost: %s returns %ld, not %d\n", what, v, PATCH);
	return 1;
}

static void *open_lib(void)
{
	void *h = dlopen(lib, RTLD_NOW);

	if (!h) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		exit(1);
	}
	return h;
}

int main(int argc, char **argv)
{
	int c, mode = 0, timing = 0, wait_input = 0, ret;
	long t;

	while ((c = getopt(argc, argv, "S:D:KL:o:Tw")) != -1) {
		switch (c) {
		case 'S':
		case 'D':
			mode = c;
			delay = atol(optarg);
			break;
		case 'K':
			mode = c;
			break;
		case 'L':
			lib = optarg;
			break;
		case 'o':
			lib_off = strtoul(optarg, NULL, 0);
			break;
		case 'T':
			timing = 1;
			break;
		case 'w':
			wait_input = 1;
			break;
		default:
			return 2;
		}
	}
	if (mode == 'S' && timing)
		fprintf(stderr, "window %ld\n", map_now_usec() - t_preinit);
	if (early_err) {
		printf("set-up failed: %s\n", strerror(early_err));
		return 4;
	}
	if (wait_input) {
		struct map_text tx;
		char b;

		if (map_text_of(mt_table[0], &tx))
			return 1;
		map_touch(tx.start, tx.end);
		if (lib) {
			const fn_t *lt = dlsym(open_lib(), "lib_table");

			if (!lt || map_text_of(lt[0], &tx))
				return 1;
			map_touch(tx.start, tx.end);
		}
		printf("ready\n");
		fflush(stdout);
		while (read(0, &b, 1) > 0)
			;
		return 0;
	}
	switch (mode) {
	case 'S':
		/* The start-up pass is over (audit: before .preinit_array). */
		if (!have_patcher) {
			printf("no patch (calibration)\n");
			return 0;
		}
		ret = finish_patcher();
		return ret ? ret : verdict(mt_table[mt_count / 2], "mt_f");
	case 'D': {
		const fn_t *lt;
		const long *ln;
		void *h;

		if (!lib || !lib_off)
			return 2;
		if (delay >= 0) {
			ret = pthread_create(&patcher, NULL, patch_thread, NULL);
			if (ret) {
				printf("pthread_create: %s\n", strerror(ret));
				return 4;
			}
		}
		t = map_now_usec();
		h = open_lib();	/* the dlopen pass runs in here */
		if (timing)
			fprintf(stderr, "window %ld\n", map_now_usec() - t);
		lt = dlsym(h, "lib_table");
		ln = dlsym(h, "lib_count");
		if (!lt || !ln)
			return 1;
		if (delay < 0) {
			printf("no patch (calibration)\n");
			return 0;
		}
		ret = finish_patcher();
		if (ret)
			return ret;
		if ((uintptr_t)lt[*ln / 2] != atomic_load(&target)) {
			printf("-o %#lx is not lib_f%ld\n",
			       (unsigned long)lib_off, *ln / 2);
			return 5;
		}
		return verdict(lt[*ln / 2], "lib_f");
	}
	case 'K': {
		long sum = 0, i;

		if (!preinit_patched)
			return 4;
		if (lib)
			open_lib();	/* another pass */
		for (i = 0; i < mt_count; i++)
			sum += mt_table[i](sum & 0xffff);
		printf("functions %ld checksum %lx\n", mt_count,
		       (unsigned long)sum);
		return verdict(mt_table[mt_count / 2], "mt_f");
	}
	}
	return 2;
}
