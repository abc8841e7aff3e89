#!/bin/sh
# The man page is lint-clean: mandoc -T lint says nothing at all (no
# error, warning or style message).  mandoc is installed when missing
# and we may (root, apt-get); otherwise the test skips, saying why.
. "$HT_SRCDIR/tests/integration/lib.sh"
scratch

if ! command -v mandoc > /dev/null 2>&1; then
	[ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null 2>&1 ||
		skip "mandoc is not installed (apt-get install mandoc)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends mandoc > "$T/apt" 2>&1 ||
		skip "mandoc is not installed and apt-get could not: $(tail -n 1 "$T/apt")"
fi
page=$HT_SRCDIR/docs/hugetext.1
set +e
mandoc -T lint -W style "$page" > "$T/lint" 2>&1
st=$?
set -e
[ ! -s "$T/lint" ] || fail "mandoc -T lint (exit $st): $(cat "$T/lint")"
[ "$st" -eq 0 ] || fail "mandoc -T lint exited $st"
ok "mandoc -T lint $page: clean"
