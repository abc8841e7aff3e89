// SPDX-License-Identifier: MIT
/* header.c - the first members of every JSON document; see header.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "header.h"

/*
 * Days since 1970-01-01 to a proleptic Gregorian date, by eras of 400
 * years (146097 days), which repeat exactly; the year is taken to
 * start on March 1 so that the leap day is its last.
 */
static void civil(int64_t days, int64_t *y, unsigned int *m,
		  unsigned int *d)
{
	int64_t z = days + 719468;	/* days since 0000-03-01 */
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	uint64_t doe = (uint64_t)(z - era * 146097);	/* [0, 146096] */
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;	/* 0: March */

	*d = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static char *digits(char *p, unsigned int v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define UTC_MIN	(-62167219200LL)
#define UTC_MAX	(253402300799LL)

void ht_utc_format(int64_t secs, char buf[HT_UTC_SIZE])
{
	int64_t days, sod, y;
	unsigned int m, d;
	char *p = buf;

	if (secs < UTC_MIN)
		secs = UTC_MIN;
	if (secs > UTC_MAX)
		secs = UTC_MAX;
	days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	sod = secs - days * 86400;
	civil(days, &y, &m, &d);
	p = digits(p, (unsigned int)y, 4);
	*p++ = '-';
	p = digits(p, m, 2);
	*p++ = '-';
	p = digits(p, d, 2);
	*p++ = 'T';
	p = digits(p, (unsigned int)(sod / 3600), 2);
	*p++ = ':';
	p = digits(p, (unsigned int)(sod / 60 % 60), 2);
	*p++ = ':';
	p = digits(p, (unsigned int)(sod % 60), 2);
	*p++ = 'Z';
	*p = '\0';
}

static int is_unit(const char *c, size_t n)
{
	return (n > 8 && !memcmp(c + n - 8, ".service", 8)) ||
	       (n > 6 && !memcmp(c + n - 6, ".scope", 6));
}

int ht_cgroup_unit(const char *text, char *unit, size_t len)
{
	const char *p = text, *e, *c, *best = NULL;
	size_t bn = 0;

	*unit = '\0';
	/* The v2 line is "0::PATH"; v1 lines name a controller. */
	while (*p && strncmp(p, "0::", 3)) {
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
	}
	if (!*p)
		return -ENOENT;
	for (p += 3, e = p; *e && *e != '\n'; e++)
		;
	/* Components between slashes; the last unit found is innermost. */
	for (c = p; c < e; c = p) {
		while (c < e && *c == '/')
			c++;
		for (p = c; p < e && *p != '/'; p++)
			;
		if (is_unit(c, (size_t)(p - c))) {
			best = c;
			bn = (size_t)(p - c);
		}
	}
	if (!best || bn >= len)
		return -ENOENT;
	memcpy(unit, best, bn);
	unit[bn] = '\0';
	return 0;
}

/* /proc/PID/NAME (or /proc/self/NAME) whole into @buf; its length. */
static size_t proc_read(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[48], num[16], *p = path;
	size_t n = 0, k;
	ssize_t r;
	int fd;

	memcpy(p, "/proc/", 6);
	p += 6;
	if (pid > 0) {
		unsigned int v = (unsigned int)pid;

		k = 0;
		do
			num[k++] = (char)('0' + v % 10);
		while ((v /= 10));
		while (k)
			*p++ = num[--k];
	} else {
		memcpy(p, "self", 4);
		p += 4;
	}
	*p++ = '/';
	k = strlen(name);
	memcpy(p, name, k + 1);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;
	while (n + 1 < len && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return n;
}

/* Room for every line of a cgroup v1 host; on the heap, not on a stack
 * that may be a small thread's of the program. */
#define CGROUP_MAX	8192

void ht_who_read(pid_t pid, struct ht_who *w)
{
	char *cg = malloc(CGROUP_MAX);
	int saved = errno;
	size_t n;

	w->pid = pid > 0 ? pid : getpid();
	n = proc_read(pid, "comm", w->comm, sizeof(w->comm));
	if (n && w->comm[n - 1] == '\n')
		w->comm[n - 1] = '\0';
	/* argv[0] is the first NUL-terminated string of cmdline. */
	proc_read(pid, "cmdline", w->argv0, sizeof(w->argv0));
	if (!cg || !proc_read(pid, "cgroup", cg, CGROUP_MAX) ||
	    ht_cgroup_unit(cg, w->unit, sizeof(w->unit)))
		w->unit[0] = '\0';
	free(cg);
	errno = saved;
}

static void str_or_null(struct ht_jw *jw, const char *key, const char *s)
{
	ht_jw_str(jw, key, *s ? s : NULL);
}

void ht_jw_header(struct ht_jw *jw, const struct ht_who *w)
{
	char t[HT_UTC_SIZE];
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		ts.tv_sec = 0;
	ht_utc_format((int64_t)ts.tv_sec, t);
	ht_jw_str(jw, "hugetext", PACKAGE_VERSION);
	ht_jw_int(jw, "schema", HT_SCHEMA);
	ht_jw_str(jw, "time", t);
	ht_jw_int(jw, "pid", w->pid);
	str_or_null(jw, "comm", w->comm);
	str_or_null(jw, "argv0", w->argv0);
	str_or_null(jw, "unit", w->unit);
}
