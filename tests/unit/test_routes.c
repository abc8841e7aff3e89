// SPDX-License-Identifier: MIT
/* test_routes.c - placeholder, being written. */
#include <criterion/criterion.h>

Test(routes, placeholder)
{
	cr_assert(1);
}
