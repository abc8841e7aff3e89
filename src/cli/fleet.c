// SPDX-License-Identifier: MIT
/* fleet.c - metrics of the daemon and `status --all`; see fleet.h. */
#include "fleet.h"
#include "procinfo.h"
#include "prom.h"

void ht_fleet_prom_exes(struct ht_buf *b, const struct ht_dexe *x, size_t n)
{
	static const struct {
		const char *name, *help;
	} fam[] = {
		{ "hugetext_processes",
		  "Running processes of the executable with eligible text." },
		{ "hugetext_eligible_bytes",
		  "Text of those processes eligible for 2 MiB pages, summed "
		  "over the processes." },
		{ "hugetext_huge_bytes",
		  "Of it, mapped with 2 MiB pages (FilePmdMapped, "
		  "ShmemPmdMapped in their smaps), summed over the "
		  "processes." },
	};
	size_t f, i;

	for (f = 0; f < sizeof(fam) / sizeof(*fam); f++) {
		ht_prom_family(b, fam[f].name, "gauge", fam[f].help);
		for (i = 0; i < n; i++) {
			const char *l[] = { "exe", x[i].exe };
			uint64_t v[] = { x[i].procs, x[i].eligible,
					 x[i].huge };

			/* Executables seen once, gone now: counters only. */
			if (x[i].procs)
				ht_prom_sample(b, fam[f].name, l, 1, v[f]);
		}
	}
}

void ht_fleet_prom_host(struct ht_buf *b)
{
	ht_prom_family(b, "hugetext_host_file_pmd_mapped_bytes", "gauge",
		       "FilePmdMapped of /proc/meminfo.");
	ht_prom_sample(b, "hugetext_host_file_pmd_mapped_bytes", NULL, 0,
		       ht_meminfo("FilePmdMapped:"));
	ht_prom_family(b, "hugetext_host_shmem_pmd_mapped_bytes", "gauge",
		       "ShmemPmdMapped of /proc/meminfo.");
	ht_prom_sample(b, "hugetext_host_shmem_pmd_mapped_bytes", NULL, 0,
		       ht_meminfo("ShmemPmdMapped:"));
}
