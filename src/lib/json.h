/* SPDX-License-Identifier: MIT */
/* json.h - the one JSON writer every report and command uses. */
#ifndef HT_JSON_H
#define HT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "reason.h"

/*
 * ht_json_str - append @s to @b as a JSON string, or null when @s is
 * NULL.  File names are bytes, not text: bytes that are not valid UTF-8
 * become U+FFFD, so that the output is always valid JSON.
 */
void ht_json_str(struct ht_buf *b, const char *s);

/*
 * The structured writer every JSON document is built with, in the
 * manner of util-linux's jsonwrt: open and close objects and arrays,
 * write members by key (NULL inside an array), and commas place
 * themselves.  Output is compact, one line; nothing is written for a
 * buffer that failed (see buf.h).
 */
#define HT_JW_DEPTH 16

struct ht_jw {
	struct ht_buf *b;
	unsigned int depth;
	bool more[HT_JW_DEPTH];	/* a member written at this depth */
};

/* ht_jw_init - start a document in @b. */
void ht_jw_init(struct ht_jw *w, struct ht_buf *b);

/* Objects and arrays; @key names the member (NULL: array element). */
void ht_jw_open(struct ht_jw *w, const char *key);
void ht_jw_close(struct ht_jw *w);
void ht_jw_array_open(struct ht_jw *w, const char *key);
void ht_jw_array_close(struct ht_jw *w);

/* Members: a string (NULL: null), numbers, a boolean, null. */
void ht_jw_str(struct ht_jw *w, const char *key, const char *s);
void ht_jw_u64(struct ht_jw *w, const char *key, uint64_t v);
void ht_jw_int(struct ht_jw *w, const char *key, long long v);
void ht_jw_bool(struct ht_jw *w, const char *key, bool v);
void ht_jw_null(struct ht_jw *w, const char *key);
/* ht_jw_reason - a reason's token, null for HT_R_NONE. */
void ht_jw_reason(struct ht_jw *w, const char *key, enum ht_reason r);

/* ht_utf8_len - length of the valid UTF-8 sequence at @s, else 0. */
size_t ht_utf8_len(const unsigned char *s);

#endif /* HT_JSON_H */
