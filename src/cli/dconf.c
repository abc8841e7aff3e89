// SPDX-License-Identifier: MIT
/* dconf.c - the daemon's configuration; see dconf.h. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dconf.h"

void ht_dconf_init(struct ht_dconf *c)
{
	memset(c, 0, sizeof(*c));
	c->interval = 10;
	c->inject = true;
	c->min_eligible = 2 << 20;
	c->sample_ms = 200;
}

void ht_dconf_free(struct ht_dconf *c)
{
	size_t i, k;

	for (k = 0; k < HT_DK__COUNT; k++) {
		for (i = 0; i < c->allow[k].n; i++)
			free(c->allow[k].p[i]);
		for (i = 0; i < c->deny[k].n; i++)
			free(c->deny[k].p[i]);
		free(c->allow[k].p);
		free(c->deny[k].p);
	}
	free(c->textfile);
	ht_dconf_init(c);
}

static int add_glob(struct ht_globs *g, const char *v)
{
	char *s = strdup(v);

	if (!s || ht_grow(&g->p, &g->cap, g->n, sizeof(*g->p), 4)) {
		free(s);
		return -ENOMEM;
	}
	g->p[g->n++] = s;
	return 0;
}

static int parse_uint(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || *end || x > max)
		return -EINVAL;
	*out = x;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static const char *const kinds[HT_DK__COUNT] = { "exe", "cgroup", "unit" };

/* One "key = value"; a message for what is wrong, or NULL. */
static const char *set(struct ht_dconf *c, const char *k, const char *v)
{
	uint64_t x;
	size_t i;

	if (!strcmp(k, "interval")) {
		if (parse_uint(v, 86400, &x) || !x)
			return "seconds, 1 to 86400";
		c->interval = (unsigned int)x;
	} else if (!strcmp(k, "inject")) {
		if (parse_bool(v, &c->inject))
			return "yes or no";
	} else if (!strcmp(k, "max_huge_text_mib")) {
		if (parse_uint(v, 1 << 30, &x))
			return "a number of MiB, 0 for none";
		c->max_huge_text = x << 20;
	} else if (!strcmp(k, "min_eligible_mib")) {
		if (parse_uint(v, 1 << 20, &x))
			return "a number of MiB";
		c->min_eligible = x << 20;
	} else if (!strcmp(k, "sample_ms")) {
		if (parse_uint(v, 10000, &x))
			return "milliseconds, 0 to 10000";
		c->sample_ms = (unsigned int)x;
	} else if (!strcmp(k, "textfile")) {
		free(c->textfile);
		c->textfile = *v ? strdup(v) : NULL;
		if (*v && !c->textfile)
			return "out of memory";
	} else {
		for (i = 0; i < HT_DK__COUNT; i++) {
			if (!strncmp(k, "allow_", 6) &&
			    !strcmp(k + 6, kinds[i]))
				return add_glob(&c->allow[i], v) ?
				       "out of memory" : NULL;
			if (!strncmp(k, "deny_", 5) && !strcmp(k + 5, kinds[i]))
				return add_glob(&c->deny[i], v) ?
				       "out of memory" : NULL;
		}
		return "unknown key";
	}
	return NULL;
}

int ht_dconf_load(const char *path, struct ht_dconf *c, char *err,
		  size_t errlen)
{
	FILE *f = fopen(path, "re");
	char line[4096], *k, *v, *eq;
	const char *why;
	unsigned int no = 0;
	int ret = 0;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		no++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path, no);
			ret = -EINVAL;
			break;
		}
		k = trim(line);
		if (!*k || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: not 'key = value'", path,
				 no);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		v = trim(eq + 1);
		k = trim(k);
		why = set(c, k, v);
		if (why) {
			snprintf(err, errlen, "%s:%u: %s: %s", path, no, k, why);
			ret = -EINVAL;
			break;
		}
	}
	fclose(f);
	return ret;
}

static bool any(const struct ht_globs *g, const char *s)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (fnmatch(g->p[i], s, 0) == 0)
			return true;
	return false;
}

bool ht_dconf_wants(const struct ht_dconf *c, const char *exe,
		    const char *cgroup, const char *unit)
{
	const char *what[HT_DK__COUNT] = { exe, cgroup, unit };
	size_t k;

	for (k = 0; k < HT_DK__COUNT; k++) {
		if (any(&c->deny[k], what[k]))
			return false;
		if (c->allow[k].n && !any(&c->allow[k], what[k]))
			return false;
	}
	return true;
}
