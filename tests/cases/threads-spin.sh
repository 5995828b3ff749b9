#!/bin/bash
# A thread spins on a flag another thread sets after some work
# (tests/progs/c/thread-spin.c): under patch, which runs one thread's
# program code at a time, the run lock must give the worker its turn;
# under displaced both run at once.  Output and status equal native.  Not
# under ptrace: the spin's length is up to the scheduler, millions of
# steps.
. tests/progs/lib.sh
run_native native "$PROGS/thread-spin"
expect_status native 0
for TRACE_ENGINE in patch displaced; do
	t=$TRACE_ENGINE
	timeout 120 "$UMSS" trace -q --engine="$t" -o "$WORK/$t.trace" -- "$PROGS/thread-spin" \
		>"$WORK/$t.out" 2>"$WORK/$t.err" </dev/null
	echo $? >"$WORK/$t.status"
	[ "$(status_of "$t")" != 124 ] || fail "$t: the spinner never saw the flag (umss killed after 120 s)"
	same_output native "$t"
	echo "$t: $(count_of "$t") instructions"
done
