#!/bin/sh
# check: not written yet.
. "$HT_SRCDIR/tests/integration/lib.sh"
skip "check tests not written yet"
