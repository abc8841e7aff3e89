/* SPDX-License-Identifier: MIT */
/* probe.h - which kernel route works on a filesystem (stub). */
#ifndef HT_PROBE_H
#define HT_PROBE_H
#endif /* HT_PROBE_H */
