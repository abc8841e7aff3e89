// SPDX-License-Identifier: MIT
/*
 * cmd_prime.c - hugetext prime [options] FILE...
 *
 * Make the page cache of each ELF file's eligible executable spans huge,
 * so that every process that maps the text later (2 MiB-congruently)
 * gets PMD mappings on fault, with or without hugetext.  For systemd:
 * ExecStartPre=hugetext prime /usr/sbin/server.
 *
 * Exit status: 0 every eligible span is huge, 1 some are not, 2 a file
 * could not be read or a bad option.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "holders.h"
#include "header.h"
#include "jsonout.h"
#include "prime.h"

static const char *prog = "hugetext prime";

static void usage(FILE *f)
{
	fprintf(f,
"Usage: hugetext prime [options] FILE...\n"
"Make the page cache of each ELF FILE's executable text huge.\n"
"\n"
"The text's page cache is put on 2 MiB folios, so that every process\n"
"that maps it later gets huge pages; nothing needs to be running.\n"
"\n"
"Options:\n"
"  -s, --strategy=NAME  auto (default), collapse, refault or none\n"
"  -n, --dry-run        check only; change nothing\n"
"  -j, --json           one JSON object per file, one per line\n"
"  -q, --quiet          no output; the exit status says it all\n"
"      --strict         exit 1 when some eligible text is not huge\n"
"  -h, --help           show this help and exit\n"
"\n"
"Exit status: 0 every file was read and primed as far as its page cache\n"
"allows (text that running processes map on small pages stays small:\n"
"said, not failed, so that ExecStartPre= never stops a service for it);\n"
"1 with --strict when some eligible text is not huge; 2 a file could\n"
"not be read, or bad usage.  See hugetext(1).\n");
}

static double mib(uint64_t b)
{
	return (double)b / 1048576.0;
}

/*
 * For a page cache kept small (page-cache-busy): "; mapped with small
 * pages by PID (COMM): fix: ..." on @f, naming the processes that keep
 * it so; nothing when none is found.
 */
static void say_holders(FILE *f, const char *path, const struct ht_object *o)
{
	struct ht_file_range r[HT_ELF_MAX_EXEC];
	struct ht_holders h;
	char who[256], fix[256];
	size_t i, n = 0;
	int fd;

	for (i = 0; i < o->nparts; i++) {
		const struct ht_part *p = &o->parts[i];

		if (!p->attempted || p->target.reason != HT_R_CACHE_BUSY)
			continue;
		r[n].offset = p->spans.offset;
		r[n++].len = ht_spans_bytes(&p->spans);
	}
	fd = n ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK) : -1;
	if (fd < 0)
		return;
	if (!ht_find_holders(fd, r, n, &h) && h.n) {
		ht_holders_text(&h, who, sizeof(who), fix, sizeof(fix));
		fprintf(f, "; mapped with small pages by %s: fix: %s", who,
			fix);
	}
	close(fd);
}

static void print_human(const char *path, const struct ht_prime_result *r)
{
	const struct ht_part *s = ht_object_main_part(&r->obj);
	struct ht_totals t;
	enum ht_reason why;

	ht_object_totals(&r->obj, &t);
	printf("%s: text %.1f MiB, eligible %.1f MiB", path, mib(t.text),
	       mib(t.eligible));
	if (!t.eligible) {
		why = r->obj.nparts ? r->obj.parts[0].span_reason :
		      HT_R_TOO_SMALL;
		printf(": %s: %s\n", ht_reason_name(why), ht_reason_text(why));
		return;
	}
	printf(", huge in page cache %.1f MiB (%.0f%%)", mib(t.huge),
	       100.0 * (double)t.huge / (double)t.eligible);
	if (s)
		printf(" via %s", ht_route_name(s->target.route));
	printf(" in %.1f ms", (double)r->usec / 1000.0);
	if (s && s->target.reason != HT_R_NONE)
		printf(": %s: %s%s%s", ht_reason_name(s->target.reason),
		       ht_reason_text(s->target.reason),
		       s->target.err ? ": " : "",
		       s->target.err ? strerror(s->target.err) : "");
	if (s && s->target.reason == HT_R_CACHE_BUSY)
		say_holders(stdout, path, &r->obj);
	printf("\n");
}

static int print_json(const char *path, const struct ht_prime_result *r,
		      int ret)
{
	static struct ht_who who;	/* this command's, read once */
	struct ht_buf b = HT_BUF_INIT;
	struct ht_totals t;
	struct ht_jw w;
	size_t i;
	int err;

	if (!who.pid)
		ht_who_read(0, &who);
	ht_jw_init(&w, &b);
	ht_jw_open(&w, NULL);
	ht_jw_header(&w, &who);
	ht_jw_str(&w, "path", path);
	if (ret && ret != -EAGAIN) {
		ht_jw_str(&w, "error", r->err);
		goto out;
	}
	ht_object_totals(&r->obj, &t);
	ht_jw_u64(&w, "file_bytes", t.text);
	ht_jw_u64(&w, "eligible_bytes", t.eligible);
	ht_jw_u64(&w, "huge_bytes", t.huge);
	ht_jw_u64(&w, "usec", r->usec);
	ht_jw_array_open(&w, "segments");
	for (i = 0; i < r->obj.nparts; i++) {
		const struct ht_part *s = &r->obj.parts[i];
		enum ht_reason why = s->span_reason != HT_R_NONE ?
				     s->span_reason : s->target.reason;

		ht_jw_open(&w, NULL);
		ht_jw_u64(&w, "offset", s->offset);
		/* The file's range: its size is p_filesz, not a mapping's. */
		ht_jw_u64(&w, "file_bytes", s->len);
		ht_jw_u64(&w, "eligible_start", s->spans.start);
		ht_jw_u64(&w, "eligible_bytes", ht_spans_bytes(&s->spans));
		if (s->attempted) {
			ht_jw_str(&w, "route", ht_route_name(s->target.route));
			ht_jw_u64(&w, "huge_bytes", s->target.pmd_after);
			ht_jw_int(&w, "errno", s->target.err);
			ht_jw_u64(&w, "usec", s->target.usec);
		}
		ht_jw_reason(&w, "reason", why);
		ht_jw_close(&w);
	}
	ht_jw_array_close(&w);
out:
	ht_jw_close(&w);
	ht_buf_putc(&b, '\n');
	err = ht_json_print(&b, stdout);
	ht_buf_free(&b);
	if (err)
		fprintf(stderr, "%s: out of memory\n", prog);
	return err;
}

int ht_cmd_prime(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "strategy", required_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ht_prime_result *res;
	struct ht_policy pol = { 0 };
	bool json = false, quiet = false, strict = false;
	int c, i, status = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:s:njqh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			if (ht_strategy_parse(optarg, &pol.strategy))
				return ht_usage_error(prog, HT_EXIT_FAIL,
						      "invalid --strategy '%s': "
						      "use auto, collapse, "
						      "refault or none", optarg);
			/* A private copy leaves no page cache huge. */
			if (ht_policy_cache_only(&pol) != HT_R_NONE)
				return ht_usage_error(prog, HT_EXIT_FAIL, "%s",
					ht_reason_text(HT_R_COPY_NO_CACHE));
			break;
		case 'n':
			pol.dry_run = true;
			break;
		case 'j':
			json = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'S':
			strict = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return ht_getopt_error(prog, HT_EXIT_FAIL, c, argv);
		}
	}
	if (optind >= argc)
		return ht_usage_error(prog, HT_EXIT_FAIL, "no FILE given");
	res = malloc(sizeof(*res));
	if (!res) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return HT_EXIT_FAIL;
	}
	ht_thp_env_read(&pol.thp);
	for (i = optind; i < argc; i++) {
		int ret = ht_prime_file(argv[i], &pol, res);

		if (ret && ret != -EAGAIN) {
			fprintf(stderr, "%s: %s\n", prog, res->err);
			status = HT_EXIT_FAIL;
			if (json && !quiet)
				print_json(argv[i], res, ret);
			continue;
		}
		/* Not huge, but read and primed as far as can be: a state. */
		if (ret && strict && status == 0)
			status = 1;
		if (quiet)
			continue;
		if (json) {
			if (print_json(argv[i], res, ret))
				status = HT_EXIT_FAIL;
		} else
			print_human(argv[i], res);
	}
	free(res);
	return status;
}

/*
 * A static program cannot load a preload, but the page cache is shared:
 * prime its text before exec, and its own faults map the huge folios;
 * only where it will map them 2 MiB-congruently (check's placement),
 * and the line says what the process will map, not what the cache holds.
 */
void ht_prime_static(const char *path, enum ht_strategy strategy,
		     bool dry_run, bool verbose)
{
	struct ht_policy pol = { .strategy = strategy, .dry_run = dry_run };
	struct ht_prime_result *res;
	struct ht_placement *pl;
	struct ht_totals t;
	char why_text[256];
	int ret;

	res = malloc(sizeof(*res));
	pl = malloc(sizeof(*pl));
	if (!res || !pl)
		goto out;
	ht_thp_env_read(&pol.thp);
	ret = ht_prime_program(path, &pol, res, pl);
	if (!verbose)
		goto out;
	ht_object_totals(&res->obj, &t);
	if (ret && ret != -EAGAIN) {
		fprintf(stderr, "hugetext: %s is statically linked: not "
			"primed: %s\n", path, res->err);
	} else if (!t.eligible) {
		/* Nothing it can map huge: nothing was done, and why. */
		fprintf(stderr, "hugetext: %s is statically linked: not "
			"primed: no 2 MiB page can map its text where the "
			"kernel loads it: %s: %s\n", path,
			ht_reason_name(pl->reason),
			ht_place_reason_text(pl, pl->reason, why_text,
					     sizeof(why_text)));
	} else {
		const struct ht_part *s = ht_object_main_part(&res->obj);
		enum ht_reason why = s ? s->target.reason : HT_R_NONE;

		fprintf(stderr, "hugetext: %s is statically linked: primed "
			"its page cache instead of preloading: eligible %.1f "
			"MiB, huge %.1f MiB", path,
			(double)t.eligible / 1048576.0,
			(double)t.huge / 1048576.0);
		if (why != HT_R_NONE)
			fprintf(stderr, ": %s: %s", ht_reason_name(why),
				ht_reason_text(why));
		if (why == HT_R_CACHE_BUSY)
			say_holders(stderr, path, &res->obj);
		fputc('\n', stderr);
	}
out:
	free(pl);
	free(res);
}
