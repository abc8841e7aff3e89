/* SPDX-License-Identifier: MIT */
/*
 * config.h - the HUGETEXT_* environment: the contract between the
 * launcher (which writes it) and the preload library (which reads it
 * once, into one struct).  Users may set these directly, e.g. in a
 * systemd unit with LD_PRELOAD.
 */
#ifndef HT_CONFIG_H
#define HT_CONFIG_H

#include <stdbool.h>

#include "policy.h"

#define HT_ENV_VERBOSE		"HUGETEXT_VERBOSE"	/* 1: brief, 2: all */
#define HT_ENV_DRY_RUN		"HUGETEXT_DRY_RUN"	/* 1: change nothing */
#define HT_ENV_STRATEGY		"HUGETEXT_STRATEGY"	/* auto|collapse|... */
#define HT_ENV_REPORT		"HUGETEXT_REPORT"	/* JSON lines file */
#define HT_ENV_NO_INHERIT	"HUGETEXT_NO_INHERIT"	/* 1: not in children */
#define HT_ENV_DISABLE		"HUGETEXT_DISABLE"	/* 1: do nothing */
#define HT_ENV_DLOPEN		"HUGETEXT_DLOPEN"	/* 0: not after dlopen */
#define HT_ENV_SECCOMP		"HUGETEXT_SECCOMP"	/* try: even if filtered */
#define HT_ENV_BUDGET		"HUGETEXT_BUDGET_MS"	/* ms per pass; 0: none */
#define HT_ENV_LIBRARY		"HUGETEXT_LIBRARY"	/* launcher: lib path */
/*
 * Launcher to library, never set by users: "PID PATH" when the launcher,
 * process PID, saw no seccomp filter on itself just before it exec'd
 * PATH.  The
 * library takes it out of the environment before any program code runs.
 */
#define HT_ENV_UNFILTERED	"HUGETEXT_UNFILTERED"

/* HUGETEXT_VERBOSE: what the library says on stderr. */
enum ht_verbosity {
	HT_VERBOSE_OFF = 0,
	HT_VERBOSE_SUMMARY,	/* one line per process, big objects */
	HT_VERBOSE_ALL,		/* every object, and the totals */
};

struct ht_config {
	bool disabled;
	enum ht_verbosity verbose;
	bool dry_run;
	bool no_inherit;
	bool no_dlopen;			/* HUGETEXT_DLOPEN=0 */
	bool seccomp_try;		/* HUGETEXT_SECCOMP=try */
	bool budget_set;		/* HUGETEXT_BUDGET_MS given */
	unsigned int budget_ms;		/* its value; 0: no budget */
	enum ht_strategy strategy;
	const char *report_path;	/* NULL: no JSON report */
	/* Problems found while reading, reported when verbose. */
	const char *bad_name;		/* first variable with a bad value */
	const char *bad_value;
};

/* Looks up one variable; secure_getenv in the library, a table in tests. */
typedef const char *(*ht_getenv_fn)(const char *name);

/*
 * ht_config_load - fill @c from the variables @get returns.  Booleans
 * take 1/0, yes/no, true/false, on/off (case-insensitive); empty or unset
 * means the default.  HUGETEXT_VERBOSE takes those words too (a true one
 * is HT_VERBOSE_SUMMARY) and 2 (HT_VERBOSE_ALL).  A bad value is named
 * in @c->bad_name and @c->bad_value (the first one found).  Returns 0, or
 * -EINVAL when a value was bad: the library then does nothing at all,
 * since guessing what a mistyped setting meant could do what the user
 * tried to forbid.
 */
int ht_config_load(struct ht_config *c, ht_getenv_fn get);

/*
 * ht_parse_bool - @s as a boolean into @out.  Returns 0, or -EINVAL
 * (@out untouched) when @s is not one of the accepted words.
 */
int ht_parse_bool(const char *s, bool *out);

#endif /* HT_CONFIG_H */
