// SPDX-License-Identifier: MIT
/* placement.c - see placement.h. */
#include "placement.h"
