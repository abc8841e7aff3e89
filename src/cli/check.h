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
	bool json, deps;
	uint64_t pagesz;
	bool ldso_align;
	struct ht_thp_env thp;
	struct result *res;
	size_t nres, capres;
	struct fs_entry *fs;
	size_t nfs, capfs;
	int status;
};

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
