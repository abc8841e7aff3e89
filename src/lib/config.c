// SPDX-License-Identifier: MIT
/* config.c - HUGETEXT_* environment into struct ht_config. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "config.h"

int ht_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static void bad(struct ht_config *c, const char *name, const char *value)
{
	if (!c->bad_name) {
		c->bad_name = name;
		c->bad_value = value;
	}
}

static void load_bool(struct ht_config *c, ht_getenv_fn get,
		      const char *name, bool *field)
{
	const char *v = get(name);

	if (v && *v && ht_parse_bool(v, field))
		bad(c, name, v);
}

/* 0/1 and the boolean words, or 2: everything. */
static void load_verbose(struct ht_config *c, ht_getenv_fn get)
{
	const char *v = get(HT_ENV_VERBOSE);
	bool on = false;

	if (!v || !*v)
		return;
	if (!strcmp(v, "2"))
		c->verbose = HT_VERBOSE_ALL;
	else if (ht_parse_bool(v, &on))
		bad(c, HT_ENV_VERBOSE, v);
	else
		c->verbose = on ? HT_VERBOSE_SUMMARY : HT_VERBOSE_OFF;
}

int ht_config_load(struct ht_config *c, ht_getenv_fn get)
{
	bool dlopen_on;
	const char *v;

	memset(c, 0, sizeof(*c));
	c->strategy = HT_STRATEGY_AUTO;
	load_bool(c, get, HT_ENV_DISABLE, &c->disabled);
	load_verbose(c, get);
	load_bool(c, get, HT_ENV_DRY_RUN, &c->dry_run);
	load_bool(c, get, HT_ENV_NO_INHERIT, &c->no_inherit);
	dlopen_on = true;
	load_bool(c, get, HT_ENV_DLOPEN, &dlopen_on);
	c->no_dlopen = !dlopen_on;
	v = get(HT_ENV_STRATEGY);
	if (v && *v && ht_strategy_parse(v, &c->strategy))
		bad(c, HT_ENV_STRATEGY, v);
	/* "try" or "skip" (the default), so the opt-in reads as one. */
	v = get(HT_ENV_SECCOMP);
	if (v && *v && !strcmp(v, "try"))
		c->seccomp_try = true;
	else if (v && *v && strcmp(v, "skip"))
		bad(c, HT_ENV_SECCOMP, v);
	v = get(HT_ENV_BUDGET);
	if (v && *v) {
		char *end;
		unsigned long ms;

		errno = 0;
		ms = strtoul(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || errno || ms > 3600000)
			bad(c, HT_ENV_BUDGET, v);
		else {
			c->budget_set = true;
			c->budget_ms = (unsigned int)ms;
		}
	}
	v = get(HT_ENV_REPORT);
	if (v && *v)
		c->report_path = v;
	return c->bad_name ? -EINVAL : 0;
}
