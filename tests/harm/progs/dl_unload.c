// SPDX-License-Identifier: MIT
/*
 * dl_unload - dlclose() really unloads, at once, in the caller's thread.
 * A library inside the process that holds its own reference to an object
 * (say, while it works on its text) makes the program's last dlclose()
 * a no-op, and the object's destructor then runs later, in some other
 * thread's dlopen or dlclose.
 *
 *   dl_unload [-n ITERATIONS] [-t THREADS] [-w USEC] LIB [OTHER...]
 *
 * LIB is libdl_dtor.so (4 MiB of text, a destructor that reports its
 * thread).  ITERATIONS times: dlopen(LIB), use it for a while (call its
 * functions, check their results; 0 to USEC microseconds, a different
 * time each iteration), dlclose(); right after dlclose() returns, the
 * destructor must have run, in this thread, and dlopen(LIB, RTLD_NOLOAD)
 * must return NULL.  Meanwhile THREADS other threads (default 1) call
 * dlopen and dlclose on the OTHER libraries: even ones load and unload
 * them (at most two loads per iteration of the main loop, all even
 * threads together), odd ones keep one loaded and open it again and
 * again, so that other threads' dlopens overlap the main loop's all the
 * time.  After each unload the range the library occupied is reserved
 * (PROT_NONE, no memory), so that every load lands at a new address
 * and is a new object to anyone who watches loads.  Prints "N unloads"
 * and exits 0, or the first failure and exits 1.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef long (*fn_t)(long);

#define HUGE_SIZE (2UL << 20)

static char **others;
static int nothers;
static atomic_bool stop;
static atomic_long other_loads, loads;

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct span {
	uintptr_t base, end;
};

static int find_span(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct span *sp = arg;
	int i;

	(void)size;
	if (info->dlpi_addr != sp->base)
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t e = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;

		if (ph->p_type == PT_LOAD && e > sp->end)
			sp->end = e;
	}
	return 1;
}

/* The range the library @h occupies, rounded up to 2 MiB. */
static struct span span_of(void *h)
{
	struct span sp = { 0, 0 };
	struct link_map *lm;

	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) || !lm->l_addr)
		return sp;
	sp.base = lm->l_addr;
	dl_iterate_phdr(find_span, &sp);
	sp.end = (sp.end + HUGE_SIZE - 1) & ~(uintptr_t)(HUGE_SIZE - 1);
	return sp;
}

/*
 * After the library that occupied @sp is unloaded: keep its range from
 * reuse (inaccessible, no memory), so that the next load lands at a new
 * address.  Neighbouring reservations merge into one mapping.
 */
static void reserve(struct span sp)
{
	if (sp.end > sp.base)
		mmap((void *)sp.base, sp.end - sp.base, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		     MAP_FIXED_NOREPLACE, -1, 0);
}

/*
 * Use the library for @usec: call its functions, check the results.
 * Returns 0, or 1 after printing what went wrong.
 */
static int use(const fn_t *table, long count, long i, uint64_t usec)
{
	uint64_t t0 = now_usec();
	long k = 0;

	do {
		long x = i + k, f = (i + k) % count;

		if (table[f](x) != 3 * x + f) {
			printf("iteration %ld: wrong result\n", i);
			return 1;
		}
		k++;
	} while (now_usec() - t0 < usec);
	return 0;
}

/*
 * Other threads: even ones load and unload the OTHER libraries (at most
 * two loads per load of the main loop, each at a new address); odd ones
 * keep one OTHER library loaded and open it again and again (a cheap
 * dlopen that loads nothing).
 */
static void *churn(void *arg)
{
	long id = (long)arg, i = id;
	void *keep = NULL;

	if (id & 1) {
		keep = dlopen(others[id % nothers], RTLD_NOW);
		if (!keep) {
			printf("other dlopen: %s\n", dlerror());
			exit(1);
		}
	}
	while (!atomic_load(&stop)) {
		struct span sp = { 0, 0 };
		void *h;

		if (!keep && atomic_load(&other_loads) >
			     2 * atomic_load(&loads) + 2) {
			sched_yield();
			continue;
		}
		h = dlopen(others[i++ % nothers], RTLD_NOW);
		if (keep)
			i = id;
		if (!h) {
			printf("other dlopen: %s\n", dlerror());
			exit(1);
		}
		if (!keep)
			sp = span_of(h);
		dlclose(h);
		reserve(sp);
		if (!keep)
			atomic_fetch_add(&other_loads, 1);
	}
	if (keep)
		dlclose(keep);
	return NULL;
}

int main(int argc, char **argv)
{
	long n = 1000, me = (long)syscall(SYS_gettid), i;
	uint64_t work = 0;
	static _Atomic long ran;
	int nthreads = 1, c, j;
	const char *lib;
	pthread_t *t;

	while ((c = getopt(argc, argv, "n:t:w:")) != -1) {
		switch (c) {
		case 't':
			nthreads = atoi(optarg);
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 'w':
			work = strtoull(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc)
		return 2;
	lib = argv[optind];
	others = argv + optind + 1;
	nothers = argc - optind - 1;
	if (!nothers)
		nthreads = 0;
	t = calloc(nthreads + 1, sizeof(*t));
	if (!t)
		return 2;
	for (j = 0; j < nthreads; j++)
		if (pthread_create(&t[j], NULL, churn, (void *)(long)j))
			return 2;
	for (i = 0; i < n; i++) {
		_Atomic long **flag;
		const fn_t *table;
		const long *count;
		struct span sp;
		long who;
		void *h;

		h = dlopen(lib, RTLD_NOW);
		if (!h) {
			printf("iteration %ld: dlopen: %s\n", i, dlerror());
			return 1;
		}
		flag = dlsym(h, "dtor_flag");
		table = dlsym(h, "lib_table");
		count = dlsym(h, "lib_count");
		if (!flag || !table || !count) {
			printf("iteration %ld: %s lacks dtor_flag or "
			       "lib_table\n", i, lib);
			return 1;
		}
		atomic_store(&ran, 0);
		*flag = &ran;
		sp = span_of(h);
		atomic_fetch_add(&loads, 1);
		/* a sweep of 0..USEC over the iterations */
		if (use(table, *count, i, work ? (uint64_t)i * 7919 % (work + 1)
					       : 0))
			return 1;
		if (dlclose(h)) {
			printf("iteration %ld: dlclose: %s\n", i, dlerror());
			return 1;
		}
		who = atomic_load(&ran);
		if (who != me) {
			if (who)
				printf("iteration %ld: the destructor ran in "
				       "thread %ld, not in the dlclose of "
				       "thread %ld\n", i, who, me);
			else
				printf("iteration %ld: the destructor had "
				       "not run when the last dlclose "
				       "returned\n", i);
			return 1;
		}
		h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
		if (h) {
			printf("iteration %ld: still loaded after the last "
			       "dlclose\n", i);
			return 1;
		}
		reserve(sp);
	}
	atomic_store(&stop, true);
	for (j = 0; j < nthreads; j++)
		pthread_join(t[j], NULL);
	fprintf(stderr, "dl_unload: %ld loads in other threads meanwhile\n",
		(long)atomic_load(&other_loads));
	printf("%ld unloads\n", n);
	return 0;
}
