// SPDX-License-Identifier: MIT
/*
 * test_remote.c - unit tests for acting on another process (remote.h).
 *
 * `hugetext status PID` and `hugetext --pid PID` read and change a
 * running program from outside; what they report must be what the
 * program's own /proc/PID/smaps says, and the program must not notice.
 * The target is a child started here from a program compiled at test
 * time (8 MiB of small functions, PIE linked for 2 MiB-aligned text),
 * copied with 4 KiB writes to a fresh file (small folios), on a tmpfs
 * mounted huge=advise (where process_madvise(MADV_COLLAPSE) works) and
 * on the root ext4 (where it does not on this kernel: without --inject
 * the process is left as it was, needs-inject; with it, page-out, prime
 * and a zap from inside make it huge).  It prints a checksum of calling
 * every function, again for each line it reads, and exits with status 7.
 *
 * Covered: ht_remote_scan() finds the object, its part, its eligible
 * spans (computed here from the child's maps) and the bytes PMD-mapped
 * (read here from its smaps); ht_remote_make_huge() with dry_run and
 * strategy none changes nothing, with auto makes the text huge (tmpfs,
 * verified in the child's smaps) or the page cache huge (ext4, verified
 * through a mapping of our own and in a second child, which maps it
 * with PMDs on its own), also when some of the text was read in just
 * before on another CPU; strategy copy reports only what is true; the
 * child's THP switch (PR_SET_THP_DISABLE) is the child's, not ours; a
 * process that does not exist, exited, or is a zombie gives -ESRCH;
 * the child's output and exit status are the same.  Children are
 * killed and reaped on every path.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "linux-compat.h"
#include "remote.h"
#include "report.h"
#include "smaps.h"
#include "spans.h"
#include "text_collapse.h"

#define TEXT_MIB	8
#define FN_STRIDE	(64 * 1024)	/* one function per 64 KiB */
#define EXIT_STATUS	7

/* ------------------------------------------------------------------ */
/* Scratch directories; a tmpfs of our own. */

static const char *dir;		/* on the root ext4: build, ext4 copy */

/* Children started by a test, killed and reaped by the teardown. */
#define MAX_KIDS 4

struct kid {
	pid_t pid;
	int in;			/* its stdin (we write) */
	FILE *out;		/* its stdout */
	int err;		/* its stderr */
};

static struct kid kids[MAX_KIDS];
static int nkids;

static void setup(void)
{
	dir = scratch_setup("/var/tmp", "ht-remote");
}

static void teardown(void)
{
	int i;

	for (i = 0; i < nkids; i++) {
		if (kids[i].pid > 0) {
			kill(kids[i].pid, SIGKILL);
			waitpid(kids[i].pid, NULL, 0);
		}
		if (kids[i].in >= 0)
			close(kids[i].in);
		if (kids[i].out)
			fclose(kids[i].out);
		if (kids[i].err >= 0)
			close(kids[i].err);
	}
	nkids = 0;
	tmpfs_unmount_all();
	scratch_teardown();
}

static void need_privilege(void)
{
	if (geteuid() != 0)
		cr_skip_test("process_madvise() on another process needs "
			     "CAP_SYS_NICE: not root");
}

/* ------------------------------------------------------------------ */
/* The target program. */

static const char prog_c[] =
	"#include <stdio.h>\n"
	"typedef long (*fn_t)(long);\n"
	"extern const fn_t fn_table[];\n"
	"extern const long fn_count;\n"
	"static long run(void)\n"
	"{\n"
	"	long s = 0, i;\n"
	"	for (i = 0; i < fn_count; i++)\n"
	"		s += fn_table[i](s & 0xffff);\n"
	"	return s;\n"
	"}\n"
	"int main(void)\n"
	"{\n"
	"	char line[64];\n"
	"	printf(\"ready %lx %ld\\n\", run(), fn_count);\n"
	"	fflush(stdout);\n"
	"	while (fgets(line, sizeof(line), stdin)) {\n"
	"		printf(\"sum %lx\\n\", run());\n"
	"		fflush(stdout);\n"
	"	}\n"
	"	printf(\"bye\\n\");\n"
	"	return 7;\n"
	"}\n";

/* TEXT_MIB MiB of functions, one each FN_STRIDE, and their table. */
static void write_text_s(const char *path)
{
	unsigned int n = TEXT_MIB * MiB / FN_STRIDE, i;
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fprintf(f, "\t.text\n");
	for (i = 0; i < n; i++)
		fprintf(f, "\t.p2align 16, 0xcc\nf%u:\n"
			"\tlea %u(%%rdi,%%rdi,2), %%rax\n\tret\n", i, i);
	fprintf(f, "\t.section .data.rel.ro,\"aw\"\n\t.p2align 3\n"
		"\t.globl fn_table\nfn_table:\n");
	for (i = 0; i < n; i++)
		fprintf(f, "\t.quad f%u\n", i);
	fprintf(f, "\t.section .rodata\n\t.p2align 3\n\t.globl fn_count\n"
		"fn_count:\n\t.quad %u\n"
		"\t.section .note.GNU-stack,\"\",@progbits\n", n);
	cr_assert_eq(fclose(f), 0);
}

/* The checksum the program prints: what it computes, done here. */
static unsigned long want_sum(void)
{
	long s = 0, i, n = TEXT_MIB * MiB / FN_STRIDE;

	for (i = 0; i < n; i++)
		s += 3 * (s & 0xffff) + i;
	return (unsigned long)s;
}

/*
 * Build the program in the scratch directory and put a small-folio copy
 * of it at @where/prog.
 */
static void program_in(const char *where, char *path, size_t size)
{
	char src[128], built[128];

	need_cc("the target program");
	scratch_write("prog.c", prog_c);
	scratch_path(src, sizeof(src), "text.S");
	write_text_s(src);
	must_cc("-O2 " ALIGNED_PIE_FLAGS, "prog.built", "prog.c text.S");
	scratch_path(built, sizeof(built), "prog.built");
	snprintf(path, size, "%s/prog", where);
	copy_small(built, path);
}

/* ------------------------------------------------------------------ */
/* Children. */

/* Start @path with pipes on its standard streams; THP off if @nothp. */
static struct kid *start(const char *path, bool nothp)
{
	int in[2], out[2], err[2];
	struct kid *k;
	pid_t pid;

	cr_assert_lt(nkids, MAX_KIDS);
	cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(err, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* Never outlive the test, whatever happens to it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (nothp)
			prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	k = &kids[nkids++];
	k->pid = pid;
	close(in[0]);
	close(out[1]);
	close(err[1]);
	k->in = in[1];
	k->out = fdopen(out[0], "r");
	cr_assert_not_null(k->out);
	k->err = err[0];
	return k;
}

/* One line from @k within 10 s, newline removed. */
static void read_line(struct kid *k, char *line, size_t size)
{
	struct pollfd p = { fileno(k->out), POLLIN, 0 };
	size_t n;

	cr_assert_eq(poll(&p, 1, 10000), 1, "child %d said nothing",
		     (int)k->pid);
	cr_assert_not_null(fgets(line, (int)size, k->out),
			   "child %d: end of output", (int)k->pid);
	n = strlen(line);
	cr_assert(n > 0 && line[n - 1] == '\n', "\"%s\"", line);
	line[n - 1] = '\0';
}

/* Wait for "ready": the program has run all of its functions once. */
static void wait_ready(struct kid *k)
{
	char line[128], want[64];

	read_line(k, line, sizeof(line));
	snprintf(want, sizeof(want), "ready %lx %" PRIu64, want_sum(),
		 TEXT_MIB * MiB / FN_STRIDE);
	cr_assert_str_eq(line, want);
}

/* Make it run every function again; the same checksum. */
static void kick(struct kid *k)
{
	char line[128], want[64];

	cr_assert_eq(write(k->in, "go\n", 3), 3);
	read_line(k, line, sizeof(line));
	snprintf(want, sizeof(want), "sum %lx", want_sum());
	cr_assert_str_eq(line, want);
}

/* End it the program's way: its last words, its status, nothing else. */
static void finish(struct kid *k)
{
	char line[128], rest[256];
	int status;
	ssize_t n;

	close(k->in);
	k->in = -1;
	read_line(k, line, sizeof(line));
	cr_assert_str_eq(line, "bye");
	cr_assert_null(fgets(rest, sizeof(rest), k->out), "more output: %s",
		       rest);
	cr_assert_eq(waitpid(k->pid, &status, 0), k->pid);
	k->pid = 0;
	cr_assert(WIFEXITED(status), "status %#x", status);
	cr_assert_eq(WEXITSTATUS(status), EXIT_STATUS);
	n = read(k->err, rest, sizeof(rest) - 1);
	cr_assert_eq(n, 0, "stderr: %.*s", (int)(n > 0 ? n : 0), rest);
}

/* ------------------------------------------------------------------ */
/* The child as its own /proc says. */

struct seen {
	unsigned int nexec;	/* executable mappings of the file */
	uint64_t start, end, pgoff;	/* the first one */
	uint64_t pmd;		/* FilePmdMapped + ShmemPmdMapped, all */
	uint64_t anon;		/* Anonymous: of the executable one */
};

static void seen_in(pid_t pid, const char *path, struct seen *s)
{
	char name[64], line[PATH_MAX + 128];
	bool cur = false, exec = false;
	FILE *f;

	memset(s, 0, sizeof(*s));
	snprintf(name, sizeof(name), "/proc/%d/smaps", (int)pid);
	f = fopen(name, "re");
	cr_assert_not_null(f, "%s: %s", name, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b, off, kb;
		char perms[8], p[PATH_MAX];
		int n;

		p[0] = '\0';
		n = sscanf(line, "%llx-%llx %7s %llx %*s %*u %4095s", &a, &b,
			   perms, &off, p);
		if (n >= 4 && strchr(line, '-') < strchr(line, ' ')) {
			cur = n == 5 && !strcmp(p, path);
			exec = cur && perms[2] == 'x';
			if (exec && !s->nexec++) {
				s->start = a;
				s->end = b;
				s->pgoff = off;
			}
			continue;
		}
		if (!cur)
			continue;
		if (sscanf(line, "FilePmdMapped: %llu kB", &kb) == 1 ||
		    sscanf(line, "ShmemPmdMapped: %llu kB", &kb) == 1)
			s->pmd += kb * KiB;
		else if (exec && sscanf(line, "Anonymous: %llu kB", &kb) == 1)
			s->anon += kb * KiB;
	}
	fclose(f);
	cr_assert_eq(s->nexec, 1, "%s: %u executable mappings in %d", path,
		     s->nexec, (int)pid);
}

/* The whole congruent 2 MiB spans of the mapping @s saw. */
static void spans_of(const struct seen *s, uint64_t *start, uint64_t *end)
{
	cr_assert_eq((s->start - s->pgoff) & HT_HPAGE_MASK, 0,
		     "text at %#" PRIx64 " from offset %#" PRIx64
		     ": not congruent", s->start, s->pgoff);
	*start = (s->start + HT_HPAGE_MASK) & ~HT_HPAGE_MASK;
	*end = s->end & ~HT_HPAGE_MASK;
	cr_assert_geq(*end - *start, 4 * MiB);
}

/* The object of @path in @run, with its one executable part. */
static struct ht_object *object_of(struct ht_run *run, const char *path)
{
	size_t i;

	for (i = 0; i < run->nobj; i++)
		if (!strcmp(run->obj[i].path, path))
			return &run->obj[i];
	cr_assert_fail("%s not found in the scan of %d", path, (int)run->pid);
	return NULL;
}

/*
 * Scan @k and check the result against its smaps; returns the object
 * of @path in @run (freed by the caller with ht_run_free()).
 */
static struct ht_object *scan(struct kid *k, const char *path,
			      struct ht_run *run)
{
	struct ht_totals tot;
	struct ht_object *o;
	struct ht_part *p;
	struct seen s;
	uint64_t s0, s1;
	size_t i;
	int ret;

	ret = ht_remote_scan(k->pid, run);
	cr_assert_eq(ret, 0, "ht_remote_scan(%d): %d", (int)k->pid, ret);
	seen_in(k->pid, path, &s);
	spans_of(&s, &s0, &s1);
	cr_assert_eq(run->pid, k->pid);
	cr_assert_eq(run->trigger, HT_TRIGGER_OUTSIDE);
	cr_assert_geq(run->nobj, 2, "the program and at least libc");
	for (i = 0; i < run->nobj; i++)
		cr_assert_eq(run->obj[i].path[0], '/', "%s",
			     run->obj[i].path);
	o = object_of(run, path);
	cr_assert_eq(o->nexec, 1);
	cr_assert_eq(o->nparts, 1);
	cr_assert_eq(o->text_bytes, s.end - s.start);
	p = &o->parts[0];
	cr_assert_eq(p->vaddr, s.start);
	cr_assert_eq(p->len, s.end - s.start);
	cr_assert_eq(p->offset, s.pgoff);
	cr_assert_eq(p->span_reason, HT_R_NONE);
	cr_assert(p->attempted);
	cr_assert_eq(p->spans.start, s0);
	cr_assert_eq(p->spans.end, s1);
	cr_assert_eq(p->target.start, s0);
	cr_assert_eq(p->target.end, s1);
	cr_assert_eq(p->target.offset, s.pgoff + (s0 - s.start));
	cr_assert_eq(p->target.route, HT_ROUTE_NONE);
	/* Every PMD of the mapping lies in its spans. */
	cr_assert_eq(p->target.pmd_after, s.pmd);
	cr_assert_eq(p->target.pmd_before, s.pmd);
	cr_assert_eq(p->target.reason, s.pmd == s1 - s0 ? HT_R_NONE :
		     HT_R_SMALL_PAGES, "%s", ht_reason_name(p->target.reason));
	ht_object_totals(o, &tot);
	cr_assert_eq(tot.eligible, s1 - s0);
	cr_assert_eq(tot.huge, s.pmd);
	return o;
}

/*
 * THP as the system says, no budget; the THP switch that counts is the
 * target's (target_thp_disabled), not ours.
 */
static void policy_of(struct ht_policy *pol, enum ht_strategy s)
{
	thp_policy(pol, s, false, "");
}

/* dry_run and strategy none: the reason said, nothing changed. */
static void check_holds_back(struct kid *k, const char *path)
{
	static const struct {
		enum ht_strategy s;
		bool dry;
		enum ht_reason why;
	} cases[] = {
		{ HT_STRATEGY_AUTO, true, HT_R_DRY_RUN },
		{ HT_STRATEGY_REFAULT, true, HT_R_DRY_RUN },
		{ HT_STRATEGY_NONE, false, HT_R_STRATEGY_NONE },
	};
	struct ht_policy pol;
	struct ht_object *o;
	struct ht_run run;
	struct seen s;
	uint64_t s0, s1;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		o = scan(k, path, &run);
		s0 = o->parts[0].spans.start;
		s1 = o->parts[0].spans.end;
		policy_of(&pol, cases[i].s);
		pol.dry_run = cases[i].dry;
		ret = ht_remote_make_huge(k->pid, &run, &pol);
		o = object_of(&run, path);
		cr_assert_eq(ret, -EAGAIN, "case %zu: %d", i, ret);
		cr_assert_eq(o->parts[0].target.reason, cases[i].why,
			     "case %zu: %s", i,
			     ht_reason_name(o->parts[0].target.reason));
		cr_assert_eq(o->parts[0].target.route, HT_ROUTE_NONE);
		cr_assert_eq(o->parts[0].target.pmd_after, 0);
		cr_assert_eq(run.dry_run, cases[i].dry);
		cr_assert_eq(run.strategy, cases[i].s);
		ht_run_free(&run);
		seen_in(k->pid, path, &s);
		cr_assert_eq(s.pmd, 0);
		cr_assert_eq(s.anon, 0);
	}
	/* Nor was the page cache made huge behind its back. */
	seen_in(k->pid, path, &s);
	spans_of(&s, &s0, &s1);
	cr_assert_eq(page_cache_huge(path, s.pgoff + (s0 - s.start),
				     s1 - s0), 0);
	kick(k);
}

/*
 * The routes of --pid with strategy @st over @run, a scan() of @k: *@ret
 * gets ht_remote_make_huge()'s return, *@s the child's smaps after it.
 * Returns the target of @path's text, which must report what the
 * child's smaps says.
 */
static struct ht_target *run_routes(struct kid *k, const char *path,
				    struct ht_run *run, enum ht_strategy st,
				    bool inject, struct seen *s, int *ret)
{
	struct ht_policy pol;
	struct ht_target *t;

	policy_of(&pol, st);
	pol.inject = inject;
	*ret = ht_remote_make_huge(k->pid, run, &pol);
	t = &object_of(run, path)->parts[0].target;
	seen_in(k->pid, path, s);
	cr_assert_eq(t->pmd_after, s->pmd);
	return t;
}

TestSuite(remote, .init = setup, .fini = teardown);

/* ------------------------------------------------------------------ */

/* tmpfs: process_madvise(MADV_COLLAPSE) makes the running text huge. */
Test(remote, tmpfs_collapse)
{
	struct ht_policy pol;
	struct ht_object *o;
	struct ht_run run;
	struct kid *k;
	struct seen s;
	const char *shm;
	char path[128];
	uint64_t len;
	int ret;

	need_privilege();
	shm = tmpfs_mount("ht-remote-shm", "huge=advise,size=64m,mode=0700");
	program_in(shm, path, sizeof(path));
	k = start(path, false);
	wait_ready(k);

	o = scan(k, path, &run);
	cr_assert_eq(o->parts[0].target.pmd_before, 0, "small folios only");
	ht_run_free(&run);
	check_holds_back(k, path);

	o = scan(k, path, &run);
	len = o->parts[0].spans.end - o->parts[0].spans.start;
	policy_of(&pol, HT_STRATEGY_AUTO);
	ret = ht_remote_make_huge(k->pid, &run, &pol);
	o = object_of(&run, path);
	cr_assert_eq(ret, 0, "%d: %s", ret,
		     ht_reason_name(o->parts[0].target.reason));
	cr_assert_eq(o->parts[0].target.route, HT_ROUTE_COLLAPSE, "%s",
		     ht_route_name(o->parts[0].target.route));
	cr_assert_eq(o->parts[0].target.reason, HT_R_NONE);
	cr_assert_eq(o->parts[0].target.pmd_after, len);
	ht_run_free(&run);
	/* The child's own smaps, now and after it ran all its code again. */
	seen_in(k->pid, path, &s);
	cr_assert_eq(s.pmd, len, "%" PRIu64 " of %" PRIu64 " PMD-mapped",
		     s.pmd, len);
	kick(k);
	seen_in(k->pid, path, &s);
	cr_assert_eq(s.pmd, len);
	cr_assert_eq(s.anon, 0);

	/* Asked again: already. */
	o = scan(k, path, &run);
	cr_assert_eq(ht_remote_make_huge(k->pid, &run, &pol), 0);
	o = object_of(&run, path);
	cr_assert_eq(o->parts[0].target.route, HT_ROUTE_ALREADY);
	ht_run_free(&run);
	finish(k);
}

/*
 * ext4 without READ_ONLY_THP_FOR_FS: collapse refused.  Without
 * --inject nothing from outside can give the process PMDs, so it is
 * left as it was and told what would (needs-inject).  With --inject:
 * page-out and prime, then the zap from inside: the running process
 * maps all of it with PMDs, and so does a new one.  With
 * CONFIG_READ_ONLY_THP_FOR_FS the collapse works and the text is huge
 * at once.
 */
Test(remote, ext4_page_out_and_prime)
{
	struct ht_object *o;
	struct ht_target *t;
	struct ht_run run;
	struct kid *k, *k2;
	struct seen s;
	char path[128];
	uint64_t len, off;
	int ret;

	need_privilege();
	program_in(dir, path, sizeof(path));
	k = start(path, false);
	wait_ready(k);
	check_holds_back(k, path);

	o = scan(k, path, &run);
	t = &o->parts[0].target;
	len = t->end - t->start;
	off = t->offset;
	t = run_routes(k, path, &run, HT_STRATEGY_AUTO, false, &s, &ret);
	if (kernel_collapses_files() == 0)
		cr_assert_neq(t->route, HT_ROUTE_COLLAPSE);
	if (t->route == HT_ROUTE_COLLAPSE) {
		cr_assert_eq(ret, 0, "%s", ht_reason_name(t->reason));
		cr_assert_eq(s.pmd, len);
	} else {
		cr_assert_eq(t->route, HT_ROUTE_REFAULT, "%s",
			     ht_route_name(t->route));
		cr_assert_eq(ret, -EAGAIN, "%d", ret);
		cr_assert_eq(s.pmd, 0, "changed without --inject");
		cr_assert_eq(t->reason, HT_R_NEEDS_INJECT, "reason %s, err %d",
			     ht_reason_name(t->reason), t->err);
		ht_run_free(&run);
		kick(k);
		/* --inject: all of it, in the process's own mappings. */
		o = scan(k, path, &run);
		t = run_routes(k, path, &run, HT_STRATEGY_AUTO, true, &s,
			       &ret);
		cr_assert_eq(t->route, HT_ROUTE_INJECT, "%s",
			     ht_route_name(t->route));
		cr_assert_eq(ret, 0, "%d: %s", ret, ht_reason_name(t->reason));
		cr_assert_eq(s.pmd, len, "--inject: %" PRIu64 " of %" PRIu64
			     " PMD-mapped", s.pmd, len);
		cr_assert_eq(t->reason, HT_R_NONE, "%s",
			     ht_reason_name(t->reason));
		cr_assert_gt(run.stop_usec, 0);
	}
	cr_assert_eq(s.anon, 0);
	ht_run_free(&run);
	/* The page cache is huge: what new processes will map. */
	cr_assert_eq(page_cache_huge(path, off, len), len);
	/* The child ran on, unharmed. */
	kick(k);

	/* A new process maps the huge folios with PMDs on its own. */
	k2 = start(path, false);
	wait_ready(k2);
	seen_in(k2->pid, path, &s);
	cr_assert_eq(s.pmd, len, "a new process: %" PRIu64 " of %" PRIu64
		     " PMD-mapped", s.pmd, len);
	o = scan(k2, path, &run);
	cr_assert_eq(o->parts[0].target.reason, HT_R_NONE);
	ht_run_free(&run);
	finish(k2);
	kick(k);
	finish(k);
}

/*
 * --pid --strategy=copy: nothing can copy text into another process, so
 * the strategy cannot do there what it says.  Whatever is done, what is
 * reported must hold: "remote-small-mappings" says the page cache is
 * huge now.
 */
Test(remote, copy_reports_what_is_true)
{
	struct ht_object *o;
	struct ht_target *t;
	struct ht_run run;
	struct kid *k;
	struct seen s;
	char path[128];
	uint64_t len, off, cache;
	int ret;

	need_privilege();
	program_in(dir, path, sizeof(path));
	k = start(path, false);
	wait_ready(k);
	o = scan(k, path, &run);
	t = &o->parts[0].target;
	len = t->end - t->start;
	off = t->offset;
	t = run_routes(k, path, &run, HT_STRATEGY_COPY, false, &s, &ret);
	cache = page_cache_huge(path, off, len);
	if (t->reason == HT_R_REMOTE_PTE || t->reason == HT_R_NONE)
		cr_assert_eq(cache, len, "--pid -s copy: %d, route %s, reason "
			     "%s, but the page cache has %" PRIu64 " of %"
			     PRIu64 " bytes huge", ret,
			     ht_route_name(t->route),
			     ht_reason_name(t->reason), cache, len);
	ht_run_free(&run);
	kick(k);
	finish(k);
}

/* The child's THP switch is the child's: ours is on. */
Test(remote, target_thp_disabled)
{
	struct ht_policy pol;
	struct ht_object *o;
	struct ht_run run;
	struct kid *k;
	struct seen s;
	char path[128];

	need_privilege();
	program_in(dir, path, sizeof(path));
	k = start(path, true);
	wait_ready(k);
	o = scan(k, path, &run);
	cr_assert(run.thp.prctl_disabled);
	policy_of(&pol, HT_STRATEGY_AUTO);
	cr_assert_not(pol.thp.prctl_disabled);
	pol.thp = run.thp;	/* as --pid does: the target's */
	cr_assert_eq(ht_remote_make_huge(k->pid, &run, &pol), -EAGAIN);
	o = object_of(&run, path);
	cr_assert_eq(o->parts[0].target.reason, HT_R_PRCTL, "%s",
		     ht_reason_name(o->parts[0].target.reason));
	ht_run_free(&run);
	seen_in(k->pid, path, &s);
	cr_assert_eq(s.pmd, 0);
	kick(k);
	finish(k);

	/* And a child with THP on says so. */
	k = start(path, false);
	wait_ready(k);
	scan(k, path, &run);
	cr_assert_not(run.thp.prctl_disabled);
	ht_run_free(&run);
	finish(k);
}

/* This process itself (pid 0): the test binary's own text is found. */
Test(remote, self)
{
	char exe[PATH_MAX];
	struct ht_run run;
	size_t i;
	bool found = false;

	cr_assert_not_null(realpath("/proc/self/exe", exe));
	cr_assert_eq(ht_remote_scan(0, &run), 0);
	cr_assert_eq(run.pid, getpid());
	for (i = 0; i < run.nobj; i++)
		if (!strcmp(run.obj[i].path, exe)) {
			found = true;
			cr_assert_geq(run.obj[i].nparts, 1);
		}
	cr_assert(found, "%s not in the scan of ourselves", exe);
	ht_run_free(&run);
	cr_assert_eq(run.nobj, 0);
	cr_assert_null(run.obj);
}

/* ------------------------------------------------------------------ */
/* Processes that are not there. */

Test(remote, no_such_process)
{
	static struct ht_run run;
	struct ht_policy pol;
	int status;
	pid_t pid;

	/* Above any pid_max (at most 2^22). */
	memset(&run, 0x5a, sizeof(run));
	cr_assert_eq(ht_remote_scan(INT_MAX, &run), -ESRCH);
	cr_assert_eq(run.nobj, 0);
	cr_assert_null(run.obj);
	memset(&run, 0, sizeof(run));
	policy_of(&pol, HT_STRATEGY_AUTO);
	cr_assert_eq(ht_remote_make_huge(INT_MAX, &run, &pol), -ESRCH);

	/* A child that has exited and been reaped. */
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(ht_remote_scan(pid, &run), -ESRCH);
}

/* Scanned while it ran, gone before the routes: -ESRCH, nothing else. */
Test(remote, exits_between_scan_and_routes)
{
	struct ht_policy pol;
	struct ht_run run;
	struct kid *k;
	char path[128];
	int status, ret;

	need_privilege();
	program_in(dir, path, sizeof(path));
	k = start(path, false);
	wait_ready(k);
	scan(k, path, &run);
	kill(k->pid, SIGKILL);
	cr_assert_eq(waitpid(k->pid, &status, 0), k->pid);
	k->pid = 0;
	policy_of(&pol, HT_STRATEGY_AUTO);
	ret = ht_remote_make_huge(run.pid, &run, &pol);
	cr_assert_eq(ret, -ESRCH, "%d", ret);
	ht_run_free(&run);
}

/* Exited but not reaped (a zombie): its memory is gone too. */
Test(remote, zombie)
{
	struct ht_policy pol;
	struct ht_object *o;
	struct ht_run run;
	struct kid *k;
	char path[128];
	siginfo_t si;
	int ret;

	need_privilege();
	program_in(dir, path, sizeof(path));
	k = start(path, false);
	wait_ready(k);
	o = scan(k, path, &run);
	close(k->in);
	k->in = -1;
	/* Wait for the exit without reaping. */
	memset(&si, 0, sizeof(si));
	cr_assert_eq(waitid(P_PID, k->pid, &si, WEXITED | WNOWAIT), 0);
	cr_assert_eq(si.si_status, EXIT_STATUS);
	policy_of(&pol, HT_STRATEGY_AUTO);
	ret = ht_remote_make_huge(run.pid, &run, &pol);
	o = object_of(&run, path);
	cr_assert_eq(ret, -ESRCH, "%d, %s", ret,
		     ht_reason_name(o->parts[0].target.reason));
	cr_assert_eq(o->parts[0].target.reason, HT_R_EXITED, "%s",
		     ht_reason_name(o->parts[0].target.reason));
	ht_run_free(&run);
}

/*
 * Text the program faulted in just now on another CPU: its folios are
 * still in that CPU's LRU batch, off the LRU, which MADV_PAGEOUT skips
 * (the caller's lru_add_drain() empties only its own CPU's batches), so
 * they stay mapped in the process and cannot be dropped.  The route
 * must still leave the page cache huge, as it does for text read long
 * ago: the drop (POSIX_FADV_DONTNEED) empties every CPU's batches, so a
 * second page-out after it gets them.  Set up here by dropping 16 pages
 * of the text and reading them again from a thread on another CPU.
 */
struct reader {
	const char *path;
	uint64_t off;
	int cpu;
	int err;
};

static void *read_on_cpu(void *arg)
{
	struct reader *r = arg;
	static char buf[16 * PAGE];
	cpu_set_t set;
	int fd;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	r->err = sched_setaffinity(0, sizeof(set), &set) ? errno : 0;
	fd = open(r->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || r->err) {
		r->err = r->err ? r->err : errno;
		return NULL;
	}
	posix_fadvise(fd, (off_t)r->off, sizeof(buf), POSIX_FADV_DONTNEED);
	if (pread(fd, buf, sizeof(buf), (off_t)r->off) != sizeof(buf))
		r->err = EIO;
	close(fd);
	return NULL;
}

Test(remote, ext4_text_just_read_on_another_cpu)
{
	struct reader rd = { 0 };
	struct ht_object *o;
	struct ht_target *t;
	struct ht_run run;
	cpu_set_t set, one;
	struct kid *k;
	struct seen s;
	char path[128];
	uint64_t len, off;
	pthread_t th;
	int ret, here, i;

	need_privilege();
	cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	here = sched_getcpu();
	rd.cpu = -1;
	for (i = 0; i < CPU_SETSIZE && rd.cpu < 0; i++)
		if (i != here && CPU_ISSET(i, &set))
			rd.cpu = i;
	if (here < 0 || rd.cpu < 0)
		cr_skip_test("one CPU only: no other CPU's batch to be in");
	/* This process, and the child it starts, on this CPU only. */
	CPU_ZERO(&one);
	CPU_SET(here, &one);
	cr_assert_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	cr_assert_eq(sched_getcpu(), here);
	program_in(dir, path, sizeof(path));
	/* 4 MiB into the text: the child runs a function there. */
	rd.path = path;
	rd.off = 2 * MiB + 4 * MiB;
	cr_assert_eq(pthread_create(&th, NULL, read_on_cpu, &rd), 0);
	cr_assert_eq(pthread_join(th, NULL), 0);
	cr_assert_eq(rd.err, 0, "reader: %s", strerror(rd.err));
	k = start(path, false);
	wait_ready(k);

	o = scan(k, path, &run);
	t = &o->parts[0].target;
	len = t->end - t->start;
	off = t->offset;
	cr_assert_eq(off, 2 * MiB, "text expected at file offset 2 MiB");
	t = run_routes(k, path, &run, HT_STRATEGY_AUTO, true, &s, &ret);
	if (t->route != HT_ROUTE_COLLAPSE)
		cr_assert_neq(t->reason, HT_R_CACHE_BUSY, "%d: page-cache-busy"
			      " (nothing else maps the file): the pages "
			      "MADV_PAGEOUT skipped stayed mapped", ret);
	ht_run_free(&run);
	cr_assert_eq(page_cache_huge(path, off, len), len,
		     "the page cache is not huge");
	kick(k);
	finish(k);
}
