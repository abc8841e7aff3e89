// SPDX-License-Identifier: MIT
/* test_prime.c - placeholder, being written. */
#include <criterion/criterion.h>

Test(prime, placeholder)
{
	cr_assert(1);
}
