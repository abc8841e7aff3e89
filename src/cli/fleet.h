/* SPDX-License-Identifier: MIT */
/*
 * fleet.h - the metrics the daemon's textfile and `status --all --prom`
 * share, so that both say the same thing under the same names: per
 * executable (not per process: labels stay few) the processes with
 * eligible text, their eligible and PMD-mapped bytes, and the host's
 * FilePmdMapped and ShmemPmdMapped.
 */
#ifndef HT_FLEET_H
#define HT_FLEET_H

#include <stddef.h>

#include "buf.h"
#include "daemon.h"

/*
 * ht_fleet_prom_exes - the gauge families hugetext_processes,
 * hugetext_eligible_bytes and hugetext_huge_bytes into @b, one sample
 * per entry of @x (@n of them) that has processes (procs > 0), labelled
 * exe.  Only exe, procs, eligible and huge of each entry are read.
 */
void ht_fleet_prom_exes(struct ht_buf *b, const struct ht_dexe *x, size_t n);

/*
 * ht_fleet_prom_host - the gauges hugetext_host_file_pmd_mapped_bytes
 * and hugetext_host_shmem_pmd_mapped_bytes from /proc/meminfo into @b.
 */
void ht_fleet_prom_host(struct ht_buf *b);

#endif /* HT_FLEET_H */
