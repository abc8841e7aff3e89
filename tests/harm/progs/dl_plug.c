// SPDX-License-Identifier: MIT
/*
 * dl_plug.c - a plugin for the dlopen search-path tests: one function,
 * PLUG_FN, returning PLUG_VAL (both given with -D), so that the program
 * can tell which file it found.
 */
#ifndef PLUG_FN
#error "build with -DPLUG_FN=name -DPLUG_VAL=number"
#endif

int PLUG_FN(void);

int PLUG_FN(void)
{
	return PLUG_VAL;
}
