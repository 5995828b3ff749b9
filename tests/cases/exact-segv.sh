#!/bin/bash
# A store to address 0 faults (not counted); SIGSEGV kills: 128 + 11.
# Exact count by construction (tests/progs/asm/segv.S): 2 instructions, exit 139.
. tests/progs/lib.sh
check_exact segv 2 139
