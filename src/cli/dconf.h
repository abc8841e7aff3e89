/* SPDX-License-Identifier: MIT */
/*
 * dconf.h - the daemon's configuration (hugetext daemon --config FILE,
 * by default /etc/hugetext/daemon.conf when it exists): lines of
 * "key = value", '#' comments, blank lines.  Keys:
 *
 *   interval = SEC            rescan period (10)
 *   inject = yes|no           the in-process route for running processes
 *                             where none works from outside (yes)
 *   max_huge_text_mib = N     host-wide cap on text made huge (0: none)
 *   min_eligible_mib = N      leave processes with less eligible text (2)
 *   sample_ms = MS            instruction-pointer sampling window (200)
 *   textfile = PATH           the node_exporter textfile
 *   allow_exe = GLOB / deny_exe = GLOB        executable path
 *   allow_cgroup = GLOB / deny_cgroup = GLOB  cgroup v2 path
 *   allow_unit = GLOB / deny_unit = GLOB      systemd unit
 *
 * Globs are fnmatch(3) patterns, each key repeatable.  A process is
 * taken when no deny pattern matches it and, for each kind that has
 * allow patterns, one of them does.
 */
#ifndef HT_DCONF_H
#define HT_DCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ht_globs {
	char **p;
	size_t n, cap;
};

enum ht_dkind { HT_DK_EXE, HT_DK_CGROUP, HT_DK_UNIT, HT_DK__COUNT };

struct ht_dconf {
	unsigned int interval;		/* seconds */
	bool inject;
	uint64_t max_huge_text;		/* bytes; 0: no cap */
	uint64_t min_eligible;		/* bytes */
	unsigned int sample_ms;
	char *textfile;			/* NULL: none */
	struct ht_globs allow[HT_DK__COUNT], deny[HT_DK__COUNT];
};

/* ht_dconf_init - the defaults above. */
void ht_dconf_init(struct ht_dconf *c);

/*
 * ht_dconf_load - read @path into @c (over what it holds).  Returns 0,
 * or -errno; on a bad line -EINVAL with "PATH:LINE: what" in @err.
 */
int ht_dconf_load(const char *path, struct ht_dconf *c, char *err,
		  size_t errlen);

/*
 * ht_dconf_wants - may the daemon act on a process running @exe, in
 * cgroup @cgroup, of unit @unit (either may be "" when unknown)?
 */
bool ht_dconf_wants(const struct ht_dconf *c, const char *exe,
		    const char *cgroup, const char *unit);

/* ht_dconf_free - release what @c holds; ht_dconf_init() to reuse. */
void ht_dconf_free(struct ht_dconf *c);

#endif /* HT_DCONF_H */
