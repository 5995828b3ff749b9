#!/bin/bash
# SIGCHLD (ignored by default) while the parent sleeps: natively the sleep
# is not interrupted; the trace must hold the 28 instructions the two
# processes run natively, not a syscall restart that only ptrace causes
# (nor a record of an instruction that did not run).
# Exact count by construction (tests/progs/asm/sigchld-ignored.S): 28 instructions, exit 0.
. tests/progs/lib.sh
check_exact sigchld-ignored 28 0
"$UMSS" show "$WORK/traced.trace" >"$WORK/show" 2>&1 || fail "umss show: $(tail -n 3 "$WORK/show")"
n=$(grep -c ' _start+0x1f .*mov' "$WORK/show")
[ "$n" = 1 ] || fail "the instruction after the parent's nanosleep (_start+0x1f) is recorded $n times, expected 1"
