#!/bin/bash
# A loop of 100000 iterations of dec/jnz.
# Exact count by construction (tests/progs/asm/loop.S): 200004 instructions, exit 0.
. tests/progs/lib.sh
check_exact loop 200004 0
