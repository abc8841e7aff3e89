// SPDX-License-Identifier: MIT
/* probe.c - see probe.h. */
#include "probe.h"
