/* SPDX-License-Identifier: MIT */
/*
 * daemon.h - hugetext daemon: every process on the host whose text could
 * be on 2 MiB pages and is not, made so from outside (the --pid routes:
 * collapse, or prime and the zap from inside with --inject), and kept
 * so: what was split or evicted is repaired at the next look, and what
 * keeps failing is tried less and less often (back-off per file).
 *
 * One struct ht_daemon holds what it knows between passes: the
 * processes seen (a PID with its start time, so that a reused PID is a
 * new process), the files acted on, and per executable the figures the
 * textfile exports.
 */
#ifndef HT_DAEMON_H
#define HT_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "dconf.h"
#include "reason.h"

/* Where a process's eligible text was, when it was all huge. */
#define HT_DPROC_RANGES	8

struct ht_dproc {
	pid_t pid;
	uint64_t start;		/* start time (clock ticks after boot) */
	uint64_t due;		/* ht_now_usec() before which to wait */
	uint64_t huge_seen;	/* PMD-mapped bytes at the last look */
	bool ignore;		/* nothing eligible, not ours, or denied */
	bool seen;		/* in this pass */
	/*
	 * All huge at the last look: its eligible ranges, so that the next
	 * pass asks PAGEMAP_SCAN about them alone (microseconds) instead of
	 * reading its smaps; @exe indexes d->exe, for the figures.
	 */
	unsigned int nrng;
	size_t exe;
	uint64_t rng_eligible;
	struct { uint64_t start, end; } rng[HT_DPROC_RANGES];
};

struct ht_dfile {
	char *path;
	dev_t dev;		/* the file at @path when last seen */
	ino_t ino;
	unsigned int fails;	/* failures in a row */
	uint64_t not_before;	/* back-off: no try before (usec) */
	enum ht_reason last;	/* why the last try fell short */
	uint64_t huge;		/* its eligible bytes PMD-mapped, as last
				   seen: what it takes of max_huge_text */
};

struct ht_dexe {
	char *exe;
	unsigned int procs;	/* this pass */
	uint64_t eligible, huge;	/* summed over its processes */
	uint64_t made_huge;	/* counters since the start */
	uint64_t repairs;
	uint64_t fails[HT_R__COUNT];
};

struct ht_daemon {
	struct ht_dconf cfg;
	int verbose;
	pid_t self;
	struct ht_dproc *proc;
	size_t nproc, capproc;
	struct ht_dfile *file;
	size_t nfile, capfile;
	struct ht_dexe *exe;
	size_t nexe, capexe;
	uint64_t passes, last_pass_usec, pass_usec;
	uint64_t huge_total;	/* eligible bytes PMD-mapped, last pass */
	bool in_pass;		/* acting from a pass, not an exec event */
	bool limited;		/* the last pass chose hot spans only */
	uint64_t budget_spans;	/* what it could spend then */
	bool want_pass;		/* an exec event met a shared small cache */
};

/* ht_daemon_init - an empty state that takes @cfg over (freed with it). */
void ht_daemon_init(struct ht_daemon *d, const struct ht_dconf *cfg);

/* ht_daemon_free - release everything @d holds, its config too. */
void ht_daemon_free(struct ht_daemon *d);

/*
 * ht_daemon_exec - @pid has just run execve() (an exec event): look at
 * it again soon, once its loader has mapped its libraries (200 ms).
 */
void ht_daemon_exec(struct ht_daemon *d, pid_t pid, uint64_t now);

/*
 * ht_daemon_pass - one look at every process (/proc), acting on those
 * that are due.  @all: also those already known to have nothing
 * eligible (a periodic full rescan: dlopen may have added some).
 * Returns 0, or -errno when /proc cannot be read.
 */
int ht_daemon_pass(struct ht_daemon *d, uint64_t now, bool all);

/*
 * ht_daemon_due - look at the processes an exec event made due by @now,
 * without a rescan of /proc.  Returns 1 when one of them shares a small
 * page cache with other processes, which only a pass can handle (it
 * zaps the file in all of them first): the caller should make one now;
 * else 0.
 */
int ht_daemon_due(struct ht_daemon *d, uint64_t now);

/*
 * ht_daemon_next - when the next process is due (ht_now_usec()), or
 * UINT64_MAX when none is waiting.
 */
uint64_t ht_daemon_next(const struct ht_daemon *d);

/*
 * ht_daemon_metrics - the Prometheus text of @d's figures into @b:
 * per executable (not per process: labels stay few) eligible and huge
 * bytes and process counts, counters of text made huge, repairs and
 * failures by reason, and the host's FilePmdMapped/ShmemPmdMapped.
 */
void ht_daemon_metrics(const struct ht_daemon *d, struct ht_buf *b);

#endif /* HT_DAEMON_H */
