/* SPDX-License-Identifier: MIT */
/*
 * buf.h - a growable byte buffer with printf, for text built in memory
 * and written with one write().  No stdio: the library that runs inside
 * programs has none (src/preload/rt.c).
 */
#ifndef HT_BUF_H
#define HT_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct ht_buf {
	char *s;		/* NUL-terminated when !failed and cap */
	size_t len, cap;
	bool failed;		/* an allocation failed: contents partial */
};

#define HT_BUF_INIT { NULL, 0, 0, false }

/*
 * ht_buf_put / ht_buf_putc / ht_buf_printf - append.  On an allocation
 * failure the buffer is marked failed and later appends do nothing;
 * check ht_buf_ok() once at the end.
 */
void ht_buf_put(struct ht_buf *b, const char *s, size_t n);
void ht_buf_putc(struct ht_buf *b, char c);
void ht_buf_printf(struct ht_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline bool ht_buf_ok(const struct ht_buf *b)
{
	return !b->failed;
}

/*
 * ht_buf_write - write the whole buffer to @fd (retrying short writes
 * and EINTR).  Returns 0, -ENOMEM when the buffer failed, or -errno.
 */
int ht_buf_write(const struct ht_buf *b, int fd);

/* ht_buf_free - release the memory; @b is empty and usable again. */
void ht_buf_free(struct ht_buf *b);

/*
 * ht_grow - room for element @n of the array at *@arr, of *@cap
 * elements of @size bytes each: when @n == *@cap the array doubles
 * (from @first).  Returns 0, or -ENOMEM with the array unchanged.
 * Every growing array of the project goes through it.
 */
int ht_grow(void *arr, size_t *cap, size_t n, size_t size, size_t first);

#endif /* HT_BUF_H */
