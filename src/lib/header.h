/* SPDX-License-Identifier: MIT */
/*
 * header.h - the members every JSON document of hugetext starts with:
 * the version, the schema version, the time it was written (UTC) and
 * which process it is about (pid, comm, argv0, systemd unit).  Read
 * only when a document is written, never in a pass.
 */
#ifndef HT_HEADER_H
#define HT_HEADER_H

#include <stdint.h>
#include <sys/types.h>

#include "json.h"

/*
 * The version of the documents' vocabulary: members are only added
 * within one; a rename or a change of meaning makes the next.
 */
#define HT_SCHEMA	1

/* "YYYY-MM-DDTHH:MM:SSZ" and its NUL. */
#define HT_UTC_SIZE	21

/*
 * ht_utc_format - @secs after the epoch as RFC 3339 UTC into @buf, for
 * years 0 to 9999 (others are clamped to those bounds).  No libc: the
 * library has none to ask.
 */
void ht_utc_format(int64_t secs, char buf[HT_UTC_SIZE]);

/*
 * ht_cgroup_unit - the innermost component ending in ".service" or
 * ".scope" of the cgroup v2 path in @text (the contents of
 * /proc/PID/cgroup, its "0::" line) into @unit (@len bytes).  Returns
 * 0, or -ENOENT (no v2 line, no unit, or it does not fit; @unit empty).
 */
int ht_cgroup_unit(const char *text, char *unit, size_t len);

/* Who a document is about; empty strings are written as null. */
struct ht_who {
	pid_t pid;
	char comm[64];
	char argv0[256];
	char unit[256];
};

/*
 * ht_who_read - fill @w from /proc for @pid, or for this process when
 * @pid is 0 (then through /proc/self: the library may be in another
 * PID namespace than its /proc).  What cannot be read is left empty.
 * Keeps errno; never fails.
 */
void ht_who_read(pid_t pid, struct ht_who *w);

/*
 * ht_jw_header - the first members of a document's object: "hugetext",
 * "schema", "time" (now), "pid", "comm", "argv0", "unit".
 */
void ht_jw_header(struct ht_jw *jw, const struct ht_who *w);

#endif /* HT_HEADER_H */
