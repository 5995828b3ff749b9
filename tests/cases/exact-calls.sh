#!/bin/bash
# Direct calls, a call chain and recursion (sum of 1..100).
# Exact count by construction (tests/progs/asm/calls.S): 820 instructions, exit 0.
. tests/progs/lib.sh
check_exact calls 820 0
