// SPDX-License-Identifier: MIT
/* jsonout.c - JSON documents onto stdio; see jsonout.h. */
#include <errno.h>

#include "json.h"
#include "jsonout.h"

int ht_json_print(const struct ht_buf *b, FILE *f)
{
	if (!ht_buf_ok(b))
		return -ENOMEM;
	/* Write errors are the stream's: ht_close_stdout() says them. */
	fwrite(b->s, 1, b->len, f);
	return 0;
}
