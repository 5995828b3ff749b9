#!/bin/bash
# pthread_kill to one thread, a process-directed signal taken by the only
# thread that does not block it (tests/progs/c/thread-signals.c): output
# and status equal native.  The threads wait with usleep loops whose
# length depends on timing: traces are not compared.
. tests/progs/lib.sh
run_native native "$PROGS/thread-signals"
expect_status native 0
run_traced traced "$PROGS/thread-signals"
same_output native traced
count_of traced >/dev/null || exit 1
grep -qx 'threads: 2' "$WORK/traced.stats" ||
	fail "umss stats does not say 'threads: 2': $(grep '^threads' "$WORK/traced.stats")"
