// SPDX-License-Identifier: MIT
/* json.c - JSON string writer; see json.h. */
#include "json.h"

size_t ht_utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void ht_json_emit(const char *str, ht_json_put_fn put, void *ctx)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;

	if (!str) {
		put(ctx, "null", 4);
		return;
	}
	put(ctx, "\"", 1);
	while (*s) {
		size_t n = ht_utf8_len(s);

		if (*s == '"' || *s == '\\') {
			char e[2] = { '\\', *s };

			put(ctx, e, 2);
		} else if (*s < 0x20 || *s == 0x7f) {
			char u[6] = { '\\', 'u', '0', '0', hex[*s >> 4],
				      hex[*s & 15] };

			put(ctx, u, sizeof(u));
		} else if (n) {
			put(ctx, (const char *)s, n);
		} else {
			put(ctx, "\\ufffd", 6);
		}
		s += n ? n : 1;
	}
	put(ctx, "\"", 1);
}

static void put_buf(void *ctx, const char *s, size_t n)
{
	ht_buf_put(ctx, s, n);
}

void ht_json_str(struct ht_buf *b, const char *s)
{
	ht_json_emit(s, put_buf, b);
}
