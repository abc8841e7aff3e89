// SPDX-License-Identifier: MIT
/* json.c - JSON string writer; see json.h. */
#include <inttypes.h>

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

void ht_json_str(struct ht_buf *b, const char *str)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;

	if (!str) {
		ht_buf_put(b, "null", 4);
		return;
	}
	ht_buf_putc(b, '"');
	while (*s) {
		size_t n = ht_utf8_len(s);

		if (*s == '"' || *s == '\\') {
			ht_buf_putc(b, '\\');
			ht_buf_putc(b, *s);
		} else if (*s < 0x20 || *s == 0x7f) {
			char u[6] = { '\\', 'u', '0', '0', hex[*s >> 4],
				      hex[*s & 15] };

			ht_buf_put(b, u, sizeof(u));
		} else if (n) {
			ht_buf_put(b, (const char *)s, n);
		} else {
			ht_buf_put(b, "\\ufffd", 6);
		}
		s += n ? n : 1;
	}
	ht_buf_putc(b, '"');
}

void ht_jw_init(struct ht_jw *w, struct ht_buf *b)
{
	w->b = b;
	w->depth = 0;
	w->more[0] = false;
}

/* The comma and the key before a member at the current depth. */
static void member(struct ht_jw *w, const char *key)
{
	if (w->more[w->depth])
		ht_buf_putc(w->b, ',');
	w->more[w->depth] = true;
	if (key) {
		ht_json_str(w->b, key);
		ht_buf_putc(w->b, ':');
	}
}

static void open_with(struct ht_jw *w, const char *key, char c)
{
	member(w, key);
	ht_buf_putc(w->b, c);
	/* Deeper than any document of ours: stay, commas still right. */
	if (w->depth + 1 < HT_JW_DEPTH)
		w->depth++;
	w->more[w->depth] = false;
}

static void close_with(struct ht_jw *w, char c)
{
	ht_buf_putc(w->b, c);
	if (w->depth)
		w->depth--;
}

void ht_jw_open(struct ht_jw *w, const char *key)
{
	open_with(w, key, '{');
}

void ht_jw_close(struct ht_jw *w)
{
	close_with(w, '}');
}

void ht_jw_array_open(struct ht_jw *w, const char *key)
{
	open_with(w, key, '[');
}

void ht_jw_array_close(struct ht_jw *w)
{
	close_with(w, ']');
}

void ht_jw_str(struct ht_jw *w, const char *key, const char *s)
{
	member(w, key);
	ht_json_str(w->b, s);
}

void ht_jw_u64(struct ht_jw *w, const char *key, uint64_t v)
{
	member(w, key);
	ht_buf_printf(w->b, "%" PRIu64, v);
}

void ht_jw_int(struct ht_jw *w, const char *key, long long v)
{
	member(w, key);
	ht_buf_printf(w->b, "%lld", v);
}

void ht_jw_bool(struct ht_jw *w, const char *key, bool v)
{
	member(w, key);
	if (v)
		ht_buf_put(w->b, "true", 4);
	else
		ht_buf_put(w->b, "false", 5);
}

void ht_jw_null(struct ht_jw *w, const char *key)
{
	member(w, key);
	ht_buf_put(w->b, "null", 4);
}

void ht_jw_reason(struct ht_jw *w, const char *key, enum ht_reason r)
{
	ht_jw_str(w, key, r == HT_R_NONE ? NULL : ht_reason_name(r));
}
