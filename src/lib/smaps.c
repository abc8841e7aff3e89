// SPDX-License-Identifier: MIT
/* smaps.c - /proc/PID/smaps parser; see smaps.h. */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux-compat.h"
#include "smaps.h"

/* "Rss:     1234 kB" -> bytes, when @line starts with @key. */
static bool field_kb(const char *line, const char *key, size_t klen,
		     uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (strncmp(line, key, klen))
		return false;
	v = strtoull(line + klen, &end, 10);
	*out = (uint64_t)v * 1024;
	return true;
}

static unsigned int parse_vmflags(const char *s)
{
	unsigned int f = 0;

	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!s[0] || !s[1])
			break;
		if (s[0] == 'h' && s[1] == 'g')
			f |= HT_VM_HG;
		else if (s[0] == 'n' && s[1] == 'h')
			f |= HT_VM_NH;
		else if (s[0] == 'e' && s[1] == 'x')
			f |= HT_VM_EX;
		else if (s[0] == 's' && s[1] == 'h')
			f |= HT_VM_SH;
		else if (s[0] == 'l' && s[1] == 'o')
			f |= HT_VM_LO;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n')
			s++;
	}
	return f;
}

/* Hexadecimal digits at *@p into @v; false when there are none. */
static bool hex_field(const char **p, unsigned long long *v)
{
	const char *s = *p;

	*v = 0;
	for (;; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		*v = *v << 4 | d;
	}
	if (s == *p)
		return false;
	*p = s;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/*
 * Parse a header line, "START-END PERMS OFFSET MAJ:MIN INODE   PATH",
 * by hand (no stdio in the library).  Returns false when @line is not
 * one.
 */
static bool parse_header(char *line, struct ht_vma *v)
{
	unsigned long long start, end, off, maj, min, ino = 0;
	const char *p = line;
	size_t i;

	if (!hex_field(&p, &start) || !expect(&p, '-') ||
	    !hex_field(&p, &end) || !expect(&p, ' '))
		return false;
	for (i = 0; i < 4; i++) {
		if (!*p || *p == ' ')
			return false;
		v->perms[i] = *p++;
	}
	v->perms[4] = '\0';
	if (!expect(&p, ' ') || !hex_field(&p, &off) || !expect(&p, ' ') ||
	    !hex_field(&p, &maj) || !expect(&p, ':') ||
	    !hex_field(&p, &min) || !expect(&p, ' '))
		return false;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		ino = ino * 10 + (*p - '0');
	if (*p && *p != ' ' && *p != '\t' && *p != '\n')
		return false;
	memset(&v->rss, 0, sizeof(*v) - offsetof(struct ht_vma, rss));
	v->start = start;
	v->end = end;
	v->pgoff = off;
	v->dev_major = maj;
	v->dev_minor = min;
	v->inode = ino;
	while (*p == ' ' || *p == '\t')
		p++;
	v->path = (char *)p;
	return true;
}

/*
 * Lines of a file read with read(): /proc files are made a page or so
 * at a time, and a line never spans two reads of a smaps file, but a
 * reader may not count on that.
 */
struct lines {
	int fd;
	char *buf;
	size_t cap, start, end;
	bool eof;
};

#define LINES_CAP	16384
#define LINES_MAX	(1u << 20)

/* The next line, without its newline; NULL at the end or on error. */
static char *next_line(struct lines *l, int *err)
{
	for (;;) {
		char *nl = l->end > l->start ?
			   memchr(l->buf + l->start, '\n',
				  l->end - l->start) : NULL;
		char *line = l->buf + l->start;
		ssize_t n;

		if (nl) {
			*nl = '\0';
			l->start = nl + 1 - l->buf;
			return line;
		}
		if (l->eof) {
			if (l->start == l->end)
				return NULL;
			l->buf[l->end] = '\0';
			l->start = l->end;
			return line;
		}
		if (l->start) {
			memmove(l->buf, line, l->end - l->start);
			l->end -= l->start;
			l->start = 0;
		}
		if (l->end + 1 >= l->cap) {
			char *b = l->cap < LINES_MAX ?
				  realloc(l->buf, l->cap * 2) : NULL;

			if (!b) {
				*err = -ENOMEM;
				return NULL;
			}
			l->buf = b;
			l->cap *= 2;
		}
		n = read(l->fd, l->buf + l->end, l->cap - l->end - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = -errno;
			return NULL;
		}
		if (n == 0)
			l->eof = true;
		l->end += n;
	}
}

/* A header line starts with a hex digit; a field with a capital. */
static bool is_header(const char *line)
{
	char c = line[0];

	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int ht_smaps_parse(int fd, ht_vma_fn fn, void *arg)
{
	struct lines l = { fd, malloc(LINES_CAP), LINES_CAP, 0, 0, false };
	char *line, *path = NULL;
	struct ht_vma v;
	bool have = false;
	int ret = 0;

	if (!l.buf)
		return -ENOMEM;
	memset(&v, 0, sizeof(v));
	v.path = "";
	while ((line = next_line(&l, &ret))) {
		if (is_header(line)) {
			if (have) {
				ret = fn(&v, arg);
				if (ret)
					goto out;
			}
			if (!parse_header(line, &v)) {
				ret = -EBADMSG;
				have = false;
				goto out;
			}
			/* The next read may move @line: keep the path. */
			free(path);
			path = strdup(v.path);
			if (!path) {
				ret = -ENOMEM;
				have = false;
				goto out;
			}
			v.path = path;
			have = true;
			continue;
		}
		if (!have)
			continue;
		if (field_kb(line, "Rss:", 4, &v.rss) ||
		    field_kb(line, "Anonymous:", 10, &v.anonymous) ||
		    field_kb(line, "FilePmdMapped:", 14, &v.file_pmd) ||
		    field_kb(line, "ShmemPmdMapped:", 15, &v.shmem_pmd) ||
		    field_kb(line, "AnonHugePages:", 14, &v.anon_huge))
			continue;
		if (!strncmp(line, "VmFlags:", 8))
			v.vmflags = parse_vmflags(line + 8);
	}
	if (!ret && have)
		ret = fn(&v, arg);
out:
	free(l.buf);
	free(path);
	return ret;
}

int ht_smaps_walk(pid_t pid, ht_vma_fn fn, void *arg)
{
	char name[64];
	int fd, ret;

	if (pid)
		snprintf(name, sizeof(name), "/proc/%d/smaps", (int)pid);
	else
		snprintf(name, sizeof(name), "/proc/self/smaps");
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ht_smaps_parse(fd, fn, arg);
	close(fd);
	return ret;
}

void ht_range_stat_reset(struct ht_range_stat *q)
{
	uint64_t start = q->start, end = q->end;
	bool want = q->want_path;

	memset(q, 0, sizeof(*q));
	q->start = start;
	q->end = end;
	q->want_path = want;
}

void ht_range_stat_free(struct ht_range_stat *q, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(q[i].path);
		q[i].path = NULL;
	}
}

struct query {
	struct ht_range_stat *q;
	size_t n;
};

static void add_vma(struct ht_range_stat *q, const struct ht_vma *v)
{
	uint64_t lo = v->start > q->start ? v->start : q->start;
	uint64_t hi = v->end < q->end ? v->end : q->end;
	uint64_t off = v->pgoff + (q->start - v->start);
	bool file = v->inode != 0 && !(v->vmflags & HT_VM_SH);

	if (q->nvma == 0) {
		q->one_file = file;
		q->offset = off;
		q->dev_major = v->dev_major;
		q->dev_minor = v->dev_minor;
		q->inode = v->inode;
		if (q->want_path)
			q->path = strdup(v->path);
	} else if (!file || v->inode != q->inode ||
		   v->dev_major != q->dev_major ||
		   v->dev_minor != q->dev_minor || off != q->offset) {
		q->one_file = false;
	}
	q->nvma++;
	q->covered += hi - lo;
	q->rss += v->rss;
	q->anonymous += v->anonymous;
	q->pmd += v->file_pmd + v->shmem_pmd;
	q->anon_huge += v->anon_huge;
	q->vmflags_or |= v->vmflags;
	if (v->perms[1] == 'w')
		q->writable = true;
}

static int query_cb(const struct ht_vma *v, void *arg)
{
	struct query *qs = arg;
	size_t i;

	for (i = 0; i < qs->n; i++) {
		struct ht_range_stat *q = &qs->q[i];

		if (v->start < q->end && v->end > q->start)
			add_vma(q, v);
	}
	return 0;
}

int ht_smaps_query(pid_t pid, struct ht_range_stat *q, size_t n)
{
	struct query qs = { q, n };
	size_t i;

	for (i = 0; i < n; i++)
		ht_range_stat_reset(&q[i]);
	return ht_smaps_walk(pid, query_cb, &qs);
}



int ht_maps_query(struct ht_range_stat *q, size_t n)
{
	struct query qs = { q, n };
	uint64_t present, huge, anon;
	int fd, ret = 0;
	size_t i;
	int mfd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Before 6.7 there is nothing cheaper than smaps to ask. */
	if (n)
		ret = ht_pagemap_walk(fd, q[0].start, q[0].end, &present, &huge,
				   &anon);
	if (ret)
		goto out;
	for (i = 0; i < n; i++)
		ht_range_stat_reset(&q[i]);
	/* The same header lines as smaps, and no page walked for them. */
	mfd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (mfd < 0) {
		ret = -errno;
		goto out;
	}
	ret = ht_smaps_parse(mfd, query_cb, &qs);
	close(mfd);
	for (i = 0; !ret && i < n; i++) {
		ret = ht_pagemap_walk(fd, q[i].start, q[i].end, &present, &huge,
				   &anon);
		q[i].rss = present;
		q[i].pmd = huge;
		q[i].anonymous = anon;
	}
out:
	close(fd);
	return ret;
}

ssize_t ht_proc_read(const char *path, char *buf, size_t len)
{
	ssize_t n = 0, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* /proc hands a file out in pieces; read to its end. */
	while (got < (ssize_t)len - 1 &&
	       (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	if (n < 0 && !got)
		got = -errno;
	else
		buf[got] = '\0';
	close(fd);
	return got;
}

bool ht_self_locked(void)
{
	char buf[4096];
	const char *p;

	if (ht_proc_read("/proc/self/status", buf, sizeof(buf)) < 0)
		return true;
	p = strstr(buf, "\nVmLck:");
	if (!p)
		return true;
	p += strlen("\nVmLck:");
	while (*p == ' ' || *p == '\t')
		p++;
	return *p != '0';
}

/*
 * The "NAME:\t12" number in what @fd reads, or -1.  For fdinfo.
 */
static long long fd_field(int fd, const char *name, size_t len)
{
	struct lines l = { fd, malloc(LINES_CAP), LINES_CAP, 0, 0, false };
	long long v = -1;
	char *line;
	int err = 0;

	if (!l.buf)
		return -1;
	while ((line = next_line(&l, &err)))
		if (!strncmp(line, name, len)) {
			v = (long long)strtoull(line + len, NULL, 10);
			break;
		}
	free(l.buf);
	return v;
}

int ht_mapped_dev(int fd, unsigned int *maj, unsigned int *min)
{
	struct lines l = { -1, NULL, LINES_CAP, 0, 0, false };
	unsigned long long id;
	long long mnt;
	char name[64], *line, *p;
	int f, err = -ENOENT;

	snprintf(name, sizeof(name), "/proc/self/fdinfo/%d", fd);
	f = open(name, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	mnt = fd_field(f, "mnt_id:", 7);
	close(f);
	if (mnt < 0)
		return -ENOENT;
	l.fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (l.fd < 0)
		return -errno;
	l.buf = malloc(LINES_CAP);
	/* "ID PARENT MAJOR:MINOR ROOT POINT ..." */
	while (l.buf && (line = next_line(&l, &err))) {
		id = strtoull(line, &p, 10);
		if (p == line || *p != ' ' || id != (unsigned long long)mnt)
			continue;
		strtoull(p, &p, 10);
		*maj = (unsigned int)strtoull(p, &p, 10);
		if (*p != ':')
			break;
		*min = (unsigned int)strtoull(p + 1, NULL, 10);
		err = 0;
		break;
	}
	if (!l.buf)
		err = -ENOMEM;
	free(l.buf);
	close(l.fd);
	return err;
}

int ht_open_mapped(const struct ht_range_stat *q, const char *path)
{
	unsigned int maj = ~0u, min = ~0u;
	struct stat sb;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) || sb.st_ino != q->inode)
		goto stale;
	if (major(sb.st_dev) == q->dev_major &&
	    minor(sb.st_dev) == q->dev_minor)
		return fd;
	/*
	 * maps gives the superblock's device; stat() may give another:
	 * btrfs reports each subvolume's own anonymous device.  The same
	 * inode under the superblock maps names is the same file, but
	 * for another subvolume at the very path since smaps was read
	 * (inode numbers repeat across subvolumes): a race nothing
	 * short of /proc/PID/map_files (CAP_SYS_ADMIN) could rule out.
	 */
	if (!ht_mapped_dev(fd, &maj, &min) && maj == q->dev_major &&
	    min == q->dev_minor)
		return fd;
stale:
	close(fd);
	return -ESTALE;
}
