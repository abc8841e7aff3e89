// SPDX-License-Identifier: MIT
/*
 * test_policy.c - policy.c, pure: strategy and THP-mode names round
 * trip, and the two gates every path asks (the library's pass, prime,
 * --pid, check's probe) give the one reason each state calls for, in
 * order of precedence.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "policy.h"

Test(policy_names, strategy_round_trip)
{
	static const enum ht_strategy all[] = {
		HT_STRATEGY_AUTO, HT_STRATEGY_COLLAPSE, HT_STRATEGY_REFAULT,
		HT_STRATEGY_NONE, HT_STRATEGY_COPY,
	};
	enum ht_strategy s;
	size_t i, j;

	for (i = 0; i < sizeof(all) / sizeof(*all); i++) {
		const char *n = ht_strategy_name(all[i]);

		cr_assert_not_null(n);
		cr_assert_str_neq(n, "unknown");
		s = (enum ht_strategy)99;
		cr_assert_eq(ht_strategy_parse(n, &s), 0, "%s", n);
		cr_assert_eq(s, all[i], "%s", n);
		for (j = 0; j < i; j++)
			cr_assert_str_neq(ht_strategy_name(all[j]), n);
	}
	cr_assert_str_eq(ht_strategy_name(HT_STRATEGY_AUTO), "auto");
	cr_assert_str_eq(ht_strategy_name(HT_STRATEGY_COLLAPSE), "collapse");
	cr_assert_str_eq(ht_strategy_name(HT_STRATEGY_REFAULT), "refault");
	cr_assert_str_eq(ht_strategy_name(HT_STRATEGY_NONE), "none");
	cr_assert_str_eq(ht_strategy_name(HT_STRATEGY_COPY), "copy");

	/* Past the last strategy: a name that parses to nothing. */
	cr_assert_str_eq(ht_strategy_name((enum ht_strategy)5), "unknown");
	cr_assert_str_eq(ht_strategy_name((enum ht_strategy)-1), "unknown");
	cr_assert_str_eq(ht_strategy_name((enum ht_strategy)12345), "unknown");
	cr_assert_eq(ht_strategy_parse("unknown", &s), -EINVAL);

	s = HT_STRATEGY_REFAULT;
	cr_assert_eq(ht_strategy_parse("bogus", &s), -EINVAL);
	cr_assert_eq(s, HT_STRATEGY_REFAULT);
	cr_assert_eq(ht_strategy_parse("", &s), -EINVAL);
	cr_assert_eq(s, HT_STRATEGY_REFAULT);
	cr_assert_eq(ht_strategy_parse(NULL, &s), -EINVAL);
	cr_assert_eq(s, HT_STRATEGY_REFAULT);
}

Test(policy_names, thp_modes)
{
	cr_assert_str_eq(ht_thp_mode_name(HT_THP_ALWAYS), "always");
	cr_assert_str_eq(ht_thp_mode_name(HT_THP_MADVISE), "madvise");
	cr_assert_str_eq(ht_thp_mode_name(HT_THP_NEVER), "never");
	cr_assert_str_eq(ht_thp_mode_name(HT_THP_UNKNOWN), "unsupported");
	cr_assert_str_eq(ht_thp_mode_name((enum ht_thp_mode)4), "unsupported");
	cr_assert_str_eq(ht_thp_mode_name((enum ht_thp_mode)-1), "unsupported");
	cr_assert_str_eq(ht_thp_mode_name((enum ht_thp_mode)999), "unsupported");
}

Test(policy, refuses_in_order)
{
	static const enum ht_thp_mode modes[] = {
		HT_THP_UNKNOWN, HT_THP_ALWAYS, HT_THP_MADVISE, HT_THP_NEVER,
	};
	size_t m;
	int prctl, sc, try;

	for (m = 0; m < sizeof(modes) / sizeof(*modes); m++)
	for (prctl = 0; prctl < 2; prctl++)
	for (sc = 0; sc < 2; sc++)
	for (try = 0; try < 2; try++) {
		struct ht_policy pol = {
			.thp = { modes[m], prctl, sc }, .seccomp_try = try,
		};
		enum ht_reason want = HT_R_NONE;

		if (modes[m] == HT_THP_UNKNOWN || modes[m] == HT_THP_NEVER)
			want = HT_R_THP_NEVER;
		else if (prctl)
			want = HT_R_PRCTL;
		else if (sc && !try)
			want = HT_R_SECCOMP;
		cr_assert_eq(ht_policy_refuses(&pol), want,
			     "mode %zu prctl %d seccomp %d try %d", m, prctl,
			     sc, try);
	}
}

Test(policy, refuses_ignores_what_is_not_system)
{
	struct ht_policy pol = {
		.strategy = HT_STRATEGY_NONE, .dry_run = true,
		.thp = { HT_THP_MADVISE, false, false },
	};

	cr_assert_eq(ht_policy_refuses(&pol), HT_R_NONE);
}

Test(policy, holds_back)
{
	static const enum ht_strategy all[] = {
		HT_STRATEGY_AUTO, HT_STRATEGY_COLLAPSE, HT_STRATEGY_REFAULT,
		HT_STRATEGY_NONE, HT_STRATEGY_COPY,
	};
	size_t i;
	int dry;

	for (i = 0; i < sizeof(all) / sizeof(*all); i++)
	for (dry = 0; dry < 2; dry++) {
		struct ht_policy pol = { .strategy = all[i], .dry_run = dry };
		enum ht_reason want = dry ? HT_R_DRY_RUN :
			all[i] == HT_STRATEGY_NONE ? HT_R_STRATEGY_NONE :
			HT_R_NONE;

		cr_assert_eq(ht_policy_holds_back(&pol), want,
			     "strategy %s dry %d", ht_strategy_name(all[i]),
			     dry);
	}
}

Test(policy, cache_only_refuses_copy)
{
	static const enum ht_strategy all[] = {
		HT_STRATEGY_AUTO, HT_STRATEGY_COLLAPSE, HT_STRATEGY_REFAULT,
		HT_STRATEGY_NONE, HT_STRATEGY_COPY,
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(*all); i++) {
		struct ht_policy pol = { .strategy = all[i] };

		cr_assert_eq(ht_policy_cache_only(&pol),
			     all[i] == HT_STRATEGY_COPY ? HT_R_COPY_NO_CACHE :
			     HT_R_NONE, "%s", ht_strategy_name(all[i]));
	}
}
