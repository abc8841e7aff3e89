// SPDX-License-Identifier: MIT
/* test_remote.c - placeholder, being written. */
#include <criterion/criterion.h>

Test(remote, placeholder)
{
	cr_assert(1);
}
