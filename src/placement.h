/* SPDX-License-Identifier: MIT */
/* placement.h - where the kernel or ld.so will load an ELF file (stub). */
#ifndef HT_PLACEMENT_H
#define HT_PLACEMENT_H
#endif /* HT_PLACEMENT_H */
