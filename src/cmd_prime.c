// SPDX-License-Identifier: MIT
/* cmd_prime.c - hugetext prime (not written yet). */
#include <stdio.h>

#include "commands.h"

int ht_cmd_prime(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hugetext: prime: not implemented yet\n");
	return HT_EXIT_ERROR;
}
