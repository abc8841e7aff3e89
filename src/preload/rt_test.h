/* SPDX-License-Identifier: MIT */
/*
 * rt_test.h - rt.c's pure functions as built for tests/unit/test_rt.c
 * (-DHT_RT_TEST): the same code under ht_rt_* names, so that a test can
 * hold them against glibc's.
 */
#ifndef HT_RT_TEST_H
#define HT_RT_TEST_H

#include <stdarg.h>
#include <stddef.h>

void *ht_rt_memcpy(void *dst, const void *src, size_t n);
void *ht_rt_memmove(void *dst, const void *src, size_t n);
void *ht_rt_memset(void *dst, int c, size_t n);
int ht_rt_memcmp(const void *a, const void *b, size_t n);
void *ht_rt_memchr(const void *s, int c, size_t n);
void *ht_rt_memrchr(const void *s, int c, size_t n);
size_t ht_rt_strlen(const char *s);
int ht_rt_strcmp(const char *a, const char *b);
int ht_rt_strncmp(const char *a, const char *b, size_t n);
int ht_rt_strcasecmp(const char *a, const char *b);
char *ht_rt_strchr(const char *s, int c);
size_t ht_rt_strcspn(const char *s, const char *reject);
char *ht_rt_strstr(const char *hay, const char *needle);
unsigned long long ht_rt_strtoull(const char *s, char **end, int base);
unsigned long ht_rt_strtoul(const char *s, char **end, int base);
int ht_rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ht_rt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *ht_rt_strerrordesc_np(int e);
void *ht_rt_malloc(size_t n);
void ht_rt_free(void *p);
void *ht_rt_calloc(size_t n, size_t size);
void *ht_rt_realloc(void *p, size_t n);
char *ht_rt_strdup(const char *s);

#endif /* HT_RT_TEST_H */
