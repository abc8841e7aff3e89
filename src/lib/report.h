/* SPDX-License-Identifier: MIT */
/*
 * report.h - the results of one hugetext pass over a process, and their
 * renderings: human lines (-v: brief; -vv: every object) and one JSON
 * object per process (--report).  How the results were made is not its
 * business.
 */
#ifndef HT_REPORT_H
#define HT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "reason.h"
#include "spans.h"
#include "text_collapse.h"

/* One executable PT_LOAD of a loaded object, at its run-time address. */
struct ht_part {
	uint64_t vaddr, len;	/* page-granular mapped range */
	uint64_t offset;	/* file offset at @vaddr */
	struct ht_spans spans;
	enum ht_reason span_reason;	/* HT_R_NONE: spans exist */
	bool attempted;		/* @target below holds a result */
	struct ht_target target;
};

struct ht_object {
	char *path;		/* owned; what smaps, ld.so or /proc named */
	char *name;		/* owned; ld.so's name for it (NULL: main) */
	uint64_t text_bytes;
	enum ht_reason reason;	/* object-wide problem, else HT_R_NONE */
	char detail[256];	/* message for @reason (e.g. libelf's) */
	size_t nexec;		/* executable PT_LOADs in memory */
	size_t nparts;		/* of which kept (HT_ELF_MAX_EXEC at most) */
	struct ht_part parts[HT_ELF_MAX_EXEC];
};

/* What started a pass: the report's "trigger". */
enum ht_trigger {
	HT_TRIGGER_OUTSIDE = 0,	/* another process: status, --pid */
	HT_TRIGGER_START,	/* the program's start-up */
	HT_TRIGGER_DLOPEN,	/* a dlopen() or dlmopen() */
};

struct ht_run {
	pid_t pid;
	enum ht_trigger trigger;
	enum ht_strategy strategy;
	bool dry_run;
	struct ht_thp_env thp;
	uint64_t usec;
	uint64_t stop_usec;	/* --pid --inject: its longest stop */
	unsigned int stops;	/* and how many times it was stopped */
	size_t nobj;
	struct ht_object *obj;
};

/* Totals over a run or one object. */
struct ht_totals {
	uint64_t text, eligible, huge_before, huge;
};

/* ht_object_totals / ht_run_totals - sum up; never fail. */
void ht_object_totals(const struct ht_object *o, struct ht_totals *t);
void ht_run_totals(const struct ht_run *r, struct ht_totals *t);

/*
 * ht_object_main_part - the part that explains @o best: the first
 * attempted one that failed, else the first attempted one; NULL when
 * none was attempted.
 */
const struct ht_part *ht_object_main_part(const struct ht_object *o);

/*
 * ht_report_human - write @r as lines "hugetext[PID]: ..." to @fd, one
 * per object, then a total line.  Returns 0 or -errno.
 */
int ht_report_human(const struct ht_run *r, int fd);

/* The smallest text ht_report_brief() gives a line of its own. */
#define HT_BRIEF_MIN_TEXT	(2u << 20)

/*
 * ht_report_brief - what -v shows: one summary line for the process
 * ("hugetext[PID]: NAME: huge H of E MiB eligible (P%), ..."; not for
 * a dlopen pass, whose process had its line at start-up), then the
 * line ht_report_human() gives each object of at least
 * HT_BRIEF_MIN_TEXT of text (smaller ones can hold no 2 MiB span).
 * Writes nothing for a dlopen pass without such an object.  Returns 0
 * or -errno.
 */
int ht_report_brief(const struct ht_run *r, int fd);

/*
 * ht_run_reason - the one reason a summary of @r names: when some
 * eligible text is not huge, that of the object which left the most of
 * it small; when nothing is eligible, why for the object with the most
 * text (too-small at least); HT_R_NONE when all eligible text is huge.
 */
enum ht_reason ht_run_reason(const struct ht_run *r);

struct ht_jw;

/*
 * ht_report_jw - @r as the JSON object ht_report_json() writes, as the
 * member @key (NULL: an array element) of the document @w builds: for
 * documents that hold several processes (status --all --json).
 */
void ht_report_jw(struct ht_jw *w, const char *key, const struct ht_run *r);

/*
 * ht_report_json - append @r as one JSON object on one line to @fd with
 * a single write(), so that concurrent processes appending to the same
 * O_APPEND file do not interleave.  Returns 0 or -errno.
 */
int ht_report_json(const struct ht_run *r, int fd);

#endif /* HT_REPORT_H */
