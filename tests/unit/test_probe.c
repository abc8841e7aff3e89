// SPDX-License-Identifier: MIT
/* test_probe.c - placeholder, being written. */
#include <criterion/criterion.h>

Test(probe, placeholder)
{
	cr_assert(1);
}
