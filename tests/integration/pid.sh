#!/bin/sh
# pid: not written yet.
. "$HT_SRCDIR/tests/integration/lib.sh"
skip "pid tests not written yet"
