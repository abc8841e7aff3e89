// SPDX-License-Identifier: MIT
/* cmd_status.c - hugetext status (not written yet). */
#include <stdio.h>

#include "commands.h"

int ht_cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hugetext: status: not implemented yet\n");
	return HT_EXIT_ERROR;
}
