#!/bin/bash
# The main thread leaves with pthread_exit, another thread joins it and
# calls exit(4) while two threads spin (tests/progs/c/thread-exit.c), under
# the three engines.  Output and status (4) equal native; all four threads
# are in the trace.  When exit_group stops the spinners depends on
# scheduling: traces are not compared.
. tests/progs/lib.sh
run_native native "$PROGS/thread-exit"
expect_status native 4
for TRACE_ENGINE in ptrace patch displaced; do
	t=$TRACE_ENGINE
	run_traced "$t" "$PROGS/thread-exit"
	same_output native "$t"
	count_of "$t" >/dev/null || exit 1
	grep -qx 'threads: 4' "$WORK/$t.stats" ||
		fail "$t: umss stats does not say 'threads: 4': $(grep '^threads' "$WORK/$t.stats")"
	grep -qx 'exit status: 4' "$WORK/$t.stats" ||
		fail "$t: umss stats does not say 'exit status: 4': $(grep '^exit status' "$WORK/$t.stats")"
done
