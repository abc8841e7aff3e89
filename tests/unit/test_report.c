// SPDX-License-Identifier: MIT
/*
 * test_report.c - unit tests for the run report (report.h).
 *
 * A struct ht_run built by hand (a program made fully huge by refault,
 * a library too small for a span, an object with text relocations whose
 * detail needs JSON escaping) is summed with ht_object_totals() and
 * ht_run_totals() and rendered: ht_report_json() must write exactly one
 * line of valid JSON (checked with python3 when present, and always
 * with a small structural check) holding the expected values;
 * ht_report_human() lines must all carry the "hugetext[PID]: " prefix
 * and the right percentages; ht_report_brief() (-v) gives the summary
 * line and big objects only.  Write errors come back as -errno.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

#define MiB	((uint64_t)1 << 20)
#define PID	4242

#define LIBC_TEXT	((uint64_t)0x1550fc)
#define TEXTREL_DETAIL	"say \"hi\" \\ back\nslash"

static struct ht_object objs[4];
static struct ht_run run;
static char path_prog[] = "/usr/bin/bigtext";
static char path_libc[] = "/lib/x86_64-linux-gnu/libc.so.6";
static char path_textrel[] = "/tmp/libtextrel.so";
static char path_mixed[] = "/opt/mixed";

/* One executable segment, with its spans as the preload computes them. */
static struct ht_part *add_part(struct ht_object *o, uint64_t vaddr,
				uint64_t len, uint64_t offset)
{
	struct ht_part *p = &o->parts[o->nparts++];

	p->span_reason = ht_spans_page_range(vaddr, len, offset, 4096,
					     &p->spans);
	p->vaddr = vaddr & ~(uint64_t)4095;
	p->offset = offset & ~(uint64_t)4095;
	p->len = p->spans.head + ht_spans_bytes(&p->spans) + p->spans.tail;
	return p;
}

/*
 * objs[0]: 48 MiB program, 4 MiB huge before, all of it after refault.
 * objs[1]: libc, 1.3 MiB of text: too small.
 * objs[2]: 4 MiB library with text relocations: object-level reason.
 */
static void build_run(void)
{
	struct ht_part *p;

	memset(objs, 0, sizeof(objs));
	memset(&run, 0, sizeof(run));

	objs[0].path = path_prog;
	objs[0].text_bytes = 48 * MiB;
	p = add_part(&objs[0], 0x555555200000, 48 * MiB, 0x200000);
	cr_assert_eq(p->span_reason, HT_R_NONE);
	cr_assert_eq(ht_spans_bytes(&p->spans), 48 * MiB);
	p->attempted = true;
	p->target.start = p->spans.start;
	p->target.end = p->spans.end;
	p->target.offset = p->spans.offset;
	p->target.fd = -1;
	p->target.route = HT_ROUTE_REFAULT;
	p->target.reason = HT_R_NONE;
	p->target.pmd_before = 4 * MiB;
	p->target.pmd_after = 48 * MiB;
	p->target.usec = 1500;

	objs[1].path = path_libc;
	objs[1].text_bytes = LIBC_TEXT;
	p = add_part(&objs[1], 0x7f1234026000, LIBC_TEXT, 0x26000);
	cr_assert_eq(p->span_reason, HT_R_TOO_SMALL);

	objs[2].path = path_textrel;
	objs[2].text_bytes = 4 * MiB;
	objs[2].reason = HT_R_TEXTREL;
	snprintf(objs[2].detail, sizeof(objs[2].detail), "%s",
		 TEXTREL_DETAIL);
	p = add_part(&objs[2], 0x7f5500000000, 4 * MiB, 0);
	cr_assert_eq(p->span_reason, HT_R_NONE);

	run.pid = PID;
	run.trigger = HT_TRIGGER_START;
	run.strategy = HT_STRATEGY_AUTO;
	run.dry_run = false;
	run.thp.mode = HT_THP_MADVISE;
	run.usec = 12345;
	run.nobj = 3;
	run.obj = objs;
}

/* Render with @fn into a temporary file and return its contents. */
static char *render(int (*fn)(const struct ht_run *, int),
		    const struct ht_run *r, size_t *len)
{
	char path[] = "/tmp/ht-report-XXXXXX";
	struct stat st;
	char *buf;
	int fd;

	fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	unlink(path);
	cr_assert_eq(fn(r, fd), 0);
	cr_assert_eq(fstat(fd, &st), 0);
	buf = malloc(st.st_size + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(pread(fd, buf, st.st_size, 0), st.st_size);
	buf[st.st_size] = '\0';
	close(fd);
	*len = st.st_size;
	return buf;
}

/*
 * Structural JSON check: strings closed, no raw control characters in
 * them, valid escapes, brackets balanced and matched, one value.
 */
static bool json_shape_ok(const char *s, size_t len)
{
	char stack[64];
	size_t depth = 0, i;
	bool in_str = false;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (in_str) {
			if (c < 0x20)
				return false;
			if (c == '\\') {
				if (++i >= len || !strchr("\"\\/bfnrtu", s[i]))
					return false;
			} else if (c == '"') {
				in_str = false;
			}
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			break;
		case '{':
		case '[':
			if (depth == sizeof(stack))
				return false;
			stack[depth++] = c == '{' ? '}' : ']';
			break;
		case '}':
		case ']':
			if (!depth || stack[--depth] != c)
				return false;
			if (!depth && i + 1 != len)
				return false;
			break;
		}
	}
	return !in_str && depth == 0 && len > 0 && s[0] == '{';
}

static bool have_python3(void)
{
	return system("command -v python3 >/dev/null 2>&1") == 0;
}

/* Run python3 @script with @in as stdin; returns its stdout. */
static char *python(const char *script, const char *in, size_t inlen)
{
	char inpath[] = "/tmp/ht-report-in-XXXXXX";
	char outpath[] = "/tmp/ht-report-out-XXXXXX";
	char cmd[2048];
	char *out;
	size_t n;
	FILE *f;
	int fd, st;

	fd = mkstemp(inpath);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, in, inlen), (ssize_t)inlen);
	close(fd);
	fd = mkstemp(outpath);
	cr_assert_geq(fd, 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "python3 -c '%s' <%s >%s", script, inpath,
		 outpath);
	st = system(cmd);
	f = fopen(outpath, "r");
	cr_assert_not_null(f);
	out = calloc(1, 4096);
	cr_assert_not_null(out);
	n = fread(out, 1, 4095, f);
	out[n] = '\0';
	fclose(f);
	unlink(inpath);
	unlink(outpath);
	cr_assert_eq(st, 0, "python3 failed on: %.*s", (int)inlen, in);
	return out;
}

TestSuite(report, .init = build_run);

Test(report, object_totals)
{
	struct ht_totals t;

	memset(&t, 0xee, sizeof(t));
	ht_object_totals(&objs[0], &t);
	cr_assert_eq(t.text, 48 * MiB);
	cr_assert_eq(t.eligible, 48 * MiB);
	cr_assert_eq(t.huge_before, 4 * MiB);
	cr_assert_eq(t.huge, 48 * MiB);

	memset(&t, 0xee, sizeof(t));
	ht_object_totals(&objs[1], &t);
	cr_assert_eq(t.text, LIBC_TEXT);
	cr_assert_eq(t.eligible, 0);
	cr_assert_eq(t.huge_before, 0);
	cr_assert_eq(t.huge, 0);

	/* Spans exist, but the object as a whole is not eligible. */
	memset(&t, 0xee, sizeof(t));
	ht_object_totals(&objs[2], &t);
	cr_assert_eq(t.text, 4 * MiB);
	cr_assert_eq(t.eligible, 0);
	cr_assert_eq(t.huge_before, 0);
	cr_assert_eq(t.huge, 0);
}

Test(report, object_totals_mixed_parts)
{
	struct ht_object *o = &objs[3];
	struct ht_totals t;
	struct ht_part *p;

	o->path = path_mixed;
	o->text_bytes = 20 * MiB;
	/* 8 MiB of spans, 6 MiB huge after a partial collapse. */
	p = add_part(o, 0x7f0000200000, 8 * MiB, 0x200000);
	p->attempted = true;
	p->target.route = HT_ROUTE_COLLAPSE;
	p->target.reason = HT_R_PARTIAL;
	p->target.pmd_after = 6 * MiB;
	/* 4 MiB of spans not attempted (as in a dry run): eligible only. */
	p = add_part(o, 0x7f0000c00000, 4 * MiB + 100, 0xc00000);
	cr_assert_eq(p->span_reason, HT_R_NONE);
	/* Incongruent: contributes nothing but text. */
	p = add_part(o, 0x7f0001001000, 8 * MiB - 100, 0x1000000);
	cr_assert_eq(p->span_reason, HT_R_INCONGRUENT);

	ht_object_totals(o, &t);
	cr_assert_eq(t.text, 20 * MiB);
	cr_assert_eq(t.eligible, 12 * MiB);
	cr_assert_eq(t.huge_before, 0);
	cr_assert_eq(t.huge, 6 * MiB);

	/* An object-level failure voids all of it. */
	o->reason = HT_R_FILE_CHANGED;
	ht_object_totals(o, &t);
	cr_assert_eq(t.text, 20 * MiB);
	cr_assert_eq(t.eligible, 0);
	cr_assert_eq(t.huge, 0);
}

Test(report, run_totals)
{
	struct ht_totals t;

	memset(&t, 0xee, sizeof(t));
	ht_run_totals(&run, &t);
	cr_assert_eq(t.text, 48 * MiB + LIBC_TEXT + 4 * MiB);
	cr_assert_eq(t.eligible, 48 * MiB);
	cr_assert_eq(t.huge_before, 4 * MiB);
	cr_assert_eq(t.huge, 48 * MiB);

	run.nobj = 0;
	memset(&t, 0xee, sizeof(t));
	ht_run_totals(&run, &t);
	cr_assert_eq(t.text, 0);
	cr_assert_eq(t.eligible, 0);
	cr_assert_eq(t.huge_before, 0);
	cr_assert_eq(t.huge, 0);
}

static void expect_in(const char *hay, const char *needle)
{
	cr_assert_not_null(strstr(hay, needle), "\"%s\" not in: %s", needle,
			   hay);
}

Test(report, json_one_line)
{
	char want[512];
	size_t len;
	char *s;

	s = render(ht_report_json, &run, &len);
	cr_assert_gt(len, 0);
	cr_assert_eq(strlen(s), len, "NUL byte in the report");
	cr_assert_eq(s[len - 1], '\n');
	cr_assert_eq(strchr(s, '\n'), s + len - 1, "more than one line");
	cr_assert(json_shape_ok(s, len - 1), "not JSON: %s", s);

#ifdef PACKAGE_VERSION
	expect_in(s, "{\"hugetext\":\"" PACKAGE_VERSION "\",\"schema\":1,"
		  "\"time\":\"2");
#endif
	/* A pass inside the program: the header is this process's. */
	snprintf(want, sizeof(want), "\"pid\":%d,\"comm\":", PID);
	expect_in(s, want);
	snprintf(want, sizeof(want), "\"trigger\":\"start\","
		 "\"strategy\":\"auto\","
		 "\"dry_run\":false,\"thp\":\"madvise\",\"usec\":12345,"
		 "\"text_bytes\":%llu,\"eligible_bytes\":%llu,"
		 "\"huge_bytes_before\":%llu,\"huge_bytes\":%llu,"
		 "\"objects\":[",
		 (unsigned long long)(52 * MiB + LIBC_TEXT),
		 (unsigned long long)(48 * MiB),
		 (unsigned long long)(4 * MiB),
		 (unsigned long long)(48 * MiB));
	expect_in(s, want);

	/* The program: eligible, huge, via refault. */
	snprintf(want, sizeof(want), "{\"path\":\"/usr/bin/bigtext\","
		 "\"text_bytes\":%llu,\"eligible_bytes\":%llu,"
		 "\"huge_bytes_before\":%llu,\"huge_bytes\":%llu,"
		 "\"reason\":null,\"segments\":[{\"vaddr\":%llu,",
		 (unsigned long long)(48 * MiB),
		 (unsigned long long)(48 * MiB),
		 (unsigned long long)(4 * MiB),
		 (unsigned long long)(48 * MiB), 0x555555200000ULL);
	expect_in(s, want);
	expect_in(s, "\"route\":\"refault\",\"tmpfs\":false,"
		  "\"huge_bytes_before\":4194304,\"huge_bytes\":50331648,"
		  "\"errno\":0,\"usec\":1500,\"wait_usec\":0,"
		  "\"reason\":null}");

	/* libc: no object reason, its segment is too small. */
	expect_in(s, "{\"path\":\"/lib/x86_64-linux-gnu/libc.so.6\","
		  "\"text_bytes\":1396988,\"eligible_bytes\":0,"
		  "\"huge_bytes_before\":0,\"huge_bytes\":0,\"reason\":null,");
	expect_in(s, "\"eligible_bytes\":0,\"head_bytes\":1400832,"
		  "\"tail_bytes\":0,\"reason\":\"too-small\"}");

	/* The textrel object, with its detail escaped. */
	expect_in(s, "\"reason\":\"textrel\",\"detail\":"
		  "\"say \\\"hi\\\" \\\\ back\\u000aslash\",\"segments\":[");
	free(s);
}

Test(report, json_parses)
{
	static const char script[] =
		"import json, sys; d = json.load(sys.stdin); "
		"o = d[\"objects\"]; "
		"print(d[\"pid\"], d[\"text_bytes\"], d[\"eligible_bytes\"], "
		"d[\"huge_bytes_before\"], d[\"huge_bytes\"], len(o), "
		"o[0][\"reason\"], o[0][\"segments\"][0][\"route\"], "
		"o[1][\"segments\"][0][\"reason\"], o[2][\"reason\"]); "
		"sys.stdout.write(o[2][\"detail\"])";
	char want[512];
	size_t len;
	char *s, *out;

	if (!have_python3())
		cr_skip_test("python3 not found: structural check only");
	s = render(ht_report_json, &run, &len);
	out = python(script, s, len);
	snprintf(want, sizeof(want), "%d %llu %llu %llu %llu 3 None refault "
		 "too-small textrel\n%s", PID,
		 (unsigned long long)(52 * MiB + LIBC_TEXT),
		 (unsigned long long)(48 * MiB),
		 (unsigned long long)(4 * MiB),
		 (unsigned long long)(48 * MiB), TEXTREL_DETAIL);
	cr_assert_str_eq(out, want);
	free(out);
	free(s);
}

Test(report, json_appends_whole_lines)
{
	static const char script[] =
		"import json, sys; "
		"n = [len(json.loads(l)[\"objects\"]) for l in sys.stdin]; "
		"print(n)";
	char path[] = "/tmp/ht-report-XXXXXX";
	char buf[16384];
	ssize_t n;
	int fd, i, lines = 0;

	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ht_report_json(&run, fd), 0);
	run.nobj = 0;
	cr_assert_eq(ht_report_json(&run, fd), 0);
	run.nobj = 2;
	cr_assert_eq(ht_report_json(&run, fd), 0);
	close(fd);

	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	unlink(path);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	for (i = 0; i < n; i++)
		lines += buf[i] == '\n';
	cr_assert_eq(lines, 3);
	cr_assert_eq(buf[n - 1], '\n');
	expect_in(buf, "\"objects\":[]}\n");
	if (have_python3()) {
		char *out = python(script, buf, n);

		cr_assert_str_eq(out, "[3, 0, 2]\n");
		free(out);
	}
}

Test(report, json_dry_run_and_strategy)
{
	size_t len;
	char *s;

	run.dry_run = true;
	run.strategy = HT_STRATEGY_NONE;
	run.thp.mode = HT_THP_UNKNOWN;
	run.nobj = 1;
	s = render(ht_report_json, &run, &len);
	expect_in(s, "\"strategy\":\"none\",\"dry_run\":true,"
		  "\"thp\":\"unsupported\",");
	cr_assert(json_shape_ok(s, len - 1), "not JSON: %s", s);
	free(s);
}

/* Split @s into lines; each must start with the prefix. */
static size_t check_lines(char *s, char **line, size_t max)
{
	char prefix[32];
	size_t n = 0;
	char *p, *nl;

	snprintf(prefix, sizeof(prefix), "hugetext[%d]: ", PID);
	for (p = s; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		cr_assert_not_null(nl, "unterminated line: %s", p);
		*nl = '\0';
		cr_assert_eq(strncmp(p, prefix, strlen(prefix)), 0,
			     "line %zu lacks \"%s\": %s", n, prefix, p);
		cr_assert_lt(n, max);
		line[n++] = p + strlen(prefix);
	}
	return n;
}

Test(report, human_lines)
{
	char *line[8];
	size_t len, n;
	char *s;

	/* A detail on one line: every output line carries the prefix. */
	snprintf(objs[2].detail, sizeof(objs[2].detail),
		 "say \"hi\" \\ back slash");
	s = render(ht_report_human, &run, &len);
	cr_assert_eq(s[len - 1], '\n');
	n = check_lines(s, line, 8);
	cr_assert_eq(n, 4, "%zu lines", n);

	cr_assert_str_eq(line[0], "/usr/bin/bigtext: text 48.0 MiB, "
			 "eligible 48.0 MiB, huge 48.0 MiB (100%) via "
			 "refault in 1.5 ms");
	cr_assert_str_eq(line[1], "/lib/x86_64-linux-gnu/libc.so.6: text "
			 "1.3 MiB, nothing eligible: too-small: text "
			 "segment is smaller than 2 MiB");
	cr_assert_str_eq(line[2], "/tmp/libtextrel.so: text 4.0 MiB: "
			 "textrel: say \"hi\" \\ back slash");
	cr_assert_str_eq(line[3], "total: 3 objects, text 53.3 MiB, "
			 "eligible 48.0 MiB, huge 48.0 MiB (100% of "
			 "eligible) in 12.3 ms (strategy auto, THP "
			 "madvise)");
	free(s);
}

/*
 * The run as built, whose detail holds a newline: printed raw it would
 * split the object's line in two, the second without the prefix (a file
 * name with a newline does the same); report.c escapes it.
 */
Test(report, human_lines_escape_newlines)
{
	char *line[8];
	size_t len, n;
	char *s;

	s = render(ht_report_human, &run, &len);
	n = check_lines(s, line, 8);
	cr_assert_eq(n, 4, "%zu lines", n);
	free(s);
}

Test(report, human_partial_and_dry_run)
{
	char *line[8];
	size_t len, n;
	char *s;

	objs[0].parts[0].target.pmd_after = 12 * MiB;
	objs[0].parts[0].target.reason = HT_R_PARTIAL;
	objs[0].parts[0].target.err = EBUSY;
	objs[2].detail[0] = '\0';
	run.dry_run = true;
	run.strategy = HT_STRATEGY_REFAULT;
	s = render(ht_report_human, &run, &len);
	n = check_lines(s, line, 8);
	cr_assert_eq(n, 4);
	expect_in(line[0], "huge 12.0 MiB (25%) via refault in 1.5 ms: "
		  "partial: only part of the range became huge: ");
	expect_in(line[0], strerror(EBUSY));
	/* No detail: the reason's own text. */
	cr_assert_str_eq(line[2], "/tmp/libtextrel.so: text 4.0 MiB: "
			 "textrel: object has text relocations (private "
			 "copies of text)");
	expect_in(line[3], "(25% of eligible)");
	expect_in(line[3], "(strategy refault, dry run, THP madvise)");
	free(s);
}

Test(report, human_empty_run)
{
	char *line[4];
	size_t len, n;
	char *s;

	run.nobj = 0;
	run.usec = 0;
	s = render(ht_report_human, &run, &len);
	n = check_lines(s, line, 4);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(line[0], "total: 0 objects, text 0.0 MiB, eligible "
			 "0.0 MiB, huge 0.0 MiB (0% of eligible) in 0.0 ms "
			 "(strategy auto, THP madvise)");
	free(s);
}

/* -v: the summary first, then objects of 2 MiB of text or more. */
Test(report, brief_lines)
{
	char *line[8];
	size_t len, n;
	char *s;

	snprintf(objs[2].detail, sizeof(objs[2].detail), "no");
	s = render(ht_report_brief, &run, &len);
	n = check_lines(s, line, 8);
	cr_assert_eq(n, 3, "%zu lines", n);
	cr_assert_str_eq(line[0], "bigtext: huge 48.0 of 48.0 MiB eligible "
			 "(100%), 3 objects, 53.3 MiB text, 12.3 ms");
	expect_in(line[1], "/usr/bin/bigtext: text 48.0 MiB, ");
	cr_assert_str_eq(line[2], "/tmp/libtextrel.so: text 4.0 MiB: "
			 "textrel: no");
	cr_assert_null(strstr(s, "libc"));
	free(s);
}

/* The reason of the object that lost most; a dry run says so. */
Test(report, brief_partial_and_dry_run)
{
	char *line[8];
	size_t len, n;
	char *s;

	objs[0].parts[0].target.pmd_after = 12 * MiB;
	objs[0].parts[0].target.reason = HT_R_PARTIAL;
	run.dry_run = true;
	s = render(ht_report_brief, &run, &len);
	n = check_lines(s, line, 8);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(line[0], "bigtext: huge 12.0 of 48.0 MiB eligible "
			 "(25%, partial), 3 objects, 53.3 MiB text, 12.3 ms, "
			 "dry run");
	free(s);
}

/* A dlopen pass: its big objects only, the summary came at start-up. */
Test(report, brief_dlopen)
{
	char *line[8];
	size_t len, n;
	char *s;

	run.trigger = HT_TRIGGER_DLOPEN;
	s = render(ht_report_brief, &run, &len);
	n = check_lines(s, line, 8);
	cr_assert_eq(n, 2);
	expect_in(line[0], "/usr/bin/bigtext: text 48.0 MiB, ");
	run.obj = &objs[1];
	run.nobj = 1;
	free(s);
	s = render(ht_report_brief, &run, &len);
	cr_assert_eq(len, 0, "a small library's dlopen said: %s", s);
	free(s);
}

Test(report, brief_nothing_eligible)
{
	char *line[4];
	size_t len, n;
	char *s;

	run.obj = &objs[1];
	run.nobj = 1;
	s = render(ht_report_brief, &run, &len);
	n = check_lines(s, line, 4);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(line[0], "libc.so.6: nothing eligible (too-small), "
			 "1 object, 1.3 MiB text, 12.3 ms");
	free(s);
}

Test(report, write_errors)
{
	int fd[2];

	cr_assert_eq(ht_report_json(&run, -1), -EBADF);
	cr_assert_eq(ht_report_human(&run, -1), -EBADF);
	fd[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd[0], 0);
	cr_assert_eq(ht_report_json(&run, fd[0]), -EBADF);
	close(fd[0]);

	/* A pipe nobody reads: EPIPE (SIGPIPE ignored here). */
	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(pipe(fd), 0);
	close(fd[0]);
	cr_assert_eq(ht_report_json(&run, fd[1]), -EPIPE);
	cr_assert_eq(ht_report_human(&run, fd[1]), -EPIPE);
	close(fd[1]);
}
