/* SPDX-License-Identifier: MIT */
/*
 * sample.h - which 2 MiB spans of a process's text are hot: its
 * instruction pointers sampled from outside for a short window
 * (perf_event_open), counted per span of its executable file mappings.
 * For the daemon, which spends huge pages hottest first when they are
 * scarce or capped; and the pure helpers that rank the spans and cut a
 * run of eligible spans down to the chosen ones.
 *
 * The event is iTLB read misses where the CPU has a PMU that counts
 * them (the spans that gain most from a PMD), else the software
 * cpu-clock (where the time goes; all a VM without a PMU offers), at
 * about 1000 samples per second of each thread's running time.  Only
 * user-mode samples are taken (exclude_kernel), so perf_event_paranoid
 * up to 2 (upstream's default) lets any user sample its own processes;
 * above 2, which Debian's and Ubuntu's kernels patch to refuse users
 * altogether, it takes privilege (CAP_SYS_ADMIN; CAP_PERFMON where the
 * patch accepts it; root has both).  The target must be one the
 * caller may read with ptrace (PTRACE_MODE_READ: the same user, or
 * CAP_SYS_PTRACE), and a seccomp filter (a container's) may refuse
 * perf_event_open().  Nothing else is done to the target: no ptrace,
 * no signal; while sampled, each of its threads takes a timer (or PMU)
 * interrupt per sample, which cost it 1-4% of its speed here.
 */
#ifndef HT_SAMPLE_H
#define HT_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spans.h"

/* Samples per second of a thread's running time. */
#define HT_SAMPLE_HZ		1000
/* Threads sampled at most per process (the first ones in /proc order). */
#define HT_SAMPLE_MAX_THREADS	256
/* and per batch (ht_sample_batch()): one file descriptor each. */
#define HT_SAMPLE_MAX_RINGS	1024

enum ht_sample_event {
	HT_SAMPLE_NONE = 0,
	HT_SAMPLE_ITLB_MISS,	/* PERF_TYPE_HW_CACHE: iTLB read misses */
	HT_SAMPLE_CPU_CLOCK,	/* PERF_TYPE_SOFTWARE: cpu-clock */
};

/* One executable file mapping of the process, as /proc/PID/maps has it. */
struct ht_heat_map {
	uint64_t start, end;	/* [start, end) */
	uint64_t pgoff;		/* file offset of start, bytes */
	unsigned int dev_major, dev_minor;
	uint64_t inode;
	char *path;		/* owned; maps' name (" (deleted)" and all) */
};

/* One 2 MiB span of one mapping, with the samples that fell in it. */
struct ht_heat_span {
	uint64_t start;		/* 2 MiB-aligned address */
	uint64_t offset;	/* file offset of the span's first mapped byte */
	size_t map;		/* index into ht_heat.map */
	uint64_t samples;
	bool eligible;		/* whole inside the mapping, start congruent
				   with its file offset: a PMD could map it */
};

struct ht_heat {
	enum ht_sample_event event;
	unsigned int threads;	/* sampled */
	unsigned int threads_skipped;	/* over HT_SAMPLE_MAX_THREADS (or
					   _RINGS), or refused (the perf
					   buffer limit, no descriptor) */
	uint64_t usec;		/* length of the window, as measured */
	uint64_t samples;	/* all user-mode samples read */
	uint64_t outside;	/* of which outside the mappings below: JIT
				   code, the vDSO, mapped during the window */
	uint64_t lost;		/* samples the kernel dropped (buffer full) */
	size_t nmap;
	struct ht_heat_map *map;	/* by address */
	size_t nspan;
	struct ht_heat_span *span;	/* those with samples, by address */
};

/*
 * ht_sample_spans - sample the instruction pointers of every thread of
 * @pid (0: this process) for @ms milliseconds and fill @out (freed
 * with ht_heat_free(), also after a failure): per 2 MiB span of its
 * executable file mappings (read from /proc/PID/maps before the
 * window), the samples that fell in it.  Threads that start during
 * the window are not sampled; threads that exit during it count what
 * they ran.  Blocks for @ms (poll()), reading each thread's ring
 * buffer as it fills.
 *
 * Returns 0 (also with no sample at all: an idle process), -ESRCH
 * when there is no such process (or no thread was left to sample),
 * -ENOEXEC when it maps no executable file (a kernel thread, a
 * zombie), -EACCES or -EPERM when sampling it is not allowed
 * (perf_event_paranoid, no ptrace read access, a seccomp filter),
 * -ENOENT or -EOPNOTSUPP when the kernel has neither event, -ENOSYS
 * without perf events at all, -ENOMEM, or another -errno.
 */
int ht_sample_spans(pid_t pid, unsigned int ms, struct ht_heat *out);

/*
 * ht_sample_batch - ht_sample_spans() of the @n processes @pid[] in
 * one window of @ms, so that sampling many costs the time of one:
 * @out[i] and @ret[i] are what ht_sample_spans(@pid[i]) would give.
 * Returns 0, or -ENOMEM when nothing could be sampled (every @ret[i]
 * says so too).
 */
int ht_sample_batch(const pid_t *pid, size_t n, unsigned int ms,
		    struct ht_heat *out, int *ret);

/* ht_heat_free - release what @h holds; @h is empty afterwards. */
void ht_heat_free(struct ht_heat *h);

/* ht_sample_event_name - "itlb-misses", "cpu-clock" or "none". */
const char *ht_sample_event_name(enum ht_sample_event e);

/*
 * ht_heat_hottest - the start addresses of the @n hottest eligible
 * spans of @h into @starts, most samples first, ties by lower address.
 * Spans without a sample, and spans no PMD could map, are never
 * chosen.  Returns how many were written (at most @n).  Pure.
 */
size_t ht_heat_hottest(const struct ht_heat *h, size_t n, uint64_t *starts);

/*
 * ht_heat_runs - cut the run of eligible spans @s (a part's, report.h)
 * down to the spans whose start is one of the @n addresses @starts
 * (any order): the runs of consecutive chosen spans, in address order,
 * into @out (at most @max of them), each with its file offset and its
 * head and tail bytes counted from the same range as @s's.  Returns
 * how many runs there are, which may be more than @max.  Pure.
 */
size_t ht_heat_runs(const struct ht_spans *s, const uint64_t *starts,
		    size_t n, struct ht_spans *out, size_t max);

#endif /* HT_SAMPLE_H */
