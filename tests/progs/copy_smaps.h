/* SPDX-License-Identifier: MIT */
/* copy_smaps.h - test programs copy their own smaps for the tests. */
#ifndef COPY_SMAPS_H
#define COPY_SMAPS_H

#include <stdio.h>

/* Copy /proc/self/smaps to @out.  Returns 0, or -1 on failure. */
static inline int copy_smaps(const char *out)
{
	char buf[65536];
	FILE *in = fopen("/proc/self/smaps", "r");
	FILE *o = fopen(out, "w");
	size_t n;

	if (!in || !o) {
		if (in)
			fclose(in);
		if (o)
			fclose(o);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, o);
	fclose(in);
	return fclose(o);
}

#endif /* COPY_SMAPS_H */
