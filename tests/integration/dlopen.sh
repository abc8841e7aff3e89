#!/bin/sh
# dlopen: not written yet.
. "$HT_SRCDIR/tests/integration/lib.sh"
skip "dlopen tests not written yet"
