/* SPDX-License-Identifier: MIT */
/*
 * prom.h - the Prometheus text exposition format (version 0.0.4), for
 * `status --all --prom` and the daemon's node_exporter textfile: one
 * "# HELP" and one "# TYPE" line per metric family, then its samples,
 * label values escaped (backslash, double quote, newline), and a file
 * replaced whole by rename() so that a scrape never reads half of it.
 */
#ifndef HT_PROM_H
#define HT_PROM_H

#include <stdint.h>

#include "buf.h"

/*
 * ht_prom_family - start the family @name ("hugetext_huge_bytes": the
 * caller's, matching [a-zA-Z_:][a-zA-Z0-9_:]*) of @type ("gauge",
 * "counter") with its @help text (one line; backslashes and newlines
 * are escaped here).
 */
void ht_prom_family(struct ht_buf *b, const char *name, const char *type,
		    const char *help);

/*
 * ht_prom_sample - one sample of @name with the labels given as
 * @nlabels pairs of name and value in @labels (label names are the
 * caller's; values are escaped here), and @value.
 */
void ht_prom_sample(struct ht_buf *b, const char *name,
		    const char *const *labels, unsigned int nlabels,
		    uint64_t value);

/*
 * ht_prom_write_file - replace @path with @b's text: written to a
 * temporary file in the same directory (mode 0644), synced, renamed
 * over @path.  Returns 0, or -errno with @path as it was.
 */
int ht_prom_write_file(const char *path, const struct ht_buf *b);

#endif /* HT_PROM_H */
