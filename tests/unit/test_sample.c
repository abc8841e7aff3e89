// SPDX-License-Identifier: MIT
/*
 * test_sample.c - unit tests for the sampler of hot spans (sample.h).
 *
 * ht_sample_spans() on a real program: tests/progs/bigtext (48 MiB of
 * 16 KiB functions, PIE with 2 MiB-aligned text) running -H, a loop
 * through a range of its functions chosen here to lie in three known
 * spans (32, 128 and 64 of them), found from its symbol table and its
 * own /proc/PID/maps.  For 300 ms of sampling the three hottest spans
 * must be exactly those, the 128-function one first, with nearly all
 * the samples; the program's output and exit status are as without.
 * Also: this process's own two threads (pid 0), a process that is
 * gone (-ESRCH), and the pure helpers: the ranking (most samples
 * first, ties by address, eligible spans only) and the cutting of a
 * run of spans down to the chosen ones.
 *
 * HT_SAMPLE_COST=1 runs sample/cost too: bigtext's call rate alone
 * and while sampled back to back, and what one sampling costs here.
 * The sampling tests skip where perf_event_open() is refused.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "sample.h"
#include "smaps.h"
#include "spans.h"

#define MiB		((uint64_t)1 << 20)
#define SPAN		HT_HPAGE_SIZE
#define WINDOW_MS	300
#define MAX_FN		4096
#define ROUNDS		5	/* of sample/cost */

/* ------------------------------------------------------------------ */
/* Skipping where this machine cannot sample */

static int paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v = 99;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 99;
		fclose(f);
	}
	return v;
}

/* Skip for what the machine refuses; any other failure fails. */
static void check_sampled(int ret)
{
	if (ret == -EACCES || ret == -EPERM)
		cr_skip_test("perf_event_open() refused (%s; "
			     "perf_event_paranoid is %d, or a seccomp filter)",
			     strerror(-ret), paranoid());
	if (ret == -ENOSYS || ret == -ENOENT || ret == -EOPNOTSUPP)
		cr_skip_test("no perf events here (%s)", strerror(-ret));
	cr_assert_eq(ret, 0, "ht_sample_spans: %s", strerror(-ret));
}

/* ------------------------------------------------------------------ */
/* bigtext: where its functions are, in the file and in the process */

static char bigtext[4096];

static void find_bigtext(void)
{
	const char *b = getenv("HT_BUILDDIR");

	snprintf(bigtext, sizeof(bigtext), "%s/tests/progs/bigtext",
		 b ? b : HT_BUILDDIR);
	if (access(bigtext, X_OK))
		cr_skip_test("%s not built (make tests/progs/bigtext)", bigtext);
}

/*
 * The file offsets of main_f0..main_f<n-1> (gentext.sh's functions,
 * local symbols) from the symbol table; returns how many there are.
 */
static long fn_offsets(const char *path, uint64_t *off, long max)
{
	Elf_Scn *scn = NULL;
	long n = 0;
	int fd;
	Elf *e;

	cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	e = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_not_null(e, "%s: %s", path, elf_errmsg(-1));
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		cr_assert_not_null(d);
		for (i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			GElf_Shdr ts;
			const char *name;
			char *end;
			long k;

			if (!gelf_getsym(d, (int)i, &sym))
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name || strncmp(name, "main_f", 6))
				continue;
			k = strtol(name + 6, &end, 10);
			if (*end || k < 0 || k >= max)
				continue;
			cr_assert(gelf_getshdr(elf_getscn(e, sym.st_shndx),
					       &ts));
			off[k] = sym.st_value - ts.sh_addr + ts.sh_offset;
			if (k + 1 > n)
				n = k + 1;
		}
	}
	elf_end(e);
	close(fd);
	cr_assert_gt(n, 0, "%s: no main_f symbols", path);
	return n;
}

struct text_map {
	const char *path;
	uint64_t start, end, pgoff;
	int found;
};

static int find_text(const struct ht_vma *v, void *arg)
{
	struct text_map *t = arg;

	if (v->perms[2] == 'x' && !strcmp(v->path, t->path)) {
		t->start = v->start;
		t->end = v->end;
		t->pgoff = v->pgoff;
		t->found++;
	}
	return 0;
}

/* bigtext's one executable mapping of itself, from its maps. */
static void text_of(pid_t pid, struct text_map *t)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(ht_smaps_parse(fd, find_text, t), 0);
	close(fd);
	cr_assert_eq(t->found, 1, "%s maps %s executable %d times", path,
		     t->path, t->found);
}

/* ------------------------------------------------------------------ */
/* The child running bigtext -H, killed and reaped on every path */

static pid_t kid = -1;
static FILE *kid_out;

static void teardown(void)
{
	if (kid > 0) {
		kill(kid, SIGKILL);
		waitpid(kid, NULL, 0);
	}
	kid = -1;
	if (kid_out)
		fclose(kid_out);
	kid_out = NULL;
}

/* Start bigtext -H @first:@count -t @secs; back once its loop runs. */
static void start_hot(long first, long count, const char *secs)
{
	char spec[64], line[256];
	int p[2];

	snprintf(spec, sizeof(spec), "%ld:%ld", first, count);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	kid = fork();
	cr_assert_geq(kid, 0);
	if (!kid) {
		dup2(p[1], 1);
		execl(bigtext, "bigtext", "-H", spec, "-t", secs, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	kid_out = fdopen(p[0], "r");
	cr_assert_not_null(kid_out);
	cr_assert_not_null(fgets(line, sizeof(line), kid_out),
			   "bigtext -H %s said nothing", spec);
	cr_assert(!strncmp(line, "hot functions ", 14), "bigtext: %s", line);
}

/* Its calls per second of its CPU time, once it has exited with 0. */
static double finish_hot(void)
{
	char line[256];
	unsigned long calls;
	double s, cpu, wall_rate, rate;
	int st;

	cr_assert_not_null(fgets(line, sizeof(line), kid_out),
			   "bigtext -H ended without its count");
	cr_assert_eq(sscanf(line, "calls %lu in %lf s, %lf s of CPU: %lf "
			    "per second, %lf per CPU second", &calls, &s,
			    &cpu, &wall_rate, &rate), 5, "bigtext: %s", line);
	cr_assert_eq(waitpid(kid, &st, 0), kid);
	kid = -1;
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "bigtext -H: status %#x", st);
	return rate;
}

/*
 * The hot range: 32 functions before the 4th span boundary of the
 * text, the 128 (or so) up to the 5th, and 64 after it, so that the
 * three spans are hot in the ratio 1:4:2.  Spans by file offset: the
 * text is mapped congruently (checked once it runs).
 */
static long offs_n;
static uint64_t offs[MAX_FN];

static void hot_range(long *first, long *count)
{
	long i, b[5], nb = 0;

	offs_n = fn_offsets(bigtext, offs, MAX_FN);
	for (i = 1; i < offs_n && nb < 5; i++)
		if (offs[i] / SPAN != offs[i - 1] / SPAN)
			b[nb++] = i;
	cr_assert_eq(nb, 5, "bigtext has fewer than 6 spans of functions");
	cr_assert(b[4] + 64 <= offs_n && b[3] >= 32);
	*first = b[3] - 32;
	*count = b[4] + 64 - *first;
}

static bool in(const uint64_t *a, size_t n, uint64_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

static uint64_t samples_at(const struct ht_heat *h, uint64_t start)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < h->nspan; i++)
		if (h->span[i].start == start)
			n += h->span[i].samples;
	return n;
}

TestSuite(sample, .fini = teardown, .timeout = 60);

Test(sample, hottest_are_the_hot_loops_spans)
{
	struct text_map t = { .path = bigtext };
	uint64_t want[8], got[8], in_want = 0;
	size_t nwant = 0, ngot, i;
	struct ht_heat h;
	long first, count;
	int ret, tries;

	find_bigtext();
	hot_range(&first, &count);
	start_hot(first, count, "3");
	text_of(kid, &t);
	cr_assert_eq(t.start & (SPAN - 1), t.pgoff & (SPAN - 1),
		     "bigtext's text is not 2 MiB-congruent");
	for (i = (size_t)first; i < (size_t)(first + count); i++) {
		uint64_t a = t.start + offs[i] - t.pgoff;

		cr_assert(a >= t.start && a + 16 <= t.end);
		if (!in(want, nwant, a & ~(SPAN - 1))) {
			cr_assert_lt(nwant, 3);
			want[nwant++] = a & ~(SPAN - 1);
		}
	}
	cr_assert_eq(nwant, 3);

	/*
	 * At 1 kHz of its running time: 300 samples if it had a CPU all
	 * the window.  On a busy machine it may not: a few more windows
	 * then, for enough samples to tell 32 functions from none.
	 */
	for (tries = 0;; tries++) {
		ret = ht_sample_spans(kid, WINDOW_MS, &h);
		check_sampled(ret);
		if (h.samples >= 60 || tries == 4)
			break;
		ht_heat_free(&h);
	}
	for (i = 0; i < nwant; i++)
		in_want += samples_at(&h, want[i]);
	cr_log_info("%s: %" PRIu64 " samples in %" PRIu64 " us (try %d), %" PRIu64
		    " in the hot spans (%" PRIu64 "/%" PRIu64 "/%" PRIu64
		    "), %" PRIu64 " outside the file mappings, %" PRIu64
		    " lost\n", ht_sample_event_name(h.event), h.samples,
		    h.usec, tries + 1, in_want, samples_at(&h, want[0]),
		    samples_at(&h, want[1]), samples_at(&h, want[2]),
		    h.outside, h.lost);
	cr_assert_neq(h.event, HT_SAMPLE_NONE);
	cr_assert_eq(h.threads, 1);
	cr_assert_eq(h.threads_skipped, 0);
	cr_assert_geq(h.usec, WINDOW_MS * 1000);
	cr_assert_geq(h.samples, 30, "only %" PRIu64 " samples", h.samples);
	cr_assert_geq(in_want * 10, h.samples * 9,
		      "%" PRIu64 " of %" PRIu64 " samples in the hot spans",
		      in_want, h.samples);

	ngot = ht_heat_hottest(&h, 3, got);
	cr_assert_eq(ngot, 3);
	for (i = 0; i < ngot; i++)
		cr_assert(in(want, nwant, got[i]),
			  "hottest span %zu at %#" PRIx64 " (%" PRIu64
			  " samples) runs no hot function", i, got[i],
			  samples_at(&h, got[i]));
	/* The span with 128 functions of the 224. */
	cr_assert_eq(got[0], want[1], "hottest %#" PRIx64 ", not %#" PRIx64,
		     got[0], want[1]);
	/* The spans it gives are bigtext's, with its file and offset. */
	for (i = 0; i < h.nspan; i++) {
		const struct ht_heat_span *s = &h.span[i];

		if (s->start != got[0])
			continue;
		cr_assert(s->eligible);
		cr_assert_str_eq(h.map[s->map].path, bigtext);
		cr_assert_eq(s->offset, t.pgoff + (s->start - t.start));
	}
	ht_heat_free(&h);
	finish_hot();
}

static volatile int spin_stop;

static void *spin(void *arg)
{
	volatile unsigned long n = 0;

	while (!spin_stop)
		n++;
	return arg;
}

Test(sample, this_process_two_threads)
{
	pthread_t th;
	struct ht_heat h;
	uint64_t mine = 0;
	size_t i;
	int ret;

	cr_assert_eq(pthread_create(&th, NULL, spin, NULL), 0);
	ret = ht_sample_spans(0, 100, &h);
	spin_stop = 1;
	pthread_join(th, NULL);
	check_sampled(ret);
	/* Criterion may run threads of its own in the test process. */
	cr_assert_geq(h.threads, 2, "%u threads", h.threads);
	cr_assert_gt(h.nmap, 0);
	/* The spinning thread runs this program's own text. */
	for (i = 0; i < h.nspan; i++)
		if (strstr(h.map[h.span[i].map].path, "test_sample"))
			mine += h.span[i].samples;
	cr_assert_gt(mine, 0, "%" PRIu64 " samples, none in test_sample",
		     h.samples);
	ht_heat_free(&h);
	cr_assert_eq(h.nspan, 0);
	cr_assert_null(h.map);
}

/* A process that was and is no more. */
static pid_t gone_pid(void)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (!pid)
		_exit(0);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	return pid;
}

Test(sample, gone)
{
	struct ht_heat h;

	cr_assert_eq(ht_sample_spans(gone_pid(), 10, &h), -ESRCH);
	ht_heat_free(&h);
}

/* bigtext, a process gone and this one, sampled in one window. */
Test(sample, batch)
{
	struct ht_heat h[3];
	pid_t pid[3];
	int ret[3], tries;
	uint64_t got, a0, a1;
	long first, count;
	size_t i;

	find_bigtext();
	hot_range(&first, &count);
	/* The range's middle span only: from its first function on. */
	first += 32;
	count = 128;
	start_hot(first, count, "5");
	pid[0] = kid;
	pid[1] = gone_pid();
	pid[2] = 0;
	for (tries = 0;; tries++) {
		uint64_t t0 = ht_now_usec();

		cr_assert_eq(ht_sample_batch(pid, 3, WINDOW_MS, h, ret), 0);
		/* One window for all, not one after another. */
		cr_assert_lt(ht_now_usec() - t0, 2 * WINDOW_MS * 1000);
		check_sampled(ret[0]);
		if (h[0].samples >= 60 || tries == 4)
			break;
		for (i = 0; i < 3; i++)
			ht_heat_free(&h[i]);
	}
	cr_assert_eq(ret[1], -ESRCH);
	cr_assert_eq(ret[2], 0, "self: %s", strerror(-ret[2]));
	cr_assert_geq(h[0].usec, WINDOW_MS * 1000);
	cr_assert_eq(h[0].usec, h[2].usec);
	cr_assert_eq(h[0].threads, 1);
	cr_assert_geq(h[2].threads, 1);
	cr_assert_eq(ht_heat_hottest(&h[0], 1, &got), 1);
	a0 = offs[first] & ~(SPAN - 1);
	a1 = offs[first + count - 1] & ~(SPAN - 1);
	cr_assert_eq(a0, a1, "functions %ld-%ld are not in one span", first,
		     first + count - 1);
	for (i = 0; i < h[0].nspan; i++)
		if (h[0].span[i].start == got)
			cr_assert_eq(h[0].span[i].offset, a0,
				     "the hottest span is at offset %#" PRIx64
				     ", the hot functions at %#" PRIx64,
				     h[0].span[i].offset, a0);
	cr_assert_geq(samples_at(&h[0], got) * 10, h[0].samples * 9);
	for (i = 0; i < 3; i++)
		ht_heat_free(&h[i]);
}

/* ------------------------------------------------------------------ */
/* The pure helpers */

#define S(a)	((uint64_t)(a) * SPAN)

Test(sample, hottest_order)
{
	struct ht_heat_span sp[] = {
		{ .start = S(10), .samples = 5, .eligible = true },
		{ .start = S(11), .samples = 50, .eligible = false },
		{ .start = S(12), .samples = 7, .eligible = true },
		{ .start = S(13), .samples = 5, .eligible = true },
		{ .start = S(20), .samples = 7, .eligible = true },
		{ .start = S(21), .samples = 0, .eligible = true },
		{ .start = S(30), .samples = 9, .eligible = true },
		{ .start = S(31), .samples = 5, .eligible = true },
	};
	struct ht_heat h = { .span = sp, .nspan = 8 };
	uint64_t got[8] = { 0 };
	const uint64_t want[] = { S(30), S(12), S(20), S(10), S(13), S(31) };
	size_t i;

	/* Most samples first; ties by address; never ineligible or cold. */
	cr_assert_eq(ht_heat_hottest(&h, 8, got), 6);
	for (i = 0; i < 6; i++)
		cr_assert_eq(got[i], want[i], "%zu: %#" PRIx64, i, got[i]);
	memset(got, 0, sizeof(got));
	cr_assert_eq(ht_heat_hottest(&h, 2, got), 2);
	cr_assert(got[0] == S(30) && got[1] == S(12) && !got[2]);
	cr_assert_eq(ht_heat_hottest(&h, 0, got), 0);
	h.nspan = 0;
	cr_assert_eq(ht_heat_hottest(&h, 3, got), 0);
}

Test(sample, runs_of_chosen_spans)
{
	/* Spans 4..11 of a range starting 1 MiB before span 4. */
	const struct ht_spans s = { .start = S(4), .end = S(12),
				    .offset = S(1), .head = MiB,
				    .tail = 4096 };
	const uint64_t pick[] = { S(9), S(5), S(6), S(11), S(40), S(2) };
	struct ht_spans out[4];

	cr_assert_eq(ht_heat_runs(&s, pick, 6, out, 4), 3);
	cr_assert(out[0].start == S(5) && out[0].end == S(7));
	cr_assert_eq(out[0].offset, S(2));
	cr_assert_eq(out[0].head, MiB + S(1));
	cr_assert_eq(out[0].tail, 4096 + S(5));
	cr_assert(out[1].start == S(9) && out[1].end == S(10));
	cr_assert_eq(out[1].offset, S(6));
	cr_assert(out[2].start == S(11) && out[2].end == S(12));
	cr_assert_eq(out[2].tail, 4096);
	cr_assert_eq(ht_spans_count(&out[0]), 2);
	/* Room for one: the count says there are more. */
	cr_assert_eq(ht_heat_runs(&s, pick, 6, out, 1), 3);
	cr_assert(out[0].start == S(5) && out[0].end == S(7));
	cr_assert_eq(ht_heat_runs(&s, pick, 0, out, 4), 0);
	cr_assert_eq(ht_heat_runs(&s, pick + 4, 2, out, 4), 0);
}

/* ------------------------------------------------------------------ */
/* What sampling costs (HT_SAMPLE_COST=1) */

static uint64_t cpu_usec(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

Test(sample, cost, .timeout = 120)
{
	double plain = 0, sampled = 0, r;
	uint64_t calls = 0, cpu = 0, extra = 0, t0, c0;
	long first, count;
	struct ht_heat h;
	int round, ret;

	if (!getenv("HT_SAMPLE_COST"))
		cr_skip_test("a measurement: set HT_SAMPLE_COST=1 to run it");
	find_bigtext();
	hot_range(&first, &count);
	/* Interleaved: the machine's other load hits both alike. */
	for (round = 0; round < ROUNDS; round++) {
		start_hot(first, count, "3");
		r = finish_hot();
		plain += r;
		start_hot(first, count, "3");
		/* Back to back until it exits: sampled all the time. */
		for (;;) {
			t0 = ht_now_usec();
			c0 = cpu_usec();
			ret = ht_sample_spans(kid, WINDOW_MS, &h);
			/* Exited: a zombie maps nothing. */
			if (ret == -ESRCH || ret == -ENOEXEC) {
				ht_heat_free(&h);
				break;
			}
			check_sampled(ret);
			cpu += cpu_usec() - c0;
			extra += ht_now_usec() - t0 - h.usec;
			calls++;
			ht_heat_free(&h);
		}
		r = finish_hot();
		sampled += r;
	}
	cr_log_info("bigtext -H %ld:%ld: %.0f calls per CPU second plain, "
		    "%.0f sampled (%.2f%% slower); one %d ms sampling: %.0f us of CPU, "
		    "%.0f us beyond the window (%" PRIu64 " samplings)\n",
		    first, count, plain / ROUNDS, sampled / ROUNDS,
		    100.0 * (1 - sampled / plain), WINDOW_MS,
		    (double)cpu / calls, (double)extra / calls, calls);
	cr_assert_gt(calls, 0);
}
