// SPDX-License-Identifier: MIT
/*
 * test_config.c - unit tests for the HUGETEXT_* environment (config.h)
 * and the strategy, route and THP mode names (text_collapse.h).
 *
 * ht_config_load() reads a table through a getenv-like function: the
 * defaults, every boolean word in any case, HUGETEXT_VERBOSE's levels
 * (0, 1 and 2), empty values, the first bad
 * value, each strategy and the report path.  ht_parse_bool() directly;
 * ht_strategy_parse/ht_strategy_name round trips; ht_route_name and
 * ht_thp_mode_name for every value and out-of-range ones.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "config.h"
#include "text_collapse.h"

#define MAX_VARS 16

static struct {
	const char *name;
	const char *value;
} vars[MAX_VARS];
static size_t nvars;
static unsigned int lookups;

static const char *const bool_vars[] = {
	HT_ENV_DISABLE, HT_ENV_VERBOSE, HT_ENV_DRY_RUN, HT_ENV_NO_INHERIT,
};

static const char *table_get(const char *name)
{
	size_t i;

	lookups++;
	cr_assert_eq(strncmp(name, "HUGETEXT_", 9), 0, "asked for %s", name);
	for (i = 0; i < nvars; i++)
		if (!strcmp(vars[i].name, name))
			return vars[i].value;
	return NULL;
}

static void set_var(const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < nvars; i++) {
		if (!strcmp(vars[i].name, name)) {
			vars[i].value = value;
			return;
		}
	}
	cr_assert_lt(nvars, MAX_VARS);
	vars[nvars].name = name;
	vars[nvars].value = value;
	nvars++;
}

static void clear_vars(void)
{
	nvars = 0;
	lookups = 0;
}

/* Load into a struct full of garbage, so that every field is set. */
static int load(struct ht_config *c)
{
	memset(c, 0x5a, sizeof(*c));
	return ht_config_load(c, table_get);
}

/* A boolean's value; HUGETEXT_VERBOSE's level (a true word is 1). */
static int bool_field(const struct ht_config *c, const char *name)
{
	if (!strcmp(name, HT_ENV_DISABLE))
		return c->disabled;
	if (!strcmp(name, HT_ENV_VERBOSE))
		return (int)c->verbose;
	if (!strcmp(name, HT_ENV_DRY_RUN))
		return c->dry_run;
	if (!strcmp(name, HT_ENV_NO_INHERIT))
		return c->no_inherit;
	cr_assert_fail("no field for %s", name);
	return -1;
}

static void expect_defaults(const struct ht_config *c)
{
	cr_assert_eq(c->disabled, false);
	cr_assert_eq(c->verbose, HT_VERBOSE_OFF);
	cr_assert_eq(c->dry_run, false);
	cr_assert_eq(c->no_inherit, false);
	cr_assert_eq(c->strategy, HT_STRATEGY_AUTO);
	cr_assert_eq(c->seccomp_try, false);
	cr_assert_eq(c->budget_set, false);
	cr_assert_null(c->report_path);
	cr_assert_null(c->bad_name);
	cr_assert_null(c->bad_value);
}

TestSuite(config, .init = clear_vars);

Test(config, defaults)
{
	struct ht_config c;

	cr_assert_eq(load(&c), 0);
	expect_defaults(&c);
	cr_assert_gt(lookups, 0);
}

Test(config, env_names)
{
	cr_assert_str_eq(HT_ENV_VERBOSE, "HUGETEXT_VERBOSE");
	cr_assert_str_eq(HT_ENV_DRY_RUN, "HUGETEXT_DRY_RUN");
	cr_assert_str_eq(HT_ENV_STRATEGY, "HUGETEXT_STRATEGY");
	cr_assert_str_eq(HT_ENV_REPORT, "HUGETEXT_REPORT");
	cr_assert_str_eq(HT_ENV_NO_INHERIT, "HUGETEXT_NO_INHERIT");
	cr_assert_str_eq(HT_ENV_DISABLE, "HUGETEXT_DISABLE");
}

Test(config, booleans_each_word)
{
	static const char *const yes[] = {
		"1", "yes", "YES", "Yes", "true", "TRUE", "tRuE", "on", "ON",
		"oN",
	};
	static const char *const no[] = {
		"0", "no", "NO", "No", "false", "FALSE", "False", "off",
		"OFF", "oFf",
	};
	struct ht_config c;
	size_t v, w, k;

	for (v = 0; v < 4; v++) {
		for (w = 0; w < sizeof(yes) / sizeof(*yes); w++) {
			clear_vars();
			set_var(bool_vars[v], yes[w]);
			cr_assert_eq(load(&c), 0, "%s=%s", bool_vars[v],
				     yes[w]);
			cr_assert_null(c.bad_name);
			/* This variable and no other. */
			for (k = 0; k < 4; k++)
				cr_assert_eq(bool_field(&c, bool_vars[k]),
					     k == v, "%s=%s: %s",
					     bool_vars[v], yes[w],
					     bool_vars[k]);
			cr_assert_eq(c.strategy, HT_STRATEGY_AUTO);
			cr_assert_null(c.report_path);
		}
		for (w = 0; w < sizeof(no) / sizeof(*no); w++) {
			clear_vars();
			set_var(bool_vars[v], no[w]);
			cr_assert_eq(load(&c), 0, "%s=%s", bool_vars[v],
				     no[w]);
			expect_defaults(&c);
		}
	}
}

Test(config, all_true)
{
	struct ht_config c;
	size_t v;

	for (v = 0; v < 4; v++)
		set_var(bool_vars[v], "yes");
	cr_assert_eq(load(&c), 0);
	cr_assert(c.disabled && c.verbose && c.dry_run && c.no_inherit);
	cr_assert_null(c.bad_name);
}

Test(config, empty_values_are_defaults)
{
	struct ht_config c;
	size_t v;

	for (v = 0; v < 4; v++)
		set_var(bool_vars[v], "");
	set_var(HT_ENV_STRATEGY, "");
	set_var(HT_ENV_REPORT, "");
	cr_assert_eq(load(&c), 0);
	expect_defaults(&c);
}

Test(config, bad_boolean)
{
	static const char *const bad[] = {
		"2", "y", "n", "maybe", "yess", " 1", "1 ", "o", "-1", "0x1",
		"enable",
	};
	struct ht_config c;
	size_t v, w;

	for (v = 0; v < 4; v++) {
		for (w = 0; w < sizeof(bad) / sizeof(*bad); w++) {
			/* HUGETEXT_VERBOSE=2 is a level (verbose_levels). */
			if (!strcmp(bool_vars[v], HT_ENV_VERBOSE) &&
			    !strcmp(bad[w], "2"))
				continue;
			clear_vars();
			set_var(bool_vars[v], bad[w]);
			cr_assert_eq(load(&c), -EINVAL, "%s=\"%s\"",
				     bool_vars[v], bad[w]);
			cr_assert_not_null(c.bad_name);
			cr_assert_str_eq(c.bad_name, bool_vars[v]);
			cr_assert_not_null(c.bad_value);
			cr_assert_str_eq(c.bad_value, bad[w]);
			/* The default is kept. */
			cr_assert_eq(bool_field(&c, bool_vars[v]), 0);
		}
	}
}

Test(config, verbose_levels)
{
	static const char *const bad[] = { "3", "02", "2 ", "-2", "all" };
	struct ht_config c;
	size_t w;

	set_var(HT_ENV_VERBOSE, "1");
	cr_assert_eq(load(&c), 0);
	cr_assert_eq(c.verbose, HT_VERBOSE_SUMMARY);
	set_var(HT_ENV_VERBOSE, "on");
	cr_assert_eq(load(&c), 0);
	cr_assert_eq(c.verbose, HT_VERBOSE_SUMMARY);
	set_var(HT_ENV_VERBOSE, "2");
	cr_assert_eq(load(&c), 0);
	cr_assert_eq(c.verbose, HT_VERBOSE_ALL);
	cr_assert_null(c.bad_name);
	set_var(HT_ENV_VERBOSE, "0");
	cr_assert_eq(load(&c), 0);
	cr_assert_eq(c.verbose, HT_VERBOSE_OFF);
	for (w = 0; w < sizeof(bad) / sizeof(*bad); w++) {
		set_var(HT_ENV_VERBOSE, bad[w]);
		cr_assert_eq(load(&c), -EINVAL, "HUGETEXT_VERBOSE=\"%s\"",
			     bad[w]);
		cr_assert_str_eq(c.bad_name, HT_ENV_VERBOSE);
		cr_assert_eq(c.verbose, HT_VERBOSE_OFF);
	}
}

Test(config, bad_value_keeps_the_good_ones)
{
	struct ht_config c;

	set_var(HT_ENV_VERBOSE, "maybe");
	set_var(HT_ENV_DRY_RUN, "1");
	set_var(HT_ENV_STRATEGY, "refault");
	set_var(HT_ENV_REPORT, "/tmp/r.json");
	cr_assert_eq(load(&c), -EINVAL);
	cr_assert_str_eq(c.bad_name, HT_ENV_VERBOSE);
	cr_assert_str_eq(c.bad_value, "maybe");
	cr_assert_eq(c.verbose, HT_VERBOSE_OFF);
	cr_assert_eq(c.dry_run, true);
	cr_assert_eq(c.strategy, HT_STRATEGY_REFAULT);
	cr_assert_str_eq(c.report_path, "/tmp/r.json");
}

Test(config, first_bad_one_is_named)
{
	struct ht_config c;

	set_var(HT_ENV_STRATEGY, "fast");
	set_var(HT_ENV_NO_INHERIT, "nope");
	set_var(HT_ENV_VERBOSE, "loud");
	cr_assert_eq(load(&c), -EINVAL);
	cr_assert_str_eq(c.bad_name, HT_ENV_VERBOSE);
	cr_assert_str_eq(c.bad_value, "loud");
	cr_assert_eq(c.strategy, HT_STRATEGY_AUTO);

	clear_vars();
	set_var(HT_ENV_STRATEGY, "fast");
	set_var(HT_ENV_NO_INHERIT, "nope");
	cr_assert_eq(load(&c), -EINVAL);
	cr_assert_str_eq(c.bad_name, HT_ENV_NO_INHERIT);
	cr_assert_str_eq(c.bad_value, "nope");

	clear_vars();
	set_var(HT_ENV_STRATEGY, "fast");
	set_var(HT_ENV_DISABLE, "1");
	cr_assert_eq(load(&c), -EINVAL);
	cr_assert_str_eq(c.bad_name, HT_ENV_STRATEGY);
	cr_assert_str_eq(c.bad_value, "fast");
	cr_assert_eq(c.disabled, true);
}

Test(config, strategies)
{
	static const struct {
		const char *s;
		enum ht_strategy want;
	} ok[] = {
		{ "auto", HT_STRATEGY_AUTO },
		{ "collapse", HT_STRATEGY_COLLAPSE },
		{ "refault", HT_STRATEGY_REFAULT },
		{ "none", HT_STRATEGY_NONE },
		{ "copy", HT_STRATEGY_COPY },
	};
	static const char *const bad[] = { "fast", "auto ", "collaps",
					   "refaults", "0", "-" };
	struct ht_config c;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		clear_vars();
		set_var(HT_ENV_STRATEGY, ok[i].s);
		cr_assert_eq(load(&c), 0, "%s", ok[i].s);
		cr_assert_eq(c.strategy, ok[i].want, "%s", ok[i].s);
		cr_assert_null(c.bad_name);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		clear_vars();
		set_var(HT_ENV_STRATEGY, bad[i]);
		cr_assert_eq(load(&c), -EINVAL, "\"%s\"", bad[i]);
		cr_assert_eq(c.strategy, HT_STRATEGY_AUTO);
		cr_assert_str_eq(c.bad_name, HT_ENV_STRATEGY);
		cr_assert_str_eq(c.bad_value, bad[i]);
	}
}

Test(config, dlopen_switch)
{
	struct ht_config c;

	clear_vars();
	cr_assert_eq(load(&c), 0);
	cr_assert_eq(c.no_dlopen, false);
	set_var(HT_ENV_DLOPEN, "0");
	cr_assert_eq(load(&c), 0);
	cr_assert_eq(c.no_dlopen, true);
	set_var(HT_ENV_DLOPEN, "yes");
	cr_assert_eq(load(&c), 0);
	cr_assert_eq(c.no_dlopen, false);
	set_var(HT_ENV_DLOPEN, "maybe");
	cr_assert_eq(load(&c), -EINVAL);
	cr_assert_str_eq(c.bad_name, HT_ENV_DLOPEN);
}

/* Only the two words: a typo must not be read as consent. */
Test(config, seccomp_switch)
{
	static const char *const bad[] = { "1", "yes", "Try", "tryhard" };
	struct ht_config c;
	size_t i;

	clear_vars();
	cr_assert_eq(load(&c), 0);
	cr_assert_eq(c.seccomp_try, false);
	set_var(HT_ENV_SECCOMP, "try");
	cr_assert_eq(load(&c), 0);
	cr_assert_eq(c.seccomp_try, true);
	set_var(HT_ENV_SECCOMP, "skip");
	cr_assert_eq(load(&c), 0);
	cr_assert_eq(c.seccomp_try, false);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		set_var(HT_ENV_SECCOMP, bad[i]);
		cr_assert_eq(load(&c), -EINVAL, "%s accepted", bad[i]);
		cr_assert_str_eq(c.bad_name, HT_ENV_SECCOMP);
		cr_assert_eq(c.seccomp_try, false);
	}
}

/* Milliseconds, 0 for none; anything else is a bad value. */
Test(config, budget)
{
	static const char *const bad[] = { "-1", "1.5", "10ms", " 5", "+5",
					   "3600001", "99999999999999999999" };
	struct ht_config c;
	size_t i;

	clear_vars();
	set_var(HT_ENV_BUDGET, "250");
	cr_assert_eq(load(&c), 0);
	cr_assert(c.budget_set);
	cr_assert_eq(c.budget_ms, 250);
	set_var(HT_ENV_BUDGET, "0");
	cr_assert_eq(load(&c), 0);
	cr_assert(c.budget_set);
	cr_assert_eq(c.budget_ms, 0);
	set_var(HT_ENV_BUDGET, "");
	cr_assert_eq(load(&c), 0);
	cr_assert_not(c.budget_set);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		set_var(HT_ENV_BUDGET, bad[i]);
		cr_assert_eq(load(&c), -EINVAL, "%s accepted", bad[i]);
		cr_assert_str_eq(c.bad_name, HT_ENV_BUDGET);
	}
}

Test(config, report_path_kept)
{
	static const char path[] = "/var/log/hugetext report.jsonl";
	struct ht_config c;

	set_var(HT_ENV_REPORT, path);
	cr_assert_eq(load(&c), 0);
	cr_assert_not_null(c.report_path);
	cr_assert_str_eq(c.report_path, path);
	/* Kept, not copied: the environment outlives the config. */
	cr_assert_eq(c.report_path, path);
	cr_assert_null(c.bad_name);
}

Test(config, parse_bool)
{
	bool b;

	b = false;
	cr_assert_eq(ht_parse_bool("On", &b), 0);
	cr_assert_eq(b, true);
	cr_assert_eq(ht_parse_bool("FALSE", &b), 0);
	cr_assert_eq(b, false);
	cr_assert_eq(ht_parse_bool("1", &b), 0);
	cr_assert_eq(b, true);
	cr_assert_eq(ht_parse_bool("no", &b), 0);
	cr_assert_eq(b, false);

	/* Bad words leave @out as it was. */
	b = true;
	cr_assert_eq(ht_parse_bool("", &b), -EINVAL);
	cr_assert_eq(b, true);
	cr_assert_eq(ht_parse_bool("nein", &b), -EINVAL);
	cr_assert_eq(b, true);
	b = false;
	cr_assert_eq(ht_parse_bool("yes!", &b), -EINVAL);
	cr_assert_eq(b, false);
}

Test(names, routes)
{
	static const struct {
		enum ht_route r;
		const char *name;
	} all[] = {
		{ HT_ROUTE_NONE, "none" },
		{ HT_ROUTE_ALREADY, "already" },
		{ HT_ROUTE_COLLAPSE, "collapse" },
		{ HT_ROUTE_REMAP, "remap" },
		{ HT_ROUTE_REFAULT, "refault" },
		{ HT_ROUTE_COPY, "copy" },
		{ HT_ROUTE_INJECT, "inject" },
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(*all); i++)
		cr_assert_str_eq(ht_route_name(all[i].r), all[i].name);
	cr_assert_str_eq(ht_route_name((enum ht_route)7), "unknown");
	cr_assert_str_eq(ht_route_name((enum ht_route)-1), "unknown");
	cr_assert_str_eq(ht_route_name((enum ht_route)777), "unknown");
}

/*
 * Every reason's text fits the 256-byte lines the renderers and check
 * write it into (check_human.c, ht_place_reason_text()): one that does
 * not is cut short there.
 */
Test(names, reason_texts_fit)
{
	int r;

	for (r = 0; r < HT_R__COUNT; r++)
		cr_assert_lt(strlen(ht_reason_text((enum ht_reason)r)), 255,
			     "%s: %zu bytes", ht_reason_name((enum ht_reason)r),
			     strlen(ht_reason_text((enum ht_reason)r)));
}
