#!/bin/bash
# A raw clone(2) thread ends the process with exit_group(7) while the first
# thread blocks in pause(): both threads' records, exact, under every engine
# (tests/cases/patch-asm.sh and displaced-asm.sh run it too).
# Exact count by construction (tests/progs/asm/clone-thread.S): 2021 instructions, exit 7.
. tests/progs/lib.sh
check_exact clone-thread 2021 7
grep -qx 'threads: 2' "$WORK/traced.stats" ||
	fail "umss stats does not say 'threads: 2': $(grep '^threads' "$WORK/traced.stats")"
