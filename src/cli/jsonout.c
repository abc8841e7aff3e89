// SPDX-License-Identifier: MIT
/* jsonout.c - JSON strings onto stdio; see jsonout.h. */
#include "json.h"
#include "jsonout.h"

static void put_file(void *ctx, const char *s, size_t n)
{
	fwrite(s, 1, n, ctx);
}

void ht_json_fputs(FILE *f, const char *s)
{
	ht_json_emit(s, put_file, f);
}
