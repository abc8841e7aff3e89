// SPDX-License-Identifier: MIT
/*
 * dl_fakez.c - a program's own bundled "libz.so.1" (SONAME libz.so.1),
 * which is not zlib: it exports bundled_zfn() and none of zlib's API.
 * A plugin linked against it must get this one, never the system's.
 */
int bundled_zfn(int x);

int bundled_zfn(int x)
{
	return 1000 + x;
}
