#!/bin/bash
# Four pthreads with a mutex, thread-locals and join (tests/progs/c/threads.c),
# under the three engines.  Native and traced runs: same stdout, stderr and
# exit status; all five threads traced.  Lock contention depends on the
# interleaving, so the instruction streams differ from run to run and are
# not compared (tests/cases/exact-clone-thread.sh, patch-asm.sh and
# displaced-asm.sh compare a two-thread program's streams).
. tests/progs/lib.sh
run_native native "$PROGS/threads"
expect_status native 0
for TRACE_ENGINE in ptrace patch displaced; do
	run_traced "$TRACE_ENGINE" "$PROGS/threads"
	same_output native "$TRACE_ENGINE"
	count_of "$TRACE_ENGINE" >/dev/null || exit 1
	grep -qx 'threads: 5' "$WORK/$TRACE_ENGINE.stats" ||
		fail "$TRACE_ENGINE: umss stats does not say 'threads: 5': $(grep '^threads' "$WORK/$TRACE_ENGINE.stats")"
done
