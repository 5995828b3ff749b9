#!/bin/bash
# execve from a second thread (tests/progs/c/thread-exec.c), under the three
# engines: the kernel ends the main thread and the exec'ing thread takes
# over the pid.  Output and status (6) equal native; the trace continues
# into the new image.  Where the main thread is when it is ended depends on
# scheduling: traces are not compared.
. tests/progs/lib.sh
run_native native "$PROGS/thread-exec"
expect_status native 6
for TRACE_ENGINE in ptrace patch displaced; do
	t=$TRACE_ENGINE
	run_traced "$t" "$PROGS/thread-exec"
	same_output native "$t"
	count_of "$t" >/dev/null || exit 1
	grep -q 'thread-exec (after exec)' "$WORK/$t.stats" ||
		fail "$t: umss stats shows no stream after the exec: $(sed -n '/^processes and threads/,/^$/p' "$WORK/$t.stats")"
	grep -qx 'exit status: 6' "$WORK/$t.stats" ||
		fail "$t: umss stats does not say 'exit status: 6': $(grep '^exit status' "$WORK/$t.stats")"
done
