#!/bin/bash
# fork from a non-main thread (tests/progs/c/thread-fork.c): output and
# status equal native; the child is traced as a second process.  The main
# thread's wait in pthread_join depends on timing: traces not compared.
. tests/progs/lib.sh
run_native native "$PROGS/thread-fork"
expect_status native 0
run_traced traced "$PROGS/thread-fork"
same_output native traced
count_of traced >/dev/null || exit 1
grep -qx 'processes: 2' "$WORK/traced.stats" ||
	fail "umss stats does not say 'processes: 2': $(grep '^processes' "$WORK/traced.stats")"
grep -qx 'threads: 3' "$WORK/traced.stats" ||
	fail "umss stats does not say 'threads: 3' (main, forker, child): $(grep '^threads' "$WORK/traced.stats")"
