// SPDX-License-Identifier: MIT
/* prime.c - see prime.h. */
#include "prime.h"
