#!/bin/bash
# The main thread leaves with pthread_exit, another thread joins it and
# calls exit(4) while two threads spin (tests/progs/c/thread-exit.c).
# Output and status (4) equal native; all four threads are in the trace.
# When exit_group stops the spinners depends on scheduling: traces are
# not compared.
. tests/progs/lib.sh
run_native native "$PROGS/thread-exit"
expect_status native 4
run_traced traced "$PROGS/thread-exit"
same_output native traced
count_of traced >/dev/null || exit 1
grep -qx 'threads: 4' "$WORK/traced.stats" ||
	fail "umss stats does not say 'threads: 4': $(grep '^threads' "$WORK/traced.stats")"
grep -qx 'exit status: 4' "$WORK/traced.stats" ||
	fail "umss stats does not say 'exit status: 4': $(grep '^exit status' "$WORK/traced.stats")"
