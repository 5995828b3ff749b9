#!/bin/bash
# execve from a second thread (tests/progs/c/thread-exec.c): the kernel
# ends the main thread and the exec'ing thread takes over the pid.  Output
# and status (6) equal native; the trace continues into the new image.
# Where the main thread is when it is ended depends on scheduling: traces
# are not compared.
. tests/progs/lib.sh
run_native native "$PROGS/thread-exec"
expect_status native 6
run_traced traced "$PROGS/thread-exec"
same_output native traced
count_of traced >/dev/null || exit 1
grep -q 'thread-exec (after exec)' "$WORK/traced.stats" ||
	fail "umss stats shows no stream after the exec: $(sed -n '/^processes and threads/,/^$/p' "$WORK/traced.stats")"
grep -qx 'exit status: 6' "$WORK/traced.stats" ||
	fail "umss stats does not say 'exit status: 6': $(grep '^exit status' "$WORK/traced.stats")"
