#!/bin/sh
# Issue 9, item 5: self-modifying code.  map_rwx makes its whole text rwx
# in .preinit_array (before any constructor, before an LD_PRELOAD
# library's pass; after an rtld-audit module's start-up pass), patches a
# function in main() and calls it, prints a checksum over all functions
# and how its text is mapped at the end (must still be rwx, the file).
# Under the launcher and with LD_PRELOAD, on a fresh small-folio copy
# and with the page cache busy (another process maps the small folios,
# the case where the old refault loop mapped the range again r-x):
# same output and status as a plain run.
. "$HT_SRCDIR/tests/integration/lib.sh"
. "$HT_SRCDIR/tests/harm/map_lib.sh"
scratch

P=$T/map_rwx
copy_small "$MP/map_rwx" "$P"
run_as plain plain "$P"
if [ "$(cat "$T/plain.st")" -eq 4 ]; then
	skip "this system does not let a program make its text rwx: $(cat "$T/plain.out")"
fi
[ "$(cat "$T/plain.st")" -eq 0 ] || fail "plain run: status $(cat "$T/plain.st")"
grep -q '^patched f[0-9]* returns 42$' "$T/plain.out" &&
	grep -qx 'text rwxp file' "$T/plain.out" ||
	fail "plain run did not patch its rwx text: $(cat "$T/plain.out")"
ok "plain run: text rwx, patch returns 42"

# Fresh small-folio copies: nothing else maps the file.
for form in ht preload; do
	copy_small "$MP/map_rwx" "$P"
	run_as "fresh.$form" "$form" "$P"
	same_as "fresh.$form" plain "fresh copy, $form"
done

# Busy page cache: a plain instance maps every small folio and waits.
copy_small "$MP/map_rwx" "$P"
busy_start "$P" -w
run_as busy.plain plain "$P"
same_as busy.plain plain "busy page cache, plain"
for form in ht preload; do
	run_as "busy.$form" "$form" "$P"
	same_as "busy.$form" plain "busy page cache, $form"
done
busy_stop
finish
