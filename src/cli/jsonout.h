/* SPDX-License-Identifier: MIT */
/* jsonout.h - the core's JSON string writer (json.h) onto a stdio stream. */
#ifndef HT_JSONOUT_H
#define HT_JSONOUT_H

#include <stdio.h>

/* ht_json_fputs - write @s to @f as ht_json_str() renders it. */
void ht_json_fputs(FILE *f, const char *s);

#endif /* HT_JSONOUT_H */
