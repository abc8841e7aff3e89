#!/bin/sh
# status: not written yet.
. "$HT_SRCDIR/tests/integration/lib.sh"
skip "status tests not written yet"
