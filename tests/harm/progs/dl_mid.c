// SPDX-License-Identifier: MIT
/*
 * dl_mid.c - a library that loads its own plugin: MID_FN(NAME) calls
 * dlopen(NAME) from this library's code, so ld.so searches this
 * library's own RUNPATH (or RPATH, by how it is linked) and not the
 * program's.  A wrapper of dlopen in between makes the wrapper the
 * caller, and the plugin is not found.  Returns plug2_value(), or -1
 * after printing dlerror().
 */
#include <dlfcn.h>
#include <stdio.h>

#ifndef MID_FN
#error "build with -DMID_FN=name"
#endif

int MID_FN(const char *name);

int MID_FN(const char *name)
{
	void *h = dlopen(name, RTLD_NOW);
	int (*fn)(void);

	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return -1;
	}
	fn = (int (*)(void))dlsym(h, "plug2_value");
	if (!fn) {
		printf("dlsym: %s\n", dlerror());
		return -1;
	}
	return fn();
}
