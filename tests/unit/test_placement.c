// SPDX-License-Identifier: MIT
/* test_placement.c - placement prediction (not written yet). */
#include <criterion/criterion.h>

Test(placement, placeholder)
{
	cr_assert(1);
}
