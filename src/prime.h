/* SPDX-License-Identifier: MIT */
/* prime.h - make a file's page cache huge from outside (stub). */
#ifndef HT_PRIME_H
#define HT_PRIME_H
#endif /* HT_PRIME_H */
