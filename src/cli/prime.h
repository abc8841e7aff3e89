/* SPDX-License-Identifier: MIT */
/*
 * prime.h - make a file's page cache huge from this process alone.
 *
 * The page cache is shared: 2 MiB folios left by one process are mapped
 * with PMDs by every later process that maps the same text 2 MiB-
 * congruently.  So a file's executable segments can be made huge
 * without the program running: map each eligible file range at a
 * 2 MiB-aligned address of our own and run the kernel routes on that
 * temporary mapping (text_collapse.h).  Used by `hugetext prime`, by the
 * launcher for static programs, and by --pid.
 */
#ifndef HT_PRIME_H
#define HT_PRIME_H

#include <stdbool.h>
#include <stdint.h>

#include "elf_segments.h"
#include "placement.h"
#include "report.h"
#include "spans.h"
#include "text_collapse.h"

/*
 * A primed file in the one result model (report.h): an object whose
 * parts are its executable segments in the file's own offset space
 * (vaddr == offset, len == p_filesz; the spans are 2 MiB-aligned file
 * offsets, where the page cache keeps its folios).
 */
struct ht_prime_result {
	struct ht_elf_info elf;
	struct ht_object obj;		/* path and name left NULL */
	uint64_t usec;
	char err[HT_ELF_ERRLEN];	/* when the call failed */
};

/*
 * ht_prime_file - make the page cache of @path's eligible executable
 * spans huge, with the routes @pol allows, and verify it through the
 * temporary mapping's smaps.  Never writes to the file; opens it with
 * O_NOATIME where allowed so that its access time is left alone too.
 *
 * Returns 0 when every eligible span is huge now (also when there is
 * none: ht_object_totals() then says 0 eligible), -EAGAIN when some are
 * not (see each part's target.reason), or -errno when the file could not be read
 * (-ENOEXEC: not ELF; @res->err says why).
 */
int ht_prime_file(const char *path, const struct ht_policy *pol,
		  struct ht_prime_result *res);

/*
 * ht_prime_program - for a program no preload reaches (static, static-
 * pie), about to be run: predict where the kernel loads it (@pl, the
 * placement `check` predicts) and make huge only the page cache of the
 * spans the process will map 2 MiB-congruently: priming text it maps
 * incongruently is work no process gains from.  @res's parts are then
 * in the process's view (its link-time addresses, spans only where it
 * can map a PMD; span_reason says why not elsewhere), so that its
 * totals say what the process will map huge on its first faults.
 * Returns as ht_prime_file().
 */
int ht_prime_program(const char *path, const struct ht_policy *pol,
		     struct ht_prime_result *res, struct ht_placement *pl);

/*
 * ht_prime_range - the same for one range of an open file: [@offset,
 * @offset + @len), both 2 MiB-aligned, into @t (fd, offsets and the
 * results).  Returns as ht_make_huge().
 */
int ht_prime_range(int fd, uint64_t offset, uint64_t len,
		   const struct ht_policy *pol, struct ht_target *t);

#endif /* HT_PRIME_H */
