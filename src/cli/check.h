/* SPDX-License-Identifier: MIT */
/*
 * check.h - hugetext check: what one run found, shared by the check
 * itself (cmd_check.c) and its two renderings (check_human.c,
 * check_json.c).
 */
#ifndef HT_CHECK_H
#define HT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "commands.h"
#include "elf_segments.h"
#include "holders.h"
#include "placement.h"
#include "probe.h"
#include "text_collapse.h"

#define EXIT_ELIGIBLE	0
#define EXIT_SOME_NOT	1
#define EXIT_BAD	HT_EXIT_FAIL

/* One filesystem: probed once, however many files live on it. */
struct fs_entry {
	dev_t dev;
	bool have_info, tried;
	struct ht_fs_info info;
	struct ht_route_probe probe;
};

/* One file checked: a FILE or a library one of them needs. */
struct result {
	char *path;
	const char *needed_by;		/* NULL for a FILE */
	bool dlopened;			/* --run: dlopen()ed by @needed_by */
	char *error;			/* bad file: the one line */
	dev_t dev;
	ino_t ino;
	uint64_t size;
	int mmap_aligned;		/* -1 not probed */
	size_t fs;			/* index into ctx.fs */
	struct ht_elf_info elf;
	struct ht_placement pl;
	bool busy;			/* page cache small where eligible,
					   and processes map it so */
	struct ht_holders holders;	/* those processes, when @busy */
};

struct ctx {
	bool json, deps, run;
	uint64_t pagesz;
	bool ldso_align;
	struct ht_thp_env thp;
	struct result *res;
	size_t nres, capres;
	struct fs_entry *fs;
	size_t nfs, capfs;
	int status;
	const struct ht_ran *ran;	/* --run: what the run said */
};

/* One object a process of a --run mapped. */
struct ht_ran_obj {
	char *path;
	char *prog;		/* the program that mapped it; NULL: one */
	bool dlopened;		/* loaded by a dlopen() after start-up */
};

/* What one --run learnt. */
struct ht_ran {
	char *prog;		/* PROGRAM as PATH search found it */
	int status;		/* its wait status */
	size_t lines;		/* report lines: the library's passes */
	size_t programs;	/* start-up passes: programs it ran */
	struct ht_ran_obj *obj;	/* each path once, in report order */
	size_t n, cap;
};

/*
 * ht_check_run - run @argv (argv[0] found as execvp() finds it) once,
 * to its end, under libhugetext.so in a dry run (nothing is made huge)
 * that reports to a temporary file of ours, and collect each object
 * every process of it mapped, dlopen()ed ones too: its children as
 * well, as far as they inherit the library (as under the launcher).
 * Its standard output goes to our standard error; ^C stops it, not us.
 * Returns 0 with @r filled (free it with ht_ran_free), or -errno with
 * @err saying why (e.g. "cannot run 'x': No such file or directory").
 */
int ht_check_run(char **argv, struct ht_ran *r, char *err, size_t errlen);
void ht_ran_free(struct ht_ran *r);

/*
 * ht_check_human - the lines for @r (a FILE or a library it needs) on
 * standard output, as soon as it is checked.  Never fails (stdout is
 * checked at exit).
 */
void ht_check_human(struct ctx *c, const struct result *r);

/*
 * ht_check_json - the whole run as one JSON object on standard output.
 * Returns 0 or -ENOMEM (nothing printed).
 */
int ht_check_json(const struct ctx *c);

#endif /* HT_CHECK_H */
