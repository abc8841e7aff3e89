/* SPDX-License-Identifier: MIT */
/* clock.h - the one timer behind every "usec" in reports. */
#ifndef HT_CLOCK_H
#define HT_CLOCK_H

#include <stdint.h>
#include <time.h>

/* ht_now_usec - CLOCK_MONOTONIC in microseconds.  Never fails. */
static inline uint64_t ht_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

#endif /* HT_CLOCK_H */
