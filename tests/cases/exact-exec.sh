#!/bin/bash
# A failed execve (ENOENT) is an ordinary syscall; a successful one of
# /proc/self/exe continues the same process in the new image.
# Exact count by construction (tests/progs/asm/exec.S): 21 instructions, exit 5.
. tests/progs/lib.sh
check_exact exec 21 5
grep -qx 'processes: 1' "$WORK/traced.stats" ||
	fail "umss stats does not say 'processes: 1': $(grep '^processes' "$WORK/traced.stats")"
