// SPDX-License-Identifier: MIT
/* policy.c - strategies, THP modes and the policy gates; see policy.h. */
#include <errno.h>
#include <string.h>

#include "policy.h"

static const char *const strategy_names[] = {
	[HT_STRATEGY_AUTO] = "auto",
	[HT_STRATEGY_COLLAPSE] = "collapse",
	[HT_STRATEGY_REFAULT] = "refault",
	[HT_STRATEGY_NONE] = "none",
	[HT_STRATEGY_COPY] = "copy",
};

int ht_strategy_parse(const char *s, enum ht_strategy *out)
{
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < sizeof(strategy_names) / sizeof(*strategy_names); i++)
		if (!strcmp(s, strategy_names[i])) {
			*out = (enum ht_strategy)i;
			return 0;
		}
	return -EINVAL;
}

const char *ht_strategy_name(enum ht_strategy s)
{
	if ((unsigned int)s >= sizeof(strategy_names) / sizeof(*strategy_names))
		return "unknown";
	return strategy_names[s];
}

const char *ht_thp_mode_name(enum ht_thp_mode m)
{
	switch (m) {
	case HT_THP_ALWAYS:
		return "always";
	case HT_THP_MADVISE:
		return "madvise";
	case HT_THP_NEVER:
		return "never";
	case HT_THP_UNKNOWN:
		break;
	}
	return "unsupported";
}

enum ht_reason ht_policy_refuses(const struct ht_policy *pol)
{
	if (pol->thp.mode == HT_THP_NEVER || pol->thp.mode == HT_THP_UNKNOWN)
		return HT_R_THP_NEVER;
	if (pol->thp.prctl_disabled)
		return HT_R_PRCTL;
	if (pol->thp.seccomp && !pol->seccomp_try)
		return HT_R_SECCOMP;
	return HT_R_NONE;
}

enum ht_reason ht_policy_cache_only(const struct ht_policy *pol)
{
	return pol->strategy == HT_STRATEGY_COPY ? HT_R_COPY_NO_CACHE :
	       HT_R_NONE;
}

enum ht_reason ht_policy_holds_back(const struct ht_policy *pol)
{
	if (pol->dry_run)
		return HT_R_DRY_RUN;
	if (pol->strategy == HT_STRATEGY_NONE)
		return HT_R_STRATEGY_NONE;
	return HT_R_NONE;
}
