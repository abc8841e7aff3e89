/* SPDX-License-Identifier: MIT */
/* json.h - the one JSON string writer every report and command uses. */
#ifndef HT_JSON_H
#define HT_JSON_H

#include <stddef.h>
#include <stdio.h>

/*
 * ht_json_str - write @s to @f as a JSON string, or null when @s is NULL.
 * File names are bytes, not text: bytes that are not valid UTF-8 become
 * U+FFFD, so that the output is always valid JSON.
 */
void ht_json_str(FILE *f, const char *s);

/* ht_utf8_len - length of the valid UTF-8 sequence at @s, else 0. */
size_t ht_utf8_len(const unsigned char *s);

#endif /* HT_JSON_H */
