#!/bin/bash
# Static busybox (busybox-static): the echo applet, and its shell running
# builtins, arithmetic, a loop and a fork+exec of /bin/busybox.  Output and
# status equal native; two traces of each identical.  ~35,000 and ~190,000
# instructions.
. tests/progs/lib.sh
export LC_ALL=C
bb=/bin/busybox
[ -x "$bb" ] || skip "$bb missing (Debian package busybox-static)"
readelf -l "$bb" 2>/dev/null | grep -q 'Requesting program interpreter' && skip "$bb is not the static busybox"
check_same_twice echo "$bb" echo hello from busybox
[ "$(cat "$WORK/echo.1.out")" = "hello from busybox" ] || fail "busybox echo printed '$(cat "$WORK/echo.1.out")'"
script='echo hi; echo $((6*7)); for i in 1 2 3; do echo $i; done; /bin/busybox true && echo forked; exit 3'
check_same_twice sh "$bb" sh -c "$script"
expect_status sh.native 3
[ "$(tr '\n' ' ' <"$WORK/sh.1.out")" = "hi 42 1 2 3 forked " ] || fail "busybox sh printed '$(cat "$WORK/sh.1.out")'"
grep -qx 'processes: 2' "$WORK/sh.1.stats" ||
	fail "umss stats does not say 'processes: 2' (the shell and its forked child): $(grep '^processes' "$WORK/sh.1.stats")"
