/* SPDX-License-Identifier: MIT */
/* deps.h - hugetext check --deps: the libraries a file needs. */
#ifndef HT_DEPS_H
#define HT_DEPS_H

#include <stdbool.h>
#include <stddef.h>

/* One library found (@missing: "not found", @path is its name). */
typedef void (*ht_dep_fn)(void *arg, const char *path, bool missing);

/*
 * ht_list_deps - the libraries @file needs, as the system's ld.so
 * resolves them (every rule: RPATH/RUNPATH, $ORIGIN, LD_LIBRARY_PATH,
 * hwcaps, the cache), without running any of their code.  Calls @fn for
 * each path found and for each "not found".  Returns 0 or -errno (@err,
 * @errlen bytes, then says what went wrong, e.g. ld.so's first line).
 */
int ht_list_deps(const char *file, ht_dep_fn fn, void *arg, char *err,
		 size_t errlen);

#endif /* HT_DEPS_H */
