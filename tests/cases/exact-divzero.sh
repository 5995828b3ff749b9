#!/bin/bash
# div by zero faults (not counted); SIGFPE kills: 128 + 8.
# Exact count by construction (tests/progs/asm/divzero.S): 3 instructions, exit 136.
. tests/progs/lib.sh
check_exact divzero 3 136
