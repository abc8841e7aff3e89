// SPDX-License-Identifier: MIT
/*
 * test_rt.c - the library's own runtime (src/preload/rt.c) against
 * glibc's: placeholder, filled in below.
 */
#include <criterion/criterion.h>

#include "rt_test.h"

Test(rt, placeholder)
{
	char b[8];

	cr_assert_eq(ht_rt_snprintf(b, sizeof(b), "%d", 42), 2);
}
