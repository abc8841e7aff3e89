#!/bin/sh
# prime: not written yet.
. "$HT_SRCDIR/tests/integration/lib.sh"
skip "prime tests not written yet"
