// SPDX-License-Identifier: MIT
/*
 * noop_audit.c - an rtld-audit module that does nothing, built without
 * libc as libhugetext.so is: what loading any audit module costs, the
 * floor under the library's own figure in startup.sh.
 */
#define _GNU_SOURCE
#include <link.h>

unsigned int la_version(unsigned int v);
unsigned int la_objopen(struct link_map *map, Lmid_t lmid,
			uintptr_t *cookie);
void la_activity(uintptr_t *cookie, unsigned int flag);

unsigned int la_version(unsigned int v)
{
	return v < LAV_CURRENT ? v : LAV_CURRENT;
}

unsigned int la_objopen(struct link_map *map, Lmid_t lmid,
			uintptr_t *cookie)
{
	(void)map;
	(void)lmid;
	(void)cookie;
	return 0;
}

void la_activity(uintptr_t *cookie, unsigned int flag)
{
	(void)cookie;
	(void)flag;
}
