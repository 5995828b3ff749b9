#!/bin/bash
# fork from a non-main thread (tests/progs/c/thread-fork.c), under the three
# engines: output and status equal native; the child is traced as a second
# process.  The main thread's wait in pthread_join depends on timing:
# traces not compared.
. tests/progs/lib.sh
run_native native "$PROGS/thread-fork"
expect_status native 0
for TRACE_ENGINE in ptrace patch displaced; do
	t=$TRACE_ENGINE
	run_traced "$t" "$PROGS/thread-fork"
	same_output native "$t"
	count_of "$t" >/dev/null || exit 1
	grep -qx 'processes: 2' "$WORK/$t.stats" ||
		fail "$t: umss stats does not say 'processes: 2': $(grep '^processes' "$WORK/$t.stats")"
	grep -qx 'threads: 3' "$WORK/$t.stats" ||
		fail "$t: umss stats does not say 'threads: 3' (main, forker, child): $(grep '^threads' "$WORK/$t.stats")"
done
