// SPDX-License-Identifier: MIT
/*
 * sec_unsetenv - built twice: as a library whose constructor calls
 * unsetenv("HT_TEST_FOO") (-DLIB), and as a program that needs it and
 * exits 7.  unsetenv() edits the start-up environment array in place
 * and leaves a NULL more at its end, as ld.so does in secure mode: the
 * library must still find the auxiliary vector behind it.
 */
#include <stdlib.h>

#ifdef LIB
__attribute__((constructor)) static void drop(void)
{
	unsetenv("HT_TEST_FOO");
}

int sec_unsetenv_lib(void);
int sec_unsetenv_lib(void)
{
	return 7;
}
#else
int sec_unsetenv_lib(void);

int main(void)
{
	return sec_unsetenv_lib();
}
#endif
