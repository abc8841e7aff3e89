// SPDX-License-Identifier: MIT
/* prom.c - Prometheus text exposition format; see prom.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prom.h"

/* @s with \ and newline escaped, and " too inside label values. */
static void escaped(struct ht_buf *b, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			ht_buf_put(b, "\\\\", 2);
		else if (*s == '\n')
			ht_buf_put(b, "\\n", 2);
		else if (*s == '"' && quote)
			ht_buf_put(b, "\\\"", 2);
		else
			ht_buf_putc(b, *s);
	}
}

void ht_prom_family(struct ht_buf *b, const char *name, const char *type,
		    const char *help)
{
	ht_buf_printf(b, "# HELP %s ", name);
	escaped(b, help, 0);
	ht_buf_printf(b, "\n# TYPE %s %s\n", name, type);
}

void ht_prom_sample(struct ht_buf *b, const char *name,
		    const char *const *labels, unsigned int nlabels,
		    uint64_t value)
{
	unsigned int i;

	ht_buf_put(b, name, strlen(name));
	for (i = 0; i < nlabels; i++) {
		ht_buf_printf(b, "%s%s=\"", i ? "," : "{", labels[2 * i]);
		escaped(b, labels[2 * i + 1], 1);
		ht_buf_putc(b, '"');
	}
	ht_buf_printf(b, "%s %" PRIu64 "\n", nlabels ? "}" : "", value);
}

int ht_prom_write_file(const char *path, const struct ht_buf *b)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	int fd, ret;

	if (!tmp)
		return -ENOMEM;
	/* A name node_exporter's *.prom glob does not match. */
	snprintf(tmp, n, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0) {
		ret = -errno;
		free(tmp);
		return ret;
	}
	ret = ht_buf_write(b, fd);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}
