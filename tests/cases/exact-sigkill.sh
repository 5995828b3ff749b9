#!/bin/bash
# The program SIGKILLs itself: umss exits 128 + 9 and the trace is complete
# (no "cut short" warning from umss stats).
# Exact count by construction (tests/progs/asm/sigkill.S): 6 instructions, exit 137.
. tests/progs/lib.sh
check_exact sigkill 6 137
[ -s "$WORK/traced.stats.err" ] && fail "umss stats warns about the trace of a SIGKILLed program: $(cat "$WORK/traced.stats.err")"
exit 0
