// SPDX-License-Identifier: MIT
/* cmd_check.c - hugetext check (not written yet). */
#include <stdio.h>

#include "commands.h"

int ht_cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hugetext: check: not implemented yet\n");
	return HT_EXIT_ERROR;
}
