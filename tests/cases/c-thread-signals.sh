#!/bin/bash
# pthread_kill to one thread, a process-directed signal taken by the only
# thread that does not block it (tests/progs/c/thread-signals.c), under the
# three engines: output and status equal native.  The threads wait with
# usleep loops whose length depends on timing: traces are not compared.
. tests/progs/lib.sh
run_native native "$PROGS/thread-signals"
expect_status native 0
for TRACE_ENGINE in ptrace patch displaced; do
	t=$TRACE_ENGINE
	run_traced "$t" "$PROGS/thread-signals"
	same_output native "$t"
	count_of "$t" >/dev/null || exit 1
	grep -qx 'threads: 2' "$WORK/$t.stats" ||
		fail "$t: umss stats does not say 'threads: 2': $(grep '^threads' "$WORK/$t.stats")"
done
