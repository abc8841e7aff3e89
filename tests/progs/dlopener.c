// SPDX-License-Identifier: MIT
/*
 * dlopener - loads libraries after main() has started.
 *
 *   dlopener [-s SMAPS_OUT] LIB          dlopen LIB, call every function
 *                                        of its lib_table, print a checksum
 *   dlopener -t THREADS -n ROUNDS LIB... each thread dlopens and dlcloses
 *                                        the LIBs ROUNDS times, at once
 *
 * -m locks all memory, present and future (mlockall), before the dlopen
 * (exit 4 when that is not allowed); -w then waits for end of input
 * before exiting: a process with locked text to look at from outside.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "copy_smaps.h"

typedef long (*fn_t)(long);

static char **libs;
static int nlibs, rounds = 1;

static void *hammer(void *arg)
{
	long id = (long)arg;
	int r, i;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < nlibs; i++) {
			void *h = dlopen(libs[(i + id) % nlibs], RTLD_NOW);

			if (!h) {
				fprintf(stderr, "dlopen: %s\n", dlerror());
				exit(1);
			}
			dlclose(h);
		}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *smaps = NULL;
	int threads = 0, lock = 0, wait_stdin = 0, c, i;

	while ((c = getopt(argc, argv, "s:t:n:mw")) != -1) {
		switch (c) {
		case 'm':
			lock = 1;
			break;
		case 'w':
			wait_stdin = 1;
			break;
		case 's':
			smaps = optarg;
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'n':
			rounds = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	libs = argv + optind;
	nlibs = argc - optind;
	if (nlibs < 1)
		return 2;
	if (threads > 0) {
		pthread_t *t = calloc(threads, sizeof(*t));

		for (i = 0; i < threads; i++)
			pthread_create(&t[i], NULL, hammer, (void *)(long)i);
		for (i = 0; i < threads; i++)
			pthread_join(t[i], NULL);
		free(t);	/* LeakSanitizer sees this program too */
		printf("threads %d rounds %d done\n", threads, rounds);
		return 0;
	} else {
		const fn_t *table;
		const long *count;
		long sum = 0, j;
		void *h;

		if (lock && mlockall(MCL_CURRENT | MCL_FUTURE)) {
			perror("mlockall");
			return 4;
		}
		h = dlopen(libs[0], RTLD_NOW);
		if (!h) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			return 1;
		}
		table = dlsym(h, "lib_table");
		count = dlsym(h, "lib_count");
		if (!table || !count)
			return 1;
		for (j = 0; j < *count; j++)
			sum += table[j](sum & 0xffff);
		printf("functions %ld checksum %lx\n", *count,
		       (unsigned long)sum);
		fflush(stdout);
		if (wait_stdin) {
			char b;

			while (read(0, &b, 1) > 0)
				;
		}
		if (smaps && copy_smaps(smaps))
			return 3;
	}
	return 0;
}
