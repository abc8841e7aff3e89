// SPDX-License-Identifier: MIT
/*
 * dl_load - loads big-text libraries after main() has started, each
 * from its own thread, all released at the same moment by a barrier:
 * every library must be seen and made huge however the loads overlap,
 * and libraries in a new namespace (dlmopen) as well as in the base one.
 *
 *   dl_load [-m] [-s SMAPS_OUT] LIB...
 *
 * Each LIB (made by gentext.sh: lib_table, lib_count) is opened with
 * dlopen(RTLD_NOW), or with -m dlmopen(LM_ID_NEWLM), and every function
 * in its table is called.  Prints one checksum line per LIB, in order,
 * then copies /proc/self/smaps with every LIB still loaded.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy_smaps.h"

typedef long (*fn_t)(long);

struct job {
	const char *lib;
	long count;
	unsigned long sum;
	char err[512];
};

static pthread_barrier_t start;
static int use_dlmopen;

static void *load(void *arg)
{
	struct job *j = arg;
	const fn_t *table;
	const long *count;
	long sum = 0, i;
	void *h;

	pthread_barrier_wait(&start);
	if (use_dlmopen)
		h = dlmopen(LM_ID_NEWLM, j->lib, RTLD_NOW);
	else
		h = dlopen(j->lib, RTLD_NOW);
	if (!h) {
		snprintf(j->err, sizeof(j->err), "dlopen: %s", dlerror());
		return NULL;
	}
	table = dlsym(h, "lib_table");
	count = dlsym(h, "lib_count");
	if (!table || !count) {
		snprintf(j->err, sizeof(j->err), "no lib_table in %s", j->lib);
		return NULL;
	}
	for (i = 0; i < *count; i++)
		sum += table[i](sum & 0xffff);
	j->count = *count;
	j->sum = (unsigned long)sum;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *smaps = NULL;
	struct job *jobs;
	pthread_t *t;
	int n, i, c, bad = 0;

	while ((c = getopt(argc, argv, "ms:")) != -1) {
		switch (c) {
		case 'm':
			use_dlmopen = 1;
			break;
		case 's':
			smaps = optarg;
			break;
		default:
			return 2;
		}
	}
	n = argc - optind;
	if (n < 1)
		return 2;
	jobs = calloc(n, sizeof(*jobs));
	t = calloc(n, sizeof(*t));
	if (!jobs || !t || pthread_barrier_init(&start, NULL, n))
		return 2;
	for (i = 0; i < n; i++) {
		jobs[i].lib = argv[optind + i];
		if (pthread_create(&t[i], NULL, load, &jobs[i]))
			return 2;
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < n; i++) {
		if (jobs[i].err[0]) {
			printf("lib %d: %s\n", i, jobs[i].err);
			bad = 1;
		} else {
			printf("lib %d: functions %ld checksum %lx\n", i,
			       jobs[i].count, jobs[i].sum);
		}
	}
	fflush(stdout);
	if (smaps && copy_smaps(smaps))
		return 3;
	return bad;
}
