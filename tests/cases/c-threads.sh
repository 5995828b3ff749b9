#!/bin/bash
# Four pthreads with a mutex, thread-locals and join (tests/progs/c/threads.c).
# Native and traced runs: same stdout, stderr and exit status; all five
# threads traced.  Lock contention depends on the interleaving, so the
# instruction streams differ from run to run and are not compared.
. tests/progs/lib.sh
run_native native "$PROGS/threads"
expect_status native 0
run_traced traced "$PROGS/threads"
same_output native traced
count_of traced >/dev/null || exit 1
grep -qx 'threads: 5' "$WORK/traced.stats" ||
	fail "umss stats does not say 'threads: 5': $(grep '^threads' "$WORK/traced.stats")"
