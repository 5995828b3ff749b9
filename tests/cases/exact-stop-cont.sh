#!/bin/bash
# Job control: SIGSTOP stops the sleeping child (the parent's
# wait4(WUNTRACED) sees it stopped), SIGCONT continues it, and the kernel
# restarts its nanosleep by re-running the `syscall` instruction, which
# must appear twice in the child's stream (not the instruction after it).
# Exact count by construction (tests/progs/asm/stop-cont.S): 46 instructions, exit 0.
. tests/progs/lib.sh
check_exact stop-cont 46 0
"$UMSS" show "$WORK/traced.trace" >"$WORK/show" 2>&1 || fail "umss show: $(tail -n 3 "$WORK/show")"
n=$(grep -c ' child+0xe .*syscall' "$WORK/show")
[ "$n" = 2 ] || { grep ' child+' "$WORK/show" >&2; fail "the child's restarted syscall (child+0xe) is recorded $n times, expected 2"; }
n=$(grep -c ' child+0x10 ' "$WORK/show")
[ "$n" = 1 ] || { grep ' child+' "$WORK/show" >&2; fail "the instruction after the child's syscall (child+0x10) is recorded $n times, expected 1"; }
