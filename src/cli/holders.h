/* SPDX-License-Identifier: MIT */
/*
 * holders.h - which processes keep a file's page cache small: those that
 * map its text with small pages, whose folios no drop can take
 * (page-cache-busy).  Found by reading every /proc/PID/maps, and the
 * PAGEMAP_SCAN of the mappings of the file: cheap for a command run by
 * hand, not for a library inside a program, which never asks.
 */
#ifndef HT_HOLDERS_H
#define HT_HOLDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A byte range of a file, in file offsets. */
struct ht_file_range {
	uint64_t offset, len;
};

#define HT_HOLDERS_SHOWN	4

struct ht_holders {
	size_t n;			/* processes found, all of them */
	struct {
		pid_t pid;
		char comm[17];		/* /proc/PID/comm, as it is */
	} h[HT_HOLDERS_SHOWN];		/* the first ones, by PID */
};

/*
 * ht_find_holders - the processes other than this one that map bytes of
 * @fd's file inside the @nr ranges @r with small pages: present and not
 * PMD-mapped, as PAGEMAP_SCAN of their pagemap tells (6.7+); where it
 * cannot tell, any mapping of those bytes counts.  Processes whose maps
 * may not be read are not seen.  Returns 0 or -errno.
 */
int ht_find_holders(int fd, const struct ht_file_range *r, size_t nr,
		    struct ht_holders *out);

/*
 * ht_cache_small - does the page cache of @fd hold small folios in the
 * 2 MiB spans of the @nr ranges @r (2 MiB-aligned)?  Each span is
 * mapped at a 2 MiB-aligned address of our own; one resident only in
 * part is small; one resident whole is read one page (no I/O) and is
 * small unless that maps a PMD.  Nothing is read that is not cached
 * already, where mincore() tells the truth (the file's owner or a
 * writer; others are told all is resident).  Returns 1, 0, or -errno.
 */
int ht_cache_small(int fd, const struct ht_file_range *r, size_t nr);

/*
 * ht_holders_text - "1234 (server), 1240 (server) and 3 more" into @buf
 * (control bytes as '?'), and the fix into @fix: one holder can be
 * fixed from outside (hugetext --pid), several only by restarting them
 * (MADV_PAGEOUT leaves pages more than one process maps).  Never fails.
 */
void ht_holders_text(const struct ht_holders *h, char *buf, size_t len,
		     char *fix, size_t fixlen);

#endif /* HT_HOLDERS_H */
