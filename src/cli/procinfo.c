// SPDX-License-Identifier: MIT
/* procinfo.c - a process's identity from /proc; see procinfo.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procinfo.h"
#include "smaps.h"

uint64_t ht_proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (ht_proc_read(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');	/* comm may hold spaces and ')' */
	if (!p)
		return 0;
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

int ht_proc_exe(pid_t pid, char *buf, size_t len)
{
	static const char del[] = " (deleted)";
	size_t d = sizeof(del) - 1;
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, buf, len - 1);
	if (n < 0) {
		*buf = '\0';
		return -errno;
	}
	buf[n] = '\0';
	/* readlink() truncates silently: a full buffer may be cut short. */
	if ((size_t)n == len - 1)
		return -ENAMETOOLONG;
	if ((size_t)n > d && !strcmp(buf + n - d, del))
		buf[n - d] = '\0';
	return 0;
}

int ht_proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	n = ht_proc_read(path, buf, len);
	if (n < 0) {
		*buf = '\0';
		return (int)n;
	}
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* Does the component @c (@n bytes) name a systemd unit of a process? */
static int is_unit(const char *c, size_t n)
{
	return (n > 8 && !memcmp(c + n - 8, ".service", 8)) ||
	       (n > 6 && !memcmp(c + n - 6, ".scope", 6));
}

int ht_proc_cgroup(pid_t pid, char *cg, size_t len, char *unit,
		   size_t ulen)
{
	char path[64], buf[4096], *p, *e, *c;
	ssize_t n;
	int ret = 0;

	*cg = *unit = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	n = ht_proc_read(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	/* The v2 line is "0::PATH"; v1 lines have a controller. */
	for (p = buf; p && strncmp(p, "0::", 3); p = e ? e + 1 : NULL)
		e = strchr(p, '\n');
	if (!p)
		return -ENOENT;
	p += 3;
	e = strchr(p, '\n');
	if (e)
		*e = '\0';
	if ((size_t)snprintf(cg, len, "%s", p) >= len)
		ret = -ENAMETOOLONG;
	/* The innermost component that is a unit. */
	while ((c = strrchr(p, '/'))) {
		size_t m = strlen(c + 1);

		if (m < ulen && is_unit(c + 1, m)) {
			memcpy(unit, c + 1, m + 1);
			break;
		}
		*c = '\0';
	}
	return ret;
}

uint64_t ht_meminfo(const char *key)
{
	char buf[8192], *p;
	size_t k = strlen(key);

	if (ht_proc_read("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return 0;
	/* At the start of a line: "FilePmdMapped:" is no other's tail. */
	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, k))
			return strtoull(p + k, NULL, 10) * 1024;
	return 0;
}
