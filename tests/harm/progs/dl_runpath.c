// SPDX-License-Identifier: MIT
/*
 * dl_runpath - dlopen() search paths as the caller sees them.  ld.so
 * picks the search path (DT_RUNPATH, DT_RPATH, $ORIGIN) from the object
 * that calls dlopen; a library inside the process must not change that.
 * Built twice: with DT_RUNPATH $ORIGIN/lib (dl_runpath) and with DT_RPATH
 * $ORIGIN/lib (dl_rpath); both need libdl_mid.so from that directory.
 *
 *   dl_runpath name        dlopen("libdl_plug.so") (the program's path)
 *   dl_runpath origin      dlopen("$ORIGIN/lib/libdl_plug.so")
 *   dl_runpath lib         libdl_mid.so's own dlopen("libdl_plugin2.so"),
 *                          found through libdl_mid.so's RUNPATH
 *   dl_runpath rpath LIB   dlopen(LIB), a plugin linked with DT_RPATH,
 *                          whose own dlopen("libdl_plugin2.so") is
 *                          found through its RPATH
 *
 * Prints "MODE: value N" and exits 0, or the error and exits 1.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int mid_load(const char *name);

static int plug_value(const char *file)
{
	void *h = dlopen(file, RTLD_NOW);
	int (*fn)(void);

	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return -1;
	}
	fn = (int (*)(void))dlsym(h, "plug_value");
	if (!fn) {
		printf("dlsym: %s\n", dlerror());
		return -1;
	}
	return fn();
}

static int rpath_value(const char *lib)
{
	void *h = dlopen(lib, RTLD_NOW);
	int (*fn)(const char *);

	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return -1;
	}
	fn = (int (*)(const char *))dlsym(h, "rmid_load");
	if (!fn) {
		printf("dlsym: %s\n", dlerror());
		return -1;
	}
	return fn("libdl_plugin2.so");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int v;

	if (!strcmp(mode, "name"))
		v = plug_value("libdl_plug.so");
	else if (!strcmp(mode, "origin"))
		v = plug_value("$ORIGIN/lib/libdl_plug.so");
	else if (!strcmp(mode, "lib"))
		v = mid_load("libdl_plugin2.so");
	else if (!strcmp(mode, "rpath") && argc > 2)
		v = rpath_value(argv[2]);
	else
		return 2;
	if (v < 0)
		return 1;
	printf("%s: value %d\n", mode, v);
	return 0;
}
