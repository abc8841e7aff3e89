// SPDX-License-Identifier: MIT
/*
 * dl_zplug.c - a plugin that needs the program's bundled libz.so.1 (see
 * dl_fakez.c) and calls bundled_zfn() from it.  Linked with RUNPATH
 * $ORIGIN, next to that libz.so.1.  If another libz.so.1 is already in
 * the process, ld.so binds the plugin to that one by its SONAME and the
 * plugin fails to load with "undefined symbol: bundled_zfn".
 */
int bundled_zfn(int x);
int zplug_value(void);

int zplug_value(void)
{
	return bundled_zfn(7);
}
