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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "header.h"
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

/* The library's own UTC conversion, held against glibc's gmtime_r. */
static void utc_is_gmtime(int64_t t)
{
	char got[HT_UTC_SIZE], want[64];
	time_t tt = (time_t)t;
	struct tm tm;

	cr_assert(gmtime_r(&tt, &tm));
	/* Not strftime: its %Y does not pad years before 1000. */
	snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	ht_utc_format(t, got);
	cr_assert_str_eq(got, want, "at %lld", (long long)t);
}

Test(header, utc_matches_gmtime)
{
	static const int64_t fixed[] = {
		0, -1, 59, 86399, 86400, 951782400 /* 2000-02-29 */,
		951868799, 4107542399LL /* 2100-02-28 end */, 1796148303,
		-2208988800LL /* 1900-01-01 */, 253402300799LL,
		-62135596800LL /* 0001-01-01 */,
	};
	uint64_t x = 88172645463325252ull;
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		utc_is_gmtime(fixed[i]);
	/* Every day boundary of 1960..2400 and random seconds in 0..9999. */
	for (i = 0; i < 160000; i++)
		utc_is_gmtime(-315619200LL + (int64_t)i * 86400 - (i & 1));
	for (i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		utc_is_gmtime((int64_t)(x % 315537897600ull) - 62167219200LL);
	}
}

Test(header, utc_clamps_outside_four_digit_years)
{
	char t[HT_UTC_SIZE];

	ht_utc_format(INT64_MAX, t);
	cr_assert_str_eq(t, "9999-12-31T23:59:59Z");
	ht_utc_format(INT64_MIN, t);
	cr_assert_str_eq(t, "0000-01-01T00:00:00Z");
}

Test(header, cgroup_unit_is_the_innermost)
{
	char u[64];

	cr_assert_eq(ht_cgroup_unit("0::/system.slice/nginx.service\n", u,
				    sizeof(u)), 0);
	cr_assert_str_eq(u, "nginx.service");
	cr_assert_eq(ht_cgroup_unit("12:pids:/x.service\n0::/user.slice/"
				    "user-1000.slice/user@1000.service/app.slice/"
				    "run-r1.scope/inner\n", u, sizeof(u)), 0);
	cr_assert_str_eq(u, "run-r1.scope");
	/* No v2 line, the root, a bare suffix, a unit too long. */
	cr_assert_eq(ht_cgroup_unit("4:memory:/a.service\n", u, sizeof(u)),
		     -ENOENT);
	cr_assert_eq(ht_cgroup_unit("0::/\n", u, sizeof(u)), -ENOENT);
	cr_assert_eq(ht_cgroup_unit("0::/.service\n", u, sizeof(u)), -ENOENT);
	cr_assert_str_eq(u, "");
	cr_assert_eq(ht_cgroup_unit("0::/abcdef.service", u, 8), -ENOENT);
}

Test(header, header_members_in_order)
{
	struct ht_buf b = HT_BUF_INIT;
	struct ht_who who;
	struct ht_jw w;
	static const char head[] = "{\"hugetext\":\"" PACKAGE_VERSION
				   "\",\"schema\":1,\"time\":\"2";
	char comm[64];
	FILE *f;

	ht_who_read(0, &who);
	cr_assert_eq(who.pid, getpid());
	f = fopen("/proc/self/comm", "r");
	cr_assert(f && fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	cr_assert_str_eq(who.comm, comm);
	cr_assert(who.argv0[0]);
	ht_jw_init(&w, &b);
	ht_jw_open(&w, NULL);
	ht_jw_header(&w, &who);
	ht_jw_close(&w);
	cr_assert(!strncmp(doc(&b), head, strlen(head)), "%s", doc(&b));
	cr_assert(strstr(doc(&b), "\",\"pid\":"));
	cr_assert(strstr(doc(&b), "\"unit\":"));
	ht_buf_free(&b);
}
