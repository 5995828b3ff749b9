#!/bin/bash
# fork + waitpid: exit codes, a child killed by SIGTERM, a vfork child (tests/progs/c/fork-wait.c).
# Native and traced runs: same stdout, stderr and exit status (0); two
# traced runs give identical traces (umss diff) with the same count.
. tests/progs/lib.sh
check_same_twice fork-wait "$PROGS/fork-wait"
expect_status fork-wait.native 0
# the parent, three children, the SIGTERM child and the vfork child
grep -qx 'processes: 6' "$WORK/fork-wait.1.stats" ||
	fail "umss stats does not say 'processes: 6': $(grep '^processes' "$WORK/fork-wait.1.stats")"
