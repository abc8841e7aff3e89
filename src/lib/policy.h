/* SPDX-License-Identifier: MIT */
/*
 * policy.h - what the user and the system allow: the strategy, the THP
 * mode and the process's own state, and the gates every path asks
 * before a route runs (the library's pass, prime, --pid, check's
 * probe).  Pure: reading the system is text_collapse.c's.
 */
#ifndef HT_POLICY_H
#define HT_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "reason.h"

enum ht_strategy {
	HT_STRATEGY_AUTO = 0,
	HT_STRATEGY_COLLAPSE,
	HT_STRATEGY_REFAULT,
	HT_STRATEGY_NONE,
	HT_STRATEGY_COPY,	/* opt-in only: private anonymous copies */
};

enum ht_thp_mode {
	HT_THP_UNKNOWN = 0,	/* no THP in this kernel */
	HT_THP_ALWAYS,
	HT_THP_MADVISE,
	HT_THP_NEVER,
};

/* What the kernel and the process say about huge pages, read once. */
struct ht_thp_env {
	enum ht_thp_mode mode;
	bool prctl_disabled;	/* prctl(PR_GET_THP_DISABLE) */
	bool seccomp;		/* a seccomp filter (or strict mode) is on */
};

/*
 * What a process has learnt of its kernel, kept between calls by a
 * caller that makes many (the library): devices whose regular files
 * MADV_COLLAPSE refused (no CONFIG_READ_ONLY_THP_FOR_FS), so that later
 * objects there go straight to the refault route.
 */
#define HT_MEMO_DEVS 8
struct ht_memo {
	unsigned int ndev;
	struct { unsigned int major, minor; } no_collapse[HT_MEMO_DEVS];
};

/* What the user and the system allow; read once per process. */
struct ht_policy {
	enum ht_strategy strategy;
	bool dry_run;		/* check and measure only */
	bool seccomp_try;	/* act even under a seccomp filter */
	struct ht_thp_env thp;
	struct ht_memo *memo;	/* NULL: learn nothing between calls */
	uint64_t deadline;	/* ht_now_usec() to stop at; 0: no budget */
	bool others_run;	/* other threads run: never zap a mapped page */
	bool threads_unknown;	/* others_run not asked yet: ask at a zap */
	bool inject;		/* --pid: zap from inside the process */
};

/* ht_strategy_parse - "auto", "collapse", "refault", "none", "copy".
 * Returns 0, or -EINVAL for anything else (@out untouched). */
int ht_strategy_parse(const char *s, enum ht_strategy *out);
/* ht_strategy_name - the name ht_strategy_parse() accepts.  Never NULL. */
const char *ht_strategy_name(enum ht_strategy s);
/* ht_thp_mode_name - "always", "madvise", "never", "unsupported". */
const char *ht_thp_mode_name(enum ht_thp_mode m);

/*
 * ht_policy_refuses - why no route may run at all now: THP off or
 * absent (thp-never), THP disabled for the process (thp-disabled-prctl),
 * a seccomp filter without seccomp_try (seccomp).  HT_R_NONE when the
 * system allows.  Asked before anything is looked at.
 */
enum ht_reason ht_policy_refuses(const struct ht_policy *pol);

/*
 * ht_policy_holds_back - why the routes that could run are not to
 * (dry-run, strategy-none), once a range has been found workable.
 * HT_R_NONE when they are to run.
 */
enum ht_reason ht_policy_holds_back(const struct ht_policy *pol);

/*
 * ht_policy_cache_only - where only the page cache can be made huge
 * (prime, --pid, static programs): copy-no-page-cache for the copy
 * strategy, HT_R_NONE for the others.
 */
enum ht_reason ht_policy_cache_only(const struct ht_policy *pol);

#endif /* HT_POLICY_H */
