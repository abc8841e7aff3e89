// SPDX-License-Identifier: MIT
/*
 * test_json.c - the one JSON writer (json.c) and the buffer it writes
 * into (buf.c): commas placed by nesting alone, strings escaped so the
 * output always parses, NULL as null, and a buffer whose allocation
 * failed never yields a partial document.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"

static const char *doc(struct ht_buf *b)
{
	cr_assert(ht_buf_ok(b));
	return b->s ? b->s : "";
}

Test(json, nesting_places_commas)
{
	struct ht_buf b = HT_BUF_INIT;
	struct ht_jw w;

	ht_jw_init(&w, &b);
	ht_jw_open(&w, NULL);
	ht_jw_str(&w, "a", "x");
	ht_jw_u64(&w, "n", UINT64_MAX);
	ht_jw_int(&w, "i", -5);
	ht_jw_array_open(&w, "list");
	ht_jw_open(&w, NULL);
	ht_jw_bool(&w, "t", true);
	ht_jw_close(&w);
	ht_jw_open(&w, NULL);
	ht_jw_close(&w);
	ht_jw_u64(&w, NULL, 7);
	ht_jw_array_close(&w);
	ht_jw_array_open(&w, "empty");
	ht_jw_array_close(&w);
	ht_jw_null(&w, "z");
	ht_jw_bool(&w, "f", false);
	ht_jw_close(&w);
	cr_assert_str_eq(doc(&b), "{\"a\":\"x\",\"n\":18446744073709551615,"
			 "\"i\":-5,\"list\":[{\"t\":true},{},7],\"empty\":[],"
			 "\"z\":null,\"f\":false}");
	ht_buf_free(&b);
}

Test(json, strings_escaped)
{
	struct ht_buf b = HT_BUF_INIT;

	ht_json_str(&b, "q\"b\\\n\x01\x7f \xc3\xa9 \xff end");
	cr_assert_str_eq(doc(&b), "\"q\\\"b\\\\\\u000a\\u0001\\u007f "
			 "\xc3\xa9 \\ufffd end\"");
	ht_buf_free(&b);
	ht_json_str(&b, NULL);
	cr_assert_str_eq(doc(&b), "null");
	ht_buf_free(&b);
	/* a truncated UTF-8 sequence at the end is one bad byte each */
	ht_json_str(&b, "\xe2\x82");
	cr_assert_str_eq(doc(&b), "\"\\ufffd\\ufffd\"");
	ht_buf_free(&b);
}

Test(json, key_null_member_of_object_is_value_only)
{
	struct ht_buf b = HT_BUF_INIT;
	struct ht_jw w;

	ht_jw_init(&w, &b);
	ht_jw_array_open(&w, NULL);
	ht_jw_str(&w, NULL, NULL);
	ht_jw_str(&w, NULL, "");
	ht_jw_array_close(&w);
	cr_assert_str_eq(doc(&b), "[null,\"\"]");
	ht_buf_free(&b);
}

Test(buf, grows_and_formats)
{
	struct ht_buf b = HT_BUF_INIT;
	char big[5000];
	size_t i;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 10; i++)
		ht_buf_printf(&b, "%s%zu", big, i);
	cr_assert(ht_buf_ok(&b));
	cr_assert_eq(b.len, 10 * (sizeof(big) - 1) + 10);
	cr_assert_eq(strlen(b.s), b.len);
	cr_assert_eq(b.s[sizeof(big) - 1], '0');
	ht_buf_free(&b);
	cr_assert_null(b.s);
	ht_buf_put(&b, "ab", 2);
	ht_buf_putc(&b, 'c');
	cr_assert_str_eq(b.s, "abc");
	ht_buf_free(&b);
}

Test(buf, failed_stays_failed)
{
	struct ht_buf b = HT_BUF_INIT;

	ht_buf_put(&b, "ab", 2);
	b.failed = true;	/* as after a failed realloc */
	ht_buf_put(&b, "cd", 2);
	ht_buf_printf(&b, "%d", 1);
	cr_assert_eq(b.len, 2);
	cr_assert(!ht_buf_ok(&b));
	cr_assert_eq(ht_buf_write(&b, 1), -ENOMEM);
	ht_buf_free(&b);
	cr_assert(ht_buf_ok(&b));
}

Test(buf, grow_doubles_and_refuses_overflow)
{
	uint64_t *a = NULL;
	size_t cap = 0, n;

	for (n = 0; n < 100; n++) {
		cr_assert_eq(ht_grow(&a, &cap, n, sizeof(*a), 4), 0);
		cr_assert_gt(cap, n);
		a[n] = n;
	}
	cr_assert_eq(cap, 128);
	for (n = 0; n < 100; n++)
		cr_assert_eq(a[n], n);
	/* no room to ask for: the array stays as it was */
	cap = SIZE_MAX / 8 / 2 + 1;
	cr_assert_eq(ht_grow(&a, &cap, cap, sizeof(*a), 4), -ENOMEM);
	cr_assert_eq(a[99], 99);
	free(a);
}
