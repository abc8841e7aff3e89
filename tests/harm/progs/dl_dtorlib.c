// SPDX-License-Identifier: MIT
/*
 * dl_dtorlib.c - the destructor half of libdl_dtor.so (the other half is
 * 4 MiB of generated text, so that hugetext has work to do on it).  The
 * program points dtor_flag at a variable after each dlopen; the
 * destructor stores there the id of the thread it runs in.  The program
 * then knows whether the destructor ran inside its own last dlclose().
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

_Atomic long *dtor_flag;

__attribute__((destructor)) static void dtor(void)
{
	if (dtor_flag)
		atomic_store(dtor_flag, (long)syscall(SYS_gettid));
}
