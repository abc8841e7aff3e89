/* SPDX-License-Identifier: MIT */
/* json.h - the one JSON string writer every report and command uses. */
#ifndef HT_JSON_H
#define HT_JSON_H

#include <stddef.h>

#include "buf.h"

/*
 * ht_json_str - append @s to @b as a JSON string, or null when @s is
 * NULL.  File names are bytes, not text: bytes that are not valid UTF-8
 * become U+FFFD, so that the output is always valid JSON.
 */
void ht_json_str(struct ht_buf *b, const char *s);

/*
 * ht_json_emit - the same rendering handed to @put in pieces, for
 * writers that are not an ht_buf (the tools' stdio).
 */
typedef void (*ht_json_put_fn)(void *ctx, const char *s, size_t n);
void ht_json_emit(const char *s, ht_json_put_fn put, void *ctx);

/* ht_utf8_len - length of the valid UTF-8 sequence at @s, else 0. */
size_t ht_utf8_len(const unsigned char *s);

#endif /* HT_JSON_H */
