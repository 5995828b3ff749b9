#!/bin/bash
# vfork: a child that runs in its suspended parent's memory and _exits 3;
# the parent reaps it.  Both processes traced, exact.
# Exact count by construction (tests/progs/asm/vfork.S): 20 instructions, exit 0.
. tests/progs/lib.sh
check_exact vfork 20 0
grep -qx 'processes: 2' "$WORK/traced.stats" ||
	fail "umss stats does not say 'processes: 2': $(grep '^processes' "$WORK/traced.stats")"
