#!/bin/bash
# ud2 faults (not counted); SIGILL kills: 128 + 4.
# Exact count by construction (tests/progs/asm/ud2.S): 2 instructions, exit 132.
. tests/progs/lib.sh
check_exact ud2 2 132
