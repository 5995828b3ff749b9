#!/bin/bash
# fork + exec of /bin/echo and of the program itself (tests/progs/c/fork-exec.c).
# Native and traced runs: same stdout, stderr and exit status (0); two
# traced runs give identical traces (umss diff) with the same count.
. tests/progs/lib.sh
check_same_twice fork-exec "$PROGS/fork-exec"
expect_status fork-exec.native 0
# the parent and two children, each child's stream continuing after exec
grep -qx 'processes: 3' "$WORK/fork-exec.1.stats" ||
	fail "umss stats does not say 'processes: 3': $(grep '^processes' "$WORK/fork-exec.1.stats")"
grep -q '/usr/bin/echo' "$WORK/fork-exec.1.stats" ||
	fail "umss stats does not mention /usr/bin/echo, the image the first child exec'd"
