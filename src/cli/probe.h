/* SPDX-License-Identifier: MIT */
/*
 * probe.h - find out, without side effects, how this machine will treat
 * a file: where mmap(NULL) places it, and which kernel route puts text
 * from its filesystem on huge pages.  Found by trying, never from
 * version numbers: kernels differ in configuration (kernel-notes.md).
 *
 * Nothing here writes to the file checked; the route probe writes
 * temporary files next to it that have no name by the time any data is
 * in them, so nothing is left behind even on a crash.
 */
#ifndef HT_PROBE_H
#define HT_PROBE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "reason.h"
#include "text_collapse.h"

/* The mount a file lives on, from /proc/self/mountinfo. */
struct ht_fs_info {
	char type[32];		/* "ext4", "tmpfs", ... ("" unknown) */
	char mount[PATH_MAX];	/* mount point ("" unknown) */
};

/* Which routes work on one filesystem. */
struct ht_route_probe {
	bool probed;		/* the routes were tried */
	char why[192];		/* when not: why not, one line */
	bool tmpfs;
	struct ht_thp_env thp;
	bool collapse;		/* MADV_COLLAPSE made 4 MiB huge */
	enum ht_reason collapse_reason;	/* why not */
	bool refault;		/* the page-cache route did */
	enum ht_reason refault_reason;
};

/*
 * ht_probe_mmap_aligned - map @size bytes of @fd (open for reading) with
 * mmap(NULL, PROT_READ, MAP_PRIVATE) from offset 0, as ld.so and the
 * kernel map a library or a static-pie, and set @aligned when the
 * address came back 2 MiB-aligned.  Two mappings are made (the second
 * after a one-page gap) so that a 1-in-512 chance does not pass for a
 * rule; both are unmapped before returning.
 *
 * Returns 0, -EINVAL for a @size of 0 or one that does not fit in
 * size_t, or -errno from mmap() (-ENODEV: the file cannot be mapped).
 */
int ht_probe_mmap_aligned(int fd, uint64_t size, bool *aligned);

/*
 * ht_probe_fs - describe in @out the mount of device @dev that holds
 * @path (an absolute path, symlinks resolved): the longest mount point
 * of that device that is a prefix of @path.
 *
 * Returns 0, -ENOENT when no mount of @dev is found (@out then empty),
 * or -errno from reading /proc/self/mountinfo.
 */
int ht_probe_fs(dev_t dev, const char *path, struct ht_fs_info *out);

/*
 * ht_probe_routes - try the kernel routes (text_collapse.h) on the
 * filesystem that holds @file: two fresh 4 MiB temporary files, written
 * with 4 KiB writes and flushed, each mapped at a 2 MiB-aligned address
 * and handed to ht_make_huge(), one with strategy collapse, one with
 * strategy refault.  @out->thp is read in any case.
 *
 * The files are made in @file's directory; a user other than root,
 * who cannot write there, may have them made in $TMPDIR, /var/tmp,
 * /tmp or $HOME when one is on the same filesystem (the same device).
 * Root is given no other place: it can write nearly anywhere, and
 * should not be sent to write where it was not pointed.
 *
 * Returns 0 when the routes were tried (@out->probed), or when THP is
 * off or disabled for this process, which needs no files (the routes
 * are then reported failing with that reason); otherwise -errno with
 * @out->why set, e.g. -EACCES "cannot write a probe file there".
 */
int ht_probe_routes(const char *file, struct ht_route_probe *out);

#endif /* HT_PROBE_H */
