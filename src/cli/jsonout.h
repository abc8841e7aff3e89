/* SPDX-License-Identifier: MIT */
/* jsonout.h - JSON documents (json.h) onto a stdio stream. */
#ifndef HT_JSONOUT_H
#define HT_JSONOUT_H

#include <stdio.h>

#include "json.h"

/*
 * ht_json_print - write a document built with ht_jw to @f.  One built
 * in a buffer that failed is not written at all.  Returns 0, or -ENOMEM
 * (the caller says so and fails).
 */
int ht_json_print(const struct ht_buf *b, FILE *f);

#endif /* HT_JSONOUT_H */
