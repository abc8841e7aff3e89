// SPDX-License-Identifier: MIT
/*
 * test_prom.c - the Prometheus text writer (prom.c) and the gauges the
 * daemon and `status --all --prom` share (fleet.c), held against the
 * exposition format (text format 0.0.4): in a HELP docstring a
 * backslash is written \\ and a line feed \n, nothing else is escaped;
 * in a label value a double quote is \" as well; every sample is one
 * line "name{label="value",...} value"; the file is replaced whole.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fleet.h"
#include "prom.h"

static const char *text(struct ht_buf *b)
{
	cr_assert(ht_buf_ok(b));
	return b->s ? b->s : "";
}

Test(prom, family_and_plain_sample)
{
	struct ht_buf b = HT_BUF_INIT;

	ht_prom_family(&b, "hugetext_x_bytes", "gauge", "Some bytes.");
	ht_prom_sample(&b, "hugetext_x_bytes", NULL, 0, 18446744073709551615u);
	cr_assert_str_eq(text(&b), "# HELP hugetext_x_bytes Some bytes.\n"
			 "# TYPE hugetext_x_bytes gauge\n"
			 "hugetext_x_bytes 18446744073709551615\n");
	ht_buf_free(&b);
}

Test(prom, help_escapes_backslash_and_newline_only)
{
	struct ht_buf b = HT_BUF_INIT;

	ht_prom_family(&b, "m", "counter", "a\\b\nc \"q\" {x}");
	cr_assert_str_eq(text(&b), "# HELP m a\\\\b\\nc \"q\" {x}\n"
			 "# TYPE m counter\n");
	ht_buf_free(&b);
}

Test(prom, label_values_escaped)
{
	struct ht_buf b = HT_BUF_INIT;
	const char *l[] = { "exe", "/opt/a\\b\"c\nd", "reason", "x,y=}" };

	ht_prom_sample(&b, "m", l, 2, 3);
	cr_assert_str_eq(text(&b), "m{exe=\"/opt/a\\\\b\\\"c\\nd\","
			 "reason=\"x,y=}\"} 3\n");
	ht_buf_free(&b);
}

/*
 * A reader of one sample line by the format's rules: the label value
 * starting at @s (after its opening quote) unescaped into @out; returns
 * the character after its closing quote, NULL when the line is not
 * well formed (a raw line feed, an unknown escape, no closing quote).
 */
static const char *read_value(const char *s, char *out)
{
	for (; *s && *s != '"'; s++) {
		if (*s == '\n')
			return NULL;
		if (*s != '\\') {
			*out++ = *s;
			continue;
		}
		s++;
		if (*s == '\\' || *s == '"')
			*out++ = *s;
		else if (*s == 'n')
			*out++ = '\n';
		else
			return NULL;
	}
	*out = '\0';
	return *s == '"' ? s + 1 : NULL;
}

Test(prom, label_values_read_back)
{
	static const char *const vals[] = {
		"", "plain", "\\", "\"", "\n", "\\n", "\\\"", "a\n\nb\\\\c\"\"",
		"/usr/bin/x (deleted)", "\xc3\xa9\t\x01",
	};
	char got[64];
	size_t i;

	for (i = 0; i < sizeof(vals) / sizeof(*vals); i++) {
		struct ht_buf b = HT_BUF_INIT;
		const char *l[] = { "exe", vals[i] };
		const char *s, *nl;

		ht_prom_sample(&b, "hugetext_huge_bytes", l, 1, 42);
		s = text(&b);
		nl = strchr(s, '\n');
		cr_assert(nl && !nl[1], "one line: %s", s);
		cr_assert(!strncmp(s, "hugetext_huge_bytes{exe=\"", 25), "%s",
			  s);
		s = read_value(s + 25, got);
		cr_assert(s, "well formed: %s", text(&b));
		cr_assert_str_eq(got, vals[i]);
		cr_assert_str_eq(s, "} 42\n");
		ht_buf_free(&b);
	}
}

Test(prom, fleet_gauges_per_executable)
{
	struct ht_buf b = HT_BUF_INIT;
	struct ht_dexe x[2];
	const char *s;

	memset(x, 0, sizeof(x));
	x[0].exe = "/bin/a\"b";
	x[0].procs = 2;
	x[0].eligible = 4 << 20;
	x[0].huge = 2 << 20;
	x[1].exe = "/bin/gone";	/* no process now: no gauge */
	ht_fleet_prom_exes(&b, x, 2);
	s = text(&b);
	cr_assert(strstr(s, "# TYPE hugetext_processes gauge\n"
			 "hugetext_processes{exe=\"/bin/a\\\"b\"} 2\n"), "%s",
		  s);
	cr_assert(strstr(s, "\nhugetext_eligible_bytes{exe=\"/bin/a\\\"b\"} "
			 "4194304\n"), "%s", s);
	cr_assert(strstr(s, "\nhugetext_huge_bytes{exe=\"/bin/a\\\"b\"} "
			 "2097152\n"), "%s", s);
	cr_assert(!strstr(s, "gone"), "%s", s);
	ht_buf_free(&b);
	ht_fleet_prom_host(&b);
	s = text(&b);
	cr_assert(strstr(s, "# TYPE hugetext_host_file_pmd_mapped_bytes gauge\n"
			 "hugetext_host_file_pmd_mapped_bytes "), "%s", s);
	cr_assert(strstr(s, "# TYPE hugetext_host_shmem_pmd_mapped_bytes "
			 "gauge\nhugetext_host_shmem_pmd_mapped_bytes "), "%s",
		  s);
	ht_buf_free(&b);
}

Test(prom, file_replaced_whole)
{
	struct ht_buf b = HT_BUF_INIT;
	char dir[] = "/tmp/test_prom.XXXXXX", path[64], tmp[80], got[64];
	struct stat st;
	ssize_t n;
	int fd;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/h.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	cr_assert(fd >= 0 && write(fd, "old\n", 4) == 4);
	close(fd);
	ht_prom_sample(&b, "m", NULL, 0, 1);
	cr_assert_eq(ht_prom_write_file(path, &b), 0);
	fd = open(path, O_RDONLY);
	n = read(fd, got, sizeof(got) - 1);
	close(fd);
	cr_assert_eq(n, 4);
	got[n] = '\0';
	cr_assert_str_eq(got, "m 1\n");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0644);
	cr_assert(access(tmp, F_OK) && errno == ENOENT, "temporary left");
	/* A directory that is not there: an error, nothing written. */
	snprintf(path, sizeof(path), "%s/no/h.prom", dir);
	cr_assert_eq(ht_prom_write_file(path, &b), -ENOENT);
	snprintf(path, sizeof(path), "%s/h.prom", dir);
	unlink(path);
	rmdir(dir);
	ht_buf_free(&b);
}
