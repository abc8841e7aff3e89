// SPDX-License-Identifier: MIT
/*
 * dl_foreign - nothing foreign inside the program: a library inside the
 * process must not load other libraries into the program's namespace
 * (a plugin would bind to them) nor grow its address space after main()
 * (a program near its RLIMIT_AS would fail a malloc it makes plainly).
 *
 *   dl_foreign [-g] [-l HEADROOM_KB] [-M MALLOC_KB] [-m MAPS_OUT] LIB...
 *
 * At main(): reads VmSize; with -l sets RLIMIT_AS to VmSize + HEADROOM_KB.
 * Then dlopens each LIB (RTLD_NOW): a big-text library (lib_table:
 * every function is called) or dl_zplug (zplug_value() is called), and
 * prints what each returned.  -g prints how much VmSize grew since
 * main() (for calibration only: its output is not compared).  -M then
 * mallocs MALLOC_KB and says whether it got it.  -m copies
 * /proc/self/maps at the end (also after a failed dlopen).  Exits 0, 1
 * when a dlopen fails, 4 when the malloc fails.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

typedef long (*fn_t)(long);

static long vmsize_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmSize:", 7))
			kb = atol(line + 7);
	fclose(f);
	return kb;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	size_t n;

	if (!in || !out)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	return fclose(out);
}

static int use(const char *lib)
{
	void *h = dlopen(lib, RTLD_NOW);
	const fn_t *table;
	const long *count;
	int (*zfn)(void);

	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return -1;
	}
	table = dlsym(h, "lib_table");
	count = dlsym(h, "lib_count");
	zfn = (int (*)(void))dlsym(h, "zplug_value");
	if (table && count) {
		long sum = 0, i;

		for (i = 0; i < *count; i++)
			sum += table[i](sum & 0xffff);
		printf("big: functions %ld checksum %lx\n", *count,
		       (unsigned long)sum);
	} else if (zfn) {
		printf("plugin: zplug_value %d\n", zfn());
	} else {
		printf("%s: neither lib_table nor zplug_value\n", lib);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long headroom = -1, malloc_kb = 0, v0;
	const char *maps = NULL;
	int grow = 0, status = 0, c, i;

	v0 = vmsize_kb();
	while ((c = getopt(argc, argv, "gl:M:m:")) != -1) {
		switch (c) {
		case 'g':
			grow = 1;
			break;
		case 'l':
			headroom = atol(optarg);
			break;
		case 'M':
			malloc_kb = atol(optarg);
			break;
		case 'm':
			maps = optarg;
			break;
		default:
			return 2;
		}
	}
	/* stdout's buffer before the limit, so printing costs nothing later */
	printf("start\n");
	if (v0 < 0)
		return 2;
	if (headroom >= 0) {
		struct rlimit rl;

		rl.rlim_cur = rl.rlim_max = (rlim_t)(v0 + headroom) * 1024;
		if (setrlimit(RLIMIT_AS, &rl))
			return 2;
	}
	for (i = optind; i < argc && !status; i++)
		if (use(argv[i]))
			status = 1;
	if (grow && !status)
		printf("growth %ld\n", vmsize_kb() - v0);
	if (malloc_kb && !status) {
		void *p = malloc((size_t)malloc_kb * 1024);

		printf("malloc %ld kB: %s\n", malloc_kb, p ? "ok" : "failed");
		if (!p)
			status = 4;
		free(p);
	}
	fflush(stdout);
	if (maps && copy_file("/proc/self/maps", maps))
		return 3;
	return status;
}
