#!/bin/bash
# int3 with no handler retires and SIGTRAP kills the program: 128 + 5.
# Exact count by construction (tests/progs/asm/int3.S): 3 instructions, exit 133.
. tests/progs/lib.sh
check_exact int3 3 133
